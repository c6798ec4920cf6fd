"""Where a worker's job kernels come from: one strategy, used by local workers and on Dask.

Each job gets a kernel of its own that exits with the job. Where the platform allows it
(:func:`fork_supported`), that kernel is a fork of a per-worker
template process that has already imported the libraries and ``helpers`` and loaded the job's
dataset (:mod:`helpers.runner.kernels.template`), started through a jupyter_client kernel
provisioner (:class:`~helpers.runner.kernels.fork.ForkProvisioner`), so a job pays neither the
imports nor the load, and what it starts from is, by construction, what a new kernel would hold
after the same imports: nothing a previous job did can be in it. Elsewhere, or with
``LEADEVAL_KERNELS=fresh``, or when the template cannot start, each job gets a new kernel.

The interface is :class:`JobKernels`: ``take(kernel_name)`` gives a :class:`JobKernel` (a started
kernel manager, a connected client and the job's working directory), ready for papermill;
``prepare(kernel_name)`` starts the next one ahead of need; ``close()`` ends the template.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from queue import Empty

# Report kernels draw off-screen: every kernel (and template) this process starts inherits the
# setting, while a person's kernel in JupyterLab keeps its inline backend (the helpers never
# switch backends).
os.environ["MPLBACKEND"] = "Agg"

#: As nbclient starts its kernels: no history written to disk.
KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]
KERNEL_STDERR = "kernel-stderr.log"  # in the job's working directory
MODES = ("fork", "fresh")


def fork_supported() -> bool:
    """Whether this platform can fork kernels from a template (Linux: fork, pidfd, fd passing)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")
            and hasattr(signal, "pidfd_send_signal"))


class KernelStartError(RuntimeError):
    """The kernel did not start or did not answer; worth one retry."""


def kernel_mode(environ=os.environ) -> str:
    """``$LEADEVAL_KERNELS``: ``fork`` (default) or ``fresh``; ValueError otherwise."""
    mode = environ.get("LEADEVAL_KERNELS") or "fork"
    if mode not in MODES:
        raise ValueError(f"LEADEVAL_KERNELS must be one of {', '.join(MODES)}; got {mode!r}")
    return mode


async def wait_ready(km, kc, timeout: float) -> None:
    """Return once the kernel answers on the shell channel and its IOPub reaches ``kc``.

    jupyter_client's ``wait_for_ready`` ends by draining IOPub until 0.2 s pass in silence;
    that is 0.2 s idle per job here, so readiness is instead the reply to ``kernel_info`` plus
    one IOPub message (its status), asked again until both arrive.
    """
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        replied = False
        while time.monotonic() < deadline:
            try:
                reply = await kc.get_shell_msg(timeout=0.5)
            except Empty:
                break
            if reply["parent_header"].get("msg_id") == msg_id:
                replied = True
                break
        if replied:
            try:
                await kc.get_iopub_msg(timeout=0.2)
                return
            except Empty:
                pass  # IOPub not subscribed yet: ask again
        if not await km.is_alive():
            raise KernelStartError("the kernel exited while starting")
        if time.monotonic() >= deadline:
            raise KernelStartError(f"the kernel did not answer within {timeout:g} s")


class JobKernel:
    """One job's kernel: its manager ``km``, a connected client ``kc`` (None until taken), and
    the job's working directory ``workdir`` (the kernel's cwd; its standard error goes to
    :data:`KERNEL_STDERR` there). The caller removes ``workdir``."""

    def __init__(self, km, workdir: str):
        self.km, self.kc, self.workdir = km, None, workdir

    def stop(self) -> None:
        """Disconnect and kill the kernel (a job's kernel is used once)."""
        stop(self.km, self.kc)
        self.kc = None


