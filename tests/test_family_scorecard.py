"""Given Hub listings for two families on two days a week apart, expect the scorecard's joins:
lineage downloads and share change, derivatives by relation, permissive share (real repo ids;
figures chosen for the test)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_hub_marts import build_with, listing

WEEK_AGO, TODAY = date(2026, 11, 13), date(2026, 11, 20)


def day(snapshot_date: date, qwen_base: int) -> list[dict]:
    return [
        listing("Qwen/Qwen2.5-7B-Instruct", snapshot_date, downloads_30d=qwen_base),
        listing("bartowski/Qwen2.5-7B-Instruct-GGUF", snapshot_date, downloads_30d=1_000, license_id="other",
                bases=[("quantized", "Qwen/Qwen2.5-7B-Instruct")]),
        listing("someone/qwen-lora", snapshot_date, downloads_30d=500, license_id="mit",
                bases=[("adapter", "Qwen/Qwen2.5-7B-Instruct")]),
        listing("meta-llama/Llama-3.1-8B-Instruct", snapshot_date, downloads_30d=6_000, license_id="llama3.1"),
        listing("someone/llama-finetune", snapshot_date, downloads_30d=500, license_id="llama3.1",
                bases=[("finetune", "meta-llama/Llama-3.1-8B-Instruct")]),
    ]


@pytest.fixture
def scorecard(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", day(WEEK_AGO, 2_000) + day(TODAY, 4_000))
    rows = con.execute("SELECT * FROM marts.family_scorecard ORDER BY dimension, key").fetchall()
    names = [d[0] for d in con.execute("SELECT * FROM marts.family_scorecard LIMIT 0").description]
    con.close()
    return {(row[0], row[1]): dict(zip(names, row)) for row in rows}


def test_family_downloads_credit_derivatives_to_their_base_family(scorecard):
    qwen, llama = scorecard[("family", "qwen")], scorecard[("family", "llama")]
    assert (qwen["downloads_30d"], qwen["models"]) == (5_500, 3)
    assert (llama["downloads_30d"], llama["models"]) == (6_500, 2)
    assert qwen["share_of_downloads_30d"] == pytest.approx(5_500 / 12_000)
    # a week ago qwen held 3 500 of 10 000
    assert qwen["share_change_7d"] == pytest.approx(5_500 / 12_000 - 3_500 / 10_000)
    assert qwen["downloads_30d_trend"] == [3_500, 5_500]
    assert qwen["share_change_30d"] is None  # no snapshot 30 days back: no made-up change


def test_derivatives_by_relation_and_permissive_share(scorecard):
    qwen, llama = scorecard[("family", "qwen")], scorecard[("family", "llama")]
    assert (qwen["derivatives"], qwen["quantizations"], qwen["adapters"], qwen["finetunes"]) == (2, 1, 1, 0)
    assert (llama["derivatives"], llama["finetunes"]) == (1, 1)
    # apache-2.0 (4 000) and mit (500) are permissive; the GGUF's "other" is not
    assert qwen["permissive_share_of_downloads"] == pytest.approx(4_500 / 5_500)
    assert llama["permissive_share_of_downloads"] == 0


def test_organisations_get_the_same_figures_under_their_own_names(scorecard):
    assert scorecard[("organization", "Meta")]["downloads_30d"] == 6_500
    assert scorecard[("organization", "Alibaba Cloud (Qwen team)")]["country"] == "CN"
    assert scorecard[("family", "qwen")]["cheapest_blended_usd_per_mtok"] is None  # no price list loaded
