"""Page load in headless Chromium: every dashboard page beside a trivial one-chart Streamlit page.

    python -m bench.page_load [--quick] [--repeat 5] [--first 1] [--days 14] [--page market_share ...]

DESIGN.md section 7: every page renders all its charts within the time of a trivial one-chart
Streamlit page (bench/trivial_app.py) + 1 s, first load and warm, measured beside it in one run.

The data: `omo demo`'s machinery (omo.demo.run.run_demo, serve=False) collects --days days of
sample data from its sample server on 127.0.0.1 into a temp data directory and builds and
publishes it, so every page has something to draw; nothing touches the network, and the temp
directory is removed at the end.

For the trivial page and then for each page of dashboard/app.py, in this order, one at a time:

- a fresh server: `omo serve --port P` on the sample data (the trivial page: `streamlit run
  bench/trivial_app.py` with the same flags, omo.cli.streamlit_command), up once
  /_stcore/health answers;
- first load: the first page the new server serves (so it pays the imports and the opening of the
  warehouse, as a user who opens the dashboard right after it started), in a fresh browser context
  (empty cache, no cookies); with --first N, N fresh servers in turn and the median;
- warm: the same URL loaded again --repeat times in that tab (a new navigation, a new Streamlit
  session, on a server and a browser cache that have served it before); the median is reported.

A load's time runs from navigation start (performance.timeOrigin of the new document) to the first
animation frame at which the page is rendered: Streamlit connected and its script run finished
(stApp's data-test-script-state `notRunning`, data-test-connection-state `CONNECTED`), every
expected plotly chart drawn and visible (CHARTS: how many each page draws on the sample data), no
stException. The time is read in the browser (performance.now() when the predicate first holds),
so Playwright's round trips do not count. A page that raises, draws fewer charts than expected
within the time limit, or settles with more charts than the bench waited for is reported as an
error (exit 1) after the report is printed.

Before the first measured server the bench starts one throwaway trivial server and loads it once,
so the first measured page does not pay for a cold disk cache the later ones would not. The
machine's load average is reported too: on a machine busy with other work every figure is slower
and less even, and a page measured during a busy spell can miss the target it meets on a quiet one.
Prints one Markdown report on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import ast
import ctypes
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
APP_FILE = ROOT / "dashboard" / "app.py"
TRIVIAL_APP = ROOT / "bench" / "trivial_app.py"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# as tests/test_browser.py launches it
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A desktop window. Charts below the fold count too (each must be drawn: an SVG of non-zero size);
# the window is not made tall enough to show them all, as tests/test_browser.py's is for its
# screenshots: without a GPU, compositing a 1400x2400 surface costs Chromium more CPU per frame
# than the page it shows, which no user's browser pays.
VIEWPORT = {"width": 1400, "height": 900}
MARGIN_S = 1.0  # DESIGN section 7: within the trivial page's time + 1 s
QUICK = {"days": 2, "repeat": 1, "first": 1}
SERVER_START_TIMEOUT_S = 120
LOAD_TIMEOUT_S = 60
SETTLE_S = 0.5  # pause before each warm load, so the previous one's trailing work is over

# Plotly charts each page draws on `omo demo`'s sample (any --days from 2). A page added to
# dashboard/app.py needs its line here: the bench reports it as an error until then.
CHARTS = {
    "overview": 0, "market_share": 2, "licences": 3, "github": 3, "prices": 1, "price_performance": 3,
    "ecosystem": 0, "claims": 4, "explorer": 1, "sql": 0,
}

# True once every expected chart is drawn and the script run is over; returns the time since
# navigation start then, or the exception the page shows.
RENDERED = """(expected) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return null;
    const exception = document.querySelector('[data-testid="stException"]');
    if (exception) return {error: exception.innerText.slice(0, 600)};
    if (app.dataset.testScriptState !== "notRunning" || app.dataset.testConnectionState !== "CONNECTED") return null;
    const charts = document.querySelectorAll(".js-plotly-plot");
    if (charts.length < expected) return null;
    for (const chart of charts) {
        const svg = chart.querySelector(".main-svg");
        if (!svg) return null;
        const box = svg.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(chart).visibility === "hidden"
            || getComputedStyle(svg).visibility === "hidden") return null;
    }
    return {at: performance.now() / 1000, charts: charts.length};
}"""

STATE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return {script: app ? app.dataset.testScriptState : "no stApp",
            connection: app ? app.dataset.testConnectionState : "no stApp",
            charts: document.querySelectorAll(".js-plotly-plot").length,
            drawn: document.querySelectorAll(".js-plotly-plot .main-svg").length};
}"""


