-- Declared parent ids that name no crawled model, resolved through the hub's redirects (renamed repos, ids in
-- another letter case) and cached across crawls; lineage_edges keeps the declared id in parent_id and the id it
-- resolves to in resolved_parent_id (the parent_id itself when it needs no resolving).

-- crawl: aliases
CREATE TABLE IF NOT EXISTS model_aliases (
    alias        VARCHAR PRIMARY KEY,        -- a declared parent id that is not a crawled model id
    canonical_id VARCHAR,                    -- the id the hub answers it with; NULL when the hub does not know it
    mongo_id     VARCHAR,                    -- the API's stable _id of canonical_id
    status       VARCHAR NOT NULL,           -- renamed | case | exists | not_found | invalid
    source       VARCHAR NOT NULL,           -- hub (asked through its redirects) | warehouse (a crawled id in another case)
    resolved_at  TIMESTAMP NOT NULL,         -- when it was asked; answers are asked again after a while (crawl/aliases.py)
    crawl_id     VARCHAR
);

ALTER TABLE lineage_edges ADD COLUMN IF NOT EXISTS resolved_parent_id VARCHAR;

ALTER TABLE crawls ADD COLUMN IF NOT EXISTS alias_requests BIGINT;  -- parent-id lookups (API bucket, apart from api_requests)
