"""GitHub repositories of the open-model ecosystem: a daily snapshot per repo, and star history.

Uses PyGithub (`github.Github(base_url=…, auth=Auth.Token(…))`) with its own retries and
rate-limit sleeps switched off: every call goes through the shared retry loop
(collectors/http.py), which retries 5xx and short Retry-After waits within settings' bounds.

Each run does two things, snapshots first so that a small budget still gives today's counters:
1. Snapshot: GET /repos/{owner}/{repo} for each tracked repo not yet snapshotted today. A renamed
   repo (GitHub redirects to its new name) is kept under its tracked name with status `renamed`;
   a deleted or private one gets a `not_found` row and a notice, never a crash.
2. Star history: the stargazer list, oldest first, 100 a page, each starred_at counted per day
   (user logins are never stored). With a token, GraphQL (`stargazers(orderBy: STARRED_AT)`),
   which has no depth limit; without one, REST (`application/vnd.github.star+json`), which stops
   at 40 000 stars: such a series is flagged `star_history_capped`. Backfill is incremental: each
   run re-reads the newest stored page (it may have filled up since) and goes on from there.

Rate limits: X-RateLimit-Remaining is read after every call. When it falls to the reserve, or a
403/429 says the budget is spent, the run stops cleanly: what was landed is loaded, the run is
recorded as `partial` and the next run continues. A wait is never longer than
settings.http_max_wait_s.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl
import requests
from github import Auth, Consts, Github, GithubException, RateLimitExceededException, UnknownObjectException
from github.PaginatedList import PaginatedList
from github.Stargazer import Stargazer
from requests.structures import CaseInsensitiveDict

from collectors.http import Answer, send_with_retries
from collectors.runs import Batch, RunContext, SourceError, parse_timestamp
from collectors.settings import Settings
from warehouse.db import read_warehouse

# PyGithub logs every redirect it follows at INFO; the rename is reported once, as a notice
logging.getLogger("github").setLevel(logging.WARNING)

SOURCE = "github"
EXPECTED_CADENCE_H = 24
REPOS_TABLE, HISTORY_TABLE = "raw.github_repos", "raw.github_star_history"
# A rerun replaces only what it fetched again: a repo's snapshot of the day, a stargazer page.
REPLACE_ON = {REPOS_TABLE: ("snapshot_date", "repo"), HISTORY_TABLE: ("repo", "page")}
PAGE_SIZE = 100
REST_STAR_CAP = 40_000  # GET /stargazers pages stop at 400 × 100

REPOS_SCHEMA = {
    "snapshot_date": pl.Date, "source": pl.String, "repo": pl.String, "category": pl.String,
    "family": pl.String, "organization": pl.String, "status": pl.String, "full_name": pl.String,
    "github_id": pl.Int64, "stars": pl.Int64, "forks": pl.Int64, "open_issues": pl.Int64,
    "watchers": pl.Int64, "license_spdx": pl.String, "language": pl.String,
    "topics": pl.List(pl.String), "description": pl.String,
    "created_at": pl.Datetime("us", "UTC"), "pushed_at": pl.Datetime("us", "UTC"),
    "archived": pl.Boolean, "star_history_api": pl.String, "star_history_capped": pl.Boolean,
    "collected_at": pl.Datetime("us", "UTC"), "run_id": pl.String,
}
HISTORY_SCHEMA = {
    "snapshot_date": pl.Date, "source": pl.String, "repo": pl.String, "page": pl.Int32,
    "page_cursor": pl.String, "next_cursor": pl.String, "page_stars": pl.Int32,
    "starred_date": pl.Date, "stars_gained": pl.Int32,
    "collected_at": pl.Datetime("us", "UTC"), "run_id": pl.String,
}

STARGAZERS_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    stargazerCount
    stargazers(first: 100, after: $after, orderBy: {field: STARRED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      edges { starredAt }
    }
  }
}"""


class BudgetSpent(Exception):
    """The rate-limit budget is used up; the message says until when."""


# -- the tracked list ------------------------------------------------------------------------------

def tracked_repos(settings: Settings) -> list[dict[str, str]]:
    """The project's list plus the user's file (OMO_GITHUB_REPOS_FILE); a user row wins."""
    merged: dict[str, dict[str, str]] = {}
    paths = [Path(str(files("warehouse").joinpath("reference", "github_repos.csv")))] \
        if settings.github_default_repos else []
    paths += [settings.github_repos_file] if settings.github_repos_file else []
    if not paths:
        raise SourceError("github: no repositories to track: OMO_GITHUB_DEFAULT_REPOS is false "
                          "and OMO_GITHUB_REPOS_FILE is not set")
    for path in paths:
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(f"github: cannot read the repositories file {path}: {exc}") from None
        if not rows or "repo" not in rows[0]:
            raise SourceError(f"github: repositories file {path} needs a header with a `repo` column")
        for line, row in enumerate(rows, start=2):
            repo = (row.get("repo") or "").strip()
            if repo.count("/") != 1 or " " in repo:
                raise SourceError(f"github: {path} line {line}: {repo!r} is not owner/name")
            merged[repo.lower()] = {"repo": repo, **{k: (row.get(k) or "").strip() or None
                                                     for k in ("category", "family", "organization")}}
    return list(merged.values())


