-- Tables that exist only in the lake: per-repo bookkeeping the load turns into repo_state and kept rows.

-- crawl: repo
CREATE TABLE repo_done (model_id VARCHAR NOT NULL, sha VARCHAR, ok BOOLEAN NOT NULL, base_commit VARCHAR,
                        files_read VARCHAR[]);
-- crawl: repo
CREATE TABLE repo_kept (model_id VARCHAR NOT NULL, path VARCHAR NOT NULL);
