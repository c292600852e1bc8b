-- one row per snapshot_date, source, provider_id, model_id, valid_from: price list rows as collected, from genai-prices and from OpenRouter's own model list
with price_list as (
    select * from raw.prices
),

openrouter as (
    select * from raw.openrouter_models
),

price_list_rows as (
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
        null::varchar as hf_repo_id,
        null::varchar as canonical_slug,
        null::date as listed_since,
        collected_at,
        run_id
    from price_list
),

openrouter_rows as (
    select
        snapshot_date,
        source,
        'OpenRouter /api/v1/models' as source_detail,
        'openrouter' as provider_id,
        'OpenRouter' as provider_name,
        model_id,
        coalesce(model_name, model_id) as model_name,
        -- the list carries no price dates: a price is known from the day we saw it
        snapshot_date as valid_from,
        false as valid_from_is_exact,
        input_usd_per_mtok,
        output_usd_per_mtok,
        cache_read_usd_per_mtok,
        cache_write_usd_per_mtok,
        false as is_tiered,
        context_window_tokens,
        false as is_deprecated,
        nullif(hugging_face_id, '') as hf_repo_id,
        -- OpenRouter's dated name for the model behind an alias: 'openai/gpt-5' -> 'openai/gpt-5-2025-08-07'
        canonical_slug,
        cast(timezone('UTC', created_at) as date) as listed_since,
        collected_at,
        run_id
    from openrouter
),

final as (
    select * from price_list_rows
    union all by name
    select * from openrouter_rows
)

select * from final
