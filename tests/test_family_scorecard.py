"""Given Hub listings for two families on two days a week apart, expect the scorecard's joins:
lineage downloads and share change, derivatives by relation, permissive share (real repo ids;
figures chosen for the test)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from collectors.hf_models import HF_MODELS_SCHEMA
from tests.test_hub_marts import build_with, listing
from warehouse.build import build
from warehouse.db import open_writer

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


def repo(name: str, stars: int, family: str | None, organization: str | None) -> dict:
    return {"snapshot_date": TODAY, "source": "github-rest", "repo": name, "category": "model", "family": family,
            "organization": organization, "status": "ok", "full_name": name, "github_id": abs(hash(name)) % 10**9,
            "stars": stars, "forks": 0, "open_issues": 0, "watchers": 0, "license_spdx": "Apache-2.0",
            "language": "Python", "topics": [], "description": None, "created_at": None, "pushed_at": None,
            "archived": False, "star_history_api": None, "star_history_capped": False,
            "collected_at": datetime.combine(TODAY, datetime.min.time(), UTC), "run_id": "gh"}


def routed(model_id: str, hub_repo: str, input_usd: float, output_usd: float, aa_index: float | None) -> dict:
    return {"snapshot_date": TODAY, "source": "openrouter", "model_id": model_id, "canonical_slug": model_id,
            "model_name": model_id.split("/")[1], "hugging_face_id": hub_repo, "created_at": None,
            "context_window_tokens": 32_768, "input_usd_per_mtok": input_usd, "output_usd_per_mtok": output_usd,
            "cache_read_usd_per_mtok": None, "cache_write_usd_per_mtok": None, "is_variable_price": False,
            "modality": "text->text", "aa_intelligence_index": aa_index, "aa_coding_index": None,
            "aa_agentic_index": None, "collected_at": datetime.combine(TODAY, datetime.min.time(), UTC),
            "run_id": "or"}


def test_stars_prices_and_scores_join_to_the_family_their_repos_and_hub_models_belong_to(tmp_path):
    """Given two families' GitHub repos and OpenRouter offers linked to their Hub repos, expect each
    family's stars summed, its cheapest blended offer and its best score, and nothing borrowed
    from the other family."""
    path = tmp_path / "omo.duckdb"
    with open_writer(path) as con:
        hub = pl.DataFrame(day(TODAY, 4_000), schema=HF_MODELS_SCHEMA)  # noqa: F841 - read below
        con.execute("INSERT INTO raw.hf_models SELECT * FROM hub")
        repos = pl.DataFrame([repo("QwenLM/Qwen3", 20_000, "qwen", "Alibaba Cloud (Qwen team)"),  # noqa: F841
                              repo("QwenLM/qwen-code", 5_000, "qwen", "Alibaba Cloud (Qwen team)"),
                              repo("meta-llama/llama-models", 7_000, "llama", "Meta"),
                              repo("vllm-project/vllm", 60_000, None, "vLLM project")])
        con.execute("INSERT INTO raw.github_repos BY NAME SELECT * FROM repos")
        offers = pl.DataFrame([  # noqa: F841
            routed("qwen/qwen-2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", 0.04, 0.10, 30.0),
            routed("meta-llama/llama-3.1-8b-instruct", "meta-llama/Llama-3.1-8B-Instruct", 0.02, 0.05, 20.0),
        ])
        con.execute("INSERT INTO raw.openrouter_models BY NAME SELECT * FROM offers")
        build(con)
        rows = con.execute("""SELECT dimension, key, repo_stars, repos, cheapest_blended_usd_per_mtok,
                                     cheapest_priced_model, best_aa_intelligence_index
                              FROM marts.family_scorecard""").fetchall()
    card = {(d, k): rest for d, k, *rest in rows}
    assert card[("family", "qwen")] == [25_000, 2, pytest.approx((3 * 0.04 + 0.10) / 4), "qwen-2.5-7b-instruct", 30.0]
    assert card[("family", "llama")] == [7_000, 1, pytest.approx((3 * 0.02 + 0.05) / 4), "llama-3.1-8b-instruct", 20.0]
    assert card[("organization", "Meta")][:2] == [7_000, 1]
    assert ("organization", "vLLM project") not in card, "a repo with no Hub downloads makes no scorecard row"
