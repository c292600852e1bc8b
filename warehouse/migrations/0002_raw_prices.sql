-- one row per snapshot_date, source, provider_id, model_id, valid_from (see collectors/prices.py)
CREATE TABLE raw.prices (
    snapshot_date            DATE NOT NULL,
    source                   VARCHAR NOT NULL,
    source_detail            VARCHAR,
    provider_id              VARCHAR NOT NULL,
    provider_name            VARCHAR,
    model_id                 VARCHAR NOT NULL,
    model_name               VARCHAR,
    valid_from               DATE NOT NULL,
    valid_from_is_exact      BOOLEAN NOT NULL,
    input_usd_per_mtok       DOUBLE,
    output_usd_per_mtok      DOUBLE,
    cache_read_usd_per_mtok  DOUBLE,
    cache_write_usd_per_mtok DOUBLE,
    is_tiered                BOOLEAN NOT NULL,
    context_window_tokens    BIGINT,
    is_deprecated            BOOLEAN,
    collected_at             TIMESTAMPTZ NOT NULL,
    run_id                   VARCHAR NOT NULL
);
