-- one row per model_id per snapshot_date: downloads that day, from differencing all-time counts between snapshots
with models as (
    select * from staging.stg_hf_models
),

crawl_days as (
    select max(snapshot_date) as latest_snapshot_date from models
),

with_previous as (
    select
        snapshot_date,
        model_id,
        downloads_30d,
        downloads_all_time,
        likes,
        lag(snapshot_date) over by_model as previous_snapshot_date,
        lag(downloads_all_time) over by_model as previous_downloads_all_time,
        max(snapshot_date) over (partition by model_id) as last_seen_date
    from models
    window by_model as (partition by model_id order by snapshot_date)
),

final as (
    select
        snapshot_date,
        model_id,
        downloads_30d,
        downloads_all_time,
        likes,
        previous_snapshot_date,
        -- the Hub has no history API: a model's first snapshot has no daily figure
        previous_snapshot_date is null as is_first_snapshot,
        date_diff('day', previous_snapshot_date, snapshot_date) as days_since_previous,
        -- the Hub sometimes recounts downwards; such a step is flagged, not reported as negative
        coalesce(downloads_all_time < previous_downloads_all_time, false) as count_decreased,
        case when downloads_all_time >= previous_downloads_all_time
             then downloads_all_time - previous_downloads_all_time end as downloads_since_previous,
        case when downloads_all_time >= previous_downloads_all_time
             then (downloads_all_time - previous_downloads_all_time)
                  / date_diff('day', previous_snapshot_date, snapshot_date) end as downloads_per_day,
        -- not listed in the latest crawl: deleted, renamed, made private or fell out of the top-N scope
        snapshot_date = last_seen_date and last_seen_date < crawl_days.latest_snapshot_date
            as is_last_seen_before_latest
    from with_previous
    cross join crawl_days
)

select * from final
