-- Fingerprints of the checkpoints read for one crawl.
SELECT model_id, keys, vectors, grid FROM weight_fingerprints WHERE crawl_id = ? ORDER BY model_id
