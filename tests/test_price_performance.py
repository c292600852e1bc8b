"""Given price-list and leaderboard rows, expect these identities and price-performance marts.

Rows are written straight into the raw tables with the collectors' own schemas, then the real
build runs on a real DuckDB file. Model names are real ones, spelled as each source spells them;
prices and scores in the frontier and gap tests are real figures where noted, otherwise chosen to
exercise a rule.
"""

from __future__ import annotations

import math
import shutil
from datetime import UTC, date, datetime

import duckdb
import numpy as np
import polars as pl
import pytest

from collectors.openrouter import OPENROUTER_SCHEMA
from collectors.prices import PRICES_SCHEMA
from collectors.quality import QUALITY_SCHEMA
from warehouse.build import build, reference_dir
from warehouse.db import open_writer

SEEN = date(2026, 11, 20)
AT = datetime(2026, 11, 20, tzinfo=UTC)


def price(provider_id: str, model_id: str, input_usd: float = 1.0, output_usd: float = 4.0,
          valid_from: date = SEEN, exact: bool = False, snapshot_date: date = SEEN) -> dict:
    return {"snapshot_date": snapshot_date, "source": "genai-prices", "source_detail": "test",
            "provider_id": provider_id, "provider_name": provider_id.title(), "model_id": model_id,
            "model_name": model_id, "valid_from": valid_from, "valid_from_is_exact": exact,
            "input_usd_per_mtok": input_usd, "output_usd_per_mtok": output_usd,
            "cache_read_usd_per_mtok": None, "cache_write_usd_per_mtok": None, "is_tiered": False,
            "context_window_tokens": 128_000, "is_deprecated": False, "collected_at": AT, "run_id": "r-prices"}


def listed(model_id: str, input_usd: float = 1.0, output_usd: float = 4.0, hf: str | None = None,
           slug: str | None = None, created: datetime | None = None, snapshot_date: date = SEEN,
           aa_index: float | None = None) -> dict:
    return {"snapshot_date": snapshot_date, "source": "openrouter", "model_id": model_id,
            "canonical_slug": slug or model_id, "model_name": model_id, "hugging_face_id": hf,
            "created_at": created, "context_window_tokens": 128_000, "input_usd_per_mtok": input_usd,
            "output_usd_per_mtok": output_usd, "cache_read_usd_per_mtok": None,
            "cache_write_usd_per_mtok": None, "is_variable_price": False, "modality": "text->text",
            "aa_intelligence_index": aa_index, "aa_coding_index": None, "aa_agentic_index": None,
            "collected_at": AT, "run_id": "r-openrouter"}


def scored(source: str, model_name: str, score: float, open_weights: bool | None = None,
           as_of: date | None = None, organization: str | None = None) -> dict:
    benchmark = {"epoch-ai": "epoch_eci", "lmarena": "lmarena_text"}[source]
    return {"snapshot_date": SEEN, "source": source, "source_detail": "test", "benchmark": benchmark,
            "model_name": model_name, "display_name": model_name, "organization": organization,
            "country": None, "score": score, "score_scale": "test", "score_ci": None, "votes": None,
            "rank": None, "as_of": as_of, "as_of_basis": "release_date" if as_of else "collection_date",
            "license_or_access": None, "open_weights": open_weights, "collected_at": AT, "run_id": "r-quality"}


def build_with(path, prices=(), listings=(), scores=(), reference=None) -> duckdb.DuckDBPyConnection:
    with open_writer(path) as con:
        for table, rows, schema in (("raw.prices", prices, PRICES_SCHEMA),
                                    ("raw.openrouter_models", listings, OPENROUTER_SCHEMA),
                                    ("raw.quality_scores", scores, QUALITY_SCHEMA)):
            if rows:
                frame = pl.DataFrame(list(rows), schema=schema)  # noqa: F841 - read by the INSERT
                con.execute(f"INSERT INTO {table} SELECT * FROM frame")
        build(con, reference)
    return duckdb.connect(str(path), read_only=True)


