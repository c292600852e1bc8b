"""Queries of the SQL page: the schema browser (every mart, its grain and its columns), and the
example queries a user can start from.

Every mart carries its grain ("one row per …") as its table COMMENT, copied into the serving
copy when it is published.
"""

QUERIES: dict[str, str] = {
    "sql_schema_tables": """
        SELECT table_name, comment AS grain
        FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name = 'marts'
        ORDER BY table_name""",

    "sql_schema_columns": """
        SELECT table_name, column_name, data_type
        FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = 'marts'
        ORDER BY table_name, column_index""",
}

# Shown to the user and run in the read-only sandbox (dashboard/sql_sandbox.py), not through
# dashboard.data: they are starting points to edit, so they read as a person would write them.
EXAMPLES: dict[str, str] = {
    "Market share by model family, latest snapshot": """\
-- Share of the Hub's 30-day downloads by model family, counting fine-tunes,
-- quantizations and merges for the family of their root base model
SELECT key AS family, models, downloads_30d,
       round(100 * share_of_downloads_30d, 1) AS share_percent
FROM marts.market_share_daily
WHERE attribution = 'lineage' AND dimension = 'family'
  AND snapshot_date = (SELECT max(snapshot_date) FROM marts.market_share_daily)
ORDER BY downloads_30d DESC""",

    "Cheapest current prices": """\
-- Today's prices, cheapest first, blended at 3 input tokens to 1 output token
SELECT provider_name, model_name, input_usd_per_mtok, output_usd_per_mtok,
       blended_3to1_usd_per_mtok, context_window_tokens
FROM marts.current_prices
ORDER BY blended_3to1_usd_per_mtok, provider_name, model_name
LIMIT 20""",

    "Price-performance frontier, latest month": """\
-- Models no other model beats on both price and quality, per benchmark, in its latest month
SELECT benchmark, month_start, display_name, organization, is_open_weights,
       quality_score, blended_usd_per_mtok, cheapest_provider
FROM marts.price_performance
WHERE is_on_frontier
QUALIFY month_start = max(month_start) OVER (PARTITION BY benchmark)
ORDER BY benchmark, blended_usd_per_mtok""",

    "Fastest-growing GitHub repositories": """\
-- Tracked open-model repositories by stars gained over the last 30 days
SELECT repo, category, stars, stars_gained_30d, growth_30d, rank_in_category_30d
FROM marts.repo_growth
WHERE stars IS NOT NULL
ORDER BY stars_gained_30d DESC NULLS LAST, stars DESC""",

    "Data freshness": """\
-- Each source's latest run and latest successful run
SELECT source, last_status, last_run_at, last_success_at, last_success_rows, runs_total, runs_failed
FROM marts.data_freshness
ORDER BY source""",
}
