"""The Hub pages (Market share, Licences) rendered by streamlit.testing on the fixture warehouse.

Expected values come from the published serving copy itself (a real DuckDB file built from two Hub
snapshots, 2026-11-20 and 2026-11-21, of 8 real models), or by hand from tests/conftest.py.
"""

import base64
import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import DEMO_HINT
from dashboard.queries import QUERIES

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
MARKET = "views/market_share.py"
LICENCES = "views/licences.py"
NO_HUB = "No Hub snapshots yet: run `omo collect hf` then `omo build`"


def _clear_caches() -> None:
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()  # every test sees its own warehouse
    cache_resource.clear()


@pytest.fixture
def app(built_warehouse):
    _clear_caches()
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def serving(built_warehouse):
    """Read expected values from the copy the dashboard reads: rows of a SQL query, as dicts."""
    from warehouse.serving import current_serving_file, open_serving

    def rows(sql: str, **params) -> list[dict]:
        con = open_serving(current_serving_file(built_warehouse.serving_dir))
        try:
            cursor = con.execute(sql, params or None)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()

    return rows


def _values(array) -> list:
    """Plotly serialises numeric arrays as {"dtype", "bdata": base64[, "shape"]}; decode those."""
    if isinstance(array, dict) and "bdata" in array:
        values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        if "shape" in array:
            values = values.reshape([int(n) for n in str(array["shape"]).split(",")])
        return values.tolist()
    return list(array)


