"""Performance harness for ``leadeval run``.

In one run, on one job set (every job reports.yaml expands to over the dataset, or ``--subset``),
in a temporary copy of the notebooks, manifest and dataset (the real ``reports/`` and
``notebooks/`` are never touched), it times:

a  the naive loop: per job ``papermill`` then ``jupyter nbconvert --to html --no-input``, two
   processes each, one job after another, with the same parameters;
b  ``leadeval run --force`` (cold: every job executes);
c  ``leadeval run`` with nothing changed (no-op);
d  one notebook edited (a markdown cell of the temporary copy), then ``leadeval run``;
e  the analysis floor: every job's code cells in one IPython shell in one process, imports paid
   once, divided by the worker count;
f  one answer of one cohort changed (in the temporary copy of the dataset), then ``leadeval
   run``: which reports re-ran (from the run's log) against the ones that read that answer, the
   cohort's reports and its programme's programme-level reports.

Each is repeated (``--repeats``; the naive loop ``--naive-repeats``) and the median is reported,
with the ratios a/b and b/e, the peak memory per worker (worker process, its template and its
kernels, sampled with psutil as proportional set size, so that pages a forked kernel shares with
its template are counted once; resident set size where PSS is unavailable), the load average
before each phase and the machine's details.

``--scale 1000,10000,100000`` instead generates datasets of that many participants
(``leadeval sample-data``), validates them and runs every job once, recording wall time, the
slowest job and peak memory per worker for each size.

Results: ``benchmarks/results/<UTC stamp>[-scale].json`` and a markdown summary on stdout.
Usage: ``.venv/bin/python benchmarks/run_benchmarks.py [--repeats 3] [--subset 'kf_scl/*']``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = REPO / "benchmarks" / "results"
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client", "pyarrow", "dask",
            "psutil")
#: How memory is measured: PSS where psutil can read it (Linux), else RSS.
MEMORY_MEASURE = "pss" if hasattr(psutil.Process().memory_full_info(), "pss") else "rss"
#: The modules a notebook kernel imports before its first cell does any work.
WARM_IMPORTS = "import pandas, numpy, scipy.stats, statsmodels.api, matplotlib.pyplot, seaborn"


# ---------------------------------------------------------------------------------------------
# measuring


class TreeSampler:
    """Samples the resident memory of a process tree: per direct child (a worker with its kernel)
    and in total, every ``interval`` seconds, keeping the peaks."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval = pid, interval
        self.peak_worker = 0
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    @staticmethod
    def _rss(proc: psutil.Process) -> int:
        """Proportional set size (shared pages divided among the processes sharing them), else
        resident set size."""
        try:
            if MEMORY_MEASURE == "pss":
                return proc.memory_full_info().pss
            return proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
            return 0

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                children = root.children()
            except psutil.NoSuchProcess:
                break
            total = self._rss(root)
            for child in children:
                try:
                    tree = [child] + child.children(recursive=True)
                except psutil.NoSuchProcess:
                    continue
                size = sum(self._rss(p) for p in tree)
                total += size
                self.peak_worker = max(self.peak_worker, size)
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)


