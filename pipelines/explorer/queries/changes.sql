SELECT e.event, count(*) AS models
FROM model_events e LEFT JOIN models m USING (model_id)
WHERE e.crawl_id = $crawl AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY e.event ORDER BY models DESC
