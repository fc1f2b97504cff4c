SELECT parent_id, child_id, declared_relation, relation, confidence, array_to_string(flags, '; ') AS flags
FROM weight_diffs WHERE crawl_id = $crawl AND len(flags) > 0 ORDER BY child_id
