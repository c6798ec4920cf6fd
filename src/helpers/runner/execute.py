"""Execute one report job with papermill and export it to HTML, in the calling process.

This is the unit of work that both the local worker pool (:mod:`helpers.runner.pool`) and the
Dask backend (:mod:`helpers.runner.dask_backend`) run. It takes a
:class:`helpers.runner.jobs.JobSpec` and returns a :class:`helpers.runner.jobs.JobResult`; it
never raises for a job-level failure.

Isolation (papermill #473, #511, #239: parallel runs collide on working directory and ports):
every job gets its own temporary working directory, its executed notebook is written there, and
its own kernel, started by jupyter_client on fresh random ports and stopped when the job ends.
Where the kernel comes from (a fork of the worker's template, or a new process) is
:mod:`helpers.runner.kernels`' business.

Parameters are injected by papermill's Python translator, which writes each value as a Python
literal (strings escaped like ``repr``), so a value is data and never code.

Execution goes through a papermill engine registered as ``leadeval`` (a subclass of papermill's
nbclient engine) that runs the notebook on the job's kernel, already started and connected, so
that the whole-job watchdog can kill that kernel when the job runs too long.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import traceback

import nbformat

import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.log import logger as _pm_logger
from papermill.utils import merge_kwargs, remove_args

from helpers.runner.exceptions import JobError
from helpers.runner.export import notebook_to_html
from helpers.runner.jobs import JobResult, JobSpec
from helpers.runner.pdf import print_pdf
from helpers.runner.kernels import KERNEL_STDERR, JobKernels, KernelStartError

ENGINE_NAME = "leadeval"
#: The exception a notebook raises when it has nothing to report (helpers.report.NotApplicable).
NOT_APPLICABLE = "NotApplicable"

# papermill's inspector misreads annotated parameters and warns "Passed unknown parameter" for
# every one of them; leadeval checks parameters itself (helpers.runner.params) before any run.
_pm_logger.setLevel("ERROR")

# Kernel start-up prints this for every kernel; it is noise in reports and logs.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


class LeadevalEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel the job started: ``km`` (its manager) and
    ``kc`` (a client connected to it), both required. The job stops the kernel afterwards."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 km=None, kc=None, **kwargs):
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
        client = PapermillNotebookClient(nb_man, km=km, **final_kwargs)
        client.kc = kc  # nbclient uses a client it is given rather than making its own
        return client.execute()


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


def _execute(spec: JobSpec, watchdog: _Watchdog, kernels: JobKernels, workdirs: list[str]):
    kernel = kernels.take(spec.kernel_name, spec.start_timeout)
    workdirs.append(kernel.workdir)
    output_path = os.path.join(kernel.workdir, "executed.ipynb")
    watchdog.kernel_started(kernel.km)
    try:
        return papermill.execute_notebook(
            spec.notebook,
            output_path,
            parameters=spec.parameters,
            engine_name=ENGINE_NAME,
            kernel_name=spec.kernel_name,
            cwd=kernel.workdir,
            progress_bar=False,
            log_output=False,
            start_timeout=spec.start_timeout,
            execution_timeout=spec.cell_timeout,
            request_save_on_cell_execute=False,
            km=kernel.km,
            kc=kernel.kc,
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
        raise JobError("CellTimeout", f"a cell ran longer than {spec.cell_timeout} s") from exc
    except DeadKernelError as exc:
        if watchdog.fired:
            raise JobError("JobTimeout", f"the job ran longer than {spec.job_timeout} s "
                           "and its kernel was stopped") from exc
        raise JobError("DeadKernelError", "the kernel died while running the notebook") from exc
    finally:
        kernel.stop()
        kernels.prepare(spec.kernel_name)  # the next job's, booting while this one exports


def run_job(spec: JobSpec, kernels: JobKernels | None = None) -> JobResult:
    """Execute one job and export its HTML; never raises for a job failure.

    Parameters
    ----------
    spec : JobSpec
        The notebook, its parameters, limits and page title and provenance.
    kernels : JobKernels, optional
        Where the job's kernel comes from (a worker's template); default a new kernel.

    Returns
    -------
    JobResult
        ``status`` "ok" with ``html`` (and ``notebook_json``/``pdf`` when asked), "failed" with
        ``error`` and ``detail``, or "not_applicable" with ``reason``; always ``seconds``,
        ``attempts``, ``worker`` (pid) and ``kernel`` (:meth:`JobKernels.describe`).
    """
    started = time.monotonic()
    out: dict = {"status": "failed", "attempts": 0}
    kernels = kernels if kernels is not None else JobKernels(mode="fresh")
    workdirs: list[str] = []  # one per attempt
    try:
        nb = None
        job_timeout = spec.job_timeout
        for attempt in (1, 2):  # retry once when the kernel fails to start
            out["attempts"] = attempt
            # the whole-job limit covers both attempts
            remaining = (None if not job_timeout
                         else max(job_timeout - (time.monotonic() - started), 0.1))
            watchdog = _Watchdog(remaining)
            try:
                with watchdog:
                    nb = _execute(spec, watchdog, kernels, workdirs)
                break
            except KernelStartError as exc:
                if watchdog.fired:
                    raise JobError("JobTimeout", f"the job ran longer than {job_timeout} s "
                                   "(its kernel was still starting) and was stopped") from exc
                if attempt == 2:
                    raise JobError("KernelStartError", str(exc)) from exc
        out["html"] = notebook_to_html(nb, spec.title or {}, spec.provenance or {})
        if spec.pdf:
            out["pdf"] = print_pdf(out["html"], workdirs[-1])
        if spec.keep_notebook:
            out["notebook_json"] = nbformat.writes(nb)
        out["status"] = "ok"
    except JobError as exc:
        if exc.ename == NOT_APPLICABLE:  # the notebook said it has nothing to report
            out.update(status="not_applicable", reason=exc.evalue)
        else:
            out["error"] = exc.describe()
            out["detail"] = "".join(traceback.format_exception(exc.__cause__ or exc))
            try:
                with open(os.path.join(workdirs[-1], KERNEL_STDERR), encoding="utf-8",
                          errors="replace") as fh:
                    kernel_err = fh.read()[-4000:].strip()
                if kernel_err:
                    out["detail"] += "\nkernel stderr:\n" + kernel_err
            except (OSError, IndexError):
                pass
    except Exception as exc:  # noqa: BLE001 - a job failure must never stop the run
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["detail"] = traceback.format_exc()
    finally:
        for workdir in workdirs:
            shutil.rmtree(workdir, ignore_errors=True)
    return JobResult(output=spec.output, seconds=round(time.monotonic() - started, 3),
                     worker=os.getpid(), kernel=kernels.describe(), **out)
