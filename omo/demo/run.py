"""`omo demo`: the real collectors against the local sample server, into a separate sample warehouse.

Steps: pick the sample-data directory (the data directory's `-demo` sibling), wipe and mark it,
start the sample server, then for each day of the window, oldest first, point every source at the
server and run collectors.pipeline.run_source for it with that day as the snapshot date; then
build and publish the marts, and (unless told not to) start the dashboard on that directory, the
way `omo serve` does. The real data directory is never opened.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer

from collectors.pipeline import SAMPLE_DATA_MARKER, is_sample_data_dir, run_source
from collectors.runs import SourceError, redact
from collectors.settings import Settings, SettingsError, load_settings
from omo.demo.hub import HubSample
from omo.demo.llms import LlmMarketSample
from omo.demo.repos import GitHubSample, write_repos_file
from omo.demo.server import SampleServer
from warehouse.build import BuildError, build
from warehouse.db import WarehouseBusy, open_writer
from warehouse.publish import publish

SEED = 2026  # one fixed seed: the same window of days gives the same sample, byte for byte
HUB_TOP_N = 3_000
QUALITY_EVERY_DAYS = 7  # the boards are weekly sources: read on the last day and every 7 days before
MAX_DAYS = 90  # the sample's repositories and models all exist by then; a longer window adds nothing

MARKER_TEXT = """SAMPLE DATA - not real observations.

