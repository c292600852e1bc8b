"""Sample GitHub: tracked repositories with stars that grow every day, and their stargazer lists.

A subset of warehouse/reference/github_repos.csv, two to five repos per category, mostly the
smaller ones (the demo's tracked-repos file): a stargazer list costs one request per 100 stars
and the collector's client ~3 ms a request, so all 102 repos at their real sizes (26 000 pages)
would make the demo take minutes; these 26 take ~4 000 pages. Two of them (ollama, vLLM) are past
the 40 000 stars that GitHub's REST API lists, so the "history capped" case shows too.

Per repo, the tracked list's note gives its real star count (on 2026-08-22), which scales the
sample; the creation date is approximately the real one. Every star count is generated: a launch
burst that decays, then steady growth (earlier or later, by a random shape), with daily noise.
The same series answers both questions the collector asks:
- GET /repos/{owner}/{repo}: stargazers_count on the sample day (and forks, issues, licence…),
- GET /repos/{owner}/{repo}/stargazers?page=N&per_page=100: the stargazers oldest first, each
  with starred_at (`application/vnd.github.star+json`), 422 past page 400 as GitHub answers.
Every response carries GitHub's X-RateLimit-* headers, counting down from 5 000 each sample day
(a token's budget: the demo never sends one, and an anonymous budget of 60 would stop it).
"""

from __future__ import annotations

import bisect
import csv
import json
import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from itertools import accumulate
from pathlib import Path

from omo.demo.server import JSON_TYPE, Response

PAGE_CAP = 400  # GitHub lists at most 400 pages of stargazers
RATE_LIMIT = 5_000
SAMPLE_DESCRIPTION = "Sample data from `omo demo`: generated star counts for this tracked repository."

# (repo, language, licence SPDX id, created about): real repositories, approximate creation dates
DEMO_REPOS = [
    ("vllm-project/vllm", "Python", "Apache-2.0", "2023-02-09"),
    ("huggingface/text-generation-inference", "Python", "Apache-2.0", "2022-10-08"),
    ("InternLM/lmdeploy", "Python", "Apache-2.0", "2023-06-15"),
    ("EricLBuehler/mistral.rs", "Rust", "MIT", "2024-02-01"),
    ("sgl-project/sglang", "Python", "Apache-2.0", "2024-01-08"),
    ("ollama/ollama", "Go", "MIT", "2023-06-26"),
    ("abetlen/llama-cpp-python", "Python", "MIT", "2023-03-23"),
    ("mostlygeek/llama-swap", "Go", "MIT", "2024-10-04"),
    ("mlc-ai/web-llm", "TypeScript", "Apache-2.0", "2023-04-13"),
    ("huggingface/peft", "Python", "Apache-2.0", "2022-11-25"),
    ("huggingface/trl", "Python", "Apache-2.0", "2020-03-27"),
    ("linkedin/Liger-Kernel", "Python", "BSD-2-Clause", "2024-08-06"),
    ("pytorch/torchtitan", "Python", "BSD-3-Clause", "2023-12-13"),
    ("InternLM/xtuner", "Python", "Apache-2.0", "2023-07-11"),
    ("QwenLM/Qwen-Agent", "Python", "Apache-2.0", "2023-09-22"),
    ("deepset-ai/haystack", "Python", "Apache-2.0", "2019-11-14"),
    ("meta-llama/llama-models", "Python", "NOASSERTION", "2024-06-27"),
    ("zai-org/GLM-4.5", "Python", "MIT", "2025-07-28"),
    ("QwenLM/Qwen3", "Python", "Apache-2.0", "2024-09-05"),
    ("openai/gpt-oss", "Python", "Apache-2.0", "2025-08-05"),
    ("mistralai/mistral-inference", "Python", "Apache-2.0", "2023-09-27"),
    ("huggingface/chat-ui", "TypeScript", "Apache-2.0", "2023-02-17"),
    ("EleutherAI/lm-evaluation-harness", "Python", "MIT", "2020-08-28"),
    ("open-compass/opencompass", "Python", "Apache-2.0", "2023-05-01"),
    ("openai/evals", "Python", "NOASSERTION", "2023-01-23"),
    ("EvolvingLMMs-Lab/lmms-eval", "Python", "NOASSERTION", "2024-03-02"),
]


