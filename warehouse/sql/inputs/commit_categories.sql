-- Commit categories computed for one crawl (by the commit_categories asset).
SELECT model_id, commit_id, position, category FROM commit_categories WHERE crawl_id = ?
