-- Lineage the repo files show (adapter_config.json, config.json, mergekit_config.yml) rather than the card.
SELECT e.child_id, e.parent_id, any_value(e.relation) AS relation, e.source,
       bool_or(p.model_id IS NOT NULL) AS parent_present
FROM lineage_edges e
JOIN models c ON c.model_id = e.child_id
LEFT JOIN models p ON p.model_id = e.parent_id
WHERE e.source NOT IN ('card', 'tag', 'card+tag')
GROUP BY e.child_id, e.parent_id, e.source
ORDER BY e.child_id, e.parent_id
