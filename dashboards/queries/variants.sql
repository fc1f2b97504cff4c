SELECT variant, count(*) AS models FROM variant_types WHERE crawl_id = $crawl GROUP BY 1 ORDER BY 2 DESC
