SELECT e.relation, count(*) AS edges FROM lineage_edges e LEFT JOIN models m ON m.model_id = e.child_id
WHERE e.source IN ('card', 'tag', 'card+tag') AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY 1 ORDER BY 2 DESC
