-- The CPDs learned for one crawl.
SELECT variable, value, parents, probability FROM bn_cpds WHERE crawl_id = ? ORDER BY variable, parents, value