def model_keys(con) -> dict[tuple[str, str], str | None]:
    return {(source, name): key for source, name, key in con.execute(
        "SELECT name_source, source_model_id, model_key FROM marts.model_identity").fetchall()}


# (price name as (source, source_model_id), quality name as (source, model name)); each source's
# spelling is the one it really uses
SAME_MODEL = [
    (("openrouter", "openrouter/anthropic/claude-3.7-sonnet"), ("lmarena", "Claude 3.7 Sonnet")),
    (("genai-prices", "fireworks/deepseek-v3p2"), ("epoch-ai", "DeepSeek-V3.2")),
    (("genai-prices", "avian/Meta-Llama-3.1-405B-Instruct"), ("lmarena", "Meta-Llama-3.1-405b-Instruct-bf16")),
    (("openrouter", "openrouter/qwen/qwen3-235b-a22b"), ("epoch-ai", "qwen3-235b-a22b")),
    (("genai-prices", "ovhcloud/Meta-Llama-3_3-70B-Instruct"), ("lmarena", "Llama-3.3-70B-Instruct")),
    # a reasoning-effort suffix is a configuration of the model, not another model
    (("genai-prices", "openai/o3-mini"), ("epoch-ai", "o3-mini-2025-01-31_high")),
    # a dated snapshot meets the undated alias a price list uses
    (("genai-prices", "openai/gpt-4o"), ("epoch-ai", "gpt-4o-2024-08-06")),
    # OpenRouter's Hub link: the id says deepseek-chat-v3-0324, the repo DeepSeek-V3-0324
    (("openrouter", "openrouter/deepseek/deepseek-chat-v3-0324"), ("epoch-ai", "DeepSeek-V3-0324")),
    # OpenRouter's canonical slug carries the date the alias hides
    (("openrouter", "openrouter/openai/gpt-5"), ("epoch-ai", "gpt-5-2025-08-07_high")),
    # the curated override file: Anthropic's API id ends in -0
    (("genai-prices", "anthropic/claude-opus-4-0"), ("lmarena", "Claude Opus 4 (20250514)")),
]

NEAR_MISSES = [
    (("genai-prices", "openai/gpt-4o-mini"), ("epoch-ai", "gpt-4o-2024-08-06")),
    (("openrouter", "openrouter/meta-llama/llama-3.1-8b-instruct"), ("lmarena", "Llama-3.1-70B-Instruct")),
    (("openrouter", "openrouter/qwen/qwen-2.5-72b-instruct"), ("lmarena", "Qwen2-72B-Instruct")),
    (("openrouter", "openrouter/deepseek/deepseek-v3.1"), ("lmarena", "DeepSeek-V3")),
    # a short version tag names another model: V3-0324 is not V3
    (("genai-prices", "fireworks/deepseek-v3-0324"), ("lmarena", "DeepSeek-V3")),
    (("openrouter", "openrouter/anthropic/claude-3.5-sonnet"), ("lmarena", "Claude 3.7 Sonnet")),
    (("openrouter", "openrouter/google/gemini-2.5-flash"), ("lmarena", "Gemini-2.5-Flash-Lite")),
    (("genai-prices", "mistral/mistral-small-2506"), ("lmarena", "Mistral-Small-24B-Instruct-2501")),
    (("genai-prices", "x-ai/grok-4-fast-reasoning"), ("epoch-ai", "grok-4-0709")),
]


def _rows_for(pairs):
    prices, listings, scores = [], [], []
    for (price_source, price_id), (board, board_name) in pairs:
        provider, model_id = price_id.split("/", 1)
        if price_source == "openrouter":
            hf = "deepseek-ai/DeepSeek-V3-0324" if model_id == "deepseek/deepseek-chat-v3-0324" else None
            slug = "openai/gpt-5-2025-08-07" if model_id == "openai/gpt-5" else None
            listings.append(listed(model_id, hf=hf, slug=slug))
        else:
            prices.append(price(provider, model_id))
        scores.append(scored(board, board_name, 130.0))
    return prices, listings, scores


