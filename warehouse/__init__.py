"""The DuckDB warehouse: migrations, loading landed Parquet, building models, publishing."""
