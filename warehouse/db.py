"""The writer's connection to the warehouse file.

DuckDB allows one writing process and no readers beside it, so a writer opens late, does one
short transaction, checkpoints and closes. Nobody else opens this file: readers use the
published serving copy (warehouse.serving).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.migrate import migrate


class WarehouseBusy(Exception):
    """Another process holds the warehouse's write lock."""


def _connect(warehouse_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(warehouse_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"warehouse {warehouse_path} is locked by another process") from None
        raise


@contextmanager
def open_writer(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(warehouse_path)
    try:
        migrate(con)
        yield con
        # Checkpoint now so no WAL is left for a replay after a later crash.
        con.execute("CHECKPOINT")
    finally:
        con.close()


def read_warehouse(warehouse_path: Path, *queries: tuple[str, list]) -> list[list[tuple]]:
    """A collector's brief look at what is already stored (e.g. where a backfill stopped), before
    its network work: each (sql, params) query's rows, over one short read-only connection.
    No warehouse yet, or a table its migration has not made yet: no rows.
    A writer holding the lock: WarehouseBusy."""
    if not warehouse_path.exists():
        return [[] for _ in queries]
    con = _connect(warehouse_path, read_only=True)
    try:
        results = []
        for sql, params in queries:
            try:
                results.append(con.execute(sql, params).fetchall())
            except duckdb.CatalogException:
                results.append([])
        return results
    finally:
        con.close()
