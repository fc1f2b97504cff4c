SELECT * FROM latest_crawl
