-- Lineage the repo shows (config files, names) for a set of child -> parent pairs, from the latest analysis.
SELECT i.child_id, i.parent_id, i.source, i.relation, i.agreement
FROM inferred_edges i
JOIN (SELECT unnest($children::VARCHAR[]) AS child_id, unnest($parents::VARCHAR[]) AS parent_id) p
  USING (child_id, parent_id)
WHERE i.crawl_id = (SELECT max(crawl_id) FROM inferred_edges)
