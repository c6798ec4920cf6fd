"""``leadeval run``: check everything, run what changed, publish atomically, summarise.

Order of work, so that nothing runs unless everything is right:

1. read reports.yaml, take the run lock on the reports folder (exit 2 if another run holds it)
   and the dataset's lock, shared (waiting for an import to finish; exit 2 after
   LEADEVAL_IMPORT_WAIT seconds), held until the run ends so no report reads a half-imported
   dataset;
2. hash the dataset's files; when that hash is new, validate it with ``helpers.data.load_dataset``
   (exit 2 when invalid) and digest what each programme's and cohort's reports read of it
   (:mod:`helpers.data.digest`); expand the manifest against its programmes and cohorts;
3. check every selected job's parameters against its notebook (exit 2 on any problem);
4. skip jobs whose input hash (:mod:`helpers.runner.hashing`: notebook, parameters, the rows and
   settings the job reads, code, and the reports it depends on) matches their last successful
   run (unless ``--force``);
5. run the rest on local workers or a Dask cluster; each report passes the disclosure audit
   (:mod:`helpers.runner.gate`: a report that fails is not published and is recorded failed
   with the reason, its last good copy kept) and is published as it completes,
   journalling its record at once and rewriting manifest.json and index.html on a fixed
   interval and at the end (see :mod:`helpers.runner.publish`);
6. print the summary; exit 0 when every job is published or up to date, 1 when any failed.

The no-op path (step 4 finds nothing to do) imports neither papermill, nbconvert nor pandas.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import __version__
from helpers.runner import hashing, manifest as mf
from helpers.runner.exceptions import ParameterError, RunnerError
from helpers.runner.jobs import JobResult, JobSpec
from helpers.runner.layout import LOGS, PER_COHORT_PARAMETER, STATE
from helpers.runner.params import (declares, first_heading, read_notebook_json,
                                   validate_job_parameters)
from helpers.runner.progress import Progress, summary_table
from helpers.runner.publish import Store, remove_temp_files, unwritable, utc_now
from helpers.starter import ENV_DATASET, MANIFEST_NAME, PROJECT_DATASET, packaged_manifest

LOGS_KEPT = 50


class Interrupted(BaseException):
    """The run received SIGTERM (or SIGINT) and stops, keeping what is published."""


def _raise_interrupted(signum, frame):  # pragma: no cover - exercised in a subprocess test
    raise Interrupted(signal.Signals(signum).name)


def git_commit(where: Path) -> str | None:
    """The repository's HEAD commit, or None outside git."""
    try:
        out = subprocess.run(["git", "-C", str(where), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def scope_in_words(units: dict, programme_id: str, cohort_id: str | None) -> str:
    """The parameters in words: "<programme name> (all cohorts)" or "<programme name>, cohort X"."""
    name = next((p["name"] for p in units["programmes"] if p["programme_id"] == programme_id),
                programme_id)
    return f"{name}, cohort {cohort_id}" if cohort_id else f"{name} (all cohorts)"


class _Log:
    """One log file per run under reports/logs/."""

    def __init__(self, out: Path):
        logs = out / LOGS
        logs.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.path = logs / f"run-{stamp}-{os.getpid()}.log"
        self.fh = open(self.path, "a", encoding="utf-8")
        for old in sorted(logs.glob("run-*.log"))[:-LOGS_KEPT]:
            try:
                old.unlink()
            except OSError:
                pass

    def write(self, text: str) -> None:
        self.fh.write(f"{utc_now()} {text}\n")
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def _dataset_info(store: Store, dataset: Path, force: bool, checker: str) -> dict:
    """Hash the dataset; validate and expand it when the hash, or the code that checks it
    (``checker``: a newer leadeval may refuse what an older one accepted), is new. Raises
    RunnerError."""
    cache = store.cache
    file_hashes = {k: v for k, v in cache.get("file_hashes", {}).items()
                   if k.startswith(str(dataset) + os.sep)}
    digest = hashing.dataset_hash(dataset, file_hashes)
    cache["file_hashes"] = file_hashes
    info = cache.get("dataset")
    if (not force and info and info.get("hash") == digest and info.get("path") == str(dataset)
            and info.get("code") == checker and "scopes" in info):
        return info
    from helpers.data import DataError, load_dataset

    try:
        ds = load_dataset(dataset)
    except DataError as exc:
        problems = getattr(exc, "problems", None) or []
        lines = [f"  {p}" for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"  ... and {len(problems) - 50} more")
        raise RunnerError(f"dataset {dataset} is invalid; nothing was run:\n" + "\n".join(lines or [f"  {exc}"])) from exc
    except Exception as exc:  # noqa: BLE001 - an unreadable dataset is bad input, not a crash
        raise RunnerError(f"dataset {dataset} could not be read; nothing was run: "
                          f"{type(exc).__name__}: {exc}") from exc
    from helpers.data.digest import scope_digests, settings_digest

    units = mf.units_from_dataset(ds)
    scopes = [(p["programme_id"], None) for p in units["programmes"]]
    scopes += [(c["programme_id"], c["cohort_id"]) for c in units["cohorts"]]
    info = {"hash": digest, "path": str(dataset), "code": checker,
            "name": getattr(ds, "name", dataset.name),
            "content_hash": getattr(ds, "content_hash", digest), "units": units,
            "settings": settings_digest(ds),
            "scopes": {hashing.scope_key(p, c): d for (p, c), d in scope_digests(ds, scopes).items()}}
    cache["dataset"] = info
    return info


def _remove_kept_notebooks(out: Path) -> None:
    for path in out.glob("*/*/*.ipynb"):
        try:
            path.unlink()
        except OSError:
            pass


def _manifest(config: str | None) -> tuple[mf.Manifest, bool]:
    """The job manifest: ``--config``, else ./reports.yaml, else the packaged one (True)."""
    if config or Path(MANIFEST_NAME).is_file():
        return mf.load_manifest(config or MANIFEST_NAME), False
    try:
        return mf.load_manifest(packaged_manifest()), True
    except FileNotFoundError as exc:
        raise RunnerError(f"no {MANIFEST_NAME} here and {exc}") from None


def _packaged_run_dataset() -> Path:
    """The dataset of a run on the packaged manifest, whose own ``dataset:`` points inside the
    installation: ``$LEADEVAL_DATASET``, else ./dataset (the layout ``leadeval init`` makes)."""
    named = os.environ.get(ENV_DATASET)
    if named:
        return Path(named).resolve()
    here = Path(PROJECT_DATASET).resolve()
    if (here / "dataset.yaml").is_file():
        return here
    raise RunnerError(f"no {MANIFEST_NAME} and no dataset here: pass --dataset DIR, set "
                      f"${ENV_DATASET}, or start a project with `leadeval init DIR`")


def _audit_gate(out: Path, dataset: Path):
    """The disclosure audit every report passes before it is published (helpers.runner.gate)."""
    from helpers.data import load_dataset
    from helpers.runner.gate import AuditGate

    return AuditGate(out, load_dataset(dataset))


def run_command(args: argparse.Namespace) -> int:
    """Entry point of ``leadeval run``; returns the exit status (0, 1 or 2, DESIGN.md)."""
    try:
        return _run(args)
    except RunnerError as exc:
        print(f"leadeval run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that turned read-only or full while checking
        print(f"leadeval run: cannot read or write {exc.filename or 'a file'} "
              f"({exc.strerror or exc}); reports already published are unchanged", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    err = sys.stderr
    manifest, packaged = _manifest(getattr(args, "config", None))
    if packaged:
        print(f"leadeval run: no reports.yaml here; using the packaged one ({manifest.path})",
              file=err)
    dataset = Path(args.dataset).resolve() if getattr(args, "dataset", None) else (
        _packaged_run_dataset() if packaged else
        manifest.dataset or (manifest.path.parent / "data" / "sample").resolve())
    if not (dataset / "dataset.yaml").is_file():
        raise RunnerError(f"{dataset} is not a dataset folder (no dataset.yaml)")
    out = Path(args.out).resolve() if getattr(args, "out", None) else (
        Path("reports").resolve() if packaged else manifest.out)
    n_jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    if n_jobs < 1:
        raise RunnerError("--jobs must be at least 1")
    from helpers.runner.kernels import kernel_mode

    try:  # a typo here would otherwise quietly change where every job's kernel comes from
        kernel_mode()
    except ValueError as exc:
        raise RunnerError(str(exc)) from None
    force = bool(getattr(args, "force", False))
    keep = bool(getattr(args, "keep_notebooks", False))
    scheduler = getattr(args, "scheduler", None)
    if scheduler:
        from helpers.runner.dask_backend import wait_limit

        try:  # a typo would otherwise surface only when the cluster has no worker
            wait_limit()
        except ValueError as exc:
            raise RunnerError(str(exc)) from None
    for where in (out, out / STATE, out / LOGS):
        why = unwritable(where) if where == out or where.exists() else None
        if why:
            raise RunnerError(f"cannot publish into the reports folder: {why}; nothing was run "
                              "(give a folder you can write with --out)")

    from helpers.runner.lock import DatasetLock, RunLock, lock_wait

    lock = RunLock(out).acquire()
    reading = None
    try:
        if lock.stale_pid:
            print(f"leadeval run: cleared a stale lock left by process {lock.stale_pid}", file=err)
        if dataset != out:  # the same folder is already locked, exclusively
            reading = DatasetLock(dataset, shared=True).acquire(
                lock_wait(), lambda text: print(f"leadeval run: {text}", file=err))
        store = Store(out)
        dirty = bool(remove_temp_files(out)) or store.replayed > 0
        notes = store.reconcile()
        dirty |= bool(notes)
        if not keep:
            _remove_kept_notebooks(out)
        cache_before = hashing.canonical_json(store.cache)
        code = hashing.code_hash()
        info = _dataset_info(store, dataset, force, code)
        dirty |= hashing.canonical_json(store.cache) != cache_before

        present, skipped = [], []
        for entry in manifest.entries:
            (present if entry.path.is_file() else skipped).append(entry)
        for entry in skipped:
            print(f"leadeval run: skipped {entry.notebook}: the notebook does not exist (yet)", file=err)
        notebooks = {e.path: read_notebook_json(e.path) for e in present}
        all_jobs = mf.give_per_cohort_reports(mf.expand(present, info["units"]), present, {
            path for path, nb in notebooks.items() if declares(nb, PER_COHORT_PARAMETER)})
        jobs = mf.select(all_jobs, getattr(args, "only", None))

        problems = []
        for job in jobs:
            try:
                validate_job_parameters(notebooks[job.entry.path],
                                        {"dataset": str(dataset), **job.parameters}, job.output)
            except ParameterError as exc:
                problems.append(str(exc))
        if problems:
            raise RunnerError("parameter problems; nothing was run:\n  " + "\n  ".join(problems))

        nb_digest = {path: hashing.notebook_hash(nb) for path, nb in notebooks.items()}
        digests = hashing.job_hashes(all_jobs, nb_digest, info["scopes"], info["settings"], code)
        pdf = bool(getattr(args, "pdf", False))
        if pdf:
            from helpers.runner.pdf import find_chromium

            find_chromium()  # exit 2 before any job when there is no browser to print with
        todo = [j for j in jobs if force or not store.is_current(j.output, digests[j.output], pdf)]
        up_to_date = len(jobs) - len(todo)
        index_path = out / "index.html"
        if not todo:
            if dirty or not index_path.is_file() or not (out / "manifest.json").is_file():
                store.save()
            print(f"leadeval run: {up_to_date} reports up to date; nothing to run.", file=err)
            print(summary_table(0, up_to_date, 0, len(skipped), str(index_path), time.monotonic() - t0))
            return 0
        return _execute(args, todo, up_to_date, skipped, digests, notebooks, info, store, out,
                        dataset, n_jobs, keep, scheduler, t0)
    finally:
        if reading is not None:
            reading.release()
        lock.release()


def _execute(args, todo, up_to_date, skipped, digests, notebooks, info, store, out, dataset,
             n_jobs, keep, scheduler, t0) -> int:
    err = sys.stderr
    commit = git_commit(Path(__file__).resolve().parent)
    fields, specs = {}, []
    programmes = {p["programme_id"]: p for p in info["units"]["programmes"]}
    single = mf.single_cohort_programmes(info["units"])
    for job in todo:
        heading = first_heading(notebooks[job.entry.path].get("cells", [])) or job.entry.name
        scope = scope_in_words(info["units"], job.programme_id, job.cohort_id)
        programme = programmes.get(job.programme_id, {})
        fields[job.output] = {"notebook": job.notebook, "parameters": job.parameters, "output": job.output,
                              "programme_id": job.programme_id, "cohort_id": job.cohort_id,
                              "programme_name": programme.get("name") or job.programme_id,
                              "provider": programme.get("provider") or "",
                              "host_organisation": programme.get("host_organisation") or "",
                              "single_cohort": single.get(job.programme_id), "title": heading}
        specs.append(JobSpec(
            notebook=str(job.entry.path), output=job.output,
            parameters={"dataset": str(dataset), **job.parameters},
            cell_timeout=job.entry.cell_timeout, job_timeout=job.entry.job_timeout,
            keep_notebook=keep, kernel_name="python3", pdf=bool(getattr(args, "pdf", False)),
            title={"heading": heading, "scope": scope, "full": f"{heading} — {scope}"},
            provenance={"dataset": info["name"], "dataset_hash": info["content_hash"],
                        # the report's scope; the per-cohort report set is the layout's
                        "parameters": {k: v for k, v in job.parameters.items()
                                       if k != PER_COHORT_PARAMETER},
                        "version": __version__,
                        "git_commit": commit, "generated_at": utc_now()},
        ))
    # Longest first (by the last recorded duration) so the slowest job does not start last.
    specs.sort(key=lambda s: -(store.records.get(s.output, {}).get("seconds") or 0.0))

    log = _Log(out)
    log.write(f"leadeval {__version__} run: {len(specs)} to run, {up_to_date} up to date, "
              f"dataset {dataset} ({info['content_hash']}), "
              f"{'scheduler ' + scheduler if scheduler else f'{n_jobs} local workers'}")
    progress = Progress(len(specs))
    counts = {"published": 0, "failed": 0}
    gate = _audit_gate(out, dataset)

    def on_start(spec: JobSpec, worker: str | None = None) -> None:
        progress.start(spec.output)
        log.write(f"start {spec.output}" + (f" on worker {worker}" if worker else ""))

    def on_result(spec: JobSpec, result: JobResult) -> None:
        output = spec.output
        job_fields = fields[output]
        error = result.error
        if result.status == "not_applicable":  # nothing to report: no page published
            store.record_not_applicable(job_fields, digests[output], result.reason or "",
                                        result.seconds)
            log.write(f"not applicable {output}: {result.reason}")
            progress.finish(output, "not_applicable", result.seconds, None)
            return
        if result.status == "ok":
            error = gate.check(output, result.html or "")  # the disclosure audit
            if error is None:
                try:
                    store.record_success(job_fields, digests[output], result, keep)
                except OSError as exc:
                    error = f"could not publish: {type(exc).__name__}: {exc}"
        if error or result.status != "ok":
            error = error or "the job failed"
            store.record_failure(job_fields, digests[output], error, result.seconds)
            counts["failed"] += 1
            log.write(f"FAILED {output}: {error}\n{result.detail or ''}".rstrip())
        else:
            counts["published"] += 1
            log.write(f"ok {output} ({result.seconds} s, worker {result.worker}, "
                      f"{result.kernel or 'kernel'})")
        progress.finish(output, "ok" if not error else store.records[output]["status"],
                        result.seconds, error)
        save_if_due()

    def save_if_due() -> None:
        try:  # each record is journalled as it is made; see helpers.runner.publish
            store.save_if_due()
        except OSError as exc:
            log.write(f"could not write manifest/index: {exc}")
            progress.note(f"warning: could not write manifest/index: {exc}")

    def tick() -> None:
        progress.tick()
        save_if_due()

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    interrupted = None
    try:
        for s in previous:
            signal.signal(s, _raise_interrupted)
        if scheduler:
            from helpers.runner.dask_backend import run_on_dask

            def on_cluster_event(text: str) -> None:
                log.write(text)
                progress.note(text)

            run_on_dask(scheduler, specs, on_start, on_result, tick,
                        note=on_cluster_event, on_lost=lambda spec: progress.requeue(spec.output))
        else:
            from helpers.runner.pool import run_local

            run_local(specs, min(n_jobs, len(specs)), on_start, on_result, tick)
    except Interrupted as exc:
        interrupted = str(exc)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    try:
        store.save()
    except OSError as exc:
        print(f"leadeval run: could not write manifest/index: {exc}", file=err)
        counts["failed"] += 1
    if interrupted:
        log.write(f"interrupted by {interrupted}; published reports are complete, the rest are unchanged")
        print(f"leadeval run: interrupted by {interrupted}", file=err)
    summary = summary_table(counts["published"], up_to_date, counts["failed"], len(skipped),
                            str(out / "index.html"), time.monotonic() - t0)
    log.write(summary)
    log.close()
    print(summary)
    print(f"  log: {log.path}")
    return 1 if counts["failed"] or interrupted else 0
