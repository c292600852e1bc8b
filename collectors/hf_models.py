"""Hugging Face Hub models: GET /api/models, page by page, one row per model per snapshot date.

Uses huggingface_hub's own HTTP session, auth headers (HF_TOKEN, never logged) and error
mapping, but walks the `Link: rel="next"` cursor itself: HfApi.list_models hides the cursor, and
we must save it after every landed page so a run that dies resumes instead of restarting.

Scope: the top-N models by downloads (default), or `full` (every public model, 1 000 a page).
- 429: wait for the RateLimit reset (bounded by settings.http_max_wait_s), then retry.
- 5xx and dropped connections: retry with backoff, then fail the run (landed pages are kept).
- A page that is not a JSON list fails the run with one clear line; nothing of it is loaded.
- A record without a usable id is counted (`malformed_records`) and its position logged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import httpx2
import polars as pl
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

from collectors.http import send_with_retries
from collectors.runs import Batch, RunContext, SourceError, log_event
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


# -- fetch: network only ---------------------------------------------------------------------------

def first_page_url(settings: Settings, full: bool, top_n: int) -> str:
    limit = PAGE_SIZE if full else min(PAGE_SIZE, top_n)
    query = [("sort", "downloads"), ("direction", "-1"), ("limit", str(limit))]
    query += [("expand[]", field) for field in EXPAND]
    return f"{settings.hf_endpoint.rstrip('/')}/api/models?{urlencode(query)}"


def fetch_page(url: str, settings: Settings, sleep=time.sleep) -> tuple[bytes, str | None]:
    """One listing page: (body, next page URL or None). Retries 429/5xx within settings' bounds."""
    session = get_session()
    headers = build_hf_headers(token=settings.hf_token.get_secret_value() if settings.hf_token else None,
                               library_name="open-model-observatory")
    response = send_with_retries(
        lambda: session.get(url, headers=headers, timeout=settings.http_timeout_s), settings,
        what="hf", target=settings.hf_endpoint, sleep=sleep,
        unreachable=(httpx2.ConnectError, httpx2.UnsupportedProtocol), transient=(httpx2.TransportError,))
    if response.status_code != 200:
        try:
            hf_raise_for_status(response)  # the Hub's own explanation (gated, not found, auth…)
        except Exception as exc:
            raise SourceError(f"hf: {str(exc).splitlines()[0]}") from None
        raise SourceError(f"hf: HTTP {response.status_code} from {url}")
    return response.content, response.links.get("next", {}).get("url")


# -- parse and normalise: pure ---------------------------------------------------------------------

def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


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
        "created_at": _timestamp(record.get("createdAt")),
        "last_modified": _timestamp(record.get("lastModified")),
        "collected_at": collected_at,
        "run_id": run_id,
    }


def parse_page(body: bytes, url: str, ctx: RunContext, log_dir=None) -> pl.DataFrame:
    try:
        records = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"hf: page {url} is not valid JSON ({exc.__class__.__name__}: {exc}); "
                          f"pages before it are kept and the next run resumes here") from None
    if not isinstance(records, list):
        raise SourceError(f"hf: page {url} is JSON but not a list of models")
    rows = []
    for position, record in enumerate(records):
        row = normalise_record(record, ctx.snapshot_date, ctx.run_id, ctx.collected_at) \
            if isinstance(record, dict) else None
        if row is None:
            ctx.count("malformed_records")
            if log_dir is not None:
                log_event(log_dir, ctx.run_id, SOURCE, "malformed_record", page=url, position=position,
                          id=record.get("id") if isinstance(record, dict) else None)
            continue
        if row["license_id"] is None:
            ctx.count("no_license_tag")
        rows.append(row)
    return pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)


# -- the pipeline's entry point --------------------------------------------------------------------

def collect(settings: Settings, ctx: RunContext, full: bool = False, top_n: int | None = None) -> Iterator[Batch]:
    top_n = top_n or settings.hf_top_n
    url: str | None = ctx.resume_cursor or first_page_url(settings, full, top_n)
    seen = 0
    ctx.detail = f"{settings.hf_endpoint}; scope {'full Hub' if full else f'top {top_n:,} by downloads'}"
    while url:
        body, next_url = fetch_page(url, settings)
        frame = parse_page(body, url, ctx, settings.log_dir)
        seen += frame.height
        if not full and seen >= top_n:
            frame, next_url = frame.head(frame.height - (seen - top_n)), None
        # Rankings can shift mid-crawl, repeating a model on the next page; within a page keep the
        # first sighting (staging dedupes across pages). A resumed top-N run may overshoot N a little.
        yield Batch(RAW_TABLE, frame.unique("model_id", keep="first", maintain_order=True), cursor=next_url)
        url = next_url
