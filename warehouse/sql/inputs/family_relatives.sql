-- Every edge above one model (its ancestors') and below it (its descendants') through declared lineage, by resolved
-- parent ids; cycles stop at models seen. The rows LineageIndex.edges returns, as one recursive query.
WITH RECURSIVE edges AS (
    SELECT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id, parent_id AS declared_parent_id, relation
    FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag')
), up(model_id) AS (
    SELECT $1::VARCHAR UNION SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.model_id
), down(model_id) AS (
    SELECT $1::VARCHAR UNION SELECT e.child_id FROM edges e JOIN down ON e.parent_id = down.model_id
)
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.declared_parent_id FROM edges e JOIN up ON e.child_id = up.model_id
UNION ALL
SELECT DISTINCT e.child_id, e.parent_id, e.relation, e.declared_parent_id FROM edges e JOIN down ON e.parent_id = down.model_id