def _charts(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def _series(spec: dict) -> dict[str, list]:
    return {trace["name"]: _values(trace["y"]) for trace in spec["data"]}


def _mart_shares(serving, attribution: str, dimension: str) -> dict[date, dict[str, float]]:
    shares: dict[date, dict[str, float]] = {}
    for row in serving("""SELECT snapshot_date, key, share_of_downloads_30d AS share
                          FROM marts.market_share_daily
                          WHERE attribution = $a AND dimension = $d""", a=attribution, d=dimension):
        shares.setdefault(row["snapshot_date"], {})[row["key"]] = row["share"]
    return shares


# -- Market share ----------------------------------------------------------------------------------

def test_market_share_area_plots_the_marts_shares(app, serving):
    shares = _mart_shares(serving, "direct", "organization")
    assert sorted(shares) == [date(2026, 11, 20), date(2026, 11, 21)]
    [top_key] = [r["key"] for r in serving("""SELECT key FROM marts.market_share_daily
        WHERE snapshot_date = '2026-11-21' AND attribution = 'direct' AND dimension = 'organization'
          AND rank_by_downloads_30d = 1""")]

    app.switch_page(MARKET).run()
    assert not app.exception
    area, _ = _charts(app)
    series = _series(area)
    # default: organisation, direct, top 10 -> all 6 organisations, no "Other"; top key first
    assert next(iter(series)) == top_key == "DeepSeek"
    assert set(series) == set(shares[date(2026, 11, 21)]) and "Other" not in series
    for key, ys in series.items():
        assert ys == pytest.approx([shares[date(2026, 11, 20)][key], shares[date(2026, 11, 21)][key]])
    assert sum(ys[-1] for ys in series.values()) == pytest.approx(1.0)
    assert all(trace["stackgroup"] for trace in area["data"])  # stacked area
    assert area["layout"]["yaxis"]["title"]["text"] == "Share of 30-day downloads (%)"
    assert area["layout"]["yaxis"]["tickformat"] == ".0%"
    assert "by organisation" in area["layout"]["title"]["text"]

    footers = [c.value for c in app.caption if c.value.startswith("Source:")]
    assert footers and all(f == "Source: Hugging Face Hub /api/models · data as of 2026-11-21" for f in footers)
    assert "download-market_share" in [b.key for b in app.get("download_button")]

    # top-N table: the mart's shares, no 7/30-day change with two days of history, and the note says why
    table = app.dataframe[1].value
    assert table["key"].iloc[0] == "DeepSeek"
    assert list(table["share_now"]) == pytest.approx(sorted(shares[date(2026, 11, 21)].values(), reverse=True))
    assert table["change_7d_pp"].isna().all() and table["change_30d_pp"].isna().all()
    assert table["downloads_30d"].iloc[0] == 1757133 + 775641  # DeepSeek-R1 + DeepSeek-V3
    captions = [c.value for c in app.caption]
    assert "History starts 2026-11-20 (2 snapshots): 7-day and 30-day changes need more days." in captions


def test_market_share_notes_short_history_and_crawl_scope(app, serving):
    [hf] = serving("SELECT last_success_detail FROM marts.data_freshness WHERE source = 'hf'")
    scope = hf["last_success_detail"].split("scope ", 1)[1].split(";")[0]  # e.g. "top 5,000 by downloads"

    app.switch_page(MARKET).run()
    assert not app.exception
    assert any("Short history: 2 daily snapshots so far (2026-11-20 to 2026-11-21)" in i.value for i in app.info)
    assert any(f"not the whole Hub: the last `hf` run took the {scope}." in c.value for c in app.caption)
    assert any(c.value.startswith("Direct: a repo counts for its own author. Lineage:") for c in app.caption)


def test_market_share_top_n_sums_the_rest_into_other(app, serving):
    shares = _mart_shares(serving, "direct", "organization")
    app.switch_page(MARKET).run()
    app.number_input(key="share_top_n").set_value(2).run()
    assert not app.exception
    series = _series(_charts(app)[0])
    assert list(series) == ["DeepSeek", "Alibaba Cloud (Qwen team)", "Other"]
    for i, day in enumerate(sorted(shares)):
        rest = sum(s for k, s in shares[day].items() if k not in series)
        assert series["Other"][i] == pytest.approx(rest)  # Google, bartowski, NVIDIA, Junfeng5
        assert sum(ys[i] for ys in series.values()) == pytest.approx(1.0)
    assert len(app.dataframe[1].value) == 2


def test_lineage_attribution_credits_derivatives_to_their_roots(app, serving):
    [nvidia] = serving("""SELECT downloads_30d / sum(downloads_30d) OVER () AS share, model_id
                          FROM marts.model_downloads_daily WHERE snapshot_date = '2026-11-21'
                          QUALIFY model_id = 'nvidia/DeepSeek-R1-FP4'""")
    app.switch_page(MARKET).run()
    app.selectbox(key="share_dimension").set_value("Country").run()
    direct = _series(_charts(app)[0])
    app.radio(key="share_attribution").set_value("Lineage").run()
    assert not app.exception
    lineage = _series(_charts(app)[0])

    # direct: bartowski and Junfeng5 are not in the organisations list -> "unknown"
    assert set(direct) == {"CN", "US", "unknown"}
    # lineage: bartowski's GGUF -> Meta (US), Junfeng5 -> Google (US), nvidia's FP4 -> DeepSeek (CN)
    assert set(lineage) == {"CN", "US"}
    assert lineage["CN"][-1] - direct["CN"][-1] == pytest.approx(nvidia["share"])
    assert lineage == {k: pytest.approx(v) for k, v in
                       {k: [d[k] for d in _mart_shares(serving, "lineage", "country").values()]
                        for k in lineage}.items()}
    assert "lineage attribution" in _charts(app)[0]["layout"]["title"]["text"]
    assert list(app.dataframe[1].value["key"]) == ["CN", "US"]


@pytest.fixture
def market_warehouse(data_dir, settings):
    """tests.test_hub_marts.MARKET (a Meta base, its fine-tune, bartowski's GGUF of that fine-tune,
    Qwen and an adapter), built and published: the GGUF's base is listed, so it rolls into it."""
    import polars as pl

    from collectors.hf_models import HF_MODELS_SCHEMA
    from tests.test_hub_marts import MARKET as MARKET_LISTINGS
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    with open_writer(settings.warehouse_path) as con:
        frame = pl.DataFrame(MARKET_LISTINGS, schema=HF_MODELS_SCHEMA)  # noqa: F841 - read by the INSERT
        con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")
        build(con)
        publish(con, settings.serving_dir)
    _clear_caches()
    return settings


def test_adjusted_downloads_toggle_rolls_quantized_reuploads_into_their_base(market_warehouse):
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(MARKET).run()
    raw = _series(_charts(app)[0])
    # raw: 10 000 downloads, bartowski's GGUF holds 2 000 of them
    assert raw["bartowski"] == [pytest.approx(0.2)] and raw["Meta"] == [pytest.approx(0.4)]
    app.radio(key="share_basis").set_value("Adjusted").run()
    assert not app.exception
    area = _charts(app)[0]
    adjusted = _series(area)
    assert "adjusted downloads" in area["layout"]["title"]["text"]
    assert adjusted["Meta"] == [pytest.approx(0.6)] and adjusted["bartowski"] == [0]
    assert adjusted["Alibaba Cloud (Qwen team)"] == raw["Alibaba Cloud (Qwen team)"]
    assert app.query_params["share_basis"] == "Adjusted"
    # what each rule touched on the latest snapshot, beside the toggle
    rules = app.dataframe[0].value
    assert list(rules["name"]) == ["Isolated one-day spikes cut to the usual level",
                                   "Implausibly flat daily downloads left out",
                                   "Quantized re-uploads rolled into their base"]
    assert list(rules["models_touched"]) == [0, 0, 1]
    assert list(rules["share_of_downloads_30d_touched"]) == pytest.approx([0, 0, 0.2])
    assert list(rules["downloads_30d_moved"]) == [0, 0, 2_000]
    top = app.dataframe[1].value.set_index("key")
    assert top["share_now"]["Meta"] == pytest.approx(0.6) and top["downloads_30d"]["Meta"] == 6_000
    concentration = _charts(app)[1]
    assert _values(concentration["data"][0]["y"]) == [pytest.approx(10_000 * (0.6**2 + 0.3**2 + 0.1**2))]


def test_concentration_chart_and_metrics_follow_the_mart(app, serving):
    expected = serving("""SELECT hhi, top1_share, top5_share FROM marts.market_concentration_daily
                          WHERE attribution = 'direct' AND dimension = 'family' ORDER BY snapshot_date""")
    app.switch_page(MARKET).run()
    app.selectbox(key="share_dimension").set_value("Family").run()
    assert not app.exception
    hhi = _charts(app)[1]
    assert _values(hhi["data"][0]["y"]) == pytest.approx([row["hhi"] for row in expected])
    assert hhi["layout"]["yaxis"]["range"] == [0, 10000]
    lines = sorted((shape["y0"], shape["line"]["dash"]) for shape in hhi["layout"]["shapes"])
    assert lines == [(1500, "dash"), (2500, "dash")]
    labels = " ".join(a["text"] for a in hhi["layout"]["annotations"])
    assert "moderately concentrated" in labels and "highly concentrated" in labels
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["HHI now"] == f"{expected[-1]['hhi']:,.0f}" == "5,038"
    assert metrics["Top-1 share (deepseek)"] == "64%"
    assert metrics["Top-5 share"] == "100%"  # five families in the fixture


def test_change_columns_compare_with_the_latest_snapshot_on_or_before_7_and_30_days_back():
    """The top-N query on a hand-made mart: 7-day change vs day-8, 30-day change vs day-40."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.market_share_daily AS SELECT * FROM (VALUES
        (DATE '2026-12-31', 'direct', 'family', 'llama', 2, 60, 0.6),
        (DATE '2026-12-31', 'direct', 'family', 'qwen',  1, 40, 0.4),
        (DATE '2026-12-30', 'direct', 'family', 'llama', 2, 50, 0.5),   -- too recent for 7 days
        (DATE '2026-12-30', 'direct', 'family', 'qwen',  1, 50, 0.5),
        (DATE '2026-12-23', 'direct', 'family', 'llama', 2, 70, 0.7),   -- latest on or before day-7
        (DATE '2026-12-23', 'direct', 'family', 'other', 1, 30, 0.3),
        (DATE '2026-11-21', 'direct', 'family', 'llama', 1, 90, 0.9),   -- latest on or before day-30
        (DATE '2026-11-21', 'direct', 'family', 'qwen',  1, 10, 0.1)
    ) AS t(snapshot_date, attribution, dimension, key, models, downloads_30d, share_of_downloads_30d)""")
    # adjusted figures that differ from raw everywhere: the raw basis must not read them
    con.execute("""ALTER TABLE marts.market_share_daily ADD COLUMN downloads_30d_adjusted BIGINT DEFAULT 1""")
    con.execute("""ALTER TABLE marts.market_share_daily ADD COLUMN share_of_downloads_30d_adjusted DOUBLE DEFAULT 0.5""")
    rows = con.execute(QUERIES["market_share_top"], {"attribution": "direct", "dimension": "family",
                                                      "top_n": 10, "downloads_basis": "raw"}).fetchall()
    got = {r[1]: (r[3], r[4], r[7], r[8]) for r in rows}
    assert got["llama"] == pytest.approx((-10.0, -30.0, date(2026, 12, 23), date(2026, 11, 21)))
    # qwen was absent on day-8: its share there was 0
    assert got["qwen"] == pytest.approx((40.0, 30.0, date(2026, 12, 23), date(2026, 11, 21)))


