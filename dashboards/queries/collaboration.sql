SELECT metric, value FROM collaboration_stats WHERE crawl_id = $crawl
