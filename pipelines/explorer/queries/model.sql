SELECT model_id AS id, mongo_id, author, sha, created_at, last_modified, downloads, downloads_all_time, likes,
       pipeline_tag, library_name, license, languages, datasets, base_models, base_model_relation, parameters, gated,
       coalesce(synthetic, false) AS synthetic, spaces_count, spaces_capped, first_seen_crawl, crawl_id, tags
FROM models WHERE model_id = $id
