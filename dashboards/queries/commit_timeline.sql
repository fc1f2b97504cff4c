SELECT date_trunc('month', date) AS month, count(DISTINCT (model_id, commit_id)) AS commits FROM commit_categories
WHERE crawl_id = $crawl AND date IS NOT NULL GROUP BY ALL ORDER BY month
