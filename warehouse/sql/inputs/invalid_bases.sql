-- Declared base models that cannot name a repo, as the crawl quarantined them (stage `lineage`).
SELECT model_id AS child_id, any_value(reason) AS detail
FROM crawl_errors
WHERE stage = 'lineage' AND model_id IN (SELECT model_id FROM models)
GROUP BY model_id
