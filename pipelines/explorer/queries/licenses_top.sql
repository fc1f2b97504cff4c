SELECT coalesce(license, '(none)') AS license, count(*) AS models FROM models
WHERE $scope = 'all' OR coalesce(synthetic, false) = ($scope = 'synthetic')
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15
