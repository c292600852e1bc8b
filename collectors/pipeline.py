"""The chain every source runs through: collect (network + normalise) -> land -> load.

The warehouse is opened only after the network work is done, so a slow source never holds the
write lock. Every run, good or failed, leaves one row in raw.collector_runs and JSON log lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

from collectors import prices
from collectors.landing import land
from collectors.runs import SourceError, log_event, new_run_id, redact
from collectors.settings import Settings
from warehouse.db import WarehouseBusy, open_writer
from warehouse.load import RunRecord, load_landed, record_run

# source name -> module with SOURCE, RAW_TABLE, EXPECTED_CADENCE_H and collect(settings, ...)
SOURCES: dict[str, ModuleType] = {prices.SOURCE: prices}


def run_source(source: str, settings: Settings, snapshot_date: date | None = None,
               notify=lambda message: None, **options: Any) -> RunRecord:
    """Run one source end to end; raise on failure after recording it."""
    module = SOURCES[source]
    started = datetime.now(UTC)
    snapshot_date = snapshot_date or started.date()
    run_id = new_run_id(started)
    log_event(settings.log_dir, run_id, source, "start", snapshot_date=snapshot_date)
    try:
        collected = module.collect(settings, snapshot_date=snapshot_date, run_id=run_id,
                                   collected_at=started, **options)
        if collected.notice:
            notify(collected.notice)
            log_event(settings.log_dir, run_id, source, "notice", message=collected.notice)
        path = land(collected.frame, settings.landing_dir, source, snapshot_date, run_id)
        log_event(settings.log_dir, run_id, source, "landed", path=path, rows=collected.frame.height)
        run = RunRecord(run_id, source, started, started, "ok", snapshot_date,
                        pages=collected.pages, detail=collected.detail)
        with open_writer(settings.warehouse_path) as con:
            run.finished_at = datetime.now(UTC)
            load_landed(con, module.RAW_TABLE, [path], run)
    except WarehouseBusy as exc:
        log_event(settings.log_dir, run_id, source, "skipped", reason=str(exc))
        raise
    except Exception as exc:
        message = redact(str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}")
        _record_failure(settings, RunRecord(run_id, source, started, datetime.now(UTC), "failed",
                                            snapshot_date, error=message))
        log_event(settings.log_dir, run_id, source, "failed", error=message)
        raise
    log_event(settings.log_dir, run_id, source, "ok", rows=run.rows_loaded,
              seconds=(run.finished_at - started).total_seconds())
    return run


def _record_failure(settings: Settings, run: RunRecord) -> None:
    try:
        with open_writer(settings.warehouse_path) as con:
            record_run(con, run)
    except WarehouseBusy:
        pass  # the JSON log still has it; the writer holding the lock is busy with real work
