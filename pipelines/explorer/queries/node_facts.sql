SELECT model_id AS id, license, downloads, coalesce(synthetic, false) AS synthetic
FROM models WHERE model_id IN (SELECT unnest($ids::VARCHAR[]))
