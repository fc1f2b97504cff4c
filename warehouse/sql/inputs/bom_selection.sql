-- Models to write BOMs for: every crawled model ('all'), those with a license violation on one of their declared
-- edges in the latest analysed crawl ('violations'), one author's ('author') or the ids given ('models').
SELECT m.model_id
FROM models m
WHERE CASE $select
        WHEN 'all' THEN true
        WHEN 'author' THEN m.author = $author
        WHEN 'models' THEN list_contains($models::VARCHAR[], m.model_id)
        WHEN 'violations' THEN m.model_id IN (
            SELECT child_id FROM license_violations
            WHERE severity = 'violation' AND crawl_id = (SELECT max(crawl_id) FROM license_violations))
      END
ORDER BY m.model_id
