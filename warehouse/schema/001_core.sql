-- Core tables of the hubmine warehouse. `-- crawl: STAGES` before a table names the crawl stages that land
-- it in the lake (`load`: written by the load alone); warehouse/lake.py reads these lines.
-- Every table filled by a crawl carries the crawl_id that last
-- wrote its rows; history across crawls lives in model_history and model_events.

-- crawl: load
CREATE TABLE IF NOT EXISTS crawls (
    crawl_id          VARCHAR PRIMARY KEY,
    endpoint          VARCHAR NOT NULL,
    mode              VARCHAR NOT NULL,      -- full | metadata
    scope             VARCHAR NOT NULL,      -- JSON: author, search, limit (all null = whole hub)
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,      -- finished | partial | abandoned (see 006_integrity.sql)
    runs              INTEGER,               -- processes it took (1 + resumes)
    api_requests      BIGINT,
    resolver_requests BIGINT,
    listing_requests  BIGINT,
    repo_requests     BIGINT,                -- per-repo work (cards, commits, refs, trees, configs)
    retries           BIGINT,
    models_seen       BIGINT,
    models_changed    BIGINT,                -- new or sha changed since the previous crawl
    models_new        BIGINT,
    models_removed    BIGINT,
    repos_fetched     BIGINT,
    spaces_seen       BIGINT,
    errors            BIGINT
);

-- crawl: listing
CREATE TABLE IF NOT EXISTS models (
    model_id           VARCHAR PRIMARY KEY,
    mongo_id           VARCHAR,              -- the API's stable _id: survives renames
    author             VARCHAR,
    sha                VARCHAR,
    created_at         TIMESTAMP,
    last_modified      TIMESTAMP,
    downloads          BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT,
    trending_score     DOUBLE,
    private            BOOLEAN,
    gated              VARCHAR,
    disabled           BOOLEAN,
    pipeline_tag       VARCHAR,
    library_name       VARCHAR,
    tags               VARCHAR[],
    languages          VARCHAR[],
    datasets           VARCHAR[],
    license            VARCHAR,              -- as declared (first one when several)
    base_models        VARCHAR[],            -- as declared in the card
    base_model_relation VARCHAR,
    siblings           VARCHAR[],
    spaces_count       INTEGER,              -- spaces the listing names (the Hub names at most 100: spaces_capped)
    parameters         BIGINT,
    card_data          JSON,
    config             JSON,
    transformers_info  JSON,
    gguf               JSON,
    safetensors        JSON,
    used_storage       BIGINT,
    synthetic          BOOLEAN,              -- tagged `synthetic` by hubmine's generator
    first_seen_crawl   VARCHAR,
    crawl_id           VARCHAR
);

-- crawl: load
CREATE TABLE IF NOT EXISTS model_history (
    crawl_id      VARCHAR NOT NULL,
    model_id      VARCHAR NOT NULL,
    mongo_id      VARCHAR,
    sha           VARCHAR,
    last_modified TIMESTAMP,
    downloads     BIGINT,
    likes         BIGINT,
    license       VARCHAR,
    base_models   VARCHAR[],
    card_hash     VARCHAR
);

-- crawl: load
CREATE TABLE IF NOT EXISTS model_events (
    crawl_id VARCHAR NOT NULL,
    model_id VARCHAR NOT NULL,
    mongo_id VARCHAR,
    event    VARCHAR NOT NULL,               -- added | removed | renamed | sha_changed
    detail   VARCHAR
);

-- crawl: listing, repo
CREATE TABLE IF NOT EXISTS lineage_edges (
    child_id  VARCHAR NOT NULL,
    parent_id VARCHAR NOT NULL,
    relation  VARCHAR NOT NULL,              -- finetune | adapter | quantized | merge | unknown
    source    VARCHAR NOT NULL,              -- card | tag | card+tag | adapter_config | config | mergekit | name
    crawl_id  VARCHAR
);

-- crawl: listing
CREATE TABLE IF NOT EXISTS licenses (
    model_id     VARCHAR NOT NULL,
    position     INTEGER,
    license_raw  VARCHAR,
    license_id   VARCHAR,
    spdx         VARCHAR,
    category     VARCHAR,
    license_name VARCHAR,
    license_link VARCHAR,
    crawl_id     VARCHAR
);

