-- Every declared lineage edge (card and tags) by resolved parent id, with the id the card declared and whether
-- each end is a crawled model: what the in-memory lineage index of `hubmine family` and `hubmine serve` holds.
-- Rows are distinct exactly as family_ancestors.sql and family_descendants.sql return them.
SELECT DISTINCT e.child_id, coalesce(e.resolved_parent_id, e.parent_id) AS parent_id, e.relation,
       e.parent_id AS declared_parent_id,
       c.model_id IS NOT NULL AS child_present, p.model_id IS NOT NULL AS parent_present
FROM lineage_edges e
LEFT JOIN models c ON c.model_id = e.child_id
LEFT JOIN models p ON p.model_id = coalesce(e.resolved_parent_id, e.parent_id)
WHERE e.source IN ('card', 'tag', 'card+tag')
