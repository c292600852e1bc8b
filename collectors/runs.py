"""Run identity, JSON-lines run log, and the errors every collector raises.

A run id is sortable by time (UTC timestamp first) and unique (random suffix), so landing files
and log lines of one run are easy to find and order.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECRET_ENV_VARS = ("HF_TOKEN", "GITHUB_TOKEN", "OPENROUTER_API_KEY")


class SourceError(Exception):
    """A source answered with something we cannot use (HTTP error, malformed body, bad schema)."""


class SourceUnreachable(SourceError):
    """The source's host could not be reached at all: no network, DNS failure, refused."""


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def redact(text: str) -> str:
    """Remove token values from text that may end up in a log, a table or the terminal."""
    for var in SECRET_ENV_VARS:
        value = os.environ.get(var)
        if value and len(value) >= 4:
            text = text.replace(value, f"<{var} redacted>")
    return text


def log_event(log_dir: Path, run_id: str, source: str, event: str, **fields: Any) -> None:
    """Append one JSON line to <data_dir>/logs/omo.jsonl; logging must never break a run."""
    record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "run_id": run_id,
              "source": source, "event": event, **fields}
    line = redact(json.dumps(record, default=str))
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / "omo.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass



@dataclass
class Collected:
    """What a source's collect() hands to the pipeline: the normalised rows and how they came."""

    frame: Any  # polars.DataFrame with the source's explicit schema
    detail: str  # where the data came from, counts of skipped records
    pages: int = 1
    notice: str | None = None  # one line worth telling the user (e.g. fell back to packaged data)
