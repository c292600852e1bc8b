"""Publish the marts to an immutable serving copy and swap a pointer to it atomically.

serving/omo-<version>.duckdb   one file per publish, never written again once renamed into place
serving/CURRENT                the name of the file readers should open (replaced with os.replace)

Versioned names matter: DuckDB's Python client caches one database instance per path, so a file
replaced under the same name would keep serving old data to a long-lived reader.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import duckdb

POINTER = "CURRENT"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def publish(con: duckdb.DuckDBPyConnection, serving_dir: Path, keep: int = 3) -> Path:
    serving_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    final = serving_dir / f"omo-{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(2)}.duckdb"
    tmp = final.with_name(final.name + ".tmp")
    tables = con.execute("""SELECT table_name, comment FROM duckdb_tables()
                            WHERE database_name = current_database() AND schema_name = 'marts'
                            ORDER BY table_name""").fetchall()
    con.execute(f"ATTACH {_quote(str(tmp))} AS serving_copy")
    try:
        con.execute("CREATE SCHEMA serving_copy.marts")
        for name, comment in tables:
            con.execute(f"CREATE TABLE serving_copy.marts.{name} AS SELECT * FROM marts.{name}")
            if comment:
                con.execute(f"COMMENT ON TABLE serving_copy.marts.{name} IS {_quote(comment)}")
        con.execute("CREATE TABLE serving_copy.main.published AS SELECT ?::TIMESTAMPTZ AS published_at",
                    [now])
    finally:
        con.execute("DETACH serving_copy")
    _fsync(tmp)
    os.replace(tmp, final)
    pointer_tmp = serving_dir / f"{POINTER}.tmp"
    pointer_tmp.write_text(final.name + "\n", encoding="utf-8")
    _fsync(pointer_tmp)
    os.replace(pointer_tmp, serving_dir / POINTER)
    _prune(serving_dir, final, keep)
    return final


def _prune(serving_dir: Path, current: Path, keep: int) -> None:
    """Delete old copies. A reader still holding one open keeps its data (POSIX unlink semantics)."""
    versions = sorted(serving_dir.glob("omo-*.duckdb"), reverse=True)
    for old in versions[keep:]:
        if old != current:
            old.unlink(missing_ok=True)
    for orphan in serving_dir.glob("omo-*.duckdb.tmp"):
        if orphan != current:
            orphan.unlink(missing_ok=True)
