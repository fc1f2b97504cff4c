SELECT hw_model, training_type, models, median_grams FROM energy_hardware WHERE crawl_id = $crawl ORDER BY models DESC LIMIT 20
