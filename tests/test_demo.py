"""`omo demo`: the real collectors against the local sample server, into `<data_dir>-demo`, marked
as sample data, never mixed with the real data directory, the same sample for the same days."""

from __future__ import annotations

import socket
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from collectors.pipeline import SAMPLE_DATA_MARKER, run_source
from collectors.runs import SourceError
from collectors.settings import Settings
from omo.demo import (
    DemoError,
    demo_command,
    demo_data_dir,
    is_sample_data_dir,
    run_demo,
)
from omo.demo.run import Sample, demo_window
from omo.demo.server import SampleServer
from tests.conftest import run_omo
from tests.test_build_publish import MART_KEYS
from warehouse.serving import current_serving_file, open_serving

DAYS = 3
RAW_TABLES = ("prices", "hf_models", "github_repos", "github_star_history", "openrouter_models", "quality_scores")
# what differs between two runs of the same sample: the run, the clock, and the server's port
VOLATILE_COLUMNS = {"run_id", "collected_at", "source_detail"}


@pytest.fixture
def loopback_only(monkeypatch) -> list:
    """Every TCP connection the process opens is recorded; one beyond 127.0.0.1 fails the test."""
    reached = []
    connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            reached.append(address[0])
            assert address[0] in ("127.0.0.1", "::1"), f"the demo tried to reach {address}"
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return reached


