SELECT f.model_id, f.family_id, coalesce(m.license, '(none)') AS license FROM family_members f
LEFT JOIN models m USING (model_id)
WHERE f.crawl_id = $crawl AND f.generation = 0 AND f.family_id IN (SELECT family_id FROM family_stats
      WHERE crawl_id = $crawl ORDER BY size DESC, family_id LIMIT $families)
