SELECT v.severity, v.rule_id, v.child_id, v.child_license, v.parent_id, v.parent_license, v.relation, v.clause,
       v.source_url
FROM license_violations v LEFT JOIN models m ON m.model_id = v.child_id
WHERE v.crawl_id = (SELECT max(crawl_id) FROM license_violations)
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
ORDER BY CASE v.severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, v.rule_id, v.child_id, v.parent_id
LIMIT $limit
