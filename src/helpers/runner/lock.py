"""One ``leadeval run`` per reports folder.

The lock is a file holding the owner's PID, held with ``fcntl.flock`` for as long as the run
lives. The kernel drops a flock when its process dies, however it dies, so a lock file left by a
killed run is recognised as stale (not locked, PID not alive) and taken over; a live holder is
named in the error. Worker processes are started with ``spawn``, so they do not inherit the lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from helpers.runner.exceptions import LockHeld


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


class RunLock:
    """Exclusive lock on a reports folder.

    Attributes
    ----------
    stale_pid : int or None
        After :meth:`acquire`, the PID of a dead run whose lock was cleared, if any.
    """

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir) / ".leadeval" / "run.lock"
        self.fd: int | None = None
        self.stale_pid: int | None = None

    def _read_pid(self) -> int | None:
        try:
            return int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(str(self.path.parent.parent), self._read_pid()) from None
        previous = self._read_pid()
        if previous and previous != os.getpid():
            # Not locked, yet a PID is written: the run that wrote it was killed (a live PID here
            # can only be an unrelated process that reused the number).
            self.stale_pid = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False
