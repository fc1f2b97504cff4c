-- License violations of the latest crawl on a set of child -> parent edges (two parallel lists).
SELECT v.child_id, v.parent_id, v.parent_license, v.child_license, v.rule_id, v.severity, v.clause, v.source_url
FROM license_violations v
JOIN (SELECT unnest(?::VARCHAR[]) AS child_id, unnest(?::VARCHAR[]) AS parent_id) e USING (child_id, parent_id)
WHERE v.crawl_id = (SELECT crawl_id FROM latest_crawl)
ORDER BY CASE v.severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, v.child_id, v.rule_id
