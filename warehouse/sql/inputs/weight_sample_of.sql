-- The pairs sampled for one crawl (by the weight_sample asset), with both sides' crawled sha and file list:
-- a weight check reads exactly what was crawled, and asks the hub for no listing.
SELECT s.child_id, s.parent_id, s.declared_relation, s.declared,
       c.sha AS child_sha, c.siblings AS child_files, p.sha AS parent_sha, p.siblings AS parent_files
FROM weight_sample s
JOIN models c ON c.model_id = s.child_id
JOIN models p ON p.model_id = s.parent_id
WHERE s.crawl_id = ?
ORDER BY s.child_id, s.parent_id
