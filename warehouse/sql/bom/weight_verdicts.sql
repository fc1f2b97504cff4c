-- The newest weight verdict of each of a set of child -> parent pairs, and fingerprint matches naming them.
WITH pairs AS (SELECT unnest($children::VARCHAR[]) AS child_id, unnest($parents::VARCHAR[]) AS parent_id)
SELECT * FROM (
    SELECT d.child_id, d.parent_id, 'diff' AS kind, d.relation, d.agrees, d.confidence, NULL::DOUBLE AS distance
    FROM weight_diffs d JOIN pairs USING (child_id, parent_id)
    WHERE d.error IS NULL
    QUALIFY row_number() OVER (PARTITION BY d.child_id, d.parent_id ORDER BY d.crawl_id DESC) = 1
)
UNION ALL
SELECT * FROM (
    SELECT w.child_id, w.parent_id, 'fingerprint', w.relation, NULL::BOOLEAN, NULL::DOUBLE, w.distance
    FROM weight_matches w JOIN pairs USING (child_id, parent_id)
    QUALIFY row_number() OVER (PARTITION BY w.child_id, w.parent_id ORDER BY w.crawl_id DESC) = 1
)
