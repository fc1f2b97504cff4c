SELECT child_id, parent_id, string_agg(DISTINCT source || ': ' || coalesce(agreement, '?'), '; ') AS inferred
FROM inferred_edges WHERE child_id IN (SELECT unnest($ids::VARCHAR[]))
  AND crawl_id = (SELECT max(crawl_id) FROM inferred_edges) GROUP BY ALL
