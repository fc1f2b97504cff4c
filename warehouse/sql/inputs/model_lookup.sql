-- Repo ids the warehouse knows (crawled, or declared as a parent, by the id it resolves to) that match a name given by a user: the
-- exact id first, then the same id in other letter case (the Hub treats ids case-insensitively), then the
-- closest spellings. Columns: model_id, exact (same letters and case), same_case_insensitive, similarity.
WITH known AS (
    SELECT model_id FROM models
    UNION
    SELECT coalesce(resolved_parent_id, parent_id) FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag')
)
SELECT model_id, model_id = $name AS exact, lower(model_id) = lower($name) AS same_case_insensitive,
       jaro_winkler_similarity(lower(model_id), lower($name)) AS similarity
FROM known
ORDER BY exact DESC, same_case_insensitive DESC, similarity DESC, model_id
LIMIT 5