# -- fetch: network only ---------------------------------------------------------------------------

def client(settings: Settings) -> Github:
    token = settings.github_token.get_secret_value() if settings.github_token else None
    return Github(base_url=settings.github_api_url.rstrip("/"), auth=Auth.Token(token) if token else None,
                  retry=None, per_page=PAGE_SIZE, timeout=int(max(settings.http_timeout_s, 1)),
                  seconds_between_requests=settings.github_seconds_between_requests or None,
                  # GraphQL queries are POSTs, which PyGithub paces as writes (1 s apart by default)
                  seconds_between_writes=settings.github_seconds_between_requests or None,
                  user_agent="open-model-observatory")


class Calls:
    """Every GitHub call of a run: the shared retry loop, then the budget check."""

    def __init__(self, gh: Github, settings: Settings, sleep: Callable[[float], None] = time.sleep):
        self.gh, self.settings, self.sleep = gh, settings, sleep
        self.spent: str | None = None  # set once the budget is down to the reserve

    def __call__(self, fn: Callable[[], Any], what: str) -> Any:
        if self.spent:
            raise BudgetSpent(self.spent)
        def send() -> Answer:
            try:
                return Answer(200, {}, value=fn())
            except GithubException as exc:
                status = 429 if _is_secondary_limit(exc) else exc.status
                return Answer(status, CaseInsensitiveDict(exc.headers or {}), error=exc)

        try:
            answer = send_with_retries(
                send, self.settings, what="github", target=self.settings.github_api_url, sleep=self.sleep,
                unreachable=(requests.exceptions.ConnectionError,), transient=(requests.exceptions.Timeout,))
        except SourceError as exc:
            if "exceeds OMO_HTTP_MAX_WAIT_S" in str(exc):
                raise BudgetSpent(f"{what}: GitHub asks to wait longer than OMO_HTTP_MAX_WAIT_S") from None
            raise
        if answer.error is not None:
            if isinstance(answer.error, RateLimitExceededException) or answer.status_code == 429:
                raise BudgetSpent(self._reset_text(answer.headers)) from None
            if isinstance(answer.error, UnknownObjectException) or answer.status_code == 422:
                raise answer.error  # the caller knows what a missing repo or the page cap means
            data = answer.error.data
            message = data.get("message") if isinstance(data, dict) else None
            raise SourceError(f"github: {what}: HTTP {answer.status_code}"
                              + (f": {message}" if isinstance(message, str) else "")) from None
        remaining, _ = self.gh.requester.rate_limiting
        if 0 <= remaining <= self.settings.github_rate_reserve:
            self.spent = self._reset_text(None)  # this answer is good; the next call stops
        return answer.value

    def _reset_text(self, headers) -> str:
        reset = int((headers or {}).get("X-RateLimit-Reset") or self.gh.requester.rate_limiting_resettime or 0)
        remaining, limit = self.gh.requester.rate_limiting
        when = f" until {datetime.fromtimestamp(reset, UTC):%H:%M} UTC" if reset else ""
        tip = "" if self.settings.github_token else " (anonymous: 60 requests/hour; set GITHUB_TOKEN for 5 000)"
        return f"rate limit spent ({max(remaining, 0)} of {limit if limit > 0 else '?'} left){when}{tip}"


def _is_secondary_limit(exc: GithubException) -> bool:
    message = str((exc.data or {}).get("message", "") if isinstance(exc.data, dict) else exc.data).lower()
    return exc.status == 403 and "secondary rate limit" in message


def fetch_repo(calls: Calls, repo: str) -> dict | None:
    """The repo's REST representation (after any rename redirect), or None when it is gone."""
    try:
        return calls(lambda: calls.gh.get_repo(repo).raw_data, f"repo {repo}")
    except UnknownObjectException:
        return None


