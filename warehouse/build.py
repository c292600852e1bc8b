"""Build the SQL models: staging views, then marts tables in dependency order, in one transaction.

Each model is one file holding one SELECT whose first line states its grain
("-- one row per ..."). Staging reads only raw.*; marts read only staging.* and other marts.
A failed build rolls back whole: the previous marts stay as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import duckdb

_MART_REF = re.compile(r"\bmarts\.(\w+)")
_STAGING_REF = re.compile(r"\bstaging\.(\w+)")


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


class BuildError(Exception):
    pass


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


def build(con: duckdb.DuckDBPyConnection) -> list[Model]:
    models = build_order(discover_models())
    con.execute("BEGIN TRANSACTION")
    try:
        for model in models:
            kind = "VIEW" if model.layer == "staging" else "TABLE"
            try:
                con.execute(f"CREATE OR REPLACE {kind} {model.relation} AS\n{model.sql}")
            except duckdb.Error as exc:
                raise BuildError(f"{model.relation}: {exc}") from None
            con.execute(f"COMMENT ON {kind} {model.relation} IS {_quote(model.grain)}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return models
