"""Given Hub days arriving one at a time, expect `build` to recompute only the recent days of the
per-day marts, and to end with exactly what a full build of the same raw rows gives (EXCEPT ALL
both ways, every mart). Also: a changed reference file or `full=True` makes the build full, and a
backfilled old day is recomputed from there."""

from __future__ import annotations

import shutil
from datetime import timedelta

import polars as pl
import pytest

from collectors.hf_models import HF_MODELS_SCHEMA
from tests.test_download_adjustments import START, USUAL, WEEKLY, series
from tests.test_hub_marts import listing
from warehouse.build import build, discover_models, reference_dir
from warehouse.db import open_writer

DAYS = 12
DAY = [START + timedelta(days=i) for i in range(DAYS)]
SPIKE_AHEAD_DAYS = 7  # download_spike's window_days: how far back a new day can change judgements


def hub_rows() -> list[dict]:
    spiky = USUAL + [51_000] + [900, 1_100, 1_000]  # the spike on day 8 is judged once day 11 exists
    comeback = series("org/comeback", [2_000] * DAYS)
    return (series("unsloth/Llama-3.2-1B-Instruct", spiky)
            + series("ci-bot/tiny-random-LlamaForCausalLM", [5_000] * DAYS)
            + series("Qwen/Qwen2.5-7B-Instruct", (WEEKLY * 2)[:DAYS])
            + series("bartowski/Qwen2.5-7B-Instruct-GGUF", [d // 2 for d in (WEEKLY * 2)[:DAYS]],
                     bases=[("quantized", "Qwen/Qwen2.5-7B-Instruct")])
            # away on days 2-10: day 11's figure needs day 1, further back than the days it recomputes
            + [row for row in comeback if not 2 <= (row["snapshot_date"] - START).days <= 10]
            + [listing("org/newcomer", DAY[10], downloads_30d=300, all_time=300),
               listing("org/newcomer", DAY[11], downloads_30d=600, all_time=600)])


def load(con, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)  # noqa: F841 - read by the INSERT below
    con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")


def last_build(con) -> tuple:
    return con.execute("SELECT mode, recomputed_from FROM build.last_build").fetchall()[0]


def marts() -> list[str]:
    return [m.name for m in discover_models() if m.layer == "marts"]


def differences(left_path, right_path) -> dict[str, int]:
    """Rows in one warehouse's mart and not the other's, both ways, per mart with any."""
    with open_writer(left_path) as con:
        con.execute(f"ATTACH '{right_path}' AS other (READ_ONLY)")
        found = {}
        for name in marts():
            columns = ", ".join(f'"{c}"' for (c,) in con.execute(
                f"SELECT column_name FROM (DESCRIBE marts.{name})").fetchall() if c != "built_at")
            missing = con.execute(f"""SELECT count(*) FROM (
                (SELECT {columns} FROM marts.{name} EXCEPT ALL SELECT {columns} FROM other.marts.{name})
                UNION ALL
                (SELECT {columns} FROM other.marts.{name} EXCEPT ALL SELECT {columns} FROM marts.{name}))""").fetchall()
            if missing[0][0]:
                found[name] = missing[0][0]
        con.execute("DETACH other")
    return found


@pytest.fixture
def day_by_day(tmp_path):
    """Days 0-9 built in full, then days 10 and 11 each loaded and built incrementally."""
    rows = hub_rows()
    path = tmp_path / "omo.duckdb"
    modes = []
    with open_writer(path) as con:
        load(con, [r for r in rows if r["snapshot_date"] <= DAY[9]])
        build(con)
        modes.append(last_build(con))
        for day in DAY[10:]:
            load(con, [r for r in rows if r["snapshot_date"] == day])
            build(con)
            modes.append(last_build(con))
    return path, modes


def full_copy(path, tmp_path):
    copy = tmp_path / "full.duckdb"
    shutil.copy(path, copy)
    with open_writer(copy) as con:
        build(con, full=True)
        assert last_build(con) == ("full", None)
    return copy


def test_each_new_day_recomputes_only_the_days_it_can_change(day_by_day):
    _, modes = day_by_day
    assert modes == [("full", None),
                     ("incremental", DAY[10] - timedelta(days=SPIKE_AHEAD_DAYS)),
                     ("incremental", DAY[11] - timedelta(days=SPIKE_AHEAD_DAYS))]


def test_day_by_day_incremental_builds_equal_one_full_build(day_by_day, tmp_path):
    path, _ = day_by_day
    assert differences(path, full_copy(path, tmp_path)) == {}
    with open_writer(path) as con:  # and the cases the equality covers did happen
        spike = con.execute("""SELECT snapshot_date, downloads_30d_removed FROM marts.model_downloads_adjusted
                               WHERE model_id = 'unsloth/Llama-3.2-1B-Instruct' AND is_download_spike_day""").fetchall()
        assert spike == [(DAY[8], 50_000)]
        back = con.execute("""SELECT days_since_previous, downloads_per_day FROM marts.model_downloads_daily
                              WHERE model_id = 'org/comeback' AND snapshot_date = ?""", [DAY[11]]).fetchall()
        assert back == [(10, 2_000.0)]
        assert con.execute("SELECT count(*) FROM marts.market_share_daily WHERE key = 'org' "
                           "AND snapshot_date = ?", [DAY[11]]).fetchall() == [(2,)]  # direct + lineage


def test_a_rebuild_with_nothing_new_recomputes_nothing_and_changes_nothing(day_by_day, tmp_path):
    path, _ = day_by_day
    before = tmp_path / "before.duckdb"
    shutil.copy(path, before)
    with open_writer(path) as con:
        build(con)
        assert last_build(con) == ("incremental", DAY[11] + timedelta(days=1))
    assert differences(path, before) == {}


def test_a_backfilled_old_day_is_recomputed_from_there(day_by_day, tmp_path):
    path, _ = day_by_day
    with open_writer(path) as con:
        # a late run lands a model on day 3 that the day's crawl had missed
        load(con, [listing("org/comeback", DAY[4], downloads_30d=2_000 * 4, all_time=1_000_000 + 4 * 2_000)])
        build(con)
        assert last_build(con) == ("incremental", DAY[4] - timedelta(days=SPIKE_AHEAD_DAYS))
    assert differences(path, full_copy(path, tmp_path)) == {}


def test_a_day_collected_again_with_the_same_models_is_recomputed(day_by_day, tmp_path):
    from datetime import UTC, datetime

    path, _ = day_by_day
    with open_writer(path) as con:
        # a second run of day 11 (the loader replaces the day): same models, fresher counts
        again = [{**row, "collected_at": datetime(2026, 10, 12, 18, tzinfo=UTC),
                  "downloads_30d": row["downloads_30d"] + 1}
                 for row in hub_rows() if row["snapshot_date"] == DAY[11]]
        con.execute("DELETE FROM raw.hf_models WHERE snapshot_date = ?", [DAY[11]])
        load(con, again)
        build(con)
        assert last_build(con) == ("incremental", DAY[11] - timedelta(days=SPIKE_AHEAD_DAYS))
    assert differences(path, full_copy(path, tmp_path)) == {}


def test_a_changed_reference_file_makes_the_build_full(day_by_day, tmp_path):
    path, _ = day_by_day
    reference = tmp_path / "reference"
    shutil.copytree(str(reference_dir()), reference)
    rules = reference / "download_adjustment_rules.csv"
    rules.write_text(rules.read_text().replace("quantized_rollup,true", "quantized_rollup,false"))
    with open_writer(path) as con:
        build(con, reference)
        assert last_build(con) == ("full", None)
        gguf = con.execute("""SELECT count(*) FROM marts.model_downloads_adjusted
                              WHERE rolled_into_model_id IS NOT NULL""").fetchall()
        assert gguf == [(0,)], "every day re-adjusted under the changed rules"
