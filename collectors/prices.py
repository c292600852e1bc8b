"""LLM API prices from genai-prices (pydantic/genai-prices): live data file, or the packaged copy.

Where the data comes from (`mode`):
- "live": GET settings.prices_url (the upstream data.json). Any failure is an error.
- "packaged": the snapshot that ships inside the installed `genai-prices` wheel; no network.
- "auto" (default): live; when the host cannot be reached at all (offline), the packaged copy.
  A host that answers with an error or a malformed body is NOT silently replaced: that is a
  broken source and the run fails, leaving the warehouse's data as it was.

Rules that shape the rows (one row per provider, model, valid_from):
- Prices are USD per 1M tokens: input, output, cache read, cache write.
- Tiered prices (e.g. a higher rate past 200k prompt tokens) keep the base tier; `is_tiered` says so.
- Dated prices (`StartDateConstraint`) give an exact `valid_from`. An undated price has no known
  start: its `valid_from` is the first day we know it applied (the snapshot date, or the day before
  the first dated change that replaced it) and `valid_from_is_exact` is false.
- Skipped and counted, never silently: time-of-day discounts, batch/service-tier variants (only the
  standard price is kept), models priced only in non-token units (audio hours, searches).
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import polars as pl
from genai_prices import types as gp

from collectors.http import get_bytes
from collectors.runs import Batch, RunContext, SkipReport, SourceError, SourceUnreachable
from collectors.settings import Settings

SOURCE = "prices"
RAW_TABLE = "raw.prices"
EXPECTED_CADENCE_H = 24
PRICE_LIST = "genai-prices"

Mode = Literal["auto", "live", "packaged"]

PRICES_SCHEMA = {
    "snapshot_date": pl.Date,
    "source": pl.String,
    "source_detail": pl.String,
    "provider_id": pl.String,
    "provider_name": pl.String,
    "model_id": pl.String,
    "model_name": pl.String,
    "valid_from": pl.Date,
    "valid_from_is_exact": pl.Boolean,
    "input_usd_per_mtok": pl.Float64,
    "output_usd_per_mtok": pl.Float64,
    "cache_read_usd_per_mtok": pl.Float64,
    "cache_write_usd_per_mtok": pl.Float64,
    "is_tiered": pl.Boolean,
    "context_window_tokens": pl.Int64,
    "is_deprecated": pl.Boolean,
    "collected_at": pl.Datetime("us", "UTC"),
    "run_id": pl.String,
}


@dataclass
class PriceList:
    providers: list[gp.Provider]
    detail: str  # where it came from, e.g. "packaged genai-prices 0.2.3" or "live <url>"
    notice: str | None = None  # one line for the user, e.g. why the packaged copy was used


@dataclass
class NormaliseReport(SkipReport):
    models: int = 0


# -- fetch: network only ---------------------------------------------------------------------------

def fetch_live_price_list(settings: Settings) -> PriceList:
    if not settings.prices_url:
        raise SourceUnreachable("prices: no live URL configured (OMO_PRICES_URL is empty)")
    body = get_bytes(settings.prices_url, settings, what="prices")
    return PriceList(parse_price_list(body, origin=settings.prices_url), f"live {settings.prices_url}")


def packaged_price_list() -> PriceList:
    from genai_prices.data import providers

    version = importlib.metadata.version("genai-prices")
    return PriceList(list(providers), f"packaged genai-prices {version}")


def fetch_price_list(settings: Settings, mode: Mode = "auto") -> PriceList:
    if mode == "packaged":
        return packaged_price_list()
    try:
        return fetch_live_price_list(settings)
    except SourceUnreachable as exc:
        if mode == "live":
            raise
        fallback = packaged_price_list()
        fallback.notice = f"live prices unreachable ({exc}); using {fallback.detail}"
        return fallback


# -- parse and normalise: pure ---------------------------------------------------------------------

def parse_price_list(body: bytes, origin: str) -> list[gp.Provider]:
    """Validate the upstream data file with genai-prices' own schema, so we read exactly what the
    package itself would accept. Garbage becomes one clear SourceError."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"prices: {origin} did not return JSON ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(raw, list) or not raw:
        raise SourceError(f"prices: {origin} returned JSON but not a list of providers")
    try:
        # Private in genai-prices, but it is the exact parser the package's own updater uses.
        return gp._providers_from_raw(raw)  # noqa: SLF001
    except Exception as exc:  # pydantic.ValidationError and friends
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"prices: {origin} does not match the genai-prices schema ({first_line})") from None


