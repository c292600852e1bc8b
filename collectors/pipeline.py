"""The chain every source runs through: collect (network + normalise) -> land -> load.

A source's collect(settings, ctx, **options) yields Batches. Each batch is landed at once as its
own Parquet part, then the source's cursor is saved, so a run that dies resumes where it was
instead of restarting. The warehouse is opened only after all network work is done, for one
transaction that loads every part and logs the run: a slow source never holds the write lock.
Every run, good or failed, leaves a row in raw.collector_runs and JSON log lines.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from collectors import github_repos, hf_models, openrouter, prices, quality
from collectors.landing import land
from collectors.runs import RunContext, SourceError, log_event, new_run_id, redact
from collectors.settings import Settings
from collectors.state import RunState, clear_state, read_state, write_state
from warehouse.db import WarehouseBusy, open_writer
from warehouse.load import RunRecord, load_run, record_run

# `omo demo` marks the data directory it fills with generated sample data with this file: a
# normal collection must never mix real rows into it (see omo/demo).
SAMPLE_DATA_MARKER = "SAMPLE_DATA"  # in a data directory `omo demo` made: generated figures, never real ones


def is_sample_data_dir(path: Path) -> bool:
    """True when `omo demo` made this data directory (it carries the SAMPLE_DATA marker)."""
    return (Path(path) / SAMPLE_DATA_MARKER).is_file()


def refuse_sample_data_dir(settings: Settings) -> None:
    """Real collection never writes into the directory `omo demo` made."""
    if is_sample_data_dir(settings.data_dir):
        raise SourceError(f"{settings.data_dir} is the sample-data directory made by `omo demo`; "
                          "set OMO_DATA_DIR to your real data directory")

# A source module has: SOURCE (name), EXPECTED_CADENCE_H, optional REPLACE_ON
# ({raw table: key columns}, default source + snapshot_date) and collect(settings, ctx, **options).
SOURCES: dict[str, ModuleType] = {module.SOURCE: module for module in (prices, hf_models, github_repos, openrouter, quality)}


def _resumable(settings: Settings, source: str, snapshot_date: date, options: dict) -> RunState | None:
    state = read_state(settings.data_dir, source)
    if state and state.snapshot_date == snapshot_date.isoformat() and state.options == options \
            and all(Path(path).exists() for _, path in state.parts):
        return state
    return None


def _no_progress(pages: int, rows: int, step: str) -> None:
    pass


def run_source(source: str | ModuleType, settings: Settings, snapshot_date: date | None = None,
               notify=lambda message: None, progress=_no_progress, sample_data: bool = False,
               **options: Any) -> RunRecord:
    """Run one source end to end; raise on failure after recording it.

    notify(message) gets lines worth telling the user; progress(pages, rows, step) is called after
    every landed batch (step "collecting") and once before the load (step "loading").
    sample_data=True is for `omo demo` alone: it may write into the sample-data directory."""
    if not sample_data:
        refuse_sample_data_dir(settings)
    module = SOURCES[source] if isinstance(source, str) else source
    with _one_run_at_a_time(settings, module.SOURCE):
        return _run_source(module, settings, snapshot_date, notify, progress, **options)


@contextmanager
def _one_run_at_a_time(settings: Settings, source: str) -> Iterator[None]:
    """Hold <data_dir>/state/<source>.lock for the whole run: a second run of the same source would
    resume this one's state (same run id, same landing files) while it is still going. The kernel
    drops the lock when the process dies, so a killed run never leaves it stuck."""
    path = settings.data_dir / "state" / f"{source}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            reason = f"another run of {source} is in progress (lock {path})"
            log_event(settings.log_dir, "-", source, "skipped", reason=reason)
            raise WarehouseBusy(reason) from None
        yield


def _run_source(module: ModuleType, settings: Settings, snapshot_date: date | None, notify, progress,
                **options: Any) -> RunRecord:
    name = module.SOURCE
    started = datetime.now(UTC)
    snapshot_date = snapshot_date or started.date()
    options_key = {k: str(v) for k, v in options.items()}
    state = _resumable(settings, name, snapshot_date, options_key)
    if state is None:
        state = RunState(new_run_id(started), snapshot_date.isoformat(), options_key)
    else:
        notify(f"{name}: resuming run {state.run_id} after {state.pages} page(s)")
    ctx = RunContext(state.run_id, name, snapshot_date, started, resume_cursor=state.cursor)
    log_event(settings.log_dir, ctx.run_id, name, "start", snapshot_date=snapshot_date,
              resumed_pages=state.pages)
    rows_landed = 0
    try:
        batches = () if state.collected else module.collect(settings, ctx, **options)
        for batch in batches:
            _deliver_notices(ctx, settings, notify)
            part = f"{batch.table.removeprefix('raw.')}-{len(state.parts):05d}"
            path = land(batch.frame, settings.landing_dir, name, snapshot_date, ctx.run_id, part)
            state.parts.append([batch.table, str(path)])
            state.pages += batch.pages
            state.cursor = batch.cursor
            write_state(settings.data_dir, name, state)
            log_event(settings.log_dir, ctx.run_id, name, "landed", path=path, rows=batch.frame.height,
                      pages=state.pages)
            rows_landed += batch.frame.height
            progress(state.pages, rows_landed, "collecting")
        if not state.collected:
            if ctx.partial:
                ctx.notify(f"{name}: stopped early, {ctx.partial}; what was collected is kept and the "
                           "next run continues")
            _deliver_notices(ctx, settings, notify)
            state.collected, state.detail, state.partial = True, _detail(ctx), ctx.partial
            write_state(settings.data_dir, name, state)
        progress(state.pages, rows_landed, "loading")
        run = RunRecord(ctx.run_id, name, started, started, "partial" if state.partial else "ok",
                        snapshot_date, pages=state.pages, detail=state.detail)
        with open_writer(settings.warehouse_path) as con:
            run.finished_at = datetime.now(UTC)
            load_run(con, [(table, Path(path)) for table, path in state.parts], run,
                     replace_on=getattr(module, "REPLACE_ON", None))
        clear_state(settings.data_dir, name)
    except WarehouseBusy as exc:
        log_event(settings.log_dir, ctx.run_id, name, "skipped", reason=str(exc))
        raise
    except Exception as exc:
        message = redact(str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}")
        _record_failure(settings, RunRecord(ctx.run_id, name, started, datetime.now(UTC), "failed",
                                            snapshot_date, pages=state.pages, detail=_detail(ctx),
                                            error=message))
        log_event(settings.log_dir, ctx.run_id, name, "failed", error=message, pages=state.pages)
        raise
    log_event(settings.log_dir, ctx.run_id, name, run.status, rows=run.rows_loaded, pages=state.pages,
              counters=ctx.counters, seconds=(run.finished_at - started).total_seconds())
    return run


def _deliver_notices(ctx: RunContext, settings: Settings, notify) -> None:
    while ctx.notices:
        message = ctx.notices.pop(0)
        notify(message)
        log_event(settings.log_dir, ctx.run_id, ctx.source, "notice", message=message)


def _detail(ctx: RunContext) -> str:
    counters = ", ".join(f"{k} {v}" for k, v in sorted(ctx.counters.items()))
    stopped = f"stopped early: {ctx.partial}" if ctx.partial else ""
    return "; ".join(part for part in (ctx.detail, counters, stopped) if part)


def _record_failure(settings: Settings, run: RunRecord) -> None:
    try:
        with open_writer(settings.warehouse_path) as con:
            record_run(con, run)
    except WarehouseBusy:
        pass  # the JSON log still has it; the writer holding the lock is busy with real work
