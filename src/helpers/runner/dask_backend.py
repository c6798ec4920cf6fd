"""The same jobs on an existing dask.distributed cluster (``--scheduler tcp://HOST:PORT``).

Workers must share the repository path and the Python environment (the notebook and dataset
paths in each job spec are absolute). Each task is :func:`helpers.runner.execute.run_job`, which
returns the HTML as a string, so the submitting process publishes exactly as in a local run and
workers never write into the reports folder. Use one thread per worker process
(``--nthreads 1``): each job gets its own kernel, forked from the worker process's template as in
a local run (:func:`helpers.runner.kernels.worker_kernels`), and the whole-job watchdog kills that
job's kernel only.

What the cluster does is watched, not assumed:

- a job counts as started when its task starts on a worker (the task announces itself on a
  topic of this run), not when it is submitted, so the progress shows the jobs really running;
- a lost worker is logged with the jobs it was running; the scheduler runs them again elsewhere
  (up to its ``allowed-failures``), and each re-run is logged with its attempt number;
- with no worker at all the run waits at most ``$LEADEVAL_DASK_WAIT_S`` seconds (default 600)
  for one to join, then records every unfinished job as failed and returns, so the run exits 1
  instead of hanging.

Each result is gathered and released as soon as it is ready: a finished job whose result stayed
on a worker would otherwise be computed again when that worker is lost.
"""

from __future__ import annotations

import os
import queue
import time
import uuid
from typing import Callable

from distributed import Client, get_worker

from helpers.runner.exceptions import RunnerError
from helpers.runner.jobs import JobResult, JobSpec

WAIT_ENV = "LEADEVAL_DASK_WAIT_S"
DEFAULT_WAIT_S = 600.0
POLL_S = 0.5


def wait_limit() -> float:
    """Seconds to wait for a Dask worker when none is connected (``$LEADEVAL_DASK_WAIT_S``).

    Raises
    ------
    ValueError
        The variable is set but is not a positive number of seconds.
    """
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{WAIT_ENV}={raw!r}: expected a positive number of seconds")
    return value


def _run_job_remote(spec: JobSpec) -> JobResult:
    from helpers.runner.execute import run_job  # on the worker: papermill is paid there once
    from helpers.runner.kernels import worker_kernels  # lazy: on the worker, as run_job

    return run_job(spec, worker_kernels([spec.dataset] if spec.dataset else []))


def _announced(spec: JobSpec, topic: str) -> JobResult:
    """The task on the worker: say that the job starts here, then run it."""
    try:
        worker = get_worker()
        worker.log_event(topic, {"output": spec.output, "worker": worker.address})
    except Exception:  # noqa: BLE001 - without the event the job still runs; progress is late
        pass
    return _run_job_remote(spec)


def _worker_count(client) -> int | None:
    """Workers connected to the scheduler now; None when the scheduler cannot be asked."""
    try:
        return len(client.nthreads())
    except Exception:  # noqa: BLE001 - a lost scheduler counts as no worker
        return None


