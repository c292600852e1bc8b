-- one row per benchmark, model_key, month_start: a model's cheapest standard price that month (blended at 3 input : 1 output tokens, USD per 1M tokens) beside its quality score, open-weight flag and whether it was on that month's price-quality Pareto frontier
with history as (
    select * from marts.price_history
),

identity as (
    select * from marts.model_identity
),

model_scores as (
    select * from marts.model_quality
),

price_names as (
    -- batch and free routes are not what a standard request costs
    select * from identity
    where name_role = 'price' and model_key is not null
      and coalesce(variant, '') not in (':batch', ':free')
),

priced_versions as (
    select
        price_names.model_key,
        history.source,
        history.provider_name,
        history.model_id,
        history.valid_from,
        history.valid_from_is_exact,
        -- a delisted model's last price ends the day after it was last seen
        coalesce(history.valid_to, case when not history.is_listed then history.last_seen_date + 1 end)
            as valid_until,
        (3 * history.input_usd_per_mtok + history.output_usd_per_mtok) / 4 as blended_usd_per_mtok,
        price_names.model_available_from,
        row_number() over (
            partition by history.source, history.provider_id, history.model_id order by history.valid_from
        ) = 1 as is_first_version
    from history
    join price_names
        on price_names.name_source = history.source
        and price_names.source_model_id = history.provider_id || '/' || history.model_id
    where history.input_usd_per_mtok is not null
      and history.output_usd_per_mtok is not null
),

dated_versions as (
    select
        *,
        -- a first price with no known start date is taken to apply from the model's release (or
        -- its listing on OpenRouter): list prices rarely change after launch, and without this the
        -- past would hold only the few models whose price changes carry dates
        is_first_version and not valid_from_is_exact and model_available_from < valid_from as start_is_assumed,
        case when is_first_version and not valid_from_is_exact and model_available_from < valid_from
             then model_available_from else valid_from end as effective_from
    from priced_versions
    where blended_usd_per_mtok > 0
),

months as (
    select unnest(generate_series(
        date_trunc('month', min(effective_from)), date_trunc('month', current_date), interval 1 month
    ))::date as month_start
    from dated_versions
),

monthly_prices as (
    -- the price in effect on the month's last day (today, for the current month)
    select
        months.month_start,
        dated_versions.model_key,
        min(dated_versions.blended_usd_per_mtok) as blended_usd_per_mtok,
        arg_min(dated_versions.provider_name, dated_versions.blended_usd_per_mtok) as cheapest_provider,
        arg_min(dated_versions.source, dated_versions.blended_usd_per_mtok) as cheapest_price_source,
        arg_min(dated_versions.start_is_assumed, dated_versions.blended_usd_per_mtok) as price_start_is_assumed,
        max(dated_versions.blended_usd_per_mtok) as dearest_blended_usd_per_mtok,
        count(*) as price_offers
    from months
    join dated_versions
        on dated_versions.effective_from <= least(last_day(months.month_start), current_date)
        and (dated_versions.valid_until is null
             or dated_versions.valid_until > least(last_day(months.month_start), current_date))
    group by all
),

models as (
    select
        model_key,
        -- a board or a Hub link saying "open" wins; "closed" needs a board saying so
        case when bool_or(open_weights) or max(model_hf_repo_id) is not null then true
             when bool_or(not open_weights) then false end as is_open_weights,
        max(model_hf_repo_id) as hf_repo_id,
        -- a board's name for the plain model reads best: quality before price names, no ':batch'
        arg_min(organization, (case name_role when 'quality' then 0 else 2 end) + (variant is not null)::int)
            filter (where organization is not null) as organization,
        arg_min(display_name, (case name_role when 'quality' then 0 else 2 end) + (variant is not null)::int)
            as display_name
    from identity
    where model_key is not null
    group by model_key
),

joined as (
    select
        model_scores.benchmark,
        monthly_prices.model_key,
        monthly_prices.month_start,
        models.display_name,
        models.organization,
        models.is_open_weights,
        models.hf_repo_id,
        monthly_prices.blended_usd_per_mtok,
        monthly_prices.cheapest_provider,
        monthly_prices.cheapest_price_source,
        monthly_prices.price_start_is_assumed,
        monthly_prices.dearest_blended_usd_per_mtok,
        monthly_prices.price_offers,
        model_scores.quality_score,
        model_scores.score_scale,
        model_scores.quality_source,
        model_scores.quality_model_name,
        model_scores.quality_as_of
    from monthly_prices
    join model_scores using (model_key)
    join models using (model_key)
),

final as (
    select
        joined.*,
        '3:1' as blend_input_to_output,
        -- on the frontier: no model that month is at least as good and at least as cheap, and
        -- strictly better on one of the two
        not exists (
            select 1 from joined as rival
            where rival.benchmark = joined.benchmark
              and rival.month_start = joined.month_start
              and rival.quality_score >= joined.quality_score
              and rival.blended_usd_per_mtok <= joined.blended_usd_per_mtok
              and (rival.quality_score > joined.quality_score
                   or rival.blended_usd_per_mtok < joined.blended_usd_per_mtok)
        ) as is_on_frontier
    from joined
)

select * from final
