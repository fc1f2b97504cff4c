-- Result tables of the versioning, commit-taxonomy and Bayesian-network analyses.

CREATE TABLE IF NOT EXISTS variant_types (
    crawl_id          VARCHAR NOT NULL,
    model_id          VARCHAR NOT NULL,
    variant           VARCHAR NOT NULL,      -- finetuned | quantized | adapter | merged | distilled | compressed | deduplicated | base | other
    evidence          VARCHAR,               -- relation:<r> | file:<path> | tag:<t> | name:<segment> | lineage:...
    naming_convention VARCHAR
);

CREATE TABLE IF NOT EXISTS naming_conventions (
    crawl_id          VARCHAR NOT NULL,
    naming_convention VARCHAR NOT NULL,
    segments          INTEGER,
    models            BIGINT,
    share             DOUBLE,
    example           VARCHAR
);

CREATE TABLE IF NOT EXISTS version_series (
    crawl_id     VARCHAR NOT NULL,
    series_id    VARCHAR NOT NULL,           -- author/stem
    author       VARCHAR,
    stem         VARCHAR,
    model_id     VARCHAR NOT NULL,
    position     INTEGER,
    version      VARCHAR,
    release_date VARCHAR,
    size         VARCHAR,
    step         VARCHAR                     -- first | major | minor | patch | date | size | same
);

CREATE TABLE IF NOT EXISTS weight_changes (
    crawl_id     VARCHAR NOT NULL,
    model_id     VARCHAR NOT NULL,
    commit_id    VARCHAR NOT NULL,
    position     INTEGER,
    date         TIMESTAMP,
    weight_files INTEGER,
    first_upload BOOLEAN,
    recorded_by  VARCHAR                     -- tag | card | name | none
);

CREATE TABLE IF NOT EXISTS versioning_summary (
    crawl_id    VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,
    value       DOUBLE,
    description VARCHAR
);

CREATE TABLE IF NOT EXISTS commit_categories (
    crawl_id  VARCHAR NOT NULL,
    model_id  VARCHAR NOT NULL,
    commit_id VARCHAR NOT NULL,
    position  INTEGER,
    date      TIMESTAMP,
    category  VARCHAR NOT NULL,              -- extended ML change taxonomy, or Unclassified
    evidence  VARCHAR                        -- title:<matched text> | file:<path>
);

CREATE TABLE IF NOT EXISTS bn_phase_data (
    crawl_id       VARCHAR NOT NULL,
    model_id       VARCHAR NOT NULL,
    phase          VARCHAR,
    popularity     VARCHAR,
    collaboration  VARCHAR,
    doc_quality    VARCHAR,
    release        VARCHAR,
    foundational   VARCHAR,
    infrastructure VARCHAR,
    documentation  VARCHAR,
    sharing        VARCHAR,
    output_data    VARCHAR
);

CREATE TABLE IF NOT EXISTS bn_edges (
    crawl_id  VARCHAR NOT NULL,
    method    VARCHAR NOT NULL,              -- hill_climb_bic | pc
    source    VARCHAR NOT NULL,
    target    VARCHAR NOT NULL,
    confirmed BOOLEAN                        -- the other method links the same pair
);

CREATE TABLE IF NOT EXISTS bn_cpds (
    crawl_id    VARCHAR NOT NULL,
    variable    VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    parents     VARCHAR,                     -- JSON object: parent -> state
    probability DOUBLE
);
