-- one row per snapshot_date, model_id: a model as OpenRouter's public list priced it that day (see collectors/openrouter.py)
CREATE TABLE raw.openrouter_models (
    snapshot_date             DATE NOT NULL,
    source                    VARCHAR NOT NULL,  -- 'openrouter'
    model_id                  VARCHAR NOT NULL,  -- e.g. qwen/qwen3.8-27b
    canonical_slug            VARCHAR,
    model_name                VARCHAR,
    hugging_face_id           VARCHAR,           -- the open-weight repo on the Hub, when OpenRouter names one
    created_at                TIMESTAMPTZ,
    context_window_tokens     BIGINT,
    input_usd_per_mtok        DOUBLE,            -- null when the price varies by route (OpenRouter sends -1)
    output_usd_per_mtok       DOUBLE,
    cache_read_usd_per_mtok   DOUBLE,
    cache_write_usd_per_mtok  DOUBLE,
    is_variable_price         BOOLEAN NOT NULL,
    modality                  VARCHAR,
    aa_intelligence_index     DOUBLE,            -- Artificial Analysis indices OpenRouter republishes
    aa_coding_index           DOUBLE,
    aa_agentic_index          DOUBLE,
    collected_at              TIMESTAMPTZ NOT NULL,
    run_id                    VARCHAR NOT NULL
);
