-- History read through git or the REST API, and commit-level increments.

ALTER TABLE crawls ADD COLUMN IF NOT EXISTS history VARCHAR;            -- git | api (NULL: metadata-only crawl)
ALTER TABLE crawls ADD COLUMN IF NOT EXISTS git_requests BIGINT;        -- HTTP requests of git exchanges
ALTER TABLE crawls ADD COLUMN IF NOT EXISTS git_bytes BIGINT;           -- bytes git received
ALTER TABLE crawls ADD COLUMN IF NOT EXISTS repos_incremental BIGINT;   -- repos of which only new commits were read

-- files whose content was read (or kept unchanged) at fetched_sha: README.md and the lineage configs
ALTER TABLE repo_state ADD COLUMN IF NOT EXISTS files_read VARCHAR[];
