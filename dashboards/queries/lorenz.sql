SELECT model_share, download_share FROM downloads_lorenz WHERE crawl_id = $crawl ORDER BY model_share
