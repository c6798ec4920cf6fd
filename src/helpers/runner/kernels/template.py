"""The template process: imports and dataset loaded once; every job's kernel is a fork of it.

Run by :class:`helpers.runner.kernels.JobKernels` as ``python -m helpers.runner.kernels.template
--fd N [--preload DATASET]...`` with the environment a kernel would get. It starts as
``ipykernel_launcher`` does (the working directory off ``sys.path``; matplotlib's backend the
one ipykernel chooses), imports :data:`MODULES` (the heavy libraries, ``helpers`` and
ipykernel's own modules), loads each preloaded dataset into the in-process memo
(:mod:`helpers.data.memo`), collects and freezes the heap (:func:`gc.freeze`, so that neither
this process nor its forks touch the imported objects' pages again), says ``ready`` and waits.

For each request on the socket (a ``SOCK_SEQPACKET`` pair: one message per request, the
kernel's standard streams passed as file descriptors) it forks. The child takes those streams,
the request's working directory, environment and ``ipykernel_launcher`` arguments, starts a new session as jupyter_client starts
a kernel, and runs ``IPKernelApp.launch_instance()`` exactly as ``ipykernel_launcher`` does; it
is an ordinary kernel that exits with its job. The parent answers with the child's pid and a
pidfd for it (race-free signals and exit notice for the worker, which is not its parent), and
reaps children as they exit. When the worker closes the socket, remaining children are killed
and the template exits.

Nothing a job does reaches the template or another job: each kernel is a separate process, and
what it inherits is the state just after the imports and the load, the same for every job.
Only the standard library is imported at module level: the rest is imported in :func:`prepare`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import traceback

#: Imported before the first fork (a module that fails to import is left to the notebook).
MODULES = (
    "numpy", "pandas", "pyarrow", "scipy.stats", "statsmodels.api", "statsmodels.formula.api",
    "matplotlib", "matplotlib.pyplot", "seaborn", "networkx",
    "helpers.data", "helpers.report", "helpers.report.context", "helpers.report.display",
    "helpers.report.disclosure", "helpers.report.withheld",
    "helpers.report.fmt", "helpers.report.theme", "helpers.quality", "helpers.reach",
    "helpers.scales", "helpers.outcomes", "helpers.outcomes.report", "helpers.careers",
    "helpers.reliability", "helpers.themes", "helpers.projects", "helpers.spc", "helpers.its",
    "helpers.networks", "helpers.evaluation", "helpers.comparison", "helpers.spc.charts",
    "helpers.quotes", "helpers.attribution", "helpers.equality", "helpers.equality_value",
    "helpers.value", "helpers.multiplicity", "helpers.brokerage",
    # what the reports import on first use (each fork would import them again)
    "pingouin", "lifelines", "krippendorff", "tabulate", "matplotlib.backends.backend_agg",
    "PIL.Image", "PIL.PngImagePlugin", "PIL.BmpImagePlugin", "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin", "PIL.PpmImagePlugin", "pandas.core.reshape.reshape",
    "pandas.core.methods.to_dict", "pyarrow.dataset", "pyarrow.acero",
    # what IPKernelApp.initialize would otherwise import in every kernel
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "zmq.utils.garbage", "tornado.platform.asyncio", "IPython.core.completerlib",
    "IPython.core.debugger", "IPython.core.oinspect", "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3", "pdb",
)
#: Modules that must be imported in the kernel itself, never before the fork: the inline
#: backend hooks into the running IPython shell when it is imported.
KERNEL_ONLY = ("matplotlib_inline.backend_inline",)
MAX_MESSAGE = 1 << 20


def _reseed_numpy() -> None:
    """numpy's global generator, seeded afresh in each fork as in a new process (the standard
    library's ``random`` does the same for itself with :func:`os.register_at_fork`)."""
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed()


def prepare(modules: tuple[str, ...], preload: list[str]) -> dict:
    """Start-up as ``ipykernel_launcher``, import ``modules``, load ``preload``; what was done."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts '' back (init_path)
    if not os.environ.get("MPLBACKEND"):  # what IPKernelApp.init_gui_pylab would set
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    imported, failed = [], {}
    for name in modules:
        try:
            importlib.import_module(name)
            imported.append(name)
        except Exception as exc:  # noqa: BLE001 - the notebook meets (and reports) the same
            failed[name] = f"{type(exc).__name__}: {exc}"
    early = [m for m in KERNEL_ONLY if m in sys.modules]
    if early:
        raise RuntimeError(f"imported before any kernel exists: {early}")
    loaded = []
    for path in preload:
        try:
            from helpers.data import load_dataset  # lazy: module level is standard library only

            load_dataset(path)
            loaded.append(path)
        except Exception as exc:  # noqa: BLE001 - an invalid dataset is the notebook's to report
            failed[path] = f"{type(exc).__name__}: {exc}"
    os.register_at_fork(after_in_child=_reseed_numpy)
    gc.collect()
    gc.freeze()
    return {"imported": imported, "loaded": loaded, "failed": failed, "pid": os.getpid()}


def _kernel_child(request: dict, fds: list[int], launcher: str) -> None:
    """In the fork: become the kernel the request describes (never returns)."""
    code = 1
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.setsid()  # jupyter_client starts each kernel in a new session
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [launcher, *request["args"]]  # as `python -m ipykernel_launcher ARGS` has it
        from ipykernel.kernelapp import IPKernelApp  # lazy: in the fork, once its env is set

        IPKernelApp.launch_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - report and leave; the worker sees the exit
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _reap(children: set[int]) -> None:
    while children:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        children.discard(pid)


def _recv(sock: socket.socket) -> tuple[dict | None, list[int]]:
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 8)
    if not data:
        return None, fds
    return json.loads(data.decode()), fds


def serve(sock: socket.socket) -> None:
    """Answer fork requests until the worker closes the socket."""
    launcher = importlib.util.find_spec("ipykernel_launcher").origin  # a kernel's sys.argv[0]
    children: set[int] = set()
    try:
        while True:
            ready, _, _ = select.select([sock], [], [], 1.0)
            _reap(children)
            if not ready:
                continue
            request, fds = _recv(sock)
            if request is None:
                break
            try:
                pid = os.fork()
            except OSError as exc:
                for fd in fds:
                    os.close(fd)
                sock.sendall(json.dumps({"error": f"fork failed: {exc}"}).encode())
                continue
            if pid == 0:
                sock.close()
                _kernel_child(request, fds, launcher)
            children.add(pid)
            for fd in fds:
                os.close(fd)
            pidfd = os.pidfd_open(pid)
            try:
                socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
            finally:
                os.close(pidfd)
    finally:
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap(children)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpers.runner.kernels.template")
    parser.add_argument("--fd", type=int, required=True, help="the worker's socket")
    parser.add_argument("--preload", action="append", default=[], help="dataset to load")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    try:
        report = prepare(MODULES, args.preload)
    except BaseException as exc:  # noqa: BLE001 - the worker falls back to fresh kernels
        sock.sendall(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    sock.sendall(json.dumps({"ready": report}).encode())
    serve(sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
