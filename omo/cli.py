"""`omo`: collect, build, serve, query and check the Open Model Observatory warehouse.

Exit codes: 0 success; 75 skipped (the warehouse or a scheduled job's lock is held by another run,
nothing changed) or partial (a rate budget ran out; what was collected is kept and the next run
continues); 2 bad settings or arguments; 3 `omo status` found a source never run or older than twice
its cadence; 1 any other failure. Errors are one line on stderr; the full story
goes to <data_dir>/logs/omo.jsonl. Tokens never appear in either.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import traceback
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from collectors.pipeline import SOURCES, refuse_sample_data_dir, run_source
from collectors.runs import SourceError, SourceUnreachable, log_event, redact
from collectors.settings import Settings, SettingsError, load_settings
from dashboard.sql_sandbox import QueryRefused, csv_bytes, run_readonly
from omo import schedule as scheduling
from omo.demo import demo_command
from warehouse.build import BuildError, build
from warehouse.db import WarehouseBusy, open_writer
from warehouse.publish import publish
from warehouse.serving import NothingPublished, current_serving_file, open_serving

EXIT_FAILED, EXIT_USAGE, EXIT_STALE, EXIT_SKIPPED = 1, 2, 3, 75

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


SourceChoice = Enum("SourceChoice", {"all": "all", **{name: name for name in SOURCES}}, type=str)


class PricesMode(str, Enum):
    auto = "auto"
    live = "live"
    packaged = "packaged"


def _fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    # a message may quote names that look like markup ("[/]" would crash rich): print it as written
    err.print(f"[bold red]omo: error:[/] {escape(redact(message))}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None


def _unexpected(settings: Settings, command: str, exc: BaseException) -> typer.Exit:
    log_event(settings.log_dir, "-", command, "crash", error=f"{type(exc).__name__}: {exc}",
              traceback=traceback.format_exc())
    return _fail(f"{command}: unexpected {type(exc).__name__}: {exc} "
                 f"(details in {settings.log_dir / 'omo.jsonl'})")


@app.command()
def collect(
    source: SourceChoice = typer.Argument("all", help="Which source to collect."),
    prices_mode: PricesMode = typer.Option(
        PricesMode.auto, help="auto: live price list, or the copy packaged with genai-prices when "
        "offline; live: fail when offline; packaged: never touch the network."),
    hf_full: bool = typer.Option(False, "--hf-full", help="Hub: every public model (~2 M, 1 000 a page)."),
    hf_top_n: int | None = typer.Option(None, min=1, help="Hub: top N models by downloads "
                                        "(default OMO_HF_TOP_N, 5 000)."),
    hf_authors: bool | None = typer.Option(None, "--hf-authors/--no-hf-authors", help="Hub: also "
                                           "collect the tracked authors' models (default OMO_HF_TRACKED_AUTHORS, on)."),
    github_history: bool | None = typer.Option(None, "--github-history/--no-github-history",
                                               help="GitHub: backfill star history (default "
                                               "OMO_GITHUB_STAR_HISTORY, on)."),
) -> None:
    """Fetch a source, land it as Parquet and load it into the warehouse (raw layer)."""
    settings = _settings()
    try:
        refuse_sample_data_dir(settings)  # said once here, not once per source
    except SourceError as exc:
        raise _fail(str(exc)) from None
    names = list(SOURCES) if source.value == "all" else [source.value]
    failures, skipped, unreachable = [], [], []
    for name in names:
        options = {"prices": {"mode": prices_mode.value},
                   "hf": {"full": hf_full, "top_n": hf_top_n, "authors": hf_authors},
                   "github": {"history": github_history}}.get(name, {})
        try:
            with _progress_bar(name) as progress:
                run = run_source(name, settings, notify=lambda m: err.print(f"[yellow]note:[/] {m}",
                                                                            highlight=False),
                                 progress=progress, **options)
        except WarehouseBusy as exc:
            err.print(f"[yellow]omo: skipped {name}:[/] {escape(str(exc))}", highlight=False)
            skipped.append(name)
        except SourceError as exc:
            err.print(f"[bold red]omo: error:[/] {escape(redact(str(exc)))}", highlight=False, soft_wrap=True)
            failures.append(name)
            if isinstance(exc, SourceUnreachable):
                unreachable.append(name)
        except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback in the log
            err.print(f"[bold red]omo: error:[/] {name}: {type(exc).__name__}: {escape(redact(str(exc)))}",
                      highlight=False, soft_wrap=True)
            failures.append(name)
        else:
            mark = "[green]✓[/]" if run.status == "ok" else "[yellow]◐ partial[/]"
            out.print(f"{mark} {name}: {run.rows_loaded:,} rows for {run.snapshot_date} "
                      f"({run.detail})", highlight=False)
            if run.status == "partial":
                skipped.append(name)
    if len(unreachable) > 1:
        err.print(f"[yellow]note:[/] no network for {', '.join(unreachable)}; `make demo` (`omo demo`) shows "
                  "every page with generated sample data, in a separate warehouse", highlight=False)
    if failures:
        raise typer.Exit(EXIT_FAILED)
    if skipped:
        raise typer.Exit(EXIT_SKIPPED)


@contextmanager
def _progress_bar(source: str):
    """Pages, rows and rate on a terminal; nothing at all under cron or in a pipe."""
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.fields[pages]:,} pages · {task.completed:,.0f} rows"),
                   TextColumn("· {task.fields[rate]:,.0f} rows/s"), TimeElapsedColumn(),
                   console=err, transient=True, disable=not err.is_terminal)
    task = bar.add_task(f"{source}: collecting", total=None, pages=0, rate=0.0)
    started = time.monotonic()

    def update(pages: int, rows: int, step: str) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        bar.update(task, description=f"{source}: {step}", completed=rows, pages=pages, rate=rows / elapsed)

    with bar:
        yield update


@app.command("build")
def build_command(
    publish_copy: bool = typer.Option(True, "--publish/--no-publish",
                                      help="Publish the marts for the dashboard after a good build."),
    full: bool = typer.Option(False, "--full", help="Recompute every day of the per-day marts (a build "
                              "does this by itself when a model or reference file changed)."),
) -> None:
    """Build staging views and marts from the raw layer, then publish a serving copy.

    Per-day marts are incremental: only the days new Hub data can change are recomputed."""
    settings = _settings()
    seconds_by_model: dict[str, float] = {}
    try:
        with open_writer(settings.warehouse_path) as con, _build_progress() as bar:
            task = bar.add_task("building", total=None)

            def built(model, seconds: float) -> None:
                seconds_by_model[model.relation] = seconds
                bar.update(task, advance=1, description=f"built {model.relation}")

            models = build(con, on_model=built, full=full)
            mode, recomputed_from, latest_day = con.execute(
                "SELECT mode, recomputed_from, (SELECT max(snapshot_date) FROM build.hub_days) "
                "FROM build.last_build").fetchall()[0]
            counts = {m.relation: con.execute(f"SELECT count(*) FROM {m.relation}").fetchone()[0]
                      for m in models if m.layer == "marts"}
            published = publish(con, settings.serving_dir, settings.serving_versions_kept) \
                if publish_copy else None
    except WarehouseBusy as exc:
        raise _fail(str(exc), EXIT_SKIPPED) from None
    except BuildError as exc:
        raise _fail(f"build failed, previous marts kept: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        raise _unexpected(settings, "build", exc) from None
    for relation, rows in counts.items():
        out.print(f"  {relation:<36} {rows:>11,} rows  {seconds_by_model.get(relation, 0):6.1f} s",
                  highlight=False)
    if mode == "full":
        out.print("full build: every day recomputed", highlight=False)
    elif latest_day is None or recomputed_from > latest_day:
        out.print("incremental build: no new Hub days, per-day marts kept as they were", highlight=False)
    else:
        out.print(f"incremental build: per-day marts recomputed from {recomputed_from} "
                  "(`omo build --full` recomputes every day)", highlight=False)
    if published:
        out.print(f"[green]✓[/] published {published.name}", highlight=False)


def streamlit_command(app_file: Path, *, port: int, address: str) -> list[str]:
    """`streamlit run` as `omo serve` starts it (bench.page_load starts its yardstick page alike).

    No file watcher: a served dashboard does not reload on source edits, and the watcher walks
    every imported module (over 2 000, realpath each) on every page load of every session, on the
    server's event loop, holding back the messages of every session meanwhile (0.3 s a load here).
    `streamlit run dashboard/app.py` still watches, for working on the dashboard."""
    return [sys.executable, "-m", "streamlit", "run", str(app_file), "--server.address", address,
            "--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]


def _build_progress() -> Progress:
    """A spinner naming the model just built (stderr, so `omo build > log` stays a clean table)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


