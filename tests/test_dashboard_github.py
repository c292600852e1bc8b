"""The GitHub page rendered by streamlit.testing on a GitHub warehouse built and published here.

Seven tracked repos (real names; star counts illustrative) with snapshots on 2026-11-20 and
2026-11-21: ollama's REST stargazer history is capped, llama-models has a backfilled GraphQL history
reaching back to 2026-10-15, llama.cpp is tracked under its old name and was renamed, and one
(fictional) repo is not found on the latest day.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import DEMO_HINT
from tests.test_github_marts import load_github, snapshot, stargazer_pages

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "views/github.py"
NO_GITHUB = "No GitHub data yet: run `omo collect github` then `omo build`"
D20, D21 = date(2026, 11, 20), date(2026, 11, 21)
FOOTER = "Source: GitHub REST/GraphQL API · data as of 2026-11-21"

# repo: (category, family, organization, stars on D20, stars on D21)
REPOS = {
    "ollama/ollama": ("local-runner", None, "Ollama", 155_000, 155_300),
    "huggingface/transformers": ("training", None, "Hugging Face", 152_000, 152_100),
    "ggerganov/llama.cpp": ("local-runner", None, "ggml / llama.cpp project", 86_000, 86_200),
    "vllm-project/vllm": ("inference-server", None, "vLLM project", 61_000, 61_150),
    "mistralai/mistral-inference": ("model-repo", "mistral", "Mistral AI", 10_600, 10_620),
    "example-org/removed-model-code": ("model-repo", None, "example", 900, None),  # not found on D21
    "meta-llama/llama-models": ("model-repo", "llama", "Meta", 113, 124),
}
BY_STARS = list(REPOS)  # already ordered by latest known stars
LLAMA_MODELS_HISTORY = {date(2026, 10, 15): 40, date(2026, 10, 20): 25, date(2026, 11, 14): 30,
                        D20: 20, D21: 10}


def _raw_rows(with_history: bool = True) -> tuple[list[dict], list[dict]]:
    repos = []
    for repo, (category, family, organization, *stars) in REPOS.items():
        for day, count in zip((D20, D21), stars):
            status = "not_found" if count is None else "renamed" if repo == "ggerganov/llama.cpp" else "ok"
            repos.append(snapshot(repo, day, count, status=status, category=category, family=family,
                                  organization=organization,
                                  full_name="ggml-org/llama.cpp" if status == "renamed" else None,
                                  capped=True if repo == "ollama/ollama" and with_history else None,
                                  api="rest" if repo == "ollama/ollama" and with_history else None))
    if not with_history:
        return repos, []
    # REST stops at 40 000 stars; 4 full pages stand for the 400 here
    history = stargazer_pages("ollama/ollama", {date(2023, 7, 1): 150, date(2023, 7, 3): 250},
                              fetched_on=D20, source="github-rest")
    # GraphQL: the whole list, 125 stargazers, read to its end on D21 (two of them left by D20)
    history += stargazer_pages("meta-llama/llama-models", LLAMA_MODELS_HISTORY, fetched_on=D21)
    return repos, history


def _publish(settings, repos: list[dict], history: list[dict]) -> None:
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    with open_writer(settings.warehouse_path) as con:
        load_github(con, repos, history)
        build(con)
        publish(con, settings.serving_dir)


def _app() -> AppTest:
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()  # every test sees its own warehouse
    cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=60)


@pytest.fixture
def app(settings):
    """`settings` (tests/conftest.py) points OMO_DATA_DIR at a temp directory via monkeypatch."""
    _publish(settings, *_raw_rows())
    return _app()


def _values(array) -> list:
    """Plotly serialises numeric arrays as {"dtype", "bdata": base64}; decode those."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _charts(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def _series(spec: dict) -> dict[str, list]:
    return {trace["name"]: _values(trace["y"]) for trace in spec["data"]}


