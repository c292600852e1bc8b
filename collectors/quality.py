"""Dated quality scores per model, from a public board: `omo collect quality`.

Where the data comes from (setting OMO_QUALITY_URL, one GET through collectors.http.get_bytes):
- Default: Epoch AI's Benchmarking Hub download, https://epoch.ai/data/benchmark_data.zip (landing
  page https://epoch.ai/data/ai-benchmarking-dashboard; CC BY 4.0, credit "Epoch AI"; refreshed
  daily). The archive holds one CSV per benchmark plus `epoch_capabilities_index.csv`: the Epoch
  Capabilities Index (ECI), one score per model version that stitches 37-40+ benchmarks onto one
  scale (methodology: https://epoch.ai/data/eci-documentation), with the model's release date,
  organisation, country and accessibility (open weights vs API). Chosen as the default because it is
  the best documented and still maintained: a stable URL the publisher names, a stated licence, a
  date on every row, and an open-weights flag, which the open-vs-closed question needs. Several public
  projects read the same archive and member (an Our World in Data ETL step, benchmark scrapers), and
  the shared sample ../shared/data/quality/epoch_capabilities_index_2026-04.csv has its columns. (Not
  fetched from here: this machine has no internet; the URL and member name come from those sources.)
  Epoch also serves https://epoch.ai/data/eci_scores.csv (columns Model, eci, eci_ci_low, eci_ci_high,
  date, ...), a different shape that this module does not read.
- Alternative: an LMArena (formerly LMSYS Chatbot Arena) leaderboard CSV as published by
  fboulnois/llm-leaderboard-csv, e.g.
  https://raw.githubusercontent.com/fboulnois/llm-leaderboard-csv/main/csv/lmarena_text.csv
  (columns rank, rank_stylectrl, model, arena_score, 95_pct_ci, votes, organization, license,
  knowledge_cutoff, url; the 2024-06-19 version named the score `arena_elo`). Not the default: the
  file carries no date of its own and the repository's last update seen is 2025-08-06. A history
  file shaped like ../shared/data/quality/lmarena_text_leaderboard_history.csv (the same columns plus
  `snapshot_date`) is read too, one leaderboard date per row.

Format (setting OMO_QUALITY_FORMAT): `epoch_eci_csv`, `lmarena_csv`, or `auto` (default): from the
URL (`epoch`, `benchmark_data.zip`, `capabilities_index` -> Epoch; `lmarena`, `lmsys` -> LMArena),
else from the CSV header. An Epoch body may be the zip or the bare CSV (told apart by the zip magic).

Rules that shape the rows (one row per snapshot_date, source, benchmark, model_name, as_of):
- `model_name` is the board's own identifier (Epoch `Model version`, LMArena `model`); no renaming.
- `as_of` is the board's date for the score, and `as_of_basis` says which: Epoch's `Release date`
  (`release_date`), a history file's `snapshot_date` (`leaderboard_date`), or, for an LMArena file
  that carries no date, the day we read it (`collection_date`).
- `open_weights`: Epoch `Open weights (...)` -> true; `API access`, `Hosted access (no API)`,
  `Unreleased` -> false. LMArena `Proprietary` (also the board's typo `Propretary`) -> false; any
  named licence (Apache 2.0, Llama 3.1 Community, CC-BY-NC-4.0, ...) -> true. Blank, `N/A`, `Other`
  -> null: unknown, kept, never guessed.
- Skipped and counted, never silently: rows without a score (Epoch lists models it has too few
  benchmarks to score), rows without a model name, and repeats of a model already taken (LMArena has
  listed the same model twice; the better-ranked row is kept).
- Anything that is not the expected CSV (an HTML error page, a truncated or ragged body, a missing
  column, a zip without the member) is one SourceError naming the URL and the problem, and nothing
  is loaded. A host that cannot be reached at all (offline) says the command needs the network.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal
from urllib.parse import urlsplit

import polars as pl

from collectors.http import get_bytes
from collectors.runs import Batch, RunContext, SkipReport, SourceError, SourceUnreachable
from collectors.settings import Settings

SOURCE = "quality"
RAW_TABLE = "raw.quality_scores"
EXPECTED_CADENCE_H = 24 * 7
# The default key (source, snapshot_date): each board's day replaces only that board's day.
REPLACE_ON = {RAW_TABLE: ("source", "snapshot_date")}

Format = Literal["epoch_eci_csv", "lmarena_csv"]
EPOCH_MEMBER = "epoch_capabilities_index.csv"

QUALITY_SCHEMA = {
    "snapshot_date": pl.Date,
    "source": pl.String,
    "source_detail": pl.String,
    "benchmark": pl.String,
    "model_name": pl.String,
    "display_name": pl.String,
    "organization": pl.String,
    "country": pl.String,
    "score": pl.Float64,
    "score_scale": pl.String,
    "score_ci": pl.String,
    "votes": pl.Int64,
    "rank": pl.Int32,
    "as_of": pl.Date,
    "as_of_basis": pl.String,
    "license_or_access": pl.String,
    "open_weights": pl.Boolean,
    "collected_at": pl.Datetime("us", "UTC"),
    "run_id": pl.String,
}

EPOCH_REQUIRED = ("Model version", "ECI Score", "Release date", "Organization", "Model accessibility")
LMARENA_REQUIRED = ("rank", "model", "arena_score", "organization", "license")
ECI_SCALE = "ECI points (Epoch Capabilities Index; relative scale, higher is better)"
ARENA_SCALE = "Arena score (Elo-scale rating from pairwise human votes; higher is better)"


# -- fetch: network only ---------------------------------------------------------------------------

def fetch_board(settings: Settings) -> bytes:
    url = settings.quality_url
    if not url:
        raise SourceError("quality: no URL configured (OMO_QUALITY_URL is empty)")
    try:
        return get_bytes(url, settings, what="quality")
    except SourceUnreachable as exc:
        cause = str(exc).removeprefix("quality: ")
        raise SourceUnreachable(f"quality: needs the network and {cause}; the warehouse was not "
                                "changed (OMO_QUALITY_URL sets the source)") from None


# -- parse and normalise: pure ---------------------------------------------------------------------

def detect_format(url: str, header: list[str], setting: str = "auto") -> Format:
    if setting != "auto":
        return setting  # type: ignore[return-value]
    lowered = url.lower()
    if any(hint in lowered for hint in ("epoch", "benchmark_data.zip", "capabilities_index")):
        return "epoch_eci_csv"
    if any(hint in lowered for hint in ("lmarena", "lmsys")):
        return "lmarena_csv"
    if "Model version" in header or "ECI Score" in header:
        return "epoch_eci_csv"
    if "arena_score" in header or "arena_elo" in header:
        return "lmarena_csv"
    raise SourceError(f"quality: cannot tell the format of {url} (header {', '.join(header[:6])}); "
                      "set OMO_QUALITY_FORMAT to epoch_eci_csv or lmarena_csv")


def _csv_text(body: bytes, origin: str) -> str:
    """The body as CSV text: the Epoch member when it is a zip; HTML and binary junk are refused."""
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = {name.rsplit("/", 1)[-1]: name for name in archive.namelist()}
                if EPOCH_MEMBER not in names:
                    raise SourceError(f"quality: the archive at {origin} has no {EPOCH_MEMBER}")
                body = archive.read(names[EPOCH_MEMBER])
        except (zipfile.BadZipFile, EOFError) as exc:
            raise SourceError(f"quality: {origin} returned a broken zip archive ({exc})") from None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"quality: {origin} did not return UTF-8 CSV text") from None
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<")) or "<html" in head:
        raise SourceError(f"quality: {origin} returned an HTML page, not a CSV file")
    if not text.strip():
        raise SourceError(f"quality: {origin} returned an empty body")
    return text


def _check_shape(text: str, origin: str) -> list[str]:
    """Every record must have the header's field count; a short last line is a truncated download."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        width = len(header)
        for record in reader:
            if record and len(record) != width:
                where = f"line {reader.line_num} has {len(record)} fields, the header {width}"
                at_end = reader.line_num >= text.count("\n") and not text.endswith("\n")
                raise SourceError(f"quality: {origin} looks truncated ({where})" if at_end
                                  else f"quality: {origin} is not well-formed CSV ({where})")
    except csv.Error as exc:
        raise SourceError(f"quality: {origin} is not well-formed CSV ({exc})") from None
    return [name.strip() for name in header]


