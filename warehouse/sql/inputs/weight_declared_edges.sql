-- Declared lineage (card or tag): a model's declared descendants are never its undeclared parent.
SELECT DISTINCT child_id, parent_id FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag') AND child_id <> parent_id
