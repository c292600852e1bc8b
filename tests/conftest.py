from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from collectors.settings import Settings
from tests.replay import Reply, ReplayServer

FIXTURES = Path(__file__).parent / "fixtures"
PRICES_FIXTURE = (FIXTURES / "genai_prices_small.json").read_bytes()
HUB_RECORDS = json.loads((FIXTURES / "hf_models_page.json").read_text())
# Real repos the page lacks, so every share dimension has several keys (30-day figures as listed
# on the Hub in 2026; all-time counts below are illustrative: 12x the 30-day figure).
HUB_EXTRA = [
    {"id": "Qwen/Qwen2.5-7B-Instruct", "author": "Qwen", "downloads": 1211330, "likes": 780,
     "tags": ["transformers", "safetensors", "qwen2", "text-generation", "conversational",
              "base_model:Qwen/Qwen2.5-7B", "base_model:finetune:Qwen/Qwen2.5-7B", "license:apache-2.0"],
     "pipeline_tag": "text-generation", "library_name": "transformers", "createdAt": "2024-09-16T11:55:40.000Z"},
    {"id": "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "author": "bartowski", "downloads": 96412, "likes": 260,
     "tags": ["gguf", "text-generation", "base_model:meta-llama/Llama-3.1-8B-Instruct",
              "base_model:quantized:meta-llama/Llama-3.1-8B-Instruct", "license:llama3.1"],
     "pipeline_tag": "text-generation", "createdAt": "2024-07-23T15:39:36.000Z"},
]


def hub_day(growth_days: int = 0) -> bytes:
    """One Hub listing page: the fixture records with all-time counts grown by `growth_days` days."""
    records = []
    for record in HUB_RECORDS + HUB_EXTRA:
        per_day = record["downloads"] // 30
        records.append({**record, "downloadsAllTime": record["downloads"] * 12 + per_day * growth_days})
    return json.dumps(records).encode()


def closed_port_url() -> str:
    """A 127.0.0.1 URL where nothing listens: what 'offline' looks like, without the network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/data.json"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("OMO_DATA_DIR", str(path))
    # every live source points at a closed local port unless a test replays it: no test reaches out
    monkeypatch.setenv("OMO_PRICES_URL", closed_port_url())
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url().removesuffix("/data.json"))
    monkeypatch.setenv("GITHUB_API_URL", closed_port_url().removesuffix("/data.json"))
    monkeypatch.setenv("OMO_GITHUB_SECONDS_BETWEEN_REQUESTS", "0")
    for token in ("HF_TOKEN", "GITHUB_TOKEN", "OMO_HF_TOKEN", "OMO_GITHUB_TOKEN"):
        monkeypatch.delenv(token, raising=False)
    monkeypatch.setenv("OMO_HTTP_BACKOFF_S", "0")
    monkeypatch.setenv("OMO_HF_TRACKED_AUTHORS", "false")  # tests that want author phases say so
    return path


@pytest.fixture
def settings(data_dir) -> Settings:
    return Settings()


@pytest.fixture
def replay():
    with ReplayServer() as server:
        yield server


@pytest.fixture
def prices_url(replay, monkeypatch) -> str:
    url = replay.route("/prices/data.json", Reply(body=PRICES_FIXTURE))
    monkeypatch.setenv("OMO_PRICES_URL", url)
    return url


def run_omo(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real CLI in its own process, as cron or a user would."""
    return subprocess.run([sys.executable, "-m", "omo.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=timeout)


@pytest.fixture
def hub_url(replay, monkeypatch) -> str:
    """Two days of Hub listings: the first request gets day one, later requests day two."""
    monkeypatch.setenv("HF_ENDPOINT", replay.base_url)
    return replay.route("/api/models", Reply(body=hub_day(0)), Reply(body=hub_day(1)))


@pytest.fixture
def built_warehouse(data_dir, prices_url, hub_url, settings) -> Settings:
    """A warehouse with two snapshots of the fixture price list and of the Hub page, built and published."""
    from collectors.pipeline import run_source
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    run_source("prices", settings, snapshot_date=date(2026, 11, 20), mode="live")
    run_source("prices", settings, snapshot_date=date(2026, 11, 21), mode="live")
    run_source("hf", settings, snapshot_date=date(2026, 11, 20))
    run_source("hf", settings, snapshot_date=date(2026, 11, 21))
    with open_writer(settings.warehouse_path) as con:
        build(con)
        publish(con, settings.serving_dir)
    return settings
