"""Queries every page may run through dashboard.data (not tied to one chart)."""

QUERIES: dict[str, str] = {
    # require_data's guard: a serving copy published before a page's marts existed lacks them
    "published_marts": """
        SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY table_name""",
}
