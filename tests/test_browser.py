"""End to end in headless Chromium: `omo serve` on a fixture warehouse, both pages, real browser.

Uses Debian's chromium (installed by .ci/run) through Playwright's executable_path; Playwright's
own browser download is never needed. Screenshots land in artifacts/ for a human look.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("chromium is not installed: apt-get install chromium", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(data_dir, log) -> tuple[subprocess.Popen, int, str]:
    """`omo serve` on a free port, once it answers /_stcore/health. A port taken between choosing
    it and Streamlit binding it (another process on a busy machine) makes the server exit: then try
    another port. Its output goes to `log`, so a failure says why."""
    for _ in range(3):
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "omo.cli", "serve", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "OMO_DATA_DIR": str(data_dir)})
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # generous: CI machines are shared
        while server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return server, port, url
            except OSError:
                time.sleep(0.3)
        if server.poll() is None:  # still starting after the deadline: not a port race
            server.kill()
            break
    log.seek(0)
    raise RuntimeError(f"omo serve did not come up: {log.read().decode(errors='replace')[-2000:]}")


@pytest.fixture
def served(built_warehouse, tmp_path):
    with open(tmp_path / "serve.log", "w+b") as log:
        server, port, url = _start_server(built_warehouse.data_dir, log)
        yield url
        server.terminate()
        server.wait(timeout=20)
    # `omo serve` becomes the Streamlit server, so stopping it leaves nothing listening behind
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "a dashboard server outlived `omo serve`"


PAGE_LOAD_SECONDS: list[tuple[str, float]] = []  # printed at the end of the run (conftest)


@pytest.fixture
def browser_page():
    """A fresh headless Chromium page (tall: Streamlit scrolls inside its own container, so
    full_page alone would show one screen) that records uncaught page errors."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        yield page
        browser.close()


def _wait_until_settled(page, charts: int) -> None:
    """Connected, not running, and every expected chart drawn."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"]')).to_be_visible(timeout=30_000)
    plots = page.locator(".js-plotly-plot")
    expect(plots).to_have_count(charts, timeout=30_000)
    for i in range(charts):
        expect(plots.nth(i).locator(".main-svg").first).to_be_visible()
    # the status widget says "Running…" while the script runs; "Connecting" before the socket is up
    expect(page.get_by_text("Running...")).to_have_count(0, timeout=30_000)
    expect(page.get_by_text("Connecting")).to_have_count(0, timeout=30_000)


# link text, page title, charts drawn with the fixture warehouse, url path
PAGES = [
    ("Overview", "Open Model Observatory", 0, ""),
    ("Market share", "Open-model market share", 2, "market_share"),
    ("Licences", "Open-model licences", 3, "licences"),
    ("GitHub", "Open-model repositories on GitHub", 3, "github"),
    ("Prices", "LLM API prices", 1, "prices"),
    ("Price & performance", "Price & performance", 3, "price_performance"),
    ("Ecosystem", "Ecosystem scorecard", 0, "ecosystem"),
    ("Claims", "Claims", 4, "claims"),
    ("Model explorer", "Model explorer", 0, "explorer"),
    ("SQL", "SQL", 0, "sql"),
]


@pytest.mark.parametrize(("link", "title", "charts", "url_path"), PAGES, ids=[p[3] or "overview" for p in PAGES])
def test_every_page_renders_in_chromium(served, browser_page, link, title, charts, url_path):
    from playwright.sync_api import expect

    page = browser_page
    # first load: straight to the page's own URL, as a shared link would
    started = time.monotonic()
    page.goto(f"{served}/{url_path}")
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
    _wait_until_settled(page, charts)
    PAGE_LOAD_SECONDS.append((f"{link} (first load)", time.monotonic() - started))
    # warm: away and back through the sidebar
    page.get_by_role("link", name="Overview" if link != "Overview" else "Prices").click()
    page.wait_for_timeout(300)
    started = time.monotonic()
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
    _wait_until_settled(page, charts)
    PAGE_LOAD_SECONDS.append((f"{link} (warm)", time.monotonic() - started))
    page.wait_for_timeout(500)  # let plotly finish its transitions before the screenshot
    page.screenshot(path=str(ARTIFACTS / f"{url_path or 'overview'}.png"), full_page=True)
    assert not page.locator('[data-testid="stException"]').count()
    assert not page.get_by_text("Traceback").count()
    assert not page.errors, page.errors


def test_charts_carry_their_series_in_chromium(served, browser_page):

    page = browser_page
    expected = {
        "market_share": ["DeepSeek", "highly concentrated"],
        "licences": ["permissive", "finetune (3)"],
        "github": ["vllm-project/vllm"],
        "prices": ["QuickSilver Pro · Claude Opus 4.8"],
        "price_performance": ["Pareto frontier", "≥ 20"],
    }
    for url_path, texts in expected.items():
        page.goto(f"{served}/{url_path}")
        charts = dict((p[3], p[2]) for p in PAGES)[url_path]
        _wait_until_settled(page, charts)
        plotted = " ".join(page.locator(".js-plotly-plot").all_inner_texts())
        for text in texts:
            assert text in plotted, (url_path, text)
    assert not page.errors, page.errors


def test_a_shared_link_opens_the_same_view_in_chromium(served, browser_page):
    page = browser_page
    page.goto(f"{served}/explorer?explorer_model=model%3Agpt-5")
    _wait_until_settled(page, 0)
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="gpt-5")).to_be_visible(timeout=30_000)
    page.goto(f"{served}/market_share?share_dimension=Country&share_top_n=3")
    _wait_until_settled(page, 2)
    assert "share_dimension=Country" in page.url
    assert not page.errors, page.errors
