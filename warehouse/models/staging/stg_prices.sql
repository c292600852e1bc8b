-- one row per snapshot_date, source, provider_id, model_id, valid_from: price list rows as collected
with source_rows as (
    select * from raw.prices
),

typed as (
    select
        snapshot_date,
        source,
        source_detail,
        provider_id,
        coalesce(provider_name, provider_id) as provider_name,
        model_id,
        coalesce(model_name, model_id) as model_name,
        valid_from,
        valid_from_is_exact,
        input_usd_per_mtok,
        output_usd_per_mtok,
        cache_read_usd_per_mtok,
        cache_write_usd_per_mtok,
        is_tiered,
        context_window_tokens,
        coalesce(is_deprecated, false) as is_deprecated,
        collected_at,
        run_id
    from source_rows
)

select * from typed
