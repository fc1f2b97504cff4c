SELECT v.severity, v.rule_id, count(*) AS findings, count(DISTINCT v.child_id) AS models
FROM license_violations v LEFT JOIN models m ON m.model_id = v.child_id
WHERE v.crawl_id = (SELECT max(crawl_id) FROM license_violations)
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY v.severity, v.rule_id
ORDER BY CASE v.severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, findings DESC, v.rule_id