def run_on_dask(address: str, specs: list[JobSpec],
                on_start: Callable[[JobSpec, str | None], None],
                on_result: Callable[[JobSpec, JobResult], None], tick: Callable[[], None] = lambda: None,
                client=None, note: Callable[[str], None] | None = None,
                on_lost: Callable[[JobSpec], None] | None = None, wait_s: float | None = None) -> None:
    """Submit every spec to the scheduler at ``address`` and hand each result to ``on_result``.

    Parameters
    ----------
    address : str
        Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    on_start : callable
        Called with a spec and the worker's address when its task starts on a worker (again
        for a re-run; the address is None when the start was not announced).
    on_result : callable
        Called once per spec with its result; a job that could not run gets a failed result.
    client : distributed.Client, optional
        An existing client (tests); otherwise one is opened and closed here.
    note : callable, optional
        Receives one line for each cluster event worth logging: a lost worker, a re-run job,
        no worker connected, a worker back, giving up.
    on_lost : callable, optional
        Called with a spec whose worker was lost: the job is no longer running (until re-run).
    wait_s : float, optional
        Seconds to wait with no worker connected (default :func:`wait_limit`).
    """
    note = note or (lambda text: None)
    on_lost = on_lost or (lambda spec: None)
    limit = wait_limit() if wait_s is None else float(wait_s)
    own = client is None
    if own:
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise RunnerError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    topic = f"leadeval-start-{uuid.uuid4().hex}"
    events: queue.Queue = queue.Queue()
    client.subscribe_topic(topic, lambda event: events.put(("start", event[1])))
    client.subscribe_topic("all", lambda event: events.put(("cluster", event[1])))
    try:
        pending, by_key, by_output, submitted = {}, {}, {}, time.monotonic()
        for spec in specs:
            fut = client.submit(_announced, spec, topic, pure=False,
                                key=f"leadeval-{spec.output}-{time.time_ns()}")
            pending[fut] = spec
            by_key[fut.key] = spec
            by_output[spec.output] = spec
            # runs in a client thread; the queue wakes the loop below at once
            fut.add_done_callback(lambda f: events.put(("done", f)))
        running: dict[str, str] = {}      # output -> worker address
        starts: dict[str, float] = {}     # output -> when its current attempt started
        attempts: dict[str, int] = {}
        done: set[str] = set()
        idle_since: float | None = None

        def started(spec: JobSpec, worker: str | None) -> None:
            output = spec.output
            attempts[output] = attempts.get(output, 0) + 1
            if attempts[output] > 1:
                note(f"re-run {output} on worker {worker} (attempt {attempts[output]})")
            running[output] = worker or "?"
            starts[output] = time.monotonic()
            on_start(spec, worker)

        def handle(kind: str, msg: dict) -> None:
            if kind == "start":
                spec = by_output.get(msg.get("output"))
                if spec is not None and spec.output not in done:
                    started(spec, msg.get("worker"))
                return
            action = msg.get("action")
            if action == "remove-worker":
                worker = msg.get("worker")
                keys = msg.get("processing-tasks") or ()
                lost = [by_key[k] for k in keys if k in by_key and by_key[k].output not in done]
                names = ", ".join(s.output for s in lost) or "none"
                note(f"worker {worker} lost; its jobs (running or queued there) go back to "
                     f"the scheduler: {names}")
                for spec in lost:
                    if running.pop(spec.output, None) is not None:
                        on_lost(spec)
            elif action == "add-worker" and idle_since is not None:
                note(f"worker {msg.get('worker')} joined")

        def finished(fut) -> None:
            spec = pending.pop(fut, None)
            if spec is None:  # already given up on
                return
            output = spec.output
            if output not in attempts:  # finished before its start event arrived
                started(spec, None)
            try:  # bounded: a result lost with its worker would be waited for again
                result = fut.result(timeout=limit)
            except Exception as exc:  # noqa: BLE001 - KilledWorker, CancelledError, timeout
                result = JobResult.failure(spec, f"{type(exc).__name__}: {exc}",
                                  time.monotonic() - starts.get(output, submitted))
            fut.release()
            done.add(output)
            running.pop(output, None)
            on_result(spec, result)

        checked = 0.0
        while pending:
            try:
                items = [events.get(timeout=POLL_S)]
            except queue.Empty:
                items = []
            while True:
                try:
                    items.append(events.get_nowait())
                except queue.Empty:
                    break
            for kind, payload in items:
                if kind == "done":
                    finished(payload)
                elif isinstance(payload, dict):
                    handle(kind, payload)
            now = time.monotonic()
            if pending and now - checked >= POLL_S:
                checked = now
                workers = _worker_count(client)
                if workers:
                    if idle_since is not None:
                        note(f"{workers} Dask worker(s) connected again; carrying on")
                    idle_since = None
                elif idle_since is None:
                    idle_since = now
                    what = "the scheduler does not answer" if workers is None else "no worker is connected"
                    note(f"Dask: {what} at {address}; waiting up to {limit:g} s "
                         f"({WAIT_ENV}) with {len(pending)} job(s) unfinished")
                elif now - idle_since >= limit:
                    error = (f"no Dask worker was available at {address} for {limit:g} s "
                             f"({WAIT_ENV}); the job did not finish")
                    note(f"giving up: {error}; {len(pending)} unfinished job(s) are marked failed")
                    client.cancel(list(pending))
                    for fut, spec in list(pending.items()):
                        output = spec.output
                        on_result(spec, JobResult.failure(spec, error, now - starts.get(output, submitted)))
                        done.add(output)
                    pending.clear()
            tick()
    finally:
        for name in (topic, "all"):
            try:
                client.unsubscribe_topic(name)
            except Exception:  # noqa: BLE001 - the client may already be closing
                pass
        if own:
            client.close()
