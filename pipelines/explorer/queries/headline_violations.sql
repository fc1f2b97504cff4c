SELECT severity, count(*) AS findings, count(DISTINCT child_id) AS models
FROM license_violations v LEFT JOIN models m ON m.model_id = v.child_id
WHERE v.crawl_id = (SELECT max(crawl_id) FROM license_violations)
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY severity ORDER BY CASE severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END
