"""Given raw GitHub snapshots and stargazer pages, expect these rows in repo_stars_daily and repo_growth.

Each test writes a few hand-made raw rows (real repo names; star counts illustrative) into a real
DuckDB warehouse with the collector's explicit polars schemas (collectors/github_repos.py, the
columns of warehouse/migrations/0004_raw_github.sql in order), runs the real build and reads the marts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl
import pytest

from collectors.github_repos import HISTORY_SCHEMA, REPOS_SCHEMA
from tests.test_build_publish import MART_KEYS
from warehouse.build import build
from warehouse.db import open_writer

# The keys of the GitHub staging views (MART_KEYS holds the marts').
STAGING_KEYS = {
    "stg_github_repos": "snapshot_date, repo",
    "stg_github_star_history": "repo, starred_date",
}
GITHUB_MARTS = ("repo_stars_daily", "repo_growth")

L = date(2026, 11, 21)  # the latest snapshot in most tests


def day(n: int) -> date:
    """n days before L (day(0) == L)."""
    return L - timedelta(days=n)


def at(d: date, hour: int = 6) -> datetime:
    return datetime.combine(d, time(hour), UTC)


def snapshot(repo: str, snapshot_date: date, stars: int | None, *, status: str = "ok",
             category: str | None = "inference-server", family: str | None = None,
             organization: str | None = None, full_name: str | None = None, capped: bool | None = None,
             api: str | None = None, hour: int = 6, **facts) -> dict:
    """One raw.github_repos row as the collector would write it."""
    found = status != "not_found"
    return {
        "snapshot_date": snapshot_date, "source": "github-rest", "repo": repo, "category": category,
        "family": family, "organization": organization, "status": status,
        "full_name": (full_name or repo) if found else None, "github_id": 1000 if found else None,
        "stars": stars if found else None, "forks": facts.get("forks", 10) if found else None,
        "open_issues": facts.get("open_issues", 5) if found else None,
        "watchers": facts.get("watchers", 3) if found else None,
        "license_spdx": facts.get("license_spdx", "Apache-2.0") if found else None,
        "language": facts.get("language", "Python") if found else None,
        "topics": facts.get("topics", ["llm"]) if found else None,
        "description": facts.get("description") if found else None,
        "created_at": at(date(2023, 2, 9)) if found else None,
        "pushed_at": at(snapshot_date, 1) if found else None,
        "archived": facts.get("archived", False) if found else None,
        "star_history_api": api, "star_history_capped": capped,
        "collected_at": at(snapshot_date, hour), "run_id": f"run-{snapshot_date}-{hour}",
    }


def stargazer_pages(repo: str, daily: dict[date, int], fetched_on: date, *, pages: set[int] | None = None,
                    source: str = "github-graphql", hour: int = 6) -> list[dict]:
    """raw.github_star_history rows: the oldest-first stargazer list (`daily` stars per day) cut
    into 100-stargazer pages, one row per page and starred_date; `pages` keeps only those pages
    (a later run refetching the newest page, or a gap)."""
    cut: list[dict[date, int]] = [{}]
    for starred, gained in sorted(daily.items()):
        while gained:
            if sum(cut[-1].values()) == 100:
                cut.append({})
            take = min(gained, 100 - sum(cut[-1].values()))
            cut[-1][starred] = cut[-1].get(starred, 0) + take
            gained -= take
    return [
        {"snapshot_date": fetched_on, "source": source, "repo": repo, "page": number, "page_cursor": None,
         "next_cursor": None, "page_stars": sum(days.values()), "starred_date": starred, "stars_gained": gained,
         "collected_at": at(fetched_on, hour), "run_id": f"run-{fetched_on}-{hour}"}
        for number, days in enumerate(cut, start=1) if pages is None or number in pages
        for starred, gained in sorted(days.items())
    ]


def load_github(con: duckdb.DuckDBPyConnection, repos: list[dict] = (), history: list[dict] = ()) -> None:
    repos_frame = pl.DataFrame(list(repos), schema=REPOS_SCHEMA)  # noqa: F841 - read by the INSERT
    history_frame = pl.DataFrame(list(history), schema=HISTORY_SCHEMA)  # noqa: F841
    con.execute("INSERT INTO raw.github_repos SELECT * FROM repos_frame")
    con.execute("INSERT INTO raw.github_star_history SELECT * FROM history_frame")


def build_with(path, repos: list[dict] = (), history: list[dict] = ()) -> duckdb.DuckDBPyConnection:
    with open_writer(path) as con:
        load_github(con, repos, history)
        build(con)
    return duckdb.connect(str(path), read_only=True)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def series(con, repo: str) -> list[tuple]:
    return rows(con, f"""SELECT date, stars, stars_gained, source_of_figure FROM marts.repo_stars_daily
                         WHERE repo = '{repo}' ORDER BY date""")


def growth(con, repo: str) -> dict:
    cursor = con.execute(f"SELECT * FROM marts.repo_growth WHERE repo = '{repo}'")
    names = [d[0] for d in cursor.description]
    [row] = cursor.fetchall()
    return dict(zip(names, row))


# -- repo_stars_daily ------------------------------------------------------------------------------

def test_history_only_series_is_the_cumulative_history_with_quiet_days_at_zero(tmp_path):
    # one partial page (5 stargazers) read on day(0): every day from the first star to day(0) is known
    con = build_with(tmp_path / "omo.duckdb", history=stargazer_pages(
        "meta-llama/llama-models", {day(4): 3, day(2): 2}, fetched_on=day(0)))
    assert series(con, "meta-llama/llama-models") == [
        (day(4), 3, 3, "history"),
        (day(3), 3, 0, "history"),
        (day(2), 5, 2, "history"),
        (day(1), 5, 0, "history"),
        (day(0), 5, 0, "history"),
    ]
    assert rows(con, "SELECT DISTINCT category, family, history_capped FROM marts.repo_stars_daily") == [
        ("(uncategorised)", None, False)]


def test_snapshots_win_over_history_even_when_lower_because_of_unstars(tmp_path):
    d1, d2, d3, d4, d5, d6 = (day(n) for n in (5, 4, 3, 2, 1, 0))
    first_fetch = stargazer_pages("vllm-project/vllm", {d1: 40, d2: 30, d3: 20}, fetched_on=d3)
    # d6's run reads the list again: 95 stargazers, still one partial page; d4 brought none
    refetch = stargazer_pages("vllm-project/vllm", {d1: 40, d2: 30, d3: 20, d5: 3, d6: 2}, fetched_on=d6)
    snapshots = [snapshot("vllm-project/vllm", d3, 88),  # the history says 90: two stargazers left
                 snapshot("vllm-project/vllm", d4, 95),
                 snapshot("vllm-project/vllm", d6, 99)]  # d5's run was missed
    con = build_with(tmp_path / "omo.duckdb", snapshots, first_fetch + refetch)
    assert series(con, "vllm-project/vllm") == [
        (d1, 40, 40, "history"),
        (d2, 70, 30, "history"),
        (d3, 88, 18, "snapshot"),  # snapshot wins over the history's 90; gain against d2
        (d4, 95, 7, "snapshot"),
        (d5, 98, 3, "history"),  # between snapshots: d4's snapshot plus the history's 3 stars
        (d6, 99, 1, "snapshot"),
    ]


def test_days_between_snapshots_without_history_are_not_invented(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        snapshot("huggingface/transformers", day(3), 150_000),
        snapshot("huggingface/transformers", day(2), 150_100),
        snapshot("huggingface/transformers", day(0), 150_260),
    ])
    assert series(con, "huggingface/transformers") == [
        (day(3), 150_000, None, "snapshot"),  # nothing before it
        (day(2), 150_100, 100, "snapshot"),
        (day(0), 150_260, None, "snapshot"),  # day(1) is unknown: its stars are not spread over 2 days
    ]


def test_a_page_refetched_by_a_later_run_counts_once(tmp_path):
    s1, s2, s3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)
    # run 1 (on s2): page 1 full, page 2 partial with 10 stars of s2
    run1 = stargazer_pages("ollama/ollama", {s1: 60, s2: 50}, fetched_on=s2)
    # run 2 (on s3) fetches only the newest page again; it now also holds s3's 50 stars
    run2 = stargazer_pages("ollama/ollama", {s1: 60, s2: 50, s3: 50}, fetched_on=s3, pages={2})
    assert [(r["page"], r["starred_date"], r["stars_gained"]) for r in run1 + run2] == [
        (1, s1, 60), (1, s2, 40), (2, s2, 10), (2, s2, 10), (2, s3, 50)]
    # ... and run 2's landing is loaded twice by mistake
    con = build_with(tmp_path / "omo.duckdb", history=run1 + run2 + run2)
    assert rows(con, """SELECT starred_date, stars_gained, history_pages, history_pages_complete,
                               history_reached_end, newest_page_fetched_on
                        FROM staging.stg_github_star_history ORDER BY starred_date""") == [
        (s1, 60, 2, True, True, s3), (s2, 50, 2, True, True, s3), (s3, 50, 2, True, True, s3)]
    assert series(con, "ollama/ollama") == [(s1, 60, 60, "history"), (s2, 110, 50, "history"),
                                            (s3, 160, 50, "history")]


def test_a_capped_series_is_flagged_and_not_extended(tmp_path):
    # REST gave only the first stargazers (400 full pages = 40 000 stars for real; here 2 full pages
    # and a short third one, which without the flag would mean "read to the end on day(1)")
    history = stargazer_pages("ollama/ollama", {date(2023, 7, 1): 120, date(2023, 7, 3): 170},
                              fetched_on=day(1), source="github-rest")
    snapshots = [snapshot("ollama/ollama", day(1), 155_000, capped=True, api="rest", category="local-runner"),
                 # today's run fetched no history: the flag stays what the last history fetch said
                 snapshot("ollama/ollama", day(0), 155_300, capped=None, api=None, category="local-runner")]
    con = build_with(tmp_path / "omo.duckdb", snapshots, history)
    assert series(con, "ollama/ollama") == [
        (date(2023, 7, 1), 120, 120, "history"),
        (date(2023, 7, 2), 120, 0, "history"),
        (date(2023, 7, 3), 290, 170, "history"),  # the last history day: nothing derived after it
        (day(1), 155_000, None, "snapshot"),
        (day(0), 155_300, 300, "snapshot"),
    ]
    assert rows(con, "SELECT DISTINCT history_capped FROM marts.repo_stars_daily") == [(True,)]
    got = growth(con, "ollama/ollama")
    # 7 days back falls in the gap after the capped history: no figure, so no gain
    assert (got["stars"], got["stars_gained_7d"], got["compared_date_7d"]) == (155_300, None, None)
    assert (got["history_capped"], got["first_star_date"]) == (True, date(2023, 7, 1))


def test_a_history_with_a_missing_page_gives_no_cumulative_figures(tmp_path):
    pages = stargazer_pages("vllm-project/vllm", {day(9): 250}, fetched_on=day(1), pages={1, 3})
    con = build_with(tmp_path / "omo.duckdb", [snapshot("vllm-project/vllm", day(0), 61_000)], pages)
    assert series(con, "vllm-project/vllm") == [(day(0), 61_000, None, "snapshot")]
    assert growth(con, "vllm-project/vllm")["first_star_date"] is None


def test_the_latest_collection_of_a_day_wins(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        snapshot("vllm-project/vllm", day(0), 61_000, hour=6),
        snapshot("vllm-project/vllm", day(0), 61_020, hour=18, forks=9_999),
    ])
    assert rows(con, "SELECT stars, forks FROM staging.stg_github_repos") == [(61_020, 9_999)]
    assert series(con, "vllm-project/vllm") == [(day(0), 61_020, None, "snapshot")]


# -- renamed and not found -------------------------------------------------------------------------

def test_a_renamed_repo_keeps_its_tracked_key(tmp_path):
    tracked = "ggerganov/llama.cpp"
    con = build_with(tmp_path / "omo.duckdb", [
        snapshot(tracked, day(1), 86_000, category="local-runner"),
        snapshot(tracked, day(0), 86_150, status="renamed", full_name="ggml-org/llama.cpp",
                 category="inference-server", organization="ggml", language="C++", license_spdx="MIT"),
    ])
    assert series(con, tracked) == [(day(1), 86_000, None, "snapshot"), (day(0), 86_150, 150, "snapshot")]
    # labels from the latest snapshot on every day
    assert rows(con, "SELECT DISTINCT repo, category, organization FROM marts.repo_stars_daily") == [
        (tracked, "inference-server", "ggml")]
    got = growth(con, tracked)
    assert (got["status"], got["full_name"], got["stars"], got["language"], got["license_spdx"]) == (
        "renamed", "ggml-org/llama.cpp", 86_150, "C++", "MIT")


def test_a_not_found_repo_has_no_stars_that_day(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        snapshot("mistralai/mistral-inference", day(2), 10_500, category="model-repo", family="mistral"),
        snapshot("mistralai/mistral-inference", day(1), None, status="not_found", category="model-repo"),
        snapshot("mistralai/mistral-inference", day(0), None, status="not_found", category="model-repo"),
        # tracked, never found (a typo in the tracked-repos file, a private repo)
        snapshot("example-org/never-public", day(0), None, status="not_found", category="model-repo"),
    ], stargazer_pages("mistralai/mistral-inference", {day(3): 5}, fetched_on=day(2)))
    assert series(con, "mistralai/mistral-inference") == [(day(3), 5, 5, "history"),
                                                          (day(2), 10_500, 10_495, "snapshot")]
    assert series(con, "example-org/never-public") == []
    gone = growth(con, "mistralai/mistral-inference")
    # flagged, with its last known figures
    assert (gone["status"], gone["stars"], gone["stars_date"], gone["latest_snapshot_date"],
            gone["last_found_date"], gone["forks"]) == ("not_found", 10_500, day(2), day(0), day(2), 10)
    never = growth(con, "example-org/never-public")
    assert (never["status"], never["stars"], never["category"], never["rank_in_category_30d"]) == (
        "not_found", None, "model-repo", None)


# -- repo_growth -----------------------------------------------------------------------------------

def test_growth_windows_need_history_reaching_back(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        # two days of snapshots only: no window reaches back
        snapshot("huggingface/transformers", day(1), 150_000, category="training"),
        snapshot("huggingface/transformers", day(0), 150_100, category="training"),
        # backfilled history 95 days deep (list read to its end on day(1)), then two snapshots
        snapshot("meta-llama/llama-models", day(1), 190, category="model-repo", family="llama"),
        snapshot("meta-llama/llama-models", day(0), 200, category="model-repo", family="llama"),
        # snapshots only, 10 and 5 days back: the 7-day window compares with the snapshot on or before
        snapshot("vllm-project/vllm", day(10), 60_000),
        snapshot("vllm-project/vllm", day(5), 60_500),
        snapshot("vllm-project/vllm", day(0), 61_000),
    ], stargazer_pages("meta-llama/llama-models", {day(95): 100, day(40): 50, day(20): 30, day(3): 10},
                       fetched_on=day(1)))
    short = growth(con, "huggingface/transformers")
    assert [short[k] for k in ("stars_gained_7d", "stars_gained_30d", "stars_gained_90d", "growth_7d",
                               "stars_per_day_30d", "rank_in_category_30d")] == [None] * 6

    deep = growth(con, "meta-llama/llama-models")
    # stars on day(7) = 100 + 50 + 30, day(30) = 150, day(90) = 100 (history days at zero included)
    assert (deep["compared_date_7d"], deep["compared_date_30d"], deep["compared_date_90d"]) == (
        day(7), day(30), day(90))
    assert (deep["stars_gained_7d"], deep["stars_gained_30d"], deep["stars_gained_90d"]) == (20, 50, 100)
    assert (deep["growth_7d"], deep["growth_30d"], deep["growth_90d"]) == pytest.approx((20 / 180, 50 / 150, 1.0))
    assert deep["stars_per_day_30d"] == pytest.approx(50 / 30)
    assert (deep["first_star_date"], deep["family"], deep["history_capped"]) == (day(95), "llama", False)

    gappy = growth(con, "vllm-project/vllm")
    assert (gappy["compared_date_7d"], gappy["stars_gained_7d"], gappy["stars_gained_30d"]) == (
        day(10), 1_000, None)


def test_rank_within_category_by_30_day_gain(tmp_path):
    con = build_with(tmp_path / "omo.duckdb", [
        snapshot("vllm-project/vllm", day(30), 60_000), snapshot("vllm-project/vllm", day(0), 61_500),
        snapshot("sgl-project/sglang", day(30), 15_000), snapshot("sgl-project/sglang", day(0), 16_000),
        snapshot("ggerganov/llama.cpp", day(30), 85_000), snapshot("ggerganov/llama.cpp", day(0), 86_000),
        snapshot("huggingface/text-generation-inference", day(0), 10_000),  # too new to rank
        snapshot("huggingface/transformers", day(31), 150_000, category="training"),
        snapshot("huggingface/transformers", day(0), 150_400, category="training"),
    ])
    got = rows(con, """SELECT category, repo, stars_gained_30d, rank_in_category_30d FROM marts.repo_growth
                       ORDER BY category, rank_in_category_30d NULLS LAST, repo""")
    assert got == [
        ("inference-server", "vllm-project/vllm", 1_500, 1),
        ("inference-server", "ggerganov/llama.cpp", 1_000, 2),  # a tie shares the rank
        ("inference-server", "sgl-project/sglang", 1_000, 2),
        ("inference-server", "huggingface/text-generation-inference", None, None),
        ("training", "huggingface/transformers", 400, 1),  # compared with day(31), the latest on or before day(30)
    ]


# -- keys ------------------------------------------------------------------------------------------

def test_keys_are_unique_and_not_null(tmp_path):
    repos = [snapshot("vllm-project/vllm", day(n), 61_000 + n) for n in (0, 1, 3)]
    repos += [snapshot("ggerganov/llama.cpp", day(0), 86_000, status="renamed", full_name="ggml-org/llama.cpp"),
              snapshot("ggerganov/llama.cpp", day(0), 86_010, status="renamed", full_name="ggml-org/llama.cpp",
                       hour=9),
              snapshot("example-org/never-public", day(0), None, status="not_found"),
              snapshot("ollama/ollama", day(0), 155_000, capped=True, api="rest")]
    history = (stargazer_pages("vllm-project/vllm", {day(40): 150, day(2): 20}, fetched_on=day(3))
               + stargazer_pages("vllm-project/vllm", {day(40): 150, day(2): 20, day(1): 5}, fetched_on=day(1))
               + stargazer_pages("ollama/ollama", {date(2023, 7, 1): 300}, fetched_on=day(0), source="github-rest"))
    con = build_with(tmp_path / "omo.duckdb", repos, history)
    keys = {**{f"marts.{m}": MART_KEYS[m] for m in GITHUB_MARTS},
            **{f"staging.{v}": key for v, key in STAGING_KEYS.items()}}
    for relation, key in keys.items():
        nulls = " OR ".join(f"{column} IS NULL" for column in key.split(", "))
        total, distinct, null_keys = con.execute(f"""SELECT count(*), count(DISTINCT ({key})),
                                                            count(*) FILTER (WHERE {nulls}) FROM {relation}""").fetchone()
        assert total > 0, relation
        assert (distinct, null_keys) == (total, 0), relation
    assert rows(con, "SELECT count(*) FROM marts.repo_growth") == [(4,)]
