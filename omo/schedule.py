"""Unattended runs: a crontab block (or systemd units) that collects each source on its cadence.

Each cron line runs under `flock -n` on a per-source lock file, so a run still going when the next
one is due makes the newcomer exit at once instead of piling up; the collectors' own warehouse lock
(exit 75) still guards the warehouse itself. Minutes are staggered and off the top of the hour, when
shared machines and public APIs are busiest. The block sits between two marker comments, so
installing twice changes nothing and removing takes out exactly what was installed.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BEGIN = "# >>> omo (Open Model Observatory): managed by `omo schedule`; do not edit inside <<<"
END = "# <<< omo <<<"


@dataclass(frozen=True)
class Job:
    name: str            # lock and unit name
    args: str            # omo arguments
    cron_time: str       # minute hour day month weekday
    systemd_calendar: str


# Daily sources early in the UTC morning, each at its own minute; quality boards change weekly.
JOBS = [
    Job("hf", "collect hf", "23 4 * * *", "*-*-* 04:23:00"),
    Job("github", "collect github", "47 4 * * *", "*-*-* 04:47:00"),
    Job("prices", "collect prices", "11 5 * * *", "*-*-* 05:11:00"),
    Job("openrouter", "collect openrouter", "29 5 * * *", "*-*-* 05:29:00"),
    Job("quality", "collect quality", "53 5 * * 1", "Mon *-*-* 05:53:00"),
    # publish what the morning collected, and again in the evening for late retries
    Job("build", "build", "37 6,18 * * *", "*-*-* 06,18:37:00"),
]


class ScheduleError(Exception):
    pass


def omo_executable() -> str:
    """The `omo` of this installation, so cron (with its bare PATH) runs the same code."""
    beside = Path(sys.executable).with_name("omo")
    return str(beside) if beside.exists() else shutil.which("omo") or "omo"


def crontab_block(data_dir: Path, omo: str | None = None) -> str:
    omo = omo or omo_executable()
    data_dir = data_dir.resolve()
    lines = [BEGIN, f"# exit 75 = skipped (another run holds the lock, or a rate budget ran out); logs: {data_dir}/logs"]
    for job in JOBS:
        lock = data_dir / "locks" / f"{job.name}.lock"
        command = (f"mkdir -p {shlex.quote(str(lock.parent))} {shlex.quote(str(data_dir / 'logs'))} && "
                   f"OMO_DATA_DIR={shlex.quote(str(data_dir))} "
                   f"flock -n -E 75 {shlex.quote(str(lock))} {shlex.quote(omo)} {job.args} "
                   f">> {shlex.quote(str(data_dir / 'logs' / 'cron.log'))} 2>&1")
        lines.append(f"{job.cron_time} {command}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def systemd_units(data_dir: Path, omo: str | None = None) -> dict[str, str]:
    """File name -> content: one oneshot service and one timer (Persistent=true) per job."""
    omo = omo or omo_executable()
    data_dir = data_dir.resolve()
    units = {}
    for job in JOBS:
        lock = data_dir / "locks" / f"{job.name}.lock"
        units[f"omo-{job.name}.service"] = (
            "[Unit]\n"
            f"Description=Open Model Observatory: omo {job.args}\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"Environment=OMO_DATA_DIR={data_dir}\n"
            f"ExecStartPre=/bin/mkdir -p {lock.parent}\n"
            f"ExecStart=/usr/bin/flock -n -E 75 {lock} {omo} {job.args}\n"
            # 75: skipped on purpose (lock held, or partial data saved) - not a failure to alert on
            "SuccessExitStatus=75\n")
        units[f"omo-{job.name}.timer"] = (
            "[Unit]\n"
            f"Description=Open Model Observatory schedule: omo {job.args}\n\n"
            "[Timer]\n"
            f"OnCalendar={job.systemd_calendar}\n"
            # a machine that was off at the due time runs the job once when it comes back
            "Persistent=true\n"
            "RandomizedDelaySec=120\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n")
    return units


def without_block(crontab: str) -> str:
    """The crontab with our block (markers included) taken out; everything else untouched."""
    kept, inside = [], False
    for line in crontab.splitlines():
        if line == BEGIN:
            inside = True
        elif line == END and inside:
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise ScheduleError("the crontab has the omo start marker but no end marker: fix it with `crontab -e`")
    text = "\n".join(kept).rstrip("\n")
    return text + "\n" if text else ""


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    binary = shutil.which("crontab")
    if binary is None:
        raise ScheduleError("`crontab` is not installed (Debian: apt-get install cron); or use the systemd "
                            "units from `omo schedule --systemd`")
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=False)


def current_crontab() -> str:
    result = _crontab("-l")
    if result.returncode != 0:
        if "no crontab" in result.stderr.lower():
            return ""
        raise ScheduleError(f"crontab -l failed: {result.stderr.strip()}")
    return result.stdout


def _write_crontab(text: str) -> None:
    result = _crontab("-", stdin=text)
    if result.returncode != 0:
        raise ScheduleError(f"crontab could not be written: {result.stderr.strip()}")


def install(data_dir: Path) -> bool:
    """Put our block into the user's crontab, replacing an older one. False when already there."""
    existing = current_crontab()
    wanted = without_block(existing) + crontab_block(data_dir)
    if wanted == existing:
        return False
    _write_crontab(wanted)
    return True


def remove() -> bool:
    """Take our block out of the user's crontab. False when it was not there."""
    existing = current_crontab()
    wanted = without_block(existing)
    if wanted == existing:
        return False
    _write_crontab(wanted)
    return True