@dataclass
class Target:
    """One thing to load: the trivial page or a dashboard page."""
    name: str
    url_path: str  # after the server's base URL, query string included
    charts: int | None
    trivial: bool = False


@dataclass
class Result:
    target: Target
    server_start_s: list[float] = field(default_factory=list)
    first_s: list[float] = field(default_factory=list)
    warm_s: list[float] = field(default_factory=list)
    charts: int | None = None
    error: str | None = None

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm_s) if self.warm_s else float("nan")

    @property
    def first_median(self) -> float:
        return statistics.median(self.first_s) if self.first_s else float("nan")

    @property
    def start_median(self) -> float:
        return statistics.median(self.server_start_s) if self.server_start_s else float("nan")


def dashboard_pages(app_file: Path = APP_FILE) -> list[tuple[str, str]]:
    """(title, url path) of every st.Page in the dashboard's app file, in menu order (ast.walk visits
    a list's items in order): the default page at "", the others at their file's stem (Streamlit's
    own rule)."""
    pages = []
    for node in ast.walk(ast.parse(app_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args:
            kwargs = {kw.arg: kw.value for kw in node.keywords}
            script = ast.literal_eval(node.args[0])
            title = ast.literal_eval(kwargs["title"]) if "title" in kwargs else Path(script).stem
            default = "default" in kwargs and ast.literal_eval(kwargs["default"])
            pages.append((title, Path(script).stem, default))
    return [(title, "" if default else stem) for title, stem, default in pages]


def page_key(url_path: str) -> str:
    return url_path.split("?")[0] or "overview"


def explorer_query(serving_file: Path) -> str:
    """The explorer opened on a shared link to the most downloaded Hub model that has API prices
    (the page's fullest view: its downloads chart, lineage, prices and scores)."""
    import duckdb

    with duckdb.connect(str(serving_file), read_only=True) as con:
        row = con.execute("""
            SELECT d.model_id FROM marts.model_downloads_daily AS d
            LEFT JOIN (SELECT DISTINCT model_id FROM marts.hf_model_price_links) AS l USING (model_id)
            ORDER BY l.model_id IS NOT NULL DESC, d.snapshot_date DESC, d.downloads_30d DESC LIMIT 1""").fetchone()
    return "?" + urllib.parse.urlencode({"explorer_model": f"hub:{row[0]}"}) if row else ""


def prepare_data(scratch: Path, days: int) -> Path:
    """`omo demo`'s sample for `days` days, collected from 127.0.0.1 into scratch, built and
    published; returns its data directory."""
    from omo.demo.run import run_demo

    os.environ["OMO_DATA_DIR"] = str(scratch / "data")  # the demo writes to its `-demo` sibling
    return run_demo(days=days, serve=False, say=lambda line: print(line, file=sys.stderr, flush=True))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


try:  # resolved here, not in the child: the child of a threaded process should only call C
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None


def _die_with_parent() -> None:
    """In the server's child process: SIGTERM when the bench dies, even by SIGKILL (Linux), so no
    server outlives a bench that was stopped."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """A Streamlit server on a free port, up once /_stcore/health answers (a port taken between
    choosing and binding it makes the server exit: then another port is tried)."""

    def __init__(self, command, env: dict[str, str], log_path: Path):
        self.command, self.env, self.log_path = command, env, log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        with open(self.log_path, "ab") as log:
            for _ in range(3):
                port = _free_port()
                started = time.perf_counter()
                self.process = subprocess.Popen(self.command(port), stdout=log, stderr=subprocess.STDOUT,
                                                env=self.env, cwd=ROOT,
                                                preexec_fn=_die_with_parent)  # noqa: PLW1509 - C call only
                self.url = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + SERVER_START_TIMEOUT_S
                while self.process.poll() is None and time.monotonic() < deadline:
                    try:
                        with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                            if response.status == 200:
                                self.start_s = time.perf_counter() - started
                                return self
                    except OSError:
                        time.sleep(0.05)
                if self.process.poll() is None:
                    break
        self.stop()
        tail = self.log_path.read_bytes()[-2000:].decode(errors="replace")
        raise RuntimeError(f"the server did not come up: {tail}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc) -> None:
        self.stop()


def load(page, url: str, expected: int) -> tuple[float, int]:
    """Navigate to url; seconds from navigation start until rendered, and the charts drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_S * 1000)
    try:
        handle = page.wait_for_function(RENDERED, arg=expected, polling="raf", timeout=LOAD_TIMEOUT_S * 1000)
    except PlaywrightTimeout:
        raise LoadError(f"not rendered within {LOAD_TIMEOUT_S} s: {page.evaluate(STATE)}, "
                        f"expected {expected} chart(s)") from None
    outcome = handle.json_value()
    if "error" in outcome:
        raise LoadError(f"the page shows an exception: {outcome['error']}")
    return outcome["at"], outcome["charts"]


class LoadError(Exception):
    """The page did not render as expected; the message says what was on it."""


def measure(browser, server: Server, target: Target, repeat: int, result: Result) -> None:
    """One first load on this (fresh) server, then `repeat` warm loads if asked; into result."""
    result.server_start_s.append(server.start_s)
    url = f"{server.url}/{target.url_path}"
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        if target.charts is None:
            raise LoadError(f"no expected chart count for page {page_key(target.url_path)!r}: add it to "
                            "CHARTS in bench/page_load.py")
        seconds, result.charts = load(page, url, target.charts)
        result.first_s.append(seconds)
        for _ in range(repeat):
            page.wait_for_timeout(SETTLE_S * 1000)
            seconds, _ = load(page, url, target.charts)
            result.warm_s.append(seconds)
        page.wait_for_timeout(1000)  # anything drawn after the bench stopped waiting shows now
        settled = page.evaluate(STATE)["charts"]
        if settled != target.charts:
            raise LoadError(f"the page drew {settled} chart(s), the bench waited for {target.charts}: "
                            "update CHARTS in bench/page_load.py")
        if errors:
            raise LoadError(f"uncaught page error: {errors[0][:300]}")
    except LoadError as exc:
        result.error = str(exc)
    finally:
        context.close()


def _fmt(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds:.2f}"


def report(results: list[Result], repeat: int, first: int, days: int, load: tuple[float, float],
           command: str) -> str:
    trivial = results[0]
    first_target = trivial.first_median + MARGIN_S
    warm_target = trivial.warm_median + MARGIN_S
    pages = results[1:]
    met = [r for r in pages if not r.error and r.first_median <= first_target and r.warm_median <= warm_target]
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30,
                                  check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "chromium"
    cores = os.cpu_count() or 1
    busy = " (busy: figures run slow and uneven)" if max(load) > cores else ""
    firsts = f", median of {first} servers" if first > 1 else ""
    lines = [
        (f"## Page load in headless Chromium: {len(pages)} dashboard pages beside a trivial one-chart page, "
         f"{date.today()}\n"),
        (f"{chromium}, Streamlit {metadata.version('streamlit')}, plotly {metadata.version('plotly')}; "
         f"`omo demo` sample data, {days} days; a {VIEWPORT['width']}x{VIEWPORT['height']} window. First load: "
         f"the first page a freshly started server serves, in a fresh browser context{firsts}. Warm: the same "
         f"URL loaded again in that tab, median of {repeat} (range in brackets). Each from navigation start "
         "until Streamlit is connected and done running and every chart is drawn. Target (DESIGN.md section "
         f"7): the trivial page's time + 1 s, first load and warm: **{first_target:.2f} s first, "
         f"{warm_target:.2f} s warm** in this run. Load average (1 min) at start / end: {load[0]:.1f} / "
         f"{load[1]:.1f} on {cores} cores{busy}.\n"),
        "| page | URL | charts | server start s | first load s | warm s | target first / warm s | met |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        spread = f" ({min(r.warm_s):.2f}–{max(r.warm_s):.2f})" if len(r.warm_s) > 1 else ""
        first_spread = f" ({min(r.first_s):.2f}–{max(r.first_s):.2f})" if len(r.first_s) > 1 else ""
        if r.target.trivial:
            verdict, target = "(the yardstick)", "–"
        else:
            target = f"{first_target:.2f} / {warm_target:.2f}"
            error = " ".join((r.error or "").split()).replace("|", "\\|")
            verdict = (f"error: {error}" if r.error else
                       "no yardstick (the trivial page failed)" if trivial.error else
                       "✅" if r in met else
                       "❌ " + ", ".join(kind for kind, late in (("first", r.first_median > first_target),
                                                                ("warm", r.warm_median > warm_target)) if late))
        lines.append(f"| {r.target.name} | `/{r.target.url_path}` | {r.charts if r.charts is not None else '–'} | "
                     f"{_fmt(r.start_median)} | {_fmt(r.first_median)}{first_spread} | {_fmt(r.warm_median)}{spread} | "
                     f"{target} | {verdict} |")
    lines.append(f"\n{len(met)} of {len(pages)} pages within target; "
                 f"{sum(bool(r.error) for r in results)} failed to render.\n")
    lines.append(f"Command: `{command}`")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm loads per page (median reported)")
    parser.add_argument("--first", type=int, default=1, help="first loads per page, each on a fresh server "
                        "(median reported)")
    parser.add_argument("--days", type=int, default=14, help="days of `omo demo` sample data")
    parser.add_argument("--page", action="append", default=[], metavar="URL_PATH",
                        help="only these pages (url path, `overview` for the default page); repeatable")
    parser.add_argument("--quick", action="store_true", help=f"CI sizes: {QUICK}")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: stop the servers, drop the temp dir
    if args.quick:
        args.days, args.repeat, args.first = QUICK["days"], QUICK["repeat"], QUICK["first"]
    if not os.path.exists(CHROMIUM):
        raise SystemExit("bench.page_load: chromium is not installed (apt-get install chromium)")

    from playwright.sync_api import sync_playwright

    from omo.cli import streamlit_command

    pages = [(title, path) for title, path in dashboard_pages() if not args.page or page_key(path) in args.page]
    if args.page and len(pages) != len(set(args.page)):
        raise SystemExit(f"bench.page_load: unknown page in {args.page}; pages: "
                         f"{[page_key(p) for _, p in dashboard_pages()]}")
    with tempfile.TemporaryDirectory(prefix="omo-page-load-") as scratch:
        scratch = Path(scratch)
        started = time.perf_counter()
        data_dir = prepare_data(scratch, args.days)
        print(f"sample data ready in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        from warehouse.serving import current_serving_file
        explorer = explorer_query(current_serving_file(data_dir / "serving"))
        targets = [Target("trivial one-chart page (bench/trivial_app.py)", "", 1, trivial=True)]
        for title, path in pages:
            targets.append(Target(title, path + (explorer if path == "explorer" else ""), CHARTS.get(page_key(path))))

        def trivial_command(port: int) -> list[str]:
            return streamlit_command(TRIVIAL_APP, port=port, address="127.0.0.1")

        def dashboard_command(port: int) -> list[str]:
            return [sys.executable, "-m", "omo.cli", "serve", "--port", str(port)]

        env = {**os.environ, "OMO_DATA_DIR": str(data_dir)}
        results = []
        load_at_start = os.getloadavg()[0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            with Server(trivial_command, env, scratch / "warm-up.log") as server:  # throwaway: warm the disk cache
                measure(browser, server, targets[0], 0, Result(targets[0]))
            for target in targets:
                print(f"loading {target.name} …", file=sys.stderr, flush=True)
                command = trivial_command if target.trivial else dashboard_command
                log = scratch / f"{'trivial' if target.trivial else page_key(target.url_path)}.log"
                result = Result(target)
                for run in range(args.first):
                    try:
                        with Server(command, env, log) as server:
                            measure(browser, server, target, args.repeat if run == args.first - 1 else 0, result)
                    except RuntimeError as exc:
                        result.error = str(exc).splitlines()[0][:300]
                    if result.error:
                        break
                if result.error:
                    print(f"  {target.name}: {result.error}\n  server log: "
                          f"{log.read_text(errors='replace')[-1500:] if log.exists() else ''}", file=sys.stderr)
                else:
                    print(f"  first {result.first_median:.2f} s, warm {result.warm_median:.2f} s", file=sys.stderr)
                results.append(result)
            browser.close()
        load_at_end = os.getloadavg()[0]

    options = " --quick" if args.quick else f" --repeat {args.repeat} --first {args.first} --days {args.days}"
    options += "".join(f" --page {p}" for p in args.page)
    print(report(results, args.repeat, args.first, args.days, (load_at_start, load_at_end),
                 f"python -m bench.page_load{options}"))
    if any(r.error for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
