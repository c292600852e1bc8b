from __future__ import annotations

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
    monkeypatch.setenv("OMO_PRICES_URL", closed_port_url())
    monkeypatch.setenv("OMO_HTTP_BACKOFF_S", "0")
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
def built_warehouse(data_dir, prices_url, settings) -> Settings:
    """A warehouse with two snapshots of the fixture price list, built and published."""
    from collectors.pipeline import run_source
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    run_source("prices", settings, snapshot_date=date(2026, 11, 20), mode="live")
    run_source("prices", settings, snapshot_date=date(2026, 11, 21), mode="live")
    with open_writer(settings.warehouse_path) as con:
        build(con)
        publish(con, settings.serving_dir)
    return settings
