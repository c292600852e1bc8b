"""The Price & performance page rendered by streamlit.testing on the fixture warehouse.

The warehouse (tests/conftest.py built_warehouse) prices real models from OpenRouter's list and
the genai-prices fixture, and scores them with the Epoch ECI and LMArena fixture rows, plus the
Artificial Analysis index OpenRouter republishes.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "views/price_performance.py"


@pytest.fixture
def app(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60)


def _values(array) -> list:
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _traces(chart) -> dict[str, dict]:
    spec = json.loads(chart.proto.spec)
    return {trace["name"]: {"x": _values(trace["x"]), "y": _values(trace["y"]),
                            "names": trace.get("hovertext")} for trace in spec["data"]}, spec


def test_scatter_colours_open_and_closed_and_draws_the_frontier(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    app.selectbox(key="pp_benchmark").set_value("epoch_eci").run()
    scatter = app.get("plotly_chart")[0]
    traces, spec = _traces(scatter)
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert "USD per 1M tokens" in spec["layout"]["xaxis"]["title"]["text"]
    # Epoch: gpt-5 and Mistral Medium 3 are API access; gpt-oss-120b, Qwen3-235B and
    # DeepSeek-V3-0324 are open weights
    assert set(traces) == {"open weights", "closed", "Pareto frontier"}
    assert sorted(traces["closed"]["y"]) == pytest.approx([135.35150782458655, 150.0])
    assert len(traces["open weights"]["y"]) == 3
    # gpt-oss-120b ($0.03 in / $0.17 out -> 0.065 blended, ECI 140.2) beats Qwen3 and DeepSeek on
    # both axes; gpt-5 (3.4375, ECI 150) is the only dearer, better model
    assert traces["Pareto frontier"]["x"] == pytest.approx([0.065, 3.4375])
    frontier_table = app.dataframe[0].value
    assert list(frontier_table["openness"]) == ["open weights", "closed"]
    assert list(frontier_table["cheapest_provider"]) == ["OpenRouter", "OpenRouter"]
    assert frontier_table["quality_as_of"].notna().all()
    footers = [c.value for c in app.caption if c.value.startswith("Source:")]
    assert footers and all("quality: Epoch AI" in f and "data as of prices 2026-11-21" in f for f in footers[:2])


def test_price_of_fixed_quality_and_the_open_closed_gap(app):
    app.switch_page(PAGE).run()
    app.selectbox(key="pp_benchmark").set_value("aa_intelligence_index").run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == 3
    curve, _ = _traces(charts[1])
    assert "≥ 20" in curve
    # OpenRouter's cheapest model at AA index >= 20 is gpt-oss-120b (24.1) at 0.065 a 1M tokens
    assert curve["≥ 20"]["y"][-1] == pytest.approx(0.065)
    fit = next(c.value for c in app.caption if c.value.startswith("Fitted yearly decline"))
    assert "≥ 20:" in fit and "cheaper per year" in fit and "too few to fit (needs 12)" in fit
    gap, _ = _traces(charts[2])
    # band 20-30: gpt-oss-120b (open, 0.065) vs Gemini 2.5 Pro (closed per LMArena, $1.25/$10 -> 3.4375)
    assert gap["20–30"]["y"][-1] == pytest.approx(3.4375 / 0.065)


def test_without_quality_scores_the_page_says_what_to_run(data_dir, prices_url):
    from streamlit.runtime.caching import cache_data, cache_resource

    from collectors.pipeline import run_source
    from collectors.settings import Settings
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    settings = Settings()
    run_source("prices", settings, mode="live")
    with open_writer(settings.warehouse_path) as con:
        build(con)
        publish(con, settings.serving_dir)
    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(PAGE).run()
    assert not app.exception
    assert "omo collect quality" in app.info[0].value and "omo build" in app.info[0].value
    assert "`make demo`" in app.info[0].value  # offline, the sample shows what the page would hold
    assert not app.get("plotly_chart")


def test_unmatched_names_and_disagreements_are_listed(app):
    app.switch_page(PAGE).run()
    tables = [t.value for t in app.dataframe]
    rates = next(t for t in tables if "match_rate" in t.columns)
    assert set(rates["name_source"]) >= {"openrouter", "epoch-ai", "lmarena", "genai-prices"}
    unmatched = next(t for t in tables if "exact_key" in t.columns)
    # OpenRouter prices Qwen3.8 27B, but no board in the fixtures scores it
    assert "openrouter/qwen/qwen3.8-27b" in set(unmatched["source_model_id"])
    # Epoch calls Mistral Medium 3 by its API id; the shipped override file links the two
    assert "openrouter/mistralai/mistral-medium-3" not in set(unmatched["source_model_id"])
