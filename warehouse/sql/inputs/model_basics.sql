-- The per-model facts most analyses need, without the list and card work of model_traits.
SELECT m.model_id, m.author, m.pipeline_tag, m.library_name, m.downloads, m.likes, m.created_at,
       l.license_id AS license
FROM models m
LEFT JOIN licenses l ON l.model_id = m.model_id AND l.position = 0
ORDER BY m.model_id
