-- one row per repo, date: the repo's stars that day and stars gained, from the daily snapshot or the backfilled stargazer history
with repos as (
    select * from staging.stg_github_repos
),

history as (
    select * from staging.stg_github_star_history
),

labels as (
    -- category, family and organisation follow the tracked-repos file as last collected
    select repo, category, family, organization
    from repos
    qualify row_number() over (partition by repo order by snapshot_date desc) = 1
),

capped as (
    -- a run that fetched no history (flag null) says nothing about truncation
    select repo, arg_max(star_history_capped, snapshot_date) as history_capped
    from repos
    where star_history_capped is not null
    group by repo
),

snapshots as (
    -- stargazers_count counts unstars too, so it is the authoritative figure on the days it exists
    select repo, snapshot_date as date, stars
    from repos
    where status <> 'not_found' and stars is not null
),

not_found_days as (
    -- GitHub could not find the repo: it has no stars that day, whatever the history says
    select repo, snapshot_date as date
    from repos
    where status = 'not_found'
),

coverage as (
    -- the days for which the history accounts for every star: from the first star to the day the
    -- list was last read to its end. A capped series (REST stops at 40 000 stars) holds only the
    -- first 40 000 stars, so its cumulative sum is not the total after its last star date
    select
        history.repo,
        min(history.starred_date) as first_star_date,
        case when bool_and(history.history_reached_end) and not coalesce(any_value(capped.history_capped), false)
             then greatest(max(history.starred_date), max(history.newest_page_fetched_on))
             else max(history.starred_date) end as history_through
    from history
    left join capped using (repo)
    where history.history_pages_complete
    group by history.repo
),

history_days as (
    -- every covered day, days without a new star included (they gained 0)
    select
        days.repo,
        days.date,
        coalesce(history.stars_gained, 0) as history_gained
    from (
        select repo, unnest(generate_series(first_star_date, history_through, interval 1 day))::date as date
        from coverage
    ) as days
    left join history on history.repo = days.repo and history.starred_date = days.date
),

days as (
    -- a day with neither a snapshot nor history coverage is left out, not invented
    select repo, date from snapshots
    union
    select repo, date from history_days
),

joined as (
    select
        days.repo,
        days.date,
        snapshots.stars as snapshot_stars,
        history_days.history_gained
    from days
    left join snapshots using (repo, date)
    left join history_days using (repo, date)
    anti join not_found_days using (repo, date)
),

eras as (
    -- era n holds the n-th snapshot and the history days that follow it (era 0: before any snapshot)
    select
        *,
        count(snapshot_stars) over (
            partition by repo order by date rows between unbounded preceding and current row
        ) as era
    from joined
),

figures as (
    select
        repo,
        date,
        snapshot_stars,
        history_gained,
        -- before the first snapshot: the cumulative history; a history day after a snapshot:
        -- that snapshot plus the stars gained since
        coalesce(
            snapshot_stars,
            coalesce(max(snapshot_stars) over by_era, 0)
                + sum(case when snapshot_stars is null then history_gained else 0 end) over (
                    by_era order by date rows between unbounded preceding and current row)
        )::bigint as stars
    from eras
    window by_era as (partition by repo, era)
),

with_previous as (
    select
        *,
        lag(date) over by_repo as previous_date,
        lag(stars) over by_repo as previous_stars
    from figures
    window by_repo as (partition by repo order by date)
),

final as (
    select
        with_previous.repo,
        with_previous.date,
        with_previous.stars,
        case
            when snapshot_stars is null then history_gained
            -- only against the day before: a gap of missed days is not spread over them
            when previous_date = with_previous.date - 1 then stars - previous_stars
        end as stars_gained,
        case when snapshot_stars is not null then 'snapshot' else 'history' end as source_of_figure,
        coalesce(labels.category, '(uncategorised)') as category,
        labels.family,
        labels.organization,
        coalesce(capped.history_capped, false) as history_capped
    from with_previous
    left join labels using (repo)
    left join capped using (repo)
)

select * from final
