"""Filters live in the URL: a shared link opens the same view, and changing a filter updates the link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def fresh_app(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    def make(**params) -> AppTest:
        cache_data.clear()
        cache_resource.clear()
        app = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            app.query_params[key] = value
        return app

    return make


def test_market_share_filters_come_from_the_link_and_go_back_into_it(fresh_app):
    app = fresh_app(share_dimension="Country", share_attribution="Lineage",
                    share_top_n="3")
    app.switch_page("views/market_share.py").run()
    assert not app.exception
    assert app.selectbox(key="share_dimension").value == "Country"
    assert app.number_input(key="share_top_n").value == 3
    assert app.radio(key="share_attribution").value == "Lineage"
    app.selectbox(key="share_dimension").set_value("Licence class").run()
    assert app.query_params["share_dimension"] == "Licence class"
    assert app.query_params["share_top_n"] == "3"


def test_a_link_with_values_the_data_lacks_falls_back_to_defaults(fresh_app):
    app = fresh_app(share_dimension="Planet", share_top_n="many", price_log="maybe")
    app.switch_page("views/market_share.py").run()
    assert not app.exception
    assert app.selectbox(key="share_dimension").value == "Organisation"
    assert app.number_input(key="share_top_n").value == 10


def test_prices_link_carries_the_chosen_models_and_scale(fresh_app):
    app = fresh_app(price_models=["openai/gpt-4o-mini", "anthropic/claude-opus-4-6"], price_log="true")
    app.switch_page("views/prices.py").run()
    assert not app.exception
    assert app.multiselect(key="price_models").value == ["openai/gpt-4o-mini", "anthropic/claude-opus-4-6"]
    assert app.toggle(key="price_log").value is True
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["yaxis"]["type"] == "log"


def test_price_performance_link_picks_board_and_month(fresh_app):
    app = fresh_app(pp_benchmark="epoch_eci")
    app.switch_page("views/price_performance.py").run()
    assert not app.exception
    assert app.selectbox(key="pp_benchmark").value == "epoch_eci"
    month = app.selectbox(key="pp_month")
    assert len(month.options) > 1
    month.set_value(month.options[-1]).run()  # the oldest month
    assert app.query_params["pp_benchmark"] == "epoch_eci"
    chosen = app.selectbox(key="pp_month").value
    assert app.query_params["pp_month"] == chosen.isoformat()
    # and that link reopens the same month
    again = fresh_app(pp_benchmark="epoch_eci", pp_month=chosen.isoformat())
    again.switch_page("views/price_performance.py").run()
    assert again.selectbox(key="pp_month").value == chosen
