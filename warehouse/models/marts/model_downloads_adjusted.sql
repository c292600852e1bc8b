-- one row per model_id per snapshot_date: 30-day downloads raw and adjusted by the named rules of download_adjustment_rules.csv
-- incremental by snapshot_date
with all_daily as (
    select * from marts.model_downloads_daily
),

lineage as (
    select * from marts.hf_model_lineage
),

rules as (
    select * from staging.stg_download_adjustment_rules
),

params as (
    -- one row: a rule missing from the file is off
    select
        coalesce(bool_or(enabled) filter (where rule = 'quantized_rollup'), false) as rollup_on,
        coalesce(bool_or(enabled) filter (where rule = 'flat_daily_downloads'), false) as flat_on,
        coalesce(max(window_days) filter (where rule = 'flat_daily_downloads'), 14) as flat_window_days,
        max(min_days) filter (where rule = 'flat_daily_downloads') as flat_min_days,
        max(min_downloads_per_day) filter (where rule = 'flat_daily_downloads') as flat_min_per_day,
        max(threshold) filter (where rule = 'flat_daily_downloads') as flat_max_variation,
        coalesce(bool_or(enabled) filter (where rule = 'download_spike'), false) as spike_on,
        coalesce(max(window_days) filter (where rule = 'download_spike'), 7) as spike_window_days,
        max(min_days) filter (where rule = 'download_spike') as spike_min_days,
        max(min_downloads_per_day) filter (where rule = 'download_spike') as spike_min_per_day,
        max(threshold) filter (where rule = 'download_spike') as spike_ratio
    from rules
),

lookback as (
    -- a day's 30-day figure holds the spikes of the 29 days before it, each judged on the
    -- spike window before it; the flat window looks back flat_window_days - 1
    select greatest(flat_window_days - 1, 29 + spike_window_days) as days from params
),

daily as (
    select all_daily.*
    from all_daily, lookback
    where all_daily.snapshot_date >= staging.build_from() - lookback.days
),

candidates as (
    -- only a repo that reached a rule's minimum daily downloads on some day can be flat or spike;
    -- on a power-law Hub that is a small share of repos, so the windows below skip the rest
    select daily.model_id
    from daily
    cross join params
    group by daily.model_id
    having max(daily.downloads_per_day) >= least(
        case when any_value(params.flat_on) then any_value(params.flat_min_per_day) end,
        case when any_value(params.spike_on) then any_value(params.spike_min_per_day) end)
),

windows as (
    select
        daily.snapshot_date,
        daily.model_id,
        daily.downloads_30d,
        daily.downloads_per_day,
        daily.days_since_previous,
        count(daily.downloads_per_day) over flat_window as flat_days,
        avg(daily.downloads_per_day) over flat_window as flat_mean_per_day,
        stddev_pop(daily.downloads_per_day) over flat_window as flat_sd_per_day,
        count(daily.downloads_per_day) over days_before as spike_days_before,
        median(daily.downloads_per_day) over days_before as spike_median_before,
        count(daily.downloads_per_day) over days_after as spike_days_after,
        median(daily.downloads_per_day) over days_after as spike_median_after
    from daily
    semi join candidates using (model_id)
    cross join params
    window
        flat_window as (partition by daily.model_id order by daily.snapshot_date
                        range between to_days(params.flat_window_days - 1) preceding and current row),
        days_before as (partition by daily.model_id order by daily.snapshot_date
                        range between to_days(params.spike_window_days) preceding and interval 1 day preceding),
        days_after as (partition by daily.model_id order by daily.snapshot_date
                       range between interval 1 day following and to_days(params.spike_window_days) following)
),

judged as (
    select
        windows.*,
        coalesce(params.flat_on
                 and flat_days >= params.flat_min_days
                 and flat_mean_per_day >= params.flat_min_per_day
                 and flat_sd_per_day <= params.flat_max_variation * flat_mean_per_day, false) as is_flat,
        -- the excess of a spike day over its usual level, in downloads (a figure spread over a gap
        -- of several days counts for all of them)
        case when params.spike_on
                  and spike_days_before >= params.spike_min_days
                  and spike_days_after >= params.spike_min_days
                  and downloads_per_day >= params.spike_min_per_day
                  and downloads_per_day >= params.spike_ratio
                                           * greatest(spike_median_before, spike_median_after, 1)
             then ((downloads_per_day - greatest(spike_median_before, spike_median_after))
                   * days_since_previous)::bigint
             else 0 end as spike_excess
    from windows
    cross join params
),

spikes_in_window as (
    -- a spike stays inside every 30-day figure whose window covers its day
    select
        *,
        sum(spike_excess) over (partition by model_id order by snapshot_date
                                range between interval 29 days preceding and current row) as spike_excess_30d
    from judged
),

after_flags as (
    select
        daily.snapshot_date,
        daily.model_id,
        daily.downloads_30d,
        daily.downloads_per_day,
        coalesce(judged.is_flat, false) as is_flat,
        coalesce(judged.spike_excess, 0) as spike_excess,
        coalesce(judged.spike_excess_30d, 0) as spike_excess_30d,
        case when judged.is_flat then 0
             else greatest(coalesce(daily.downloads_30d, 0) - coalesce(judged.spike_excess_30d, 0), 0)
        end as kept_30d
    from daily
    left join spikes_in_window as judged using (snapshot_date, model_id)
),

rolled as (
    -- only into a base listed that day, so the downloads land on a row that exists
    select
        quantized.snapshot_date,
        quantized.model_id,
        lineage.parent_model_id as rolled_into_model_id,
        quantized.kept_30d
    from after_flags as quantized
    cross join params
    join lineage on lineage.model_id = quantized.model_id
    join after_flags as base
        on base.snapshot_date = quantized.snapshot_date and base.model_id = lineage.parent_model_id
    where params.rollup_on and lineage.relation_to_parent = 'quantized'
),

rolled_in as (
    select
        snapshot_date,
        rolled_into_model_id as model_id,
        count(*) as quantized_repos_rolled_in,
        sum(kept_30d)::bigint as downloads_30d_rolled_in
    from rolled
    group by all
),

final as (
    select
        after_flags.snapshot_date,
        after_flags.model_id,
        after_flags.downloads_30d,
        after_flags.downloads_per_day,
        (case when rolled.model_id is not null then 0 else after_flags.kept_30d end
         + coalesce(rolled_in.downloads_30d_rolled_in, 0))::bigint as downloads_30d_adjusted,
        after_flags.is_flat as is_flat_daily_downloads,
        after_flags.spike_excess > 0 as is_download_spike_day,
        case when after_flags.is_flat then coalesce(after_flags.downloads_30d, 0)
             else least(after_flags.spike_excess_30d, coalesce(after_flags.downloads_30d, 0)) end
            as downloads_30d_removed,
        rolled.rolled_into_model_id,
        coalesce(rolled_in.quantized_repos_rolled_in, 0) as quantized_repos_rolled_in,
        coalesce(rolled_in.downloads_30d_rolled_in, 0) as downloads_30d_rolled_in
    from after_flags
    left join rolled using (snapshot_date, model_id)
    left join rolled_in using (snapshot_date, model_id)
    where after_flags.snapshot_date >= staging.build_from()
)

select * from final
