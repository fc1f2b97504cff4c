SELECT crawl_id, endpoint, mode, history, started_at, finished_at, models_seen, models_changed, models_new,
       models_removed, api_requests, resolver_requests, git_requests, errors
FROM crawls WHERE status = 'finished' ORDER BY finished_at DESC LIMIT 2
