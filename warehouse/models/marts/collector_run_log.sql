-- one row per run_id: every collector run, for the Overview page and `omo status`
with runs as (
    select * from staging.stg_collector_runs
)

select * from runs
