"""Execute one report job with papermill and export it to HTML, in the calling process.

This is the unit of work that both the local worker pool (:mod:`helpers.runner.pool`) and the
Dask backend (:mod:`helpers.runner.dask_backend`) run. It takes a plain, picklable job spec and
returns a plain result dict; it never raises for a job-level failure.

Isolation (papermill #473, #511, #239: parallel runs collide on working directory and ports):
every job gets its own temporary working directory, its executed notebook is written there, and
its kernel is started by jupyter_client on fresh random ports.

Parameters are injected by papermill's Python translator, which writes each value as a Python
literal (strings escaped like ``repr``), so a value is data and never code.

Execution goes through a papermill engine registered as ``leadeval`` (a subclass of papermill's
nbclient engine) that exposes the kernel manager: the whole-job watchdog kills the kernel when the
job runs too long, and a later version may keep kernels per worker (issue 8).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import traceback
from typing import Any

import papermill
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.log import logger as _pm_logger
from papermill.utils import merge_kwargs, remove_args

from helpers.runner.exceptions import JobError

# Report kernels draw off-screen: every kernel this process starts inherits the setting, while a
# person's kernel in JupyterLab keeps its inline backend (the helpers never switch backends).
os.environ["MPLBACKEND"] = "Agg"

ENGINE_NAME = "leadeval"
#: The exception a notebook raises when it has nothing to report (helpers.report.NotApplicable).
NOT_APPLICABLE = "NotApplicable"
KERNEL_STDERR = "kernel-stderr.log"  # relative to the job's working directory

# papermill's inspector misreads annotated parameters and warns "Passed unknown parameter" for
# every one of them; leadeval checks parameters itself (helpers.runner.params) before any run.
_pm_logger.setLevel("ERROR")

# Kernel start-up prints this for every kernel; it is noise in reports and logs.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


class KernelStartError(RuntimeError):
    """The kernel did not start or did not answer; worth one retry."""


class _Client(PapermillNotebookClient):
    """papermill's client, reporting kernel start failures and handing out the kernel manager."""

    on_kernel = None  # callable(km) set by LeadevalEngine
    kept_kc = None  # a connected client of a kept kernel (helpers.runner.warm), used as it is

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        # The kernel's own stderr (start-up chatter such as "Kernel is running over TCP without
        # encryption", crash messages) goes to a file in the job's working directory, not the
        # terminal; run_job attaches it to a failed job's log entry.
        err = open(KERNEL_STDERR, "ab")  # noqa: SIM115 - closed once the kernel holds its copy
        kwargs.setdefault("stderr", err)
        try:
            await super().async_start_new_kernel(**kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure here is a start failure
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            err.close()
        if self.on_kernel is not None:
            self.on_kernel(self.km)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        if self.kept_kc is not None:  # already connected and known to answer: no wait_for_ready
            self.kc = self.kept_kc
            self.kc.allow_stdin = False
            return self.kc
        try:
            return await super().async_start_new_kernel_client()
        except Exception as exc:  # noqa: BLE001
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class LeadevalEngine(NBClientEngine):
    """papermill's nbclient engine with a hook on kernel start (``on_kernel=callable(km)``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 on_kernel=None, km=None, keep_kernel=False, kc=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=_pm_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = _Client(nb_man, km=km, **final_kwargs)
        client.on_kernel = on_kernel
        client.kept_kc = kc if keep_kernel else None
        if km is None:
            return client.execute()
        # A kernel started ahead of need (see WarmKernel): nbclient does not own it, so it is
        # shut down here, after the job, exactly as nbclient would shut down its own.
        if on_kernel is not None:
            on_kernel(km)
        try:
            return client.execute()
        finally:
            try:
                if keep_kernel:  # a kernel kept for the next job (helpers.runner.warm)
                    if client.kc is not None and client.kc is not kc:
                        client.kc.stop_channels()
                elif client.km is not None:
                    client._cleanup_kernel()
            except Exception:  # noqa: BLE001 - never mask the job's own error
                pass


papermill_engines.register(ENGINE_NAME, LeadevalEngine)


class _Watchdog:
    """Kills the job's kernel when the whole job runs longer than ``seconds``."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.fired = False
        self._km = None
        self._timer = None
        self._lock = threading.Lock()

    def kernel_started(self, km) -> None:
        with self._lock:
            self._km = km
            fired = self.fired
        if fired:  # the limit passed while the kernel was starting: stop it at once
            self._fire()

    def __enter__(self):
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            km = self._km
        if km is None:
            return
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.kill(pid, 9)
            except OSError:
                pass

    def __exit__(self, *exc):
        if self._timer is not None:
            self._timer.cancel()
        return False


class WarmKernel:
    """One fresh kernel started ahead of need, with its own working directory.

    A worker starts the next job's kernel as soon as the previous job ends, so the kernel boots
    (about 0.5 to 1 s; issue 8) while the worker exports HTML or waits for work. Every job still
    gets a brand-new kernel process used once, so nothing can leak from one job to the next.
    """

    def __init__(self, kernel_name: str = "python3"):
        from jupyter_client.manager import AsyncKernelManager

        self.kernel_name = kernel_name
        self.workdir = tempfile.mkdtemp(prefix="leadeval-job-")
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        err = open(os.path.join(self.workdir, KERNEL_STDERR), "ab")  # noqa: SIM115
        try:
            run_sync(self.km.start_kernel)(cwd=self.workdir, stderr=err)
        finally:
            err.close()

    def usable(self, kernel_name: str | None) -> bool:
        try:
            return (kernel_name in (None, self.kernel_name)
                    and bool(run_sync(self.km.is_alive)()))
        except Exception:  # noqa: BLE001
            return False

    def discard(self) -> None:
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def heading_before(cells: list, index: int) -> str | None:
    """Text of the last markdown heading at or before cell ``index`` (the failing section)."""
    for cell in reversed(cells[: index + 1]):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in reversed(source.splitlines()):
            stripped = line.strip()
            if stripped.startswith("#"):
                return stripped.lstrip("#").strip() or None
    return None


def _execute(spec: dict, workdir: str, watchdog: _Watchdog, km=None, keep_kernel: bool = False,
             kc=None):
    output_path = os.path.join(workdir, "executed.ipynb")
    try:
        return papermill.execute_notebook(
            spec["notebook"],
            output_path,
            parameters=spec["parameters"],
            engine_name=ENGINE_NAME,
            kernel_name=spec.get("kernel_name"),
            cwd=workdir,
            progress_bar=False,
            log_output=False,
            start_timeout=spec.get("start_timeout", 60),
            execution_timeout=spec.get("cell_timeout"),
            on_kernel=watchdog.kernel_started,
            request_save_on_cell_execute=False,
            shutdown_kernel="immediate",
            km=km,
            keep_kernel=keep_kernel,
            kc=kc,
        )
    except PapermillExecutionError as exc:
        heading = None
        try:
            with open(output_path, encoding="utf-8") as fh:
                heading = heading_before(json.load(fh)["cells"], exc.cell_index)
        except (OSError, ValueError, KeyError):
            pass
        raise JobError(exc.ename, exc.evalue, heading) from exc
    except CellTimeoutError as exc:
        raise JobError("CellTimeout", f"a cell ran longer than {spec.get('cell_timeout')} s") from exc
    except DeadKernelError as exc:
        if watchdog.fired:
            raise JobError("JobTimeout", f"the job ran longer than {spec.get('job_timeout')} s "
                           "and its kernel was stopped") from exc
        raise JobError("DeadKernelError", "the kernel died while running the notebook") from exc


def run_job(spec: dict, warm: WarmKernel | None = None) -> dict:
    """Execute one job and export its HTML; never raises for a job failure.

    Parameters
    ----------
    spec : dict
        ``notebook`` (absolute path), ``parameters`` (dict), ``output`` (relative path),
        ``cell_timeout`` and ``job_timeout`` (seconds or None), ``keep_notebook`` (bool),
        ``title`` and ``provenance`` (dicts for the HTML page), optional ``kernel_name``.
    warm : WarmKernel, optional
        A kernel started ahead of need; used for the first attempt when it is alive and of the
        job's kernel name, otherwise discarded. Always consumed.

    Returns
    -------
    dict
        ``output``, ``status`` ("ok", "failed", or "not_applicable" with ``reason``), ``html`` (str or None), ``notebook_json``
        (str or None, only with keep_notebook), ``error`` (str or None), ``detail`` (traceback
        text for the log), ``seconds``, ``attempts``, ``worker`` (pid).
    """
    started = time.monotonic()
    result = {"output": spec["output"], "status": "failed", "html": None, "notebook_json": None,
              "error": None, "detail": None, "seconds": 0.0, "attempts": 0, "worker": os.getpid()}
    if warm is not None and not warm.usable(spec.get("kernel_name")):
        warm.discard()
        warm = None
    if warm is not None and hasattr(warm, "begin_job"):  # a kept kernel: reset it for this job
        try:
            warm.begin_job()
        except Exception:  # noqa: BLE001 - the job gets a new kernel instead
            warm.discard()
            warm = None
    workdir = warm.workdir if warm is not None else tempfile.mkdtemp(prefix="leadeval-job-")
    try:
        nb = None
        job_timeout = spec.get("job_timeout")
        for attempt in (1, 2):  # retry once when the kernel fails to start
            result["attempts"] = attempt
            # the whole-job limit covers both attempts
            remaining = (None if not job_timeout
                         else max(job_timeout - (time.monotonic() - started), 0.1))
            watchdog = _Watchdog(remaining)
            km = warm.km if (warm is not None and attempt == 1) else None
            try:
                keep = km is not None and getattr(warm, "reusable", False)
                with watchdog:
                    nb = _execute(spec, workdir, watchdog, km=km, keep_kernel=keep,
                                  kc=getattr(warm, "kc", None) if keep else None)
                break
            except KernelStartError as exc:
                if watchdog.fired:
                    raise JobError("JobTimeout", f"the job ran longer than {job_timeout} s "
                                   "(its kernel was still starting) and was stopped") from exc
                if attempt == 2:
                    raise JobError("KernelStartError", str(exc)) from exc
        from helpers.runner.export import notebook_to_html

        result["html"] = notebook_to_html(nb, spec.get("title") or {}, spec.get("provenance") or {})
        if spec.get("pdf"):
            from helpers.runner.pdf import print_pdf

            result["pdf"] = print_pdf(result["html"], workdir)
        if spec.get("keep_notebook"):
            import nbformat

            result["notebook_json"] = nbformat.writes(nb)
        result["status"] = "ok"
    except JobError as exc:
        if exc.ename == NOT_APPLICABLE:  # the notebook said it has nothing to report
            result.update(status="not_applicable", reason=exc.evalue)
            return result
        result["error"] = exc.describe()
        result["detail"] = "".join(traceback.format_exception(exc.__cause__ or exc))
        try:
            with open(os.path.join(workdir, KERNEL_STDERR), encoding="utf-8", errors="replace") as fh:
                kernel_err = fh.read()[-4000:].strip()
            if kernel_err:
                result["detail"] += "\nkernel stderr:\n" + kernel_err
        except OSError:
            pass
    except Exception as exc:  # noqa: BLE001 - a job failure must never stop the run
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["detail"] = traceback.format_exc()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        result["seconds"] = round(time.monotonic() - started, 3)
    return result
