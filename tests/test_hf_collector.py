"""The Hub collector against a 127.0.0.1 server replaying Hub-shaped /api/models pages.

Pages hold real model records (ids, downloads, tags as the Hub serves them in camelCase, from
tests/fixtures/hf_models_page.json); paging follows `Link: <…>; rel="next"` like the real Hub.
"""

import json
import time
from datetime import date

import duckdb
import polars as pl
import pytest

from collectors import hf_models
from collectors.pipeline import run_source
from collectors.runs import SourceError
from collectors.settings import Settings
from collectors.state import read_state
from tests.conftest import FIXTURES, closed_port_url, run_omo
from tests.replay import Reply

RECORDS = json.loads((FIXTURES / "hf_models_page.json").read_text())
# Lineage relations the fixture lacks, on a real quantized repo (figures illustrative).
QUANTIZED = {"id": "unsloth/DeepSeek-R1-GGUF", "author": "unsloth", "downloads": 1000, "likes": 10,
             "tags": ["gguf", "base_model:deepseek-ai/DeepSeek-R1",
                      "base_model:quantized:deepseek-ai/DeepSeek-R1", "license:mit"],
             "createdAt": "2025-01-20T09:00:00.000Z"}
MALFORMED = {"likes": 3, "tags": ["license:mit"]}  # no id: counted and skipped
JSON = {"Content-Type": "application/json; charset=utf-8"}
SNAPSHOT = date(2026, 11, 20)


def _page(records, next_path=None, base=""):
    headers = dict(JSON)
    if next_path:
        headers["Link"] = f'<{base}{next_path}>; rel="next"'
    return Reply(200, json.dumps(records).encode(), headers)


@pytest.fixture
def hub(replay, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", replay.base_url)
    pages = [RECORDS[:3], RECORDS[3:] + [MALFORMED], [QUANTIZED]]
    replay.route("/api/models", _page(pages[0], "/api/models?cursor=p2", replay.base_url))
    replay.route("/api/models?cursor=p2", _page(pages[1], "/api/models?cursor=p3", replay.base_url))
    replay.route("/api/models?cursor=p3", _page(pages[2]))
    return replay


def _rows(settings, sql="SELECT * FROM raw.hf_models ORDER BY downloads_30d DESC"):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        result = con.execute(sql)
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row)) for row in result.fetchall()]


def test_pages_follow_link_cursor_and_records_normalise(data_dir, hub):
    settings = Settings()
    run = run_source(hf_models, settings, snapshot_date=SNAPSHOT)
    assert run.pages == 3 and run.rows_loaded == len(RECORDS) + 1
    assert "malformed_records 1" in run.detail and "no_license_tag 1" in run.detail
    first = hub.requests[0][1]
    assert "sort=downloads" in first and "expand%5B%5D=downloadsAllTime" in first and "limit=1000" in first
    rows = {r["model_id"]: r for r in _rows(settings)}
    r1 = rows["deepseek-ai/DeepSeek-R1"]
    assert (r1["author"], r1["downloads_30d"], r1["license_id"], r1["parameters"]) == \
        ("deepseek-ai", 1757133, "mit", 684531386000)
    assert r1["base_models"] == [] and r1["pipeline_tag"] == "text-generation"
    assert rows["deepseek-ai/DeepSeek-V3"]["license_id"] is None  # counted, not dropped
    assert rows["google/gemma-7b-it"]["base_models"] == [{"relation": "finetune", "base_model_id": "google/gemma-7b"}]
    assert rows["unsloth/DeepSeek-R1-GGUF"]["base_models"] == [
        {"relation": "quantized", "base_model_id": "deepseek-ai/DeepSeek-R1"}]
    assert rows["google/gemma-7b-it"]["created_at"].year == 2024


def test_top_n_stops_early(data_dir, hub):
    run = run_source(hf_models, Settings(), snapshot_date=SNAPSHOT, top_n=4)
    assert run.rows_loaded == 4
    assert not any("cursor=p3" in path for _, path, _ in hub.requests), "page 3 was not needed"


def test_429_waits_for_ratelimit_reset_then_succeeds(data_dir, hub):
    limited = Reply(429, b'{"error":"rate limited"}', {**JSON, "RateLimit": '"api";r=0;t=1',
                                                       "RateLimit-Policy": '"fixed window";"api";q=500;w=300'})
    hub.routes["/api/models?cursor=p2"].insert(0, limited)
    started = time.monotonic()
    run = run_source(hf_models, Settings(), snapshot_date=SNAPSHOT)
    assert time.monotonic() - started >= 1.0, "waited for the advertised reset"
    assert run.rows_loaded == len(RECORDS) + 1


