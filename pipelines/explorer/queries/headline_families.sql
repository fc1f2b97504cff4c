SELECT count(*) AS families, max(size) AS largest_family, count(*) FILTER (size > 100) AS families_over_100
FROM family_stats f LEFT JOIN models m ON m.model_id = f.family_id
WHERE f.crawl_id = (SELECT max(crawl_id) FROM family_stats)
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
