SELECT h.crawl_id, count(*) AS models, count(*) FILTER (coalesce(m.synthetic, false)) AS synthetic_models,
       sum(h.downloads) AS downloads, count(DISTINCT h.license) AS licenses
FROM model_history h LEFT JOIN models m USING (model_id)
WHERE h.crawl_id IN (SELECT unnest($crawls::VARCHAR[]))
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
GROUP BY h.crawl_id