-- crawl: listing, repo
CREATE TABLE IF NOT EXISTS energy (
    model_id              VARCHAR NOT NULL,
    source_kind           VARCHAR NOT NULL,  -- card_yaml | card_text
    raw                   VARCHAR,
    co2_grams             DOUBLE,
    valid                 BOOLEAN,
    reason                VARCHAR,
    source                VARCHAR,
    training_type         VARCHAR,
    geographical_location VARCHAR,
    hardware_used         VARCHAR,
    hours_used            DOUBLE,
    cloud_provider        VARCHAR,
    hw_count              INTEGER,
    hw_model              VARCHAR,
    hw_memory_gb          INTEGER,
    crawl_id              VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS model_cards (
    model_id         VARCHAR PRIMARY KEY,
    sha              VARCHAR,
    body             VARCHAR,
    length           INTEGER,
    has_front_matter BOOLEAN,
    yaml_ok          BOOLEAN,
    yaml_error       VARCHAR,
    metadata         JSON,
    sections         VARCHAR[],
    autogenerated    BOOLEAN,
    templated        BOOLEAN,
    crawl_id         VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS commits (
    model_id    VARCHAR NOT NULL,
    commit_id   VARCHAR NOT NULL,
    position    INTEGER,                     -- 1 = oldest
    title       VARCHAR,
    message     VARCHAR,
    authors     VARCHAR[],
    date        TIMESTAMP,
    files_known BOOLEAN,                     -- commit_files rows exist for it
    crawl_id    VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS commit_files (
    model_id   VARCHAR NOT NULL,
    commit_id  VARCHAR NOT NULL,
    path       VARCHAR NOT NULL,
    change     VARCHAR NOT NULL,             -- added | modified | deleted
    oid        VARCHAR,
    size       BIGINT,
    lfs_sha256 VARCHAR,
    is_weight  BOOLEAN,
    crawl_id   VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS refs (
    model_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,          -- branch | tag | convert | pr
    name          VARCHAR,
    ref           VARCHAR,
    target_commit VARCHAR,
    crawl_id      VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS repo_files (
    model_id   VARCHAR NOT NULL,
    path       VARCHAR NOT NULL,
    size       BIGINT,
    oid        VARCHAR,
    lfs_sha256 VARCHAR,
    crawl_id   VARCHAR
);

-- crawl: repo
CREATE TABLE IF NOT EXISTS repo_configs (
    model_id                VARCHAR NOT NULL,
    path                    VARCHAR NOT NULL,
    base_model_name_or_path VARCHAR,
    name_or_path            VARCHAR,
    model_type              VARCHAR,
    architectures           VARCHAR[],
    crawl_id                VARCHAR
);

-- crawl: spaces
CREATE TABLE IF NOT EXISTS spaces (
    space_id      VARCHAR PRIMARY KEY,
    mongo_id      VARCHAR,
    author        VARCHAR,
    sdk           VARCHAR,
    likes         BIGINT,
    created_at    TIMESTAMP,
    last_modified TIMESTAMP,
    sha           VARCHAR,
    tags          VARCHAR[],
    models        VARCHAR[],
    crawl_id      VARCHAR
);

-- crawl: listing, spaces
CREATE TABLE IF NOT EXISTS space_models (
    space_id VARCHAR NOT NULL,
    model_id VARCHAR NOT NULL,
    source   VARCHAR NOT NULL,               -- space_listing | model_listing | both (one row per pair)
    crawl_id VARCHAR
);

-- crawl: listing, repo, spaces, aliases
CREATE TABLE IF NOT EXISTS crawl_errors (
    crawl_id VARCHAR NOT NULL,
    model_id VARCHAR,
    stage    VARCHAR NOT NULL,
    reason   VARCHAR NOT NULL,
    detail   VARCHAR,
    logged_at TIMESTAMP
);

-- per-repo data is current up to fetched_sha; a repo whose listing sha differs is fetched again
CREATE TABLE IF NOT EXISTS repo_state (
    model_id    VARCHAR PRIMARY KEY,
    fetched_sha VARCHAR,
    crawl_id    VARCHAR
);

-- The latest crawl: the one that finished last (a partial or abandoned crawl loaded nothing). Every reader of
-- "the latest crawl" (analyses, dashboards, reports, `hubmine sql`) selects from this view.
CREATE OR REPLACE VIEW latest_crawl AS
SELECT * FROM crawls WHERE status = 'finished' ORDER BY finished_at DESC LIMIT 1;