def run_timed(cmd: list[str], env: dict, cwd: Path | None = None, check: bool = True) -> dict:
    """Run ``cmd``; wall seconds, peak memory per child tree and in total, exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with TreeSampler(proc.pid) as sampler:
        out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{out[-2000:]}\n{err[-4000:]}")
    return {"seconds": seconds, "peak_worker_mb": sampler.peak_worker / 2**20,
            "peak_total_mb": sampler.peak_total / 2**20, "returncode": proc.returncode,
            "stdout": out, "stderr": err}


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    vm = psutil.virtual_memory()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or None
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores_logical": os.cpu_count(), "cores_physical": psutil.cpu_count(logical=False),
            "cpu_model": cpu_model, "memory_gb": round(vm.total / 2**30, 1),
            "platform": platform.platform(), "python": platform.python_version(),
            "packages": versions, "git_commit": commit,
            "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


# ---------------------------------------------------------------------------------------------
# the job set


def expand_jobs(config: Path, dataset: Path, subset: str | None) -> list[dict]:
    """The jobs ``leadeval run --config config --dataset dataset --only subset`` would run."""
    from helpers.data import load_dataset
    from helpers.runner import manifest as mf

    manifest = mf.load_manifest(config)
    present = [e for e in manifest.entries if e.path.is_file()]
    units = mf.units_from_dataset(load_dataset(dataset))
    jobs = mf.select(mf.expand(present, units), subset)
    return [{"notebook": str(j.entry.path), "output": j.output,
             "parameters": {"dataset": str(dataset), **j.parameters}} for j in jobs]


def make_workspace(root: Path, dataset: Path) -> dict:
    """A copy of reports.yaml, notebooks/ and the dataset under ``root``."""
    shutil.copy2(REPO / "reports.yaml", root / "reports.yaml")
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = root / "data" / dataset.name
    shutil.copytree(dataset, data)
    return {"config": root / "reports.yaml", "dataset": data, "out": root / "reports"}


def bench_env(root: Path) -> dict:
    env = dict(os.environ)
    env["LEADEVAL_CACHE_DIR"] = str(root / "cache")  # the typed parquet cache, private to the run
    env.pop("LEADEVAL_DATASET", None)
    # Pin the helpers code hash for the whole run: other people editing the package while the
    # benchmark runs must not turn the no-op run (c) into a full re-run.
    if not env.get("LEADEVAL_CODE_HASH"):
        sys.path.insert(0, str(REPO / "src"))
        from helpers.runner.hashing import code_hash

        env["LEADEVAL_CODE_HASH"] = code_hash()
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


# ---------------------------------------------------------------------------------------------
# the five measurements


def naive_loop(jobs: list[dict], work: Path, env: dict) -> dict:
    """(a) per job: papermill, then jupyter nbconvert --to html --no-input (two processes)."""
    import yaml

    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    peak = 0.0
    for i, job in enumerate(jobs):
        executed = work / f"job{i}.ipynb"
        pm = run_timed([str(BIN / "papermill"), "--no-progress-bar", "-k", "python3", job["notebook"],
                        str(executed), "-y", yaml.safe_dump(job["parameters"])], env, check=False)
        peak = max(peak, pm["peak_total_mb"])
        if pm["returncode"] != 0:
            if "Not applicable:" in pm["stderr"]:  # nothing to report: no page, as leadeval
                continue
            raise RuntimeError(f"papermill failed on {job['output']}:\n{pm['stderr'][-4000:]}")
        nbc = run_timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                         str(executed)], env)
        peak = max(peak, nbc["peak_total_mb"])
    return {"seconds": time.perf_counter() - t0, "peak_worker_mb": peak}


def leadeval_run(ws: dict, env: dict, workers: int, subset: str | None, force: bool,
                 allow_failed: bool = False) -> dict:
    cmd = [str(BIN / "leadeval"), "run", "--config", str(ws["config"]), "--dataset", str(ws["dataset"]),
           "--out", str(ws["out"]), "--jobs", str(workers)]
    if subset:
        cmd += ["--only", subset]
    if force:
        cmd.append("--force")
    result = run_timed(cmd, env, check=not allow_failed)
    manifest = json.loads((ws["out"] / "manifest.json").read_text())
    reports = manifest.get("jobs", [])
    failed = [r.get("output") for r in reports if r.get("status") == "failed"]
    result["failed"] = {r.get("output"): r.get("error") for r in reports if r.get("status") == "failed"}
    if failed and not allow_failed:
        raise RuntimeError(f"leadeval run left failed jobs: {failed}")
    result["job_seconds"] = {r["output"]: r.get("seconds") for r in reports
                             if isinstance(r, dict) and r.get("output")}
    return result


def edit_notebook(path: Path, stamp: str) -> None:
    """Change the last markdown cell of a notebook (the temporary copy) so its hash changes."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in reversed(nb["cells"]):
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = src.split("\n\n(benchmark edit")[0] + f"\n\n(benchmark edit {stamp})"
            break
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _table(dataset: Path, name: str):
    """A table of the workspace dataset as text columns, and how to write it back."""
    import pandas as pd

    parquet = dataset / f"{name}.parquet"
    if parquet.is_file():
        return pd.read_parquet(parquet), lambda df: df.to_parquet(parquet, index=False)
    path = dataset / f"{name}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df, lambda df: df.to_csv(path, index=False, lineterminator="\n")


