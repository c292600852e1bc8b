"""Hugging Face Hub models: GET /api/models, page by page, one row per model per snapshot date.

Uses huggingface_hub's own HTTP session, auth headers (HF_TOKEN, never logged) and error
mapping, but walks the `Link: rel="next"` cursor itself: HfApi.list_models hides the cursor, and
we must save it after every landed page so a run that dies resumes instead of restarting.

Scope: the top-N models by downloads plus the models of tracked authors (default), or `full`
(every public model, 1 000 a page). The crawl is a list of phases (top-N, then one per author);
the saved cursor names the phase, its next URL and the models seen so far.
- 429: wait for the RateLimit reset (bounded by settings.http_max_wait_s), then retry.
- 5xx and dropped connections: retry with backoff, then fail the run (landed pages are kept).
- A page that is not a JSON list fails the run with one clear line; nothing of it is loaded.
- A record without a usable id is counted (`malformed_records`) and its position logged.

Parsing: polars reads a page straight into an explicit schema and normalises it with column
expressions (the Hub sends ~1 000 records a page; a Python loop over dicts is 10x slower). A page
polars refuses (a value of the wrong type, a record that is not an object) goes through the
tolerant per-record path instead, which keeps the good records and counts the bad ones.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import polars as pl
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

from collectors.http import send_with_retries
from collectors.runs import Batch, RunContext, SourceError, log_event, parse_timestamp
from collectors.settings import Settings

SOURCE = "hf"
RAW_TABLE = "raw.hf_models"
EXPECTED_CADENCE_H = 24
PAGE_SIZE = 1000
EXPAND = ["author", "downloads", "downloadsAllTime", "likes", "trendingScore", "tags", "pipeline_tag",
          "library_name", "createdAt", "lastModified", "gated", "safetensors"]
LINEAGE_RELATIONS = ("finetune", "adapter", "quantized", "merge")

HF_MODELS_SCHEMA = {
    "snapshot_date": pl.Date,
    "source": pl.String,
    "model_id": pl.String,
    "author": pl.String,
    "downloads_30d": pl.Int64,
    "downloads_all_time": pl.Int64,
    "likes": pl.Int64,
    "trending_score": pl.Float64,
    "pipeline_tag": pl.String,
    "library_name": pl.String,
    "license_id": pl.String,
    "base_models": pl.List(pl.Struct({"relation": pl.String, "base_model_id": pl.String})),
    "parameters": pl.Int64,
    "gated": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "last_modified": pl.Datetime("us", "UTC"),
    "collected_at": pl.Datetime("us", "UTC"),
    "run_id": pl.String,
}


# What a listing page holds, as polars should read it (fields we do not use are skipped).
PAGE_SCHEMA = {
    "id": pl.String,
    "modelId": pl.String,
    "author": pl.String,
    "downloads": pl.Int64,
    "downloadsAllTime": pl.Int64,
    "likes": pl.Int64,
    "trendingScore": pl.Float64,
    "tags": pl.List(pl.String),
    "pipeline_tag": pl.String,
    "library_name": pl.String,
    "createdAt": pl.String,
    "lastModified": pl.String,
    "gated": pl.String,
    "safetensors": pl.Struct({"total": pl.Int64}),
}
_LINEAGE_TAG = rf"^base_model:(?<relation>{'|'.join(LINEAGE_RELATIONS)}):(?<base_model_id>.+)$"


# -- scope -----------------------------------------------------------------------------------------

def tracked_authors(settings: Settings) -> list[str]:
    """Authors whose models are collected besides the top N, from settings.hf_authors_file or the
    tracked organisations of the reference data. A file we cannot use is an error naming it."""
    path = settings.hf_authors_file or Path(str(files("warehouse").joinpath("reference", "organizations.csv")))
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"hf: cannot read the tracked-authors file {path}: {exc}") from None
    if not rows or "author" not in rows[0]:
        raise SourceError(f"hf: tracked-authors file {path} needs a header with an `author` column")
    authors = [row["author"].strip() for row in rows
               if (row.get("author") or "").strip() and (row.get("tracked") or "true").strip().lower() == "true"]
    return list(dict.fromkeys(authors))


def first_page_url(settings: Settings, full: bool, top_n: int, author: str | None = None) -> str:
    limit = PAGE_SIZE if full else min(PAGE_SIZE, top_n)
    query = [("author", author)] if author else []
    query += [("sort", "downloads"), ("direction", "-1"), ("limit", str(limit))]
    query += [("expand[]", field) for field in EXPAND]
    return f"{settings.hf_endpoint.rstrip('/')}/api/models?{urlencode(query)}"


def crawl_phases(settings: Settings, full: bool, top_n: int, authors: bool) -> list[tuple[str, str, int | None]]:
    """(label, first page URL, model cap or None) for each part of the crawl, in order."""
    if full:
        return [("full Hub", first_page_url(settings, True, top_n), None)]
    phases = [(f"top {top_n:,}", first_page_url(settings, False, top_n), top_n)]
    if authors:
        cap = settings.hf_author_top_n
        phases += [(f"author {name}", first_page_url(settings, False, cap, author=name), cap)
                   for name in tracked_authors(settings)]
    return phases


# -- fetch: network only ---------------------------------------------------------------------------


def fetch_page(url: str, settings: Settings, sleep=time.sleep) -> tuple[bytes, str | None]:
    """One listing page: (body, next page URL or None). Retries 429/5xx within settings' bounds."""
    session = get_session()
    # False, not None: with None huggingface_hub sends the machine's cached login to whatever
    # endpoint is configured (a mirror, a test server); only a token the user set (HF_TOKEN) goes out
    headers = build_hf_headers(token=settings.hf_token.get_secret_value() if settings.hf_token else False,
                               library_name="open-model-observatory")
    response = send_with_retries(
        lambda: session.get(url, headers=headers, timeout=settings.http_timeout_s), settings,
        what="hf", target=settings.hf_endpoint, sleep=sleep,
        unreachable=(httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.UnsupportedProtocol),
        transient=(httpx2.TransportError,))
    if response.status_code != 200:
        try:
            hf_raise_for_status(response)  # the Hub's own explanation (gated, not found, auth…)
        except Exception as exc:
            raise SourceError(f"hf: {str(exc).splitlines()[0]}") from None
        raise SourceError(f"hf: HTTP {response.status_code} from {url}")
    return response.content, response.links.get("next", {}).get("url")


