"""Resume state of an unfinished run: data/state/<source>.json, replaced atomically.

Written after each landed batch; removed when the run's load commits. A run that finds state
from the same snapshot date (and the same options) continues it: same run id, landed parts
kept, paging from the saved cursor.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class RunState:
    run_id: str
    snapshot_date: str
    options: dict
    cursor: str | None = None
    parts: list[list[str]] = field(default_factory=list)  # [[raw_table, landed path], ...]
    pages: int = 0
    # every batch landed: a rerun only has to load them (collecting again would load rows twice)
    collected: bool = False
    detail: str | None = None   # the collected run's detail and early stop, for its collector_runs row
    partial: str | None = None


def state_path(data_dir: Path, source: str) -> Path:
    return data_dir / "state" / f"{source}.json"


def read_state(data_dir: Path, source: str) -> RunState | None:
    path = state_path(data_dir, source)
    try:
        return RunState(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        path.unlink(missing_ok=True)  # unreadable state: start afresh rather than fail forever
        return None


def write_state(data_dir: Path, source: str, state: RunState) -> None:
    path = state_path(data_dir, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(tmp, path)


def clear_state(data_dir: Path, source: str) -> None:
    state_path(data_dir, source).unlink(missing_ok=True)
