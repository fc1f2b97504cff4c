-- Which models spaces use, with each model's author (the organisation behind it) and whether the model's
-- listing hit the Hub's cap on the spaces it names (then only the spaces listing can show more).
SELECT DISTINCT sm.space_id, sm.model_id, m.author, coalesce(m.spaces_capped, false) AS spaces_capped
FROM space_models sm JOIN models m USING (model_id)
