-- Models with top-level safetensors that declare no base, or whose declared base the weights contradicted
-- (their nearest known checkpoints become lineage evidence), with their crawled sha, files, size and date.
WITH declared AS (
    SELECT DISTINCT child_id FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag') AND child_id <> parent_id
), contradicted AS (
    SELECT DISTINCT child_id FROM weight_diffs WHERE crawl_id = ? AND relation = 'unrelated'
)
SELECT m.model_id, m.sha, m.siblings AS files, m.created_at,
       (SELECT sum(size)::BIGINT FROM repo_files r WHERE r.model_id = m.model_id AND r.path LIKE '%.safetensors'
                                             AND NOT contains(r.path, '/')) AS bytes,
       m.model_id IN (SELECT child_id FROM contradicted) AS contradicted
FROM models m
WHERE len(list_filter(m.siblings, lambda f: f LIKE '%.safetensors' AND NOT contains(f, '/'))) > 0
  AND (m.model_id NOT IN (SELECT child_id FROM declared) OR m.model_id IN (SELECT child_id FROM contradicted))
ORDER BY m.model_id
