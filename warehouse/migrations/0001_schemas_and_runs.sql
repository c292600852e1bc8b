-- Schemas for the three layers, and the log of every collector run.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;

-- one row per collector run
CREATE TABLE raw.collector_runs (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    status        VARCHAR NOT NULL,      -- ok | failed | skipped
    snapshot_date DATE,
    rows_loaded   BIGINT,
    pages         INTEGER,
    detail        VARCHAR,               -- where the data came from, counts of skipped records
    error         VARCHAR
);