def _require(header: list[str], columns: tuple[str, ...], fmt: str, origin: str) -> None:
    missing = [name for name in columns if name not in header]
    if missing:
        raise SourceError(f"quality: {origin} lacks column(s) {', '.join(repr(m) for m in missing)} "
                          f"expected in {fmt} (the source's schema changed?)")


def _read_strings(text: str, origin: str) -> pl.DataFrame:
    """Every column as text (types come from the explicit schema later, so no guessing)."""
    try:
        frame = pl.read_csv(text.encode(), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"quality: {origin} is not well-formed CSV ({first_line})") from None
    return frame.rename({name: name.strip() for name in frame.columns})


def _text(column: str, frame: pl.DataFrame) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.String)
    stripped = pl.col(column).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def _number(column: str, frame: pl.DataFrame, dtype: pl.DataType) -> pl.Expr:
    return _text(column, frame).cast(pl.Float64, strict=False).cast(dtype, strict=False)


def _epoch_rows(frame: pl.DataFrame) -> pl.DataFrame:
    access = _text("Model accessibility", frame)
    lowered = access.str.to_lowercase()
    display = pl.coalesce(_text("Display name", frame), _text("Model name", frame))
    return frame.select(
        source=pl.lit("epoch-ai"),
        benchmark=pl.lit("epoch_eci"),
        model_name=_text("Model version", frame),
        display_name=display,
        organization=_text("Organization", frame),
        country=_text("Country", frame),
        score=_number("ECI Score", frame, pl.Float64),
        score_scale=pl.lit(ECI_SCALE),
        score_ci=pl.lit(None, dtype=pl.String),
        votes=pl.lit(None, dtype=pl.Int64),
        rank=pl.lit(None, dtype=pl.Int32),
        as_of=_text("Release date", frame).str.to_date("%Y-%m-%d", strict=False),
        as_of_basis=pl.lit("release_date"),
        license_or_access=access,
        open_weights=pl.when(lowered.str.starts_with("open weights")).then(True)
        .when(lowered.str.contains("api access|hosted access|unreleased")).then(False)
        .otherwise(None),
    )


