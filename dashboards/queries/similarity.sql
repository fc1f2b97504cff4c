SELECT pair_type, trait, pairs, mean, ci_low, ci_high FROM trait_similarity WHERE crawl_id = $crawl ORDER BY trait, pair_type