This directory was made by `omo demo`: the real collectors ran against a local server that
replays generated sample responses (real model, organisation and repository names; every
download count, star, price and score is generated). The dashboard labels every page as sample
data while it reads from here. `omo collect` refuses to write into this directory, and
`omo demo` deletes and rebuilds it on every run: keep nothing of your own in it.
"""


class DemoError(Exception):
    """Why the demo cannot run; the message is one line for the user."""


def demo_data_dir(real_data_dir: Path) -> Path:
    """`<data_dir>-demo` next to the real data directory (`data` -> `data-demo`); when the data
    directory already is a sample-data directory (OMO_DATA_DIR points at one), that one."""
    real = Path(real_data_dir).expanduser().resolve()
    return real if is_sample_data_dir(real) else real.with_name(real.name + "-demo")


def fresh_sample_dir(path: Path) -> None:
    """An empty, marked sample-data directory at path; only a marked directory is ever deleted."""
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink() or not is_sample_data_dir(path):
            raise DemoError(f"{path} exists and is not a sample-data directory made by `omo demo` (no "
                            f"{SAMPLE_DATA_MARKER} file); refusing to replace it: move it away or point "
                            "OMO_DATA_DIR elsewhere")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / SAMPLE_DATA_MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def demo_window(days: int, today: date | None = None) -> list[date]:
    """The snapshot dates, oldest first, ending today (UTC, like the collectors' own dates)."""
    if not 1 <= days <= MAX_DAYS:
        raise DemoError(f"--days must be between 1 and {MAX_DAYS}")
    today = today or datetime.now(UTC).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


@dataclass
class Sample:
    """Every source's sample for one window, mounted on one local server."""
    days: list[date]
    hub: HubSample
    github: GitHubSample
    llms: LlmMarketSample
    urls: dict[str, str]

    @classmethod
    def mount(cls, server: SampleServer, days: list[date], seed: int = SEED) -> Sample:
        """Generate the sample and mount it; every URL says `sample` (they end up in source_detail)."""
        hub_prefix, github_prefix = "/sample/hub", "/sample/github"
        hub = HubSample(days, seed, base_url=server.base_url + hub_prefix)
        github = GitHubSample(days, seed, base_url=server.base_url + github_prefix)
        llms = LlmMarketSample(days, seed)
        boards = server.mount("/sample/boards", llms.serve_boards)
        urls = {"hub": server.mount(hub_prefix, hub.serve),
                "github": server.mount(github_prefix, github.serve),
                "prices": server.mount("/sample/genai-prices", llms.serve_prices) + "/data.json",
                "openrouter": server.mount("/sample/openrouter", llms.serve_openrouter) + "/api/v1/models",
                "epoch": boards + "/epoch/epoch_capabilities_index.csv",
                "lmarena": boards + "/lmarena/lmarena_text.csv"}
        return cls(days, hub, github, llms, urls)

    def go_to(self, day_index: int) -> None:
        self.hub.day_index = day_index
        self.github.set_day(day_index)
        self.llms.day = self.days[day_index]


def demo_settings(demo_dir: Path, urls: dict[str, str], repos_file: Path) -> Settings:
    """Settings for the demo, all given here so no OMO_* variable, .env file or token of the
    user's can reach into it: every endpoint is the sample server, no token is set."""
    return Settings(
        data_dir=demo_dir, prices_url=urls["prices"], hf_endpoint=urls["hub"], hf_token=None,
        # the top N only: a tracked author's phase is a request and a landed part per author
        # (~110 a day), which would triple the demo's time for a handful of extra models
        hf_top_n=HUB_TOP_N, hf_tracked_authors=False,
        openrouter_url=urls["openrouter"], github_api_url=urls["github"], github_token=None,
        github_repos_file=repos_file, github_default_repos=False, github_star_history=True,
        # the whole stargazer backfill on the first day: the sample server has no hourly budget to spare
        github_history_pages_per_run=100_000, github_rate_reserve=1, github_seconds_between_requests=0,
        http_timeout_s=30, http_retries=0, http_backoff_s=0, http_max_wait_s=0,
        quality_url=urls["epoch"], quality_format="auto")


def run_demo(days: int = 14, port: int = 8501, serve: bool = True,
             say: Callable[[str], None] = lambda line: print(line, flush=True)) -> Path:
    """Generate `days` days of sample data ending today into the sample-data directory, build and
    publish it, then (serve=True) replace this process with the dashboard on it. Returns the
    sample-data directory."""
    started = time.monotonic()
    real_dir = load_settings().data_dir
    demo_dir = demo_data_dir(real_dir)
    window = demo_window(days)
    fresh_sample_dir(demo_dir)
    say(f"omo demo: sample data for {window[0]} to {window[-1]} into {demo_dir} "
        f"(your data directory {real_dir} is not touched)")
    repos_file = write_repos_file(demo_dir / "sample_github_repos.csv")
    with SampleServer() as server:
        sample = Sample.mount(server, window)
        say(f"sample server on {server.base_url}: Hub, GitHub, genai-prices, OpenRouter, Epoch AI and LMArena replies")
        settings = demo_settings(demo_dir, sample.urls, repos_file)
        for index, day in enumerate(window):
            sample.go_to(index)
            say(f"[{index + 1:>2}/{len(window)}] {day}: " + _collect_day(sample, settings, index))
    with open_writer(settings.warehouse_path) as con:
        models = build(con)
        published = publish(con, settings.serving_dir, settings.serving_versions_kept)
    marts = sum(model.layer == "marts" for model in models)
    say(f"built {marts} marts, published {published.name} ({time.monotonic() - started:.0f} s in all)")
    if serve:
        _serve_dashboard(demo_dir, port)
    return demo_dir


def _collect_day(sample: Sample, settings: Settings, index: int) -> str:
    """Every source for the window's index-th day; returns what each loaded, for the progress line."""
    day = sample.days[index]
    loaded = []
    for source, options in (("prices", {"mode": "live"}), ("hf", {}), ("github", {}), ("openrouter", {})):
        run = run_source(source, settings, snapshot_date=day, sample_data=True, **options)
        if run.status != "ok":
            raise DemoError(f"{source} on {day} stopped early ({run.detail})")
        loaded.append(f"{source} {run.rows_loaded:,}")
    if (len(sample.days) - 1 - index) % QUALITY_EVERY_DAYS == 0:
        for board in ("epoch", "lmarena"):
            board_settings = settings.model_copy(update={"quality_url": sample.urls[board]})
            run = run_source("quality", board_settings, snapshot_date=day, sample_data=True)
            loaded.append(f"quality/{board} {run.rows_loaded:,}")
    return " · ".join(loaded) + " rows"


def _serve_dashboard(demo_dir: Path, port: int) -> None:
    """`omo serve` on the sample-data directory: it replaces this process with Streamlit."""
    from omo.cli import serve  # here, not at the top: omo.cli imports this module

    os.environ["OMO_DATA_DIR"] = str(demo_dir)
    serve(port=port, address="127.0.0.1")


def demo_command(
    days: int = typer.Option(14, min=2, max=MAX_DAYS, help="Days of sample history, ending today "
                             "(at least 2: changes need two snapshots)."),
    port: int = typer.Option(8501, help="Port for the dashboard."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the sample warehouse only; do "
                                  "not start the dashboard."),
) -> None:
    """Sample data, no network or tokens: the real collectors against a local replay server,
    into <data dir>-demo, then the dashboard on it (every page labelled as sample data)."""
    try:
        run_demo(days=days, port=port, serve=not no_serve)
    except typer.Exit:
        raise  # `omo serve`'s own exit, already explained
    except (DemoError, SettingsError, SourceError, BuildError, WarehouseBusy, ModuleNotFoundError) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        _fail(f"demo: unexpected {type(exc).__name__}: {exc}")


def _fail(message: str) -> None:
    print(f"omo: error: {redact(message)}", file=sys.stderr, flush=True)
    raise typer.Exit(1)