@pytest.fixture(scope="module")
def identity(tmp_path_factory):
    prices, listings, scores = _rows_for(SAME_MODEL + NEAR_MISSES)
    unique = {(s["source"], s["model_name"]): s for s in scores}
    con = build_with(tmp_path_factory.mktemp("identity") / "omo.duckdb", prices, listings, unique.values())
    yield con
    con.close()


@pytest.mark.parametrize(("price_name", "quality_name"), SAME_MODEL, ids=[q[1] for _, q in SAME_MODEL])
def test_names_of_one_model_share_a_key(identity, price_name, quality_name):
    keys = model_keys(identity)
    assert keys[price_name] is not None
    assert keys[price_name] == keys[quality_name]


@pytest.mark.parametrize(("price_name", "quality_name"), NEAR_MISSES,
                         ids=[f"{p[1]} vs {q[1]}" for p, q in NEAR_MISSES])
def test_near_misses_stay_apart(identity, price_name, quality_name):
    keys = model_keys(identity)
    assert keys[price_name] != keys[quality_name]


def test_unmatched_names_are_listed_with_how_each_matched(identity):
    rows = {(s, n): (method, matched) for s, n, method, matched in identity.execute(
        "SELECT name_source, source_model_id, match_method, is_matched FROM marts.model_identity").fetchall()}
    assert rows[("genai-prices", "openai/gpt-4o-mini")] == ("none", False)
    assert rows[("lmarena", "DeepSeek-V3")] == ("none", False)
    assert rows[("openrouter", "openrouter/anthropic/claude-3.7-sonnet")] == ("exact", True)
    assert rows[("openrouter", "openrouter/deepseek/deepseek-chat-v3-0324")] == ("linked", True)
    assert rows[("genai-prices", "anthropic/claude-opus-4-0")] == ("override", True)
    assert rows[("epoch-ai", "DeepSeek-V3-0324")][1] is True


def test_override_can_block_a_match_and_link_a_hub_repo(tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(reference_dir(), reference)
    (reference / "model_identity_overrides.csv").write_text(
        "name_source,source_model_id,model_key,hf_repo_id,note\n"
        "lmarena,Claude 3.7 Sonnet,,,keep apart on purpose\n"
        "genai-prices,deepseek/deepseek-chat,DeepSeek-V3.2,deepseek-ai/DeepSeek-V3.2,the API alias\n")
    con = build_with(tmp_path / "omo.duckdb",
                     prices=[price("deepseek", "deepseek-chat")],
                     listings=[listed("anthropic/claude-3.7-sonnet")],
                     scores=[scored("lmarena", "Claude 3.7 Sonnet", 1300.0)], reference=reference)
    rows = {name: (key, method, hf) for name, key, method, hf in con.execute(
        "SELECT source_model_id, model_key, match_method, model_hf_repo_id FROM marts.model_identity").fetchall()}
    assert rows["Claude 3.7 Sonnet"] == (None, "blocked", None)
    assert rows["openrouter/anthropic/claude-3.7-sonnet"][1] == "none"
    assert rows["deepseek/deepseek-chat"] == ("deepseek-v-3-2", "override", "deepseek-ai/DeepSeek-V3.2")


def test_variants_fold_into_the_model_but_batch_and_free_prices_are_not_its_price(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", listings=[
        listed("anthropic/claude-opus-5", 5.0, 25.0, aa_index=63.1),
        listed("anthropic/claude-opus-5:batch", 2.5, 12.5, aa_index=63.1),
        listed("z-ai/glm-5.2", 0.6, 2.2, hf="zai-org/GLM-5.2", aa_index=52.6),
        listed("z-ai/glm-5.2:free", 0.0, 0.0, hf="zai-org/GLM-5.2", aa_index=52.6),
    ])
    keys = model_keys(con)
    assert keys[("openrouter", "openrouter/anthropic/claude-opus-5:batch")] == keys[
        ("openrouter", "openrouter/anthropic/claude-opus-5")]
    rows = dict(con.execute("""SELECT model_key, blended_usd_per_mtok FROM marts.price_performance
                               WHERE month_start = date_trunc('month', current_date)""").fetchall())
    assert rows == {"claude-opus-5": 10.0, "glm-5-2": (3 * 0.6 + 2.2) / 4}
    names = dict(con.execute("SELECT DISTINCT model_key, display_name FROM marts.price_performance").fetchall())
    assert names["claude-opus-5"] == "anthropic/claude-opus-5"  # not its ':batch' route


