-- Result tables of the weight-based lineage checks.

CREATE TABLE IF NOT EXISTS weight_sample (
    crawl_id          VARCHAR NOT NULL,
    child_id          VARCHAR NOT NULL,
    parent_id         VARCHAR NOT NULL,
    declared_relation VARCHAR,                -- NULL: an inferred, undeclared edge
    declared          BOOLEAN,
    family_id         VARCHAR,
    bytes             BIGINT,                 -- both sampled reads at most (estimated where sizes were not crawled)
    child_sha         VARCHAR,
    parent_sha        VARCHAR
);

CREATE TABLE IF NOT EXISTS weight_diffs (
    crawl_id          VARCHAR NOT NULL,
    child_id          VARCHAR NOT NULL,
    parent_id         VARCHAR NOT NULL,
    declared_relation VARCHAR,
    relation          VARCHAR,               -- identical | cast | quantized | adapter-merge | finetune | merge | unrelated
    confidence        DOUBLE,
    direction         VARCHAR,
    agrees            BOOLEAN,               -- the weights support the declared relation
    flags             VARCHAR[],
    rel_l2            DOUBLE,
    cosine            DOUBLE,
    changed_share     DOUBLE,
    tensors           INTEGER,
    unmatched         INTEGER,
    bytes_read        BIGINT,
    device            VARCHAR,
    seconds           DOUBLE,
    error             VARCHAR,               -- kept for older warehouses: failures now go to weight_check_errors
    evidence          VARCHAR                -- JSON: merge coefficients and residuals, unaligned matrices, delta rank
);
