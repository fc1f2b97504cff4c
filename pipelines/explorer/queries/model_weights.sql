SELECT parent_id, child_id, declared_relation, relation, round(confidence, 3) AS confidence, agrees, direction,
       array_to_string(flags, '; ') AS flags, crawl_id
FROM weight_diffs WHERE child_id = $id OR parent_id = $id ORDER BY crawl_id DESC, parent_id, child_id
