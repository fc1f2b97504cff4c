SELECT model_id, co2_grams, parameters, coalesce(training_type, 'unknown') AS training_type, hw_model FROM energy_profile
WHERE crawl_id = $crawl