@app.command()
def serve(
    port: int = typer.Option(8501, help="Port for the dashboard."),
    address: str = typer.Option("127.0.0.1", help="Address to bind; 0.0.0.0 exposes it to the network."),
) -> None:
    """Start the Streamlit dashboard on the published serving copy."""
    settings = _settings()
    app_file = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    env = {**os.environ, "OMO_DATA_DIR": str(settings.data_dir.resolve())}
    out.print(f"dashboard on http://{address}:{port} (Ctrl+C to stop)", highlight=False)
    command = streamlit_command(app_file, port=port, address=address)
    sys.stdout.flush()
    # Become Streamlit rather than wrap it: a stop signal from a terminal, systemd or a test
    # reaches the server itself, and no orphaned server outlives its parent.
    os.execve(sys.executable, command, env)


@app.command()
def sql(
    query: str = typer.Argument(..., help="A read-only SQL query over the published marts."),
    max_rows: int = typer.Option(100, min=1, help="Print at most this many rows."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    timeout: float = typer.Option(30, min=0.1, help="Interrupt the query after this many seconds."),
) -> None:
    """Run read-only SQL on the published serving copy (tables: marts.*)."""
    # The dashboard's SQL page runs queries in the same sandbox: one set of rules for both.
    settings = _settings()
    try:
        result = run_readonly(current_serving_file(settings.serving_dir), query, max_rows=max_rows,
                              timeout_s=timeout)
    except NothingPublished as exc:
        raise _fail(str(exc)) from None
    except QueryRefused as exc:
        raise _fail(f"query failed: {exc}") from None
    if csv:
        sys.stdout.buffer.write(csv_bytes(result.rows))
        sys.stdout.flush()
    else:
        # DuckDB's own renderer: elides middle columns instead of squeezing them unreadable.
        with duckdb.connect() as renderer:
            renderer.from_arrow(result.rows).show(max_width=shutil.get_terminal_size((160, 40)).columns,
                                                  max_rows=max_rows)
    if result.truncated:
        err.print(f"[yellow]showing the first {max_rows} rows; use --max-rows for more[/]")


def _status_rows(settings: Settings) -> tuple[list[tuple], str]:
    query = """SELECT source, max(started_at), arg_max(status, started_at),
                      max(finished_at) FILTER (WHERE status IN ('ok', 'partial')),
                      arg_max(rows_loaded, started_at) FILTER (WHERE status IN ('ok', 'partial')),
                      arg_max(error, started_at)
               FROM raw.collector_runs GROUP BY source"""
    if not settings.warehouse_path.exists():
        return [], "no warehouse yet"
    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error:
        # A writer holds the lock; the published copy is the best we can read.
        con = open_serving(current_serving_file(settings.serving_dir))
        rows = con.execute("""SELECT source, last_run_at, last_status, last_success_at,
                                     last_success_rows, last_error FROM marts.data_freshness""").fetchall()
        con.close()
        return rows, "warehouse busy: showing the last published state"
    try:
        return con.execute(query).fetchall(), "warehouse"
    except duckdb.CatalogException:
        return [], "warehouse not migrated yet"
    finally:
        con.close()


@app.command()
def status() -> None:
    """Per source: last run, status, rows, freshness."""
    settings = _settings()
    try:
        rows, origin = _status_rows(settings)
    except NothingPublished as exc:
        raise _fail(str(exc)) from None
    by_source = {row[0]: row for row in rows}
    now = datetime.now(UTC)
    overdue = []  # sources a monitor should hear about: never succeeded, or older than cadence x 2
    table = Table("source", "last run (UTC)", "status", "last success (UTC)", "rows", "age",
                  "freshness", "last error", title=f"omo status ({origin})")
    for name, module in SOURCES.items():
        row = by_source.get(name)
        if row is None:
            table.add_row(name, "never", "-", "-", "-", "-", "[red]missing[/]", "")
            overdue.append(f"{name} (never run)")
            continue
        _, last_run, last_status, last_ok, ok_rows, error = row
        age_h = (now - last_ok).total_seconds() / 3600 if last_ok else None
        fresh = ("[red]never succeeded[/]" if age_h is None else
                 "[green]fresh[/]" if age_h <= module.EXPECTED_CADENCE_H * 2 else "[red]stale[/]")
        if age_h is None:
            overdue.append(f"{name} (never succeeded)")
        elif age_h > module.EXPECTED_CADENCE_H * 2:
            overdue.append(f"{name} ({age_h:.0f} h old, expected every {module.EXPECTED_CADENCE_H} h)")
        table.add_row(name, f"{last_run:%Y-%m-%d %H:%M}", last_status,
                      f"{last_ok:%Y-%m-%d %H:%M}" if last_ok else "-",
                      f"{ok_rows:,}" if ok_rows is not None else "-",
                      f"{age_h:.1f} h" if age_h is not None else "-", fresh,
                      escape(redact(error or "")) if last_status != "ok" else "")
    out.print(table)
    try:
        published = current_serving_file(settings.serving_dir)
    except NothingPublished:
        out.print("published copy: none yet (run `omo build`)", highlight=False)
    else:
        out.print(f"published copy: {published.name}", highlight=False)
        _print_identity_rates(published)
    if overdue:
        # non-zero so a monitor (or `omo status || alert`) notices without parsing the table
        raise _fail(f"not fresh: {', '.join(overdue)}", EXIT_STALE)


app.command("demo")(demo_command)


@app.command()
def schedule(
    install: bool = typer.Option(False, "--install", help="Add the block to your crontab (running it twice adds nothing)."),
    remove: bool = typer.Option(False, "--remove", help="Take the block out of your crontab."),
    systemd: bool = typer.Option(False, "--systemd", help="Print systemd service and timer units instead."),
) -> None:
    """Print a crontab block that collects every source on its cadence (staggered, under flock -n)."""
    settings = _settings()
    if install and remove:
        raise _fail("--install and --remove together: pick one", EXIT_USAGE)
    try:
        if install:
            changed = scheduling.install(settings.data_dir)
            out.print("crontab: omo block installed" if changed else "crontab: omo block already installed, "
                      "nothing changed", highlight=False)
        elif remove:
            changed = scheduling.remove()
            out.print("crontab: omo block removed" if changed else "crontab: no omo block to remove",
                      highlight=False)
        elif systemd:
            for name, text in scheduling.systemd_units(settings.data_dir).items():
                out.print(f"# ~/.config/systemd/user/{name}\n{text}", highlight=False, markup=False)
            out.print("# then: systemctl --user daemon-reload && systemctl --user enable --now "
                      + " ".join(f"omo-{job.name}.timer" for job in scheduling.JOBS), highlight=False, markup=False)
        else:
            out.print(scheduling.crontab_block(settings.data_dir), highlight=False, markup=False, end="")
    except scheduling.ScheduleError as exc:
        raise _fail(f"schedule: {exc}") from None


UNMATCHED_SQL = ("SELECT name_source, source_model_id, last_seen_date FROM marts.model_identity "
                 "WHERE NOT is_matched ORDER BY last_seen_date DESC")


def _print_identity_rates(published: Path) -> None:
    """How many price-list ids and leaderboard names found their counterpart (published copy)."""
    con = open_serving(published)
    try:
        rows = con.execute("""SELECT name_source, name_role, count(*), count(*) FILTER (WHERE is_matched)
                              FROM marts.model_identity GROUP BY ALL ORDER BY name_role, name_source""").fetchall()
    except duckdb.CatalogException:
        rows = None  # published before the identity layer existed
    finally:
        con.close()
    if not rows:
        out.print("model identity: nothing to match yet (needs prices and a quality board; then `omo build`)",
                  highlight=False)
        return
    table = Table("names from", "kind", "names", "matched", "match rate",
                  title="model identity: price-list ids ↔ leaderboard names")
    for name_source, role, names, matched in rows:
        other = "a quality score" if role == "price" else "a price"
        table.add_row(name_source, f"{role} (matched = has {other})", f"{names:,}", f"{matched:,}",
                      f"{matched / names:.0%}")
    out.print(table)
    unmatched = sum(names - matched for _, _, names, matched in rows)
    out.print(f"{unmatched:,} names unmatched, kept and listed: omo sql \"{UNMATCHED_SQL}\" "
              "(fix a match in warehouse/reference/model_identity_overrides.csv)", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    app()
