"""Run `omo` with one fault injected at an exact point, for tests/test_faults.py.

    python -m tests.faults.inject <point> <handshake_dir> <omo arguments...>

The sources are not modified: this process wraps one function before running the real CLI, so a
test can kill it (SIGKILL) or fail it at a moment it cannot otherwise reach reliably.

Points (OMO_FAULT_AT=N picks the N-th landing write, default 1):
- land:   the landing write has written half its Parquet bytes to the .tmp file, then pauses.
- enospc: the landing write has written half its Parquet bytes to the .tmp file, then fails with
          OSError(ENOSPC), as a full disk does.
- load:   the load has run its DELETE and INSERT inside its transaction (the writer lock held, nothing
          committed), then pauses.

Pausing: write <handshake_dir>/ready (JSON: pid, point, detail), then wait until
<handshake_dir>/release exists; a test either SIGKILLs the process meanwhile or releases it.
"""

from __future__ import annotations

import errno
import io
import json
import os
import sys
import time
from pathlib import Path

import polars as pl

from collectors import pipeline

GIVE_UP_S = 180  # never outlive a test run that lost track of this process
POINT, HANDSHAKE, AT = "", Path(), 1


def pause(detail: str) -> None:
    HANDSHAKE.mkdir(parents=True, exist_ok=True)
    ready = HANDSHAKE / "ready.tmp"
    ready.write_text(json.dumps({"pid": os.getpid(), "point": POINT, "detail": detail}))
    os.replace(ready, HANDSHAKE / "ready")
    deadline = time.monotonic() + GIVE_UP_S
    while not (HANDSHAKE / "release").exists():
        if time.monotonic() > deadline:
            os._exit(70)
        time.sleep(0.02)


def _patch_landing_write() -> None:
    real = pl.DataFrame.write_parquet
    writes = {"n": 0}

    def write_parquet(self, file, *args, **kwargs):
        writes["n"] += 1
        if writes["n"] != AT:
            return real(self, file, *args, **kwargs)
        buffer = io.BytesIO()
        real(self, buffer, *args, **kwargs)
        data = buffer.getvalue()
        with open(file, "wb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            os.fsync(fh.fileno())
        if POINT == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        pause(str(file))
        return real(self, file, *args, **kwargs)

    pl.DataFrame.write_parquet = write_parquet


def _patch_load() -> None:
    real = pipeline.load_run
    paused = {"done": False}

    def load_run(con, parts, run, replace_on=None, between_statements=None):
        def step(name: str) -> None:
            if name == "inserted" and not paused["done"]:
                paused["done"] = True
                pause(run.run_id)

        return real(con, parts, run, replace_on=replace_on, between_statements=step)

    pipeline.load_run = load_run


def main() -> None:
    global POINT, HANDSHAKE, AT
    POINT, HANDSHAKE, args = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    AT = int(os.environ.get("OMO_FAULT_AT", "1"))
    if POINT in ("land", "enospc"):
        _patch_landing_write()
    elif POINT == "load":
        _patch_load()
    else:
        raise SystemExit(f"unknown fault point {POINT!r}")
    from omo.cli import app  # after the patch, as the CLI would import it

    app(args=args, prog_name="omo")


if __name__ == "__main__":
    main()
