SELECT metric, value, description FROM versioning_summary WHERE crawl_id = $crawl
