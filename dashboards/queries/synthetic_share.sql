SELECT coalesce(avg(synthetic::INT), 0) AS share FROM models
