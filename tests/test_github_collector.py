"""The GitHub collector (real PyGithub) against a 127.0.0.1 server replaying GitHub-shaped answers.

Bodies are tests/fixtures/github/*.json, shaped like GitHub's REST and GraphQL responses; headers
carry X-RateLimit-* as GitHub sends them, stargazer pages a `Link` header.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest

from collectors import github_repos
from collectors.pipeline import run_source
from collectors.settings import Settings
from tests.conftest import GH, closed_port_url, github_body, github_headers as _headers, run_omo
from tests.replay import Reply

SNAPSHOT = date(2026, 11, 20)


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_snapshot_and_rest_star_history(github):
    settings = Settings()
    run = run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    assert run.status == "ok"
    repos = {r[0]: r[1:] for r in _rows(settings, """
        SELECT repo, status, full_name, stars, license_spdx, star_history_api, star_history_capped, category
        FROM raw.github_repos""")}
    assert repos["vllm-project/vllm"][:5] == ("ok", "vllm-project/vllm", 150, "Apache-2.0", "rest")
    assert repos["vllm-project/vllm"][-1] == "inference-server"
    assert repos["ggerganov/llama.cpp"][:3] == ("renamed", "ggml-org/llama.cpp", 60)  # kept under its tracked name
    assert repos["someone/deleted-repo"][0] == "not_found"
    history = _rows(settings, """SELECT repo, page, page_stars, starred_date, stars_gained FROM raw.github_star_history
                                 ORDER BY repo, page, starred_date""")
    vllm = [h for h in history if h[0] == "vllm-project/vllm"]
    assert sum(h[4] for h in vllm) == 150 and {h[1] for h in vllm} == {1, 2}
    assert vllm[0][1:] == (1, 100, date(2023, 6, 17), 40)  # per day, never per user
    assert sum(h[4] for h in history if h[0] == "ggerganov/llama.cpp") == 60
    assert "login" not in str(_rows(settings, "SELECT * FROM raw.github_star_history"))
    assert "not found" in run.detail or "repos_ok 1" in run.detail


def test_second_run_refetches_only_the_newest_page(github):
    settings = Settings()
    run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    github.requests.clear()
    run_source(github_repos, settings, snapshot_date=SNAPSHOT + timedelta(days=1))
    paths = [p for _, p, _ in github.requests if "/stargazers" in p]
    assert paths == ["/repos/vllm-project/vllm/stargazers?page=2&per_page=100",
                     "/repos/ggml-org/llama.cpp/stargazers?per_page=100"]
    # page 2 was replaced, not doubled
    assert _rows(settings, "SELECT sum(stars_gained) FROM raw.github_star_history WHERE repo = 'vllm-project/vllm'") == [(150,)]


def test_same_day_rerun_skips_repos_already_snapshotted(github):
    settings = Settings()
    run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    github.requests.clear()
    run = run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    assert not any(p.startswith("/repos/vllm-project/vllm") and "stargazers" not in p for _, p, _ in github.requests)
    assert "snapshots_already_today 3" in run.detail


def test_spent_budget_stops_cleanly_keeps_data_and_exits_75(github):
    # the second repo's answer says the budget is down to the reserve: stop after it
    github.routes["/repositories/" + str(json.loads((GH / "repo_llama_cpp.json").read_text())["id"])][0].headers.update(
        _headers(1, 60))
    result = run_omo("collect", "github")
    assert result.returncode == 75, result.stderr
    assert "rate limit spent" in result.stderr and "GITHUB_TOKEN" in result.stderr
    settings = Settings()
    assert _rows(settings, "SELECT repo FROM raw.github_repos ORDER BY repo") == [
        ("ggerganov/llama.cpp",), ("vllm-project/vllm",)]
    assert _rows(settings, "SELECT status FROM raw.collector_runs") == [("partial",)]
    # the next run (budget back) finishes the day's snapshots and does the history
    github.routes["/repositories/" + str(json.loads((GH / "repo_llama_cpp.json").read_text())["id"])][0].headers.update(
        _headers(4000))
    assert run_omo("collect", "github").returncode == 0
    assert _rows(settings, "SELECT count(*) FROM raw.github_repos") == [(3,)]
    assert _rows(settings, "SELECT sum(stars_gained) FROM raw.github_star_history") == [(210,)]


def test_403_rate_limit_exceeded_is_a_clean_partial_stop(github):
    body = json.dumps({"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                       "Authenticated requests get a higher rate limit. Check out the documentation for more "
                       "details.)", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"})
    github.route("/repos/vllm-project/vllm/stargazers?per_page=100", Reply(403, body.encode(), _headers(0, 60)))
    settings = Settings()
    run = run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    assert run.status == "partial" and "rate limit spent (0 of 60 left)" in run.detail
    assert _rows(settings, "SELECT count(*) FROM raw.github_repos") == [(3,)]


def test_5xx_is_retried(github):
    github.routes["/repos/vllm-project/vllm"].insert(0, Reply(502, b'{"message": "Server Error"}', _headers()))
    run = run_source(github_repos, Settings(), snapshot_date=SNAPSHOT)
    assert run.status == "ok"
    assert sum(1 for _, p, _ in github.requests if p == "/repos/vllm-project/vllm") == 2


def test_rest_history_beyond_40k_stars_is_flagged_capped(github):
    github.routes["/repos/vllm-project/vllm"][0].body = github_body("repo_vllm.json", github.base_url,
                                                             stargazers_count=65_000)
    settings = Settings()
    run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    assert _rows(settings, "SELECT star_history_capped FROM raw.github_repos WHERE repo = 'vllm-project/vllm'") == [(True,)]
    assert _rows(settings, "SELECT star_history_capped FROM raw.github_repos WHERE repo = 'ggerganov/llama.cpp'") == [(False,)]


def test_graphql_history_with_a_token_which_is_never_shown(github, monkeypatch):
    sentinel = "ghp_SENTINELtoken0123456789abcdef"
    monkeypatch.setenv("GITHUB_TOKEN", sentinel)
    page = json.loads((GH / "graphql_stargazers.json").read_text())
    connection = page["data"]["repository"]["stargazers"]
    first = json.loads(json.dumps(page))
    first["data"]["repository"]["stargazers"]["pageInfo"] = {"hasNextPage": True, "endCursor": "Y3Vyc29yOjU="}
    last = json.loads(json.dumps(page))
    last["data"]["repository"]["stargazers"]["pageInfo"] = {"hasNextPage": False, "endCursor": "Y3Vyc29yOjEw"}
    github.route("/graphql", Reply(200, json.dumps(first).encode(), _headers()),
                 Reply(200, json.dumps(last).encode(), _headers()))
    result = run_omo("collect", "github")
    assert result.returncode == 0, result.stderr
    posts = [(p, h) for m, p, h in github.requests if p == "/graphql"]
    assert posts and all({k.lower(): v for k, v in h.items()}["authorization"] == f"token {sentinel}"
                         or {k.lower(): v for k, v in h.items()}["authorization"] == f"Bearer {sentinel}"
                         for _, h in posts)
    variables = [json.loads(body)["variables"] for body in github.bodies]
    vllm = [v for v in variables if v["name"] == "vllm"]
    assert vllm == [{"owner": "vllm-project", "name": "vllm", "after": None},
                    {"owner": "vllm-project", "name": "vllm", "after": "Y3Vyc29yOjU="}]
    assert "orderBy: {field: STARRED_AT, direction: ASC}" in json.loads(github.bodies[0])["query"]
    settings = Settings()
    history = _rows(settings, """SELECT page, page_cursor, next_cursor, sum(stars_gained)::INT FROM raw.github_star_history
                                 WHERE repo = 'vllm-project/vllm' GROUP BY ALL ORDER BY page""")
    per_page = len(connection["edges"])
    assert history == [(1, None, "Y3Vyc29yOjU=", per_page), (2, "Y3Vyc29yOjU=", "Y3Vyc29yOjEw", per_page)]
    logs = (settings.log_dir / "omo.jsonl").read_text()
    stored = str(_rows(settings, "SELECT * FROM raw.collector_runs")) + str(_rows(settings, "SELECT * FROM raw.github_repos"))
    for text in (result.stdout, result.stderr, logs, stored):
        assert sentinel not in text


def test_offline_github_is_one_line(data_dir, tmp_path, monkeypatch):
    tracked = tmp_path / "repos.csv"
    tracked.write_text("repo\nvllm-project/vllm\n")
    result = run_omo("collect", "github", env={"GITHUB_API_URL": closed_port_url().removesuffix("/data.json"),
                                               "OMO_GITHUB_DEFAULT_REPOS": "false", "OMO_GITHUB_REPOS_FILE": str(tracked)})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "github: cannot reach" in lines[0], result.stderr


def test_a_broken_repositories_file_is_named(data_dir, tmp_path):
    bad = tmp_path / "repos.csv"
    bad.write_text("repo\nnot a repo name\n")
    result = run_omo("collect", "github", env={"OMO_GITHUB_REPOS_FILE": str(bad)})
    assert result.returncode == 1 and f"{bad} line 2" in result.stderr and "Traceback" not in result.stderr


def test_project_list_is_readable_and_a_user_row_overrides_it(data_dir, tmp_path, monkeypatch):
    mine = tmp_path / "repos.csv"
    mine.write_text("repo,category\nvllm-project/vllm,my-category\nme/my-engine,inference-server\n")
    monkeypatch.setenv("OMO_GITHUB_REPOS_FILE", str(mine))
    repos = {r["repo"].lower(): r for r in github_repos.tracked_repos(Settings())}
    assert len(repos) >= 60
    assert repos["vllm-project/vllm"]["category"] == "my-category" and "me/my-engine" in repos


def test_graphql_goes_on_from_its_own_newest_page_when_rest_pages_lie_beyond(github, monkeypatch):
    settings = Settings()
    run_source(github_repos, settings, snapshot_date=SNAPSHOT)  # anonymous: REST pages 1-2 of vllm
    from warehouse.db import open_writer
    with open_writer(settings.warehouse_path) as con:  # as if an earlier token run fetched page 1 by GraphQL
        con.execute("""UPDATE raw.github_star_history SET source = 'github-graphql', next_cursor = 'Y3Vyc29yOjE='
                       WHERE repo = 'vllm-project/vllm' AND page = 1""")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test_token_value")
    last_page = json.loads((GH / "graphql_stargazers.json").read_text())
    last_page["data"]["repository"]["stargazers"]["pageInfo"]["hasNextPage"] = False
    github.route("/graphql", Reply(200, json.dumps(last_page).encode(), _headers()))
    github.bodies.clear()
    run_source(github_repos, Settings(), snapshot_date=SNAPSHOT + timedelta(days=1))
    vllm = [json.loads(b)["variables"] for b in github.bodies if json.loads(b)["variables"]["name"] == "vllm"]
    assert vllm == [{"owner": "vllm-project", "name": "vllm", "after": None}]  # page 1 again, by its own cursor


def test_the_422_at_the_rest_page_cap_ends_that_history_cleanly(github):
    cap = json.loads((GH / "headers.json").read_text())["pagination_limit_422"]
    github.routes["/repos/vllm-project/vllm"][0].body = github_body("repo_vllm.json", github.base_url,
                                                                  stargazers_count=65_000)
    github.route("/repos/vllm-project/vllm/stargazers?page=2&per_page=100",
                 Reply(422, json.dumps(cap["body"]).encode(), {**cap["headers"], **_headers(4000)}))
    settings = Settings()
    run = run_source(github_repos, settings, snapshot_date=SNAPSHOT)
    assert run.status == "ok" and "histories_capped_at_40k 1" in run.detail
    assert _rows(settings, "SELECT DISTINCT page FROM raw.github_star_history WHERE repo = 'vllm-project/vllm'") == [(1,)]
    assert _rows(settings, "SELECT star_history_capped FROM raw.github_repos WHERE repo = 'vllm-project/vllm'") == [(True,)]
    # the llama.cpp history after it was still collected
    assert _rows(settings, "SELECT sum(stars_gained) FROM raw.github_star_history WHERE repo = 'ggerganov/llama.cpp'") == [(60,)]
