"""One run per reports folder; a lock left by a killed run is cleared."""

import os
import subprocess
import sys
import time

import pytest

from helpers.runner.exceptions import LockHeld
from helpers.runner.lock import RunLock, pid_alive

HOLDER = """
import sys, time
from helpers.runner.lock import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_second_run_is_refused_naming_the_holder(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld) as info:
            RunLock(tmp_path).acquire()
        assert info.value.pid == proc.pid
        assert f"process {proc.pid}" in str(info.value)
    finally:
        proc.kill()
        proc.wait()
    # the holder was killed (SIGKILL): its lock is stale and is taken over
    lock = RunLock(tmp_path).acquire()
    assert lock.stale_pid == proc.pid
    assert not pid_alive(proc.pid)
    lock.release()


def test_lock_is_released_and_reusable(tmp_path):
    with RunLock(tmp_path) as lock:
        assert lock.path.read_text().split()[0] == str(os.getpid())
    assert not lock.path.exists()  # released: no empty lock file left behind
    with RunLock(tmp_path) as again:
        assert again.stale_pid is None


def test_stale_pid_file_without_a_process(tmp_path):
    path = tmp_path / ".leadeval" / "run.lock"
    path.parent.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path.write_text(f"{dead.pid}\n")
    with RunLock(tmp_path) as lock:
        assert lock.stale_pid == dead.pid