# -- Licences --------------------------------------------------------------------------------------

def test_licences_page_charts_class_shares_and_headline(app, serving):
    by_class = serving("""SELECT license_class, sum(share_of_downloads_30d) AS downloads,
                                 sum(share_of_models) AS models
                          FROM marts.license_share_daily WHERE snapshot_date = '2026-11-21' GROUP BY 1""")
    # the headline, recomputed from the model profile rather than from license_share_daily
    [head] = serving("""SELECT sum(d.downloads_30d) FILTER (WHERE p.license_class = 'permissive')
                                   / sum(d.downloads_30d) AS permissive,
                               sum(d.downloads_30d) FILTER (WHERE p.license_status <> 'recognised')
                                   / sum(d.downloads_30d) AS unrecognised
                        FROM marts.model_downloads_daily AS d JOIN marts.hf_model_profile AS p USING (model_id)
                        WHERE d.snapshot_date = '2026-11-21'""")

    app.switch_page(LICENCES).run()
    assert not app.exception
    area = _charts(app)[0]
    series = _series(area)
    assert set(series) == {r["license_class"] for r in by_class} == {"permissive", "open-restricted", "unknown"}
    for r in by_class:
        assert series[r["license_class"]][-1] == pytest.approx(r["downloads"])
    assert sum(ys[-1] for ys in series.values()) == pytest.approx(1.0)
    assert area["layout"]["yaxis"]["title"]["text"] == "Share of 30-day downloads (%)"

    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Downloads under permissive licences"] == f"{head['permissive']:.0%}" == "75%"
    assert metrics["Downloads with no recognised licence"] == f"{head['unrecognised']:.0%}" == "19%"
    # DeepSeek-V3 has no licence tag: 775 641 of 4 036 277 downloads
    assert any("**19% of downloads have no recognised licence** (1 of 8 models" in m.value for m in app.markdown)

    top = app.dataframe[0].value
    assert list(top["license_id"]) == ["mit", "apache-2.0", "(none)", "gemma", "llama3.1"]
    assert list(top["models"]) == [3, 1, 1, 2, 1]
    assert list(top["commercial_use"]) == ["yes", "yes", "unknown", "conditional", "conditional"]


