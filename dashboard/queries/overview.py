"""Queries of the Overview page: freshness, runs, published tables."""

QUERIES: dict[str, str] = {
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
