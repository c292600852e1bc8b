-- one row per snapshot_date, source, benchmark, model_name, as_of: a model's score on a public quality board as that board dated it (see collectors/quality.py)
CREATE TABLE raw.quality_scores (
    snapshot_date      DATE NOT NULL,       -- day of the run that read the board
    source             VARCHAR NOT NULL,    -- the board's publisher: 'epoch-ai' | 'lmarena'
    source_detail      VARCHAR,             -- URL and format read, e.g. 'epoch_eci_csv https://epoch.ai/data/benchmark_data.zip'
    benchmark          VARCHAR NOT NULL,    -- 'epoch_eci' | 'lmarena_text' | 'lmarena_vision' | 'lmarena_image'
    model_name         VARCHAR NOT NULL,    -- as the board names it (Epoch: Model version; LMArena: model)
    display_name       VARCHAR,             -- the board's human-readable name (Epoch: Display name, else Model name)
    organization       VARCHAR,
    country            VARCHAR,             -- Epoch only: country of the organisation
    score              DOUBLE NOT NULL,
    score_scale        VARCHAR NOT NULL,    -- what the number means (ECI points, Arena score)
    score_ci           VARCHAR,             -- LMArena only: 95 % interval as published, e.g. '+5/-5'
    votes              BIGINT,              -- LMArena only: votes behind the score
    rank               INTEGER,             -- the board's own rank, when it publishes one
    as_of              DATE,                -- the board's date for this score (see as_of_basis); null when the board leaves it blank
    as_of_basis        VARCHAR NOT NULL,    -- release_date | leaderboard_date | collection_date (the file carries no date)
    license_or_access  VARCHAR,             -- as published: Epoch 'Model accessibility', LMArena 'license'
    open_weights       BOOLEAN,             -- derived from license_or_access; null when the board does not say
    collected_at       TIMESTAMPTZ NOT NULL,
    run_id             VARCHAR NOT NULL
);
