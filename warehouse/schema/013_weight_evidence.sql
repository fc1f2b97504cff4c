-- Weight evidence beyond the sampled pairs: pairs that could not be checked, fingerprints of every checkpoint
-- read, and the undeclared relatives they point to.

CREATE TABLE IF NOT EXISTS weight_check_errors (
    crawl_id   VARCHAR NOT NULL,
    child_id   VARCHAR NOT NULL,
    parent_id  VARCHAR NOT NULL,
    error      VARCHAR NOT NULL,           -- why the pair could not be checked (hub unreachable, no such file, ...)
    failed_at  TIMESTAMP
);

CREATE TABLE IF NOT EXISTS weight_fingerprints (
    crawl_id    VARCHAR NOT NULL,
    model_id    VARCHAR NOT NULL,
    sha         VARCHAR,                   -- the crawled revision that was read
    matrices    INTEGER,
    keys        VARCHAR[],                 -- "tensor name|columns|row reference" per fingerprinted matrix
    vectors     FLOAT[][],                 -- 8 rows x 64 strided columns of each matrix
    grid        DOUBLE,                    -- share of fingerprinted values on a quantization grid
    bytes_read  BIGINT,                    -- bytes this model's sampled read took (headers included)
    total_bytes BIGINT                     -- the model's safetensors size
);

CREATE TABLE IF NOT EXISTS weight_matches (
    crawl_id   VARCHAR NOT NULL,
    child_id   VARCHAR NOT NULL,
    parent_id  VARCHAR NOT NULL,           -- the nearest older checkpoint by fingerprint
    source     VARCHAR NOT NULL,           -- 'weights': lineage evidence from the weights alone
    relation   VARCHAR,                    -- identical | quantized | derivative (a guess from the fingerprint)
    distance   DOUBLE,                     -- 0 = same weights, ~1.41 = independent weights
    runner_up  DOUBLE,                     -- distance to the next nearest candidate
    matrices   INTEGER,                    -- matrices compared
    reason     VARCHAR                     -- no declared base | declared base disagrees
);
