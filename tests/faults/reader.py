"""A dashboard-like reader for tests/test_faults.py: reads the published copy in a loop.

    python -m tests.faults.reader <serving_dir> <out_dir>

Like dashboard/data.py: each read finds the current copy through the pointer (warehouse.serving)
and opens it read-only, one cached connection per copy. A read asks, in one statement, for the row
counts of three marts. Writes <out_dir>/ready after the first read; stops when <out_dir>/stop
exists and writes <out_dir>/result.json: {"reads": n, "seen": {copy: [[counts], ...]}, "errors": [...]}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from warehouse.serving import current_serving_file, open_serving

MARTS = ("current_prices", "price_history", "collector_run_log")
QUERY = "SELECT " + ", ".join(f"(SELECT count(*) FROM marts.{name})" for name in MARTS)


def main(serving_dir: Path, out: Path) -> None:
    connections = {}
    seen: dict[str, set[tuple]] = {}
    errors: list[str] = []
    reads = 0
    deadline = time.monotonic() + 180
    while not (out / "stop").exists() and time.monotonic() < deadline:
        try:
            path = current_serving_file(serving_dir)
            if path.name not in connections:
                connections[path.name] = open_serving(path)
            cursor = connections[path.name].cursor()
            try:
                counts = cursor.execute(QUERY).fetchone()
            finally:
                cursor.close()
            seen.setdefault(path.name, set()).add(tuple(counts))
        except Exception as exc:  # noqa: BLE001 - every error is a finding
            errors.append(f"{type(exc).__name__}: {exc}")
        reads += 1
        if reads == 1:
            (out / "ready").write_text("ready")
        time.sleep(0.005)  # pacing, not synchronisation: leave the CPU to the writers
    result = {"marts": MARTS, "reads": reads, "errors": errors[:20], "error_count": len(errors),
              "seen": {name: sorted(map(list, counts)) for name, counts in seen.items()}}
    tmp = out / "result.json.tmp"
    tmp.write_text(json.dumps(result))
    os.replace(tmp, out / "result.json")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
