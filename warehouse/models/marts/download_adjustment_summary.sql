-- one row per snapshot_date, rule: how many models and what share of that day's raw 30-day downloads each adjustment rule touched
-- incremental by snapshot_date
with adjusted as (
    select * from marts.model_downloads_adjusted
    where snapshot_date >= staging.build_from()
),

rules as (
    select * from staging.stg_download_adjustment_rules
),

touched as (
    select snapshot_date, 'quantized_rollup' as rule, model_id, downloads_30d,
           0 as downloads_30d_removed, downloads_30d - downloads_30d_removed as downloads_30d_moved
    from adjusted where rolled_into_model_id is not null
    union all
    select snapshot_date, 'flat_daily_downloads', model_id, downloads_30d, downloads_30d_removed, 0
    from adjusted where is_flat_daily_downloads
    union all
    -- a spike still inside the 30-day window, on a repo not already left out as flat
    select snapshot_date, 'download_spike', model_id, downloads_30d, downloads_30d_removed, 0
    from adjusted where not is_flat_daily_downloads and downloads_30d_removed > 0
),

days as (
    select
        snapshot_date,
        sum(downloads_30d)::bigint as downloads_30d_raw,
        sum(downloads_30d_adjusted)::bigint as downloads_30d_adjusted
    from adjusted
    group by all
),

per_rule as (
    select
        days.snapshot_date,
        rules.rule,
        count(touched.model_id) as models_touched,
        coalesce(sum(touched.downloads_30d), 0)::bigint as downloads_30d_touched,
        coalesce(sum(touched.downloads_30d_removed), 0)::bigint as downloads_30d_removed,
        coalesce(sum(touched.downloads_30d_moved), 0)::bigint as downloads_30d_moved
    from days
    cross join rules
    left join touched on touched.snapshot_date = days.snapshot_date and touched.rule = rules.rule
    group by all
),

final as (
    select
        per_rule.snapshot_date,
        per_rule.rule,
        rules.enabled,
        per_rule.models_touched,
        per_rule.downloads_30d_touched,
        per_rule.downloads_30d_removed,
        per_rule.downloads_30d_moved,
        per_rule.downloads_30d_touched / nullif(days.downloads_30d_raw, 0) as share_of_downloads_30d_touched,
        days.downloads_30d_raw,
        days.downloads_30d_adjusted,
        rules.description
    from per_rule
    join days using (snapshot_date)
    join rules using (rule)
)

select * from final