def test_licence_toggle_switches_to_model_count_shares(app, serving):
    by_class = {r["license_class"]: r["models"] for r in serving(
        """SELECT license_class, sum(share_of_models) AS models FROM marts.license_share_daily
           WHERE snapshot_date = '2026-11-21' GROUP BY 1""")}
    app.switch_page(LICENCES).run()
    downloads = _series(_charts(app)[0])
    app.toggle(key="licence_by_models").set_value(True).run()
    assert not app.exception
    area = _charts(app)[0]
    models = _series(area)
    assert models != downloads
    assert {k: v[-1] for k, v in models.items()} == pytest.approx(by_class)
    # 8 models: 4 permissive, 3 open-restricted (gemma x2, llama3.1), 1 without a licence tag
    assert by_class == pytest.approx({"permissive": 0.5, "open-restricted": 0.375, "unknown": 0.125})
    assert area["layout"]["yaxis"]["title"]["text"] == "Share of models (%)"


def test_derivative_licence_changes(app):
    app.switch_page(LICENCES).run()
    assert not app.exception
    bars, heatmap = _charts(app)[1:]
    # compared derivatives: gemma-7b-it (gemma -> gemma), Junfeng5/Liquid (gemma -> mit),
    # nvidia FP4 (mit -> mit); Qwen2.5-7B-Instruct and the GGUF have parents outside the crawl
    assert _values(bars["data"][0]["x"]) == ["finetune (3)", "adapter (0)", "quantized (0)", "merge (0)"]
    assert _values(bars["data"][0]["y"])[0] == pytest.approx(1 / 3)
    assert any(c.value.startswith("3 of 5 derivatives in the crawl") for c in app.caption)
    assert heatmap["data"][0]["y"] == ["permissive", "open-restricted"]
    assert heatmap["data"][0]["x"] == ["permissive", "open-restricted"]
    assert _values(heatmap["data"][0]["z"]) == [[1, 0], [1, 1]]
    # the matrix can be narrowed to one relation; only relations with derivatives are offered
    assert app.selectbox(key="licence_relation").options == ["all", "finetune"]


# -- No Hub data -----------------------------------------------------------------------------------

@pytest.fixture
def prices_only_warehouse(data_dir, prices_url, settings):
    """Built and published with the price source only: every Hub mart exists and is empty."""
    from collectors.pipeline import run_source
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    run_source("prices", settings, snapshot_date=date(2026, 11, 20), mode="live")
    with open_writer(settings.warehouse_path) as con:
        build(con)
        publish(con, settings.serving_dir)
    return settings


@pytest.mark.parametrize("page", [MARKET, LICENCES])
def test_hub_pages_explain_when_there_are_no_hub_snapshots(prices_only_warehouse, page):
    _clear_caches()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(page).run()
    assert not app.exception
    assert [i.value for i in app.info] == [NO_HUB + ", and reload this page. " + DEMO_HINT]
    assert not app.get("plotly_chart")


@pytest.mark.parametrize("page", [MARKET, LICENCES])
def test_hub_pages_explain_a_serving_copy_older_than_the_hub_marts(data_dir, page):
    """A copy published before the Hub marts existed: say `omo build`, do not raise CatalogException."""
    from warehouse.publish import POINTER

    serving_dir = data_dir / "serving"
    serving_dir.mkdir(parents=True)
    con = duckdb.connect(str(serving_dir / "omo-old.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.data_freshness AS SELECT 'prices' AS source")
    con.close()
    (serving_dir / POINTER).write_text("omo-old.duckdb")
    _clear_caches()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page(page).run()
    assert not app.exception
    [info] = app.info
    assert "predates the Hub marts" in info.value and "run `omo build`" in info.value
