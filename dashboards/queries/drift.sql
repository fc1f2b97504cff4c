SELECT relation, metric, edges, parent_value, child_value FROM drift_summary WHERE crawl_id = $crawl ORDER BY metric, relation