# A month's frontier: no other model at least as good and at least as cheap.
FRONTIER_BOARD = [
    # (OpenRouter id, input, output -> blended 3:1, Epoch name, ECI, open weights)
    ("openai/gpt-5", 1.25, 10.0, "gpt-5-2025-08-07_high", 150.0, False),              # 3.4375
    ("openai/gpt-oss-120b", 0.03, 0.17, "gpt-oss-120b_high", 140.2, True),             # 0.065
    ("qwen/qwen3-235b-a22b", 0.455, 1.82, "qwen3-235b-a22b", 139.7, True),             # 0.79625: dominated
    # Epoch's name is Mistral's API id; the shipped override file links it
    ("mistralai/mistral-medium-3", 0.4, 2.0, "mistral-medium-2505", 135.4, False),     # 0.8: dominated
    ("deepseek/deepseek-chat-v3-0324", 0.03, 0.17, "DeepSeek-V3-0324", 140.2, True),  # twin of gpt-oss
]


@pytest.fixture
def frontier(tmp_path):
    hub = {"deepseek/deepseek-chat-v3-0324": "deepseek-ai/DeepSeek-V3-0324", "openai/gpt-oss-120b": "openai/gpt-oss-120b"}
    listings = [listed(m, i, o, hf=hub.get(m), created=datetime(2025, 9, 1, tzinfo=UTC))
                for m, i, o, *_ in FRONTIER_BOARD]
    scores = [scored("epoch-ai", name, eci, open_weights=is_open, as_of=date(2025, 8, 1))
              for *_, name, eci, is_open in FRONTIER_BOARD]
    con = build_with(tmp_path / "omo.duckdb", listings=listings, scores=scores)
    yield con
    con.close()


def test_frontier_keeps_only_undominated_models(frontier):
    on_frontier = {name for name, flag in frontier.execute("""
        SELECT quality_model_name, is_on_frontier FROM marts.price_performance
        WHERE benchmark = 'epoch_eci' AND month_start = date_trunc('month', current_date)""").fetchall() if flag}
    # twins with equal price and score do not dominate each other: both stay
    assert on_frontier == {"gpt-5-2025-08-07_high", "gpt-oss-120b_high", "DeepSeek-V3-0324"}


def test_unknown_release_price_is_backdated_to_listing_and_said_so(frontier):
    months = frontier.execute("""
        SELECT min(month_start), bool_and(price_start_is_assumed) FROM marts.price_performance
        WHERE model_key = 'gpt-5'""").fetchall()
    # seen on 2026-11-20 with no price date: assumed to apply since the model's first known date,
    # Epoch's release date (2025-08-01), which is earlier than OpenRouter's listing (2025-09-01)
    assert months == [(date(2025, 8, 1), True)]


def test_open_vs_closed_gap_within_a_band(frontier):
    gap = frontier.execute("""
        SELECT quality_band_from, cheapest_open_model, cheapest_open_usd_per_mtok, cheapest_closed_model,
               cheapest_closed_usd_per_mtok, closed_to_open_price_ratio
        FROM marts.open_vs_closed_gap
        WHERE benchmark = 'epoch_eci' AND month_start = date_trunc('month', current_date)
        ORDER BY quality_band_from""").fetchall()
    by_band = {row[0]: row[1:] for row in gap}
    # 130-140: Qwen3 open at 0.79625 vs Mistral Medium 3 closed at 0.8
    assert by_band[130.0][0] == "qwen3-235b-a22b" and by_band[130.0][2] == "mistral-medium-2505"
    assert by_band[130.0][4] == pytest.approx(0.8 / 0.79625)
    # 140-150 has only open models; 150+ only a closed one: no ratio, never a made-up one
    assert by_band[140.0][2] is None and by_band[140.0][4] is None
    assert by_band[150.0][0] is None and by_band[150.0][3] == pytest.approx(3.4375)


