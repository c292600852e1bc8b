-- one row per snapshot_date, source, model_id: Hub listing records (see collectors/hf_models.py)
CREATE TABLE raw.hf_models (
    snapshot_date      DATE NOT NULL,
    source             VARCHAR NOT NULL,
    model_id           VARCHAR NOT NULL,
    author             VARCHAR,
    downloads_30d      BIGINT,
    downloads_all_time BIGINT,
    likes              BIGINT,
    trending_score     DOUBLE,
    pipeline_tag       VARCHAR,
    library_name       VARCHAR,
    license_id         VARCHAR,
    base_models        STRUCT(relation VARCHAR, base_model_id VARCHAR)[],
    parameters         BIGINT,
    gated              VARCHAR,
    created_at         TIMESTAMPTZ,
    last_modified      TIMESTAMPTZ,
    collected_at       TIMESTAMPTZ NOT NULL,
    run_id             VARCHAR NOT NULL
);
