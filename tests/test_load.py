"""Loading landed Parquet: idempotent per snapshot, atomic under a failure half-way."""

from datetime import UTC, date, datetime

import duckdb
import pytest

from collectors.landing import land
from collectors.prices import normalise_prices, parse_price_list
from tests.conftest import PRICES_FIXTURE
from warehouse.db import open_writer
from warehouse.load import RunRecord, load_run

KEY = "snapshot_date, source, provider_id, model_id, valid_from"


def _land(settings, snapshot_date, run_id):
    providers = parse_price_list(PRICES_FIXTURE, origin="fixture")
    frame, _ = normalise_prices(providers, snapshot_date=snapshot_date, source_detail="fixture",
                                run_id=run_id, collected_at=datetime.now(UTC))
    return land(frame, settings.landing_dir, "prices", snapshot_date, run_id), frame.height


def _run(run_id, snapshot_date):
    now = datetime.now(UTC)
    return RunRecord(run_id, "prices", now, now, "ok", snapshot_date)


def _counts(con):
    return (con.execute("SELECT count(*) FROM raw.prices").fetchone()[0],
            con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {KEY} FROM raw.prices)").fetchone()[0],
            con.execute(f"SELECT count(*) FROM raw.prices WHERE NOT (({KEY}) IS NOT NULL)").fetchone()[0])


def test_landing_writes_hive_path_and_no_temp_file(settings):
    path, _ = _land(settings, date(2026, 11, 20), "r1")
    assert path.parent.name == "snapshot_date=2026-11-20" and path.parent.parent.name == "source=prices"
    assert not list(path.parent.glob("*.tmp"))


def test_loading_same_snapshot_twice_equals_once(settings):
    day1, rows = _land(settings, date(2026, 11, 20), "r1")
    day1_again, _ = _land(settings, date(2026, 11, 20), "r2")
    day2, _ = _land(settings, date(2026, 11, 21), "r3")
    with open_writer(settings.warehouse_path) as con:
        load_run(con, [("raw.prices", day1)], _run("r1", date(2026, 11, 20)))
        load_run(con, [("raw.prices", day2)], _run("r3", date(2026, 11, 21)))
        once = _counts(con)
        load_run(con, [("raw.prices", day1_again)], _run("r2", date(2026, 11, 20)))
        twice = _counts(con)
        assert once == twice == (2 * rows, 2 * rows, 0)
        # the reload replaced day 1 and left day 2 alone
        by_run = dict(con.execute("SELECT run_id, count(*) FROM raw.prices GROUP BY run_id").fetchall())
        assert by_run == {"r2": rows, "r3": rows}
        assert con.execute("SELECT count(*) FROM raw.collector_runs").fetchone()[0] == 3


@pytest.mark.parametrize("fail_after", ["deleted", "inserted", "recorded"])
def test_failure_half_way_leaves_previous_state(settings, fail_after):
    first, rows = _land(settings, date(2026, 11, 20), "r1")
    second, _ = _land(settings, date(2026, 11, 20), "r2")
    with open_writer(settings.warehouse_path) as con:
        load_run(con, [("raw.prices", first)], _run("r1", date(2026, 11, 20)))

    def explode(step):
        if step == fail_after:
            raise RuntimeError(f"injected failure after {step}")

    with pytest.raises(RuntimeError, match="injected"):
        with open_writer(settings.warehouse_path) as con:
            load_run(con, [("raw.prices", second)], _run("r2", date(2026, 11, 20)),
                        between_statements=explode)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT DISTINCT run_id FROM raw.prices").fetchall() == [("r1",)]
        assert con.execute("SELECT count(*) FROM raw.prices").fetchone()[0] == rows
        assert con.execute("SELECT run_id FROM raw.collector_runs").fetchall() == [("r1",)]


def test_unknown_table_is_refused(settings):
    path, _ = _land(settings, date(2026, 11, 20), "r1")
    with open_writer(settings.warehouse_path) as con, pytest.raises(ValueError, match="unknown raw table"):
        load_run(con, [("raw.prices; DROP TABLE raw.prices", path)], _run("r1", date(2026, 11, 20)))
