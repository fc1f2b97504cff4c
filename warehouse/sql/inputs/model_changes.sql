-- Models listed by both crawls (matched by the API's stable _id, so a renamed repo is the same model) whose
-- license, gating, declared base models, card or sha differ. README.md changes are read from the commits after
-- the older crawl's sha when history was crawled. Gating and license_name are compared only with rows that
-- recorded them (crawls loaded by a hubmine that keeps them: old_gated is set).
WITH pairs AS (
    SELECT n.model_id, o.model_id AS old_model_id,
           o.sha AS old_sha, n.sha AS new_sha,
           o.license AS old_license, n.license AS new_license,
           o.license_name AS old_license_name, n.license_name AS new_license_name,
           o.license_link AS old_license_link, n.license_link AS new_license_link,
           o.gated AS old_gated, n.gated AS new_gated,
           list_sort(coalesce(o.base_models, [])) AS old_base_models,
           list_sort(coalesce(n.base_models, [])) AS new_base_models,
           o.card_hash AS old_card_hash, n.card_hash AS new_card_hash
    FROM model_history n
    JOIN model_history o ON coalesce(o.mongo_id, o.model_id) = coalesce(n.mongo_id, n.model_id)
    WHERE n.crawl_id = $new AND o.crawl_id = $old
), readme AS (
    SELECT DISTINCT c.model_id
    FROM pairs p
    JOIN commits base ON base.model_id = p.model_id AND base.commit_id = p.old_sha
    JOIN commits c ON c.model_id = p.model_id AND c.position > base.position
    JOIN commit_files f ON f.model_id = c.model_id AND f.commit_id = c.commit_id
    WHERE f.path = 'README.md' AND p.old_sha IS DISTINCT FROM p.new_sha
)
SELECT p.*,
       (p.old_license IS DISTINCT FROM p.new_license
        OR (p.old_gated IS NOT NULL AND p.old_license_name IS DISTINCT FROM p.new_license_name)) AS license_changed,
       (p.old_gated IS NOT NULL AND p.old_gated IS DISTINCT FROM p.new_gated) AS gating_changed,
       (p.old_base_models <> p.new_base_models) AS base_model_changed,
       (p.old_card_hash IS DISTINCT FROM p.new_card_hash OR r.model_id IS NOT NULL) AS card_changed,
       (p.old_sha IS DISTINCT FROM p.new_sha) AS sha_changed
FROM pairs p LEFT JOIN readme r USING (model_id)
WHERE p.old_license IS DISTINCT FROM p.new_license
   OR (p.old_gated IS NOT NULL AND p.old_license_name IS DISTINCT FROM p.new_license_name)
   OR (p.old_gated IS NOT NULL AND p.old_gated IS DISTINCT FROM p.new_gated)
   OR p.old_base_models <> p.new_base_models
   OR p.old_card_hash IS DISTINCT FROM p.new_card_hash
   OR p.old_sha IS DISTINCT FROM p.new_sha
ORDER BY p.model_id
