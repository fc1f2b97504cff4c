-- When each model was created: a parent is never younger than its child (direction evidence for matches).
SELECT model_id, created_at FROM models