# -- parse and normalise: pure ---------------------------------------------------------------------

def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def normalise_record(record: dict, snapshot_date: date, run_id: str, collected_at: datetime) -> dict | None:
    """One Hub listing record -> one row, or None when it has no usable id."""
    model_id = record.get("id") or record.get("modelId")
    if not isinstance(model_id, str) or not model_id:
        return None
    tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
    license_id = next((t.removeprefix("license:") for t in tags if t.startswith("license:")), None)
    base_models = []
    for tag in tags:
        if tag.startswith("base_model:"):
            relation, _, base = tag.removeprefix("base_model:").partition(":")
            if relation in LINEAGE_RELATIONS and base:
                base_models.append({"relation": relation, "base_model_id": base})
    safetensors = record.get("safetensors")
    gated = record.get("gated")
    return {
        "snapshot_date": snapshot_date,
        "source": "huggingface-hub",
        "model_id": model_id,
        "author": record.get("author") or (model_id.split("/", 1)[0] if "/" in model_id else None),
        "downloads_30d": _int(record.get("downloads")),
        "downloads_all_time": _int(record.get("downloadsAllTime")),
        "likes": _int(record.get("likes")),
        "trending_score": float(score) if isinstance(score := record.get("trendingScore"), (int, float))
        and not isinstance(score, bool) else None,
        "pipeline_tag": record.get("pipeline_tag") if isinstance(record.get("pipeline_tag"), str) else None,
        "library_name": record.get("library_name") if isinstance(record.get("library_name"), str) else None,
        "license_id": license_id,
        "base_models": base_models,
        "parameters": _int(safetensors.get("total")) if isinstance(safetensors, dict) else None,
        "gated": str(gated).lower() if gated not in (None, "") else None,
        "created_at": parse_timestamp(record.get("createdAt")),
        "last_modified": parse_timestamp(record.get("lastModified")),
        "collected_at": collected_at,
        "run_id": run_id,
    }


