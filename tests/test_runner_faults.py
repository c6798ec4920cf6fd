"""Faults: the run killed by SIGTERM or SIGKILL, two runs at once.

In every case published reports are the previous good version or a new complete one, the
manifest and index agree with the disk, and the next run recovers by itself. Kernel death, a
hanging job and a full disk are covered in test_runner_execute.py and test_runner_publish.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers.runner.commands import run_command
from runner_helpers import check_agreement, make_project, manifest, run_args

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _pinned_code_hash(monkeypatch):
    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")


def _start_run(root: Path, jobs: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "helpers.cli", "run", "--config", str(root / "reports.yaml"),
         "--jobs", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(predicate, timeout=180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def _ok_count(out: Path) -> int:
    try:
        return sum(j["status"] == "ok" for j in manifest(out)["jobs"])
    except (OSError, ValueError):
        return 0


def _descendants(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _all_gone(pids: list[int]) -> bool:
    return not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_sigkill_mid_run_then_next_run_recovers(tmp_path):
    root = make_project(tmp_path, [{"notebook": "slow", "per": "programme"}])
    out = root / "reports"
    proc = _start_run(root, jobs=1)
    # one report published (manifest and then index written), the other in flight
    _wait_for(lambda: _ok_count(out) == 1 and (out / "index.html").is_file())
    children = _descendants(proc.pid)
    assert children  # a worker (and its kernel) is running
    proc.kill()
    proc.wait()
    jobs = check_agreement(out)
    assert [j["status"] for j in jobs.values()] == ["ok"]
    _wait_for(lambda: _all_gone(children), timeout=30)  # orphaned workers end themselves
    rc = run_command(run_args(root))
    assert rc == 0
    jobs = check_agreement(out)
    assert sorted(jobs) == ["kf_scl/all/slow.html", "lbs_live/all/slow.html"]
    assert {j["status"] for j in jobs.values()} == {"ok"}


def test_second_run_refused_and_sigterm_stops_cleanly(tmp_path, capsys):
    root = make_project(tmp_path, [{"notebook": "slow", "per": "programme"}])
    out = root / "reports"
    proc = _start_run(root, jobs=2)
    lock = out / ".leadeval" / "run.lock"
    _wait_for(lambda: lock.is_file() and lock.read_text().split()[:1] == [str(proc.pid)])
    rc = run_command(run_args(root))
    err = capsys.readouterr().err
    assert rc == 2
    assert f"process {proc.pid}" in err
    _wait_for(lambda: len(_descendants(proc.pid)) >= 2)  # workers started
    children = _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, output
    assert "interrupted by SIGTERM" in output
    _wait_for(lambda: _all_gone(children), timeout=30)
    check_agreement(out)
    assert not lock.exists() or lock.read_text().strip() == ""  # released
    assert run_command(run_args(root)) == 0
    assert {j["status"] for j in check_agreement(out).values()} == {"ok"}
