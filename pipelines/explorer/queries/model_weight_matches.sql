SELECT child_id, parent_id, relation, round(distance, 3) AS distance, reason, crawl_id
FROM weight_matches WHERE child_id = $id OR parent_id = $id ORDER BY crawl_id DESC, distance
