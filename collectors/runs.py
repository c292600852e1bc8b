"""Run identity, JSON-lines run log, and the errors every collector raises.

A run id is sortable by time (UTC timestamp first) and unique (random suffix), so landing files
and log lines of one run are easy to find and order.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SECRET_ENV_VARS = ("HF_TOKEN", "GITHUB_TOKEN", "OPENROUTER_API_KEY", "OMO_HF_TOKEN", "OMO_GITHUB_TOKEN",
                   "OMO_OPENROUTER_API_KEY")


class SourceError(Exception):
    """A source answered with something we cannot use (HTTP error, malformed body, bad schema)."""


class SourceUnreachable(SourceError):
    """The source's host could not be reached at all: no network, DNS failure, refused."""


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


_SETTINGS_SECRETS: set[str] = set()  # token values Settings read, e.g. from a .env file


def remember_secret(value: str) -> None:
    """Redact this value too: Settings calls it for each token it holds, since a token read from
    a .env file is not in os.environ."""
    if len(value) >= 4:
        _SETTINGS_SECRETS.add(value)


def redact(text: str) -> str:
    """Remove token values from text that may end up in a log, a table or the terminal."""
    for var in SECRET_ENV_VARS:
        value = os.environ.get(var)
        if value and len(value) >= 4:
            text = text.replace(value, f"<{var} redacted>")
    for value in _SETTINGS_SECRETS:
        text = text.replace(value, "<token redacted>")
    return text


LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_KEEP = 5  # omo.jsonl.1 (newest) .. omo.jsonl.5


def rotate_log(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """Shift path -> path.1 -> ... -> path.<keep> (the oldest dropped) once path outgrows max_bytes,
    so months of unattended runs never fill the disk. Two processes racing here lose at most a
    rotation, never a line: each renames a whole file."""
    try:
        if path.stat().st_size < max_bytes:
            return
        for n in range(keep - 1, 0, -1):
            older = path.with_name(f"{path.name}.{n}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
        os.replace(path, path.with_name(f"{path.name}.1"))
    except OSError:
        pass


def log_event(log_dir: Path, run_id: str, source: str, event: str, **fields: Any) -> None:
    """Append one JSON line to <data_dir>/logs/omo.jsonl (rotated, see rotate_log); logging must
    never break a run."""
    record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "run_id": run_id,
              "source": source, "event": event, **fields}
    line = redact(json.dumps(record, default=str))
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        # the scheduled jobs' terminal output (omo schedule) shares the rotation
        for name in ("omo.jsonl", "cron.log"):
            rotate_log(log_dir / name)
        with open(log_dir / "omo.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass



@dataclass
class SkipReport:
    """What a pure normaliser left out and why, counted, so the run's detail can say so."""

    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def describe(self) -> str:
        """'; skipped: a 1, b 2', or '' when nothing was skipped."""
        counts = ", ".join(f"{reason} {count}" for reason, count in sorted(self.skipped.items()))
        return f"; skipped: {counts}" if counts else ""


@dataclass
class Batch:
    """One unit a source hands to the pipeline: rows for one raw table, landed at once.

    `cursor` is where the source would continue after this batch (e.g. the Hub's next-page URL);
    the pipeline saves it only after the batch is safely landed, so a killed run resumes there.
    """

    table: str  # e.g. "raw.prices"
    frame: Any  # polars.DataFrame with the source's explicit schema
    cursor: str | None = None
    pages: int = 1


@dataclass
class RunContext:
    """What a source's collect() knows about its run, and how it reports back."""

    run_id: str
    source: str
    snapshot_date: date
    collected_at: datetime
    resume_cursor: str | None = None  # set when continuing a run that died
    detail: str = ""  # where the data came from, what was skipped: stored with the run
    notices: list[str] = field(default_factory=list)  # lines worth telling the user now
    counters: dict[str, int] = field(default_factory=dict)
    # why the source stopped before its work was done (e.g. rate budget spent); what was landed is
    # loaded, the run is recorded as 'partial' and the command exits 75
    partial: str | None = None

    def notify(self, message: str) -> None:
        self.notices.append(message)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


def parse_timestamp(value: Any) -> datetime | None:
    """An API's ISO-8601 timestamp ('2025-01-20T03:46:07.000Z') as an aware datetime; None when absent
    or unreadable, so one odd field never sinks a record."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