def _base_usd(value: Decimal | gp.TieredPrices | None) -> tuple[float | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, gp.TieredPrices):
        return float(value.base), True
    return float(value), False


def _dated_prices(model: gp.ModelInfo, snapshot_date: date, report: NormaliseReport
                  ) -> list[tuple[date, bool, gp.ModelPrice]]:
    """[(valid_from, valid_from_is_exact, price)] for one model, following the module rules."""
    if isinstance(model.prices, gp.ModelPrice):
        return [(snapshot_date, False, model.prices)]
    undated: list[gp.ModelPrice] = []
    dated: dict[date, gp.ModelPrice] = {}
    for conditional in model.prices:
        constraint = conditional.constraint
        if constraint is None:
            undated.append(conditional.prices)
        elif isinstance(constraint, gp.StartDateConstraint):
            dated[constraint.start_date] = conditional.prices
        else:
            report.skip("time_of_day_price")
    out = [(start, True, price) for start, price in sorted(dated.items())]
    if undated:
        if len(undated) > 1:
            report.skip("extra_undated_price")
        first_change = min(dated) if dated else None
        if first_change is not None and first_change <= snapshot_date:
            known_on = first_change - timedelta(days=1)
        else:
            known_on = snapshot_date
        out.insert(0, (known_on, False, undated[0]))
    return out


def normalise_prices(providers: list[gp.Provider], *, snapshot_date: date, source_detail: str,
                     run_id: str, collected_at: datetime) -> tuple[pl.DataFrame, NormaliseReport]:
    report = NormaliseReport()
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for provider in providers:
        for model in provider.models:
            if (provider.id, model.id) in seen:
                report.skip("duplicate_model_id")
                continue
            seen.add((provider.id, model.id))
            if model.price_variants:
                report.skip("service_tier_variants_not_kept")
            model_rows = 0
            for valid_from, exact, price in _dated_prices(model, snapshot_date, report):
                attrs = vars(price)
                input_usd, input_tiered = _base_usd(attrs.get("input_mtok"))
                output_usd, output_tiered = _base_usd(attrs.get("output_mtok"))
                if input_usd is None and output_usd is None:
                    report.skip("not_token_priced")
                    continue
                cache_read_usd, cache_read_tiered = _base_usd(attrs.get("cache_read_mtok"))
                cache_write_usd, cache_write_tiered = _base_usd(attrs.get("cache_write_mtok"))
                rows.append({
                    "snapshot_date": snapshot_date,
                    "source": PRICE_LIST,
                    "source_detail": source_detail,
                    "provider_id": provider.id,
                    "provider_name": provider.name,
                    "model_id": model.id,
                    "model_name": model.name or model.id,
                    "valid_from": valid_from,
                    "valid_from_is_exact": exact,
                    "input_usd_per_mtok": input_usd,
                    "output_usd_per_mtok": output_usd,
                    "cache_read_usd_per_mtok": cache_read_usd,
                    "cache_write_usd_per_mtok": cache_write_usd,
                    "is_tiered": input_tiered or output_tiered or cache_read_tiered or cache_write_tiered,
                    "context_window_tokens": model.context_window,
                    "is_deprecated": bool(model.deprecated),
                    "collected_at": collected_at,
                    "run_id": run_id,
                })
                model_rows += 1
            report.models += model_rows > 0
    report.rows = len(rows)
    return pl.DataFrame(rows, schema=PRICES_SCHEMA), report


# -- the pipeline's entry point --------------------------------------------------------------------

def collect(settings: Settings, ctx: RunContext, mode: Mode = "auto") -> Iterator[Batch]:
    price_list = fetch_price_list(settings, mode)
    if price_list.notice:
        ctx.notify(price_list.notice)
    frame, report = normalise_prices(price_list.providers, snapshot_date=ctx.snapshot_date,
                                     source_detail=price_list.detail, run_id=ctx.run_id,
                                     collected_at=ctx.collected_at)
    if frame.is_empty():
        raise SourceError(f"prices: {price_list.detail} holds no token-priced model")
    ctx.detail = f"{price_list.detail}; {report.models} models{report.describe()}"
    yield Batch(RAW_TABLE, frame)
