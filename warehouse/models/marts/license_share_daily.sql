-- one row per snapshot_date, license_id: models and 30-day downloads under each Hub licence id, with its class
-- incremental by snapshot_date
with daily as (
    select * from marts.model_downloads_daily
    where snapshot_date >= staging.build_from()
),

profiles as (
    select * from marts.hf_model_profile
),

licenses as (
    select * from staging.stg_licenses
),

totals as (
    select
        daily.snapshot_date,
        -- no licence tag at all is its own bucket, kept apart from ids we do not recognise
        coalesce(profiles.license_id, '(none)') as license_id,
        profiles.license_status,
        profiles.license_class,
        count(*) as models,
        sum(daily.downloads_30d)::bigint as downloads_30d
    from daily
    join profiles using (model_id)
    group by all
),

final as (
    select
        totals.snapshot_date,
        totals.license_id,
        totals.license_status,
        totals.license_class,
        licenses.commercial_use,
        licenses.use_restrictions,
        totals.models,
        totals.downloads_30d,
        totals.downloads_30d / sum(totals.downloads_30d) over day_slice as share_of_downloads_30d,
        totals.models / sum(totals.models) over day_slice as share_of_models
    from totals
    left join licenses using (license_id)
    window day_slice as (partition by totals.snapshot_date)
)

select * from final
