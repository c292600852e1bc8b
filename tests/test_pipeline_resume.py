"""A multi-page source that dies mid-run resumes from its saved cursor, losing and repeating nothing."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest

from collectors.pipeline import run_source
from collectors.prices import normalise_prices, parse_price_list
from collectors.runs import Batch
from collectors.state import read_state
from tests.conftest import PRICES_FIXTURE

PAGES = ["p1", "p2", "p3"]


def _page_frames():
    providers = parse_price_list(PRICES_FIXTURE, origin="fixture")
    frames = []
    for provider in providers:  # one provider per "page"
        frame, _ = normalise_prices([provider], snapshot_date=date(2026, 11, 20), source_detail="pages",
                                    run_id="set-by-test", collected_at=datetime.now(UTC))
        if frame.height:
            frames.append(frame)
    return frames[:3]


def make_source(fetched: list[str], die_before: str | None):
    frames = dict(zip(PAGES, _page_frames()))

    def collect(settings, ctx, **options):
        start = PAGES.index(ctx.resume_cursor) if ctx.resume_cursor else 0
        for i, page in enumerate(PAGES[start:], start):
            if page == die_before:
                raise ConnectionResetError("connection reset by peer")
            fetched.append(page)
            frame = frames[page].with_columns(run_id=pl.lit(ctx.run_id))
            yield Batch("raw.prices", frame, cursor=PAGES[i + 1] if i + 1 < len(PAGES) else None)

    return SimpleNamespace(SOURCE="paged", EXPECTED_CADENCE_H=24, collect=collect), frames


def test_dead_run_resumes_from_cursor(settings):
    fetched: list[str] = []
    dying, frames = make_source(fetched, die_before="p3")
    with pytest.raises(ConnectionResetError):
        run_source(dying, settings, snapshot_date=date(2026, 11, 20))
    state = read_state(settings.data_dir, "paged")
    assert state is not None and state.cursor == "p3" and state.pages == 2
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.prices").fetchone()[0] == 0  # nothing half-loaded
        assert con.execute("SELECT status FROM raw.collector_runs").fetchall() == [("failed",)]

    healthy, _ = make_source(fetched, die_before=None)
    notes: list[str] = []
    run = run_source(healthy, settings, snapshot_date=date(2026, 11, 20), notify=notes.append)
    assert fetched == ["p1", "p2", "p3"], "resumed at p3 without refetching p1 and p2"
    assert run.run_id == state.run_id and run.pages == 3
    assert any("resuming run" in note for note in notes)
    assert run.rows_loaded == sum(f.height for f in frames.values())
    assert read_state(settings.data_dir, "paged") is None
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT DISTINCT run_id FROM raw.prices").fetchall() == [(run.run_id,)]


def test_state_from_another_day_is_not_resumed(settings):
    fetched: list[str] = []
    dying, _ = make_source(fetched, die_before="p2")
    with pytest.raises(ConnectionResetError):
        run_source(dying, settings, snapshot_date=date(2026, 11, 20))
    healthy, _ = make_source(fetched, die_before=None)
    run_source(healthy, settings, snapshot_date=date(2026, 11, 21))
    assert fetched == ["p1", "p1", "p2", "p3"]
