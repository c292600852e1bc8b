"""Scheduling: the crontab block, installing it idempotently, its flock guard, systemd units, and
`omo status` as a monitor. Real subprocesses; `crontab` is a stand-in script on PATH that keeps the
table in a file (this machine has no cron daemon), and flock is the real util-linux one."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from collectors.runs import log_event, rotate_log
from omo.schedule import BEGIN, END, JOBS
from tests.conftest import run_omo

FAKE_CRONTAB = """#!/bin/sh
# crontab -l prints the table (or fails like cron's when there is none); crontab - replaces it
if [ "$1" = "-l" ]; then
    if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE"; exit 0; fi
    echo "no crontab for $(id -un)" >&2; exit 1
fi
if [ "$1" = "-" ]; then cat > "$FAKE_CRONTAB_FILE"; exit 0; fi
echo "unsupported: $*" >&2; exit 2
"""


@pytest.fixture
def crontab(tmp_path, data_dir):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crontab"
    script.write_text(FAKE_CRONTAB)
    script.chmod(0o755)
    table = tmp_path / "crontab.txt"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_CRONTAB_FILE": str(table)}
    return table, env


def _cron_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_printed_block_runs_every_source_under_flock_off_the_hour(data_dir):
    result = run_omo("schedule")
    assert result.returncode == 0, result.stderr
    lines = _cron_lines(result.stdout)
    assert len(lines) == len(JOBS)
    for job, line in zip(JOBS, lines):
        minute = line.split()[0]
        assert minute != "0" and 0 < int(minute) < 60
        assert f"flock -n -E 75 {data_dir.resolve()}/locks/{job.name}.lock" in line
        assert f"omo {job.args}" in line and f"OMO_DATA_DIR={data_dir.resolve()}" in line
    assert len({line.split()[0] for line in lines}) == len(lines)  # staggered: no two at the same minute
    assert {"collect hf", "collect github", "collect prices", "collect openrouter", "collect quality",
            "build"} == {job.args for job in JOBS}


def test_install_is_idempotent_and_remove_keeps_the_users_own_lines(crontab):
    table, env = crontab
    table.write_text("MAILTO=me@example.org\n0 3 * * * /usr/local/bin/backup\n")
    first = run_omo("schedule", "--install", env=env)
    assert first.returncode == 0 and "installed" in first.stdout
    installed = table.read_text()
    second = run_omo("schedule", "--install", env=env)
    assert second.returncode == 0 and "nothing changed" in second.stdout
    assert table.read_text() == installed
    assert installed.count(BEGIN) == 1 and installed.count(END) == 1
    assert installed.startswith("MAILTO=me@example.org\n0 3 * * * /usr/local/bin/backup\n")
    removed = run_omo("schedule", "--remove", env=env)
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert table.read_text() == "MAILTO=me@example.org\n0 3 * * * /usr/local/bin/backup\n"
    again = run_omo("schedule", "--remove", env=env)
    assert again.returncode == 0 and "no omo block" in again.stdout


def test_install_into_an_empty_crontab_and_a_broken_block_is_refused(crontab):
    table, env = crontab
    assert run_omo("schedule", "--install", env=env).returncode == 0
    assert table.read_text().startswith(BEGIN)
    table.write_text(f"{BEGIN}\n5 5 * * * something\n")  # the end marker was deleted by hand
    broken = run_omo("schedule", "--install", env=env)
    assert broken.returncode == 1 and "no end marker" in broken.stderr and "Traceback" not in broken.stderr


def test_without_crontab_the_error_says_what_to_do(data_dir):
    result = run_omo("schedule", "--install", env={"PATH": "/nonexistent"})
    assert result.returncode == 1
    assert "`crontab` is not installed" in result.stderr and "--systemd" in result.stderr


@pytest.mark.skipif(shutil.which("flock") is None, reason="util-linux flock is not installed")
def test_a_scheduled_line_exits_75_while_another_run_holds_its_lock(data_dir):
    block = run_omo("schedule").stdout
    build_line = next(line for line in _cron_lines(block) if "/locks/build.lock" in line)
    command = build_line.split(" ", 5)[5]  # drop the five time fields, as cron does
    lock = data_dir.resolve() / "locks" / "build.lock"
    lock.parent.mkdir(parents=True)
    # flock hands the lock to its child: the whole group goes when the test is done with it
    holder = subprocess.Popen(["flock", str(lock), "sleep", "30"], start_new_session=True)
    try:
        for _ in range(50):  # wait until the holder has the lock
            if subprocess.run(["flock", "-n", str(lock), "true"], check=False).returncode != 0:
                break
            subprocess.run(["sleep", "0.1"], check=False)
        blocked = subprocess.run(["sh", "-c", command], check=False, timeout=60)
        assert blocked.returncode == 75
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    ran = subprocess.run(["sh", "-c", command], check=False, timeout=120)
    assert ran.returncode == 0
    assert "published" in (data_dir.resolve() / "logs" / "cron.log").read_text()


def test_systemd_units_are_persistent_timers_with_75_as_success(data_dir):
    result = run_omo("schedule", "--systemd")
    assert result.returncode == 0
    for job in JOBS:
        service = re.search(rf"# ~/.config/systemd/user/omo-{job.name}.service\n(.*?)(?=\n# )", result.stdout, re.S)
        timer = re.search(rf"# ~/.config/systemd/user/omo-{job.name}.timer\n(.*?)(?=\n# )", result.stdout, re.S)
        assert service and "SuccessExitStatus=75" in service.group(1) and "flock -n -E 75" in service.group(1)
        assert timer and "Persistent=true" in timer.group(1) and "OnCalendar=" in timer.group(1)
    assert "systemctl --user enable --now" in result.stdout


def test_status_exits_3_when_a_source_is_missing_or_stale(data_dir, prices_url):
    assert run_omo("collect", "prices").returncode == 0
    result = run_omo("status")
    assert result.returncode == 3
    assert "not fresh: hf (never run)" in result.stderr and "prices" not in result.stderr.split("not fresh:")[1]


def test_status_exits_0_when_every_source_is_fresh(built_warehouse):
    result = run_omo("status")
    assert result.returncode == 0, result.stderr


def test_the_run_log_rotates_and_keeps_five_files(tmp_path):
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    log = log_dir / "omo.jsonl"
    for generation in range(7):
        log.write_text(f"generation {generation}\n" + "x" * 100)
        rotate_log(log, max_bytes=50, keep=5)
    kept = sorted(p.name for p in log_dir.iterdir())
    assert kept == ["omo.jsonl.1", "omo.jsonl.2", "omo.jsonl.3", "omo.jsonl.4", "omo.jsonl.5"]
    assert (log_dir / "omo.jsonl.1").read_text().startswith("generation 6")
    assert (log_dir / "omo.jsonl.5").read_text().startswith("generation 2")
    log_event(log_dir, "run-1", "prices", "start")  # a fresh file after the rotation
    assert Path(log).read_text().count("\n") == 1
