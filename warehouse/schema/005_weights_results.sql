-- Result tables of the weight-based lineage checks.

CREATE TABLE IF NOT EXISTS weight_sample (
    crawl_id          VARCHAR NOT NULL,
    child_id          VARCHAR NOT NULL,
    parent_id         VARCHAR NOT NULL,
    declared_relation VARCHAR,                -- NULL: an inferred, undeclared edge
    declared          BOOLEAN,
    family_id         VARCHAR,
    bytes             BIGINT                  -- both checkpoints (estimated where sizes were not crawled)
);

CREATE TABLE IF NOT EXISTS weight_diffs (
    crawl_id          VARCHAR NOT NULL,
    child_id          VARCHAR NOT NULL,
    parent_id         VARCHAR NOT NULL,
    declared_relation VARCHAR,
    relation          VARCHAR,               -- identical | quantized | adapter-merge | finetune | merge | unrelated
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
    error             VARCHAR                -- why the pair could not be checked
);
