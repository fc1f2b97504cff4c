SELECT source_kind, raw, co2_grams, valid, reason, source, training_type, geographical_location, hardware_used,
       hours_used, cloud_provider, hw_count, hw_model
FROM energy WHERE model_id = $id
