SELECT e.child_id, coalesce(e.resolved_parent_id, e.parent_id) AS parent_id, any_value(e.relation) AS relation,
       any_value(coalesce(m.license, '(none)')) AS license
FROM lineage_edges e JOIN family_members f ON f.model_id = e.child_id AND f.crawl_id = $crawl
LEFT JOIN models m ON m.model_id = e.child_id
WHERE e.source IN ('card', 'tag', 'card+tag') AND f.family_id IN (SELECT family_id FROM family_stats WHERE crawl_id = $crawl
                                                                 ORDER BY size DESC, family_id LIMIT $families)
GROUP BY e.child_id, coalesce(e.resolved_parent_id, e.parent_id)
