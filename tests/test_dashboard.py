"""Both pages rendered by streamlit.testing on a fixture warehouse (real DuckDB serving copy)."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def app(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()  # every test sees its own warehouse
    cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60)


def _values(array) -> list:
    """Plotly serialises numeric arrays as {"dtype", "bdata": base64}; decode those."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _series(chart) -> tuple[dict[str, list], dict]:
    spec = json.loads(chart.proto.spec)
    return {trace["name"]: _values(trace["y"]) for trace in spec["data"]}, spec


def test_overview_shows_freshness_and_counts(app):
    app.run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Sources fresh"] == "5 / 5"
    # 5 from the genai-prices fixture + 14 listed by OpenRouter (its variable-price router has none)
    assert metrics["Models with a current API price"] == "19"
    assert metrics["API providers"] == "5"
    freshness = app.dataframe[0].value
    assert sorted(freshness["source"]) == ["github", "hf", "openrouter", "prices", "quality"]
    assert set(freshness["freshness"]) == {"fresh"}
    sizes = app.dataframe[2].value
    assert "marts.price_history" in list(sizes["table"])


def test_prices_page_charts_the_models_whose_price_moved(app):
    app.switch_page("views/prices.py").run()
    assert not app.exception
    [chart] = app.get("plotly_chart")
    series, spec = _series(chart)
    # default selection: models with more than one price version
    assert set(series) == {"QuickSilver Pro · Claude Opus 4.8", "Anthropic · Claude Opus 4.6"}
    # blended 3:1 = (3 * input + output) / 4: 8.0 until 2026-10-19, then 2.5, carried to today
    assert series["QuickSilver Pro · Claude Opus 4.8"][:3] == [8.0, 2.5, 2.5]
    assert spec["layout"]["yaxis"]["title"]["text"] == "USD per 1M tokens"
    assert all(trace["line"]["shape"] == "hv" for trace in spec["data"])


def test_prices_page_metric_and_filters_change_the_data(app):
    app.switch_page("views/prices.py").run()
    app.radio(key="price_metric").set_value("Output").run()
    series, _ = _series(app.get("plotly_chart")[0])
    assert series["QuickSilver Pro · Claude Opus 4.8"][:2] == [20.0, 6.25]

    app.multiselect(key="price_models").set_value(["openai/gpt-4o-mini"]).run()
    series, _ = _series(app.get("plotly_chart")[0])
    assert list(series) == ["OpenAI · gpt 4o mini"]

    cheapest = app.dataframe[0].value
    # cheapest blended price in the fixtures: OpenRouter's gpt-oss-120b, $0.03 in / $0.17 out
    assert list(cheapest["model_name"])[0] == "OpenAI: gpt-oss-120b"
    app.number_input(key="cheap_min_context").set_value(100).run()
    assert "DeepSeek Chat" not in list(app.dataframe[0].value["model_name"])  # 64k context
    app.multiselect(key="cheap_providers").set_value(["Anthropic"]).run()
    assert set(app.dataframe[0].value["provider_name"]) == {"Anthropic"}


def test_pages_explain_when_nothing_is_published(data_dir):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "No data published yet" in app.info[0].value
