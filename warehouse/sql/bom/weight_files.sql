-- Files at the crawled sha whose LFS pointer gave a sha256, for a set of models.
SELECT model_id, path, size, lfs_sha256
FROM repo_files
WHERE model_id IN (SELECT unnest($ids::VARCHAR[])) AND lfs_sha256 IS NOT NULL
ORDER BY model_id, path
