SELECT h.model_id, p.license AS previous_license, h.license, h.downloads
FROM model_history h JOIN model_history p ON p.model_id = h.model_id AND p.crawl_id = $previous
LEFT JOIN models m ON m.model_id = h.model_id
WHERE h.crawl_id = $crawl AND p.license IS DISTINCT FROM h.license
  AND ($scope = 'all' OR coalesce(m.synthetic, false) = ($scope = 'synthetic'))
ORDER BY h.downloads DESC NULLS LAST, h.model_id LIMIT 200
