"""Long-lived local worker processes that run jobs with :func:`helpers.runner.execute.run_job`.

Each worker imports papermill and nbconvert once (about 1.7 s; STACK-NOTES) and exports HTML in
process, and takes its jobs' kernels from one :class:`helpers.runner.kernels.JobKernels` (forks
of a template that holds the imports and the dataset), so a job costs its cells, not a new
interpreter. Workers are started
with ``spawn`` (nothing inherited: not the run lock, not the parent's threads) and each leads
its own process group, so a worker and its kernel can be killed together when a job overruns
its hard limit; a worker also kills its group if the parent dies.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from typing import Callable

from helpers.runner.jobs import JobResult, JobSpec

#: Beyond the job's own timeout (enforced inside the worker by killing the kernel), how long the
#: parent waits before killing the whole worker: covers the worker's first imports and shutdown.
HARD_LIMIT_GRACE = 60.0


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os.killpg(0, signal.SIGKILL)


#: Environment variables that size the thread pools of BLAS, OpenMP and numexpr.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(workers: int, environ=os.environ) -> int:
    """Give each of ``workers`` processes its share of the cores for native thread pools.

    OpenBLAS starts one thread per core in every process; with one kernel per core that is
    cores x cores busy-waiting threads, which slows every worker down (the oversubscription
    joblib's loky backend avoids the same way, with ``inner_max_num_threads``). Variables the
    user set are left alone. Returns the threads per worker.
    """
    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    for name in THREAD_VARS:
        environ.setdefault(name, str(threads))
    return threads


def _worker_main(conn, parent_pid: int, workers: int = 1, preload: tuple = ()) -> None:
    os.setpgrp()
    limit_threads(workers)  # before the template starts: its kernels inherit this environment
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    from helpers.runner.kernels import JobKernels  # lazy: in the spawned worker, not the parent

    # The template imports and loads the dataset while this process imports papermill.
    kernels = JobKernels(preload=preload, ahead=True)
    kernels.begin()
    from helpers.runner.execute import run_job  # paid once per worker

    try:
        while True:
            try:
                spec = conn.recv()
            except (EOFError, OSError):
                break
            if spec is None:
                break
            result = run_job(spec, kernels)
            try:
                conn.send(result)
            except (BrokenPipeError, OSError):
                break
    finally:
        kernels.close()


class _Worker:
    def __init__(self, ctx, workers: int = 1, preload: tuple = ()):
        parent_conn, child_conn = ctx.Pipe()
        self.conn = parent_conn
        self.proc = ctx.Process(target=_worker_main,
                                args=(child_conn, os.getpid(), workers, tuple(preload)),
                                daemon=True, name="leadeval-worker")
        self.proc.start()
        child_conn.close()
        self.spec: JobSpec | None = None
        self.started = 0.0

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, TypeError):
            pass
        try:
            self.proc.kill()
        except (OSError, ValueError):
            pass
        self.proc.join(5)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.kill()


def _dispatch(w: _Worker, pending: deque, on_start: Callable[[JobSpec], None]) -> None:
    w.spec, w.started = pending.popleft(), time.monotonic()
    on_start(w.spec)
    w.conn.send(w.spec)


def run_local(specs: list[JobSpec], jobs: int, on_start: Callable[[JobSpec], None],
              on_result: Callable[[JobSpec, JobResult], None], tick: Callable[[], None] = lambda: None) -> None:
    """Run ``specs`` on ``jobs`` worker processes, calling back as each starts and ends.

    A worker that dies or overruns its hard limit fails only its own job; a fresh worker takes
    its place. On any exception here (including a signal turned into one) every worker and its
    kernel are killed before the exception propagates.
    """
    ctx = mp.get_context("spawn")
    pending = deque(specs)
    # the datasets the jobs open, for the workers' templates to load before the first job
    preload = tuple(dict.fromkeys(s.dataset for s in specs if s.dataset))
    workers: list[_Worker] = []
    try:
        while pending or any(w.spec for w in workers):
            active = sum(1 for w in workers if w.spec) + len(pending)
            while len(workers) < min(jobs, active):
                workers.append(_Worker(ctx, jobs, preload))
            for w in workers:
                if w.spec is None and pending:
                    _dispatch(w, pending, on_start)
            busy = [w for w in workers if w.spec]
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.5)
            now = time.monotonic()
            for w in busy:
                spec, result = w.spec, None
                try:
                    if w.conn.poll():
                        result = w.conn.recv()
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    w.spec = None
                    if pending:  # the next job first: the worker runs while we publish this one
                        _dispatch(w, pending, on_start)
                    on_result(spec, result)
                    continue
                limit = spec.job_timeout + HARD_LIMIT_GRACE if spec.job_timeout else None
                if not w.proc.is_alive():
                    error = f"WorkerDied: the worker process ended (exit code {w.proc.exitcode})"
                elif limit and now - w.started > limit:
                    error = f"JobTimeout: the job ran longer than {spec.job_timeout} s and was killed"
                else:
                    continue
                w.kill()
                workers.remove(w)
                on_result(spec, JobResult.failure(spec, error, now - w.started))
            tick()
    except BaseException:
        for w in workers:
            w.kill()
        workers = []
        raise
    finally:
        for w in workers:
            w.stop()
