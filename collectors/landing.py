"""The landing zone: immutable Parquet files, one per run, hive-partitioned by source and date.

data/landing/source=<source>/snapshot_date=<YYYY-MM-DD>/<run_id>-<part>.parquet

A file is written under a temporary name and renamed into place only when complete, so a killed
run leaves at most an orphan *.tmp file, never a half-written file that looks finished.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl


def landing_path(landing_dir: Path, source: str, snapshot_date: date, run_id: str, part: str) -> Path:
    return (landing_dir / f"source={source}" / f"snapshot_date={snapshot_date.isoformat()}"
            / f"{run_id}-{part}.parquet")


def land(frame: pl.DataFrame, landing_dir: Path, source: str, snapshot_date: date, run_id: str,
         part: str = "0") -> Path:
    final = landing_path(landing_dir, source, snapshot_date, run_id, part)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".tmp")
    try:
        frame.write_parquet(tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final
