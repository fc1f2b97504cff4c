-- The pairs sampled for one crawl (by the weight_sample asset).
SELECT child_id, parent_id, declared_relation, declared FROM weight_sample WHERE crawl_id = ? ORDER BY child_id, parent_id
