"""The claims tracker: headlines about the open-model race, each checked against the warehouse.

Claims live in a TOML file (default dashboard/claims.toml; OMO_CLAIMS_FILE to use your own), one
[[claim]] table each:

    id        = "qwen-most-downloaded"             # unique, short
    statement = "The Qwen family is the most downloaded model family on Hugging Face."
    source    = "Publication, 2026-03-01"           # where it was said, and when
    check     = '''SELECT …'''                      # one read-only query over marts.*
    chart     = '''SELECT x, y[, series] …'''       # optional: the data behind it, charted

`check` must return one row with the columns `verdict` ('holds', 'does not hold' or 'not enough
data'), `figure` (what was measured, as text) and `as_of` (the date of the data). Every query runs
in the read-only SQL sandbox (dashboard/sql_sandbox.py), like the SQL page. A malformed claim, a
failing query or a result of the wrong shape becomes an error for that claim only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard.sql_sandbox import QueryRefused, run_readonly

DEFAULT_FILE = Path(__file__).with_name("claims.toml")
VERDICTS = ("holds", "does not hold", "not enough data")
REQUIRED = ("id", "statement", "source", "check")


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: str
    check: str
    chart: str | None = None


@dataclass(frozen=True)
class Outcome:
    claim: Claim | None
    verdict: str | None = None
    figure: str | None = None
    as_of: object = None
    chart: pl.DataFrame | None = None
    error: str | None = None  # set instead of a verdict when the claim could not be checked
    label: str = ""  # what to call the claim in an error card


class ClaimsFileError(Exception):
    """The whole file is unusable (missing, not TOML): one message for the page."""


def load_claims(path: Path) -> list[Claim | Outcome]:
    """The file's claims in order; a malformed entry becomes an Outcome carrying its error."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClaimsFileError(f"claims file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ClaimsFileError(f"claims file {path} is not valid TOML: {exc}") from None
    entries = data.get("claim", [])
    if not isinstance(entries, list):
        raise ClaimsFileError(f"claims file {path}: expected [[claim]] tables")
    loaded: list[Claim | Outcome] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"claim {number}" + (f" ({entry.get('id')})" if isinstance(entry, dict) and entry.get("id") else "")
        if not isinstance(entry, dict):
            loaded.append(Outcome(None, error="not a table of fields", label=label))
            continue
        missing = [field for field in REQUIRED if not isinstance(entry.get(field), str) or not entry[field].strip()]
        unknown = sorted(set(entry) - {*REQUIRED, "chart"})
        if missing or unknown:
            problems = ([f"missing or empty: {', '.join(missing)}"] if missing else []) + \
                       ([f"unknown fields: {', '.join(unknown)}"] if unknown else [])
            loaded.append(Outcome(None, error="; ".join(problems), label=label))
            continue
        if entry["id"] in seen:
            loaded.append(Outcome(None, error=f"id {entry['id']!r} is used twice", label=label))
            continue
        seen.add(entry["id"])
        loaded.append(Claim(entry["id"], entry["statement"].strip(), entry["source"].strip(), entry["check"],
                            entry.get("chart")))
    return loaded


def evaluate(claim: Claim, serving_file: Path, *, timeout_s: float = 10) -> Outcome:
    """Run the claim's check (and chart) in the sandbox; any failure is this claim's error."""
    try:
        result = run_readonly(serving_file, claim.check, max_rows=2, timeout_s=timeout_s)
    except QueryRefused as exc:
        return Outcome(claim, error=f"check failed: {exc}", label=claim.id)
    rows = result.rows
    if set(rows.columns) < {"verdict", "figure", "as_of"} or rows.height != 1:
        return Outcome(claim, error="check must return one row with columns verdict, figure, as_of "
                                    f"(got {rows.height} row(s): {', '.join(rows.columns)})", label=claim.id)
    row = rows.row(0, named=True)
    if row["verdict"] not in VERDICTS:
        return Outcome(claim, error=f"verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}",
                       label=claim.id)
    chart = None
    if claim.chart:
        try:
            chart = run_readonly(serving_file, claim.chart, max_rows=5_000, timeout_s=timeout_s).rows
        except QueryRefused as exc:
            return Outcome(claim, row["verdict"], _text(row["figure"]), row["as_of"],
                           error=f"chart failed: {exc}", label=claim.id)
    return Outcome(claim, row["verdict"], _text(row["figure"]), row["as_of"], chart)


def _text(value: object) -> str:
    return "" if value is None else str(value)
