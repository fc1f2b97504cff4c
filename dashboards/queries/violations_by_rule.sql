SELECT severity, rule_id, count(DISTINCT (child_id, parent_id)) AS edges,
       arg_max(parent_license || ' -> ' || child_license, n) AS most_frequent_pair, max(n) AS pair_edges
FROM (SELECT *, count(*) OVER (PARTITION BY rule_id, parent_license, child_license) AS n
      FROM license_violations WHERE crawl_id = $crawl)
GROUP BY severity, rule_id
ORDER BY CASE severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, edges DESC, rule_id
