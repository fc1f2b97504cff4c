SELECT method, source, target, confirmed FROM bn_edges WHERE crawl_id = $crawl