def normalise_page(page: pl.DataFrame, snapshot_date: date, run_id: str, collected_at: datetime) -> pl.DataFrame:
    """The column-expression twin of normalise_record, for a page polars read with PAGE_SCHEMA.
    Rows without an id are kept (model_id null) for the caller to count and drop."""
    model_id = pl.coalesce(pl.col("id").replace("", None), pl.col("modelId").replace("", None))
    tags = pl.col("tags").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    timestamp = {"format": "%Y-%m-%dT%H:%M:%S%.fZ", "strict": False, "time_unit": "us", "time_zone": "UTC"}
    return page.select(
        snapshot_date=pl.lit(snapshot_date, dtype=pl.Date),
        source=pl.lit("huggingface-hub"),
        model_id=model_id,
        author=pl.coalesce(pl.col("author").replace("", None),
                           pl.when(model_id.str.contains("/", literal=True)).then(model_id.str.split("/").list.first())),
        downloads_30d="downloads",
        downloads_all_time="downloadsAllTime",
        likes="likes",
        trending_score="trendingScore",
        pipeline_tag="pipeline_tag",
        library_name="library_name",
        license_id=tags.list.eval(pl.element().filter(pl.element().str.starts_with("license:"))
                                  .str.strip_prefix("license:")).list.first(),
        base_models=tags.list.eval(pl.element().filter(pl.element().str.contains(_LINEAGE_TAG))
                                   .str.extract_groups(_LINEAGE_TAG)),
        parameters=pl.col("safetensors").struct.field("total"),
        gated=pl.col("gated").str.to_lowercase().replace("", None),
        created_at=pl.col("createdAt").str.to_datetime(**timestamp),
        last_modified=pl.col("lastModified").str.to_datetime(**timestamp),
        collected_at=pl.lit(collected_at, dtype=pl.Datetime("us", "UTC")),
        run_id=pl.lit(run_id),
    ).cast(HF_MODELS_SCHEMA)


def _decode_error(body: bytes, url: str) -> SourceError | None:
    try:
        records = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return SourceError(f"hf: page {url} is not valid JSON ({exc.__class__.__name__}: {exc}); "
                           f"pages before it are kept and the next run resumes here")
    if not isinstance(records, list):
        return SourceError(f"hf: page {url} is JSON but not a list of models")
    return None


def parse_page(body: bytes, url: str, ctx: RunContext, log_dir=None) -> pl.DataFrame:
    try:
        page = pl.read_json(io.BytesIO(body), schema=PAGE_SCHEMA) if body.lstrip()[:1] == b"[" else None
    except (pl.exceptions.PolarsError, ValueError):
        page = None
    if page is None:
        if error := _decode_error(body, url):
            raise error
        frame = _parse_records(json.loads(body), url, ctx, log_dir)
    else:
        frame = normalise_page(page, ctx.snapshot_date, ctx.run_id, ctx.collected_at)
        missing_id = frame.select(pl.col("model_id").is_null().arg_true()).to_series().to_list()
        if missing_id and len(missing_id) == frame.height:
            raise _no_ids(url, frame.height)
        for position in missing_id:
            _count_malformed(ctx, log_dir, url, position, None)
        if missing_id:
            frame = frame.filter(pl.col("model_id").is_not_null())
    ctx.count("no_license_tag", frame.select(pl.col("license_id").is_null().sum()).item())
    return frame


