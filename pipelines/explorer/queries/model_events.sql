SELECT e.crawl_id, c.finished_at, e.event, e.detail
FROM model_events e JOIN crawls c USING (crawl_id) WHERE e.model_id = $id ORDER BY c.finished_at, e.event
