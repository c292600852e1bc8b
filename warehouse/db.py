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


@contextmanager
def open_writer(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse_path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"warehouse {warehouse_path} is locked by another process") from None
        raise
    try:
        migrate(con)
        yield con
        # Checkpoint now so no WAL is left for a replay after a later crash.
        con.execute("CHECKPOINT")
    finally:
        con.close()


def read_warehouse(warehouse_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """A collector's brief look at what is already stored (e.g. where a backfill stopped), before
    its network work. No warehouse yet: no rows. A writer holding the lock: WarehouseBusy."""
    if not warehouse_path.exists():
        return []
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"warehouse {warehouse_path} is locked by another process") from None
        raise
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.CatalogException:
        return []  # the table's migration has not run yet: nothing stored
    finally:
        con.close()
