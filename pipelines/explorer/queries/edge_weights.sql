SELECT child_id, parent_id, arg_max(relation, crawl_id) AS weights, arg_max(agrees, crawl_id) AS agrees
FROM weight_diffs WHERE child_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY ALL
