-- one row per repo, starred_date: stars gained that day among the repo's current stargazers, from the latest fetch of each stargazer page
with pages as (
    select * from raw.github_star_history
),

latest_fetch as (
    -- a later run fetches a page again (the newest page is partial until it fills, and unstars
    -- shift the oldest-first list): only the most recent fetch of each page counts
    select *
    from pages
    qualify collected_at = max(collected_at) over (partition by repo, page)
),

one_row_per_page_day as (
    -- the same fetch landed twice must not count twice
    select *
    from latest_fetch
    qualify row_number() over (partition by repo, page, starred_date order by run_id desc) = 1
),

by_repo as (
    select
        repo,
        -- cumulative sums are only totals when no page between the first and the newest is missing
        min(page) = 1 and count(distinct page) = max(page) as history_pages_complete,
        max(page) as history_pages,
        arg_max(page_stars, page) as newest_page_stars,
        arg_max(snapshot_date, page) as newest_page_fetched_on,
        arg_max(source, page) as history_source
    from one_row_per_page_day
    group by repo
),

by_day as (
    select
        repo,
        starred_date,
        sum(stars_gained)::bigint as stars_gained
    from one_row_per_page_day
    group by all
),

final as (
    select
        by_day.repo,
        by_day.starred_date,
        by_day.stars_gained,
        by_repo.history_source,
        by_repo.history_pages,
        by_repo.history_pages_complete,
        -- pages hold 100 stargazers: a shorter newest page means the list ended there, so the
        -- history holds every (still standing) star up to the day that page was fetched; a full
        -- newest page (a REST series capped at 40 000 stars, or a backfill still under way) only
        -- vouches for the days it lists
        by_repo.newest_page_stars < 100 as history_reached_end,
        by_repo.newest_page_fetched_on
    from by_day
    join by_repo using (repo)
)

select * from final
