-- Parent-child pairs whose both ends publish top-level .safetensors, with their sizes where the crawl saw
-- them: declared edges (parents resolved through renames and letter case), and inferred ones the card does not
-- declare (for "undeclared relative" checks).
WITH weights AS (
    SELECT m.model_id, m.sha,
           list_filter(m.siblings, lambda f: f LIKE '%.safetensors' AND NOT contains(f, '/')) AS files
    FROM models m
), sized AS (
    SELECT w.model_id, w.sha, w.files,
           (SELECT sum(size)::BIGINT FROM repo_files r WHERE r.model_id = w.model_id AND r.path LIKE '%.safetensors'
                                                 AND NOT contains(r.path, '/')) AS bytes
    FROM weights w WHERE len(w.files) > 0
), pairs AS (
    SELECT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id, max(relation) AS declared_relation,
           true AS declared FROM lineage_edges
    WHERE source IN ('card', 'tag', 'card+tag') AND child_id <> parent_id GROUP BY ALL
    UNION ALL
    SELECT e.child_id, coalesce(e.resolved_parent_id, e.parent_id), NULL, false FROM lineage_edges e
    WHERE e.source NOT IN ('card', 'tag', 'card+tag') AND e.child_id <> e.parent_id
      AND NOT EXISTS (SELECT 1 FROM lineage_edges d WHERE d.child_id = e.child_id AND d.source IN ('card', 'tag', 'card+tag'))
)
SELECT DISTINCT ON (p.child_id, p.parent_id)
       p.child_id, p.parent_id, p.declared_relation, p.declared, c.sha AS child_sha, a.sha AS parent_sha,
       c.files AS child_files, a.files AS parent_files, c.bytes AS child_bytes, a.bytes AS parent_bytes,
       coalesce(fm.family_id, p.parent_id) AS family_id
FROM pairs p
JOIN sized c ON c.model_id = p.child_id
JOIN sized a ON a.model_id = p.parent_id
LEFT JOIN (SELECT model_id, family_id FROM family_members WHERE crawl_id = ?) fm
       ON fm.model_id = p.child_id
ORDER BY p.child_id, p.parent_id, p.declared DESC
