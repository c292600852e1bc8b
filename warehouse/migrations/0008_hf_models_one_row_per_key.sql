-- raw.hf_models now holds one row per snapshot_date, model_id (warehouse/load.py keeps the later
-- sighting when a crawl lists a model twice), so staging no longer deduplicates all of history at
-- every build. Rows loaded before this migration may repeat a key: keep the same sighting the
-- staging view used to keep. The landing Parquet files still hold every sighting.
DELETE FROM raw.hf_models
WHERE rowid IN (
    SELECT rowid FROM raw.hf_models
    QUALIFY row_number() OVER (PARTITION BY snapshot_date, model_id
                               ORDER BY collected_at DESC, downloads_all_time DESC NULLS LAST) > 1
);
