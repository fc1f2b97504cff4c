SELECT naming_convention, models, share FROM naming_conventions WHERE crawl_id = $crawl ORDER BY models DESC LIMIT 25
