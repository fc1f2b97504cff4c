-- Load one crawl from its lake views (lake_listing_*, lake_repo_*, lake_spaces_*) into the warehouse.
-- Runs inside one transaction (see warehouse/load.py): either all of it lands or none of it.
-- Variables: crawl_id, whole_hub (the crawl listed the whole hub, so unlisted models were removed),
-- spaces_listed (the spaces listing ran).

-- the listing; a model seen on two pages keeps its last one
CREATE OR REPLACE TEMP TABLE stg_models AS
SELECT * EXCLUDE (filename), parse_dirpath(filename) AS _unit FROM lake_listing_models
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY filename DESC) = 1;

CREATE OR REPLACE TEMP TABLE stg_removed AS
SELECT model_id, mongo_id FROM models
WHERE getvariable('whole_hub') AND model_id NOT IN (SELECT model_id FROM stg_models);

-- repos whose per-repo data landed completely in this crawl
CREATE OR REPLACE TEMP TABLE stg_repos_ok AS
SELECT model_id, any_value(sha) AS sha FROM lake_repo_repo_done WHERE ok GROUP BY model_id;

-- what changed: added (or renamed: same stable _id under a new name), sha changed, removed
INSERT INTO model_events
SELECT getvariable('crawl_id'), s.model_id, s.mongo_id,
       CASE WHEN r.model_id IS NULL THEN 'added' ELSE 'renamed' END,
       CASE WHEN r.model_id IS NULL THEN NULL ELSE 'from ' || r.model_id END
FROM stg_models s
LEFT JOIN models m USING (model_id)
LEFT JOIN stg_removed r ON r.mongo_id = s.mongo_id
WHERE m.model_id IS NULL;

INSERT INTO model_events
SELECT getvariable('crawl_id'), s.model_id, s.mongo_id, 'sha_changed', m.sha || ' -> ' || s.sha
FROM stg_models s JOIN models m USING (model_id)
WHERE m.sha IS DISTINCT FROM s.sha;

INSERT INTO model_events
SELECT getvariable('crawl_id'), r.model_id, r.mongo_id, 'removed', NULL
FROM stg_removed r
WHERE r.mongo_id IS NULL OR r.mongo_id NOT IN (SELECT mongo_id FROM stg_models WHERE mongo_id IS NOT NULL);

-- current state of every listed model
CREATE OR REPLACE TEMP TABLE stg_first_seen AS
SELECT s.model_id, coalesce(m.first_seen_crawl, renamed.first_seen_crawl) AS first_seen_crawl
FROM stg_models s
LEFT JOIN models m USING (model_id)
LEFT JOIN (SELECT mongo_id, min(first_seen_crawl) AS first_seen_crawl FROM models
           WHERE model_id IN (SELECT model_id FROM stg_removed) GROUP BY mongo_id) renamed
       ON renamed.mongo_id = s.mongo_id;

DELETE FROM models WHERE model_id IN (SELECT model_id FROM stg_models UNION ALL SELECT model_id FROM stg_removed);

INSERT INTO models BY NAME
SELECT s.* EXCLUDE (_unit),
       coalesce(f.first_seen_crawl, getvariable('crawl_id')) AS first_seen_crawl,
       getvariable('crawl_id') AS crawl_id
FROM stg_models s LEFT JOIN stg_first_seen f USING (model_id);

INSERT INTO model_history
SELECT getvariable('crawl_id'), model_id, mongo_id, sha, last_modified, downloads, likes, license, base_models,
       md5(coalesce(card_data::VARCHAR, ''))
FROM stg_models;

-- facts derived from the listing, replaced for every listed model
CREATE OR REPLACE TEMP TABLE stg_listed AS
SELECT model_id FROM stg_models UNION ALL SELECT model_id FROM stg_removed;

DELETE FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag') AND child_id IN (SELECT model_id FROM stg_listed);
INSERT INTO lineage_edges (child_id, parent_id, relation, source, crawl_id)
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.source, getvariable('crawl_id')
FROM lake_listing_lineage_edges e JOIN stg_models s ON s.model_id = e.child_id AND s._unit = parse_dirpath(e.filename);

DELETE FROM licenses WHERE model_id IN (SELECT model_id FROM stg_listed);
INSERT INTO licenses BY NAME
SELECT DISTINCT l.* EXCLUDE (filename), getvariable('crawl_id') AS crawl_id
FROM lake_listing_licenses l JOIN stg_models s ON s.model_id = l.model_id AND s._unit = parse_dirpath(l.filename);

DELETE FROM energy WHERE source_kind = 'card_yaml' AND model_id IN (SELECT model_id FROM stg_listed);
INSERT INTO energy
SELECT DISTINCT e.* EXCLUDE (filename), getvariable('crawl_id')
FROM lake_listing_energy e JOIN stg_models s ON s.model_id = e.model_id AND s._unit = parse_dirpath(e.filename);

DELETE FROM space_models WHERE source = 'model_listing' AND model_id IN (SELECT model_id FROM stg_listed);
INSERT INTO space_models
SELECT DISTINCT e.space_id, e.model_id, e.source, getvariable('crawl_id')
FROM lake_listing_space_models e JOIN stg_models s ON s.model_id = e.model_id AND s._unit = parse_dirpath(e.filename);

-- per-repo data: replaced for repos fetched completely, dropped for removed models
CREATE OR REPLACE TEMP TABLE stg_repo_replace AS
SELECT model_id FROM stg_repos_ok UNION ALL SELECT model_id FROM stg_removed;

DELETE FROM model_cards WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO model_cards SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_model_cards
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM commits WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO commits SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_commits
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM commit_files WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO commit_files SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_commit_files
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM refs WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO refs SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_refs
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_files WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO repo_files SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_repo_files
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_configs WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO repo_configs SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_repo_configs
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM lineage_edges WHERE source IN ('adapter_config', 'config', 'mergekit')
    AND child_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO lineage_edges (child_id, parent_id, relation, source, crawl_id)
SELECT DISTINCT child_id, parent_id, relation, source, getvariable('crawl_id') FROM lake_repo_lineage_edges
WHERE child_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM energy WHERE source_kind = 'card_text' AND model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO energy SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_energy
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_state WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO repo_state SELECT model_id, sha, getvariable('crawl_id') FROM stg_repos_ok
WHERE model_id NOT IN (SELECT model_id FROM stg_removed);

-- spaces (when the spaces listing ran)
CREATE OR REPLACE TEMP TABLE stg_spaces AS
SELECT * EXCLUDE (filename) FROM lake_spaces_spaces
QUALIFY row_number() OVER (PARTITION BY space_id ORDER BY filename DESC) = 1;

DELETE FROM spaces WHERE getvariable('spaces_listed')
    AND (space_id IN (SELECT space_id FROM stg_spaces) OR getvariable('whole_hub'));
INSERT INTO spaces SELECT *, getvariable('crawl_id') FROM stg_spaces;

DELETE FROM space_models WHERE source = 'space_listing' AND getvariable('spaces_listed')
    AND (space_id IN (SELECT space_id FROM stg_spaces) OR getvariable('whole_hub'));
INSERT INTO space_models
SELECT DISTINCT space_id, model_id, source, getvariable('crawl_id') FROM lake_spaces_space_models;

-- everything quarantined on the way
INSERT INTO crawl_errors
SELECT getvariable('crawl_id'), model_id, stage, reason, detail, logged_at FROM (
    SELECT * FROM lake_listing_crawl_errors UNION ALL BY NAME
    SELECT * FROM lake_repo_crawl_errors UNION ALL BY NAME
    SELECT * FROM lake_spaces_crawl_errors);
