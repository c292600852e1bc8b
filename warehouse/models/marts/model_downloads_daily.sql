-- one row per model_id per snapshot_date: downloads that day, from differencing all-time counts between snapshots
-- incremental by snapshot_date
with models as (
    -- a day's figure differences the model's previous snapshot within 35 days: so a build that
    -- recomputes from build_from() needs only the 35 days before it
    select * from staging.stg_hf_models
    where snapshot_date >= staging.build_from() - 35
),

with_previous as (
    select
        snapshot_date,
        model_id,
        downloads_30d,
        downloads_all_time,
        likes,
        lag(snapshot_date) over by_model as previous_snapshot_date,
        lag(downloads_all_time) over by_model as previous_downloads_all_time
    from models
    window by_model as (partition by model_id order by snapshot_date)
),

bounded as (
    -- a model back after more than 35 days away starts afresh, as a new listing would
    select
        * exclude (previous_snapshot_date, previous_downloads_all_time),
        case when date_diff('day', previous_snapshot_date, snapshot_date) <= 35
             then previous_snapshot_date end as previous_snapshot_date,
        case when date_diff('day', previous_snapshot_date, snapshot_date) <= 35
             then previous_downloads_all_time end as previous_downloads_all_time
    from with_previous
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
                  / date_diff('day', previous_snapshot_date, snapshot_date) end as downloads_per_day
    from bounded
    where snapshot_date >= staging.build_from()
)

select * from final
