SELECT f.size, count(*) AS families
FROM family_stats f LEFT JOIN models m ON m.model_id = f.family_id
WHERE f.crawl_id = (SELECT max(crawl_id) FROM family_stats)
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY 1 ORDER BY 1
