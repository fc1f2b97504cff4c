SELECT h.crawl_id, c.finished_at, h.sha, h.license, h.downloads, h.likes
FROM model_history h JOIN crawls c USING (crawl_id) WHERE h.model_id = $id ORDER BY c.finished_at