def _lmarena_rows(frame: pl.DataFrame, url: str, snapshot_date: date) -> pl.DataFrame:
    licence = _text("license", frame)
    lowered = licence.str.to_lowercase()
    path = urlsplit(url).path.lower()
    benchmark = next((f"lmarena_{kind}" for kind in ("vision", "image") if kind in path), "lmarena_text")
    if "snapshot_date" in frame.columns:
        as_of, basis = _text("snapshot_date", frame).str.to_date("%Y-%m-%d", strict=False), "leaderboard_date"
    else:
        as_of, basis = pl.lit(snapshot_date, dtype=pl.Date), "collection_date"
    score = "arena_score" if "arena_score" in frame.columns else "arena_elo"
    return frame.select(
        source=pl.lit("lmarena"),
        benchmark=pl.lit(benchmark),
        model_name=_text("model", frame),
        display_name=_text("model", frame),
        organization=_text("organization", frame),
        country=pl.lit(None, dtype=pl.String),
        score=_number(score, frame, pl.Float64),
        score_scale=pl.lit(ARENA_SCALE),
        score_ci=_text("95_pct_ci", frame),
        votes=_number("votes", frame, pl.Int64),
        rank=_number("rank", frame, pl.Int32),
        as_of=as_of,
        as_of_basis=pl.lit(basis),
        license_or_access=licence,
        open_weights=pl.when(lowered.str.starts_with("propr")).then(False)
        .when(lowered.is_in(["n/a", "other", "unknown"])).then(None)
        .when(licence.is_not_null()).then(True)
        .otherwise(None),
    )


def normalise_board(body: bytes, *, url: str, fmt_setting: str, snapshot_date: date, run_id: str,
                    collected_at: datetime) -> tuple[pl.DataFrame, SkipReport, Format]:
    text = _csv_text(body, url)
    header = _check_shape(text, url)
    fmt = detect_format(url, header, fmt_setting)
    if fmt == "epoch_eci_csv":
        _require(header, EPOCH_REQUIRED, fmt, url)
        rows = _epoch_rows(_read_strings(text, url))
    else:
        score_columns = ("arena_score",) if "arena_elo" not in header else ()
        _require(header, tuple(c for c in LMARENA_REQUIRED if c != "arena_score") + score_columns, fmt, url)
        rows = _lmarena_rows(_read_strings(text, url), url, snapshot_date)
    report = SkipReport()
    report.skip("no_model_name", rows["model_name"].null_count())
    rows = rows.filter(pl.col("model_name").is_not_null())
    report.skip("no_score", rows["score"].null_count())
    rows = rows.filter(pl.col("score").is_not_null())
    before = rows.height
    rows = rows.unique(subset=["benchmark", "model_name", "as_of"], keep="first", maintain_order=True)
    report.skip("duplicate_model", before - rows.height)
    rows = rows.with_columns(snapshot_date=pl.lit(snapshot_date, dtype=pl.Date),
                             source_detail=pl.lit(f"{fmt} {url}"),
                             collected_at=pl.lit(collected_at, dtype=pl.Datetime("us", "UTC")),
                             run_id=pl.lit(run_id))
    frame = rows.select(list(QUALITY_SCHEMA)).cast(QUALITY_SCHEMA)  # type: ignore[arg-type]
    report.rows = frame.height
    return frame, report, fmt


# -- the pipeline's entry point --------------------------------------------------------------------

def collect(settings: Settings, ctx: RunContext) -> Iterator[Batch]:
    body = fetch_board(settings)
    frame, report, fmt = normalise_board(body, url=settings.quality_url, fmt_setting=settings.quality_format,
                                         snapshot_date=ctx.snapshot_date, run_id=ctx.run_id,
                                         collected_at=ctx.collected_at)
    if frame.is_empty():
        raise SourceError(f"quality: {settings.quality_url} holds no scored model")
    ctx.detail = f"{fmt} {settings.quality_url}; {frame['model_name'].n_unique()} models{report.describe()}"
    yield Batch(RAW_TABLE, frame)
