"""A kernel kept per worker and reset between jobs, so imports are paid once per worker (issue 8).

Most of a report's cost without leadeval is start-up: a kernel (about 0.5 s) and importing
pandas, statsmodels, seaborn and scipy (about 1.4 s) for every job, against about 1.25 s of
analysis (issue 8's measurements). :class:`ReusedKernel` starts one kernel per worker, imports the
heavy libraries and every ``helpers`` module in it once, records the interpreter state the
imports leave (:func:`kernel_warm_up`), and before each job puts that state back
(:func:`kernel_reset`): a new IPython session (user namespace, ``In``/``Out`` and the execution
counter, as a new kernel has them), matplotlib figures closed and ``rcParams`` restored, the
random generators of ``random`` and ``numpy`` reseeded from the operating system (as in a new
process), pandas options, warning filters and the once-only warning registries, environment
variables, ``sys.path``, IPython event callbacks, every ``helpers`` module dropped so that the
job imports leadeval's own code afresh, and a fresh working directory. The same technique as IPython's own ``%reset`` plus the
library state a notebook can change (cf. jupyter-server's kernel culling and Voilà's pre-heated
kernel pool, which pre-start kernels but never reuse one; here each reset is checked by tests
that set each kind of state in one job and look for it in the next, and that compare reports
from a reused kernel with a new kernel's byte for byte).

What a reset costs was measured and cut (Barts' 67 jobs in one process: reset 0.3-0.5 s per job
down to 0.02-0.1 s, papermill's own time 0.23 s down to 0.03 s): the imports' objects are frozen
out of the garbage collector's scans (:func:`gc.freeze`), the helpers' compiled code is kept in
memory (:class:`HelpersCodeCache`; a managed machine's ``PYTHONDONTWRITEBYTECODE`` otherwise
means compiling them for every job), and one kernel client, connected once, serves every job
(a new client per job waits for ``kernel_info`` and IOPub to connect).

Safety valves: a kernel is discarded (and the next job gets a new one) after any failed job,
when it died or was killed by the job watchdog, after ``max_jobs`` jobs (default 1,000), and when
its resident memory exceeds ``max_rss_mb`` (default 3,072; both set by :func:`kernel_limits`). ``LEADEVAL_WARM_KERNEL=fresh`` falls back to a new kernel per
job started ahead of need (:class:`helpers.runner.execute.WarmKernel`), ``0`` to plain papermill.

The kernel-side functions import only the standard library at module level; the host-side
class imports jupyter_client lazily.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from importlib.machinery import PathFinder, SourceFileLoader

#: Imported in the kernel once, before the first job (any that fails is left to the notebook).
WARM_MODULES = (
    "numpy", "pandas", "scipy.stats", "statsmodels.api", "statsmodels.formula.api",
    "matplotlib", "matplotlib.pyplot", "seaborn", "networkx",
    "helpers.data", "helpers.report", "helpers.report.display", "helpers.report.disclosure",
    "helpers.report.fmt", "helpers.report.theme", "helpers.quality", "helpers.reach",
    "helpers.scales", "helpers.outcomes", "helpers.careers", "helpers.reliability",
    "helpers.themes", "helpers.quotes", "helpers.attribution", "helpers.projects", "helpers.spc",
    "helpers.its", "helpers.networks",
    "helpers.evaluation",
)

KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]  # as nbclient starts its kernels
_SNAPSHOT: dict = {}
# this module holds the snapshot; helpers.data.memo holds datasets keyed by content hash, handed
# out as copy-on-write copies (see its docstring), so keeping it leaks no job's changes.
_KEEP_MODULES = ("helpers", "helpers.runner", "helpers.runner.warm", "helpers.data.memo")


# --------------------------------------------------------------------------------- kernel side


class HelpersCodeCache:
    """A meta path finder for ``helpers.*`` that keeps each module's compiled code in memory.

    Keyed by the source file's path, modification time and size, so an edited module is
    compiled again. Only the code object is reused; every import still executes the module
    afresh into a new namespace (importlib's SourceFileLoader does the rest).
    """

    def __init__(self):
        self.codes: dict = {}

    def find_spec(self, name, path=None, target=None):
        if not name.startswith("helpers."):
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _CachedSourceLoader(spec.loader.name, spec.loader.path, self.codes)
        return spec


class _CachedSourceLoader(SourceFileLoader):
    """importlib's source loader, taking compiled code from ``codes`` when the file is unchanged."""

    def __init__(self, fullname, path, codes):
        super().__init__(fullname, path)
        self._codes = codes

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size)
        code = self._codes.get(key)
        if code is None:
            code = self._codes[key] = super().get_code(fullname)
        return code


def _pandas_options() -> dict:
    pd = sys.modules.get("pandas")
    if pd is None:
        return {}
    try:
        from pandas._config.config import _registered_options
    except ImportError:  # pragma: no cover - pandas moved its private registry
        return {}
    import warnings

    options = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a deprecated option warns
        for key in _registered_options:
            try:
                options[key] = pd.get_option(key)
            except Exception:  # noqa: BLE001 - removed keys
                pass
    return options


