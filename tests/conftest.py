from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date, timedelta
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


GH = FIXTURES / "github"
RESET = 1_795_000_000  # X-RateLimit-Reset: epoch seconds


def github_headers(remaining: int = 4999, limit: int = 5000, **extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(RESET),
            "X-RateLimit-Used": str(limit - remaining), "X-RateLimit-Resource": "core", **extra}


def github_body(name: str, base_url: str, **changes) -> bytes:
    """A fixture body with GitHub's own URLs pointed at the replay server (PyGithub follows them)."""
    data = json.loads((GH / name).read_text().replace("https://api.github.com", base_url))
    if isinstance(data, dict):
        data.update(changes)
    return json.dumps(data).encode()


def _stargazers(base_url: str, days: list[str]) -> bytes:
    """A stargazer page: the fixture's entries repeated to len(days), starred on those days."""
    template = json.loads(github_body("stargazers_page.json", base_url))
    return json.dumps([{**template[i % len(template)], "starred_at": f"{day}T12:00:00Z"}
                       for i, day in enumerate(days)]).encode()


def _days(start: str, n: int) -> list[str]:
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i // 40)).isoformat() for i in range(n)]  # 40 stars a day


@pytest.fixture
def github(replay, data_dir, tmp_path, monkeypatch):
    """Three tracked repos: vllm (two stargazer pages), llama.cpp (renamed from ggerganov/) and a
    deleted repo."""
    tracked = tmp_path / "repos.csv"
    tracked.write_text("repo,category,family,organization\nvllm-project/vllm,inference-server,,vLLM project\n"
                       "ggerganov/llama.cpp,local-runner,,ggml\nsomeone/deleted-repo,training,,\n")
    monkeypatch.setenv("GITHUB_API_URL", replay.base_url)
    monkeypatch.setenv("OMO_GITHUB_DEFAULT_REPOS", "false")
    monkeypatch.setenv("OMO_GITHUB_REPOS_FILE", str(tracked))
    monkeypatch.setenv("OMO_GITHUB_SECONDS_BETWEEN_REQUESTS", "0")
    base = replay.base_url
    replay.route("/repos/vllm-project/vllm", Reply(200, github_body("repo_vllm.json", base, stargazers_count=150), github_headers(4990)))
    # a rename answers 301 to the repository's id; PyGithub follows it
    llama = json.loads(github_body("repo_llama_cpp.json", base, stargazers_count=60))
    replay.route("/repos/ggerganov/llama.cpp",
                 Reply(301, b'{"message": "Moved Permanently"}',
                       {**github_headers(4989), "Location": f"{base}/repositories/{llama['id']}"}))
    replay.route(f"/repositories/{llama['id']}", Reply(200, json.dumps(llama).encode(), github_headers(4988)))
    replay.route("/repos/someone/deleted-repo", Reply(404, json.dumps(
        {"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
         "status": "404"}).encode(), github_headers(4987)))
    vllm_pages = f"{base}/repos/vllm-project/vllm/stargazers"
    replay.route("/repos/vllm-project/vllm/stargazers?per_page=100",
                 Reply(200, _stargazers(base, _days("2023-06-17", 100)),
                       github_headers(4986, Link=f'<{vllm_pages}?page=2&per_page=100>; rel="next", '
                                           f'<{vllm_pages}?page=2&per_page=100>; rel="last"')))
    replay.route("/repos/vllm-project/vllm/stargazers?page=2&per_page=100",
                 Reply(200, _stargazers(base, _days("2023-06-20", 50)), github_headers(4985)))
    replay.route(f"/repos/{llama['full_name']}/stargazers?per_page=100",
                 Reply(200, _stargazers(base, _days("2023-03-10", 60)), github_headers(4984)))
    return replay


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
    monkeypatch.setenv("OMO_OPENROUTER_URL", closed_port_url().replace("/data.json", "/api/v1/models"))
    monkeypatch.setenv("OMO_QUALITY_URL", closed_port_url().replace("/data.json", "/benchmark_data.zip"))
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


def openrouter_days() -> list[bytes]:
    """Two days of OpenRouter's list: the base fixture, then the same plus seven real models
    (from the 2026-08-19 list) that the Epoch and LMArena fixtures also score."""
    base = json.loads((FIXTURES / "openrouter_models.json").read_text())
    more = json.loads((FIXTURES / "openrouter_models_more.json").read_text())
    return [json.dumps(base).encode(), json.dumps({"data": base["data"] + more["data"]}).encode()]


@pytest.fixture
def quality_boards(replay, monkeypatch) -> dict[str, str]:
    """Routes for the Epoch and LMArena fixture CSVs; OMO_QUALITY_URL points at Epoch."""
    csv_headers = {"Content-Type": "text/csv; charset=utf-8"}
    urls = {name: replay.route(f"/boards/{name}.csv",
                               Reply(body=(FIXTURES / "quality" / f"{name}.csv").read_bytes(), headers=csv_headers))
            for name in ("epoch_capabilities_index", "lmarena_text")}
    monkeypatch.setenv("OMO_QUALITY_URL", urls["epoch_capabilities_index"])
    return urls


@pytest.fixture
def built_warehouse(data_dir, prices_url, hub_url, github, quality_boards, replay, monkeypatch,
                    settings) -> Settings:
    """A warehouse with two snapshots of the fixture price list, OpenRouter's list, the Hub page
    and three GitHub repos (with star history), plus the Epoch and LMArena boards, built and
    published."""
    from collectors.pipeline import run_source
    from warehouse.build import build
    from warehouse.db import open_writer
    from warehouse.publish import publish

    run_source("prices", settings, snapshot_date=date(2026, 11, 20), mode="live")
    run_source("prices", settings, snapshot_date=date(2026, 11, 21), mode="live")
    run_source("hf", settings, snapshot_date=date(2026, 11, 20))
    run_source("hf", settings, snapshot_date=date(2026, 11, 21))
    run_source("github", settings, snapshot_date=date(2026, 11, 20))
    run_source("github", settings, snapshot_date=date(2026, 11, 21))
    day1, day2 = openrouter_days()
    monkeypatch.setenv("OMO_OPENROUTER_URL", replay.route("/api/v1/models", Reply(body=day1), Reply(body=day2)))
    run_source("openrouter", Settings(), snapshot_date=date(2026, 11, 20))
    run_source("openrouter", Settings(), snapshot_date=date(2026, 11, 21))
    run_source("quality", Settings(), snapshot_date=date(2026, 11, 21))
    monkeypatch.setenv("OMO_QUALITY_URL", quality_boards["lmarena_text"])
    run_source("quality", Settings(), snapshot_date=date(2026, 11, 21))
    with open_writer(settings.warehouse_path) as con:
        build(con)
        publish(con, settings.serving_dir)
    return settings


def pytest_terminal_summary(terminalreporter) -> None:
    """Page load times measured by the browser tests (no assertion on them: benchmarks own targets)."""
    browser_tests = sys.modules.get("tests.test_browser")  # only when the browser tests were collected
    timings = getattr(browser_tests, "PAGE_LOAD_SECONDS", [])
    if timings:
        terminalreporter.section("page load times in headless Chromium")
        for name, seconds in timings:
            terminalreporter.write_line(f"{name:<40} {seconds:6.2f} s")
