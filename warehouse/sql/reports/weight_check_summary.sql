-- What `hubmine weights check` prints: verdicts of the latest crawl by declared relation, then quarantined pairs.
WITH latest AS (SELECT crawl_id FROM latest_crawl)
SELECT coalesce(declared_relation, 'undeclared') AS declared, relation, count(*) AS pairs,
       count(*) FILTER (WHERE agrees) AS agree,
       list(DISTINCT f) FILTER (WHERE f IS NOT NULL) AS flags
FROM weight_diffs LEFT JOIN unnest(flags) AS t(f) ON true
WHERE crawl_id = (SELECT crawl_id FROM latest) AND relation IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT 'not checked', 'error', count(*), 0, list(DISTINCT error)[1:3]
FROM weight_check_errors WHERE crawl_id = (SELECT crawl_id FROM latest)
HAVING count(*) > 0
ORDER BY 1, 2
