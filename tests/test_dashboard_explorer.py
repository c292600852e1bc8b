"""The Model explorer on the fixture warehouse: find a Hub repo or an API model, see what is known."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "views/explorer.py"


@pytest.fixture
def app(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(PAGE).run()
    return app


def test_empty_search_asks_for_text(app):
    assert not app.exception
    assert "Type part of a model id" in app.info[0].value


def test_a_hub_repo_shows_downloads_lineage_and_licence(app, built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        [(base, children)] = con.execute("""SELECT parent_model_id, count(*) FROM marts.hf_model_profile
            WHERE parent_model_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""").fetchall()
        [(license_id, family)] = con.execute("SELECT license_id, family FROM marts.hf_model_profile WHERE model_id = ?",
                                             [base]).fetchall()
    app.text_input(key="explorer_search").set_value(base).run()
    assert not app.exception
    assert app.selectbox(key="explorer_model").value == f"hub:{base}"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Licence"] == license_id and metrics["Family"] == family
    [chart] = app.get("plotly_chart")
    assert "downloads over the last 30 days" in chart.proto.spec
    derivatives = next(t.value for t in app.dataframe if "relation" in t.value.columns)
    assert len(derivatives) == children
    # the URL holds the view, so it can be shared
    assert app.query_params["explorer_model"] == f"hub:{base}"


def test_a_closed_api_model_shows_prices_across_providers_and_scores(app):
    app.text_input(key="explorer_search").set_value("gpt-5").run()
    assert not app.exception
    assert app.selectbox(key="explorer_model").value == "model:gpt-5"
    prices = next(t.value for t in app.dataframe if "provider_name" in t.value.columns)
    # OpenRouter lists gpt-5 at $1.25 in / $10 out (the fixture's 2026-08-19 figures)
    assert list(prices["listed_as"]) == ["openai/gpt-5"]
    assert prices["blended_3to1_usd_per_mtok"][0] == pytest.approx(3.4375)
    quality = next(t.value for t in app.dataframe if "benchmark" in t.value.columns)
    # Epoch scores the dated version gpt-5-2025-08-07 (high) at 150 ECI; AA's index via OpenRouter
    assert dict(zip(quality["benchmark"], quality["quality_score"])) == {
        "aa_intelligence_index": 35.3, "epoch_eci": 150.0}


def test_a_shared_link_opens_the_same_model(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["explorer_model"] = "model:gpt-5"
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.text_input(key="explorer_search").value == "gpt-5"
    assert app.selectbox(key="explorer_model").value == "model:gpt-5"


def test_no_match_says_so(app):
    app.text_input(key="explorer_search").set_value("no-such-model-anywhere").run()
    assert not app.exception
    assert "No Hub repo, price-list id or leaderboard name contains" in app.info[0].value
