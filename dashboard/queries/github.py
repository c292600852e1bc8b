"""Queries of the GitHub page: stars of the tracked open-model repositories over time, how fast
they grow, who leads each category, and which model families the repos serve.

marts.repo_stars_daily holds a figure only for days it is known (a snapshot, or a day the
stargazer history covers); marts.repo_growth holds one row per tracked repo.
"""

# The selected repos' daily rows, plus a null point the day after each run of known days, so a
# line is not drawn across days without a figure (a capped history's gap before the first snapshot,
# a missed run). Series are named after the repo; a capped history says so in the legend.
_SERIES = """
    picked AS (
        SELECT daily.repo, daily.date, daily.stars, daily.stars_gained, daily.source_of_figure,
               daily.repo || CASE WHEN daily.history_capped THEN ' (history capped at 40k stars)' ELSE '' END
                   AS series,
               growth.stars AS latest_stars
        FROM marts.repo_stars_daily AS daily
        JOIN marts.repo_growth AS growth USING (repo)
        WHERE list_contains($repos, daily.repo)
    ),
    breaks AS (
        SELECT repo, series, latest_stars, date + 1 AS date
        FROM (SELECT *, lead(date) OVER (PARTITION BY repo ORDER BY date) AS next_date FROM picked)
        WHERE next_date > date + 1
    )"""

QUERIES: dict[str, str] = {
    # What the page has to show: repos, days of snapshots, whether any history was backfilled.
    "github_summary": """
        SELECT
            (SELECT count(*) FROM marts.repo_growth WHERE stars IS NOT NULL) AS repos_with_stars,
            (SELECT count(DISTINCT date) FILTER (WHERE source_of_figure = 'snapshot')
               FROM marts.repo_stars_daily) AS snapshot_days,
            (SELECT count(*) FILTER (WHERE source_of_figure = 'history')
               FROM marts.repo_stars_daily) AS history_days,
            (SELECT min(date) FROM marts.repo_stars_daily) AS first_date,
            (SELECT coalesce(max(latest_snapshot_date), max(stars_date)) FROM marts.repo_growth) AS as_of""",

    # Multiselect options, most stars first (a repo not found today keeps its last known count).
    "github_repo_options": """
        SELECT repo, stars, status, history_capped
        FROM marts.repo_growth
        WHERE stars IS NOT NULL
        ORDER BY stars DESC, repo""",

    "github_star_history": f"""
        WITH {_SERIES}
        SELECT series, date, stars, source_of_figure, latest_stars FROM picked
        UNION ALL BY NAME
        SELECT series, date, latest_stars FROM breaks
        ORDER BY latest_stars DESC, series, date""",

    # Stars per day, averaged over the known days among the last 7 (the series is daily wherever
    # it is known, history days without a new star included at 0).
    "github_star_velocity": f"""
        WITH {_SERIES},
        rolled AS (
            SELECT series, date, latest_stars,
                   avg(stars_gained) OVER (
                       PARTITION BY repo ORDER BY date
                       RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW
                   ) AS stars_per_day_7d
            FROM picked
        )
        SELECT series, date, stars_per_day_7d, latest_stars FROM rolled
        UNION ALL BY NAME
        SELECT series, date, latest_stars FROM breaks
        ORDER BY latest_stars DESC, series, date""",

    "github_categories": """
        SELECT category, count(*) AS repos
        FROM marts.repo_growth
        GROUP BY ALL
        ORDER BY category""",

    # Ranked by 30-day gain; repos whose history does not reach 30 days back follow, by stars.
    "github_leaderboard": """
        SELECT
            rank_in_category_30d AS rank,
            repo,
            CASE status
                WHEN 'ok' THEN 'ok'
                WHEN 'renamed' THEN '⚠️ renamed → ' || coalesce(full_name, '?')
                WHEN 'not_found' THEN '⛔ not found (last seen ' || coalesce(last_found_date::VARCHAR, 'never') || ')'
                ELSE coalesce(status, 'no snapshot')
            END AS status,
            stars,
            stars_gained_7d, stars_gained_30d, stars_gained_90d,
            growth_7d, growth_30d, growth_90d,
            stars_per_day_30d,
            language,
            license_spdx AS licence,
            history_capped
        FROM marts.repo_growth
        WHERE category = $category
        ORDER BY rank_in_category_30d NULLS LAST, stars DESC NULLS LAST, repo""",

    # Current stars per model family; a repo not found today no longer counts. No family: engines
    # and tools that run models of any family.
    "github_families": """
        SELECT coalesce(family, 'engines and tools (any family)') AS family,
               sum(stars)::BIGINT AS stars,
               count(*) AS repos,
               string_agg(repo, ', ' ORDER BY stars DESC, repo) AS repo_list
        FROM marts.repo_growth
        WHERE stars IS NOT NULL AND status IS DISTINCT FROM 'not_found'
        GROUP BY ALL
        ORDER BY stars DESC, family""",
}
