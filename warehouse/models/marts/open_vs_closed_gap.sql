-- one row per benchmark, quality_band_from, month_start: within a quality band, the cheapest open-weight and the cheapest closed model that month, and how many times dearer the closed one is
with performance as (
    select * from marts.price_performance
),

thresholds as (
    select * from staging.stg_quality_thresholds
),

in_band as (
    select
        thresholds.quality_threshold as quality_band_from,
        thresholds.next_threshold as quality_band_to,
        performance.*
    from thresholds
    join performance
        on performance.benchmark = thresholds.benchmark
        and performance.quality_score >= thresholds.quality_threshold
        and (thresholds.next_threshold is null or performance.quality_score < thresholds.next_threshold)
    -- models whose openness no source states stay out of both sides
    where performance.is_open_weights is not null
),

per_band as (
    select
        benchmark,
        quality_band_from,
        quality_band_to,
        month_start,
        min(blended_usd_per_mtok) filter (where is_open_weights) as cheapest_open_usd_per_mtok,
        arg_min(display_name, blended_usd_per_mtok) filter (where is_open_weights) as cheapest_open_model,
        count(*) filter (where is_open_weights) as open_models,
        min(blended_usd_per_mtok) filter (where not is_open_weights) as cheapest_closed_usd_per_mtok,
        arg_min(display_name, blended_usd_per_mtok) filter (where not is_open_weights) as cheapest_closed_model,
        count(*) filter (where not is_open_weights) as closed_models
    from in_band
    group by all
),

final as (
    select
        *,
        cheapest_closed_usd_per_mtok / cheapest_open_usd_per_mtok as closed_to_open_price_ratio
    from per_band
)

select * from final