def test_a_price_cut_shows_as_a_step_and_the_decline_is_fitted(tmp_path):
    # Claude 3 Haiku at $1/$5 from March 2024, cut to $0.25/$1.25 on 2025-01-15 (dated changes)
    prices = [price("anthropic", "claude-3-haiku", 1.0, 5.0, valid_from=date(2024, 3, 7), exact=True),
              price("anthropic", "claude-3-haiku", 0.25, 1.25, valid_from=date(2025, 1, 15), exact=True)]
    con = build_with(tmp_path / "omo.duckdb", prices=prices,
                     scores=[scored("lmarena", "Claude 3 Haiku", 1179.0, open_weights=False)])
    series = dict(con.execute("""SELECT month_start, blended_usd_per_mtok FROM marts.price_performance
                                 WHERE model_key = 'claude-3-haiku' ORDER BY month_start""").fetchall())
    assert series[date(2024, 3, 1)] == 2.0            # (3 * 1 + 5) / 4, in effect on 2024-03-31
    assert series[date(2024, 12, 1)] == 2.0
    assert series[date(2025, 1, 1)] == 0.5            # the cut took effect before 2025-01-31
    assert min(series) == date(2024, 3, 1)
    curve = con.execute("""SELECT month_start, cheapest_blended_usd_per_mtok, yearly_decline_factor,
                                  fitted_months
                           FROM marts.cheapest_price_at_quality
                           WHERE benchmark = 'lmarena_text' AND quality_threshold = 1100
                           ORDER BY month_start""").fetchall()
    assert [row[1] for row in curve] == list(series.values())
    months = np.array([(m.year - 2000) * 12 + m.month for m, *_ in curve], dtype=float)
    slope = np.polyfit(months, np.log([row[1] for row in curve]), 1)[0]
    assert curve[0][2] == pytest.approx(math.exp(-12 * slope)) and curve[0][2] > 1
    assert curve[0][3] == len(curve)


def test_conflicting_price_lists_are_both_kept_and_the_disagreement_shown(tmp_path):
    con = build_with(tmp_path / "omo.duckdb",
                     prices=[price("openrouter", "qwen/qwen3-32b", 0.10, 0.30)],
                     listings=[listed("qwen/qwen3-32b", 0.08, 0.24)])
    assert con.execute("SELECT count(*) FROM marts.current_prices WHERE model_id = 'qwen/qwen3-32b'").fetchall() == [(2,)]
    [row] = con.execute("""SELECT source, other_source, input_usd_per_mtok, other_input_usd_per_mtok,
                                  blended_price_ratio FROM marts.price_source_disagreements""").fetchall()
    assert row[:4] == ("genai-prices", "openrouter", 0.10, 0.08)
    assert row[4] == pytest.approx(0.15 / 0.12)


def test_newest_board_reading_and_the_best_configuration_give_the_score(tmp_path):
    scores = [scored("epoch-ai", "o3-mini-2025-01-31_low", 120.0, as_of=date(2025, 1, 31)),
              scored("epoch-ai", "o3-mini-2025-01-31_high", 128.0, as_of=date(2025, 1, 31))]
    con = build_with(tmp_path / "omo.duckdb", prices=[price("openai", "o3-mini", 1.1, 4.4)], scores=scores)
    assert con.execute("""SELECT DISTINCT quality_score, quality_model_name FROM marts.price_performance
                          WHERE model_key = 'o-3-mini'""").fetchall() == [(128.0, "o3-mini-2025-01-31_high")]


