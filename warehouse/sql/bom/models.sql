-- What a bill of materials says about each of a set of models: listing facts, the architecture from config.json
-- and every declared license with the card's license_name / license_link.
WITH wanted AS (SELECT unnest($ids::VARCHAR[]) AS model_id),
configs AS (
    SELECT model_id, any_value(model_type) AS model_type, any_value(architectures) AS architectures
    FROM repo_configs SEMI JOIN wanted USING (model_id)
    WHERE path = 'config.json'
    GROUP BY model_id
),
declared AS (
    SELECT model_id, list({'raw': license_raw, 'name': license_name, 'link': license_link} ORDER BY position) AS licenses
    FROM licenses SEMI JOIN wanted USING (model_id)
    GROUP BY model_id
)
SELECT m.model_id, m.sha, m.author, m.pipeline_tag, m.library_name, m.gated, m.datasets, m.languages,
       m.created_at, m.last_modified, m.parameters, m.synthetic, m.card_data::VARCHAR AS card_data,
       coalesce(c.model_type, json_extract_string(m.config, '$.model_type')) AS model_type,
       coalesce(c.architectures[1], json_extract_string(m.config, '$.architectures[0]')) AS architecture,
       d.licenses
FROM models m SEMI JOIN wanted USING (model_id)
LEFT JOIN configs c USING (model_id)
LEFT JOIN declared d USING (model_id)