def kernel_snapshot() -> dict:
    """The interpreter state a job may change, as it is now (called once, after the imports)."""
    import copy
    import warnings

    snap = {
        "filters": list(warnings.filters),
        "showwarning": warnings.showwarning,
        "environ": dict(os.environ),
        "path": list(sys.path),
        "modules": set(sys.modules),
        "pandas": _pandas_options(),
    }
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        snap["rcParams"] = copy.deepcopy(dict(mpl.rcParams))
    shell = _shell()
    if shell is not None:
        snap["events"] = {name: list(cbs) for name, cbs in shell.events.callbacks.items()}
    return snap


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    return get_ipython()


def kernel_warm_up(modules: tuple[str, ...] = WARM_MODULES) -> list[str]:
    """Import ``modules`` (skipping any that fail) and snapshot the state; the names imported.

    Every job imports leadeval's modules afresh (see :func:`kernel_reset`). With
    ``PYTHONDONTWRITEBYTECODE`` set, as on many managed machines, each of those imports would
    compile the source again (about 0.1 s of CPU per job), so compiled code objects of
    ``helpers`` modules are kept in memory by :class:`HelpersCodeCache` (code objects are
    immutable: sharing them between jobs shares no state).

    Afterwards the objects the imports created are moved out of the garbage collector's sight
    with :func:`gc.freeze` (meant for long-lived start-up objects; see its documentation), so the
    full collection each reset runs scans one job's objects, not the quarter of a million the
    libraries leave behind.
    """
    import gc
    import importlib

    if not any(isinstance(f, HelpersCodeCache) for f in sys.meta_path):
        sys.meta_path.insert(0, HelpersCodeCache())
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception:  # noqa: BLE001 - the notebook will meet (and report) the same error
            pass
    _SNAPSHOT.clear()
    _SNAPSHOT.update(kernel_snapshot())
    gc.collect()
    gc.freeze()
    return done


def kernel_reset(workdir: str | None = None, snapshot: dict | None = None) -> None:
    """Put the interpreter back to the snapshot taken by :func:`kernel_warm_up` for a new job."""
    import random
    import warnings

    snap = _SNAPSHOT if snapshot is None else snapshot
    if workdir is not None:
        os.chdir(workdir)  # first: the last job's folder is gone, and IPython's reset reads the cwd
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    # leadeval's own modules are imported afresh by every job (cheap once their libraries are
    # loaded), so module-level state a job sets in them cannot reach the next job.
    for name in [n for n in sys.modules if n.startswith("helpers.") and n not in _KEEP_MODULES]:
        del sys.modules[name]
    shell = _shell()
    if shell is None:
        import gc

        gc.collect()
    else:
        # user namespace, In/Out, execution count 1; it ends with a full garbage collection
        # (IPython's DisplayHook.flush), which also frees the modules dropped above.
        shell.reset(new_session=True)
        for name, cbs in snap.get("events", {}).items():
            shell.events.callbacks[name][:] = cbs
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "rcParams" in snap:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mpl.rcParams.update(snap["rcParams"])
    pd = sys.modules.get("pandas")
    if pd is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in snap.get("pandas", {}).items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except Exception:  # noqa: BLE001
                    pass
    random.seed()  # from os.urandom, as a new process does
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed()
    warnings.filters[:] = snap.get("filters", warnings.filters)
    warnings.showwarning = snap.get("showwarning", warnings.showwarning)
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # every module's __warningregistry__ is now out of date
    if "environ" in snap:
        for key in set(os.environ) - set(snap["environ"]):
            del os.environ[key]
        for key, value in snap["environ"].items():
            if os.environ.get(key) != value:
                os.environ[key] = value
    if "path" in snap:
        sys.path[:] = snap["path"]


# ----------------------------------------------------------------------------------- host side


class KernelCallError(RuntimeError):
    """Code run silently in the kept kernel failed or did not answer."""


#: A kept kernel serves at most this many jobs (``$LEADEVAL_KERNEL_MAX_JOBS``). At national scale a
#: new kernel costs 18-20 s (imports, the 100,000-participant dataset from the parquet cache, its
#: row indexes): replacing it every 100 jobs was 19% of the cohort reports' time (benchmarks/
#: RESULTS.md). State cannot build up through the reset, and memory growth has its own limit.
MAX_JOBS = 1000
#: A kept kernel whose resident memory is above this after a job is replaced
#: (``$LEADEVAL_KERNEL_MAX_RSS_MB``): at 100,000 participants a kernel holding the dataset sits
#: near 2 GB, and a worker with its kernel must stay under 4 GB.
MAX_RSS_MB = 3072


