"""The fault suite: kills, lock contention, readers during publishes, network faults, a full disk,
bad reference data and settings, and tokens that must never travel.

Every scenario ends the same way: the last published state is intact and readable,
raw.collector_runs tells the truth, and the next run succeeds. Collectors run as real `omo`
processes (tests/faults/inject.py wraps one function to stop a process at an exact point; the
sources are never modified) against 127.0.0.1 servers (tests/faults/server.py). Scenario ->
test -> outcome: tests/FAULT_MATRIX.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from collectors.pipeline import run_source
from collectors.settings import Settings
from collectors.state import read_state
from tests.conftest import HUB_EXTRA, HUB_RECORDS, PRICES_FIXTURE, openrouter_days, run_omo
from tests.faults.server import Echo, FaultServer, Reset, Slow, Stall, Tarpit, Truncated
from tests.replay import Reply
from warehouse.build import build
from warehouse.db import open_writer
from warehouse.publish import publish
from warehouse.serving import current_serving_file, open_serving

ROOT = Path(__file__).resolve().parents[1]
JSON = {"Content-Type": "application/json; charset=utf-8"}
HUB = HUB_RECORDS + HUB_EXTRA  # 8 real model records, served as three pages
HUB_PAGES = [HUB[:3], HUB[3:6], HUB[6:]]
OPENROUTER_BODY = openrouter_days()[0]
WAIT_S = 60  # generous: CI has two cores


def today() -> date:
    return datetime.now(UTC).date()  # the snapshot date `omo collect` uses


# -- servers and a published baseline ------------------------------------------------------------------

@pytest.fixture
def faults():
    with FaultServer() as server:
        yield server


def hub_page(records: list[dict], next_path: str | None, base: str) -> Reply:
    headers = dict(JSON)
    if next_path:
        headers["Link"] = f'<{base}{next_path}>; rel="next"'
    return Reply(200, json.dumps(records).encode(), headers)


def hub_paths(server: FaultServer) -> list[str]:
    """Listing requests only (huggingface_hub also fetches /api/agent-harnesses on its own)."""
    return [path for path in server.paths() if path.startswith("/api/models")]


def route_hub(server: FaultServer) -> None:
    base = server.base_url
    server.route("/api/models", hub_page(HUB_PAGES[0], "/api/models?cursor=p2", base))
    server.route("/api/models?cursor=p2", hub_page(HUB_PAGES[1], "/api/models?cursor=p3", base))
    server.route("/api/models?cursor=p3", hub_page(HUB_PAGES[2], None, base))


def route_live(server: FaultServer, monkeypatch) -> None:
    """Prices, the Hub (three pages) and OpenRouter answered by `server`."""
    monkeypatch.setenv("OMO_PRICES_URL", server.route("/prices/data.json", Reply(body=PRICES_FIXTURE)))
    monkeypatch.setenv("OMO_OPENROUTER_URL", server.route("/api/v1/models", Reply(body=OPENROUTER_BODY)))
    monkeypatch.setenv("HF_ENDPOINT", server.base_url)
    route_hub(server)


@pytest.fixture
def live(data_dir, faults, monkeypatch) -> FaultServer:
    route_live(faults, monkeypatch)
    return faults


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """Yesterday's prices, Hub and OpenRouter lists loaded, built and published, once per module."""
    data = tmp_path_factory.mktemp("baseline") / "data"
    with FaultServer() as server, pytest.MonkeyPatch.context() as monkeypatch:
        for name in [n for n in os.environ if n.startswith("OMO_")] + ["HF_TOKEN", "GITHUB_TOKEN"]:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("OMO_DATA_DIR", str(data))
        monkeypatch.setenv("OMO_HF_TRACKED_AUTHORS", "false")
        route_live(server, monkeypatch)
        settings = Settings()
        for source, options in (("prices", {"mode": "live"}), ("hf", {}), ("openrouter", {})):
            run_source(source, settings, snapshot_date=today() - timedelta(days=1), **options)
        with open_writer(settings.warehouse_path) as con:
            build(con)
            publish(con, settings.serving_dir)
    return data


@pytest.fixture
def published(baseline, live, data_dir) -> Settings:
    """A copy of the baseline: the published state every fault below must leave intact."""
    shutil.copytree(baseline, data_dir)
    return Settings()