def change_one_answer(dataset: Path, jobs: list[dict], stamp: int) -> dict:
    """(f) Change one answer of one cohort in the workspace copy of the dataset.

    The cohort is the first one with a cohort-level job or, in a job set of programme-level
    reports only (``--subset``), the first cohort with an answer in the first job's programme;
    the answer is the first response of a participant of that cohort, its value moved to another
    on the scale. Returns the cohort, its programme, and the outputs that read the answer (that
    cohort's reports and the programme's programme-level reports).
    """
    people, _ = _table(dataset, "participants")
    responses, write = _table(dataset, "responses")
    cohort_jobs = [j for j in jobs if j["parameters"].get("cohort_id")]
    if cohort_jobs:
        cohort = cohort_jobs[0]["parameters"]["cohort_id"]
        programme = cohort_jobs[0]["parameters"]["programme_id"]
    else:
        programme = jobs[0]["parameters"]["programme_id"]
        answered = people["participant_id"].astype(str).isin(responses["participant_id"].astype(str))
        cohorts, _ = _table(dataset, "cohorts")
        of_programme = cohorts.loc[cohorts["programme_id"].astype(str) == str(programme),
                                   "cohort_id"].astype(str)
        cohort = next(c for c in of_programme
                      if (answered & (people["cohort_id"].astype(str) == c)).any())
    ids = set(people.loc[people["cohort_id"].astype(str) == cohort, "participant_id"].astype(str))
    mine = responses["participant_id"].astype(str).isin(ids) & responses["value"].notna()
    row = int(mine.to_numpy().nonzero()[0][0])
    old = responses.at[row, "value"]
    new = 3 if str(old).strip() in ("2", "2.0") else 2
    responses.at[row, "value"] = str(new) if isinstance(old, str) else type(old)(new)
    write(responses)
    reads = sorted(j["output"] for j in jobs if j["parameters"]["programme_id"] == programme
                   and j["parameters"].get("cohort_id") in (None, cohort))
    return {"cohort": cohort, "programme": programme, "row": row, "from": str(old),
            "to": str(new), "reads_it": reads, "stamp": stamp}


