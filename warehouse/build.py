"""Build the SQL models: staging views, then marts tables in dependency order, in one transaction.

Each model is one file holding one SELECT whose first line states its grain
("-- one row per ..."). Staging reads only raw.* and ref.*; marts read only staging.* and other
marts. ref.* holds the curated reference CSVs (warehouse/reference/), reloaded by every build so a
reviewed change to a CSV reaches the marts without a migration.
A failed build rolls back whole: the previous marts stay as they were.

Incremental builds. A mart whose second line is `-- incremental by snapshot_date` holds one row
per snapshot day (or finer) and reads its inputs from `staging.build_from()` minus the lookback
its SQL states. A full build sets build_from() to 1970-01-01 and creates the table; an incremental
one deletes the rows from build_from() on and inserts them again. build_from() is the first Hub
day whose raw rows are new or changed (in number or collection time) since the last build, minus the days a new day can still
change (the spike rule looks that far ahead). Every other mart is rebuilt whole. The build is full
when asked, when there is no previous build, or when any model, macro or reference file changed
(their sha256 is kept in build.last_build): history is re-attributed only by a full build.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import duckdb

_MART_REF = re.compile(r"\bmarts\.(\w+)")
_STAGING_REF = re.compile(r"\bstaging\.(\w+)\b(?!\s*\()")  # a call is a macro, not a model
_INCREMENTAL = "-- incremental by snapshot_date"
FULL_BUILD_FROM = "1970-01-01"


@dataclass(frozen=True)
class Model:
    layer: str  # staging | marts
    name: str
    sql: str

    @property
    def grain(self) -> str:
        return self.sql.lstrip().splitlines()[0].removeprefix("--").strip()

    @property
    def relation(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def incremental(self) -> bool:
        lines = self.sql.lstrip().splitlines()
        return self.layer == "marts" and len(lines) > 1 and lines[1].strip() == _INCREMENTAL


class BuildError(Exception):
    pass


# Each reference file with its column types and key: read with these types (no sniffing), so a
# malformed file fails the build with its name instead of silently changing a column's type.
REFERENCE_TABLES = {
    "license_classes": ({"license_class": "VARCHAR", "commercial_use": "VARCHAR",
                         "attribution_required": "BOOLEAN", "use_restrictions": "BOOLEAN",
                         "description": "VARCHAR"}, ["license_class"]),
    "licenses": ({"license_id": "VARCHAR", "license_class": "VARCHAR", "commercial_use": "VARCHAR",
                  "use_restrictions": "BOOLEAN", "note": "VARCHAR"}, ["license_id"]),
    "organizations": ({"author": "VARCHAR", "organization": "VARCHAR", "country": "VARCHAR",
                       "org_type": "VARCHAR", "tracked": "BOOLEAN"}, ["lower(author)"]),
    "families": ({"priority": "INTEGER", "match_on": "VARCHAR", "pattern": "VARCHAR",
                  "family": "VARCHAR"}, ["priority"]),
    "quality_thresholds": ({"benchmark": "VARCHAR", "quality_threshold": "DOUBLE", "is_reference": "BOOLEAN",
                            "note": "VARCHAR"},
                           ["benchmark", "quality_threshold"]),
    "model_identity_overrides": ({"name_source": "VARCHAR", "source_model_id": "VARCHAR", "model_key": "VARCHAR",
                                  "hf_repo_id": "VARCHAR", "note": "VARCHAR"},
                                 ["name_source", "lower(source_model_id)"]),
    "download_adjustment_rules": ({"rule": "VARCHAR", "enabled": "BOOLEAN", "window_days": "INTEGER",
                                   "min_days": "INTEGER", "min_downloads_per_day": "DOUBLE",
                                   "threshold": "DOUBLE", "description": "VARCHAR"}, ["rule"]),
}

# Columns whose values name things the SQL models implement: any other value would silently do
# nothing, so it fails the build instead.
REFERENCE_VALUES = {
    "download_adjustment_rules": {"rule": ("quantized_rollup", "flat_daily_downloads", "download_spike")},
}


def reference_dir():
    return files("warehouse").joinpath("reference")


def load_reference(con: duckdb.DuckDBPyConnection, directory=None) -> dict[str, int]:
    """(Re)create ref.<name> from each reference CSV; returns row counts. Call inside the build's
    transaction: a bad file rolls the whole build back."""
    directory = directory or reference_dir()
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    counts = {}
    for name, (columns, key) in REFERENCE_TABLES.items():
        path = directory.joinpath(f"{name}.csv")
        if not path.is_file():
            raise BuildError(f"reference file {path} is missing")
        types = "{" + ", ".join(f"{_quote(c)}: {_quote(t)}" for c, t in columns.items()) + "}"
        try:
            con.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM read_csv("
                        f"{_quote(str(path))}, header = true, auto_detect = false, columns = {types}, "
                        "strict_mode = true)")
            header = con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM read_csv("
                                 f"{_quote(str(path))}, header = true))").fetchall()
        except duckdb.Error as exc:
            raise BuildError(f"reference file {path}: {str(exc).splitlines()[0]}") from None
        if [c for (c,) in header] != list(columns):
            raise BuildError(f"reference file {path}: header must be {','.join(columns)}")
        keys = ", ".join(key)
        duplicate = con.execute(f"SELECT {keys} FROM ref.{name} GROUP BY ALL HAVING count(*) > 1 "
                                f"OR bool_or({' OR '.join(f'{k} IS NULL' for k in key)}) LIMIT 1").fetchall()
        if duplicate:
            raise BuildError(f"reference file {path}: key {keys} = {duplicate[0] if len(key) > 1 else duplicate[0][0]!r} is empty or repeated")
        for column, allowed in REFERENCE_VALUES.get(name, {}).items():
            unknown = con.execute(f"SELECT {column} FROM ref.{name} WHERE {column} NOT IN "
                                  f"({', '.join(map(_quote, allowed))}) LIMIT 1").fetchall()
            if unknown:
                raise BuildError(f"reference file {path}: {column} {unknown[0][0]!r} is not one of "
                                 f"{', '.join(allowed)}")
        counts[name] = con.execute(f"SELECT count(*) FROM ref.{name}").fetchall()[0][0]
    return counts


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the SQL macros the models call (warehouse/macros/*.sql), before any model."""
    for entry in sorted(files("warehouse").joinpath("macros").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            try:
                con.execute(entry.read_text(encoding="utf-8"))
            except duckdb.Error as exc:
                raise BuildError(f"macros/{entry.name}: {exc}") from None


def create_family_macro(con: duckdb.DuckDBPyConnection) -> None:
    """staging.family_of(model_id): the family of the first rule of ref.families (by priority) that
    matches, as one CASE with constant patterns. A join on the rules table would hand
    regexp_matches a pattern per row, which DuckDB compiles per row: 100 s for 200 000 ids."""
    whens = []
    for priority, match_on, pattern, family in con.execute(
            "SELECT priority, match_on, pattern, family FROM ref.families ORDER BY priority").fetchall():
        if match_on == "author":
            whens.append(f"WHEN split_part(model_id, '/', 1) = {_quote(pattern)} THEN {_quote(family)}")
        elif match_on == "id_regex":
            try:
                con.execute("SELECT regexp_matches('', ?, 'i')", [pattern]).fetchall()
            except duckdb.Error as exc:
                raise BuildError(f"reference file families.csv: priority {priority}: bad pattern "
                                 f"{pattern!r}: {str(exc).splitlines()[0]}") from None
            whens.append(f"WHEN regexp_matches(model_id, {_quote(pattern)}, 'i') THEN {_quote(family)}")
        else:
            raise BuildError(f"reference file families.csv: priority {priority}: match_on must be "
                             f"author or id_regex, not {match_on!r}")
    body = "CASE " + " ".join(whens) + " END" if whens else "NULL::VARCHAR"
    con.execute(f"CREATE OR REPLACE MACRO staging.family_of(model_id) AS {body}")


def discover_models() -> list[Model]:
    models = []
    for layer in ("staging", "marts"):
        for entry in sorted(files("warehouse").joinpath("models", layer).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".sql"):
                models.append(Model(layer, entry.name.removesuffix(".sql"),
                                    entry.read_text(encoding="utf-8").strip().rstrip(";")))
    return models


def build_order(models: list[Model]) -> list[Model]:
    """Staging first (views over raw, any order), then marts topologically by their references."""
    staging = [m for m in models if m.layer == "staging"]
    staging_names = {m.name for m in staging}
    marts = {m.name: m for m in models if m.layer == "marts"}
    for model in models:
        for ref in _STAGING_REF.findall(model.sql):
            if ref not in staging_names:
                raise BuildError(f"{model.relation} reads staging.{ref}, which has no model file")
    ordered: list[Model] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(m.name == name for m in ordered):
            return
        if name in visiting:
            raise BuildError(f"marts.{name} is part of a reference cycle")
        visiting.add(name)
        for ref in _MART_REF.findall(marts[name].sql):
            if ref == name:
                continue
            if ref not in marts:
                raise BuildError(f"marts.{name} reads marts.{ref}, which has no model file")
            visit(ref)
        visiting.discard(name)
        ordered.append(marts[name])

    for name in sorted(marts):
        visit(name)
    return staging + ordered


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _build_one(con: duckdb.DuckDBPyConnection, model: Model, incremental: bool) -> None:
    if model.incremental and incremental:
        con.execute(f"DELETE FROM {model.relation} WHERE snapshot_date >= staging.build_from()")
        con.execute(f"INSERT INTO {model.relation} BY NAME\n{model.sql}")
        return
    kind = "VIEW" if model.layer == "staging" else "TABLE"
    con.execute(f"CREATE OR REPLACE {kind} {model.relation} AS\n{model.sql}")
    con.execute(f"COMMENT ON {kind} {model.relation} IS {_quote(model.grain)}")


def fingerprint(models: list[Model], reference=None) -> str:
    """sha256 over every model, macro and reference file, and this builder's own code: any change
    makes the next build full."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for model in models:
        digest.update(f"{model.relation}\n{model.sql}\n".encode())
    macros = files("warehouse").joinpath("macros")
    for entry in sorted(macros.iterdir(), key=lambda e: e.name):
        digest.update(entry.read_bytes())
    directory = reference or reference_dir()
    for name in sorted(REFERENCE_TABLES):
        path = directory.joinpath(f"{name}.csv")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def incremental_start(con: duckdb.DuckDBPyConnection, models: list[Model], build_fingerprint: str) -> str | None:
    """The first snapshot day the per-day marts must recompute, or None for a full build."""
    last = con.execute("SELECT fingerprint FROM build.last_build").fetchall()
    if not last or last[0][0] != build_fingerprint:
        return None
    existing = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'marts'").fetchall()}
    if any(m.incremental and m.name not in existing for m in models):
        return None
    changed = con.execute("""
        WITH now AS (SELECT snapshot_date, count(*) AS raw_rows, max(collected_at) AS last_collected_at
                     FROM raw.hf_models GROUP BY ALL)
        SELECT min(snapshot_date) FROM (
            (SELECT * FROM now EXCEPT SELECT * FROM build.hub_days)
            UNION ALL
            -- a day that vanished from raw (never in normal use) changes its neighbours too
            (SELECT * FROM build.hub_days EXCEPT SELECT * FROM now))""").fetchall()[0][0]
    if changed is None:
        latest = con.execute("SELECT max(snapshot_date) FROM build.hub_days").fetchall()[0][0]
        return None if latest is None else str(latest + timedelta(days=1))
    # a new day can still change the spike judgement of the days before it (the rule looks
    # window_days ahead), so those are recomputed too
    ahead = con.execute("SELECT coalesce(max(window_days), 0) FROM ref.download_adjustment_rules "
                        "WHERE rule = 'download_spike' AND enabled").fetchall()[0][0]
    return str(changed - timedelta(days=int(ahead)))


def _save_build_state(con: duckdb.DuckDBPyConnection, build_fingerprint: str, start: str | None) -> None:
    con.execute("DELETE FROM build.last_build")
    con.execute("INSERT INTO build.last_build VALUES (current_timestamp, ?, ?, ?)",
                [build_fingerprint, "full" if start is None else "incremental", start])
    con.execute("DELETE FROM build.hub_days")
    con.execute("INSERT INTO build.hub_days SELECT snapshot_date, count(*), max(collected_at) "
                "FROM raw.hf_models GROUP BY ALL")


def build(con: duckdb.DuckDBPyConnection, reference=None,
          on_model: Callable[[Model, float], None] | None = None, full: bool = False) -> list[Model]:
    """Build every model (incrementally where it can, see the module docstring; `full` forces a
    full build); on_model(model, seconds) is called after each one (progress, timings)."""
    models = build_order(discover_models())
    build_fingerprint = fingerprint(models, reference)
    con.execute("BEGIN TRANSACTION")
    try:
        load_reference(con, reference)
        load_macros(con)
        create_family_macro(con)
        start = None if full else incremental_start(con, models, build_fingerprint)
        con.execute(f"CREATE OR REPLACE MACRO staging.build_from() AS DATE {_quote(start or FULL_BUILD_FROM)}")
        for model in models:
            started = time.perf_counter()
            try:
                _build_one(con, model, incremental=start is not None)
            except duckdb.Error as exc:
                raise BuildError(f"{model.relation}: {exc}") from None
            if on_model:
                on_model(model, time.perf_counter() - started)
        _save_build_state(con, build_fingerprint, start)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return models
