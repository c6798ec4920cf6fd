"""Locks: one ``leadeval run`` per reports folder, and no import while a dataset is in use.

A lock is a file ``.leadeval/run.lock`` held with ``fcntl.flock`` for as long as its holder
lives. The kernel drops a flock when its process dies, however it dies, so a lock file left by a
killed process is not locked and is simply taken over (its PID is reported as stale); a live
holder is named in the error. Worker processes are started with ``spawn``, so they do not
inherit a lock.

Two lock files:

- the reports folder's (:class:`RunLock`, exclusive): two runs never publish into one folder;
- the dataset folder's (:class:`DatasetLock`): ``leadeval run`` holds it *shared* while it
  reads the dataset and runs the reports (several runs may read one dataset at once), and
  ``leadeval import`` and ``leadeval import-qda`` hold it *exclusive* from before they read the
  existing tables until their new files are in place, so concurrent imports happen one after
  another and none is lost, and no report is built from a half-imported dataset.

A lock file is removed when its last holder releases it, so no empty lock file is left behind.
Removing a flock file is safe only because every acquirer checks, once it holds the lock, that
the file it locked is still the one at the path (same inode), and starts again if not.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

#: Seconds an import (or a run) waits for the dataset lock before it refuses; the environment
#: variable LEADEVAL_IMPORT_WAIT overrides.
LOCK_WAIT_ENV = "LEADEVAL_IMPORT_WAIT"
DEFAULT_LOCK_WAIT = 60.0


def lock_wait() -> float:
    """How long to wait for the dataset lock (LEADEVAL_IMPORT_WAIT, else 60 seconds)."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_LOCK_WAIT

from helpers.runner.exceptions import LockHeld

LOCK_DIR = ".leadeval"
LOCK_NAME = "run.lock"
#: How often a waiting process tries the lock again, in seconds.
POLL = 0.05


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (signal 0 probes without sending anything)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileLock:
    """A flock on ``folder/.leadeval/run.lock``, exclusive or shared.

    Parameters
    ----------
    folder : the folder the lock protects.
    shared : take a shared lock (readers) instead of an exclusive one.
    holder : what an exclusive holder is, in words, for the error another process gets.

    Attributes
    ----------
    stale_pid : int or None
        After :meth:`acquire`, the PID a dead exclusive holder left in the file, if any.
    available : bool
        False when a shared lock could not be taken because the folder is read-only (nobody
        can change it through this account then, so reading goes ahead without the lock).
    """

    #: A dataset's lock (messages speak of the dataset) rather than a reports folder's.
    dataset = False

    def __init__(self, folder: str | Path, shared: bool = False, holder: str = "leadeval run"):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_DIR / LOCK_NAME
        self.shared = shared
        self.holder = holder
        self.fd: int | None = None
        self.stale_pid: int | None = None
        self.available = True

    def _read(self) -> tuple[int | None, str]:
        """(PID, what it is) written by the exclusive holder, or (None, "")."""
        try:
            pid, _, what = self.path.read_text().strip().partition(" ")
            return int(pid), what.strip()
        except (OSError, ValueError):
            return None, ""

    def _read_pid(self) -> int | None:
        return self._read()[0]

    def _open(self) -> int | None:
        """An fd on the lock file (created when absent); None for a reader in a read-only folder."""
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                continue  # the last holder removed .leadeval/ between mkdir and open
            except OSError as err:
                if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS) or not self.shared:
                    raise
                try:  # a lock file may exist in a folder we cannot write: lock it read-only
                    return os.open(self.path, os.O_RDONLY)
                except OSError:
                    return None

    def _held(self) -> LockHeld:
        """The error for a lock someone else holds, naming them."""
        pid, what = self._read()
        if not self.dataset:
            return LockHeld(str(self.folder), pid)
        if pid is None:  # only readers hold it; they do not write their PIDs
            return LockHeld(str(self.folder), None,
                            f"a leadeval run is reading the dataset {self.folder}; try again when "
                            "it has finished")
        return LockHeld(str(self.folder), pid,
                        f"{what or 'an import'} (process {pid}) is changing the dataset "
                        f"{self.folder}; try again when it has finished")

    def acquire(self, wait: float = 0.0, say: Callable[[str], None] | None = None) -> "FileLock":
        """Take the lock, waiting up to ``wait`` seconds for a holder to finish (``say`` is told
        once that we wait); raises :class:`LockHeld` after that."""
        deadline = time.monotonic() + wait
        told = False
        mode = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        while True:
            fd = self._open()
            if fd is None:
                self.available = False
                return self
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                held = self._held()
                if time.monotonic() >= deadline:
                    raise held from None
                if say is not None and not told:
                    say(f"waiting: {held}")
                    told = True
                time.sleep(POLL)
                continue
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the holder we waited for removed the file: lock the new one
        previous = self._read_pid()
        if previous and previous != os.getpid():
            # Locked by us, yet a PID is written: the exclusive holder that wrote it was killed
            # (a live PID here can only be an unrelated process that reused the number).
            self.stale_pid = previous
        try:
            if not self.shared:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()} {self.holder}\n".encode(), 0)
                os.fsync(fd)
            elif previous:
                os.ftruncate(fd, 0)  # a reader clears a dead importer's PID
        except OSError:
            if not self.shared:
                os.close(fd)
                raise
        self.fd = fd
        return self

    def release(self) -> None:
        """Drop the lock; the last holder removes the lock file (and an empty .leadeval/)."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            if self.shared:  # only when no one else holds it is it ours to remove
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self.path.unlink()
                    self.path.parent.rmdir()
            except OSError:
                pass  # already gone, not ours any more, or .leadeval holds other files
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


class RunLock(FileLock):
    """Exclusive lock on a reports folder: one ``leadeval run`` publishes there at a time."""

    def __init__(self, out_dir: str | Path):
        super().__init__(out_dir, shared=False, holder="leadeval run")


class DatasetLock(FileLock):
    """The dataset folder's lock: shared for ``leadeval run``, exclusive for an import.

    Parameters
    ----------
    dataset : the dataset folder.
    shared : True for a reader (``leadeval run``), False for an import.
    holder : the exclusive holder's name, for the message another process gets.
    """

    dataset = True

    def __init__(self, dataset: str | Path, shared: bool, holder: str = "leadeval import"):
        super().__init__(dataset, shared=shared, holder=holder)
