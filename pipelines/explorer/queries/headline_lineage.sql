SELECT count(*) AS lineage_edges, count(DISTINCT e.child_id) AS derived_models
FROM lineage_edges e LEFT JOIN models m ON m.model_id = e.child_id
WHERE $scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic')