def kernel_limits(max_jobs: int | None = None, max_rss_mb: float | None = None,
                  environ: dict | None = None) -> tuple[int, float]:
    """The job and memory limits of a kept kernel: the arguments, else the environment
    (``LEADEVAL_KERNEL_MAX_JOBS``, ``LEADEVAL_KERNEL_MAX_RSS_MB``), else the defaults. A value
    that is not a positive number raises ValueError naming the variable."""
    env = os.environ if environ is None else environ

    def pick(value, name, default, kind):
        if value is None:
            raw = env.get(name)
            if raw in (None, ""):
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a positive number; got {raw!r}") from None
        if value <= 0:
            raise ValueError(f"{name} must be a positive number; got {value!r}")
        return value

    return (pick(max_jobs, "LEADEVAL_KERNEL_MAX_JOBS", MAX_JOBS, int),
            pick(max_rss_mb, "LEADEVAL_KERNEL_MAX_RSS_MB", MAX_RSS_MB, float))


class ReusedKernel:
    """One kernel per worker, warmed once and reset before each job (interface of WarmKernel).

    ``workdir`` is the current job's working directory (new for every job, removed by
    :func:`helpers.runner.execute.run_job`); ``km`` the kernel manager handed to papermill.
    """

    reusable = True

    def __init__(self, kernel_name: str = "python3", max_jobs: int | None = None,
                 max_rss_mb: float | None = None, modules: tuple[str, ...] = WARM_MODULES,
                 timeout: float = 120):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.kernel_name = kernel_name
        self.max_jobs, self.max_rss_mb = kernel_limits(max_jobs, max_rss_mb)
        self.timeout = timeout
        self.jobs = 0
        self.home = tempfile.mkdtemp(prefix="leadeval-kernel-")
        self.workdir = self.home
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.kc = None
        from helpers.runner.execute import KERNEL_STDERR

        err = open(os.path.join(self.home, KERNEL_STDERR), "ab")  # noqa: SIM115
        try:
            run_sync(self.km.start_kernel)(cwd=self.home, stderr=err, extra_arguments=KERNEL_ARGS)
        finally:
            err.close()
        try:
            # One client for the kernel's whole life, handed to nbclient for every job: a new
            # client per job waits for the kernel to answer kernel_info and for IOPub to connect
            # (jupyter_client's wait_for_ready, 0.1-0.3 s of idle time per job). Without a
            # heartbeat channel the client asks the kernel manager (the process) whether the
            # kernel is alive, which a loaded machine cannot fool.
            self.kc = self.km.client()
            self.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
            run_sync(self.kc.wait_for_ready)(timeout=timeout)
            self.call(f"__import__('helpers.runner.warm', fromlist=['_']).kernel_warm_up({tuple(modules)!r})")
        except Exception:
            self.discard()
            raise

    def call(self, code: str) -> None:
        """Run ``code`` silently (no output, no history, no execution count); raise on error."""
        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + self.timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise KernelCallError("the kernel did not answer")
                reply = self._run_sync(self.kc.get_shell_msg)(timeout=remaining)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            content = reply["content"]
            if content.get("status") != "ok":
                raise KernelCallError(f"{content.get('ename')}: {content.get('evalue')}")
        except KernelCallError:
            raise
        except Exception as exc:  # noqa: BLE001 - queue.Empty, a closed channel
            raise KernelCallError(f"{type(exc).__name__}: {exc}") from exc

    def rss_mb(self) -> float:
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        try:
            import psutil

            return psutil.Process(pid).memory_info().rss / 2**20 if pid else 0.0
        except Exception:  # noqa: BLE001 - psutil missing or the process gone
            return 0.0

    def usable(self, kernel_name: str | None) -> bool:
        """Alive, of the job's kernel name, under its job count and memory limits."""
        try:
            alive = bool(self._run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False
        return (alive and kernel_name in (None, self.kernel_name) and self.jobs < self.max_jobs
                and (not self.max_rss_mb or self.rss_mb() < self.max_rss_mb))

    def begin_job(self) -> None:
        """Reset the kernel into a new working directory for the next job (raises on failure)."""
        workdir = tempfile.mkdtemp(prefix="leadeval-job-")
        try:
            self.call(f"__import__('helpers.runner.warm', fromlist=['_']).kernel_reset({workdir!r})")
        except Exception:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        self.workdir = workdir
        self.jobs += 1

    def keep_after(self, result: dict) -> bool:
        """Whether to keep the kernel for the next job after ``result`` (only after a success,
        or a notebook that stopped because it had nothing to report)."""
        return (result.get("status") in ("ok", "not_applicable")
                and self.usable(self.kernel_name))

    def discard(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
            self.kc = None
        try:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.home, ignore_errors=True)


def start_worker_kernel(mode: str | None = None):
    """The kernel a worker prepares for its next job: ``mode`` (default
    ``$LEADEVAL_WARM_KERNEL``) ``0`` none, ``fresh`` a new kernel started ahead of need,
    anything else a :class:`ReusedKernel`. None when it cannot be started."""
    mode = mode if mode is not None else os.environ.get("LEADEVAL_WARM_KERNEL", "reuse")
    if mode == "0":
        return None
    try:
        if mode == "fresh":
            from helpers.runner.execute import WarmKernel

            return WarmKernel()
        return ReusedKernel()
    except Exception:  # noqa: BLE001 - run_job starts its own kernel instead
        return None
