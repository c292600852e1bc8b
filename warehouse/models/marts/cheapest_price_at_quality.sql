-- one row per benchmark, quality_threshold, month_start: the cheapest model scoring at least the threshold that month (the "price of intelligence"), with the yearly decline factor fitted over every month of that threshold
with performance as (
    select * from marts.price_performance
),

thresholds as (
    select * from staging.stg_quality_thresholds
),

reaching as (
    select thresholds.quality_threshold, thresholds.is_reference as is_reference_threshold, performance.*
    from thresholds
    join performance
        on performance.benchmark = thresholds.benchmark
        and performance.quality_score >= thresholds.quality_threshold
),

cheapest as (
    select
        benchmark,
        quality_threshold,
        month_start,
        any_value(is_reference_threshold) as is_reference_threshold,
        min(blended_usd_per_mtok) as cheapest_blended_usd_per_mtok,
        arg_min(model_key, (blended_usd_per_mtok, -quality_score, model_key)) as cheapest_model_key,
        arg_min(display_name, (blended_usd_per_mtok, -quality_score, model_key)) as cheapest_model_name,
        arg_min(quality_score, (blended_usd_per_mtok, -quality_score, model_key)) as cheapest_model_quality_score,
        arg_min(is_open_weights, (blended_usd_per_mtok, -quality_score, model_key)) as cheapest_is_open_weights,
        arg_min(cheapest_provider, (blended_usd_per_mtok, -quality_score, model_key)) as cheapest_provider,
        count(*) as models_reaching
    from reaching
    group by all
),

fit as (
    -- log-linear fit of price against time: ln(price) = a + b * months, so price falls by the
    -- factor exp(-12 b) each year (2.0 = halves every year). Only over a year or more of months:
    -- one cut in a short window, stretched to a year, would read as a thousandfold decline
    select
        benchmark,
        quality_threshold,
        count(*) as fitted_months,
        case when count(*) >= 12 then
            exp(-12 * regr_slope(ln(cheapest_blended_usd_per_mtok), datediff('month', date '2000-01-01', month_start)))
        end as yearly_decline_factor
    from cheapest
    group by all
),

final as (
    select cheapest.*, fit.yearly_decline_factor, fit.fitted_months
    from cheapest
    join fit using (benchmark, quality_threshold)
)

select * from final