def test_500_then_success(data_dir, hub, monkeypatch):
    hub.routes["/api/models?cursor=p3"].insert(0, Reply(503, b"upstream error", JSON))
    run = run_source(hf_models, Settings(), snapshot_date=SNAPSHOT)
    assert run.pages == 3 and sum(1 for _, p, _ in hub.requests if "cursor=p3" in p) == 2


def test_truncated_page_fails_clearly_loads_nothing_and_resumes(data_dir, hub):
    good_page_two = hub.routes["/api/models?cursor=p2"][0]
    truncated = Reply(200, good_page_two.body[: len(good_page_two.body) // 2], good_page_two.headers)
    hub.routes["/api/models?cursor=p2"] = [truncated, good_page_two]
    settings = Settings()
    with pytest.raises(SourceError, match="is not valid JSON"):
        run_source(hf_models, settings, snapshot_date=SNAPSHOT)
    assert _rows(settings) == []  # nothing of that run loaded
    assert json.loads(read_state(settings.data_dir, "hf").cursor)["url"].endswith("cursor=p2")
    hub.requests.clear()
    run = run_source(hf_models, settings, snapshot_date=SNAPSHOT)
    assert [p for _, p, _ in hub.requests] == ["/api/models?cursor=p2", "/api/models?cursor=p3"]
    assert run.rows_loaded == len(RECORDS) + 1


def test_token_is_sent_but_never_logged_or_stored(data_dir, hub, monkeypatch):
    sentinel = "hf_SENTINELtoken0123456789"
    monkeypatch.setenv("HF_TOKEN", sentinel)
    hub.routes["/api/models?cursor=p3"] = [Reply(500, b"boom", JSON)]
    result = run_omo("collect", "hf", env={"OMO_HTTP_RETRIES": "0"})
    assert result.returncode == 1 and "HTTP 500" in result.stderr
    assert any({k.lower(): v for k, v in h.items()}.get("authorization") == f"Bearer {sentinel}"
               for _, _, h in hub.requests)
    logs = (data_dir / "logs" / "omo.jsonl").read_text()
    with duckdb.connect(str(data_dir / "omo.duckdb"), read_only=True) as con:
        stored = str(con.execute("SELECT * FROM raw.collector_runs").fetchall())
    for text in (result.stdout, result.stderr, logs, stored):
        assert sentinel not in text


def test_a_cached_hub_login_is_never_sent_to_the_configured_endpoint(data_dir, hub, tmp_path):
    # `huggingface-cli login` leaves a token in $HF_HOME/token; huggingface_hub would send it to
    # whatever HF_ENDPOINT says (a mirror, a test or demo server) unless told not to
    hf_home = tmp_path / "hf_home"
    hf_home.mkdir()
    (hf_home / "token").write_text("hf_CACHEDloginSENTINEL")
    result = run_omo("collect", "hf", env={"HF_HOME": str(hf_home)})
    assert result.returncode == 0, result.stderr
    assert hub.requests and not any("authorization" in {k.lower() for k in headers} for _, _, headers in hub.requests)


def test_offline_hub_is_one_line(data_dir, monkeypatch):
    result = run_omo("collect", "hf", env={"HF_ENDPOINT": closed_port_url().removesuffix("/data.json")})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "hf: cannot reach" in lines[0]


def _path(url: str) -> str:
    return url[url.index("/api/"):]


def test_tracked_authors_are_crawled_after_the_top_n_and_resume_by_phase(data_dir, hub, tmp_path, monkeypatch):
    authors = tmp_path / "authors.csv"
    authors.write_text("author,tracked\nQwen,true\nibm-granite,true\nsomeone,false\n")
    monkeypatch.setenv("OMO_HF_TRACKED_AUTHORS", "true")
    monkeypatch.setenv("OMO_HF_AUTHORS_FILE", str(authors))
    monkeypatch.setenv("OMO_HF_AUTHOR_TOP_N", "3")
    settings = Settings()
    qwen = [{"id": f"Qwen/Qwen3-{size}", "author": "Qwen", "downloads": 10 * i, "tags": ["license:apache-2.0"]}
            for i, size in enumerate(["0.6B", "4B", "8B", "14B"], start=1)]
    qwen_first = _path(hf_models.first_page_url(settings, False, 3, author="Qwen"))
    granite_first = _path(hf_models.first_page_url(settings, False, 3, author="ibm-granite"))
    # Qwen's first page repeats a top-N model (kept once); its cap of 3 stops after page two
    hub.route(qwen_first, _page([RECORDS[0]] + qwen[:1], "/api/models?cursor=q2", hub.base_url))
    hub.route("/api/models?cursor=q2", Reply(200, b'[{"id": "Qwen/Qw'),  # truncated: the run dies here
              _page(qwen[1:], "/api/models?cursor=q3", hub.base_url))
    hub.route(granite_first, _page([{"id": "ibm-granite/granite-3.3-8b-instruct", "downloads": 5,
                                     "tags": ["license:apache-2.0"]}]))
    with pytest.raises(SourceError, match="not valid JSON"):
        run_source(hf_models, settings, snapshot_date=SNAPSHOT)
    assert json.loads(read_state(settings.data_dir, "hf").cursor) == {
        "phase": 1, "url": f"{hub.base_url}/api/models?cursor=q2", "seen": 2}
    hub.requests.clear()
    run = run_source(hf_models, settings, snapshot_date=SNAPSHOT)
    assert [p for _, p, _ in hub.requests] == ["/api/models?cursor=q2", granite_first]
    assert "someone" not in str(hub.requests)
    ids = [r["model_id"] for r in _rows(settings, "SELECT model_id FROM raw.hf_models")]
    assert sorted(i for i in ids if not i.startswith(("deepseek", "google", "nvidia", "Junfeng5", "unsloth"))) == [
        "Qwen/Qwen3-0.6B", "Qwen/Qwen3-4B", "ibm-granite/granite-3.3-8b-instruct"]  # cap 3: one top-N repeat + 2
    assert len(ids) == len(set(ids)) and "2 tracked authors" in run.detail


def test_a_broken_authors_file_is_named(data_dir, tmp_path, monkeypatch):
    bad = tmp_path / "authors.csv"
    bad.write_text("org\nQwen\n")
    monkeypatch.setenv("OMO_HF_TRACKED_AUTHORS", "true")
    monkeypatch.setenv("OMO_HF_AUTHORS_FILE", str(bad))
    result = run_omo("collect", "hf")
    assert result.returncode == 1 and f"tracked-authors file {bad}" in result.stderr
    assert "Traceback" not in result.stderr


EDGE_RECORDS = [
    {"id": "org/minimal"},  # every optional field missing
    {"modelId": "org/only-model-id", "gated": "manual", "tags": [], "safetensors": {"parameters": {"F16": 7}, "total": 7}},
    {"id": "no-namespace-model", "author": "", "gated": False, "createdAt": "2024-02-13T01:07:30.000Z",
     "tags": ["license:other", "license:mit", "base_model:merge:a/x", "base_model:merge:b/y", "base_model:a/x",
              "base_model:bogus:c/z", "base_model:finetune:"]},
    {"id": "", "likes": 1},  # empty id: malformed
    {"tags": ["license:mit"]},  # no id: malformed
]


def _ctx():
    from datetime import UTC, datetime

    from collectors.runs import RunContext
    return RunContext("run-1", "hf", SNAPSHOT, datetime(2026, 11, 20, 6, tzinfo=UTC))


def test_fast_page_parser_matches_the_per_record_parser():
    body = json.dumps(RECORDS + [QUANTIZED] + EDGE_RECORDS).encode()
    fast_ctx, slow_ctx = _ctx(), _ctx()
    fast = hf_models.parse_page(body, "page", fast_ctx)
    slow = hf_models._parse_records(json.loads(body), "page", slow_ctx)
    slow_ctx.count("no_license_tag", slow.select(pl.col("license_id").is_null().sum()).item())
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_ctx.counters == slow_ctx.counters == {"malformed_records": 2, "no_license_tag": 3}
    edge = {r["model_id"]: r for r in fast.to_dicts()}
    assert edge["no-namespace-model"]["author"] is None and edge["no-namespace-model"]["license_id"] == "other"
    assert edge["no-namespace-model"]["base_models"] == [{"relation": "merge", "base_model_id": "a/x"},
                                                         {"relation": "merge", "base_model_id": "b/y"}]
    assert (edge["org/only-model-id"]["gated"], edge["org/only-model-id"]["parameters"]) == ("manual", 7)


def test_a_page_polars_refuses_still_keeps_its_good_records():
    body = json.dumps([{"id": "org/a", "downloads": "many"}, "not a record", {"id": "org/b", "downloads": 3}]).encode()
    ctx = _ctx()
    frame = hf_models.parse_page(body, "page", ctx)
    assert frame.select("model_id", "downloads_30d").rows() == [("org/a", None), ("org/b", 3)]
    assert ctx.counters["malformed_records"] == 1


def _run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its stdout/stderr, as a person at a shell would."""
    import os
    import pty
    import subprocess
    import sys
    master, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "omo.cli", *args], stdin=follower, stdout=follower,
                               stderr=follower, env={**os.environ, "TERM": "xterm", **env})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.wait(timeout=60), output.decode(errors="replace")


def test_progress_bar_on_a_terminal_and_silence_under_cron(data_dir, hub):
    code, shown = _run_in_terminal(["collect", "hf"], {})
    assert code == 0
    assert "hf: collecting" in shown and "rows/s" in shown and "3 pages" in shown
    piped = run_omo("collect", "hf")
    assert piped.returncode == 0 and "rows/s" not in piped.stdout + piped.stderr
