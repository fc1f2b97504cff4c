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
SELECT model_id, any_value(sha) AS sha, any_value(base_commit) AS base_commit, any_value(files_read) AS files_read
FROM lake_repo_repo_done WHERE ok GROUP BY model_id;

-- files of an increment whose blob did not change since they were last read: their rows stay
CREATE OR REPLACE TEMP TABLE stg_kept AS
SELECT DISTINCT model_id, path FROM lake_repo_repo_kept WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

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

INSERT INTO model_history (crawl_id, model_id, mongo_id, sha, last_modified, downloads, likes, license, base_models,
                           card_hash, gated, license_name, license_link)
SELECT getvariable('crawl_id'), model_id, mongo_id, sha, last_modified, downloads, likes, license, base_models,
       md5(coalesce(card_data::VARCHAR, '')), coalesce(gated::VARCHAR, 'false'),
       json_extract_string(card_data, '$.license_name'), json_extract_string(card_data, '$.license_link')
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


-- per-repo data: replaced for repos fetched completely, dropped for removed models. A repo read as an
-- increment (base_commit set) keeps its earlier commits and adds the new ones; rows derived from a file
-- kept unchanged (stg_kept) stay.
CREATE OR REPLACE TEMP TABLE stg_repo_replace AS
SELECT model_id FROM stg_repos_ok UNION ALL SELECT model_id FROM stg_removed;

CREATE OR REPLACE TEMP TABLE stg_history_replace AS
SELECT model_id FROM stg_repos_ok WHERE base_commit IS NULL UNION ALL SELECT model_id FROM stg_removed;

DELETE FROM model_cards WHERE model_id IN (SELECT model_id FROM stg_repo_replace)
    AND model_id NOT IN (SELECT model_id FROM stg_kept WHERE path = 'README.md');
UPDATE model_cards SET sha = r.sha, crawl_id = getvariable('crawl_id') FROM stg_repos_ok r
WHERE model_cards.model_id = r.model_id AND r.model_id IN (SELECT model_id FROM stg_kept WHERE path = 'README.md');
INSERT INTO model_cards SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_model_cards
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM commits WHERE model_id IN (SELECT model_id FROM stg_history_replace);
INSERT INTO commits SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_commits
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM commit_files WHERE model_id IN (SELECT model_id FROM stg_history_replace);
INSERT INTO commit_files SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_commit_files
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM refs WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO refs SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_refs
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_files WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO repo_files SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_repo_files
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_configs WHERE model_id IN (SELECT model_id FROM stg_repo_replace)
    AND NOT EXISTS (SELECT 1 FROM stg_kept k WHERE k.model_id = repo_configs.model_id AND k.path = repo_configs.path);
INSERT INTO repo_configs SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_repo_configs
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM lineage_edges WHERE source IN ('adapter_config', 'config', 'mergekit')
    AND child_id IN (SELECT model_id FROM stg_repo_replace)
    AND NOT EXISTS (SELECT 1 FROM stg_kept k WHERE k.model_id = lineage_edges.child_id
                    AND k.path = CASE lineage_edges.source WHEN 'adapter_config' THEN 'adapter_config.json'
                                      WHEN 'config' THEN 'config.json' ELSE 'mergekit_config.yml' END);
INSERT INTO lineage_edges (child_id, parent_id, relation, source, crawl_id)
SELECT DISTINCT child_id, parent_id, relation, source, getvariable('crawl_id') FROM lake_repo_lineage_edges
WHERE child_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM energy WHERE source_kind = 'card_text' AND model_id IN (SELECT model_id FROM stg_repo_replace)
    AND model_id NOT IN (SELECT model_id FROM stg_kept WHERE path = 'README.md');
INSERT INTO energy SELECT DISTINCT * EXCLUDE (filename), getvariable('crawl_id') FROM lake_repo_energy
WHERE model_id IN (SELECT model_id FROM stg_repos_ok);

DELETE FROM repo_state WHERE model_id IN (SELECT model_id FROM stg_repo_replace);
INSERT INTO repo_state BY NAME
SELECT model_id, sha AS fetched_sha, getvariable('crawl_id') AS crawl_id, files_read FROM stg_repos_ok
WHERE model_id NOT IN (SELECT model_id FROM stg_removed);

-- spaces (when the spaces listing ran)
CREATE OR REPLACE TEMP TABLE stg_spaces AS
SELECT * EXCLUDE (filename) FROM lake_spaces_spaces
QUALIFY row_number() OVER (PARTITION BY space_id ORDER BY filename DESC) = 1;

DELETE FROM spaces WHERE getvariable('spaces_listed')
    AND (space_id IN (SELECT space_id FROM stg_spaces) OR getvariable('whole_hub'));
INSERT INTO spaces SELECT *, getvariable('crawl_id') FROM stg_spaces;

-- space_models: one row per (space, model) pair, whichever listing named it (model_listing, space_listing or
-- both). Evidence from a listing that ran again is replaced; a pair keeps the crawl_id that last confirmed it.
CREATE OR REPLACE TEMP TABLE stg_space_pairs AS
WITH evidence AS (
    SELECT space_id, model_id, crawl_id,
           source IN ('model_listing', 'both') AND model_id NOT IN (SELECT model_id FROM stg_listed) AS by_model,
           source IN ('space_listing', 'both') AND NOT (getvariable('spaces_listed')
               AND (space_id IN (SELECT space_id FROM stg_spaces) OR getvariable('whole_hub'))) AS by_space
    FROM space_models
    UNION ALL
    SELECT e.space_id, e.model_id, NULL, true, false
    FROM lake_listing_space_models e
    JOIN stg_models s ON s.model_id = e.model_id AND s._unit = parse_dirpath(e.filename)
    UNION ALL
    SELECT space_id, model_id, NULL, false, true FROM lake_spaces_space_models
)
SELECT space_id, model_id,
       CASE WHEN bool_or(by_model) AND bool_or(by_space) THEN 'both'
            WHEN bool_or(by_model) THEN 'model_listing' ELSE 'space_listing' END AS source,
       CASE WHEN count(crawl_id) = count(*) THEN max(crawl_id) ELSE getvariable('crawl_id') END AS crawl_id
FROM evidence WHERE by_model OR by_space
GROUP BY space_id, model_id;

DELETE FROM space_models;
INSERT INTO space_models SELECT space_id, model_id, source, crawl_id FROM stg_space_pairs;

-- a model whose listing hit the Hub's cap on the spaces it names: a spaces listing of the whole hub that shows
-- more spaces using it gives the true count
UPDATE models SET spaces_count = c.spaces, spaces_capped = false
FROM (SELECT model_id, count(*) AS spaces FROM stg_space_pairs GROUP BY model_id) c
WHERE models.model_id = c.model_id AND models.spaces_capped AND c.spaces > models.spaces_count
  AND getvariable('spaces_listed') AND getvariable('whole_hub');

-- everything quarantined on the way
INSERT INTO crawl_errors
SELECT getvariable('crawl_id'), model_id, stage, reason, detail, logged_at FROM (
    SELECT * FROM lake_listing_crawl_errors UNION ALL BY NAME
    SELECT * FROM lake_repo_crawl_errors UNION ALL BY NAME
    SELECT * FROM lake_spaces_crawl_errors);
