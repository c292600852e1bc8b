"""Both pages rendered by streamlit.testing on a fixture warehouse (real DuckDB serving copy)."""

import base64
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import percent

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


def test_overview_shows_headline_figures_freshness_and_counts(app, built_warehouse):
    from tests.conftest import HUB_EXTRA, HUB_RECORDS

    app.run()
    assert not app.exception
    metrics = {m.label: (m.value, m.proto.delta) for m in app.metric}
    # two Hub snapshots of the same repos (2026-11-20 and -21): counts without change
    hub_models = {r["id"]: r["downloads"] for r in HUB_RECORDS + HUB_EXTRA}
    assert metrics["Models tracked"] == (f"{len(hub_models):,}", "+0 since 2026-11-20")
    assert metrics["Downloads, last 30 days"][0] == f"{sum(hub_models.values()) / 1e6:,.1f} M"
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        [(permissive,)] = con.execute("""SELECT sum(share_of_downloads_30d) FROM marts.license_share_daily
            WHERE license_class = 'permissive' AND snapshot_date = '2026-11-21'""").fetchall()
        [(family, share)] = con.execute("""SELECT key, share_of_downloads_30d FROM marts.market_share_daily
            WHERE attribution = 'lineage' AND dimension = 'family' AND snapshot_date = '2026-11-21'
              AND key <> '(unclassified)' ORDER BY 2 DESC LIMIT 1""").fetchall()
        curves = con.execute("""SELECT benchmark, quality_threshold, count(*), arg_max(cheapest_blended_usd_per_mtok, month_start)
            FROM marts.cheapest_price_at_quality WHERE is_reference_threshold GROUP BY ALL""").fetchall()
    # the longest reference curve speaks for the headline
    benchmark, threshold, _, price = max(curves, key=lambda c: (c[2], [-ord(ch) for ch in c[0]]))
    assert len(curves) >= 2  # so the choice of board is exercised
    assert metrics["Permissive share"][0] == percent(permissive)
    assert metrics[f"Top family: {family}"] == (percent(share), "+0.0 pp")
    cheapest = next(m for m in app.metric if m.label == "$/1M tokens, ref. quality")
    assert cheapest.value == (f"${price:,.2f}" if price >= 1 else f"${price:.3f}")
    assert f"{benchmark} ≥ {threshold:g}" in cheapest.proto.help
    assert any("19 models from 5 providers" in c.value for c in app.caption)
    # the 30-day figures did not change between the two snapshots: no movers, and the page says so
    assert any("No model's 30-day downloads changed" in i.value for i in app.info)
    freshness = next(t.value for t in app.dataframe if "freshness" in t.value.columns)
    assert sorted(freshness["source"]) == ["github", "hf", "openrouter", "prices", "quality"]
    assert set(freshness["freshness"]) == {"fresh"}
    assert any("5 of 5 sources fresh" in c.value for c in app.caption)
    sizes = next(t.value for t in app.dataframe if "grain" in t.value.columns)
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


def test_the_dashboard_knows_the_demo_marker_without_importing_the_collectors():
    """dashboard.data names the demo's marker itself: importing collectors.pipeline would import every
    collector (PyGithub, huggingface_hub, httpx) on the first page load (bench.page_load)."""
    import subprocess
    import sys

    from collectors.pipeline import SAMPLE_DATA_MARKER
    from dashboard.data import SAMPLE_DATA_MARKER as DASHBOARD_MARKER

    assert DASHBOARD_MARKER == SAMPLE_DATA_MARKER
    check = "import sys, dashboard.data, dashboard.components; print('collectors.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    assert out[-1] == "False"
