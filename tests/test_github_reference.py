"""Checks for warehouse/reference/github_repos.csv, the GitHub repositories `omo collect github` tracks.

The file is hand-curated: these tests keep it well-formed (header, unique `owner/name`, closed
category vocabulary, family names shared with families.csv) and make sure renamed repositories are
tracked under their current name, using the renames visible in the shared star-ranking data.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
REFERENCE = ROOT / "warehouse" / "reference"
GITHUB_REPOS = REFERENCE / "github_repos.csv"
SHARED_GITHUB = ROOT.parent / "shared" / "data" / "github"
STARS_DAILY = SHARED_GITHUB / "ai_repo_stars_daily.csv"

HEADER = ["repo", "category", "family", "organization", "note"]
CATEGORIES = {
    "inference-server",
    "local-runner",
    "training",
    "orchestration-agents",
    "model-repo",
    "ui-app",
    "evaluation",
}
MAIN_CATEGORIES = ["inference-server", "local-runner", "training", "orchestration-agents", "model-repo"]
MIN_ROWS = 60
MIN_PER_MAIN_CATEGORY = 5
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

# Renames seen in the shared ranking data but not mapped by ai_repo_stars_daily.csv (old -> new).
# Evidence: the old name stops and the new one starts in llm_topic_top100_weekly.csv (or
# ai_repo_stars_daily.csv) with a continuous star count, same owner or same project.
KNOWN_RENAMES = {
    "QwenLM/Qwen2.5": "QwenLM/Qwen3",  # daily: 16 831 stars 2025-04-28, Qwen3 17 991 on 2025-04-29
    "hiyouga/LLaMA-Factory": "hiyouga/LlamaFactory",  # weekly: until 2025-12-29, new name from 2026-01-05
    "oobabooga/text-generation-webui": "oobabooga/textgen",  # weekly: until 2026-04-13, new from 2026-04-20
    "lobehub/lobe-chat": "lobehub/lobehub",  # daily until 2026-01-27; topics list 2026-08-22
    "menloresearch/jan": "janhq/jan",  # weekly: menloresearch only 2025-10-06..27
    "Bin-Huang/chatbox": "chatboxai/chatbox",  # weekly: until 2025-03-17, new from 2025-03-24
    "geekan/MetaGPT": "FoundationAgents/MetaGPT",  # weekly: until 2025-04-28, new from 2025-05-05
    "All-Hands-AI/OpenHands": "OpenHands/OpenHands",  # weekly: until 2025-10-20, new from 2025-10-27
    "phidatahq/phidata": "agno-agi/agno",  # weekly
    "ChatGPTNextWeb/ChatGPT-Next-Web": "ChatGPTNextWeb/NextChat",  # weekly / topics
    "mistralai/mistral-src": "mistralai/mistral-inference",  # weekly: until 2024-05-20, new from 2024-05-27
}


def read_rows() -> list[dict[str, str]]:
    with open(GITHUB_REPOS, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def tracked_lower() -> set[str]:
    return {row["repo"].lower() for row in read_rows()}


def family_names() -> set[str]:
    with open(REFERENCE / "families.csv", newline="", encoding="utf-8") as f:
        return {row["family"] for row in csv.DictReader(f)}


def test_header_is_exact():
    with open(GITHUB_REPOS, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == HEADER


def test_every_row_has_all_columns():
    for row in read_rows():
        assert None not in row, f"extra columns in {row}"
        assert all(row[c] is not None for c in HEADER), f"missing columns in {row}"
        assert row["repo"] == row["repo"].strip() and row["repo"], row
        assert row["organization"].strip(), f"{row['repo']}: organization is empty"


def test_repo_names_are_owner_slash_name():
    bad = [row["repo"] for row in read_rows() if not REPO_RE.match(row["repo"])]
    assert not bad, bad


def test_repo_names_are_unique_case_insensitively():
    counts = Counter(row["repo"].lower() for row in read_rows())
    assert not [r for r, n in counts.items() if n > 1]


def test_category_in_vocabulary():
    bad = [(row["repo"], row["category"]) for row in read_rows() if row["category"] not in CATEGORIES]
    assert not bad, bad


def test_enough_rows():
    assert len(read_rows()) >= MIN_ROWS


@pytest.mark.parametrize("category", MAIN_CATEGORIES)
def test_enough_rows_per_main_category(category):
    n = sum(row["category"] == category for row in read_rows())
    assert n >= MIN_PER_MAIN_CATEGORY, f"{category}: {n} rows"


def test_family_is_empty_or_a_known_family():
    families = family_names()
    bad = [(row["repo"], row["family"]) for row in read_rows() if row["family"] and row["family"] not in families]
    assert not bad, bad


def test_model_repos_name_their_family():
    missing = [row["repo"] for row in read_rows() if row["category"] == "model-repo" and not row["family"]]
    assert not missing, missing


def daily_renames() -> dict[str, str]:
    """old owner/name (as listed, from repo_url) -> current name (the `repo` column), lower case."""
    renames: dict[str, str] = {}
    with open(STARS_DAILY, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            listed = row["repo_url"].removeprefix("https://github.com/").strip("/").lower()
            current = row["repo"].lower()
            if listed != current:
                renames[listed] = current
    return renames


@pytest.mark.skipif(not STARS_DAILY.exists(), reason="shared GitHub data not present")
def test_renamed_repos_in_daily_stars_are_tracked_under_current_name():
    renames = daily_renames()
    assert renames, "expected some renamed repos in ai_repo_stars_daily.csv"
    tracked = tracked_lower()
    missing = sorted({new for new in renames.values() if new not in tracked})
    stale = sorted(old for old in renames if old in tracked)
    assert not missing, f"renamed repos not tracked under their current name: {missing}"
    assert not stale, f"tracked under an old name: {stale}"


@pytest.mark.parametrize("old,new", sorted(KNOWN_RENAMES.items()))
def test_known_renames_use_current_name(old, new):
    tracked = tracked_lower()
    assert old.lower() not in tracked, f"{old} was renamed to {new}"
    assert new.lower() in tracked, f"{new} should be tracked"
