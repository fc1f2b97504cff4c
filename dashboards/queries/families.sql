SELECT family_id, size, depth, max_breadth, leaves, merges, finetune_edges, adapter_edges, quantized_edges,
       merge_edges, is_tree, wiener_index, external_parents, top_license
FROM family_stats WHERE crawl_id = $crawl ORDER BY size DESC, family_id
