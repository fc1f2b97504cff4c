-- Declared lineage (card and tags) of models in the warehouse, one row per child -> parent pair. The parent is
-- the id the declared one resolves to (a renamed repo's current id, the crawled id of another letter case);
-- declared_parent_id is what the card wrote (one of them, when several name the same parent).
SELECT e.child_id,
       coalesce(e.resolved_parent_id, e.parent_id) AS parent_id,
       coalesce(max(e.relation) FILTER (WHERE e.relation <> 'unknown'), 'unknown') AS relation,
       bool_or(p.model_id IS NOT NULL) AS parent_present,
       min(e.parent_id) AS declared_parent_id
FROM lineage_edges e
JOIN models c ON c.model_id = e.child_id
LEFT JOIN models p ON p.model_id = coalesce(e.resolved_parent_id, e.parent_id)
WHERE e.source IN ('card', 'tag', 'card+tag')
GROUP BY e.child_id, coalesce(e.resolved_parent_id, e.parent_id)
ORDER BY e.child_id, parent_id