def fetch_rest_stars_page(calls: Calls, full_name: str, page: int) -> list[datetime]:
    """starred_at of one 1-based page of the oldest-first stargazer list."""
    # what Repository.get_stargazers_with_dates() builds, without first fetching the repo again
    listing = PaginatedList(Stargazer, calls.gh.requester, f"/repos/{full_name}/stargazers", None,
                            headers={"Accept": Consts.mediaTypeStarringPreview})
    stargazers = calls(lambda: listing.get_page(page - 1), f"stargazers of {full_name}")
    return [s.starred_at for s in stargazers]


def fetch_graphql_stars_page(calls: Calls, full_name: str, after: str | None) -> tuple[list[datetime], str | None, bool]:
    """(starredAt of up to 100 stargazers after the cursor, endCursor, hasNextPage)."""
    owner, name = full_name.split("/", 1)
    _, data = calls(lambda: calls.gh.requester.graphql_query(
        STARGAZERS_QUERY, {"owner": owner, "name": name, "after": after}), f"stargazers of {full_name}")
    try:
        connection = data["data"]["repository"]["stargazers"]
        stamps = [parse_timestamp(edge["starredAt"]) for edge in connection["edges"]]
        return stamps, connection["pageInfo"]["endCursor"], bool(connection["pageInfo"]["hasNextPage"])
    except (KeyError, TypeError) as exc:
        raise SourceError(f"github: GraphQL stargazers of {full_name} lack {exc}") from None


# -- normalise: pure -------------------------------------------------------------------------------

def snapshot_row(tracked: dict, data: dict | None, ctx: RunContext, api: str | None) -> dict:
    """One repo's row; `api` is how its star history is fetched this run (None: not fetched)."""
    base = {"snapshot_date": ctx.snapshot_date, "source": "github-rest", **tracked,
            "collected_at": ctx.collected_at, "run_id": ctx.run_id, "full_name": None}
    if data is None:
        return {**base, "status": "not_found", "star_history_api": None, "star_history_capped": None}
    stars = data.get("stargazers_count")
    full_name = data.get("full_name")
    licence = data.get("license") or {}
    return {
        **base,
        "status": "ok" if str(full_name).lower() == tracked["repo"].lower() else "renamed",
        "full_name": full_name,
        "github_id": data.get("id"),
        "stars": stars,
        "forks": data.get("forks_count"),
        "open_issues": data.get("open_issues_count"),
        "watchers": data.get("subscribers_count"),
        "license_spdx": licence.get("spdx_id") if isinstance(licence, dict) else None,
        "language": data.get("language"),
        "topics": [t for t in data.get("topics") or [] if isinstance(t, str)],
        "description": data.get("description"),
        "created_at": parse_timestamp(data.get("created_at")),
        "pushed_at": parse_timestamp(data.get("pushed_at")),
        "archived": data.get("archived"),
        "star_history_api": api,
        "star_history_capped": None if api is None else api == "rest" and (stars or 0) > REST_STAR_CAP,
    }


def history_rows(repo: str, page: int, starred: list[datetime], ctx: RunContext, source: str,
                 page_cursor: str | None = None, next_cursor: str | None = None) -> list[dict]:
    per_day = Counter(stamp.astimezone(UTC).date() for stamp in starred if stamp is not None)
    return [{"snapshot_date": ctx.snapshot_date, "source": source, "repo": repo, "page": page,
             "page_cursor": page_cursor, "next_cursor": next_cursor, "page_stars": len(starred),
             "starred_date": day, "stars_gained": gained, "collected_at": ctx.collected_at,
             "run_id": ctx.run_id} for day, gained in sorted(per_day.items())]


# -- where the last run stopped: read from the warehouse before any network work --------------------

def stored_state(settings: Settings, snapshot_date) -> tuple[set[str], dict[str, str], dict[str, dict]]:
    """What earlier runs stored, read once before any network work:
    - repos already snapshotted that day (a rerun skips them; the anonymous budget is small),
    - the name each answers to that day ({tracked: full_name}; a rename is followed),
    - where each API's star backfill stands ({repo: {"rest": (page, None), "graphql": (page, cursor)}}):
      REST goes on from the newest stored page whoever fetched it; GraphQL needs a cursor, so it
      goes on from the newest page it fetched itself (REST pages carry none)."""
    day, pages = read_warehouse(settings.warehouse_path, (
        "SELECT repo, status, full_name FROM raw.github_repos WHERE snapshot_date = ?", [snapshot_date]), ("""
        SELECT repo, max(page),
               max(page) FILTER (WHERE source = 'github-graphql'),
               arg_max(page_cursor, page) FILTER (WHERE source = 'github-graphql')
        FROM raw.github_star_history GROUP BY repo""", []))
    done = {repo.lower() for repo, _, _ in day}
    names = {repo.lower(): full_name for repo, status, full_name in day if status != "not_found"}
    positions = {repo.lower(): {"rest": (page, None), "graphql": (graphql_page or 1, cursor)}
                 for repo, page, graphql_page, cursor in pages}
    return done, names, positions