def tracked_rows() -> list[dict[str, str]]:
    """The demo repos' rows of the project's tracked list (category, family, organisation, note)."""
    path = Path(str(files("warehouse").joinpath("reference", "github_repos.csv")))
    with open(path, newline="", encoding="utf-8") as fh:
        rows = {row["repo"]: row for row in csv.DictReader(fh)}
    return [rows[repo] for repo, *_ in DEMO_REPOS]


def write_repos_file(path: Path) -> Path:
    """The demo's OMO_GITHUB_REPOS_FILE: the subset, in the tracked list's own columns."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["repo", "category", "family", "organization"])
        for row in tracked_rows():
            writer.writerow([row["repo"], row["category"], row["family"], row["organization"]])
    return path


class RepoSeries:
    """One repo's cumulative stars per day since its creation, and the stargazer list behind them."""

    def __init__(self, created: date, stars_at_end: int, end: date, rng: random.Random) -> None:
        self.created = created
        age = (end - created).days + 1
        launch, decay, shape = rng.uniform(0.02, 0.12), rng.uniform(0.9, 0.97), rng.uniform(0.7, 1.6)
        weights = []
        for day in range(age):
            steady = ((day + 1) / age) ** shape - (day / age) ** shape
            burst = (1 - decay) * decay ** day
            weights.append((launch * burst + (1 - launch) * steady) * math.exp(rng.gauss(0, 0.3)))
        total = sum(weights)
        self.cumulative = [round(stars_at_end * running / total) for running in accumulate(weights)]

    def stars_on(self, day: date) -> int:
        return self.cumulative[(day - self.created).days] if day >= self.created else 0

    def starred_at(self, k: int) -> datetime:
        """When the k-th stargazer (0-based, oldest first) starred: spread evenly over its day."""
        day = bisect.bisect_right(self.cumulative, k)
        before = self.cumulative[day - 1] if day else 0
        seconds = int((k - before + 0.5) * 86_400 / (self.cumulative[day] - before))
        return datetime.combine(self.created, datetime.min.time(), UTC) + timedelta(days=day, seconds=seconds)


@dataclass
class SampleRepo:
    name: str
    category: str
    language: str
    licence: str
    github_id: int
    owner_id: int
    forks_per_star: float
    issues_per_star: float
    stars: RepoSeries


