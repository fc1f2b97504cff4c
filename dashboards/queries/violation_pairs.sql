SELECT parent_license, child_license, count(DISTINCT (child_id, parent_id)) AS edges FROM license_violations
WHERE crawl_id = $crawl AND severity = 'violation' GROUP BY ALL ORDER BY edges DESC, parent_license, child_license LIMIT 15
