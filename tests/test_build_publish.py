"""Models build in order into marts; price history is a correct SCD; publishing is atomic."""

from datetime import date, timedelta

import duckdb
import pytest

from collectors.pipeline import run_source
from tests.conftest import PRICES_FIXTURE
from tests.replay import Reply
from warehouse.build import BuildError, Model, build, build_order, discover_models
from warehouse.db import open_writer
from warehouse.publish import publish
from warehouse.serving import NothingPublished, current_serving_file, open_serving

MART_KEYS = {
    "price_history": "source, provider_id, model_id, valid_from",
    "current_prices": "source, provider_id, model_id",
    "data_freshness": "source",
    "collector_run_log": "run_id",
    "hf_model_lineage": "model_id",
    "hf_model_profile": "model_id",
    "model_downloads_daily": "model_id, snapshot_date",
    "model_downloads_adjusted": "model_id, snapshot_date",
    "model_downloads_weekly_change": "model_id",
    "download_adjustment_summary": "snapshot_date, rule",
    "market_share_daily": "snapshot_date, attribution, dimension, key",
    "market_concentration_daily": "snapshot_date, attribution, dimension",
    "license_share_daily": "snapshot_date, license_id",
    "derivative_license_changes": "relation_to_parent, parent_license_class, license_class",
    "repo_stars_daily": "repo, date",
    "repo_growth": "repo",
    "model_identity": "name_source, source_model_id",
    "price_performance": "benchmark, model_key, month_start",
    "cheapest_price_at_quality": "benchmark, quality_threshold, month_start",
    "open_vs_closed_gap": "benchmark, quality_band_from, month_start",
    "price_source_disagreements": "provider_id, model_id, source, other_source",
    "hf_model_price_links": "model_id, model_key",
    "model_quality": "benchmark, model_key",
    "family_scorecard": "dimension, key",
}
# The fixture warehouse has no second price list quoting the same provider, so nothing can
# disagree; tests/test_price_performance.py builds that case.
EMPTY_IN_FIXTURE = {"price_source_disagreements"}


def test_every_model_states_its_grain_and_builds_after_its_inputs():
    models = discover_models()
    for model in models:
        assert model.grain.startswith("one row per"), f"{model.relation} lacks a grain comment"
        if model.layer == "staging":
            assert "marts." not in model.sql, f"{model.relation} reads marts"
        else:
            assert "raw." not in model.sql, f"{model.relation} reads raw directly"
            assert "ref." not in model.sql, f"{model.relation} reads reference tables, not their staging"
    order = [m.relation for m in build_order(models)]
    assert order.index("marts.price_history") < order.index("marts.current_prices")
    assert set(MART_KEYS) == {m.name for m in models if m.layer == "marts"}


def test_reference_cycle_is_reported():
    models = [Model("marts", "a", "select * from marts.b"), Model("marts", "b", "select * from marts.a")]
    with pytest.raises(BuildError, match="cycle"):
        build_order(models)


def test_mart_keys_unique_and_not_null(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        for mart, key in MART_KEYS.items():
            any_null = " OR ".join(f"{column} IS NULL" for column in key.split(", "))
            total, distinct, null_keys = con.execute(f"""
                SELECT count(*), count(DISTINCT ({key})), count(*) FILTER (WHERE {any_null})
                FROM marts.{mart}""").fetchone()
            assert total > 0 or mart in EMPTY_IN_FIXTURE, f"marts.{mart} is empty"
            assert total == distinct, f"marts.{mart} key ({key}) is not unique"
            assert null_keys == 0, f"marts.{mart} key ({key}) has nulls"


def test_price_history_is_an_scd(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse_path), read_only=True) as con:
        history = con.execute("""SELECT valid_from, valid_to, input_usd_per_mtok, valid_from_is_exact
                                 FROM marts.price_history WHERE model_id = 'claude-opus-4-8'
                                 ORDER BY valid_from""").fetchall()
        assert history == [
            (date(2026, 10, 18), date(2026, 10, 19), 4.0, False),
            (date(2026, 10, 19), date(2026, 10, 29), 1.25, True),
            (date(2026, 10, 29), None, 1.25, True),
        ]
        # gpt-4o-mini was seen on two snapshots at the same price: one version, from the first day
        mini = con.execute("""SELECT valid_from, valid_to, is_current FROM marts.price_history
                              WHERE model_id = 'gpt-4o-mini'""").fetchall()
        assert mini == [(date(2026, 11, 20), None, True)]