def started_in_last_run(out: Path) -> list[str]:
    """The outputs the newest run log says were started."""
    logs = sorted((out / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return []
    started = []
    for line in logs[-1].read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "start":
            started.append(parts[2])
    return sorted(started)


def floor(jobs: list[dict], env: dict, workers: int) -> dict:
    """(e) every job's code in one process (imports paid once), divided by ``workers``."""
    spec = json.dumps(jobs)
    from helpers.runner.pool import limit_threads

    env = dict(env)
    limit_threads(workers, env)  # the same native thread pools as each leadeval worker's kernel
    proc = subprocess.run([sys.executable, __file__, "--floor-worker"], input=spec, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"floor worker failed:\n{proc.stderr[-4000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["seconds"] = (data["imports_seconds"] + sum(data["job_seconds"].values())) / workers
    return data


def floor_worker() -> int:
    """Child of :func:`floor`: read jobs on stdin, print timings as JSON on the last line."""
    import contextlib
    import io
    import resource

    jobs = json.loads(sys.stdin.read())
    os.environ.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    from IPython.core.interactiveshell import InteractiveShell

    exec(WARM_IMPORTS + "\nimport helpers.report, helpers.data", {})
    shell = InteractiveShell.instance()
    imports = time.perf_counter() - t0
    import matplotlib.pyplot as plt

    times, failures = {}, {}
    # each job in a folder of its own, as a kernel would be; all of them removed at the end
    scratch = tempfile.TemporaryDirectory(prefix="leadeval-floor-")
    for job in jobs:
        nb = json.loads(Path(job["notebook"]).read_text(encoding="utf-8"))
        cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                 for c in nb["cells"] if c["cell_type"] == "code"]
        shell.reset(new_session=True)
        os.chdir(tempfile.mkdtemp(dir=scratch.name))
        t1 = time.perf_counter()
        inject = "\n".join(f"{k} = {v!r}" for k, v in job["parameters"].items())
        with contextlib.redirect_stdout(io.StringIO()):
            for src in cells[:1] + [inject] + cells[1:]:
                res = shell.run_cell(src, store_history=True, silent=False)
                if not res.success:
                    error = res.error_in_exec or res.error_before_exec
                    if type(error).__name__ != "NotApplicable":  # a report with nothing to say
                        failures[job["output"]] = repr(error)
                    break
        plt.close("all")
        times[job["output"]] = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    os.chdir(REPO)
    scratch.cleanup()
    print(json.dumps({"imports_seconds": imports, "job_seconds": times, "failures": failures,
                      "peak_worker_mb": peak}))
    return 0


# ---------------------------------------------------------------------------------------------
# drivers


def run_set(args) -> dict:
    root = Path(tempfile.mkdtemp(prefix="leadeval-bench-"))
    try:
        dataset = Path(args.dataset).resolve()
        ws = make_workspace(root, dataset)
        env = bench_env(root)
        sys.path.insert(0, str(REPO / "src"))
        os.environ["LEADEVAL_CACHE_DIR"] = env["LEADEVAL_CACHE_DIR"]
        jobs = expand_jobs(ws["config"], ws["dataset"], args.subset)
        if not jobs:
            raise SystemExit("no jobs in the selected set")
        workers = args.jobs or os.cpu_count() or 1
        phases = {k: [] for k in "abcdef"}
        extra = {"first_run": None, "d_jobs_rerun": None, "memory_measure": MEMORY_MEASURE}
        log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] load {load()}: {msg}", file=sys.stderr, flush=True)  # noqa: E731

        log(f"{len(jobs)} jobs, {workers} workers, workspace {root}")
        log("first leadeval run (empty reports folder, empty parquet cache)")
        first = leadeval_run(ws, env, workers, args.subset, force=False)
        extra["first_run"] = {"seconds": round(first["seconds"], 3), "load": load()}
        edit_target = next(Path(j["notebook"]) for j in jobs if args.edit in Path(j["notebook"]).name)
        for r in range(args.repeats):
            if r < args.naive_repeats:
                log(f"(a) naive loop, repeat {r + 1}")
                phases["a"].append({**naive_loop(jobs, root / "naive", env), "load": load()})
            log(f"(b) leadeval run --force, repeat {r + 1}")
            b = leadeval_run(ws, env, workers, args.subset, force=True)
            phases["b"].append({"seconds": b["seconds"], "peak_worker_mb": b["peak_worker_mb"],
                                "peak_total_mb": b["peak_total_mb"], "load": load(),
                                "job_seconds": b["job_seconds"]})
            log(f"(c) leadeval run, nothing changed, repeat {r + 1}")
            c = leadeval_run(ws, env, workers, args.subset, force=False)
            phases["c"].append({"seconds": c["seconds"], "load": load(),
                                "message": c["stderr"].strip().splitlines()[-1:]})
            log(f"(d) {edit_target.name} edited, leadeval run, repeat {r + 1}")
            edit_notebook(edit_target, f"{r}-{time.time_ns()}")
            d = leadeval_run(ws, env, workers, args.subset, force=False)
            extra["d_jobs_rerun"] = sum(1 for j in jobs if Path(j["notebook"]) == edit_target)
            phases["d"].append({"seconds": d["seconds"], "peak_worker_mb": d["peak_worker_mb"],
                                "load": load()})
            log(f"(e) analysis floor, repeat {r + 1}")
            e = floor(jobs, env, workers)
            if e["failures"]:
                raise RuntimeError(f"floor: jobs failed: {e['failures']}")
            phases["e"].append({**e, "load": load()})
            change = change_one_answer(ws["dataset"], jobs, r)
            log(f"(f) one answer of cohort {change['cohort']} changed, leadeval run, repeat {r + 1}")
            f = leadeval_run(ws, env, workers, args.subset, force=False)
            rerun = started_in_last_run(ws["out"])
            phases["f"].append({"seconds": f["seconds"], "peak_worker_mb": f["peak_worker_mb"],
                                "load": load(), **change, "rerun": rerun,
                                "only_what_reads_it": set(rerun) <= set(change["reads_it"])})
        med = {k: median([p["seconds"] for p in v]) for k, v in phases.items()}
        result = {
            "kind": "job-set", "machine": machine(), "workers": workers, "jobs": len(jobs),
            "subset": args.subset, "dataset": str(dataset), "repeats": args.repeats,
            "naive_repeats": min(args.naive_repeats, args.repeats), "edited_notebook": edit_target.name,
            "median_seconds": med,
            "per_job_seconds": {k: round(med[k] / len(jobs), 3) if med[k] else None for k in "abe"},
            "f_only_what_reads_it": all(p["only_what_reads_it"] for p in phases["f"]),
            "f_jobs_rerun": [len(p["rerun"]) for p in phases["f"]],
            "ratios": {"a/b": round(med["a"] / med["b"], 2) if med["a"] and med["b"] else None,
                       "b/e": round(med["b"] / med["e"], 2) if med["b"] and med["e"] else None},
            "peak_worker_mb": {k: round(max(p.get("peak_worker_mb", 0) for p in v), 1)
                               for k, v in phases.items() if v and k != "c"},
            "floor_imports_seconds": median([p["imports_seconds"] for p in phases["e"]]),
            "phases": phases, **extra,
        }
        return result
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"workspace kept: {root}", file=sys.stderr)


