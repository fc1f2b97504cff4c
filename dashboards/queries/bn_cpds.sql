SELECT variable, value, parents, probability FROM bn_cpds WHERE crawl_id = $crawl ORDER BY variable, parents, value