def _dates(spec: dict, name: str) -> list[str]:
    [trace] = [t for t in spec["data"] if t["name"] == name]
    return [str(x)[:10] for x in _values(trace["x"])]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_page_renders_every_chart_with_footer_and_csv(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    assert [spec["layout"]["title"]["text"] for spec in _charts(app)] == [
        "Stars over time", "Stars gained per day, 7-day rolling average",
        "Stars of the tracked repositories, by the model family they serve"]
    footers = [c.value for c in app.caption if c.value.startswith("Source:")]
    assert footers == [FOOTER] * 4
    assert [b.key for b in app.get("download_button")] == [
        "download-github_star_history", "download-github_velocity", "download-github_leaderboard",
        "download-github_families"]
    assert not app.info  # history was backfilled: no short-history note


def test_default_selection_is_the_top_8_by_stars_and_the_chart_plots_their_stars(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.multiselect(key="github_repos").value == BY_STARS  # 7 repos with stars, most first
    stars = _charts(app)[0]
    series = _series(stars)
    capped = "ollama/ollama (history capped at 40k stars)"
    assert list(series) == [capped, *BY_STARS[1:]]  # legend in order of stars
    assert stars["layout"]["yaxis"]["title"]["text"] == "Stars"
    assert stars["layout"]["xaxis"]["title"]["text"] == "Date"

    # llama-models: the cumulative history (quiet days included), then the snapshots (113 < 115:
    # two stargazers left before D20)
    expected = {d: 40 for d in _days(date(2026, 10, 15), date(2026, 10, 19))}
    expected |= {d: 65 for d in _days(date(2026, 10, 20), date(2026, 11, 13))}
    expected |= {d: 95 for d in _days(date(2026, 11, 14), date(2026, 11, 19))}
    expected |= {D20: 113, D21: 124}
    assert _dates(stars, "meta-llama/llama-models") == [str(d) for d in expected]
    assert series["meta-llama/llama-models"] == list(expected.values())

    # ollama: the capped history's first stars, a break (no line across 2023-07-04 .. 2026-11-19),
    # then the snapshots
    assert _dates(stars, capped) == ["2023-07-01", "2023-07-02", "2023-07-03", "2023-07-04",
                                     "2026-11-20", "2026-11-21"]
    ollama = series[capped]
    assert ollama[:3] == [150, 150, 400] and math.isnan(ollama[3]) and ollama[4:] == [155_000, 155_300]
    assert any(c.value.startswith("History capped at 40k stars (ollama/ollama)") for c in app.caption)
    # the not-found repo keeps its last known figure; snapshots only elsewhere
    assert series["example-org/removed-model-code"] == [900]
    assert series["vllm-project/vllm"] == [61_000, 61_150]


def test_velocity_is_the_7_day_average_of_stars_gained(app):
    app.switch_page(PAGE).run()
    velocity = _charts(app)[1]
    series = _series(velocity)
    assert velocity["layout"]["yaxis"]["title"]["text"] == "Stars per day (7-day average)"
    # D15..D19 gained 0, D20 113 - 95 = 18, D21 124 - 113 = 11
    assert series["meta-llama/llama-models"][-1] == pytest.approx(29 / 7)
    # two snapshots: the first has no gain, so the average is the one known day's
    first, second = series["vllm-project/vllm"]
    assert math.isnan(first) and second == 150.0
    # ollama: the capped history's days, a break, then only the second snapshot has a gain
    ollama = series["ollama/ollama (history capped at 40k stars)"]
    assert ollama[:3] == pytest.approx([150.0, 75.0, 400 / 3]) and ollama[-1] == 300.0


def test_log_toggle_and_selection_change_the_chart(app):
    app.switch_page(PAGE).run()
    assert _charts(app)[0]["layout"]["yaxis"].get("type", "linear") == "linear"
    app.toggle(key="github_log").set_value(True).run()
    assert not app.exception
    assert _charts(app)[0]["layout"]["yaxis"]["type"] == "log"

    app.multiselect(key="github_repos").set_value(["vllm-project/vllm"]).run()
    assert not app.exception
    assert list(_series(_charts(app)[0])) == ["vllm-project/vllm"]
    assert list(_series(_charts(app)[1])) == ["vllm-project/vllm"]

    app.multiselect(key="github_repos").set_value([]).run()
    assert not app.exception
    assert any(i.value.startswith("Pick one or more repositories") for i in app.info)
    assert len(app.get("plotly_chart")) == 1  # the family chart stays


def test_category_select_changes_the_leaderboard(app):
    app.switch_page(PAGE).run()
    category = app.selectbox(key="github_category")
    assert category.options == ["inference-server (1 repos)", "local-runner (2 repos)", "model-repo (3 repos)",
                                "training (1 repos)"]
    board = app.dataframe[0].value
    assert list(board["repo"]) == ["vllm-project/vllm"]

    category.set_value("local-runner").run()
    assert not app.exception
    board = app.dataframe[0].value
    # no 30-day figure yet: listed by stars; the rename is flagged
    assert list(board["repo"]) == ["ollama/ollama", "ggerganov/llama.cpp"]
    assert list(board["status"]) == ["ok", "⚠️ renamed → ggml-org/llama.cpp"]
    assert list(board["history_capped"]) == [True, False]
    assert board["rank"].isna().all()
    assert any(c.value.startswith("No repo in this category has a figure 30 days back") for c in app.caption)
    assert any(c.value.startswith("Flagged: ggerganov/llama.cpp (⚠️ renamed → ggml-org/llama.cpp)")
               for c in app.caption)

    app.selectbox(key="github_category").set_value("model-repo").run()
    assert not app.exception
    board = app.dataframe[0].value
    assert list(board["repo"]) == ["meta-llama/llama-models", "mistralai/mistral-inference",
                                   "example-org/removed-model-code"]
    assert list(board["status"]) == ["ok", "ok", "⛔ not found (last seen 2026-11-20)"]
    top = board.iloc[0]
    # 124 now; 95 on 2026-11-14 (7 days back), 65 on 2026-10-22 (30 days back); no 90-day figure
    assert (top["rank"], top["stars"], top["stars_gained_7d"], top["stars_gained_30d"]) == (1, 124, 29, 59)
    assert top["growth_30d"] == pytest.approx(59 / 65)
    assert math.isnan(top["stars_gained_90d"])
    assert list(board["language"]) == ["Python"] * 3 and list(board["licence"])[:2] == ["Apache-2.0"] * 2


def test_repos_grouped_by_the_family_they_serve(app):
    app.switch_page(PAGE).run()
    bars = _charts(app)[2]
    [trace] = bars["data"]
    totals = dict(zip(_values(trace["y"]), _values(trace["x"])))
    # the not-found repo no longer counts
    assert totals == {"engines and tools (any family)": 155_300 + 152_100 + 86_200 + 61_150,
                      "mistral": 10_620, "llama": 124}
    assert bars["layout"]["xaxis"]["title"]["text"] == "Stars"
    families = app.dataframe[1].value
    assert families["repo_list"].iloc[0] == ("ollama/ollama, huggingface/transformers, "
                                              "ggerganov/llama.cpp, vllm-project/vllm")


def test_short_history_note_without_backfilled_history(settings):
    _publish(settings, *_raw_rows(with_history=False))
    app = _app()
    app.switch_page(PAGE).run()
    assert not app.exception
    [note] = app.info
    assert note.value.startswith("Short history: 2 daily snapshots so far (2026-11-20 to 2026-11-21) "
                                 "and no backfilled stargazer history")
    assert len(app.get("plotly_chart")) == 3


def test_an_empty_warehouse_shows_how_to_get_data(settings):
    _publish(settings, [], [])
    app = _app()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert [i.value for i in app.info] == [NO_GITHUB + ", and reload this page. " + DEMO_HINT]
    assert not app.get("plotly_chart")


def test_a_serving_copy_older_than_the_github_marts_says_build(data_dir):
    """A copy published before the GitHub marts existed: say `omo build`, do not raise CatalogException."""
    import duckdb

    from warehouse.publish import POINTER

    serving_dir = data_dir / "serving"
    serving_dir.mkdir(parents=True)
    con = duckdb.connect(str(serving_dir / "omo-old.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.data_freshness AS SELECT 'prices' AS source")
    con.close()
    (serving_dir / POINTER).write_text("omo-old.duckdb")
    app = _app()
    app.switch_page(PAGE).run()
    assert not app.exception
    [info] = app.info
    assert "predates the GitHub marts (repo_growth, repo_stars_daily)" in info.value
    assert "run `omo build`" in info.value
