SELECT metric, gini, top1_share, zero_share, models FROM reuse_stats WHERE crawl_id = $crawl AND grouping = 'hub'
