-- Every ancestor of one model through declared lineage (cycles stop at models already seen).
WITH RECURSIVE up(model_id) AS (
    SELECT ?::VARCHAR
    UNION
    SELECT e.parent_id FROM lineage_edges e JOIN up ON e.child_id = up.model_id
    WHERE e.source IN ('card', 'tag', 'card+tag')
)
SELECT DISTINCT e.child_id, e.parent_id, e.relation
FROM lineage_edges e JOIN up ON e.child_id = up.model_id
WHERE e.source IN ('card', 'tag', 'card+tag')
