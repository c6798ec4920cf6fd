"""National scale: every report of a generated N-participant dataset, resumable.

At 100,000 participants ``reports.yaml`` expands to about 11,600 jobs (1,929 cohorts x 6
notebooks, plus the programme reports): hours of work on a 2-core machine, longer than one
sitting. So this harness keeps its workspace and can be stopped and started again: each
invocation runs ``leadeval run`` (incremental, never ``--force``) until every job is published
or until ``--stop-after`` seconds, when it sends SIGTERM (``leadeval run`` then finishes the
reports in flight, records them and exits; nothing half-written). The next invocation carries
on with the jobs not yet published. The programme-level reports run first, in their own
``leadeval run``: they are the largest jobs, and their recorded durations then put them first
in any later ordering.

``--change-one-answer``, once every report is published, changes one answer of one cohort and
runs ``leadeval run`` again (phase f of ``run_benchmarks.py``): its wall time and which reports
re-ran, against those that read the answer.

Recorded in ``WORKSPACE/national.json`` after each invocation and in
``benchmarks/results/<stamp>-national.json``: the dataset's generation and validation (wall
time, peak memory), every invocation (wall time, peak resident memory per worker with its
kernel and in total, load average, code hash), and from the reports' manifest: jobs expected,
published, failed, the slowest jobs, and how many took 60 s or more. The invocations must all
run the same code: the code hash is part of every job's input hash, so a changed package
would re-run everything, and the summary says so.

Usage::

    .venv/bin/python benchmarks/national.py --participants 100000 \\
        --workspace /var/tmp/leadeval-national --stop-after 6000
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmarks import (BIN, REPO, TreeSampler, bench_env, change_one_answer,  # noqa: E402
                            expand_jobs, load, machine, run_timed, save_result,
                            started_in_last_run)

LIMIT_SECONDS = 60.0
LIMIT_WORKER_MB = 4096.0


def prepare(ws: Path, participants: int, env: dict, state: dict) -> None:
    """Copy the manifest and notebooks once, generate and validate the dataset once."""
    ws.mkdir(parents=True, exist_ok=True)
    if not (ws / "reports.yaml").is_file():
        shutil.copy2(REPO / "reports.yaml", ws / "reports.yaml")
        shutil.copytree(REPO / "notebooks", ws / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = ws / "data" / f"p{participants}"
    if "sample_data" not in state:
        gen = run_timed([str(BIN / "leadeval"), "sample-data", str(data), "--participants",
                         str(participants)], env)
        val = run_timed([str(BIN / "leadeval"), "validate", str(data)], env)
        state["sample_data"] = {"seconds": round(gen["seconds"], 2),
                                "peak_mb": round(gen["peak_total_mb"], 1)}
        state["validate"] = {"seconds": round(val["seconds"], 2),
                             "peak_mb": round(val["peak_total_mb"], 1)}


def run_until(cmd: list[str], env: dict, deadline: float, log: Path) -> dict:
    """Run ``cmd`` (output appended to ``log``); SIGTERM it at ``deadline`` (monotonic)."""
    t0 = time.perf_counter()
    with open(log, "a", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, text=True)
        stopped = False
        with TreeSampler(proc.pid, interval=0.5) as sampler:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
            except subprocess.TimeoutExpired:
                stopped = True
                proc.send_signal(signal.SIGTERM)
                proc.wait()
    return {"command": cmd[1:], "seconds": round(time.perf_counter() - t0, 1),
            "returncode": proc.returncode, "stopped_at_deadline": stopped,
            "peak_worker_mb": round(sampler.peak_worker / 2**20, 1),
            "peak_total_mb": round(sampler.peak_total / 2**20, 1)}


def tally(ws: Path, data: Path, out: Path, scope: list[str] | None = None) -> dict:
    """What the manifest says against what reports.yaml expects (within ``scope``, globs)."""
    sys.path.insert(0, str(REPO / "src"))
    expected = {j["output"] for j in expand_jobs(ws / "reports.yaml", data, scope)}
    try:
        jobs = json.loads((out / "manifest.json").read_text())["jobs"]
    except (OSError, ValueError, KeyError):
        jobs = []
    ok = {j["output"]: j.get("seconds") or 0.0 for j in jobs
          if j["status"] == "ok" and j["output"] in expected}
    failed = {j["output"]: j.get("error") for j in jobs
              if j["status"] not in ("ok", "not_applicable") and j["output"] in expected}
    inapplicable = {j["output"] for j in jobs
                    if j["status"] == "not_applicable" and j["output"] in expected}
    slowest = sorted(ok.items(), key=lambda kv: -kv[1])
    level = {"programme": [s for o, s in ok.items() if "/all/" in o],
             "cohort": [s for o, s in ok.items() if "/all/" not in o]}
    return {"jobs_expected": len(expected), "published": len(set(ok) & expected),
            "not_applicable": len(inapplicable),
            "not_yet_run": len(expected - set(ok) - set(failed) - inapplicable), "failed": failed,
            "slowest_jobs": slowest[:10],
            "jobs_at_or_over_60s": sum(s >= LIMIT_SECONDS for s in ok.values()),
            "max_seconds": {k: round(max(v), 2) if v else None for k, v in level.items()},
            "by_notebook": by_notebook(ok),
            "total_job_seconds": round(sum(ok.values()), 1)}


def by_notebook(seconds: dict[str, float]) -> dict[str, dict]:
    """Reports, mean and maximum seconds per notebook and level ("20_leadership_outcomes cohort")."""
    groups: dict[str, list[float]] = {}
    for output, s in seconds.items():
        level = "programme" if "/all/" in output else "cohort"
        groups.setdefault(f"{output.rsplit('/', 1)[-1].removesuffix('.html')} {level}", []).append(s)
    return {k: {"reports": len(v), "mean_s": round(sum(v) / len(v), 2), "max_s": round(max(v), 2)}
            for k, v in sorted(groups.items())}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--participants", type=int, default=100_000)
    p.add_argument("--workspace", required=True, type=Path)
    p.add_argument("--jobs", type=int, default=None, help="workers (default: number of cores)")
    p.add_argument("--stop-after", type=float, default=None, metavar="SECONDS",
                   help="SIGTERM the run after this long; run again to carry on")
    p.add_argument("--only", action="append", default=None, metavar="GLOB",
                   help="run these jobs, in this order, one `leadeval run --only` each (default: "
                        "the programme reports, then everything); so a run cut short still "
                        "covers every notebook, e.g. one programme at a time")
    p.add_argument("--change-one-answer", action="store_true",
                   help="once every report is published: change one answer of one cohort, run "
                        "again, and record what re-ran and how long it took (phase f)")
    p.add_argument("--scope", action="append", default=None, metavar="GLOB",
                   help="count and change only the jobs matching these globs (repeatable; "
                        "default: all), so that a programme's reports and one cohort's can be "
                        "run whole and the change re-run measured without the hours the whole "
                        "set takes; the change run is limited to them")
    p.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/")
    args = p.parse_args(argv)
    ws = args.workspace.resolve()
    deadline = time.monotonic() + (args.stop_after or 10**9)
    state_path = ws / "national.json"
    state = json.loads(state_path.read_text()) if state_path.is_file() else {
        "participants": args.participants, "invocations": []}
    env = bench_env(ws)
    prepare(ws, args.participants, env, state)
    state_path.write_text(json.dumps(state, indent=1))
    data, out = ws / "data" / f"p{args.participants}", ws / "reports"
    base = [str(BIN / "leadeval"), "run", "--config", str(ws / "reports.yaml"), "--dataset",
            str(data), "--out", str(out)] + (["--jobs", str(args.jobs)] if args.jobs else [])
    steps = ([["--only", g] for g in args.only] if args.only
             else [["--only", "*/all/*"], []])  # programme reports first, then everything left
    for only in steps:
        if time.monotonic() >= deadline:
            break
        started = {"load_before": load(), "code_hash": env.get("LEADEVAL_CODE_HASH"),
                   "git_commit": machine()["git_commit"], "utc": time.strftime("%H:%M:%S")}
        record = {**started, **run_until(base + only, env, deadline, ws / "run.log"),
                  "load_after": load()}
        state["invocations"].append(record)
        state_path.write_text(json.dumps(state, indent=1))
        print(json.dumps(record), flush=True)
        if record["stopped_at_deadline"]:
            break
    state["scope"] = args.scope
    state["tally"] = tally(ws, data, out, args.scope)
    if args.change_one_answer and state["tally"]["not_yet_run"] == 0 \
            and not state["tally"]["failed"] and time.monotonic() < deadline:
        jobs = expand_jobs(ws / "reports.yaml", data, args.scope)
        change = change_one_answer(data, jobs, len(state.get("changes", [])))
        scoped = base + [a for g in (args.scope or []) for a in ("--only", g)]
        record = {**change, **run_until(scoped, env, deadline, ws / "run.log"), "load_after": load()}
        rerun = started_in_last_run(out)
        record.update(rerun=rerun, only_what_reads_it=set(rerun) <= set(change["reads_it"]))
        state.setdefault("changes", []).append(record)
        print(json.dumps({k: v for k, v in record.items() if k not in ("reads_it", "rerun")}),
              flush=True)
        state["tally"] = tally(ws, data, out, args.scope)
    invs = state["invocations"]
    state["peak_worker_mb"] = max((i["peak_worker_mb"] for i in invs), default=None)
    state["code_hashes"] = sorted({i["code_hash"] for i in invs if i.get("code_hash")})
    state["machine"] = machine()
    state_path.write_text(json.dumps(state, indent=1))
    t = state["tally"]
    print(f"{t['published']} of {t['jobs_expected']} reports published, {t['not_applicable']} not "
          f"applicable, {t['not_yet_run']} not yet "
          f"run, {len(t['failed'])} failed; slowest {t['slowest_jobs'][:1]}; "
          f"{t['jobs_at_or_over_60s']} at or over 60 s; peak {state['peak_worker_mb']} MB per worker"
          + ("" if len(state["code_hashes"]) <= 1 else "; WARNING: code changed between invocations"))
    if not args.no_save:
        save_result(state, "-national")
    return 0


if __name__ == "__main__":
    sys.exit(main())