# -- the pipeline's entry point --------------------------------------------------------------------

def collect(settings: Settings, ctx: RunContext, history: bool | None = None,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[Batch]:
    history = settings.github_star_history if history is None else history
    repos = tracked_repos(settings)
    api = "graphql" if settings.github_token else "rest"
    calls = Calls(client(settings), settings, sleep)
    snapshotted, names, positions = stored_state(settings, ctx.snapshot_date)
    ctx.detail = (f"{settings.github_api_url}; {len(repos)} tracked repos; star history via "
                  f"{api.upper() if history else 'none'}"
                  + ("" if settings.github_token else "; anonymous (60 requests/hour)"))
    resume = json.loads(ctx.resume_cursor) if ctx.resume_cursor else {"phase": "snapshot"}
    if resume["phase"] == "snapshot":
        rows = []
        try:
            for tracked in repos:
                if tracked["repo"].lower() in snapshotted:
                    ctx.count("snapshots_already_today")
                    continue
                row = snapshot_row(tracked, fetch_repo(calls, tracked["repo"]), ctx, api if history else None)
                if row["status"] == "not_found":
                    ctx.notify(f"github: {tracked['repo']} was not found (deleted, renamed away or private)")
                elif row["status"] == "renamed":
                    ctx.notify(f"github: {tracked['repo']} is now {row['full_name']}; update the tracked list")
                else:
                    ctx.count("repos_ok")
                rows.append(row)
                if row["full_name"]:
                    names[tracked["repo"].lower()] = row["full_name"]
        except BudgetSpent as exc:
            ctx.partial = f"{exc}; {len(rows)} of {len(repos) - len(snapshotted)} repos snapshotted"
        if rows:
            yield Batch(REPOS_TABLE, pl.DataFrame(rows, schema=REPOS_SCHEMA),
                        cursor=json.dumps({"phase": "history", "index": 0}))
        if ctx.partial:
            return
        resume = {"phase": "history", "index": 0}
    if history:
        yield from _star_history(settings, ctx, calls, repos, names, positions, api, resume["index"])


def _star_history(settings: Settings, ctx: RunContext, calls: Calls, repos: list[dict], names: dict,
                  positions: dict, api: str, start_index: int) -> Iterator[Batch]:
    pages_left = settings.github_history_pages_per_run
    for index in range(start_index, len(repos)):
        repo = repos[index]["repo"]
        if repo.lower() in names:
            full_name = names[repo.lower()]
        elif ctx.resume_cursor:
            full_name = repo  # snapshots landed by the run that died are not loaded yet; GitHub redirects
        else:
            continue  # not found today: no stargazers to page through
        # the newest stored page is fetched again: it may have filled up since
        page, cursor = positions.get(repo.lower(), {}).get(api, (1, None))
        rows: list[dict] = []
        fetched = 0
        try:
            while True:
                if pages_left == 0:
                    ctx.count("histories_continuing_next_run")
                    break
                if api == "rest" and page > REST_STAR_CAP // PAGE_SIZE:
                    ctx.count("histories_capped_at_40k")
                    break
                if api == "rest":
                    try:
                        starred = fetch_rest_stars_page(calls, full_name, page)
                    except GithubException as exc:
                        if exc.status != 422:
                            raise
                        # "pagination is limited for this resource": the REST cap, met early
                        ctx.count("histories_capped_at_40k")
                        break
                    next_cursor, has_next = None, len(starred) == PAGE_SIZE
                else:
                    starred, next_cursor, has_next = fetch_graphql_stars_page(calls, full_name, cursor)
                    if has_next and next_cursor in (None, cursor):
                        raise SourceError(f"github: GraphQL stargazers of {full_name} did not advance "
                                          f"past cursor {cursor!r}")
                pages_left, fetched = pages_left - 1, fetched + 1
                rows += history_rows(repo, page, starred, ctx, f"github-{api}", cursor, next_cursor)
                if not has_next:
                    break
                page, cursor = page + 1, next_cursor
        except BudgetSpent as exc:
            ctx.partial = f"{exc}; star history stopped at {repo} page {page}"
        except UnknownObjectException:
            ctx.notify(f"github: stargazers of {repo} not found; skipped")
        if fetched:
            ctx.count("star_history_pages", fetched)
            yield Batch(HISTORY_TABLE, pl.DataFrame(rows, schema=HISTORY_SCHEMA),
                        cursor=json.dumps({"phase": "history", "index": index + 1}), pages=fetched)
        if ctx.partial or pages_left == 0:
            return
