-- What the last good build saw, so the next one can be incremental: the fingerprint of the SQL
-- models, macros and reference data it ran, and the Hub rows per snapshot day it read. A build
-- whose fingerprint differs, or that finds a day's rows changed, recomputes from that day.
CREATE SCHEMA IF NOT EXISTS build;

CREATE TABLE build.last_build (
    built_at        TIMESTAMPTZ NOT NULL,
    fingerprint     VARCHAR NOT NULL,     -- sha256 of models, macros and reference files
    mode            VARCHAR NOT NULL,     -- full | incremental
    recomputed_from DATE                  -- first snapshot day the per-day marts recomputed (null: full)
);

CREATE TABLE build.hub_days (
    snapshot_date     DATE NOT NULL,
    raw_rows          BIGINT NOT NULL,
    last_collected_at TIMESTAMPTZ          -- a day collected again has a newer one, same rows or not
);
