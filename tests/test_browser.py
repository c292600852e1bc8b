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


@pytest.fixture
def served(built_warehouse):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "omo.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "OMO_DATA_DIR": str(built_warehouse.data_dir)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("omo serve did not come up within 60 s")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=20)
    # `omo serve` becomes the Streamlit server, so stopping it leaves nothing listening behind
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "a dashboard server outlived `omo serve`"


def test_both_pages_render_in_chromium(served):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(served)
        expect(page.get_by_text("Source freshness")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Models with a current API price")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

        page.get_by_role("link", name="Prices").click()
        chart = page.locator(".js-plotly-plot").first
        expect(chart).to_be_visible(timeout=30_000)
        expect(chart.get_by_text("QuickSilver Pro · Claude Opus 4.8")).to_be_visible()
        expect(page.get_by_text("Cheapest models today")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "prices.png"), full_page=True)
        assert "prices" in page.url
        assert not page.get_by_text("Traceback").count()
        browser.close()
    assert not errors, errors


def _open_page(served, link: str, title: str, charts: int, screenshot: str) -> list[str]:
    """Open the dashboard, follow a sidebar link, wait for its title and every chart, screenshot."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        # tall: Streamlit scrolls inside its own container, so full_page alone shows one screen
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(served)
        expect(page.get_by_text("Source freshness")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
        plots = page.locator(".js-plotly-plot")
        expect(plots).to_have_count(charts, timeout=30_000)
        for i in range(charts):
            expect(plots.nth(i).locator(".main-svg").first).to_be_visible()
        page.wait_for_timeout(500)  # let plotly finish its transitions before the screenshot
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        texts = page.locator(".js-plotly-plot").all_inner_texts()
        assert not page.locator('[data-testid="stException"]').count()
        assert not page.get_by_text("Traceback").count()
        browser.close()
    assert not errors, errors
    return texts


def test_market_share_page_renders_in_chromium(served):
    texts = _open_page(served, "Market share", "Open-model market share", charts=2,
                       screenshot="market_share.png")
    assert "DeepSeek" in texts[0]  # the stacked area's legend
    assert "highly concentrated" in texts[1]  # the HHI threshold label


def test_licences_page_renders_in_chromium(served):
    texts = _open_page(served, "Licences", "Open-model licences", charts=3, screenshot="licences.png")
    assert "permissive" in texts[0]
    assert "finetune (3)" in texts[1]


def test_github_page_renders_in_chromium(served):
    texts = _open_page(served, "GitHub", "Open-model repositories on GitHub", charts=3, screenshot="github.png")
    assert "vllm-project/vllm" in texts[0]  # the star history legend


def test_price_performance_page_renders_in_chromium(served):
    texts = _open_page(served, "Price & performance", "Price & performance", charts=3,
                       screenshot="price_performance.png")
    assert "Pareto frontier" in texts[0] and "open weights" in texts[0]
    assert "≥ 20" in texts[1]  # the price-of-a-fixed-quality legend (default: the AA index)
