-- one row per snapshot_date, repo: a tracked repository as GitHub described it that day, the latest collection of the day winning
with snapshots as (
    select * from raw.github_repos
),

one_per_day as (
    -- a second run on the same day (a retry, a manual run) saw the fresher counts
    select *
    from snapshots
    qualify row_number() over (partition by snapshot_date, repo order by collected_at desc, run_id desc) = 1
),

final as (
    select
        snapshot_date,
        repo,
        -- labels come from a hand-edited file: an empty cell means "none", the same as a missing one
        nullif(trim(category), '') as category,
        nullif(trim(family), '') as family,
        nullif(trim(organization), '') as organization,
        status,
        full_name,
        github_id,
        stars,
        forks,
        open_issues,
        watchers,
        license_spdx,
        language,
        topics,
        description,
        created_at,
        pushed_at,
        archived,
        star_history_api,
        star_history_capped,
        source,
        collected_at,
        run_id
    from one_per_day
)

select * from final
