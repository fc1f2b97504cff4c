-- What search scans (copied into memory once per warehouse version): ids, their lower-case forms, what a hit shows.
SELECT model_id AS id, lower(model_id) AS lid, lower(split_part(model_id, '/', 2)) AS lname, downloads, likes,
       license, pipeline_tag, coalesce(synthetic, false) AS synthetic
FROM models ORDER BY downloads DESC NULLS LAST, model_id
