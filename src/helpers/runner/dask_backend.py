"""The same jobs on an existing dask.distributed cluster (``--scheduler tcp://HOST:PORT``).

Workers must share the repository path and the Python environment (the notebook and dataset
paths in each job spec are absolute). Each task is :func:`helpers.runner.execute.run_job`, which
returns the HTML as a string, so the submitting process publishes exactly as in a local run and
workers never write into the reports folder. A worker lost mid-job makes the scheduler run the
task again elsewhere (up to its ``allowed-failures``); when it gives up, that job is recorded as
failed and the others carry on. Use one thread per worker process (``--nthreads 1``): each job
gets its own kernel, forked from the worker process's template as in a local run
(:func:`helpers.runner.kernels.worker_kernels`), and the whole-job watchdog kills that job's
kernel only.
"""

from __future__ import annotations

import time
from typing import Callable


def _failure(spec: dict, error: str, seconds: float) -> dict:
    return {"output": spec["output"], "status": "failed", "html": None, "notebook_json": None,
            "error": error, "detail": error, "seconds": round(seconds, 3), "attempts": 1,
            "worker": None}


def _run_job_remote(spec: dict) -> dict:
    from helpers.runner.execute import run_job
    from helpers.runner.kernels import worker_kernels

    dataset = spec.get("parameters", {}).get("dataset")
    return run_job(spec, worker_kernels([dataset] if dataset else []))


def run_on_dask(address: str, specs: list[dict], on_start: Callable[[dict], None],
                on_result: Callable[[dict, dict], None], tick: Callable[[], None] = lambda: None,
                client=None) -> None:
    """Submit every spec to the scheduler at ``address`` and hand each result to ``on_result``.

    Parameters
    ----------
    address : str
        Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    client : distributed.Client, optional
        An existing client (tests); otherwise one is opened and closed here.
    """
    from distributed import Client, as_completed

    own = client is None
    if own:
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            from helpers.runner.exceptions import RunnerError

            raise RunnerError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        futures = {}
        started = {}
        for spec in specs:
            fut = client.submit(_run_job_remote, spec, pure=False, key=f"leadeval-{spec['output']}-{time.time_ns()}")
            futures[fut] = spec
            started[spec["output"]] = time.monotonic()
            on_start(spec)
        for fut in as_completed(list(futures)):
            spec = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, CancelledError, ...
                result = _failure(spec, f"{type(exc).__name__}: {exc}",
                                  time.monotonic() - started[spec["output"]])
            on_result(spec, result)
            tick()
    finally:
        if own:
            client.close()
