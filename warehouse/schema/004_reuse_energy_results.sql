-- Result tables of the reuse and energy analyses.

CREATE TABLE IF NOT EXISTS reuse_stats (
    crawl_id    VARCHAR NOT NULL,
    grouping    VARCHAR NOT NULL,            -- hub | pipeline_tag | library_name | author
    group_value VARCHAR,
    metric      VARCHAR NOT NULL,            -- downloads | likes
    models      BIGINT,
    gini        DOUBLE,
    top1_share  DOUBLE,                      -- share held by the top 1% of models
    zero_share  DOUBLE,                      -- share of models with none
    total       DOUBLE
);

CREATE TABLE IF NOT EXISTS downloads_lorenz (
    crawl_id       VARCHAR NOT NULL,
    model_share    DOUBLE,
    download_share DOUBLE
);

CREATE TABLE IF NOT EXISTS base_model_reuse (
    crawl_id            VARCHAR NOT NULL,
    model_id            VARCHAR NOT NULL,
    derivatives         BIGINT,
    finetune            BIGINT,
    adapter             BIGINT,
    quantized           BIGINT,
    merge               BIGINT,
    unknown             BIGINT,
    parent_in_warehouse BOOLEAN
);

CREATE TABLE IF NOT EXISTS space_model_usage (
    crawl_id VARCHAR NOT NULL,
    model_id VARCHAR NOT NULL,
    author   VARCHAR,
    spaces   BIGINT
);

CREATE TABLE IF NOT EXISTS space_org_usage (
    crawl_id        VARCHAR NOT NULL,
    author          VARCHAR,
    spaces          BIGINT,
    models_used     BIGINT,
    share_of_spaces DOUBLE
);

CREATE TABLE IF NOT EXISTS collaboration_stats (
    crawl_id VARCHAR NOT NULL,
    metric   VARCHAR NOT NULL,
    value    DOUBLE
);

CREATE TABLE IF NOT EXISTS energy_profile (
    crawl_id              VARCHAR NOT NULL,
    model_id              VARCHAR NOT NULL,
    author                VARCHAR,
    pipeline_tag          VARCHAR,
    library_name          VARCHAR,
    year                  INTEGER,
    source_kind           VARCHAR,
    co2_grams             DOUBLE,
    source                VARCHAR,
    training_type         VARCHAR,
    geographical_location VARCHAR,
    hardware_used         VARCHAR,
    hw_count              INTEGER,
    hw_model              VARCHAR,
    hw_memory_gb          INTEGER,
    hours_used            DOUBLE,
    parameters            BIGINT,
    grams_per_parameter   DOUBLE,
    autotrain             BOOLEAN
);

CREATE TABLE IF NOT EXISTS energy_reporting (
    crawl_id     VARCHAR NOT NULL,
    grouping     VARCHAR NOT NULL,           -- hub | year | library | pipeline | autotrain
    group_value  VARCHAR,
    models       BIGINT,
    reporting    BIGINT,
    rate         DOUBLE,
    median_grams DOUBLE
);

CREATE TABLE IF NOT EXISTS energy_hardware (
    crawl_id      VARCHAR NOT NULL,
    hw_model      VARCHAR,
    training_type VARCHAR,
    models        BIGINT,
    median_grams  DOUBLE,
    median_count  DOUBLE
);

CREATE TABLE IF NOT EXISTS study_sample (
    crawl_id       VARCHAR NOT NULL,
    popularity     VARCHAR,
    year           VARCHAR,
    model_id       VARCHAR NOT NULL,
    stratum_size   BIGINT,
    stratum_sample INTEGER
);
