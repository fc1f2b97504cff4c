-- name: crawl
SELECT * FROM latest_crawl;
-- name: synthetic_share
SELECT coalesce(avg(synthetic::INT), 0) AS share FROM models;
-- name: table_counts
SELECT table_name, estimated_size AS rows FROM duckdb_tables() ORDER BY table_name;
-- name: licenses_top
SELECT coalesce(license, '(none)') AS license, count(*) AS models FROM models GROUP BY 1 ORDER BY 2 DESC LIMIT 15;
-- name: pipelines_top
SELECT coalesce(pipeline_tag, '(none)') AS pipeline, count(*) AS models FROM models GROUP BY 1 ORDER BY 2 DESC LIMIT 15;
-- name: families
SELECT family_id, size, depth, max_breadth, leaves, merges, finetune_edges, adapter_edges, quantized_edges,
       merge_edges, is_tree, wiener_index, external_parents, top_license
FROM family_stats WHERE crawl_id = $crawl ORDER BY size DESC, family_id;
-- name: family_edges
SELECT e.child_id, coalesce(e.resolved_parent_id, e.parent_id) AS parent_id, any_value(e.relation) AS relation,
       any_value(coalesce(m.license, '(none)')) AS license
FROM lineage_edges e JOIN family_members f ON f.model_id = e.child_id AND f.crawl_id = $crawl
LEFT JOIN models m ON m.model_id = e.child_id
WHERE e.source IN ('card', 'tag', 'card+tag') AND f.family_id IN (SELECT family_id FROM family_stats WHERE crawl_id = $crawl
                                                                 ORDER BY size DESC, family_id LIMIT $families)
GROUP BY e.child_id, coalesce(e.resolved_parent_id, e.parent_id);
-- name: family_roots
SELECT f.model_id, f.family_id, coalesce(m.license, '(none)') AS license FROM family_members f
LEFT JOIN models m USING (model_id)
WHERE f.crawl_id = $crawl AND f.generation = 0 AND f.family_id IN (SELECT family_id FROM family_stats
      WHERE crawl_id = $crawl ORDER BY size DESC, family_id LIMIT $families);
-- name: similarity
SELECT pair_type, trait, pairs, mean, ci_low, ci_high FROM trait_similarity WHERE crawl_id = $crawl ORDER BY trait, pair_type;
-- name: category_transitions
SELECT parent_value, child_value, edges FROM license_transitions WHERE crawl_id = $crawl AND level = 'category';
-- name: violations
SELECT severity, rule_id, parent_license, child_license, parent_id,
       nullif(declared_parent_id, parent_id) AS declared_as, child_id, clause, source_url
FROM license_violations
WHERE crawl_id = $crawl ORDER BY CASE severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, rule_id, child_id;
-- name: violations_by_rule
SELECT severity, rule_id, count(DISTINCT (child_id, parent_id)) AS edges,
       arg_max(parent_license || ' -> ' || child_license, n) AS most_frequent_pair, max(n) AS pair_edges
FROM (SELECT *, count(*) OVER (PARTITION BY rule_id, parent_license, child_license) AS n
      FROM license_violations WHERE crawl_id = $crawl)
GROUP BY severity, rule_id
ORDER BY CASE severity WHEN 'violation' THEN 0 WHEN 'review' THEN 1 ELSE 2 END, edges DESC, rule_id;
-- name: violation_pairs
SELECT parent_license, child_license, count(DISTINCT (child_id, parent_id)) AS edges FROM license_violations
WHERE crawl_id = $crawl AND severity = 'violation' GROUP BY ALL ORDER BY edges DESC, parent_license, child_license LIMIT 15;
-- name: license_coverage
SELECT scope, side, resolution, resolved, items, share FROM license_coverage
WHERE crawl_id = $crawl ORDER BY scope DESC, side, items DESC;
-- name: drift
SELECT relation, metric, edges, parent_value, child_value FROM drift_summary WHERE crawl_id = $crawl ORDER BY metric, relation;
-- name: conventions
SELECT naming_convention, models, share FROM naming_conventions WHERE crawl_id = $crawl ORDER BY models DESC LIMIT 25;
-- name: variants
SELECT variant, count(*) AS models FROM variant_types WHERE crawl_id = $crawl GROUP BY 1 ORDER BY 2 DESC;
-- name: commit_timeline
SELECT date_trunc('month', date) AS month, count(DISTINCT (model_id, commit_id)) AS commits FROM commit_categories
WHERE crawl_id = $crawl AND date IS NOT NULL GROUP BY ALL ORDER BY month;
-- name: commit_category_months
SELECT date_trunc('month', date) AS month, category, count(DISTINCT (model_id, commit_id)) AS commits
FROM commit_categories WHERE crawl_id = $crawl AND date IS NOT NULL GROUP BY ALL ORDER BY month, category;
-- name: versioning_summary
SELECT metric, value, description FROM versioning_summary WHERE crawl_id = $crawl;
-- name: bn_edges
SELECT method, source, target, confirmed FROM bn_edges WHERE crawl_id = $crawl;
-- name: bn_cpds
SELECT variable, value, parents, probability FROM bn_cpds WHERE crawl_id = $crawl ORDER BY variable, parents, value;
-- name: lorenz
SELECT model_share, download_share FROM downloads_lorenz WHERE crawl_id = $crawl ORDER BY model_share;
-- name: reuse_hub
SELECT metric, gini, top1_share, zero_share, models FROM reuse_stats WHERE crawl_id = $crawl AND grouping = 'hub';
-- name: space_orgs
SELECT coalesce(author, '(unknown)') AS author, spaces, models_used, coalesce(at_least, false) AS at_least
FROM space_org_usage WHERE crawl_id = $crawl ORDER BY spaces DESC LIMIT 20;
-- name: collaboration
SELECT metric, value FROM collaboration_stats WHERE crawl_id = $crawl;
-- name: energy_hw
SELECT hw_model, training_type, models, median_grams FROM energy_hardware WHERE crawl_id = $crawl ORDER BY models DESC LIMIT 20;
-- name: energy_rates
SELECT grouping, group_value, models, reporting, rate FROM energy_reporting WHERE crawl_id = $crawl ORDER BY grouping, models DESC;
-- name: energy_points
SELECT model_id, co2_grams, parameters, coalesce(training_type, 'unknown') AS training_type, hw_model FROM energy_profile
WHERE crawl_id = $crawl;
-- name: weights
SELECT coalesce(declared_relation, 'undeclared') AS declared, coalesce(relation, 'error') AS relation, count(*) AS pairs
FROM weight_diffs WHERE crawl_id = $crawl GROUP BY ALL;
-- name: weight_flags
SELECT parent_id, child_id, declared_relation, relation, confidence, array_to_string(flags, '; ') AS flags
FROM weight_diffs WHERE crawl_id = $crawl AND len(flags) > 0 ORDER BY child_id;
