-- Finished crawls, newest first.
SELECT crawl_id, endpoint, started_at, finished_at, mode, scope FROM crawls
WHERE status = 'finished' ORDER BY finished_at DESC
