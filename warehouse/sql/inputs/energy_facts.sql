-- Valid CO2 reports per model (card YAML preferred over card text) with what they are compared by.
SELECT m.model_id, m.author, m.pipeline_tag, m.library_name, m.parameters, m.created_at, m.downloads,
       e.source_kind, e.co2_grams, e.source, e.training_type, e.geographical_location, e.hardware_used,
       e.hours_used, e.hw_count, e.hw_model, e.hw_memory_gb,
       list_contains(coalesce(m.tags, []), 'autotrain') OR e.source = 'AutoTrain' AS autotrain
FROM models m
LEFT JOIN (SELECT * FROM energy WHERE valid
           QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY source_kind = 'card_yaml' DESC) = 1) e
       USING (model_id)
ORDER BY m.model_id
