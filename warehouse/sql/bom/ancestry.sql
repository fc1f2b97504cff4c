-- Every lineage edge above one model (declared in the card or tags, or found in its adapter/config/mergekit
-- files), by resolved parent ids, one row per child -> parent pair with every source that names it.
WITH RECURSIVE edges AS (
    SELECT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id, parent_id AS declared_id, relation, source
    FROM lineage_edges
    WHERE child_id <> coalesce(resolved_parent_id, parent_id)
), up(model_id) AS (
    SELECT $model::VARCHAR
    UNION
    SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.model_id
)
SELECT e.child_id, e.parent_id,
       coalesce(max(e.relation) FILTER (WHERE e.relation <> 'unknown'), 'unknown') AS relation,
       list_sort(list_distinct(list(e.source))) AS sources,
       list_sort(list_distinct(list(e.declared_id))) AS declared_ids
FROM edges e JOIN up ON e.child_id = up.model_id
GROUP BY e.child_id, e.parent_id
ORDER BY e.child_id, e.parent_id
