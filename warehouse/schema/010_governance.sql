-- Governance outputs: what changed upstream between two crawls and which descendants it reaches. model_history
-- keeps gating and the card's license_name / license_link per crawl so license and gating changes can be judged
-- (rows of crawls made before these columns existed hold NULL: no change is claimed from them).

ALTER TABLE model_history ADD COLUMN IF NOT EXISTS gated VARCHAR;         -- false | auto | manual
ALTER TABLE model_history ADD COLUMN IF NOT EXISTS license_name VARCHAR;  -- the card's license_name (license: other)
ALTER TABLE model_history ADD COLUMN IF NOT EXISTS license_link VARCHAR;

CREATE TABLE IF NOT EXISTS upstream_changes (
    crawl_id        VARCHAR NOT NULL,        -- the newer crawl
    since_crawl_id  VARCHAR NOT NULL,        -- the crawl it is compared with
    model_id        VARCHAR NOT NULL,        -- the model that changed (as the newer crawl lists it)
    changes         VARCHAR[],               -- license | gating | base_model | card | sha
    old_license     VARCHAR,
    new_license     VARCHAR,
    old_category    VARCHAR,                 -- the license knowledge base's category before and after
    new_category    VARCHAR,
    old_gated       VARCHAR,
    new_gated       VARCHAR,
    old_base_models VARCHAR[],
    new_base_models VARCHAR[],
    old_sha         VARCHAR,
    new_sha         VARCHAR,
    severity        VARCHAR NOT NULL,        -- violation | warning | review | notice (analyses/upstream_changes.py)
    rank            INTEGER NOT NULL,        -- 1 = worst
    descendants     INTEGER NOT NULL,        -- models in the warehouse below it through resolved declared lineage
    affected        VARCHAR[],               -- those descendants
    flagged         VARCHAR[],               -- descendants whose license the new upstream license conflicts with
    findings        VARCHAR[],               -- "descendant: rule (severity)" for each finding the change raised
    detail          VARCHAR
);
