-- Declared lineage (card and tags) of models in the warehouse, one row per child -> parent pair.
SELECT e.child_id,
       e.parent_id,
       coalesce(max(e.relation) FILTER (WHERE e.relation <> 'unknown'), 'unknown') AS relation,
       bool_or(p.model_id IS NOT NULL) AS parent_present
FROM lineage_edges e
JOIN models c ON c.model_id = e.child_id
LEFT JOIN models p ON p.model_id = e.parent_id
WHERE e.source IN ('card', 'tag', 'card+tag')
GROUP BY e.child_id, e.parent_id
ORDER BY e.child_id, e.parent_id
