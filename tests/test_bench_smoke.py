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