def run_scale(args) -> dict:
    sizes = [int(s) for s in args.scale.split(",")]
    root = Path(tempfile.mkdtemp(prefix="leadeval-scale-"))
    workers = args.jobs or os.cpu_count() or 1
    out = {"kind": "scale", "machine": machine(), "workers": workers, "sizes": []}
    try:
        shutil.copy2(REPO / "reports.yaml", root / "reports.yaml")
        shutil.copytree(REPO / "notebooks", root / "notebooks")
        env = bench_env(root)
        for n in sizes:
            data = root / "data" / f"p{n}"
            print(f"[{time.strftime('%H:%M:%S')}] load {load()}: {n} participants", file=sys.stderr, flush=True)
            gen = run_timed([str(BIN / "leadeval"), "sample-data", str(data), "--participants", str(n)], env)
            val = run_timed([str(BIN / "leadeval"), "validate", str(data)], env)
            ws = {"config": root / "reports.yaml", "dataset": data, "out": root / f"reports-{n}"}
            try:  # failed jobs are recorded, not fatal: time and memory are still wanted
                run = leadeval_run(ws, env, workers, args.subset, force=True, allow_failed=True)
                error = run["failed"] or None
            except (RuntimeError, OSError, ValueError) as exc:
                run, error = None, str(exc)[-3000:]
            jobs = run["job_seconds"] if run else {}
            slowest = sorted(jobs.items(), key=lambda kv: -(kv[1] or 0))[:5]
            out["sizes"].append({
                "participants": n, "sample_data_seconds": round(gen["seconds"], 2),
                "validate_seconds": round(val["seconds"], 2),
                "validate_peak_mb": round(val["peak_total_mb"], 1),
                "run_seconds": round(run["seconds"], 2) if run and run["seconds"] else None,
                "jobs": len(jobs), "slowest_jobs": slowest,
                "peak_worker_mb": round(run["peak_worker_mb"], 1) if run and run["peak_worker_mb"] else None,
                "peak_total_mb": round(run["peak_total_mb"], 1) if run and run["peak_total_mb"] else None,
                "error": error, "load": load()})
            print(json.dumps(out["sizes"][-1]), file=sys.stderr, flush=True)
        return out
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def summary(result: dict) -> str:
    m = result["machine"]
    lines = [f"machine: {m['cores_logical']} cores ({m['cpu_model']}), {m['memory_gb']} GB, "
             f"Python {m['python']}, commit {m['git_commit']}, {m['when_utc']}"]
    if result["kind"] == "scale":
        lines.append("| participants | sample-data s | validate s | run s | jobs | slowest job s | peak MB/worker |")
        lines.append("|---|---|---|---|---|---|---|")
        for s in result["sizes"]:
            slow = s["slowest_jobs"][0] if s["slowest_jobs"] else ("-", None)
            lines.append(f"| {s['participants']} | {s['sample_data_seconds']} | {s['validate_seconds']} | "
                         f"{s['run_seconds']} | {s['jobs']} | {slow[1]} ({slow[0]}) | {s['peak_worker_mb']} |")
        return "\n".join(lines)
    med, ph = result["median_seconds"], result["phases"]
    names = {"a": "naive papermill + nbconvert loop", "b": "leadeval run --force",
             "c": "leadeval run, nothing changed", "d": f"{result['edited_notebook']} edited, run",
             "e": "analysis floor (one process / workers)",
             "f": "one cohort's answer changed, run"}
    lines.append(f"{result['jobs']} jobs, {result['workers']} workers, medians of "
                 f"{result['repeats']} (naive {result['naive_repeats']})")
    lines.append("| | phase | median s | runs s | peak MB/worker | load 1m |")
    lines.append("|---|---|---|---|---|---|")
    for k in "abcdef":
        runs = ", ".join(f"{p['seconds']:.2f}" for p in ph[k])
        lines.append(f"| {k} | {names[k]} | {med[k]} | {runs} | {result['peak_worker_mb'].get(k, '')} | "
                     f"{', '.join(str(p['load'][0]) for p in ph[k])} |")
    lines.append(f"a/b = {result['ratios']['a/b']}, b/e = {result['ratios']['b/e']}; floor imports "
                 f"{result['floor_imports_seconds']} s (paid once, included in e)")
    if ph["f"]:
        last = ph["f"][-1]
        lines.append(f"f: cohort {last['cohort']} of {last['programme']}: re-ran "
                     f"{result['f_jobs_rerun']} jobs, {len(last['reads_it'])} read the answer; "
                     f"only those: {result['f_only_what_reads_it']}")
    return "\n".join(lines)


def save_result(result: dict, suffix: str = "") -> Path:
    """Write ``result`` to ``results/<UTC stamp><suffix>.json`` and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}{suffix}.json"
    path.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"saved {path.relative_to(REPO)}")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="repeats of b, c, d and e (median reported)")
    p.add_argument("--naive-repeats", type=int, default=1, help="repeats of the (slow) naive loop")
    p.add_argument("--subset", default=None, metavar="GLOB", help="only jobs whose output path matches")
    p.add_argument("--jobs", type=int, default=None, help="workers (default: number of cores)")
    p.add_argument("--dataset", default=str(REPO / "data" / "sample"))
    p.add_argument("--edit", default="00_data_quality", help="notebook edited for (d)")
    p.add_argument("--scale", default=None, metavar="N,N,...", help="participant counts for the scale run")
    p.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    p.add_argument("--no-save", action="store_true", help="print only, do not write results/")
    p.add_argument("--floor-worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.floor_worker:
        return floor_worker()
    result = run_scale(args) if args.scale else run_set(args)
    text = summary(result)
    print(text)
    if not args.no_save:
        save_result(result, "-scale" if args.scale else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
