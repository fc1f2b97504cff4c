-- The counts of the crawl just loaded, named as their `crawls` columns (run inside the load transaction).
SELECT (SELECT count(*) FROM stg_models) AS models_seen,
       (SELECT count(*) FROM model_events
         WHERE crawl_id = getvariable('crawl_id') AND event IN ('added', 'renamed', 'sha_changed')) AS models_changed,
       (SELECT count(*) FROM model_events
         WHERE crawl_id = getvariable('crawl_id') AND event IN ('added', 'renamed')) AS models_new,
       (SELECT count(*) FROM model_events
         WHERE crawl_id = getvariable('crawl_id') AND event = 'removed') AS models_removed,
       (SELECT count(*) FROM stg_repos_ok) AS repos_fetched,
       (SELECT count(*) FROM stg_spaces) AS spaces_seen,
       (SELECT count(*) FROM crawl_errors WHERE crawl_id = getvariable('crawl_id')) AS errors,
       (SELECT count(*) FROM stg_repos_ok WHERE base_commit IS NOT NULL) AS repos_incremental;
