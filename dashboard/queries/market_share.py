"""Queries of the Market share page: who wins open-model downloads, and how concentrated that is.

Every slice is one (attribution, dimension) of marts.market_share_daily: attribution 'direct' or
'lineage', dimension 'organization', 'family', 'country' or 'license_class'. $downloads_basis picks
the raw Hub counts ('raw') or the adjusted ones ('adjusted': the rules of
warehouse/reference/download_adjustment_rules.csv, see marts.model_downloads_adjusted).
"""

QUERIES: dict[str, str] = {
    "market_share_snapshots": """
        SELECT count(DISTINCT snapshot_date) AS snapshots,
               min(snapshot_date) AS first_date,
               max(snapshot_date) AS latest_date
        FROM marts.market_share_daily""",

    # What the shares are shares of: the scope of the last successful `hf` run, from its detail
    # ("<endpoint>; scope top 5,000 by downloads; ..." or "...; scope full Hub; ...").
    "hub_crawl_scope": """
        SELECT nullif(regexp_extract(last_success_detail, 'scope ([^;]+)', 1), '') AS scope,
               last_snapshot_date
        FROM marts.data_freshness WHERE source = 'hf'""",

    # Stacked area: the top N keys of the latest snapshot, every other key summed into "Other",
    # one row per snapshot_date and series (zero-filled so each band spans every snapshot).
    "market_share_area": """
        WITH slice AS (
            SELECT snapshot_date, key,
                   CASE WHEN $downloads_basis = 'adjusted' THEN share_of_downloads_30d_adjusted
                        ELSE share_of_downloads_30d END AS share_of_downloads_30d,
                   CASE WHEN $downloads_basis = 'adjusted' THEN downloads_30d_adjusted
                        ELSE downloads_30d END AS downloads_30d
            FROM marts.market_share_daily
            WHERE attribution = $attribution AND dimension = $dimension
        ),
        top AS (
            SELECT key, row_number() OVER (ORDER BY downloads_30d DESC, key) AS series_order
            FROM slice
            WHERE snapshot_date = (SELECT max(snapshot_date) FROM slice)
            QUALIFY series_order <= $top_n
        ),
        summed AS (
            SELECT slice.snapshot_date,
                   coalesce(top.key, 'Other') AS series,
                   coalesce(top.series_order, $top_n + 1) AS series_order,
                   sum(slice.share_of_downloads_30d) AS share_of_downloads_30d,
                   sum(slice.downloads_30d) AS downloads_30d
            FROM slice LEFT JOIN top USING (key)
            GROUP BY ALL
        ),
        grid AS (
            SELECT days.snapshot_date, series.series, series.series_order
            FROM (SELECT DISTINCT snapshot_date FROM slice) AS days
            CROSS JOIN (SELECT DISTINCT series, series_order FROM summed) AS series
        )
        SELECT grid.snapshot_date, grid.series AS key, grid.series_order,
               coalesce(summed.share_of_downloads_30d, 0) AS share_of_downloads_30d,
               coalesce(summed.downloads_30d, 0)::BIGINT AS downloads_30d
        FROM grid LEFT JOIN summed USING (snapshot_date, series, series_order)
        ORDER BY grid.snapshot_date, grid.series_order""",

    # Top-N table: share now and its change in percentage points against the latest snapshot on
    # or before latest - 7 / latest - 30 days (NULL when history does not reach that far back; a
    # key absent from an existing comparison snapshot had a share of 0 there).
    "market_share_top": """
        WITH slice AS (
            SELECT snapshot_date, key, models,
                   CASE WHEN $downloads_basis = 'adjusted' THEN share_of_downloads_30d_adjusted
                        ELSE share_of_downloads_30d END AS share_of_downloads_30d,
                   CASE WHEN $downloads_basis = 'adjusted' THEN downloads_30d_adjusted
                        ELSE downloads_30d END AS downloads_30d
            FROM marts.market_share_daily
            WHERE attribution = $attribution AND dimension = $dimension
        ),
        latest AS (SELECT max(snapshot_date) AS latest_date FROM slice),
        compared AS (
            SELECT
                (SELECT max(snapshot_date) FROM slice, latest
                  WHERE snapshot_date <= latest.latest_date - 7) AS date_7d,
                (SELECT max(snapshot_date) FROM slice, latest
                  WHERE snapshot_date <= latest.latest_date - 30) AS date_30d
        ),
        now AS (
            SELECT slice.*, row_number() OVER (ORDER BY downloads_30d DESC, key) AS rank
            FROM slice, latest
            WHERE slice.snapshot_date = latest.latest_date
            QUALIFY rank <= $top_n
        )
        SELECT
            now.rank,
            now.key,
            now.share_of_downloads_30d AS share_now,
            CASE WHEN compared.date_7d IS NOT NULL
                 THEN 100 * (now.share_of_downloads_30d - coalesce(then_7d.share_of_downloads_30d, 0))
            END AS change_7d_pp,
            CASE WHEN compared.date_30d IS NOT NULL
                 THEN 100 * (now.share_of_downloads_30d - coalesce(then_30d.share_of_downloads_30d, 0))
            END AS change_30d_pp,
            now.downloads_30d::BIGINT AS downloads_30d,
            now.models,
            compared.date_7d AS compared_with_7d,
            compared.date_30d AS compared_with_30d
        FROM now
        CROSS JOIN compared
        LEFT JOIN slice AS then_7d ON then_7d.snapshot_date = compared.date_7d AND then_7d.key = now.key
        LEFT JOIN slice AS then_30d ON then_30d.snapshot_date = compared.date_30d AND then_30d.key = now.key
        ORDER BY now.rank""",

    "market_concentration": """
        SELECT snapshot_date, keys,
               CASE WHEN $downloads_basis = 'adjusted' THEN hhi_adjusted ELSE hhi END AS hhi,
               CASE WHEN $downloads_basis = 'adjusted' THEN top1_share_adjusted ELSE top1_share END AS top1_share,
               CASE WHEN $downloads_basis = 'adjusted' THEN top5_share_adjusted ELSE top5_share END AS top5_share
        FROM marts.market_concentration_daily
        WHERE attribution = $attribution AND dimension = $dimension
        ORDER BY snapshot_date""",

    # What each adjustment rule touched on the latest snapshot (shown beside the toggle).
    "download_adjustments": """
        SELECT rule, enabled, models_touched, downloads_30d_touched, downloads_30d_removed,
               downloads_30d_moved, share_of_downloads_30d_touched, downloads_30d_raw,
               downloads_30d_adjusted, description, snapshot_date
        FROM marts.download_adjustment_summary
        WHERE snapshot_date = (SELECT max(snapshot_date) FROM marts.download_adjustment_summary)
        ORDER BY rule""",
}
