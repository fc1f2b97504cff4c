-- Family membership computed for one crawl (by the lineage_families asset).
SELECT model_id, family_id FROM family_members WHERE crawl_id = ? ORDER BY model_id
