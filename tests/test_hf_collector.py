"""The Hub collector against a 127.0.0.1 server replaying Hub-shaped /api/models pages.

Pages hold real model records (ids, downloads, tags as the Hub serves them in camelCase, from
tests/fixtures/hf_models_page.json); paging follows `Link: <…>; rel="next"` like the real Hub.
"""

import json
import time
from datetime import date

import duckdb
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
    assert read_state(settings.data_dir, "hf").cursor.endswith("cursor=p2")
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


def test_offline_hub_is_one_line(data_dir, monkeypatch):
    result = run_omo("collect", "hf", env={"HF_ENDPOINT": closed_port_url().removesuffix("/data.json")})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "hf: cannot reach" in lines[0]
