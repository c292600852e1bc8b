"""Given Hub listings with a known daily download series, expect each named adjustment rule of
warehouse/reference/download_adjustment_rules.csv to touch exactly the repos it describes, raw
figures to stay as they were, and the market share mart to carry both (real repo ids; figures
chosen for the test)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

from tests.test_hub_marts import build_with, listing, rows
from warehouse.build import BuildError, build, reference_dir
from warehouse.db import open_writer

START = date(2026, 10, 1)


def series(model_id: str, per_day: list[int], bases=(), license_id="apache-2.0", start=START) -> list[dict]:
    """One listing per day whose all-time count grows by per_day[i] on day i (day 0 has no daily
    figure: the Hub has no history), with the 30-day figure the Hub would report."""
    listings, all_time = [], 1_000_000
    for offset, downloads in enumerate(per_day):
        all_time += downloads if offset else 0
        last_30 = sum(per_day[max(1, offset - 29):offset + 1]) if offset else downloads * 30
        listings.append(listing(model_id, start + timedelta(days=offset), downloads_30d=last_30,
                                all_time=all_time, license_id=license_id, bases=list(bases)))
    return listings


def adjusted(con, model_id: str) -> dict[date, tuple]:
    return {day: (raw, adj, removed) for day, raw, adj, removed in rows(con, f"""
        SELECT snapshot_date, downloads_30d, downloads_30d_adjusted, downloads_30d_removed
        FROM marts.model_downloads_adjusted WHERE model_id = '{model_id}' ORDER BY snapshot_date""")}


def summary(con, day: date) -> dict[str, tuple]:
    return {rule: (models, touched, share) for rule, models, touched, share in rows(con, f"""
        SELECT rule, models_touched, downloads_30d_touched, share_of_downloads_30d_touched
        FROM marts.download_adjustment_summary WHERE snapshot_date = DATE '{day}'""")}


USUAL = [1_000, 1_100, 900, 1_000, 1_050, 950, 1_000, 1_000]  # a median day of 1 000, never flat
WEEKLY = [1_300, 1_250, 1_200, 1_150, 800, 700, 1_100]  # people: weekday highs, weekend lows


def test_quantized_reuploads_roll_into_their_base_and_raw_stays(tmp_path):
    llama, gguf = "meta-llama/Llama-3.1-8B-Instruct", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
    orphan = "TheBloke/Mistral-7B-Instruct-v0.2-GGUF"  # its base is not in the crawl
    con = build_with(tmp_path / "omo.duckdb", [
        listing(llama, downloads_30d=3_000, license_id="llama3.1"),
        listing(gguf, downloads_30d=2_000, bases=[("quantized", llama)]),
        listing(orphan, downloads_30d=500, bases=[("quantized", "mistralai/Mistral-7B-Instruct-v0.2")]),
        listing("Qwen/Qwen2.5-7B-Instruct", downloads_30d=4_500),
    ])
    got = {m: (raw, adj) for m, raw, adj in rows(con, "SELECT model_id, downloads_30d, downloads_30d_adjusted "
                                                    "FROM marts.model_downloads_adjusted")}
    assert got[llama] == (3_000, 5_000)
    assert got[gguf] == (2_000, 0)
    assert got[orphan] == (500, 500), "a quantization whose base is not listed keeps its downloads"
    assert sum(adj for _, adj in got.values()) == sum(raw for raw, _ in got.values()) == 10_000

    direct = {key: (raw, adj) for key, raw, adj in rows(con, """
        SELECT key, share_of_downloads_30d, share_of_downloads_30d_adjusted FROM marts.market_share_daily
        WHERE attribution = 'direct' AND dimension = 'organization'""")}
    assert direct["bartowski"] == (pytest.approx(0.2), 0.0)
    assert direct["Meta"] == (pytest.approx(0.3), pytest.approx(0.5))
    (models, touched, share), = [summary(con, date(2026, 11, 1))["quantized_rollup"]]
    assert (models, touched, share) == (1, 2_000, pytest.approx(0.2))
    con.close()


def test_flat_daily_downloads_are_left_out_and_human_ones_are_not(tmp_path):
    days = 15
    flat = "ci-bot/tiny-random-LlamaForCausalLM"       # the same 5 000 a day, every day
    human = "Qwen/Qwen2.5-0.5B-Instruct"                 # weekly swings around 1 100 a day
    small_flat = "someone/flat-but-tiny"                 # flat, but under min_downloads_per_day
    con = build_with(tmp_path / "omo.duckdb",
                     series(flat, [5_000] * days) + series(human, (WEEKLY * 3)[:days])
                     + series(small_flat, [50] * days))
    last = START + timedelta(days=days - 1)
    assert adjusted(con, flat)[last] == (70_000, 0, 70_000)
    # 7 daily figures are needed first: day 7 is the first the flat repo is judged on
    assert adjusted(con, flat)[START + timedelta(days=6)][1] == 30_000
    assert adjusted(con, flat)[START + timedelta(days=7)][1] == 0
    raw_human = adjusted(con, human)[last][0]
    assert adjusted(con, human)[last] == (raw_human, raw_human, 0)
    assert adjusted(con, small_flat)[last][1] == adjusted(con, small_flat)[last][0]
    models, touched, share = summary(con, last)["flat_daily_downloads"]
    total = sum(raw for raw, _, _ in (adjusted(con, m)[last] for m in (flat, human, small_flat)))
    assert (models, touched) == (1, 70_000) and share == pytest.approx(70_000 / total)
    con.close()


def test_an_isolated_spike_is_cut_to_its_usual_level_in_every_30_day_figure_that_holds_it(tmp_path):
    spiky = "unsloth/Llama-3.2-1B-Instruct"
    per_day = USUAL + [51_000] + [900, 1_100, 1_000, 1_000]   # day 8 spikes: 50 000 over its usual 1 000
    con = build_with(tmp_path / "omo.duckdb", series(spiky, per_day))
    figures = adjusted(con, spiky)
    spike_day = START + timedelta(days=8)
    assert figures[spike_day - timedelta(days=1)] == (7_000, 7_000, 0)
    assert figures[spike_day] == (58_000, 8_000, 50_000)
    assert figures[START + timedelta(days=12)] == (62_000, 12_000, 50_000)
    flagged = rows(con, f"SELECT snapshot_date FROM marts.model_downloads_adjusted "
                        f"WHERE model_id = '{spiky}' AND is_download_spike_day")
    assert flagged == [(spike_day,)]
    assert summary(con, START + timedelta(days=12))["download_spike"][:2] == (1, 62_000)
    con.close()


def test_a_spike_is_judged_only_once_enough_later_days_exist(tmp_path):
    spiky = "unsloth/Llama-3.2-1B-Instruct"
    con = build_with(tmp_path / "omo.duckdb", series(spiky, USUAL + [51_000] + [900, 1_100]))
    assert all(removed == 0 for _, _, removed in adjusted(con, spiky).values())
    con.close()


def test_a_launch_that_lasts_is_not_a_spike(tmp_path):
    launched = "deepseek-ai/DeepSeek-R1"
    con = build_with(tmp_path / "omo.duckdb", series(launched, [10] * 8 + [60_000, 45_000, 52_000, 48_000, 50_000]))
    assert all(raw == adj for raw, adj, _ in adjusted(con, launched).values())
    con.close()


def test_a_disabled_rule_touches_nothing(tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(str(reference_dir()), reference)
    rules = reference / "download_adjustment_rules.csv"
    rules.write_text(rules.read_text().replace("quantized_rollup,true", "quantized_rollup,false"))
    llama, gguf = "meta-llama/Llama-3.1-8B-Instruct", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
    path = tmp_path / "omo.duckdb"
    build_with(path, [listing(llama, downloads_30d=3_000), listing(gguf, downloads_30d=2_000,
                                                                    bases=[("quantized", llama)])]).close()
    with open_writer(path) as con:
        build(con, reference)
        got = dict(con.execute("SELECT model_id, downloads_30d_adjusted FROM marts.model_downloads_adjusted").fetchall())
        assert got == {llama: 3_000, gguf: 2_000}
        assert con.execute("SELECT enabled, models_touched FROM marts.download_adjustment_summary "
                           "WHERE rule = 'quantized_rollup'").fetchall() == [(False, 0)]


def test_an_unknown_rule_fails_the_build_naming_the_file(tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(str(reference_dir()), reference)
    rules = reference / "download_adjustment_rules.csv"
    rules.write_text(rules.read_text() + "gguf_discount,true,,,,0.5,made up\n")
    with open_writer(tmp_path / "omo.duckdb") as con, pytest.raises(BuildError, match="download_adjustment_rules.csv.*gguf_discount"):
        build(con, reference)
