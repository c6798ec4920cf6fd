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


# --- the dataset lock: shared for runs, exclusive for imports -----------------------------------

from helpers.runner.lock import DatasetLock  # noqa: E402

COUNTER = """
import sys, time
from pathlib import Path
from helpers.runner.lock import DatasetLock
folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
for _ in range(rounds):
    lock = DatasetLock(folder, shared=False, holder="counter").acquire(wait=60)
    path = folder / "count.txt"
    n = int(path.read_text()) if path.exists() else 0
    time.sleep(0.002)  # widen the read-modify-write window: a lost update shows without the lock
    path.write_text(str(n + 1))
    lock.release()
"""

READER = """
import sys, time
from helpers.runner.lock import DatasetLock
lock = DatasetLock(sys.argv[1], shared=True).acquire()
print("reading", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_exclusive_dataset_lock_serialises_processes_none_lost(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path), "25"]) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert (tmp_path / "count.txt").read_text() == "100"
    # every holder removed the lock file on release: nothing left behind
    assert not (tmp_path / ".leadeval").exists()


def test_readers_share_the_lock_and_an_import_waits_for_them(tmp_path):
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        with DatasetLock(tmp_path, shared=True):  # a second reader is not kept out
            pass
        told = []
        with pytest.raises(LockHeld, match="a leadeval run is reading the dataset"):
            DatasetLock(tmp_path, shared=False).acquire(wait=0.2, say=told.append)
        assert told and told[0].startswith("waiting")
    finally:
        reader.stdin.write("\n")
        reader.stdin.close()
        reader.wait(timeout=30)
    with DatasetLock(tmp_path, shared=False, holder="leadeval import-qda") as lock:
        assert lock.path.read_text().split()[0] == str(os.getpid())
    assert not lock.path.exists()


def test_a_run_is_told_which_import_holds_the_dataset(tmp_path):
    holder = HOLDER.replace("RunLock(sys.argv[1])",
                            "DatasetLock(sys.argv[1], shared=False, holder='leadeval import-qda')")
    holder = holder.replace("import RunLock", "import DatasetLock")
    proc = subprocess.Popen([sys.executable, "-c", holder, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld) as info:
            DatasetLock(tmp_path, shared=True).acquire()
        assert f"leadeval import-qda (process {proc.pid}) is changing the dataset" in str(info.value)
    finally:
        proc.kill()
        proc.wait()
    # killed mid-import: its PID is stale; a reader takes the lock and clears it
    with DatasetLock(tmp_path, shared=True) as lock:
        assert lock.stale_pid == proc.pid
    assert not lock.path.exists()


def test_empty_lock_file_left_behind_is_taken_over_and_removed(tmp_path):
    path = tmp_path / ".leadeval" / "run.lock"
    path.parent.mkdir()
    path.write_text("")
    with DatasetLock(tmp_path, shared=False) as lock:
        assert lock.stale_pid is None
    assert not path.exists() and not path.parent.exists()


def test_reader_in_a_read_only_folder_goes_ahead_without_a_lock(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        lock = DatasetLock(folder, shared=True).acquire()
        assert lock.available is False
        lock.release()
        with pytest.raises(OSError):
            DatasetLock(folder, shared=False).acquire()
    finally:
        folder.chmod(0o755)
