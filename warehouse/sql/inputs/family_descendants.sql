-- Every descendant of one model through declared lineage (cycles stop at models already seen).
WITH RECURSIVE down(model_id) AS (
    SELECT ?::VARCHAR
    UNION
    SELECT e.child_id FROM lineage_edges e JOIN down ON e.parent_id = down.model_id
    WHERE e.source IN ('card', 'tag', 'card+tag')
)
SELECT DISTINCT e.child_id, e.parent_id, e.relation
FROM lineage_edges e JOIN down ON e.parent_id = down.model_id
WHERE e.source IN ('card', 'tag', 'card+tag')
