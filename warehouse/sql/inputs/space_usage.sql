-- Which models spaces use, with each model's author (the organisation behind it).
SELECT DISTINCT sm.space_id, sm.model_id, m.author
FROM space_models sm JOIN models m USING (model_id)
