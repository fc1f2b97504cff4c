-- Valid CO2 reports of a set of models (card YAML preferred over card text).
SELECT model_id, source_kind, co2_grams, source, training_type, geographical_location, hardware_used, hours_used,
       cloud_provider
FROM energy
WHERE valid AND model_id IN (SELECT unnest($ids::VARCHAR[]))
QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY source_kind = 'card_yaml' DESC) = 1