def warehouse_fingerprint(settings: Settings) -> dict:
    """Every raw table's row count and content hash, and the run log."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY 1").fetchall()]
        return {name: con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM raw.{name}").fetchall()
                for name in tables}


def published_fingerprint(settings: Settings) -> tuple:
    """The copy the pointer names, its bytes, and what it answers (proving it is readable)."""
    current = current_serving_file(settings.serving_dir)
    with open_serving(current) as con:
        counts = con.execute("""SELECT (SELECT count(*) FROM marts.current_prices),
                                       (SELECT count(*) FROM marts.hf_model_profile),
                                       (SELECT count(*) FROM marts.collector_run_log)""").fetchone()
    return current.name, hashlib.sha256(current.read_bytes()).hexdigest(), counts


def runs(settings: Settings, source: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute("""SELECT run_id, status, snapshot_date, rows_loaded, pages, error FROM raw.collector_runs
                              WHERE source = ? ORDER BY started_at""", [source]).fetchall()


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def landed(settings: Settings, source: str) -> list[str]:
    folder = settings.landing_dir / f"source={source}" / f"snapshot_date={today().isoformat()}"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# -- processes stopped at an exact point -----------------------------------------------------------------

@contextmanager
def omo_process(tmp_path: Path, *args: str, fault: str | None = None, env: dict[str, str] | None = None):
    """`omo <args>` in its own process, optionally under tests/faults/inject.py; yields (process,
    handshake dir, output files). Never outlives the test."""
    handshake = tmp_path / f"handshake-{time.monotonic_ns()}"
    handshake.mkdir()
    command = [sys.executable, "-m", "tests.faults.inject", fault, str(handshake), *args] if fault \
        else [sys.executable, "-m", "omo.cli", *args]
    out, err = handshake / "stdout", handshake / "stderr"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT,
                                   env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT), **(env or {})})
    try:
        yield process, handshake, (out, err)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_S)


def wait_until_paused(process: subprocess.Popen, handshake: Path, outputs) -> dict:
    """The injected point's handshake: poll for the ready file (or fail if the process ended first)."""
    deadline = time.monotonic() + WAIT_S
    while not (handshake / "ready").exists():
        if process.poll() is not None:
            pytest.fail(f"omo ended ({process.returncode}) before the fault point:\n"
                        + outputs[0].read_text() + outputs[1].read_text())
        if time.monotonic() > deadline:
            pytest.fail("the fault point was never reached")
        time.sleep(0.02)
    return json.loads((handshake / "ready").read_text())


def sigkill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=WAIT_S) == -signal.SIGKILL


# -- SIGKILL mid-page, mid-landing-write, mid-load -------------------------------------------------------

