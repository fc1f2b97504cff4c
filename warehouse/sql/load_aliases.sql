-- Land the parent-id answers of one crawl (lake view lake_aliases_model_aliases) into the alias cache and
-- derive lineage_edges.resolved_parent_id. Runs after load_crawl.sql, in the same transaction.

DELETE FROM model_aliases WHERE alias IN (SELECT alias FROM lake_aliases_model_aliases);
INSERT INTO model_aliases
SELECT alias, canonical_id, mongo_id, status, source, resolved_at, getvariable('crawl_id')
FROM lake_aliases_model_aliases
QUALIFY row_number() OVER (PARTITION BY alias ORDER BY filename DESC) = 1;

-- a declared parent resolves to itself when it is a crawled model or the hub has no other answer
UPDATE lineage_edges SET resolved_parent_id = parent_id
WHERE resolved_parent_id IS NULL OR resolved_parent_id <> parent_id;

UPDATE lineage_edges SET resolved_parent_id = a.canonical_id
FROM model_aliases a
WHERE a.alias = lineage_edges.parent_id AND a.canonical_id IS NOT NULL AND a.canonical_id <> a.alias
  AND lineage_edges.parent_id NOT IN (SELECT model_id FROM models);

INSERT INTO crawl_errors
SELECT getvariable('crawl_id'), model_id, stage, reason, detail, logged_at FROM lake_aliases_crawl_errors;
