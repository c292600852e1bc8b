-- one row per source, provider_id, model_id: the price in effect today for models still listed
with history as (
    select * from marts.price_history
),

current_only as (
    select * from history where is_current
),

final as (
    select
        source,
        provider_id,
        provider_name,
        model_id,
        model_name,
        valid_from as price_since,
        valid_from_is_exact as price_since_is_exact,
        input_usd_per_mtok,
        output_usd_per_mtok,
        cache_read_usd_per_mtok,
        -- a typical chat workload reads three tokens for each one it writes
        (3 * input_usd_per_mtok + output_usd_per_mtok) / 4 as blended_3to1_usd_per_mtok,
        is_tiered,
        context_window_tokens,
        is_deprecated
    from current_only
    where input_usd_per_mtok is not null and output_usd_per_mtok is not null
)

select * from final