def _count_malformed(ctx: RunContext, log_dir, url: str, position: int, record_id: Any) -> None:
    ctx.count("malformed_records")
    if log_dir is not None:
        log_event(log_dir, ctx.run_id, SOURCE, "malformed_record", page=url, position=position, id=record_id)


def _parse_records(records: list, url: str, ctx: RunContext, log_dir=None) -> pl.DataFrame:
    """The slow, forgiving path: one record at a time, bad ones counted and logged."""
    rows = []
    for position, record in enumerate(records):
        row = normalise_record(record, ctx.snapshot_date, ctx.run_id, ctx.collected_at) \
            if isinstance(record, dict) else None
        if row is None:
            _count_malformed(ctx, log_dir, url, position, record.get("id") if isinstance(record, dict) else None)
            continue
        rows.append(row)
    if records and not rows:
        raise _no_ids(url, len(records))
    return pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)


def _no_ids(url: str, records: int) -> SourceError:
    # a page where no record has an id is a changed schema, not a page of bad records: loading
    # nothing and calling the run ok would let `omo status` call a broken source fresh
    return SourceError(f"hf: none of the {records} records of page {url} has an id (`id` or `modelId`): has "
                       "the listing's schema changed? pages before it are kept and the next run resumes here")


# -- the pipeline's entry point --------------------------------------------------------------------

def collect(settings: Settings, ctx: RunContext, full: bool = False, top_n: int | None = None,
            authors: bool | None = None) -> Iterator[Batch]:
    top_n = top_n or settings.hf_top_n
    authors = settings.hf_tracked_authors if authors is None else authors
    phases = crawl_phases(settings, full, top_n, authors)
    ctx.detail = f"{settings.hf_endpoint}; scope " + (
        "full Hub" if full else f"top {top_n:,} by downloads"
        + (f" + {len(phases) - 1} tracked authors (top {settings.hf_author_top_n:,} each)" if authors else ""))
    phase, url, seen = 0, phases[0][1], 0
    if ctx.resume_cursor:
        phase, url, seen = _read_cursor(ctx.resume_cursor)
    # A tracked author's top models are usually in the top N already: drop those repeats. Only a
    # phased crawl needs this (a full crawl relies on staging's dedupe), and the ids stay in one
    # polars Series so each page's check is a hash probe, not a Python-list rebuild.
    ids_seen = pl.Series("model_id", [], dtype=pl.String)
    while phase < len(phases):
        label, _, cap = phases[phase]
        body, next_url = fetch_page(url, settings)
        frame = parse_page(body, url, ctx, settings.log_dir)
        # Rankings can shift mid-crawl and repeat a model on the next page: keep the first
        # sighting here (staging also dedupes, for runs that resumed and lost this set).
        frame = frame.unique("model_id", keep="first", maintain_order=True)
        if cap is not None and seen + frame.height >= cap:
            frame, next_url = frame.head(cap - seen), None
        seen += frame.height
        if len(phases) > 1:
            if phase > 0:
                frame = frame.filter(~pl.col("model_id").is_in(ids_seen.implode()))
            ids_seen.append(frame.get_column("model_id"))
        if next_url is None:
            phase, seen = phase + 1, 0
            next_url = phases[phase][1] if phase < len(phases) else None
        cursor = json.dumps({"phase": phase, "url": next_url, "seen": seen}) if next_url else None
        yield Batch(RAW_TABLE, frame, cursor=cursor)
        url = next_url


def _read_cursor(cursor: str) -> tuple[int, str, int]:
    try:
        saved = json.loads(cursor)
        return int(saved["phase"]), str(saved["url"]), int(saved["seen"])
    except (ValueError, KeyError, TypeError):
        return 0, cursor, 0  # a cursor saved before crawls had phases: a bare top-N URL
