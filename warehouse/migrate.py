"""Numbered schema migrations: warehouse/migrations/NNNN_name.sql, applied in order, each in its
own transaction with its row in main.schema_migrations, so an old warehouse upgrades in place and
a half-applied migration never sticks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import duckdb

_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    found = []
    for entry in files("warehouse").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute("""CREATE TABLE IF NOT EXISTS main.schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""")
    return {row[0] for row in con.execute("SELECT version FROM main.schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> list[int]:
    """Apply pending migrations up to `target` (all by default); return the versions applied."""
    done = applied_versions(con)
    applied = []
    for migration in available_migrations():
        if migration.version in done or (target is not None and migration.version > target):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute("INSERT INTO main.schema_migrations (version, name) VALUES (?, ?)",
                        [migration.version, migration.name])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
