-- one row per snapshot_date, attribution, dimension, key: that key's 30-day downloads and share of all listed models, raw and adjusted
-- incremental by snapshot_date
with daily as (
    -- raw figures beside the adjusted ones (marts.model_downloads_adjusted, rules in download_adjustment_rules.csv)
    select * from marts.model_downloads_adjusted
    where snapshot_date >= staging.build_from()
),

profiles as (
    select * from marts.hf_model_profile
),

keyed as (
    select
        daily.snapshot_date,
        daily.downloads_30d,
        daily.downloads_30d_adjusted,
        daily.downloads_per_day,
        profiles.organization as direct_organization,
        profiles.family as direct_family,
        profiles.country as direct_country,
        profiles.license_class as direct_license_class,
        profiles.lineage_organization,
        profiles.lineage_family,
        profiles.lineage_country,
        profiles.lineage_license_class
    from daily
    join profiles using (model_id)
),

long as (
    -- "direct": a repo counts for its own author; "lineage": fine-tunes, quantizations, adapters
    -- and merges count for the family, owner and country of their root base model
    unpivot keyed
    on direct_organization, direct_family, direct_country, direct_license_class,
       lineage_organization, lineage_family, lineage_country, lineage_license_class
    into name attribution_dimension value key
),

totals as (
    select
        snapshot_date,
        split_part(attribution_dimension, '_', 1) as attribution,
        substr(attribution_dimension, strpos(attribution_dimension, '_') + 1) as dimension,
        key,
        count(*) as models,
        -- BIGINT: DuckDB widens a sum of BIGINTs to a 38-digit decimal
        sum(downloads_30d)::bigint as downloads_30d,
        sum(downloads_30d_adjusted)::bigint as downloads_30d_adjusted,
        sum(downloads_per_day) as downloads_per_day
    from long
    group by all
),

final as (
    select
        snapshot_date,
        attribution,
        dimension,
        key,
        models,
        downloads_30d,
        downloads_per_day,
        downloads_30d / sum(downloads_30d) over day_slice as share_of_downloads_30d,
        rank() over (partition by snapshot_date, attribution, dimension order by downloads_30d desc)
            as rank_by_downloads_30d,
        downloads_30d_adjusted,
        downloads_30d_adjusted / nullif(sum(downloads_30d_adjusted) over day_slice, 0)
            as share_of_downloads_30d_adjusted,
        rank() over (partition by snapshot_date, attribution, dimension order by downloads_30d_adjusted desc)
            as rank_by_downloads_30d_adjusted
    from totals
    window day_slice as (partition by snapshot_date, attribution, dimension)
)

select * from final