def landed(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Per raw table: rows, and a checksum of every row (volatile columns left out), in a fixed order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sums = {}
        for table in RAW_TABLES:
            columns = [name for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
                "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall() if name not in VOLATILE_COLUMNS]
            sums[table] = con.execute(f"""SELECT count(*), md5(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR))
                                          FROM (SELECT {', '.join(columns)} FROM raw.{table}) AS t""").fetchone()
        return sums


def test_demo_end_to_end_into_its_own_marked_directory(data_dir, loopback_only, monkeypatch):
    # tokens in the environment must not reach the sample server (it answers 401 to credentials)
    monkeypatch.setenv("HF_TOKEN", "hf_not_for_the_demo")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_for_the_demo")
    lines = []
    demo_dir = run_demo(days=DAYS, serve=False, say=lines.append)

    assert demo_dir == data_dir.parent / "data-demo" == demo_data_dir(data_dir)
    assert is_sample_data_dir(demo_dir) and "SAMPLE DATA" in (demo_dir / SAMPLE_DATA_MARKER).read_text()
    assert not data_dir.exists(), "the real data directory was touched"
    assert len(lines) == DAYS + 3 and all(line.count("\n") == 0 for line in lines)
    assert set(loopback_only) == {"127.0.0.1"}

    window = demo_window(DAYS)
    with duckdb.connect(str(demo_dir / "omo.duckdb"), read_only=True) as con:
        hub_days = [day for (day,) in con.execute(
            "SELECT DISTINCT snapshot_date FROM raw.hf_models ORDER BY 1").fetchall()]
        details = [detail for (detail,) in con.execute("SELECT detail FROM raw.collector_runs").fetchall()]
        statuses = {status for (status,) in con.execute("SELECT DISTINCT status FROM raw.collector_runs").fetchall()}
    assert hub_days == window
    assert statuses == {"ok"}
    assert all("127.0.0.1" in detail and "/sample/" in detail for detail in details), details

    con = open_serving(current_serving_file(demo_dir / "serving"))
    try:
        marts = {name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
        assert set(MART_KEYS) <= marts
        empty = [mart for mart in sorted(marts) if con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] == 0]
        assert empty == [], f"empty marts in the demo: {empty}"
        boards = dict(con.execute("""SELECT benchmark, count(DISTINCT model_key) FROM marts.price_performance
                                     GROUP BY ALL""").fetchall())
        assert boards.get("epoch_eci", 0) >= 40 and boards.get("lmarena_text", 0) >= 40, boards
        daily = con.execute("""SELECT count(*) FILTER (WHERE downloads_per_day > 0), count(*) FILTER (WHERE downloads_per_day < 0)
                               FROM marts.model_downloads_daily WHERE NOT is_first_snapshot""").fetchone()
        assert daily[0] > 2_000 and daily[1] == 0
        touched = dict(con.execute("""SELECT rule, models_touched FROM marts.download_adjustment_summary
                                      WHERE snapshot_date = (SELECT max(snapshot_date)
                                                             FROM marts.download_adjustment_summary)""").fetchall())
        # flat and spike need a week of days (the default 14-day demo shows them); rollup needs one
        assert set(touched) == {"quantized_rollup", "flat_daily_downloads", "download_spike"}
        assert touched["quantized_rollup"] > 0, touched
        capped, ranked = con.execute("""SELECT count(*) FILTER (WHERE history_capped),
                                               count(*) FILTER (WHERE rank_in_category_30d IS NOT NULL)
                                        FROM marts.repo_growth""").fetchone()
        assert capped == 2 and ranked > 10
    finally:
        con.close()

    # a normal collection refuses the sample directory, before touching anything
    monkeypatch.setenv("OMO_DATA_DIR", str(demo_dir))
    with pytest.raises(SourceError, match="sample-data directory made by `omo demo`"):
        run_source("prices", Settings(), mode="packaged")
    cli = run_omo("collect", "prices", "--prices-mode", "packaged")
    assert cli.returncode == 1 and "set OMO_DATA_DIR to your real data directory" in cli.stderr
    assert "Traceback" not in cli.stderr
    first = landed(demo_dir / "omo.duckdb")
    with duckdb.connect(str(demo_dir / "omo.duckdb"), read_only=True) as con:
        first_runs = {run for (run,) in con.execute("SELECT run_id FROM raw.collector_runs").fetchall()}
    assert len(first_runs) == len(details)

    # a rerun replaces the directory, and the same days give the same landed rows
    monkeypatch.setenv("OMO_DATA_DIR", str(data_dir))
    (demo_dir / "left-over.txt").write_text("from the previous demo")
    assert run_demo(days=DAYS, serve=False, say=lambda line: None) == demo_dir
    assert not (demo_dir / "left-over.txt").exists() and is_sample_data_dir(demo_dir)
    with duckdb.connect(str(demo_dir / "omo.duckdb"), read_only=True) as con:
        second_runs = {run for (run,) in con.execute("SELECT run_id FROM raw.collector_runs").fetchall()}
    assert first_runs.isdisjoint(second_runs)
    assert landed(demo_dir / "omo.duckdb") == first
    assert all(rows > 0 for rows, _ in first.values()), first
    assert not data_dir.exists()


def test_a_directory_without_the_marker_is_refused(data_dir):
    taken = data_dir.parent / "data-demo"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(DemoError, match="not a sample-data directory"):
        run_demo(days=DAYS, serve=False, say=lambda line: None)
    assert (taken / "notes.txt").read_text() == "mine" and not is_sample_data_dir(taken)

    app = typer.Typer()
    app.command()(demo_command)
    result = CliRunner().invoke(app, ["--days", str(DAYS), "--no-serve"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("omo: error:") and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output and (taken / "notes.txt").exists()


def test_same_days_same_sample_bytes():
    """The generator is deterministic: two servers (two ports) answer the same, port aside."""
    window = demo_window(4)
    answers = []
    for _ in range(2):
        server = SampleServer()  # bound, not started: answer() is called directly
        try:
            sample = Sample.mount(server, window)
            sample.go_to(2)
            paths = [url.removeprefix(server.base_url) for url in
                     (sample.urls["prices"], sample.urls["openrouter"], sample.urls["epoch"], sample.urls["lmarena"])]
            paths += ["/sample/hub/api/models?sort=downloads&direction=-1&limit=1000",
                      "/sample/github/repos/vllm-project/vllm",
                      "/sample/github/repos/vllm-project/vllm/stargazers?page=3&per_page=100"]
            replies = [server.answer(path) for path in paths]
            assert all(reply.status == 200 for reply in replies)
            answers.append([(reply.body + repr(reply.headers).encode()).replace(server.base_url.encode(), b"BASE")
                            for reply in replies])
        finally:
            server.httpd.server_close()
    assert answers[0] == answers[1]
