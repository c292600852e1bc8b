"""`make bench`: every benchmark in one run on this machine, appended to BENCHMARKS.md.

    python -m bench.report [--quick]

Runs, each in its own process so one's memory does not colour the next:
- bench.hf_throughput: Hub collection, ours vs the fair peer (HfApi.list_models -> DataFrame ->
  one bulk insert) on the same locally replayed pages, models/s and peak RSS;
- bench.history: a warehouse of N models x D days: bytes per model-day, full and next-day build,
  and p50/p95 of every dashboard query;
- bench.page_load: every dashboard page in headless Chromium, first load (fresh server) and warm,
  beside a trivial one-chart Streamlit page (needs Debian's chromium).
Full scale is slow (2 M models); --quick uses CI sizes, prints the report and appends nothing (the
figures of a smoke run are not worth keeping).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import hf_throughput

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    ("bench.hf_throughput", [], ["--quick"]),
    ("bench.history", [], ["--quick"]),
    ("bench.page_load", [], ["--quick"]),
]


def machine() -> str:
    facts = hf_throughput.machine()
    return (f"{facts['nproc']} cores, {facts['cpu']}, {facts['memory']} RAM, Python {facts['python']}, "
            f"{facts['os']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI sizes; print only")
    args = parser.parse_args()
    sections = [f"# Benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\nMachine: {machine()}\n"
                f"Command: `python -m bench.report{' --quick' if args.quick else ''}`\n"]
    failed = []
    for module, full_args, quick_args in BENCHES:
        command = [sys.executable, "-m", module, *(quick_args if args.quick else full_args)]
        print(f"running {' '.join(command[2:])} …", file=sys.stderr, flush=True)
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            failed.append(module)
            sections.append(f"## {module} failed (exit {result.returncode})\n\n```\n{result.stderr[-2000:]}\n```\n")
        else:
            sections.append(result.stdout.strip() + "\n")
    report = "\n".join(sections)
    print(report)
    if not args.quick:
        with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + report)
        print(f"appended to {ROOT / 'BENCHMARKS.md'}", file=sys.stderr)
    if failed:
        raise SystemExit(f"bench: {', '.join(failed)} failed")


if __name__ == "__main__":
    main()
