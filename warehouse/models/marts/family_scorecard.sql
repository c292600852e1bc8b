-- one row per dimension, key: a model family (or organisation) on the latest Hub snapshot: downloads with lineage attribution and their trend, derivatives, permissive share, GitHub stars, cheapest price and best quality scores
with shares as (
    select * from marts.market_share_daily
),

profiles as (
    select * from marts.hf_model_profile
),

downloads as (
    select * from marts.model_downloads_daily
),

repos as (
    select * from marts.repo_growth
),

price_links as (
    select * from marts.hf_model_price_links
),

identity as (
    select * from marts.model_identity
),

prices as (
    select * from marts.current_prices
),

quality as (
    select * from marts.model_quality
),

latest_day as (
    select max(snapshot_date) as latest_date from shares
),

lineage_shares as (
    select shares.*
    from shares
    where attribution = 'lineage' and dimension in ('family', 'organization')
),

compared_days as (
    -- the latest snapshot on or before 7 and 30 days back, as the Market share page compares
    select
        max(snapshot_date) filter (where snapshot_date <= latest_date - 7) as day_7d,
        max(snapshot_date) filter (where snapshot_date <= latest_date - 30) as day_30d
    from lineage_shares, latest_day
),

trend as (
    select
        dimension,
        key,
        max(share_of_downloads_30d) filter (where snapshot_date = latest_date) as share_of_downloads_30d,
        max(downloads_30d) filter (where snapshot_date = latest_date) as downloads_30d,
        max(models) filter (where snapshot_date = latest_date) as models,
        max(share_of_downloads_30d) filter (where snapshot_date = day_7d) as share_7d_ago,
        max(share_of_downloads_30d) filter (where snapshot_date = day_30d) as share_30d_ago,
        -- the sparkline: 30-day downloads on each of the last 30 snapshots, oldest first
        list(downloads_30d order by snapshot_date) filter (where snapshot_date > latest_date - 30) as downloads_30d_trend
    from lineage_shares, latest_day, compared_days
    group by all
),

latest_models as (
    select
        profiles.model_id,
        profiles.lineage_family as family,
        profiles.lineage_organization as organization,
        profiles.lineage_country as country,
        profiles.relation_to_parent,
        profiles.license_class,
        profiles.created_at,
        downloads.downloads_30d
    from profiles
    join downloads using (model_id)
    join latest_day on downloads.snapshot_date = latest_day.latest_date
),

by_key as (
    -- every latest model twice: once under its family, once under its organisation
    select 'family' as dimension, family as key, * exclude (family, organization) from latest_models
    union all
    select 'organization', organization, * exclude (family, organization) from latest_models
),

model_facts as (
    select
        dimension,
        key,
        arg_max(country, downloads_30d) as country,
        count(*) filter (where relation_to_parent is not null) as derivatives,
        count(*) filter (where relation_to_parent = 'finetune') as finetunes,
        count(*) filter (where relation_to_parent = 'quantized') as quantizations,
        count(*) filter (where relation_to_parent = 'adapter') as adapters,
        count(*) filter (where relation_to_parent = 'merge') as merges,
        count(*) filter (where relation_to_parent is not null
                           and created_at >= (select latest_date from latest_day) - interval 30 day)
            as derivatives_created_30d,
        -- none under a permissive licence is 0 %, not unknown
        coalesce(sum(downloads_30d) filter (where license_class = 'permissive'), 0) / nullif(sum(downloads_30d), 0)
            as permissive_share_of_downloads
    from by_key
    group by all
),

stars as (
    select 'family' as dimension, family as key, sum(stars) as repo_stars, count(*) as repos
    from repos where family is not null group by all
    union all
    select 'organization', organization, sum(stars), count(*)
    from repos where organization is not null group by all
),

priced_keys as (
    -- the priced or scored models a family or organisation makes: those its Hub repos stand for
    select distinct 'family' as dimension, latest_models.family as key, price_links.model_key
    from price_links join latest_models using (model_id)
    union
    select distinct 'organization', latest_models.organization, price_links.model_key
    from price_links join latest_models using (model_id)
),

cheapest as (
    select
        priced_keys.dimension,
        priced_keys.key,
        min(prices.blended_3to1_usd_per_mtok) as cheapest_blended_usd_per_mtok,
        arg_min(prices.model_name, prices.blended_3to1_usd_per_mtok) as cheapest_priced_model
    from priced_keys
    join identity on identity.model_key = priced_keys.model_key and identity.name_role = 'price'
    join prices
        on prices.source = identity.name_source
        and prices.provider_id || '/' || prices.model_id = identity.source_model_id
    where prices.blended_3to1_usd_per_mtok > 0
    group by all
),

best_quality as (
    select
        priced_keys.dimension,
        priced_keys.key,
        max(quality.quality_score) filter (where quality.benchmark = 'epoch_eci') as best_epoch_eci,
        max(quality.quality_score) filter (where quality.benchmark = 'lmarena_text') as best_lmarena_text,
        max(quality.quality_score) filter (where quality.benchmark = 'aa_intelligence_index')
            as best_aa_intelligence_index
    from priced_keys
    join quality using (model_key)
    group by all
),

final as (
    select
        trend.dimension,
        trend.key,
        model_facts.country,
        trend.models,
        trend.downloads_30d,
        trend.share_of_downloads_30d,
        trend.share_of_downloads_30d - trend.share_7d_ago as share_change_7d,
        trend.share_of_downloads_30d - trend.share_30d_ago as share_change_30d,
        trend.downloads_30d_trend,
        coalesce(model_facts.derivatives, 0) as derivatives,
        coalesce(model_facts.finetunes, 0) as finetunes,
        coalesce(model_facts.quantizations, 0) as quantizations,
        coalesce(model_facts.adapters, 0) as adapters,
        coalesce(model_facts.merges, 0) as merges,
        coalesce(model_facts.derivatives_created_30d, 0) as derivatives_created_30d,
        model_facts.permissive_share_of_downloads,
        stars.repo_stars,
        stars.repos,
        cheapest.cheapest_blended_usd_per_mtok,
        cheapest.cheapest_priced_model,
        best_quality.best_epoch_eci,
        best_quality.best_lmarena_text,
        best_quality.best_aa_intelligence_index,
        (select latest_date from latest_day) as as_of
    from trend
    left join model_facts using (dimension, key)
    left join stars using (dimension, key)
    left join cheapest using (dimension, key)
    left join best_quality using (dimension, key)
    where trend.downloads_30d is not null
)

select * from final
