SELECT coalesce(declared_relation, 'undeclared') AS declared, coalesce(relation, 'error') AS relation, count(*) AS pairs
FROM weight_diffs WHERE crawl_id = $crawl GROUP BY ALL
