SELECT f.family_id, f.size, f.depth, f.max_breadth, f.leaves, f.merges, f.licenses, f.top_license,
       coalesce(m.synthetic, false) AS synthetic
FROM family_stats f LEFT JOIN models m ON m.model_id = f.family_id
WHERE f.crawl_id = (SELECT max(crawl_id) FROM family_stats) AND contains(lower(f.family_id), lower($q))
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
ORDER BY f.size DESC, f.family_id LIMIT $limit
