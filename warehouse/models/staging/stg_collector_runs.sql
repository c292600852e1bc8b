-- one row per run_id: every collector run, successful or not
with runs as (
    select * from raw.collector_runs
)

select
    run_id,
    source,
    started_at,
    finished_at,
    epoch(finished_at - started_at) as duration_s,
    status,
    snapshot_date,
    rows_loaded,
    pages,
    detail,
    error
from runs