def test_a_board_row_without_a_score_leaves_the_priced_model_listed_as_unmatched(data_dir, replay, monkeypatch):
    """End to end through the real collectors: Epoch lists Mistral Large 2 (mistral-large-2411)
    without an ECI score. The row is skipped and counted; the priced model stays in the identity
    table, unmatched, and never reaches the price-performance marts."""
    import json

    from collectors.pipeline import run_source
    from collectors.settings import Settings
    from tests.conftest import FIXTURES
    from tests.replay import Reply

    gpt5 = next(m for m in json.loads((FIXTURES / "openrouter_models_more.json").read_text())["data"]
                if m["id"] == "openai/gpt-5")
    mistral = {**gpt5, "id": "mistralai/mistral-large-2411", "canonical_slug": "mistralai/mistral-large-2411",
               "name": "Mistral Large 2411", "benchmarks": {},
               "pricing": {"prompt": "0.000002", "completion": "0.000006"}}
    monkeypatch.setenv("OMO_OPENROUTER_URL", replay.route(
        "/api/v1/models", Reply(body=json.dumps({"data": [gpt5, mistral]}).encode())))
    monkeypatch.setenv("OMO_QUALITY_URL", replay.route(
        "/boards/epoch_capabilities_index.csv",
        Reply(body=(FIXTURES / "quality" / "epoch_capabilities_index.csv").read_bytes())))
    settings = Settings()
    run_source("openrouter", settings, snapshot_date=SEEN)
    run_source("quality", settings, snapshot_date=SEEN)
    with open_writer(settings.warehouse_path) as con:
        build(con)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        [(detail,)] = con.execute("SELECT detail FROM raw.collector_runs WHERE source = 'quality'").fetchall()
        assert "no_score" in detail
        identity = dict(con.execute("""SELECT source_model_id, is_matched FROM marts.model_identity
                                       WHERE name_source = 'openrouter'""").fetchall())
        assert identity == {"openrouter/openai/gpt-5": True, "openrouter/mistralai/mistral-large-2411": False}
        performance = {key for (key,) in con.execute(
            "SELECT DISTINCT model_key FROM marts.price_performance WHERE benchmark = 'epoch_eci'").fetchall()}
        assert performance == {"gpt-5"}


def test_an_openrouter_price_cut_between_snapshots_is_a_step_in_the_history(tmp_path):
    day1, day2 = date(2026, 10, 20), date(2026, 11, 20)
    con = build_with(tmp_path / "omo.duckdb", listings=[
        listed("deepseek/deepseek-v4-flash", 0.14, 0.28, snapshot_date=day1, aa_index=47.0),
        listed("deepseek/deepseek-v4-flash", 0.07, 0.14, snapshot_date=day2, aa_index=47.0)])
    history = con.execute("""SELECT valid_from, valid_to, input_usd_per_mtok, valid_from_is_exact
                             FROM marts.price_history WHERE source = 'openrouter' ORDER BY valid_from""").fetchall()
    assert history == [(day1, day2, 0.14, False), (day2, None, 0.07, False)]
    monthly = dict(con.execute("""SELECT month_start, blended_usd_per_mtok FROM marts.price_performance
                                  WHERE model_key = 'deepseek-v-4-flash' ORDER BY month_start""").fetchall())
    assert monthly[date(2026, 10, 1)] == pytest.approx((3 * 0.14 + 0.28) / 4)
    assert monthly[date(2026, 11, 1)] == pytest.approx((3 * 0.07 + 0.14) / 4)


def test_a_model_scored_only_in_the_newest_reading_keeps_that_score(tmp_path):
    # an older reading scored the 'high' configuration better; the newest lists only 'low'
    older = {**scored("epoch-ai", "o3-mini-2025-01-31_high", 128.0, as_of=date(2025, 1, 31)),
             "snapshot_date": date(2026, 10, 1)}
    newest = scored("epoch-ai", "o3-mini-2025-01-31_low", 120.0, as_of=date(2025, 1, 31))
    con = build_with(tmp_path / "omo.duckdb", prices=[price("openai", "o3-mini", 1.1, 4.4)], scores=[older, newest])
    assert con.execute("SELECT quality_score, read_on FROM marts.model_quality WHERE model_key = 'o-3-mini'"
                       ).fetchall() == [(120.0, SEEN)]