class GitHubSample:
    def __init__(self, days: list[date], seed: int, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.days = days
        self.day_index = 0
        self.requests_today = 0
        rng = random.Random(f"omo-demo-github-{seed}")
        self.repos: dict[str, SampleRepo] = {}
        for (name, language, licence, created), row in zip(DEMO_REPOS, tracked_rows(), strict=True):
            noted = re.search(r"(\d+) stars", row.get("note") or "")
            scale = int(noted.group(1)) if noted else round(math.exp(rng.gauss(9, 0.8)))
            self.repos[name.lower()] = SampleRepo(
                name, row["category"], language, licence, github_id=rng.randrange(100_000_000, 1_000_000_000),
                owner_id=rng.randrange(1_000_000, 200_000_000), forks_per_star=rng.uniform(0.08, 0.2),
                issues_per_star=rng.uniform(0.005, 0.04),
                stars=RepoSeries(date.fromisoformat(created), round(scale * rng.uniform(1.0, 1.08)), days[-1], rng))

    def set_day(self, day_index: int) -> None:
        self.day_index, self.requests_today = day_index, 0

    # -- responses ---------------------------------------------------------------------------------

    def serve(self, path: str, query: list[tuple[str, str]]) -> Response:
        self.requests_today += 1
        parts = path.strip("/").split("/")
        repo = self.repos.get("/".join(parts[1:3]).lower()) if len(parts) >= 3 and parts[0] == "repos" else None
        if repo is None or len(parts) > 4 or (len(parts) == 4 and parts[3] != "stargazers"):
            return self._json({"message": "Not Found", "documentation_url":
                               "https://docs.github.com/rest/repos/repos#get-a-repository", "status": "404"}, 404)
        if len(parts) == 3:
            return self._json(self._repo_body(repo))
        params = dict(query)
        return self._stargazers(repo, int(params.get("page") or 1), int(params.get("per_page") or 30))

    def _json(self, data, status: int = 200, **headers: str) -> Response:
        day = self.days[self.day_index]
        reset = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        remaining = max(RATE_LIMIT - self.requests_today, 0)
        return Response(status, json.dumps(data, separators=(",", ":")).encode(), {
            "Content-Type": JSON_TYPE, "X-GitHub-Media-Type": "github.v3; format=json",
            "X-RateLimit-Limit": str(RATE_LIMIT), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset.timestamp())), "X-RateLimit-Used": str(RATE_LIMIT - remaining),
            "X-RateLimit-Resource": "core", **headers})

    def _repo_body(self, repo: SampleRepo) -> dict:
        day = self.days[self.day_index]
        name = repo.name
        stars = repo.stars.stars_on(day)
        pushed = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3 + (stars % 17))
        api = f"{self.base_url}/repos/{name}"
        owner = name.split("/")[0]
        forks = round(stars * repo.forks_per_star)
        issues = round(stars * repo.issues_per_star)
        licence = {"key": repo.licence.lower(), "name": repo.licence, "spdx_id": repo.licence,
                   "url": f"{self.base_url}/licenses/{repo.licence.lower()}", "node_id": "MDc6TGljZW5zZTI="}
        return {
            "id": repo.github_id, "node_id": f"R_sample{repo.github_id}", "name": name.split("/")[1],
            "full_name": name, "private": False,
            "owner": {"login": owner, "id": repo.owner_id, "url": f"{self.base_url}/users/{owner}",
                      "html_url": f"https://github.com/{owner}", "type": "Organization", "site_admin": False},
            "html_url": f"https://github.com/{name}", "description": SAMPLE_DESCRIPTION, "fork": False,
            "url": api, "stargazers_url": f"{api}/stargazers",
            "created_at": f"{repo.stars.created.isoformat()}T12:00:00Z",
            "updated_at": pushed.strftime("%Y-%m-%dT%H:%M:%SZ"), "pushed_at": pushed.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "homepage": None, "size": 20_000 + stars // 3, "stargazers_count": stars, "watchers_count": stars,
            "language": repo.language, "has_issues": True, "forks_count": forks, "archived": False,
            "disabled": False, "open_issues_count": issues,
            "license": None if repo.licence == "NOASSERTION" else licence,
            "topics": ["llm", repo.category, "sample-data"], "visibility": "public", "forks": forks,
            "open_issues": issues, "watchers": stars, "default_branch": "main", "network_count": forks,
            "subscribers_count": max(1, stars // 120),
        }

    def _stargazers(self, repo: SampleRepo, page: int, per_page: int) -> Response:
        if page > PAGE_CAP:
            return self._json({"message": "In order to keep the API fast for everyone, pagination is limited "
                                          "for this resource. Check the rel=last link relation in the Link "
                                          "response header to see how far back you can traverse.",
                               "documentation_url": "https://docs.github.com/v3/#pagination", "status": "422"}, 422)
        series = repo.stars
        listed = series.stars_on(self.days[self.day_index])
        first = (page - 1) * per_page
        body = [{"starred_at": series.starred_at(k).strftime("%Y-%m-%dT%H:%M:%SZ"), "user": _stargazer(k)}
                for k in range(first, min(first + per_page, listed))]
        last_page = min(max(1, math.ceil(listed / per_page)), PAGE_CAP)
        link = f"{self.base_url}/repos/{repo.name}/stargazers?per_page={per_page}&page="
        relations = []
        if page < last_page:
            relations += [f'<{link}{page + 1}>; rel="next"', f'<{link}{last_page}>; rel="last"']
        if page > 1:
            relations += [f'<{link}{page - 1}>; rel="prev"', f'<{link}1>; rel="first"']
        return self._json(body, **({"Link": ", ".join(relations)} if relations else {}))


def _stargazer(k: int) -> dict:
    """The user who starred: GitHub sends ~20 fields; three keep the collector's client (which
    builds an object per stargazer) from making the demo slow, and it reads none of them."""
    return {"login": f"sample-stargazer-{k + 1}", "id": 90_000_000 + k, "type": "User"}
