"""Given raw Hub listings, expect these mart rows: lineage, daily differencing, shares, licences.

Each test loads a few hand-written listings (real model ids) into a real DuckDB warehouse through
the same loader the collector uses, runs the real build and reads the marts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from collectors.hf_models import HF_MODELS_SCHEMA
from tests.test_build_publish import MART_KEYS
from warehouse.build import BuildError, build
from warehouse.db import open_writer

D1, D2, D4 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 4)


def listing(model_id: str, snapshot_date: date = D1, downloads_30d: int = 0, all_time: int | None = None,
            license_id: str | None = "apache-2.0", bases: list[tuple[str, str]] = ()) -> dict:
    return {
        "snapshot_date": snapshot_date, "source": "huggingface-hub", "model_id": model_id,
        "author": model_id.split("/")[0], "downloads_30d": downloads_30d,
        "downloads_all_time": all_time if all_time is not None else downloads_30d * 10,
        "likes": 0, "trending_score": 0.0, "pipeline_tag": "text-generation", "library_name": "transformers",
        "license_id": license_id, "base_models": [{"relation": r, "base_model_id": b} for r, b in bases],
        "parameters": None, "gated": "false", "created_at": None, "last_modified": None,
        "collected_at": datetime.combine(snapshot_date, datetime.min.time(), UTC), "run_id": f"run-{snapshot_date}",
    }


def build_with(path, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    with open_writer(path) as con:
        frame = pl.DataFrame(rows, schema=HF_MODELS_SCHEMA)  # noqa: F841 - read by the INSERT below
        con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")
        build(con)
    return duckdb.connect(str(path), read_only=True)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


# One day of a small market: Llama base, its instruct fine-tune, a GGUF quantization of that, Qwen
# and a LoRA adapter on Qwen. 30-day downloads total 10 000.
MARKET = [
    listing("meta-llama/Llama-3.1-8B", downloads_30d=1000, license_id="llama3.1"),
    listing("meta-llama/Llama-3.1-8B-Instruct", downloads_30d=3000, license_id="llama3.1",
            bases=[("finetune", "meta-llama/Llama-3.1-8B")]),
    # quantizers sometimes relabel the licence: direct counts it as permissive, lineage as its root's
    listing("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", downloads_30d=2000, license_id="apache-2.0",
            bases=[("quantized", "meta-llama/Llama-3.1-8B-Instruct")]),
    listing("Qwen/Qwen2.5-7B-Instruct", downloads_30d=3000, license_id="apache-2.0"),
    listing("someone/qwen-lora", downloads_30d=1000, license_id="mit",
            bases=[("adapter", "Qwen/Qwen2.5-7B-Instruct")]),
]


@pytest.fixture
def market(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", MARKET)
    yield con
    con.close()


def shares(con, attribution: str, dimension: str) -> dict[str, float]:
    return {key: round(share, 4) for key, share in rows(con, f"""
        SELECT key, share_of_downloads_30d FROM marts.market_share_daily
        WHERE attribution = '{attribution}' AND dimension = '{dimension}'""")}


def test_direct_attribution_credits_each_repo_to_its_own_author(market):
    assert shares(market, "direct", "country") == {"US": 0.4, "CN": 0.3, "unknown": 0.3}
    assert shares(market, "direct", "organization") == {
        "Meta": 0.4, "bartowski": 0.2, "Alibaba Cloud (Qwen team)": 0.3, "someone": 0.1}
    assert shares(market, "direct", "license_class") == {"open-restricted": 0.4, "permissive": 0.6}
    # the GGUF's own name says Llama, the LoRA's says qwen: family rules read the id
    assert shares(market, "direct", "family") == {"llama": 0.6, "qwen": 0.4}


def test_lineage_attribution_credits_derivatives_to_their_root(market):
    assert shares(market, "lineage", "country") == {"US": 0.6, "CN": 0.4}
    assert shares(market, "lineage", "organization") == {"Meta": 0.6, "Alibaba Cloud (Qwen team)": 0.4}
    assert shares(market, "lineage", "license_class") == {"open-restricted": 0.6, "permissive": 0.4}
    lineage = dict(((m, (root, depth)) for m, root, depth in rows(market, """
        SELECT model_id, root_model_id, lineage_depth FROM marts.hf_model_lineage""")))
    assert lineage["bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"] == ("meta-llama/Llama-3.1-8B", 2)
    assert lineage["meta-llama/Llama-3.1-8B"] == ("meta-llama/Llama-3.1-8B", 0)


def test_concentration_is_the_hhi_of_the_shares(market):
    (hhi, top1, keys), = rows(market, """SELECT hhi, top1_share, keys FROM marts.market_concentration_daily
                                        WHERE attribution = 'direct' AND dimension = 'country'""")
    assert (hhi, round(top1, 4), keys) == (3400.0, 0.4, 3)  # 0.4² + 0.3² + 0.3² = 0.34


def test_derivative_license_changes_compare_child_with_parent(market):
    got = rows(market, """SELECT relation_to_parent, parent_license_class, license_class, changes_class,
                                 derivatives, downloads_30d
                          FROM marts.derivative_license_changes ORDER BY ALL""")
    assert got == [("adapter", "permissive", "permissive", False, 1, 1000),
                   ("finetune", "open-restricted", "open-restricted", False, 1, 3000),
                   ("quantized", "open-restricted", "permissive", True, 1, 2000)]


def test_root_outside_the_crawl_still_gives_family_and_country(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        listing("someone/mistral-ft", downloads_30d=10, bases=[("finetune", "mistralai/Mistral-7B-v0.1")])])
    assert rows(con, """SELECT root_model_id, root_is_listed, lineage_family, lineage_country, lineage_organization
                        FROM marts.hf_model_profile""") == [
        ("mistralai/Mistral-7B-v0.1", False, "mistral", "FR", "Mistral AI")]


def test_lineage_walk_survives_cycles_and_stops_at_the_depth_limit(tmp_path):
    chain = [listing("chain/m0")] + [listing(f"chain/m{i}", bases=[("finetune", f"chain/m{i - 1}")])
                                      for i in range(1, 13)]
    cycle = [listing("cyc/a", bases=[("finetune", "cyc/b")]), listing("cyc/b", bases=[("merge", "cyc/a")]),
             listing("self/loop", bases=[("finetune", "self/loop")])]
    con = build_with(tmp_path / "omo.duckdb", chain + cycle)
    got = {m: (root, depth, truncated) for m, root, depth, truncated in rows(con, """
        SELECT model_id, root_model_id, lineage_depth, lineage_truncated FROM marts.hf_model_lineage""")}
    assert got["chain/m12"] == ("chain/m2", 10, True)
    assert got["chain/m10"] == ("chain/m0", 10, False)
    assert got["cyc/a"] == ("cyc/b", 1, True)
    assert got["cyc/b"] == ("cyc/a", 1, True)
    assert got["self/loop"] == ("self/loop", 0, False)  # a repo naming itself as base is no lineage


def test_daily_downloads_difference_all_time_counts(tmp_path):
    back = D4 + timedelta(days=40)
    con = build_with(tmp_path / "omo.duckdb", [
        listing("org/steady", D1, all_time=1000), listing("org/steady", D2, all_time=1100),
        listing("org/steady", D4, all_time=1400), listing("org/steady", back, all_time=5400),
        listing("org/recounted", D1, all_time=500), listing("org/recounted", D2, all_time=450),
        listing("org/recounted", D4, all_time=480),
        listing("org/vanished", D1, all_time=70), listing("org/vanished", D2, all_time=90),
    ])
    got = rows(con, """SELECT model_id, snapshot_date, is_first_snapshot, days_since_previous,
                              downloads_since_previous, downloads_per_day, count_decreased
                       FROM marts.model_downloads_daily ORDER BY model_id, snapshot_date""")
    assert got == [
        ("org/recounted", D1, True, None, None, None, False),
        ("org/recounted", D2, False, 1, None, None, True),  # 500 -> 450: flagged, never negative
        ("org/recounted", D4, False, 2, 30, 15.0, False),
        ("org/steady", D1, True, None, None, None, False),
        ("org/steady", D2, False, 1, 100, 100.0, False),
        ("org/steady", D4, False, 2, 300, 150.0, False),  # a missed day spreads evenly
        ("org/steady", back, True, None, None, None, False),  # back after 40 days away: starts afresh
        ("org/vanished", D1, True, None, None, None, False),
        ("org/vanished", D2, False, 1, 20, 20.0, False),
    ]
    listed = dict(rows(con, "SELECT model_id, is_in_latest_crawl FROM marts.hf_model_profile"))
    assert listed == {"org/steady": True, "org/recounted": False, "org/vanished": False}


def test_unknown_and_missing_licences_are_counted_not_dropped(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        listing("a/known", downloads_30d=50, license_id="apache-2.0"),
        listing("a/odd", downloads_30d=30, license_id="my-weird-license"),
        listing("a/none", downloads_30d=20, license_id=None),
    ])
    got = rows(con, """SELECT license_id, license_status, license_class, models, share_of_downloads_30d
                       FROM marts.license_share_daily ORDER BY license_id""")
    assert got == [("(none)", "missing", "unknown", 1, 0.2),
                   ("apache-2.0", "recognised", "permissive", 1, 0.5),
                   ("my-weird-license", "unrecognised", "unknown", 1, 0.3)]


def test_a_model_listed_twice_in_one_day_counts_once(tmp_path):
    """Loaded by the real loader: the later sighting wins, raw holds one row per model per day."""
    from collectors.landing import land
    from warehouse.load import RunRecord, load_run

    first = listing("org/dup", downloads_30d=100)
    later = {**listing("org/dup", downloads_30d=120), "collected_at": datetime(2026, 11, 1, 6, tzinfo=UTC)}
    frame = pl.DataFrame([first, later, listing("org/other", downloads_30d=80)], schema=HF_MODELS_SCHEMA)
    path = land(frame, tmp_path / "landing", "hf", D1, "run-1")
    now = datetime.now(UTC)
    with open_writer(tmp_path / "omo.duckdb") as con:
        load_run(con, [("raw.hf_models", path)], RunRecord("run-1", "hf", now, now, "ok", D1))
        assert con.execute("SELECT model_id, downloads_30d FROM raw.hf_models ORDER BY 1").fetchall() == [
            ("org/dup", 120), ("org/other", 80)]
        build(con)
        assert rows(con, "SELECT models, downloads_30d FROM marts.market_share_daily "
                         "WHERE attribution = 'direct' AND dimension = 'country'") == [(2, 200)]


def test_migration_0008_keeps_the_later_sighting_of_rows_loaded_before_it(tmp_path):
    from warehouse.migrate import migrate

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    migrate(con, target=7)
    first = listing("org/dup", downloads_30d=100)
    later = {**listing("org/dup", downloads_30d=120), "collected_at": datetime(2026, 11, 1, 6, tzinfo=UTC)}
    frame = pl.DataFrame([first, later, listing("org/other", downloads_30d=80)], schema=HF_MODELS_SCHEMA)  # noqa: F841
    con.execute("INSERT INTO raw.hf_models SELECT * FROM frame")
    assert migrate(con) == [8]
    assert con.execute("SELECT model_id, downloads_30d FROM raw.hf_models ORDER BY 1").fetchall() == [
        ("org/dup", 120), ("org/other", 80)]
    con.close()


def test_mart_keys_are_unique_and_not_null(market):
    for table, key in MART_KEYS.items():
        nulls = " OR ".join(f"{column} IS NULL" for column in key.split(", "))
        assert rows(market, f"SELECT {key}, count(*) FROM marts.{table} GROUP BY ALL HAVING count(*) > 1") == []
        assert rows(market, f"SELECT count(*) FROM marts.{table} WHERE {nulls}") == [(0,)], table
        if table.startswith(("hf_model_profile", "hf_model_lineage", "model_downloads", "market_", "license_", "derivative_")):
            assert rows(market, f"SELECT count(*) FROM marts.{table}")[0][0] > 0, table


def test_a_broken_reference_file_fails_the_build_naming_it(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    from warehouse.build import reference_dir
    for name in ("license_classes", "licenses", "organizations", "families"):
        (reference / f"{name}.csv").write_text(reference_dir().joinpath(f"{name}.csv").read_text())
    (reference / "organizations.csv").write_text("author,organization,country,org_type,tracked\n"
                                                 "Qwen,Alibaba,CN,big-tech,maybe\n")
    with open_writer(tmp_path / "omo.duckdb") as con:
        with pytest.raises(BuildError, match="organizations.csv"):
            build(con, reference)
    (reference / "organizations.csv").write_text("author,organization,country,org_type,tracked\n"
                                                 "Qwen,Alibaba,CN,big-tech,true\nqwen,Alibaba,CN,big-tech,true\n")
    with open_writer(tmp_path / "omo.duckdb") as con:
        with pytest.raises(BuildError, match="organizations.csv.*repeated"):
            build(con, reference)
    (reference / "organizations.csv").write_text("author,organization,country,org_type,tracked\n")
    (reference / "families.csv").unlink()
    with open_writer(tmp_path / "omo.duckdb") as con:
        with pytest.raises(BuildError, match="families.csv is missing"):
            build(con, reference)


@pytest.mark.parametrize("rule, message", [
    ("1,id_regex,qwen(2,qwen", "families.csv: priority 1: bad pattern 'qwen\\(2'"),
    ("1,name,qwen,qwen", "families.csv: priority 1: match_on must be author or id_regex"),
])
def test_a_family_rule_that_cannot_match_fails_the_build_naming_it(tmp_path, rule, message):
    import shutil

    from warehouse.build import reference_dir
    reference = tmp_path / "reference"
    shutil.copytree(str(reference_dir()), reference)
    (reference / "families.csv").write_text(f"priority,match_on,pattern,family\n{rule}\n")
    with open_writer(tmp_path / "omo.duckdb") as con, pytest.raises(BuildError, match=message):
        build(con, reference)


def test_families_follow_the_first_matching_rule_by_priority(tmp_path):
    # deepseek (priority 80) comes before qwen (130): a distilled Qwen is DeepSeek's; an author
    # rule (Qwen, 430) only names ids no regex claimed
    con = build_with(tmp_path / "omo.duckdb", [listing("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"),
                                              listing("bartowski/Qwen2.5-7B-Instruct-GGUF"),
                                              listing("Qwen/QwQ-32B"), listing("Qwen/some-new-name"),
                                              listing("nobody/plain-model")])
    got = dict(rows(con, "SELECT model_id, family FROM marts.hf_model_profile"))
    assert got == {"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": "deepseek", "bartowski/Qwen2.5-7B-Instruct-GGUF": "qwen",
                   "Qwen/QwQ-32B": "qwen", "Qwen/some-new-name": "qwen", "nobody/plain-model": "(unclassified)"}
    con.close()
