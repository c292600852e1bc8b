-- one row per source: its latest run, latest successful run and what that run loaded
with runs as (
    select * from staging.stg_collector_runs
),

latest_run as (
    select source, started_at as last_run_at, status as last_status, error as last_error
    from runs
    qualify row_number() over (partition by source order by started_at desc) = 1
),

latest_success as (
    select
        source,
        finished_at as last_success_at,
        snapshot_date as last_snapshot_date,
        rows_loaded as last_success_rows,
        detail as last_success_detail
    from runs
    where status in ('ok', 'partial')
    qualify row_number() over (partition by source order by started_at desc) = 1
),

counts as (
    select
        source,
        count(*) as runs_total,
        count(*) filter (where status = 'failed') as runs_failed
    from runs
    group by all
),

final as (
    select
        latest_run.source,
        latest_run.last_run_at,
        latest_run.last_status,
        latest_run.last_error,
        latest_success.last_success_at,
        latest_success.last_snapshot_date,
        latest_success.last_success_rows,
        latest_success.last_success_detail,
        counts.runs_total,
        counts.runs_failed
    from latest_run
    left join latest_success using (source)
    join counts using (source)
)

select * from final
