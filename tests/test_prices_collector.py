"""The price collector's parse and normalise rules, on a fixture of real genai-prices entries."""

from datetime import UTC, date, datetime

import pytest

from collectors.prices import normalise_prices, parse_price_list
from collectors.runs import SourceError
from tests.conftest import PRICES_FIXTURE

SNAPSHOT = date(2026, 11, 23)


@pytest.fixture
def rows_and_report():
    providers = parse_price_list(PRICES_FIXTURE, origin="fixture")
    frame, report = normalise_prices(providers, snapshot_date=SNAPSHOT, source_detail="fixture",
                                     run_id="r1", collected_at=datetime(2026, 11, 23, tzinfo=UTC))
    return frame, report


def _row(frame, provider, model, valid_from):
    match = frame.filter((frame["provider_id"] == provider) & (frame["model_id"] == model)
                         & (frame["valid_from"] == valid_from))
    assert match.height == 1, f"expected one row for {provider}/{model}/{valid_from}"
    return match.row(0, named=True)


def test_dated_prices_have_exact_start_and_undated_base_is_known_the_day_before(rows_and_report):
    frame, _ = rows_and_report
    base = _row(frame, "quicksilverpro", "claude-opus-4-8", date(2026, 10, 18))
    assert (base["input_usd_per_mtok"], base["output_usd_per_mtok"], base["valid_from_is_exact"]) == (4.0, 20.0, False)
    cut = _row(frame, "quicksilverpro", "claude-opus-4-8", date(2026, 10, 19))
    assert (cut["input_usd_per_mtok"], cut["output_usd_per_mtok"], cut["valid_from_is_exact"]) == (1.25, 6.25, True)
    with_cache = _row(frame, "quicksilverpro", "claude-opus-4-8", date(2026, 10, 29))
    assert with_cache["cache_read_usd_per_mtok"] == 0.125


def test_plain_price_starts_on_snapshot_date_and_tiers_keep_base(rows_and_report):
    frame, _ = rows_and_report
    sonnet = _row(frame, "anthropic", "claude-sonnet-4-5", SNAPSHOT)
    assert sonnet["is_tiered"] is True and sonnet["input_usd_per_mtok"] == 3.0
    assert sonnet["valid_from_is_exact"] is False
    assert sonnet["context_window_tokens"] == 1_000_000
    mini = _row(frame, "openai", "gpt-4o-mini", SNAPSHOT)
    assert mini["is_tiered"] is False and mini["cache_read_usd_per_mtok"] == 0.075


def test_skips_are_counted_not_silent(rows_and_report):
    frame, report = rows_and_report
    assert report.skipped == {"time_of_day_price": 1, "service_tier_variants_not_kept": 1,
                              "not_token_priced": 1}
    assert "phi-4-reasoning:free" not in frame["model_id"].to_list()
    # the time-of-day price of deepseek-chat is not mistaken for a new dated price
    assert frame.filter(frame["model_id"] == "deepseek-chat").height == 1
    assert report.models == 5 and report.rows == frame.height == 8


def test_keys_unique_and_not_null(rows_and_report):
    frame, _ = rows_and_report
    key = ["snapshot_date", "source", "provider_id", "model_id", "valid_from"]
    assert frame.select(key).null_count().sum_horizontal().item() == 0
    assert frame.select(key).is_unique().all()


@pytest.mark.parametrize("body, expected", [
    (b"<html><body>502 Bad Gateway</body></html>", "did not return JSON"),
    (b'{"providers": []}', "not a list of providers"),
    (b'[{"id": "x", "models": [{"id": 3}]}]', "does not match the genai-prices schema"),
    (b"\xff\xfe\x00garbage", "did not return JSON"),
])
def test_garbage_is_one_clear_source_error(body, expected):
    with pytest.raises(SourceError, match=expected):
        parse_price_list(body, origin="http://127.0.0.1/data.json")
