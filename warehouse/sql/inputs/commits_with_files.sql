-- Commits of models in the warehouse with the files each changed (NULL list where files are unknown).
SELECT c.model_id, c.commit_id, c.position, c.date, c.title, c.message, c.authors, c.files_known,
       f.files, coalesce(f.weight_files, 0) AS weight_files
FROM commits c
JOIN models m USING (model_id)
LEFT JOIN (SELECT model_id, commit_id, list(path ORDER BY path) AS files,
                  count(*) FILTER (WHERE is_weight AND change IN ('added', 'modified')) AS weight_files
           FROM commit_files GROUP BY ALL) f USING (model_id, commit_id)
ORDER BY c.model_id, c.position
