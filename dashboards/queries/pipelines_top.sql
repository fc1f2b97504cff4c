SELECT coalesce(pipeline_tag, '(none)') AS pipeline, count(*) AS models FROM models GROUP BY 1 ORDER BY 2 DESC LIMIT 15
