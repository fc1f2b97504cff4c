SELECT grouping, group_value, models, reporting, rate FROM energy_reporting WHERE crawl_id = $crawl ORDER BY grouping, models DESC