class JobKernels:
    """One worker's source of job kernels.

    Parameters
    ----------
    preload : iterable of str
        Dataset folders the template loads before its first fork (normally the run's dataset).
    mode : str, optional
        ``fork`` or ``fresh``; default :func:`kernel_mode`.
    ahead : bool
        Start the next job's kernel as soon as a job's notebook has run (:meth:`prepare`), so it
        boots while the worker exports the report and fetches the next job.
    template_timeout : float
        Seconds the template may take to import and load.
    """

    def __init__(self, preload=(), mode: str | None = None, ahead: bool = False,
                 template_timeout: float = 600.0):
        self.preload = [str(p) for p in preload]
        self.mode = mode or kernel_mode()
        self.ahead = ahead
        self.template_timeout = template_timeout
        self.template = None  # helpers.runner.kernels.fork.Template, started on first need
        #: Why kernels are not forked (None while they are, or before the first kernel).
        self.fallback: str | None = None if fork_supported() else "fork is not available here"
        self._next: JobKernel | None = None

    @property
    def forking(self) -> bool:
        return self.mode == "fork" and self.fallback is None

    def describe(self) -> str:
        """How this worker's kernels start, for the run's log."""
        if self.mode == "fresh":
            return "fresh kernels"
        return "forked kernels" if self.forking else f"fresh kernels ({self.fallback})"

    def _template(self, interpreter: tuple[str, ...]):
        """The live template for ``interpreter``, started when needed; None to launch afresh."""
        # lazy: the parent imports this module for kernel_mode and never starts a kernel
        from helpers.runner.kernels.fork import Template, TemplateError

        if not self.forking:
            return None
        if self.template is not None and (self.template.interpreter != interpreter
                                          or not self.template.alive()):
            self.template.close()
            self.template = None
        try:
            if self.template is None:
                env = dict(os.environ)
                env["JPY_PARENT_PID"] = str(os.getpid())  # what its kernels' environment holds
                self.template = Template(interpreter, self.preload, env, self.template_timeout)
            self.template.ready()
        except TemplateError as exc:  # this kernel and the rest start afresh instead
            self.template = None
            self.fallback = f"the template process did not start: {exc}"
            return None
        return self.template

    def begin(self, kernel_name: str = "python3") -> None:
        """Start the template for ``kernel_name``'s interpreter now, without waiting for it,
        so that it imports and loads while the worker readies itself."""
        # lazy: the parent imports this module for kernel_mode and never starts a kernel
        from helpers.runner.kernels.fork import Template, TemplateError, split_kernel_cmd

        if not self.forking or self.template is not None:
            return
        try:
            from jupyter_client.kernelspec import KernelSpecManager  # lazy: worker side only

            argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
        except Exception:  # noqa: BLE001 - the first job reports an unknown kernel
            return
        if argv and argv[0] in ("python", f"python{sys.version_info[0]}",
                                "python%i.%i" % sys.version_info[:2]):
            argv[0] = sys.executable  # as jupyter_client formats the kernel command
        split = split_kernel_cmd(argv)
        if split is None:
            return
        env = dict(os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())
        try:
            self.template = Template(split[0], self.preload, env, self.template_timeout)
        except TemplateError as exc:
            self.fallback = f"the template process did not start: {exc}"

    def kernel_manager(self, kernel_name: str = "python3"):
        """A kernel manager (not started) whose kernel will come from this source."""
        # lazy: jupyter_client is paid in the worker, not in the parent that reads kernel_mode
        from jupyter_client.manager import AsyncKernelManager

        from helpers.runner.kernels.fork import ForkProvisioner  # lazy: worker side only

        km = AsyncKernelManager(kernel_name=kernel_name)
        if self.forking:
            km.kernel_id = str(uuid.uuid4())
            km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec,
                                             parent=km)
            km.provisioner.templates = self._template
        return km

    def _launch(self, kernel_name: str) -> JobKernel:
        """Start a kernel in a new working directory, without waiting for it to answer."""
        from jupyter_core.utils import run_sync  # lazy: worker side only (see kernel_manager)

        workdir = tempfile.mkdtemp(prefix="leadeval-job-")
        km = self.kernel_manager(kernel_name)
        try:
            with open(os.path.join(workdir, KERNEL_STDERR), "ab") as err:  # the kernel keeps a copy
                run_sync(km.start_kernel)(cwd=workdir, stderr=err, extra_arguments=list(KERNEL_ARGS))
        except Exception as exc:  # noqa: BLE001 - any failure here is a start failure
            stop(km)
            shutil.rmtree(workdir, ignore_errors=True)
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        return JobKernel(km, workdir)

    def take(self, kernel_name: str | None = None, timeout: float = 60.0) -> JobKernel:
        """A started kernel for one job, connected and answering (the one :meth:`prepare`
        started, when it is of this kernel name). Raises :class:`KernelStartError`."""
        from jupyter_core.utils import run_sync  # lazy: worker side only (see kernel_manager)

        kernel_name = kernel_name or "python3"
        kernel, self._next = self._next, None
        if kernel is not None and kernel.km.kernel_name != kernel_name:
            self._discard(kernel)
            kernel = None
        if kernel is None:
            kernel = self._launch(kernel_name)
        try:
            kernel.kc = kernel.km.client()
            kernel.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
            run_sync(wait_ready)(kernel.km, kernel.kc, timeout)
        except Exception as exc:  # noqa: BLE001
            self._discard(kernel)
            if isinstance(exc, KernelStartError):
                raise
            raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
        kernel.kc.allow_stdin = False
        return kernel

    def prepare(self, kernel_name: str | None = None) -> None:
        """Start the next job's kernel now (with ``ahead``; a failure is left to :meth:`take`)."""
        if not self.ahead or self._next is not None:
            return
        try:
            self._next = self._launch(kernel_name or "python3")
        except KernelStartError:
            self._next = None

    @staticmethod
    def _discard(kernel: JobKernel) -> None:
        kernel.stop()
        shutil.rmtree(kernel.workdir, ignore_errors=True)

    def close(self) -> None:
        if self._next is not None:
            self._discard(self._next)
            self._next = None
        if self.template is not None:
            self.template.close()
            self.template = None


def stop(km, kc=None) -> None:
    """Disconnect ``kc`` and kill the kernel of ``km``."""
    from jupyter_core.utils import run_sync  # lazy: worker side only (see kernel_manager)

    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001 - never mask the job's own outcome
            pass
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
        else:
            run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001
        pass


_WORKER: JobKernels | None = None


def worker_kernels(preload=()) -> JobKernels:
    """This process's :class:`JobKernels`, made on first use (for a Dask worker, whose tasks
    are plain function calls); closed when the process exits."""
    global _WORKER
    if _WORKER is None:
        _WORKER = JobKernels(preload, ahead=True)
        atexit.register(_WORKER.close)
    elif not _WORKER.preload and preload:
        _WORKER.preload = [str(p) for p in preload]
    return _WORKER
