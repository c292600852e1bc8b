"""Readers' side of publishing: find the current serving copy and open it read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.publish import POINTER


class NothingPublished(Exception):
    """No serving copy yet: run `omo collect` and `omo build` first."""


def current_serving_file(serving_dir: Path) -> Path:
    pointer = serving_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NothingPublished(f"nothing published yet in {serving_dir}: run `omo collect all` "
                               f"then `omo build`") from None
    path = serving_dir / name
    if not name or not path.is_file():
        raise NothingPublished(f"{pointer} points at {name!r}, which does not exist: run `omo build`")
    return path


def open_serving(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
