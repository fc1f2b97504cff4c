SELECT scope, side, resolution, resolved, items, share FROM license_coverage
WHERE crawl_id = $crawl ORDER BY scope DESC, side, items DESC
