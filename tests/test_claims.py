"""Claims: given a fixture warehouse and claims files, expect verdicts, figures and error cards."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.claims import DEFAULT_FILE, Claim, Outcome, evaluate, load_claims
from warehouse.serving import current_serving_file

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def _outcomes(settings, path: Path) -> dict[str, Outcome]:
    serving = current_serving_file(settings.serving_dir)
    return {item.label if isinstance(item, Outcome) else item.id:
            item if isinstance(item, Outcome) else evaluate(item, serving) for item in load_claims(path)}


def test_the_shipped_claims_all_check_cleanly_and_follow_the_data(built_warehouse):
    outcomes = _outcomes(built_warehouse, DEFAULT_FILE)
    assert len(outcomes) == 7
    assert all(o.error is None and o.verdict is not None for o in outcomes.values()), \
        {k: o.error for k, o in outcomes.items() if o.error}
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        [(top_family,)] = con.execute("""SELECT key FROM marts.market_share_daily WHERE attribution = 'lineage'
            AND dimension = 'family' AND key <> '(unclassified)' AND snapshot_date = '2026-11-21'
            ORDER BY share_of_downloads_30d DESC LIMIT 1""").fetchall()
        [(deepseek_input,)] = con.execute("""SELECT input_usd_per_mtok FROM marts.current_prices
            WHERE provider_id = 'deepseek' AND model_id = 'deepseek-chat'""").fetchall()
    qwen = outcomes["qwen-most-downloaded"]
    assert qwen.verdict == ("holds" if top_family == "qwen" else "does not hold")
    assert qwen.figure.startswith(f"{top_family} leads with") and str(qwen.as_of) == "2026-11-21"
    # the fixture Hub crawl is a top-N crawl of 8 repos: it cannot tell how many models the Hub has
    assert outcomes["hub-two-million"].verdict == "not enough data"
    deepseek = outcomes["deepseek-028"]
    assert deepseek.verdict == ("holds" if abs(deepseek_input / 0.28 - 1) <= 0.1 else "does not hold")
    assert f"${deepseek_input}" in deepseek.figure


def test_verdicts_of_each_kind_and_errors_stay_with_their_claim(built_warehouse, tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('''
[[claim]]
id = "holds"
statement = "There is at least one Hub model."
source = "test"
check = "SELECT CASE WHEN count(*) > 0 THEN 'holds' ELSE 'does not hold' END AS verdict, count(*)::VARCHAR AS figure, max(snapshot_date) AS as_of FROM marts.model_downloads_daily"

[[claim]]
id = "does-not-hold"
statement = "There are more than a billion Hub models."
source = "test"
check = "SELECT CASE WHEN count(*) > 1e9 THEN 'holds' ELSE 'does not hold' END AS verdict, count(*)::VARCHAR AS figure, max(snapshot_date) AS as_of FROM marts.model_downloads_daily"

[[claim]]
id = "no-data"
statement = "A board nobody collects says so."
source = "test"
check = "SELECT 'not enough data' AS verdict, 'no such board' AS figure, NULL::DATE AS as_of"

[[claim]]
id = "broken-sql"
statement = "A check that does not parse."
source = "test"
check = "SELEC 1"

[[claim]]
id = "writes"
statement = "A check that tries to write."
source = "test"
check = "DROP TABLE marts.current_prices"

[[claim]]
id = "bad-verdict"
statement = "A check with a verdict nobody knows."
source = "test"
check = "SELECT 'probably' AS verdict, '' AS figure, current_date AS as_of"

[[claim]]
statement = "A claim without an id or check."
source = "test"
''')
    outcomes = _outcomes(built_warehouse, path)
    assert outcomes["holds"].verdict == "holds" and outcomes["holds"].figure == "16"  # 8 repos x 2 days
    assert outcomes["does-not-hold"].verdict == "does not hold"
    assert outcomes["no-data"].verdict == "not enough data"
    assert "check failed" in outcomes["broken-sql"].error and outcomes["broken-sql"].verdict is None
    assert "DROP is not allowed" in outcomes["writes"].error
    assert "'probably' is not one of" in outcomes["bad-verdict"].error
    assert outcomes["claim 7"].error == "missing or empty: id, check"
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.current_prices").fetchall()[0][0] > 0


def test_the_page_shows_a_card_per_claim_and_an_error_card_for_a_broken_one(built_warehouse, tmp_path,
                                                                             monkeypatch):
    from streamlit.runtime.caching import cache_data, cache_resource

    shipped = DEFAULT_FILE.read_text()
    path = tmp_path / "claims.toml"
    path.write_text(shipped + '\n[[claim]]\nid = "broken"\nstatement = "Broken."\nsource = "test"\ncheck = "SELEC"\n')
    monkeypatch.setenv("OMO_CLAIMS_FILE", str(path))
    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/claims.py").run()
    assert not app.exception
    statements = [m.value for m in app.markdown if m.value.startswith("**") and m.value.endswith("**")]
    assert len(statements) == 8
    assert any("Not checked: check failed" in e.value for e in app.error)
    verdicts = [m.value for m in app.markdown if "-badge[" in m.value]
    assert len(verdicts) == 7  # every shipped claim got a verdict


def test_a_missing_claims_file_is_one_message(built_warehouse, tmp_path, monkeypatch):
    from streamlit.runtime.caching import cache_data, cache_resource

    monkeypatch.setenv("OMO_CLAIMS_FILE", str(tmp_path / "nope.toml"))
    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/claims.py").run()
    assert not app.exception and "does not exist" in app.error[0].value


def test_claims_are_plain_data(tmp_path):
    assert Claim("a", "b", "c", "d").chart is None
    with pytest.raises(Exception, match="not valid TOML"):
        (tmp_path / "x.toml").write_text("[[claim]\n")
        load_claims(tmp_path / "x.toml")


def test_claims_with_data_behind_them_are_charted(built_warehouse):
    from streamlit.runtime.caching import cache_data, cache_resource

    cache_data.clear()
    cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/claims.py").run()
    # four shipped claims carry a chart query, and the fixture warehouse has rows for each
    assert len(app.get("plotly_chart")) == 4
    assert sum(c.value.startswith("Source:") for c in app.caption) == 4
