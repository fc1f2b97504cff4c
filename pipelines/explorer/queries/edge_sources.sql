SELECT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id, string_agg(DISTINCT source, '+' ORDER BY source) AS sources
FROM lineage_edges WHERE child_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY ALL
