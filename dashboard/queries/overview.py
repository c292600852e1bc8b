"""Queries of the Overview page: headline figures, movers, freshness, runs, published tables."""

# The Hub snapshot the headline deltas compare with: the latest one at least 7 days before the
# newest snapshot, or, while history is shorter, the oldest one.
# The days come from license_share_daily (a few rows per day), not model_downloads_daily (one row
# per model per day): every listed model has a licence row, so the days are the same.
_COMPARED_DAYS = """
    days AS (SELECT DISTINCT snapshot_date FROM marts.license_share_daily),
    picked AS (
        SELECT max(snapshot_date) AS latest_date,
               coalesce(max(snapshot_date) FILTER (WHERE snapshot_date <= (SELECT max(snapshot_date) FROM days) - 7),
                        min(snapshot_date)) AS compare_date
        FROM days
    )"""

QUERIES: dict[str, str] = {
    # one row per compared day (newest first): models, 30-day downloads, permissive share, top family
    "overview_hub_kpis": f"""
        WITH {_COMPARED_DAYS},
        compared AS (
            SELECT latest_date AS snapshot_date, 'latest' AS role FROM picked
            UNION ALL
            SELECT compare_date, 'compare' FROM picked WHERE compare_date < latest_date
        ),
        totals AS (
            SELECT snapshot_date, sum(models) AS models, sum(downloads_30d)::BIGINT AS downloads_30d
            FROM marts.license_share_daily WHERE snapshot_date IN (SELECT snapshot_date FROM compared)
            GROUP BY ALL
        ),
        permissive AS (
            SELECT snapshot_date, sum(share_of_downloads_30d) FILTER (WHERE license_class = 'permissive')
                   AS permissive_share
            FROM marts.license_share_daily WHERE snapshot_date IN (SELECT snapshot_date FROM compared)
            GROUP BY ALL
        ),
        top_family AS (
            SELECT key AS top_family, share_of_downloads_30d AS top_family_share
            FROM marts.market_share_daily
            WHERE attribution = 'lineage' AND dimension = 'family' AND key <> '(unclassified)'
              AND snapshot_date = (SELECT latest_date FROM picked)
            ORDER BY share_of_downloads_30d DESC LIMIT 1
        ),
        family_then AS (
            -- the same family's share on each compared day, so the delta follows one family
            SELECT snapshot_date, share_of_downloads_30d AS top_family_share
            FROM marts.market_share_daily
            WHERE attribution = 'lineage' AND dimension = 'family'
              AND key = (SELECT top_family FROM top_family)
        )
        SELECT compared.role, compared.snapshot_date, totals.models, totals.downloads_30d,
               coalesce(permissive.permissive_share, 0) AS permissive_share,
               (SELECT top_family FROM top_family) AS top_family,
               coalesce(family_then.top_family_share, 0) AS top_family_share
        FROM compared
        JOIN totals USING (snapshot_date)
        LEFT JOIN permissive USING (snapshot_date)
        LEFT JOIN family_then USING (snapshot_date)
        ORDER BY compared.snapshot_date DESC""",

    # the price of the reference quality level: now, and a year earlier (or the first month known)
    "overview_reference_price": """
        WITH reference AS (
            SELECT * FROM marts.cheapest_price_at_quality WHERE is_reference_threshold
        ),
        best_benchmark AS (
            -- the board with the longest curve speaks for the headline
            SELECT benchmark FROM reference GROUP BY benchmark ORDER BY count(*) DESC, benchmark LIMIT 1
        ),
        curve AS (
            SELECT * FROM reference WHERE benchmark = (SELECT benchmark FROM best_benchmark)
        ),
        latest AS (SELECT * FROM curve ORDER BY month_start DESC LIMIT 1),
        year_before AS (
            SELECT * FROM curve
            WHERE month_start <= (SELECT month_start FROM latest) - INTERVAL 12 MONTH
               OR month_start = (SELECT min(month_start) FROM curve)
            ORDER BY month_start DESC LIMIT 1
        )
        SELECT latest.benchmark, latest.quality_threshold, latest.month_start,
               latest.cheapest_blended_usd_per_mtok, latest.cheapest_model_name,
               year_before.month_start AS compare_month,
               year_before.cheapest_blended_usd_per_mtok AS compare_blended_usd_per_mtok,
               latest.yearly_decline_factor
        FROM latest CROSS JOIN year_before""",

    # models whose 30-day downloads grew most between the compared snapshots
    "overview_movers": """
        SELECT movers.model_id, profiles.family, profiles.organization,
               movers.downloads_30d_before, movers.downloads_30d_now, movers.change, movers.change_ratio,
               movers.compare_date AS compared_with
        FROM marts.model_downloads_weekly_change AS movers
        LEFT JOIN marts.hf_model_profile AS profiles USING (model_id)
        WHERE movers.change <> 0
        ORDER BY movers.change DESC, movers.model_id
        LIMIT $limit""",

    "published_at": "SELECT published_at FROM main.published",

    "source_freshness": """
        SELECT source, last_run_at, last_status, last_error, last_success_at, last_snapshot_date,
               last_success_rows, last_success_detail, runs_total, runs_failed
        FROM marts.data_freshness ORDER BY source""",

    "recent_runs": """
        SELECT started_at, source, status, rows_loaded, round(duration_s, 1) AS duration_s,
               coalesce(error, detail) AS detail
        FROM marts.collector_run_log ORDER BY started_at DESC LIMIT 20""",

    "mart_sizes": """
        SELECT schema_name || '.' || table_name AS "table", estimated_size AS "rows", comment AS grain
        FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1""",
}
