-- The license knowledge base (analyses/data/licenses.csv) at work: how each declared license was resolved, the
-- clause and source of every violation, and how much of the hub the knowledge base can judge.

ALTER TABLE licenses ADD COLUMN IF NOT EXISTS resolution VARCHAR;  -- hub | alias | license_name | license_link | spdx | other-unnamed | other-unknown-name | spdx-expression | unparsed | unknown

ALTER TABLE license_violations ADD COLUMN IF NOT EXISTS declared_parent_id VARCHAR;  -- the parent id as the card wrote it
ALTER TABLE license_violations ADD COLUMN IF NOT EXISTS obligation VARCHAR;          -- knowledge-base column the rule derives from (* = all passed on)
ALTER TABLE license_violations ADD COLUMN IF NOT EXISTS clause VARCHAR;              -- the upstream clause(s) the derivative breaks
ALTER TABLE license_violations ADD COLUMN IF NOT EXISTS source_url VARCHAR;          -- where the upstream license text is

CREATE TABLE IF NOT EXISTS license_coverage (
    crawl_id   VARCHAR NOT NULL,
    scope      VARCHAR NOT NULL,             -- models | edges (declared lineage)
    side       VARCHAR,                      -- edges: parent | child | either (unresolved at one end or both); NULL for models
    resolution VARCHAR NOT NULL,             -- how the license resolved, or why not (see licenses.resolution; not-crawled: no parent in the warehouse)
    resolved   BOOLEAN,                      -- the knowledge base records the terms of this license
    items      BIGINT,                       -- models or edges
    share      DOUBLE                        -- of all models, or of all declared edges
);
