SELECT coalesce(author, '(unknown)') AS author, spaces, models_used, coalesce(at_least, false) AS at_least
FROM space_org_usage WHERE crawl_id = $crawl ORDER BY spaces DESC LIMIT 20
