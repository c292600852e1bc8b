-- one row per model_id listed on both compared days: 30-day downloads on the latest snapshot and on the latest one at least 7 days older (else the first), for the Overview's movers
with daily as (
    select * from marts.model_downloads_daily
),

days as (
    select distinct snapshot_date from daily
),

compared as (
    -- the same two days the Overview's headline figures compare
    select
        max(snapshot_date) as latest_date,
        coalesce(max(snapshot_date) filter (where snapshot_date <= (select max(snapshot_date) from days) - 7),
                 min(snapshot_date)) as compare_date
    from days
),

now as (
    select model_id, downloads_30d from daily, compared where daily.snapshot_date = compared.latest_date
),

before as (
    select model_id, downloads_30d from daily, compared where daily.snapshot_date = compared.compare_date
),

final as (
    select
        now.model_id,
        compared.latest_date,
        compared.compare_date,
        before.downloads_30d as downloads_30d_before,
        now.downloads_30d as downloads_30d_now,
        now.downloads_30d - before.downloads_30d as change,
        (now.downloads_30d - before.downloads_30d) / nullif(before.downloads_30d, 0) as change_ratio
    from now
    join before using (model_id)
    cross join compared
)

select * from final
