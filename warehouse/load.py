"""Load landed Parquet into raw.* tables: one short transaction per batch, keyed by snapshot.

Reloading a (source, snapshot_date) slice replaces exactly that slice, and the run's row in
raw.collector_runs is written in the same transaction, so the log never disagrees with the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

@dataclass
class RunRecord:
    run_id: str
    source: str
    started_at: datetime
    finished_at: datetime
    status: str  # ok | failed | skipped
    snapshot_date: date | None = None
    rows_loaded: int | None = None
    pages: int | None = None
    detail: str | None = None
    error: str | None = None


def record_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    values = asdict(run)
    con.execute(f"INSERT INTO raw.collector_runs ({', '.join(values)}) "
                f"VALUES ({', '.join('?' * len(values))})", list(values.values()))


def _parquet_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


DEFAULT_REPLACE_ON = ("source", "snapshot_date")

# Raw tables that hold one row per key, with which sighting wins when a run lands a key twice
# (Hub rankings shift while a crawl pages, so a model can be listed on two pages; the later
# sighting is the fresher count). Deduplicating once here, per run, spares every build a window
# over all of history (7 s of a 200 000 x 30 build, paid by each model reading staging).
ROW_KEYS = {
    "raw.hf_models": ("snapshot_date, model_id", "collected_at DESC, downloads_all_time DESC NULLS LAST"),
}


def load_run(con: duckdb.DuckDBPyConnection, parts: Sequence[tuple[str, Path]], run: RunRecord,
             replace_on: Mapping[str, Sequence[str]] | None = None,
             between_statements: Callable[[str], None] | None = None) -> int:
    """Load a run's landed parts into their raw tables and log the run, in one transaction.

    For each table, rows whose `replace_on` key (default: source, snapshot_date) appears in the
    landed files are replaced; everything else stays. Returns the rows inserted.
    `between_statements` is called with a step name after each statement: a seam for fault tests.
    """
    by_table: dict[str, list[Path]] = {}
    for table, path in parts:
        by_table.setdefault(table, []).append(path)
    # Table names come from collector modules, never users; still, only existing raw.* tables.
    known = {f"raw.{name}" for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall()}
    for table in by_table:
        if table not in known:
            raise ValueError(f"unknown raw table {table!r}")
    step = between_statements or (lambda _name: None)
    inserted = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for table, files in by_table.items():
            key = ", ".join((replace_on or {}).get(table, DEFAULT_REPLACE_ON))
            # hive_partitioning off: the landing path's source=<collector> must not overwrite the
            # rows' own `source` column (DuckDB would otherwise infer it from the directory names).
            landed = f"read_parquet({_parquet_list(files)}, hive_partitioning = false)"
            con.execute(f"DELETE FROM {table} WHERE ({key}) IN (SELECT DISTINCT {key} FROM {landed})")
            step("deleted")
            rows = f"SELECT * FROM {landed}"
            if table in ROW_KEYS:
                row_key, fresher_first = ROW_KEYS[table]
                rows += f" QUALIFY row_number() OVER (PARTITION BY {row_key} ORDER BY {fresher_first}) = 1"
            inserted += con.execute(f"INSERT INTO {table} BY NAME {rows}").fetchone()[0]
            step("inserted")
        run.rows_loaded = inserted
        record_run(con, run)
        step("recorded")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return inserted
