"""OpenRouter's public model list: per-token prices of every routed model, and Hub links.

GET settings.openrouter_url (`/api/v1/models`, no key needed) answers {"data": [...], "links":
{"next": …}}; `links.next` is followed when present. Per model we keep the prompt, completion and
cache prices (OpenRouter quotes USD per token as strings; stored per 1M tokens), the context
length, `hugging_face_id` (which links a priced model to its open-weight Hub repo) and the
Artificial Analysis indices OpenRouter republishes under `benchmarks`.
- Time-of-day schedules (`pricing.overrides`) keep the listed base price, counted.
- A price of "-1" means "varies by route" (openrouter/auto and friends): kept with null prices and
  `is_variable_price`, counted.
- A record without an id is counted (`malformed_records`) and skipped; a body that is not the
  expected envelope fails the run with one line. Offline, the run fails with one line: this
  source needs the network and has no packaged copy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin

import polars as pl

from collectors.http import get_bytes
from collectors.runs import Batch, RunContext, SourceError

SOURCE = "openrouter"
RAW_TABLE = "raw.openrouter_models"
EXPECTED_CADENCE_H = 24
MAX_PAGES = 100  # the list is one page today; a runaway `next` chain must still end

OPENROUTER_SCHEMA = {
    "snapshot_date": pl.Date, "source": pl.String, "model_id": pl.String, "canonical_slug": pl.String,
    "model_name": pl.String, "hugging_face_id": pl.String, "created_at": pl.Datetime("us", "UTC"),
    "context_window_tokens": pl.Int64, "input_usd_per_mtok": pl.Float64, "output_usd_per_mtok": pl.Float64,
    "cache_read_usd_per_mtok": pl.Float64, "cache_write_usd_per_mtok": pl.Float64,
    "is_variable_price": pl.Boolean, "modality": pl.String, "aa_intelligence_index": pl.Float64,
    "aa_coding_index": pl.Float64, "aa_agentic_index": pl.Float64,
    "collected_at": pl.Datetime("us", "UTC"), "run_id": pl.String,
}


def _per_mtok(value: Any) -> float | None:
    """'0.00000045' USD per token -> 0.45 USD per 1M tokens (decimal, so no 0.44999…)."""
    try:
        per_token = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return float(per_token * 1_000_000) if per_token >= 0 else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def normalise_model(record: dict, ctx: RunContext) -> dict | None:
    model_id = record.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    pricing = record.get("pricing") if isinstance(record.get("pricing"), dict) else {}
    created = record.get("created")
    analysis = (record.get("benchmarks") or {}).get("artificial_analysis") or {} \
        if isinstance(record.get("benchmarks"), dict) else {}
    return {
        "snapshot_date": ctx.snapshot_date, "source": SOURCE, "model_id": model_id,
        "canonical_slug": record.get("canonical_slug"), "model_name": record.get("name"),
        "hugging_face_id": record.get("hugging_face_id") or None,
        "created_at": datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
        "context_window_tokens": record.get("context_length") if isinstance(record.get("context_length"), int) else None,
        "input_usd_per_mtok": _per_mtok(pricing.get("prompt")),
        "output_usd_per_mtok": _per_mtok(pricing.get("completion")),
        "cache_read_usd_per_mtok": _per_mtok(pricing.get("input_cache_read")),
        "cache_write_usd_per_mtok": _per_mtok(pricing.get("input_cache_write")),
        "is_variable_price": str(pricing.get("prompt")).strip() == "-1",
        "modality": (record.get("architecture") or {}).get("modality"),
        "aa_intelligence_index": _number(analysis.get("intelligence_index")),
        "aa_coding_index": _number(analysis.get("coding_index")),
        "aa_agentic_index": _number(analysis.get("agentic_index")),
        "collected_at": ctx.collected_at, "run_id": ctx.run_id,
    }


def parse_page(body: bytes, url: str, ctx: RunContext) -> tuple[pl.DataFrame, str | None]:
    """One /api/v1/models answer -> (rows, URL of the next page or None)."""
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"openrouter: {url} is not valid JSON ({exc})") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), list):
        raise SourceError(f"openrouter: {url} answered without a `data` list of models")
    rows = []
    for record in envelope["data"]:
        row = normalise_model(record, ctx) if isinstance(record, dict) else None
        if row is None:
            ctx.count("malformed_records")
            continue
        ctx.count("variable_price_models", int(row["is_variable_price"]))
        ctx.count("with_hugging_face_id", int(row["hugging_face_id"] is not None))
        # time-of-day price schedules: the base (listed) price is kept, as for genai-prices
        ctx.count("time_of_day_overrides_ignored", int(bool(record.get("pricing", {}).get("overrides"))))
        rows.append(row)
    next_link = (envelope.get("links") or {}).get("next") if isinstance(envelope.get("links"), dict) else None
    return pl.DataFrame(rows, schema=OPENROUTER_SCHEMA), urljoin(url, next_link) if next_link else None


def collect(settings, ctx: RunContext) -> Iterator[Batch]:
    url: str | None = settings.openrouter_url
    ctx.detail = settings.openrouter_url
    frames = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        frame, url = parse_page(get_bytes(url, settings, what="openrouter"), url, ctx)
        frames.append(frame)
    else:
        raise SourceError(f"openrouter: more than {MAX_PAGES} pages; the `links.next` chain looks broken")
    models = pl.concat(frames).unique("model_id", keep="first", maintain_order=True)
    if models.is_empty():
        raise SourceError(f"openrouter: {settings.openrouter_url} listed no models")
    yield Batch(RAW_TABLE, models, pages=len(frames))
