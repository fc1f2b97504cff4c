SELECT severity, rule_id, parent_license, child_license, parent_id,
       nullif(declared_parent_id, parent_id) AS declared_as, child_id, clause, source_url
FROM license_violations
WHERE crawl_id = $crawl ORDER BY CASE severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, rule_id, child_id
