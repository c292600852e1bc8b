"""OpenRouter's /api/v1/models against a 127.0.0.1 replay of a real-shaped answer (8 real models)."""

import json
from datetime import date

import duckdb
import pytest

from collectors import openrouter
from collectors.pipeline import run_source
from collectors.runs import SourceError
from collectors.settings import Settings
from tests.conftest import FIXTURES, run_omo
from tests.replay import Reply

BODY = (FIXTURES / "openrouter_models.json").read_bytes()
SNAPSHOT = date(2026, 11, 20)


@pytest.fixture
def listing(replay, data_dir, monkeypatch):
    monkeypatch.setenv("OMO_OPENROUTER_URL", replay.route("/api/v1/models", Reply(body=BODY)))
    return replay


def _rows(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        result = con.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def test_prices_per_million_tokens_hub_links_and_indices(listing):
    settings = Settings()
    run = run_source(openrouter, settings, snapshot_date=SNAPSHOT)
    assert run.rows_loaded == 8
    rows = {r["model_id"]: r for r in _rows(settings, "SELECT * FROM raw.openrouter_models")}
    qwen = rows["qwen/qwen3.8-27b"]
    # "0.00000045" USD per token is 0.45 per 1M tokens, exactly
    assert (qwen["input_usd_per_mtok"], qwen["output_usd_per_mtok"], qwen["cache_read_usd_per_mtok"]) == (0.45, 3.2, 0.05)
    assert qwen["hugging_face_id"] == "Qwen/Qwen3.8-27B" and qwen["context_window_tokens"] == 262144
    assert qwen["created_at"].year == 2026 and qwen["aa_intelligence_index"] is None
    opus = rows["anthropic/claude-opus-5"]
    assert (opus["input_usd_per_mtok"], opus["cache_write_usd_per_mtok"], opus["aa_intelligence_index"]) == (5.0, 6.25, 63.1)
    assert opus["hugging_face_id"] is None
    auto = rows["openrouter/auto"]
    assert auto["is_variable_price"] and auto["input_usd_per_mtok"] is None  # "-1": varies by route
    assert rows["deepseek/deepseek-v4-pro-0813"]["input_usd_per_mtok"] == 0.66  # base price, not a schedule
    for counter in ("variable_price_models 1", "with_hugging_face_id 3", "time_of_day_overrides_ignored 1"):
        assert counter in run.detail


def test_next_link_is_followed_and_a_malformed_record_counted(replay, data_dir, monkeypatch):
    first = json.loads(BODY)
    second = {"data": first["data"][4:] + [{"name": "no id"}], "links": {"next": None}}
    first = {"data": first["data"][:4], "links": {"next": "/api/v1/models?page=2"}}
    monkeypatch.setenv("OMO_OPENROUTER_URL", replay.route("/api/v1/models", Reply(body=json.dumps(first).encode())))
    replay.route("/api/v1/models?page=2", Reply(body=json.dumps(second).encode()))
    run = run_source(openrouter, Settings(), snapshot_date=SNAPSHOT)
    assert run.pages == 2 and run.rows_loaded == 8 and "malformed_records 1" in run.detail


@pytest.mark.parametrize("body, message", [
    (b"<html><body>Bad gateway</body></html>", "is not valid JSON"),
    (BODY[: len(BODY) // 2], "is not valid JSON"),
    (b'{"error": {"message": "nope"}}', "without a `data` list"),
])
def test_a_broken_answer_fails_clearly_and_loads_nothing(replay, data_dir, monkeypatch, body, message):
    monkeypatch.setenv("OMO_OPENROUTER_URL", replay.route("/api/v1/models", Reply(body=body)))
    settings = Settings()
    with pytest.raises(SourceError, match=message):
        run_source(openrouter, settings, snapshot_date=SNAPSHOT)
    assert _rows(settings, "SELECT count(*) AS n FROM raw.openrouter_models") == [{"n": 0}]


def test_rerun_same_day_replaces_the_day(listing):
    settings = Settings()
    run_source(openrouter, settings, snapshot_date=SNAPSHOT)
    run_source(openrouter, settings, snapshot_date=SNAPSHOT)
    assert _rows(settings, "SELECT count(*) AS n FROM raw.openrouter_models") == [{"n": 8}]


def test_offline_is_one_line_and_nonzero(data_dir):
    result = run_omo("collect", "openrouter")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "openrouter: cannot reach" in lines[0]
