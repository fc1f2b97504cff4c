-- Every ancestor of one model through declared lineage, by resolved parent ids (cycles stop at models seen).
WITH RECURSIVE edges AS (
    SELECT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id, parent_id AS declared_parent_id, relation
    FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag')
), up(model_id) AS (
    SELECT ?::VARCHAR
    UNION
    SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.model_id
)
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.declared_parent_id
FROM edges e JOIN up ON e.child_id = up.model_id