def test_price_change_between_snapshots_makes_a_new_version(data_dir, replay, settings, monkeypatch):
    cheaper = PRICES_FIXTURE.replace(b'"input_mtok": 0.15, "output_mtok": 0.6',
                                     b'"input_mtok": 0.1, "output_mtok": 0.4')
    assert cheaper != PRICES_FIXTURE
    url = replay.route("/data.json", Reply(body=PRICES_FIXTURE), Reply(body=cheaper))
    monkeypatch.setenv("OMO_PRICES_URL", url)
    from collectors.settings import Settings

    settings = Settings()
    today = date.today()
    run_source("prices", settings, snapshot_date=today - timedelta(days=2), mode="live")
    run_source("prices", settings, snapshot_date=today - timedelta(days=1), mode="live")
    with open_writer(settings.warehouse_path) as con:
        build(con)
        rows = con.execute("""SELECT valid_from, valid_to, input_usd_per_mtok, is_current
                              FROM marts.price_history WHERE model_id = 'gpt-4o-mini'
                              ORDER BY valid_from""").fetchall()
        current = con.execute("""SELECT output_usd_per_mtok, blended_3to1_usd_per_mtok
                                 FROM marts.current_prices WHERE model_id = 'gpt-4o-mini'""").fetchall()
    assert rows == [(today - timedelta(days=2), today - timedelta(days=1), 0.15, False),
                    (today - timedelta(days=1), None, 0.1, True)]
    assert current == [(0.4, pytest.approx((3 * 0.1 + 0.4) / 4))]


def test_publish_swaps_pointer_and_old_readers_keep_their_copy(built_warehouse):
    settings = built_warehouse
    first = current_serving_file(settings.serving_dir)
    reader = open_serving(first)
    before = reader.execute("SELECT count(*) FROM marts.price_history").fetchone()[0]
    with open_writer(settings.warehouse_path) as con:
        con.execute("DELETE FROM raw.prices WHERE model_id = 'gpt-4o-mini'")
        build(con)
        second = publish(con, settings.serving_dir, keep=1)
    assert current_serving_file(settings.serving_dir) == second != first
    assert not first.exists(), "keep=1 prunes the old copy"
    # a reader that opened the old copy still answers from it
    assert reader.execute("SELECT count(*) FROM marts.price_history").fetchone()[0] == before
    with open_serving(second) as fresh:
        assert fresh.execute("SELECT count(*) FROM marts.price_history").fetchone()[0] == before - 1
        grains = dict(fresh.execute("""SELECT table_name, comment FROM duckdb_tables()
                                        WHERE schema_name = 'marts'""").fetchall())
        assert grains["price_history"].startswith("one row per source, provider_id")
    reader.close()
    assert not list(settings.serving_dir.glob("*.tmp"))


def test_failed_build_keeps_previous_marts(built_warehouse, monkeypatch):
    import warehouse.build as b

    real = b.discover_models()
    broken = Model("marts", "zz_broken", "-- one row per nothing\nselect no_such_column from marts.price_history")
    monkeypatch.setattr(b, "discover_models", lambda: [*real, broken])
    with open_writer(built_warehouse.warehouse_path) as con:
        before = con.execute("SELECT count(*) FROM marts.price_history").fetchone()[0]
        con.execute("DELETE FROM raw.prices")
        with pytest.raises(BuildError, match="marts.zz_broken"):
            build(con)
        assert con.execute("SELECT count(*) FROM marts.price_history").fetchone()[0] == before


def test_nothing_published_is_a_clear_error(settings):
    with pytest.raises(NothingPublished, match="omo build"):
        current_serving_file(settings.serving_dir)
