"""The page-load bench (bench/page_load.py): it knows every page of dashboard/app.py, its report lists
each of them beside the trivial page, and a quick run on one page works end to end in Chromium on
127.0.0.1 (the figures themselves are not judged: `make bench` owns the target)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench import page_load

ROOT = Path(__file__).resolve().parent.parent


def _rows(report: str) -> dict[str, list[str]]:
    """Table rows of the report by page name, as cells."""
    rows = {}
    for line in report.splitlines():
        if line.startswith("| ") and not line.startswith("| page"):
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])]  # not at "\|"
            rows[cells[0]] = cells
    return rows


def test_the_bench_loads_every_page_of_the_dashboard_with_its_chart_count():
    pages = page_load.dashboard_pages()
    source = (ROOT / "dashboard" / "app.py").read_text()
    assert len(pages) == source.count("st.Page(") >= 10
    assert pages[0] == ("Overview", "")  # the default page, at the root
    assert ("Market share", "market_share") in pages and ("SQL", "sql") in pages
    # every page has its expected chart count on the sample data: a new page needs its line
    assert {page_load.page_key(path) for _, path in pages} == set(page_load.CHARTS)


def test_the_report_lists_the_trivial_page_and_every_dashboard_page_with_a_verdict():
    trivial = page_load.Target("trivial one-chart page (bench/trivial_app.py)", "", 1, trivial=True)
    results = [page_load.Result(trivial, [1.0], [3.0], [0.7, 0.8, 0.6], charts=1)]
    for i, (title, path) in enumerate(page_load.dashboard_pages()):
        target = page_load.Target(title, path, page_load.CHARTS[page_load.page_key(path)])
        result = page_load.Result(target, [1.5], [3.5 + i * 0.1], [1.0 + i * 0.2] * 3, charts=target.charts)
        if path == "sql":
            result.error = "not rendered within 60 s: {'script': 'running'} | more"
        results.append(result)
    out = page_load.report(results, 3, 1, 14, (0.5, 0.7), "python -m bench.page_load --repeat 3")
    rows = _rows(out)
    assert set(rows) == {trivial.name} | {title for title, _ in page_load.dashboard_pages()}
    assert all(len(cells) == 8 for cells in rows.values()), out  # an error's "|" does not split a row
    assert "**4.00 s first, 1.70 s warm**" in out  # the trivial page's times + 1 s
    assert rows["Overview"][4:] == ["3.50", "1.00 (1.00–1.00)", "4.00 / 1.70", "✅"]
    assert rows["Licences"][-1] == "✅" and rows["Prices"][-1] == "❌ warm"  # 1.4 s, 1.8 s warm
    assert rows["Price & performance"][-1] == "❌ warm"  # 4.0 s first: within, at the limit
    assert rows["Model explorer"][-1] == "❌ first, warm"
    assert rows["SQL"][-1].startswith("error: not rendered")
    assert "Command: `python -m bench.page_load --repeat 3`" in out


@pytest.mark.skipif(not os.path.exists(page_load.CHROMIUM) and not os.environ.get("CI"),
                    reason="chromium is not installed: apt-get install chromium")
def test_quick_page_load_bench_measures_a_page_beside_the_trivial_one(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "bench.page_load", "--quick", "--page", "prices"], cwd=tmp_path,
                            env=env, check=False, capture_output=True, text=True, timeout=280)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = _rows(result.stdout)
    assert set(rows) == {"trivial one-chart page (bench/trivial_app.py)", "Prices"}
    for name, charts in (("trivial one-chart page (bench/trivial_app.py)", "1"), ("Prices", "1")):
        cells = rows[name]
        assert cells[2] == charts
        assert 0 < float(cells[4]) < 120 and 0 < float(cells[5].split()[0]) < 60, cells  # first load, warm
    assert rows["Prices"][-1] in ("✅", "❌ first", "❌ warm", "❌ first, warm")
    assert "Command: `python -m bench.page_load --quick --page prices`" in result.stdout
    assert not list(tmp_path.iterdir())  # the sample data lived in a temp dir, removed at the end
