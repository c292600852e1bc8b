"""The CLI as users and cron run it: real subprocesses, a replay server on 127.0.0.1, no internet."""

import hashlib

import duckdb
import pytest

from tests.conftest import PRICES_FIXTURE, closed_port_url, run_omo
from tests.replay import Reply


def test_help_lists_every_command():
    result = run_omo("--help")
    assert result.returncode == 0
    for command in ("collect", "build", "serve", "sql", "status"):
        assert command in result.stdout
        sub = run_omo(command, "--help")
        assert sub.returncode == 0 and len(sub.stdout.strip().splitlines()) > 3, command


def test_offline_collect_uses_the_packaged_price_list(data_dir):
    # OMO_PRICES_URL points at a closed 127.0.0.1 port (conftest): the same failure as no network.
    result = run_omo("collect", "prices")
    assert result.returncode == 0, result.stderr
    assert "live prices unreachable" in result.stderr and "using packaged genai-prices" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        models, providers, dated = con.execute("""
            SELECT count(DISTINCT provider_id || '/' || model_id), count(DISTINCT provider_id),
                   count(*) FILTER (WHERE valid_from_is_exact) FROM raw.prices""").fetchone()
    # the wheel ships 2 000+ priced models from 40+ providers with dated price changes
    assert models > 2000 and providers > 40 and dated > 100


def test_live_mode_refuses_to_fall_back(data_dir):
    result = run_omo("collect", "prices", "--prices-mode", "live")
    assert result.returncode == 1
    assert "cannot reach" in result.stderr and "Traceback" not in result.stderr


def _fingerprint(data_dir):
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        prices = con.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM raw.prices").fetchall()
    serving = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (data_dir / "serving").iterdir()}
    return prices, serving


@pytest.mark.parametrize("reply, expected", [
    (Reply(500, b'{"error": "internal"}'), "HTTP 500"),
    (Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}), "did not return JSON"),
    (Reply(200, b'[{"id": "openai", "models": "oops"}]'), "does not match the genai-prices schema"),
])
def test_broken_live_source_is_one_clear_line_and_changes_nothing(data_dir, replay, reply, expected):
    good = replay.route("/good.json", Reply(body=PRICES_FIXTURE))
    assert run_omo("collect", "prices", env={"OMO_PRICES_URL": good}).returncode == 0
    assert run_omo("build").returncode == 0
    before = _fingerprint(data_dir)

    bad = replay.route("/bad.json", reply)
    result = run_omo("collect", "prices", env={"OMO_PRICES_URL": bad, "OMO_HTTP_RETRIES": "2"})
    assert result.returncode not in (0, 75)
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1, result.stderr
    assert error_lines[0].startswith("omo: error: prices:") and expected in error_lines[0]
    assert _fingerprint(data_dir) == before
    if reply.status == 500:  # retried, as 5xx can heal
        assert sum(1 for r in replay.requests if r[1] == "/bad.json") == 3
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        status, error = con.execute("""SELECT status, error FROM raw.collector_runs
                                       ORDER BY started_at DESC LIMIT 1""").fetchone()
    assert status == "failed" and expected in error


def test_collect_build_sql_status_end_to_end(data_dir, prices_url):
    assert run_omo("collect", "prices").returncode == 0
    build = run_omo("build")
    assert build.returncode == 0 and "marts.price_history" in build.stdout and "published" in build.stdout
    result = run_omo("sql", "select * from marts.price_history limit 5")
    assert result.returncode == 0, result.stderr
    assert "provider_id" in result.stdout and "5 rows" in result.stdout
    csv = run_omo("sql", "select model_id from marts.current_prices order by 1", "--csv")
    assert csv.stdout.splitlines()[:2] == ["model_id", "claude-opus-4-6"]
    status = run_omo("status")
    assert status.returncode == 3  # only prices ran: the other sources are reported as never run
    line = next(line for line in status.stdout.splitlines() if line.startswith("│ prices"))
    assert " ok " in line and "fresh" in line and "8" in line


@pytest.mark.parametrize("query, expected", [
    ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
    ("create table marts.x as select 1", "read-only"),
    ("set enable_external_access = true", "lock"),
    ("selec 1", "syntax error"),
])
def test_sql_refuses_hostile_or_broken_queries_cleanly(built_warehouse, query, expected):
    result = run_omo("sql", query)
    assert result.returncode == 1
    assert result.stderr.startswith("omo: error: query failed:") and expected in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_sql_before_anything_is_published(data_dir):
    result = run_omo("sql", "select 1")
    assert result.returncode == 1 and "nothing published yet" in result.stderr


def test_bad_setting_names_the_variable(data_dir):
    result = run_omo("collect", "prices", env={"OMO_HTTP_RETRIES": "many"})
    assert result.returncode == 2
    assert "OMO_HTTP_RETRIES" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_url_with_retries_does_not_wait(data_dir):
    result = run_omo("collect", "prices", "--prices-mode", "live",
                     env={"OMO_PRICES_URL": closed_port_url(), "OMO_HTTP_BACKOFF_S": "30"}, timeout=20)
    assert result.returncode == 1


def test_status_reports_identity_match_rates_and_how_to_list_the_unmatched(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        expected = con.execute("""SELECT name_source, count(*), count(*) FILTER (WHERE is_matched)
                                  FROM marts.model_identity GROUP BY ALL""").fetchall()
        unmatched = con.execute("SELECT count(*) FROM marts.model_identity WHERE NOT is_matched").fetchall()[0][0]
    status = run_omo("status", env={"COLUMNS": "220"})
    assert status.returncode == 0, status.stderr
    assert "model identity" in status.stdout
    assert {name for name, *_ in expected} >= {"genai-prices", "openrouter", "epoch-ai", "lmarena"}
    identity_table = status.stdout.split("model identity", 1)[1].splitlines()
    for name_source, names, matched in expected:
        line = next(line for line in identity_table if line.startswith(f"│ {name_source} "))
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        assert cells[2:5] == [f"{names:,}", f"{matched:,}", f"{matched / names:.0%}"], line
    assert f"{unmatched:,} names unmatched" in status.stdout
    # the query status suggests runs as printed and lists exactly the unmatched names
    from omo.cli import UNMATCHED_SQL
    listed = run_omo("sql", UNMATCHED_SQL, "--csv", "--max-rows", "10000")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == unmatched + 1


def test_offline_collect_all_says_so_per_source_and_points_to_the_demo(data_dir):
    # every live endpoint is a closed 127.0.0.1 port (conftest): what no network looks like
    result = run_omo("collect", "all", timeout=180)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("omo: error:")]
    assert {line.split(":")[2].strip() for line in errors} == {"hf", "github", "openrouter", "quality"}
    assert "`make demo`" in result.stderr and "Traceback" not in result.stderr
    assert "✓ prices" in result.stdout  # the packaged price list still works offline
