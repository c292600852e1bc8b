"""The Hub throughput bench runs end to end in --quick mode, on 127.0.0.1 only, and reports
positive figures for ours, the fair peer and the strawman (the numbers themselves are not judged)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rate(table: str, label: str) -> float:
    row = next((line for line in table.splitlines() if line.startswith(f"| {label}")), None)
    assert row is not None, f"no row for {label!r} in:\n{table}"
    cells = [c.strip() for c in row.strip("|").split("|")]
    models, seconds, rate = int(cells[2].replace(",", "")), float(cells[3].split()[0]), \
        float(cells[4].replace(",", ""))
    assert models > 0 and seconds > 0 and rate > 0, row
    return rate


def test_quick_bench_reports_three_contenders(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "bench.hf_throughput", "--quick"], cwd=tmp_path, env=env,
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "2,000 models, 2 page(s)" in out
    for label in ("ours, end to end", "ours, client-side", "fair peer, end to end", "fair peer, client-side",
                  "strawman", "replay server alone"):
        _rate(out, label)
    assert re.search(r"\| ours / fair peer, end to end \| \d+\.\d\d× \|", out)
    assert re.search(r"\| ours / strawman, end to end \| \d+\.\d\d× \|", out)
    assert "Machine: " in out and "huggingface_hub " in out and "Command: `python -m bench.hf_throughput --quick`" in out


def test_quick_history_bench_builds_and_times_every_dashboard_query(tmp_path):
    from dashboard.queries import QUERIES

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "bench.history", "--quick"], cwd=tmp_path, env=env,
                            check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "20,000 models x 30 days (600,000 rows)" in out
    for measure in ("warehouse bytes per model-day", "full build", "build after one more day"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {measure}"))
        assert float(row.split("|")[2].split()[0]) > 0, row
    timed = {line.split("|")[1].strip() for line in out.splitlines()
             if line.startswith("| ") and line.count("|") == 5 and not line.startswith("| query")}
    assert timed == set(QUERIES)  # every query the dashboard runs, none failing
    assert "failed" not in result.stderr
