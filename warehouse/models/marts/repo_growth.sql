-- one row per repo: latest stars and repo facts, stars gained over 7, 30 and 90 days, growth and rank within its category
with daily as (
    select * from marts.repo_stars_daily
),

repos as (
    select * from staging.stg_github_repos
),

history as (
    select * from staging.stg_github_star_history
),

latest_snapshot as (
    -- status is what GitHub said last: a repo not found today is flagged, not hidden
    select repo, snapshot_date as latest_snapshot_date, status, category, family, organization
    from repos
    qualify row_number() over (partition by repo order by snapshot_date desc) = 1
),

latest_found as (
    -- facts from the last day GitHub answered for the repo (a not_found snapshot has none)
    select
        repo, snapshot_date as last_found_date, full_name, description, language, license_spdx, topics,
        forks, open_issues, watchers, created_at, pushed_at, archived
    from repos
    where status <> 'not_found'
    qualify row_number() over (partition by repo order by snapshot_date desc) = 1
),

first_stars as (
    -- a history with missing pages does not start at the first star
    select repo, min(starred_date) as first_star_date
    from history
    where history_pages_complete
    group by repo
),

latest_stars as (
    select repo, date as stars_date, stars, history_capped
    from daily
    qualify row_number() over (partition by repo order by date desc) = 1
),

windows as (
    select latest_stars.repo, spans.days, latest_stars.stars_date - spans.days as target_date
    from latest_stars
    cross join (values (7), (30), (90)) as spans(days)
),

compared as (
    -- stars on the latest day on or before the window's start. A snapshot stands for the days up to
    -- the next figure; a history day stands only for itself (after it the history may be capped)
    select
        windows.repo,
        windows.days,
        case when daily.date = windows.target_date or daily.source_of_figure = 'snapshot'
             then daily.date end as compared_date,
        case when daily.date = windows.target_date or daily.source_of_figure = 'snapshot'
             then daily.stars end as compared_stars
    from windows
    asof left join daily on daily.repo = windows.repo and daily.date <= windows.target_date
),

gains as (
    select
        compared.repo,
        max(compared.compared_date) filter (where compared.days = 7) as compared_date_7d,
        max(compared.compared_date) filter (where compared.days = 30) as compared_date_30d,
        max(compared.compared_date) filter (where compared.days = 90) as compared_date_90d,
        max(latest_stars.stars - compared.compared_stars) filter (where compared.days = 7) as stars_gained_7d,
        max(latest_stars.stars - compared.compared_stars) filter (where compared.days = 30) as stars_gained_30d,
        max(latest_stars.stars - compared.compared_stars) filter (where compared.days = 90) as stars_gained_90d,
        max(compared.compared_stars) filter (where compared.days = 7) as stars_7d_ago,
        max(compared.compared_stars) filter (where compared.days = 30) as stars_30d_ago,
        max(compared.compared_stars) filter (where compared.days = 90) as stars_90d_ago
    from compared
    join latest_stars using (repo)
    group by compared.repo
),

all_repos as (
    -- tracked repos (even if never found) and repos known only from their history
    select repo from latest_snapshot
    union
    select repo from latest_stars
),

profiled as (
    select
        all_repos.repo,
        latest_found.full_name,
        coalesce(latest_snapshot.category, '(uncategorised)') as category,
        latest_snapshot.family,
        latest_snapshot.organization,
        latest_snapshot.status,
        latest_snapshot.latest_snapshot_date,
        latest_found.last_found_date,
        latest_stars.stars,
        latest_stars.stars_date,
        latest_found.forks,
        latest_found.open_issues,
        latest_found.watchers,
        latest_found.language,
        latest_found.license_spdx,
        latest_found.topics,
        latest_found.description,
        latest_found.created_at,
        latest_found.pushed_at,
        latest_found.archived,
        gains.stars_gained_7d,
        gains.stars_gained_30d,
        gains.stars_gained_90d,
        -- growth as a fraction of the stars at the window's start (0.05 = 5 %)
        gains.stars_gained_7d / nullif(gains.stars_7d_ago, 0) as growth_7d,
        gains.stars_gained_30d / nullif(gains.stars_30d_ago, 0) as growth_30d,
        gains.stars_gained_90d / nullif(gains.stars_90d_ago, 0) as growth_90d,
        -- over the days actually compared: a missed snapshot makes the window a little longer
        gains.stars_gained_30d / nullif(date_diff('day', gains.compared_date_30d, latest_stars.stars_date), 0)
            as stars_per_day_30d,
        gains.compared_date_7d,
        gains.compared_date_30d,
        gains.compared_date_90d,
        coalesce(latest_stars.history_capped, false) as history_capped,
        first_stars.first_star_date
    from all_repos
    left join latest_snapshot using (repo)
    left join latest_found using (repo)
    left join latest_stars using (repo)
    left join gains using (repo)
    left join first_stars using (repo)
),

final as (
    select
        *,
        -- repos whose history does not reach 30 days back are listed but not ranked
        case when stars_gained_30d is not null then rank() over (
            partition by category, stars_gained_30d is null order by stars_gained_30d desc
        ) end as rank_in_category_30d
    from profiled
)

select * from final
