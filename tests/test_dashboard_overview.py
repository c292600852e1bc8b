"""The Overview's headline deltas, movers and freshness flags on a small Hub-only warehouse.

Given two Hub snapshots a week apart (real repo ids; figures chosen for the test), expect the
deltas and the movers table computed from them, and every source that never ran flagged.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from collectors.hf_models import HF_MODELS_SCHEMA
from tests.test_hub_marts import listing
from warehouse.build import build
from warehouse.db import open_writer
from warehouse.publish import publish

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
WEEK_AGO, TODAY = date(2026, 11, 13), date(2026, 11, 20)
# model: (30-day downloads a week ago, now)
FIGURES = {
    "Qwen/Qwen2.5-7B-Instruct": (1_000_000, 1_400_000),
    "meta-llama/Llama-3.1-8B-Instruct": (2_000_000, 1_900_000),
    "deepseek-ai/DeepSeek-R1": (500_000, 800_000),
    "google/gemma-3-27b-it": (300_000, 300_000),
}


@pytest.fixture
def app(data_dir, settings):
    from streamlit.runtime.caching import cache_data, cache_resource

    rows = [listing(model, day, downloads_30d=figures[i], all_time=figures[i] * 10,
                    license_id="llama3.1" if "llama" in model else "apache-2.0")
            for model, figures in FIGURES.items() for i, day in enumerate((WEEK_AGO, TODAY))]
    with open_writer(settings.warehouse_path) as con:
        frame = pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)  # noqa: F841 - read by the INSERT below
        con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")
        build(con)
        publish(con, settings.serving_dir)
    cache_data.clear()
    cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60).run()


def test_headline_deltas_compare_with_the_snapshot_a_week_before(app):
    assert not app.exception
    metrics = {m.label: (m.value, m.proto.delta) for m in app.metric}
    assert metrics["Models tracked"] == ("4", "+0 since 2026-11-13")
    assert metrics["Downloads, last 30 days"] == ("4.4 M", "+0.6 M")
    # permissive = the apache-2.0 repos: 3.8 M -> 2.5 M of 4.4 M; a week ago 1.8 M of 3.8 M
    assert metrics["Permissive share"][1] == f"{(2.5 / 4.4 - 1.8 / 3.8) * 100:+.1f} pp"
    assert metrics["$/1M tokens, ref. quality"][0] == "–"  # no prices or scores here


def test_movers_are_ordered_by_growth_and_unchanged_models_left_out(app):
    movers = next(t.value for t in app.dataframe if "change" in t.value.columns)
    assert list(movers["model_id"]) == ["Qwen/Qwen2.5-7B-Instruct", "deepseek-ai/DeepSeek-R1",
                                        "meta-llama/Llama-3.1-8B-Instruct"]
    assert list(movers["change"]) == [400_000, 300_000, -100_000]
    assert movers["change_ratio"][1] == pytest.approx(0.6)


def test_sources_that_never_ran_are_flagged_and_the_demo_suggested(app):
    freshness = next(t.value for t in app.dataframe if "freshness" in t.value.columns)
    flags = dict(zip(freshness["source"], freshness["freshness"]))
    assert flags["prices"] == "NEVER RUN" and flags["github"] == "NEVER RUN"
    warning = app.warning[0].value
    assert "prices (never run)" in warning and "make demo" in warning


def test_sample_data_is_labelled_on_the_page_and_under_every_chart(data_dir, settings):
    from streamlit.runtime.caching import cache_data, cache_resource

    from collectors.pipeline import SAMPLE_DATA_MARKER
    from dashboard.components import SAMPLE_LABEL

    rows = [listing(model, day, downloads_30d=figures[i], all_time=figures[i] * 10)
            for model, figures in FIGURES.items() for i, day in enumerate((WEEK_AGO, TODAY))]
    with open_writer(settings.warehouse_path) as con:
        frame = pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)  # noqa: F841 - read by the INSERT below
        con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")
        build(con)
        publish(con, settings.serving_dir)
    (data_dir / SAMPLE_DATA_MARKER).write_text("made by a test")
    cache_data.clear()
    cache_resource.clear()
    for page in ("views/overview.py", "views/market_share.py"):
        app = AppTest.from_file(APP, default_timeout=60)
        app.switch_page(page).run()
        assert not app.exception
        assert SAMPLE_LABEL in app.warning[0].value  # the banner comes first, above the page
        footers = [c.value for c in app.caption if c.value.startswith("Source:")]
        assert footers and all(SAMPLE_LABEL in footer for footer in footers)