def test_sigkill_mid_page_resumes_from_the_saved_cursor(published, live, tmp_path):
    settings = published
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    stall = Stall(live.routes["/api/models?cursor=p2"][0])
    live.routes["/api/models?cursor=p2"].insert(0, stall)
    with omo_process(tmp_path, "collect", "hf") as (process, _, _):
        assert stall.entered.wait(WAIT_S), "the collector never asked for page 2"
        sigkill(process)  # provably mid-page: page 2's answer has not been sent
    stall.release.set()

    state = read_state(settings.data_dir, "hf")
    assert state is not None and state.pages == 1 and json.loads(state.cursor)["url"].endswith("cursor=p2")
    assert landed(settings, "hf") == [f"{state.run_id}-hf_models-00000.parquet"]
    assert warehouse_fingerprint(settings) == before_wh  # nothing loaded, no run row for a killed run
    assert published_fingerprint(settings) == before_pub
    log = [json.loads(line) for line in (settings.log_dir / "omo.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log if e["run_id"] == state.run_id] == ["start", "landed"]  # the JSON log has it

    live.requests.clear()
    result = run_omo("collect", "hf")
    assert result.returncode == 0, result.stderr
    assert f"resuming run {state.run_id} after 1 page(s)" in result.stderr
    assert hub_paths(live) == ["/api/models?cursor=p2", "/api/models?cursor=p3"], "page 1 was not fetched again"
    assert runs(settings, "hf")[-1][:5] == (state.run_id, "ok", today(), len(HUB), 3)
    assert query(settings, "SELECT count(*), count(DISTINCT model_id) FROM raw.hf_models WHERE snapshot_date = ?",
                 [today()]) == [(len(HUB), len(HUB))]
    assert read_state(settings.data_dir, "hf") is None
    assert published_fingerprint(settings) == before_pub


def test_sigkill_mid_landing_write_leaves_only_a_tmp_file_never_loaded(published, live, tmp_path):
    settings = published
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    second_write = {"OMO_FAULT_AT": "2"}
    with omo_process(tmp_path, "collect", "hf", fault="land", env=second_write) as (process, handshake, outputs):
        paused = Path(wait_until_paused(process, handshake, outputs)["detail"])
        assert paused.name.endswith("-hf_models-00001.parquet.tmp") and paused.stat().st_size > 0
        sigkill(process)  # half of page 2's Parquet is on disk under its temporary name

    state = read_state(settings.data_dir, "hf")
    assert state.pages == 1
    assert landed(settings, "hf") == [f"{state.run_id}-hf_models-00000.parquet",
                                      f"{state.run_id}-hf_models-00001.parquet.tmp"]
    assert warehouse_fingerprint(settings) == before_wh
    assert published_fingerprint(settings) == before_pub

    result = run_omo("collect", "hf")
    assert result.returncode == 0, result.stderr
    assert runs(settings, "hf")[-1][:5] == (state.run_id, "ok", today(), len(HUB), 3)
    assert query(settings, "SELECT count(*), count(DISTINCT model_id) FROM raw.hf_models WHERE snapshot_date = ?",
                 [today()]) == [(len(HUB), len(HUB))]
    assert not [name for name in landed(settings, "hf") if name.endswith(".tmp")]
    assert published_fingerprint(settings) == before_pub


def test_sigkill_mid_load_rolls_back_and_the_next_run_loads(published, live, tmp_path):
    settings = published
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    live_prices = ("collect", "prices", "--prices-mode", "live")
    with omo_process(tmp_path, *live_prices, fault="load") as (process, handshake, outputs):
        run_id = wait_until_paused(process, handshake, outputs)["detail"]
        sigkill(process)  # DELETE and INSERT done inside the transaction, the write lock held, no COMMIT

    assert warehouse_fingerprint(settings) == before_wh  # rolled back; the lock went with the process
    assert published_fingerprint(settings) == before_pub
    assert read_state(settings.data_dir, "prices").run_id == run_id  # landed, waiting to be loaded

    result = run_omo("collect", "prices", "--prices-mode", "live")
    assert result.returncode == 0, result.stderr
    last = runs(settings, "prices")[-1]
    assert last[:3] == (run_id, "ok", today())
    assert query(settings, "SELECT count(*) > 0 FROM raw.prices WHERE snapshot_date = ?", [today()]) == [(True,)]
    build_result = run_omo("build")
    assert build_result.returncode == 0, build_result.stderr
    assert published_fingerprint(settings)[0] != before_pub[0]  # and the next build publishes


HOLD_WRITE_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(120)
"""


@contextmanager
def write_lock_held(settings: Settings):
    """Another process holding the warehouse's write lock (as a long load or build does)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(settings.warehouse_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=WAIT_S)


def price_rows_today(settings: Settings) -> tuple[int, int]:
    return query(settings, """SELECT count(*), count(DISTINCT (provider_id, model_id, valid_from)) FROM raw.prices
                              WHERE snapshot_date = ?""", [today()])[0]


@pytest.mark.parametrize("interruption", ["sigkill_mid_load", "busy_warehouse"])
def test_a_run_resumed_after_its_last_batch_loads_each_row_once(published, live, tmp_path, interruption):
    settings = published
    if interruption == "sigkill_mid_load":
        live_prices = ("collect", "prices", "--prices-mode", "live")
        with omo_process(tmp_path, *live_prices, fault="load") as (process, handshake, outputs):
            wait_until_paused(process, handshake, outputs)
            sigkill(process)
    else:
        with write_lock_held(settings):
            skipped = run_omo("collect", "prices", "--prices-mode", "live")
        assert skipped.returncode == 75, skipped.stderr
    result = run_omo("collect", "prices", "--prices-mode", "live")
    assert result.returncode == 0, result.stderr
    rows, distinct = price_rows_today(settings)
    assert rows == distinct, f"{rows} rows for {distinct} prices"
    assert runs(settings, "prices")[-1][3] == distinct  # rows_loaded tells the truth


# -- two collectors at once --------------------------------------------------------------------------------

def test_collectors_meeting_a_run_in_progress_exit_75_and_change_nothing(published, live, tmp_path):
    settings = published
    before_pub = published_fingerprint(settings)
    with omo_process(tmp_path, "collect", "hf", fault="load") as (first, handshake, outputs):
        run_id = wait_until_paused(first, handshake, outputs)["detail"]  # first holds the write lock, mid-load
        with omo_process(tmp_path, "collect", "hf") as (same, _, same_out), \
                omo_process(tmp_path, "collect", "prices", "--prices-mode", "live") as (other, _, other_out):
            codes = same.wait(timeout=WAIT_S), other.wait(timeout=WAIT_S)
        same_err, other_err = same_out[1].read_text(), other_out[1].read_text()
        assert codes == (75, 75), same_err + other_err
        assert same_err.splitlines()[-1].startswith("omo: skipped hf:")  # the same source, started meanwhile
        assert other_err.splitlines() == [
            f"omo: skipped prices: warehouse {settings.warehouse_path} is locked by another process"]
        assert published_fingerprint(settings) == before_pub  # readers are never blocked
        (handshake / "release").touch()
        assert first.wait(timeout=WAIT_S) == 0, outputs[1].read_text()
    # the run log holds the run that loaded, once; the skips are in the JSON log (the warehouse was busy)
    assert [r[:3] for r in runs(settings, "hf") if r[2] == today()] == [(run_id, "ok", today())]
    assert [r for r in runs(settings, "prices") if r[2] == today()] == []
    log = [json.loads(line) for line in (settings.log_dir / "omo.jsonl").read_text().splitlines()]
    assert {e["source"] for e in log if e["event"] == "skipped"} == {"hf", "prices"}
    assert query(settings, "SELECT count(*), count(DISTINCT model_id) FROM raw.hf_models WHERE snapshot_date = ?",
                 [today()]) == [(len(HUB), len(HUB))]
    assert run_omo("collect", "hf").returncode == 0  # the next run succeeds
    assert published_fingerprint(settings) == before_pub


def test_a_second_collector_of_the_same_source_mid_crawl_exits_75(published, live, tmp_path):
    settings = published
    stall = Stall(live.routes["/api/models?cursor=p2"][0])
    live.routes["/api/models?cursor=p2"].insert(0, stall)
    with omo_process(tmp_path, "collect", "hf") as (first, _, _):
        assert stall.entered.wait(WAIT_S), "the first collector never asked for page 2"
        second = run_omo("collect", "hf")
        stall.release.set()
        first_code = first.wait(timeout=WAIT_S)
    assert (first_code, second.returncode) == (0, 75), second.stderr
    assert len({r[0] for r in runs(settings, "hf")}) == len(runs(settings, "hf"))  # one row per run id


# -- network faults from the server -----------------------------------------------------------------------

def cli(*args: str, env: dict[str, str] | None = None):
    """The real CLI in this process (typer's runner): the same code as `omo`, without the start-up cost
    of a process, for the many network cases. Returns exit_code, stdout and stderr."""
    from typer.testing import CliRunner

    from omo.cli import app
    return CliRunner(env=env).invoke(app, list(args))


HTML_PAGE = Reply(200, b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
                  {"Content-Type": "text/html; charset=utf-8"})
HTML_503 = Reply(503, HTML_PAGE.body, HTML_PAGE.headers)


def too_many(retry_after: str) -> Reply:
    return Reply(429, b'{"error": "Too Many Requests"}', {**JSON, "Retry-After": retry_after,
                                                         "RateLimit": '"api";r=0;t=0'})


def _hub_page_2(change) -> Reply:
    records = [change(dict(record)) for record in HUB_PAGES[1]]
    return hub_page(records, "/api/models?cursor=p3", "{base}")


def _openrouter(change) -> Reply:
    envelope = json.loads(OPENROUTER_BODY)
    envelope["data"] = [change(dict(record)) for record in envelope["data"]]
    return Reply(body=json.dumps(envelope).encode())


def _prices(change) -> Reply:
    providers = json.loads(PRICES_FIXTURE)
    for provider in providers:
        provider["models"] = [change(dict(model)) for model in provider["models"]]
    return Reply(body=json.dumps(providers).encode())


def _rename(old: str, new: str):
    return lambda record: {(new if key == old else key): value for key, value in record.items()}


def _add(**fields):
    return lambda record: {**record, **fields}


# source -> (the route a fault replaces, CLI arguments, raw table, rows a good run loads)
TARGETS = {
    "hf": ("/api/models?cursor=p2", ("collect", "hf"), "raw.hf_models", len(HUB)),
    "openrouter": ("/api/v1/models", ("collect", "openrouter"), "raw.openrouter_models", 8),
    "prices": ("/prices/data.json", ("collect", "prices"), "raw.prices", 8),
}
GOOD = "good"  # stands for the route's good reply in a fault sequence

# (source, fault, actions served before the good reply, expected error fragment or None when the run heals)
NETWORK_FAULTS = [
    ("hf", "reset once", [Reset()], None),
    ("hf", "reset burst", [Reset()] * 3, "failed after 3 attempt(s): ReadError"),
    ("hf", "slow once", ["slow"], None),
    ("hf", "slow burst", ["slow"] * 2, "failed after 2 attempt(s): ReadTimeout"),
    ("hf", "429 burst, Retry-After 0", [too_many("0")] * 2, None),
    ("hf", "429, Retry-After past the wait bound", [too_many("3600")], "exceeds OMO_HTTP_MAX_WAIT_S"),
    ("hf", "5xx burst that heals", [Reply(500), Reply(502)], None),
    ("hf", "5xx burst", [Reply(503, b"upstream error")] * 3, "failed after 3 attempt(s): HTTP 503"),
    ("hf", "HTML page with 200", [HTML_PAGE], "is not valid JSON"),
    ("hf", "HTML page with 503", [HTML_503] * 3, "HTTP 503"),
    ("hf", "truncated body (short of Content-Length) once", ["truncated"], None),
    ("hf", "truncated body burst", ["truncated"] * 3, "failed after 3 attempt(s): RemoteProtocolError"),
    ("hf", "schema: new field", [_hub_page_2(_add(newField={"nested": [1, 2]}))], None),
    ("hf", "schema: wrong type", [_hub_page_2(_add(downloads="1.2M", likes=None, tags="license:mit"))], None),
    ("hf", "schema: renamed id", [_hub_page_2(_rename("id", "repo_id"))], "has the listing's schema changed"),
    ("openrouter", "reset burst", [Reset()] * 3, "failed after 3 attempt(s): ReadError"),
    ("openrouter", "slow burst", ["slow"] * 2, "failed after 2 attempt(s): ReadTimeout"),
    ("openrouter", "429 burst, Retry-After 0", [too_many("0")] * 2, None),
    ("openrouter", "429, Retry-After past the wait bound", [too_many("3600")], "exceeds OMO_HTTP_MAX_WAIT_S"),
    ("openrouter", "5xx burst", [Reply(502)] * 3, "failed after 3 attempt(s): HTTP 502"),
    ("openrouter", "HTML page with 503", [HTML_503] * 3, "HTTP 503"),
    ("openrouter", "truncated body (short of Content-Length) once", ["truncated"], None),
    ("openrouter", "schema: new field", [_openrouter(_add(reasoning={"effort": ["low", "high"]}))], None),
    ("openrouter", "schema: renamed id", [_openrouter(_rename("id", "slug"))], "listed no models"),
    ("openrouter", "schema: wrong type", [_openrouter(_add(context_length="262144", created="2026-01-01"))], None),
    ("prices", "reset burst", [Reset()] * 3, "failed after 3 attempt(s): ReadError"),
    ("prices", "slow once", ["slow"], None),
    ("prices", "truncated body (short of Content-Length) once", ["truncated"], None),
    ("prices", "429 burst, Retry-After 0", [too_many("0")] * 2, None),
    ("prices", "schema: new field", [_prices(_add(new_field="x"))], None),
    ("prices", "schema: renamed field", [_prices(_rename("prices", "price"))], "holds no token-priced model"),
    ("prices", "schema: wrong type", [_prices(_add(context_window="large"))], "does not match the genai-prices schema"),
]


def _actions(server: FaultServer, path: str, sequence: list) -> list:
    good, base = server.routes[path][0], server.base_url
    actions = []
    for action in sequence:
        if action == "slow":
            action = Slow(good, 4.0)  # past OMO_HTTP_TIMEOUT_S below
        elif action == "truncated":
            action = Truncated(good, len(good.body) // 2)
        elif isinstance(action, Reply) and b"{base}" in action.headers.get("Link", "").encode():
            action = Reply(action.status, action.body, {**action.headers,
                                                        "Link": action.headers["Link"].format(base=base)})
        actions.append(action)
    return [*actions, good]


def rows_today(settings: Settings, table: str) -> int:
    return query(settings, f"SELECT count(*) FROM {table} WHERE snapshot_date = ?", [today()])[0][0]


@pytest.mark.parametrize("source, fault, sequence, expected", NETWORK_FAULTS,
                         ids=[f"{case.values[0]}: {case.values[1]}" if hasattr(case, "values") else f"{case[0]}: {case[1]}"
                              for case in NETWORK_FAULTS])
def test_network_fault(published, live, monkeypatch, source, fault, sequence, expected):
    settings = published
    monkeypatch.setenv("OMO_HTTP_RETRIES", "2")
    path, args, table, good_rows = TARGETS[source]
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    live.route(path, *_actions(live, path, sequence))

    slow = "slow" in sequence  # past a short timeout (the good answer still comes well within it)
    result = cli(*args, env={"OMO_HTTP_TIMEOUT_S": "1", "OMO_HTTP_RETRIES": "1"} if slow else None)
    if expected is None:  # healed by a retry, or a schema change the collector absorbs
        assert result.exit_code == 0, result.stderr
        assert runs(settings, source)[-1][1:4] == ("ok", today(), good_rows)
        assert rows_today(settings, table) == good_rows
    else:
        assert result.exit_code == 1, result.stdout + result.stderr
        lines = error_lines(result)
        assert len(lines) == 1 and lines[0].startswith(f"omo: error: {source}:") and expected in lines[0], lines
        assert runs(settings, source)[-1][1] == "failed" and expected in runs(settings, source)[-1][5]
        after = warehouse_fingerprint(settings)
        assert {k: v for k, v in after.items() if k != "collector_runs"} == \
            {k: v for k, v in before_wh.items() if k != "collector_runs"}, "a failed run loaded nothing"
        live.route(path, live.routes[path][-1])
        again = cli(*args)  # the next run succeeds (the Hub resumes at the page that failed)
        assert again.exit_code == 0, again.stderr
        assert rows_today(settings, table) == good_rows
        assert runs(settings, source)[-1][1] == "ok"
        if source == "hf":
            assert "resuming run" in again.stderr
    assert published_fingerprint(settings) == before_pub


def test_a_host_that_never_accepts_counts_as_offline_and_prices_fall_back(published, monkeypatch):
    settings = published
    before_pub = published_fingerprint(settings)
    with Tarpit() as tarpit:
        if not tarpit.drops_connections():
            pytest.skip("this kernel refuses connections past a full backlog instead of dropping them")
        monkeypatch.setenv("OMO_PRICES_URL", tarpit.base_url + "/data.json")
        result = cli("collect", "prices", env={"OMO_HTTP_TIMEOUT_S": "0.5", "OMO_HTTP_RETRIES": "1"})
    assert published_fingerprint(settings) == before_pub
    assert result.exit_code == 0, result.stderr
    assert "live prices unreachable" in result.stderr and runs(settings, "prices")[-1][1] == "ok"


# -- a dashboard-like reader while collectors load and builds publish -----------------------------------

def _build_counts(stdout: str) -> tuple[str, dict[str, int]]:
    """What `omo build` printed: the copy it published and each mart's row count."""
    counts = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].startswith("marts.") and parts[2] == "rows":  # then its seconds
            counts[parts[0].removeprefix("marts.")] = int(parts[1].replace(",", ""))
    published_line = next(line for line in stdout.splitlines() if "published omo-" in line)
    return published_line.split("published ", 1)[1].strip(), counts


def test_a_reader_sees_only_whole_published_copies_while_collectors_load_and_builds_publish(published, tmp_path):
    from tests.faults.reader import MARTS, QUERY

    settings = published
    first = current_serving_file(settings.serving_dir)
    with open_serving(first) as con:
        expected = {first.name: list(con.execute(QUERY).fetchone())}
    out = tmp_path / "reader"
    out.mkdir()
    reader = subprocess.Popen([sys.executable, "-m", "tests.faults.reader", str(settings.serving_dir), str(out)],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + WAIT_S
        while not (out / "ready").exists():
            assert reader.poll() is None and time.monotonic() < deadline, "the reader did not start"
            time.sleep(0.02)
        # collectors load (in this process, through the CLI) between real `omo build` processes
        for collect in (("collect", "prices", "--prices-mode", "live"), ("collect", "hf"), None):
            if collect:
                assert cli(*collect).exit_code == 0
            built = run_omo("build")
            assert built.returncode == 0, built.stderr
            name, counts = _build_counts(built.stdout)
            expected[name] = [counts[mart] for mart in MARTS]
        (out / "stop").touch()
        assert reader.wait(timeout=WAIT_S) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    result = json.loads((out / "result.json").read_text())
    assert result["error_count"] == 0, result["errors"]
    assert set(result["seen"]) == set(expected), "every published copy was read while it was current"
    for name, seen in result["seen"].items():
        assert seen == [expected[name]], f"{name}: a read saw counts its build did not produce"
    assert len({tuple(counts) for counts in expected.values()}) > 1  # the copies really differed
    assert len(list(settings.serving_dir.glob("omo-*.duckdb"))) == settings.serving_versions_kept


# -- tokens never travel ------------------------------------------------------------------------------------

PLAIN_TOKENS = {"HF_TOKEN": "hf_SENTINELplainHub0001", "GITHUB_TOKEN": "ghp_SENTINELplainGitHub0002",
                "OPENROUTER_API_KEY": "sk-or-v1-SENTINELplainOpenRouter0003"}
OMO_TOKENS = {"OMO_HF_TOKEN": "hf_SENTINELomoHub0004", "OMO_GITHUB_TOKEN": "ghp_SENTINELomoGitHub0005",
              "OMO_OPENROUTER_API_KEY": "sk-or-v1-SENTINELomoOpenRouter0006"}
ALL_TOKENS = {**PLAIN_TOKENS, **OMO_TOKENS}
MARK = "SENTINEL"  # in every token above, in nothing else
# the status each source's server answers, echoing the request's headers back: every source meets each
ECHO_STATUSES = [{"prices": 500, "hf": 403, "github": 401, "openrouter": 500, "quality": 403},
                 {"prices": 401, "hf": 401, "github": 403, "openrouter": 403, "quality": 500},
                 {"prices": 403, "hf": 500, "github": 500, "openrouter": 401, "quality": 401}]


def echo_env(server: FaultServer, statuses: dict[str, int]) -> dict[str, str]:
    server.route("/prices/data.json", Echo(statuses["prices"]))
    server.route("/api/models", Echo(statuses["hf"]))
    server.route("/repos/vllm-project/vllm", Echo(statuses["github"]))
    server.route("/graphql", Echo(statuses["github"]))
    server.route("/api/v1/models", Echo(statuses["openrouter"]))
    server.route("/quality/benchmark_data.zip", Echo(statuses["quality"]))
    base = server.base_url
    return {"OMO_PRICES_URL": f"{base}/prices/data.json", "HF_ENDPOINT": base, "GITHUB_API_URL": base,
            "OMO_OPENROUTER_URL": f"{base}/api/v1/models", "OMO_QUALITY_URL": f"{base}/quality/benchmark_data.zip"}


def sentinel_findings(data: Path) -> list[str]:
    """Where a token shows up under a data directory: any file's bytes, every row of every Parquet file,
    and every table (all columns, nested ones included, cast to text) of every DuckDB file."""
    found = []
    with duckdb.connect() as con:
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            if MARK.encode() in path.read_bytes():
                found.append(str(path))
            if path.name.endswith((".parquet", ".parquet.tmp")):
                hits = con.execute("SELECT count(*) FROM read_parquet(?) AS t WHERE contains(CAST(t AS VARCHAR), ?)",
                                   [str(path), MARK]).fetchone()[0]
                found += [f"{path}: {hits} rows"] if hits else []
            if path.name.endswith(".duckdb"):
                con.execute(f"ATTACH '{path}' AS scanned (READ_ONLY)")
                tables = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                                        WHERE database_name = 'scanned'""").fetchall()
                assert tables, f"{path} has no tables to scan"
                for schema, table in tables:
                    hits = con.execute(f'SELECT count(*) FROM scanned."{schema}"."{table}" AS t '
                                       "WHERE contains(CAST(t AS VARCHAR), ?)", [MARK]).fetchone()[0]
                    found += [f"{path}: {schema}.{table}: {hits} rows"] if hits else []
                con.execute("DETACH scanned")
    return found


def test_tokens_appear_in_no_output_file_or_table(data_dir, tmp_path):
    repos = tmp_path / "repos.csv"
    repos.write_text("repo\nvllm-project/vllm\n")
    common = {"OMO_HTTP_RETRIES": "1", "OMO_GITHUB_DEFAULT_REPOS": "false", "OMO_GITHUB_REPOS_FILE": str(repos)}
    with FaultServer() as one, FaultServer() as two, FaultServer() as three:
        echoes = [echo_env(server, statuses) for server, statuses in zip((one, two, three), ECHO_STATUSES)]

        def env(tokens: dict[str, str], data: str, echo: dict[str, str] | None = None) -> dict[str, str]:
            return {**common, **tokens, "OMO_DATA_DIR": str(tmp_path / data), **(echo or {})}

        # HF_TOKEN & co. against closed ports (conftest) and each echo, the OMO_* names against one
        # (redaction is by value), and every command that reads what the runs left
        plain, plain_2, omo = env(PLAIN_TOKENS, "plain"), env(PLAIN_TOKENS, "plain-2"), env(OMO_TOKENS, "omo")
        lines = [[(("collect", "all"), plain), (("collect", "all"), {**plain, **echoes[0]}), (("build",), plain),
                  (("sql", "SELECT * FROM marts.collector_run_log", "--csv"), plain)],
                 [(("collect", "all"), {**omo, **echoes[1]}), (("schedule",), omo), (("serve", "--help"), omo)],
                 [(("collect", "all"), {**plain_2, **echoes[2]}), (("status",), plain_2)]]

        def run_all(commands: list) -> list:
            return [(args, run_omo(*args, env=command_env, timeout=WAIT_S * 2)) for args, command_env in commands]

        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(len(lines)) as pool:
            results = [item for job in [pool.submit(run_all, line) for line in lines] for item in job.result()]
        sent = " ".join(str(headers) for server in (one, two, three) for _, _, headers in server.requests)

    # the tokens were really sent (so the servers really echoed them) ...
    for name in ("HF_TOKEN", "GITHUB_TOKEN", "OMO_HF_TOKEN", "OMO_GITHUB_TOKEN"):
        assert ALL_TOKENS[name] in sent, f"{name} was never sent: the echo proves nothing"
    # collect all: sources failed; status: sources that never succeeded
    expected_codes = {"collect": 1, "build": 0, "status": 3, "sql": 0, "schedule": 0, "serve": 0}
    assert [(args[0], result.returncode) for args, result in results] == \
        [(args[0], expected_codes[args[0]]) for args, _ in results], [r.stderr for _, r in results]
    output = "\n".join(result.stdout + result.stderr for _, result in results)
    run_log = next(result.stdout for args, result in results if args[0] == "sql")
    assert "<HF_TOKEN redacted>" in run_log and "<GITHUB_TOKEN redacted>" in run_log  # echoed, stored, redacted
    # ... and appear nowhere: terminal, logs, landing Parquet, state, warehouse, serving copies
    assert MARK not in output, [line for line in output.splitlines() if MARK in line][:5]
    for data in ("plain", "plain-2", "omo"):
        assert sentinel_findings(tmp_path / data) == []


def test_a_token_from_the_dotenv_file_is_redacted_too(data_dir, faults, tmp_path, monkeypatch):
    faults.route("/api/models", Echo(403))
    monkeypatch.setenv("HF_ENDPOINT", faults.base_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"OMO_HF_TOKEN={OMO_TOKENS['OMO_HF_TOKEN']}\n")
    result = cli("collect", "hf")
    assert result.exit_code == 1
    assert OMO_TOKENS["OMO_HF_TOKEN"] in str(faults.requests)  # sent, and echoed back
    assert MARK not in result.stdout + result.stderr
    assert sentinel_findings(data_dir) == []


# -- a full disk while landing ------------------------------------------------------------------------------

def test_disk_full_while_landing_is_one_line_leaves_no_part_and_the_next_run_resumes(published, live, tmp_path):
    settings = published
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    with omo_process(tmp_path, "collect", "hf", fault="enospc", env={"OMO_FAULT_AT": "2"}) as (process, _, outputs):
        assert process.wait(timeout=WAIT_S) == 1  # page 2's Parquet half written when the disk filled up
    lines = [line for line in outputs[1].read_text().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("omo: error: hf: OSError: [Errno 28] No space left on device"), lines
    state = read_state(settings.data_dir, "hf")
    assert state.pages == 1 and landed(settings, "hf") == [f"{state.run_id}-hf_models-00000.parquet"]  # no .tmp
    after = warehouse_fingerprint(settings)
    assert {k: v for k, v in after.items() if k != "collector_runs"} == \
        {k: v for k, v in before_wh.items() if k != "collector_runs"}
    last = runs(settings, "hf")[-1]
    assert last[:2] == (state.run_id, "failed") and "No space left on device" in last[5]
    assert published_fingerprint(settings) == before_pub

    # a stale, complete-looking .tmp of another run beside it must never be loaded
    folder = settings.landing_dir / "source=hf" / f"snapshot_date={today().isoformat()}"
    stale = folder / "20200101T000000Z-dead00-hf_models-00000.parquet.tmp"
    shutil.copy(folder / f"{state.run_id}-hf_models-00000.parquet", stale)
    result = run_omo("collect", "hf")
    assert result.returncode == 0, result.stderr
    assert f"resuming run {state.run_id} after 1 page(s)" in result.stderr
    assert runs(settings, "hf")[-1][:4] == (state.run_id, "ok", today(), len(HUB))
    assert query(settings, "SELECT count(*), count(DISTINCT model_id) FROM raw.hf_models WHERE snapshot_date = ?",
                 [today()]) == [(len(HUB), len(HUB))]
    assert published_fingerprint(settings) == before_pub


# -- bad reference data, files and settings: one line naming the file or the variable ------------------------

@pytest.mark.parametrize("damage, named", [
    ("missing", "families.csv is missing"),
    ("truncated", "licenses.csv"),
    ("garbage", "organizations.csv"),
])
def test_a_bad_reference_file_fails_the_build_naming_it_and_keeps_the_marts(published, tmp_path, monkeypatch,
                                                                          damage, named):
    import warehouse.build

    settings = published
    reference = tmp_path / "reference"
    shutil.copytree(Path(str(warehouse.build.reference_dir())), reference)
    if damage == "missing":
        (reference / "families.csv").unlink()
    elif damage == "truncated":
        text = (reference / "licenses.csv").read_text()
        (reference / "licenses.csv").write_text(text[: len(text) // 2].rsplit(",", 1)[0])
    else:
        (reference / "organizations.csv").write_bytes(b"\x00\xff\xfe garbage \x00\n\x01,\x02\n")
    before_pub = published_fingerprint(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        marts_before = con.execute("SELECT count(*) FROM marts.hf_model_profile").fetchone()
    with monkeypatch.context() as patch:
        patch.setattr(warehouse.build, "reference_dir", lambda: reference)  # the packaged folder, damaged
        result = cli("build")
    assert result.exit_code == 1
    lines = error_lines(result)
    assert len(lines) == 1 and named in lines[0], lines
    assert lines[0].startswith("omo: error: build failed, previous marts kept: reference file"), lines
    assert published_fingerprint(settings) == before_pub
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.hf_model_profile").fetchone() == marts_before
    assert cli("build").exit_code == 0  # repaired: the next build publishes
    assert published_fingerprint(settings)[0] != before_pub[0]


@pytest.mark.parametrize("command, variable, value, named", [
    (("collect", "hf"), "OMO_HF_AUTHORS_FILE", "{missing}", "hf: cannot read the tracked-authors file {missing}"),
    (("collect", "hf"), "OMO_HF_AUTHORS_FILE", "{binary}", "hf: cannot read the tracked-authors file {binary}"),
    (("collect", "github"), "OMO_GITHUB_REPOS_FILE", "{missing}", "github: cannot read the repositories file {missing}"),
    (("collect", "github"), "OMO_GITHUB_REPOS_FILE", "{binary}", "github: cannot read the repositories file {binary}"),
])
def test_a_missing_or_unreadable_user_file_is_named(published, tmp_path, monkeypatch, command, variable, value,
                                                    named):
    settings = published
    paths = {"missing": tmp_path / "no-such.csv", "binary": tmp_path / "binary.csv"}
    paths["binary"].write_bytes(b"\xff\xfe\x00\x81 not utf-8 \x00")
    monkeypatch.setenv("OMO_HF_TRACKED_AUTHORS", "true")
    monkeypatch.setenv(variable, value.format(**paths))
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    result = cli(*command)
    assert result.exit_code == 1
    lines = error_lines(result)
    assert len(lines) == 1 and named.format(**paths) in lines[0], lines
    assert runs(settings, command[1])[-1][1] == "failed"
    after = warehouse_fingerprint(settings)
    assert {k: v for k, v in after.items() if k != "collector_runs"} == \
        {k: v for k, v in before_wh.items() if k != "collector_runs"}
    assert published_fingerprint(settings) == before_pub


@pytest.mark.parametrize("command, setting", [
    (("collect", "prices"), "OMO_HTTP_TIMEOUT_S=0"),
    (("collect", "hf"), "OMO_HF_TOP_N=-5"),
    (("build",), "OMO_SERVING_VERSIONS_KEPT=0"),
    (("status",), "OMO_HTTP_RETRIES=11"),
    (("sql", "select 1"), "OMO_QUALITY_FORMAT=xlsx"),
    (("schedule",), "OMO_GITHUB_STAR_HISTORY=maybe"),
])
@pytest.mark.parametrize("where", ["environment", ".env file"])
def test_a_bad_setting_is_one_line_naming_the_variable_and_changes_nothing(published, tmp_path, monkeypatch,
                                                                           command, setting, where):
    settings = published
    before_wh, before_pub = warehouse_fingerprint(settings), published_fingerprint(settings)
    variable, value = setting.split("=", 1)
    monkeypatch.chdir(tmp_path)
    if where == "environment":
        monkeypatch.setenv(variable, value)
    else:
        (tmp_path / ".env").write_text(f"{setting}\n")
    result = cli(*command)
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"omo: error: bad setting: {variable}:"), lines
    assert warehouse_fingerprint(settings) == before_wh and published_fingerprint(settings) == before_pub


@pytest.mark.parametrize("command", [("collect", "prices", "--prices-mode", "packaged"), ("build",), ("status",),
                                     ("sql", "select 1")])
def test_a_data_dir_that_is_a_file_is_a_bad_setting(data_dir, tmp_path, monkeypatch, command):
    not_a_directory = tmp_path / "data"
    not_a_directory.write_text("oops\n")
    monkeypatch.setenv("OMO_DATA_DIR", str(not_a_directory))
    result = cli(*command)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("omo: error: bad setting: OMO_DATA_DIR:"), lines
