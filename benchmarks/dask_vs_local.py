"""Dask against local: the same report set on a 2-worker Dask cluster and on ``--jobs 2``.

Phase (g) of the benchmarks, kept as its own script because it starts a cluster: a scheduler
and two workers on 127.0.0.1 (one thread each, no nanny, the environment of this interpreter),
then, in one workspace, alternately ``leadeval run --force --jobs 2`` and
``leadeval run --force --scheduler tcp://127.0.0.1:PORT`` on the same ``--only`` globs, each
``--repeats`` times. Both runs must publish every job; the ratio of the medians is reported.

Usage::

    python benchmarks/dask_vs_local.py --only 'luhft_lbs/*' --only 'lcft_cetad/*' --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run_benchmarks import BIN, REPO, bench_env, load, machine, make_workspace, median, run_timed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(env: dict, logs: Path) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and two one-thread workers on 127.0.0.1; returns its address and processes."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen(dask + ["scheduler", "--host", "127.0.0.1", "--port", str(port),
                                      "--no-dashboard"], env=env,
                              stdout=(logs / "scheduler.log").open("w"), stderr=subprocess.STDOUT)]
    for name in ("w1", "w2"):
        procs.append(subprocess.Popen(dask + ["worker", address, "--nthreads", "1", "--no-nanny",
                                              "--host", "127.0.0.1", "--name", name,
                                              "--no-dashboard"], env=env,
                                      stdout=(logs / f"{name}.log").open("w"),
                                      stderr=subprocess.STDOUT))
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
    return address, procs


def run(ws: dict, env: dict, globs: list[str], extra: list[str]) -> dict:
    cmd = [str(BIN / "leadeval"), "run", "--config", str(ws["config"]), "--dataset",
           str(ws["dataset"]), "--out", str(ws["out"]), "--force", *extra]
    for glob in globs:
        cmd += ["--only", glob]
    result = run_timed(cmd, env)
    jobs = json.loads((ws["out"] / "manifest.json").read_text()).get("jobs", [])
    chosen = [j for j in jobs if j.get("status") in ("ok", "failed")]
    failed = [j["output"] for j in chosen if j.get("status") == "failed"]
    if failed:
        raise RuntimeError(f"failed jobs: {failed}")
    return {"seconds": result["seconds"], "jobs": len(chosen)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", required=True, metavar="GLOB")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--dataset", default=str(REPO / "data" / "sample"))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadeval-dask-bench-") as tmp:
        root = Path(tmp)
        ws = make_workspace(root, Path(args.dataset))
        env = bench_env(root)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"),
                                                          env.get("PYTHONPATH", "")]))
        address, procs = start_cluster(env, root)
        try:
            rows = []
            load_before = load()
            for i in range(args.repeats):
                local = run(ws, env, args.only, ["--jobs", "2"])
                dask = run(ws, env, args.only, ["--scheduler", address])
                rows.append({"repeat": i + 1, "local_s": round(local["seconds"], 2),
                             "dask_s": round(dask["seconds"], 2), "jobs": local["jobs"],
                             "ratio": round(dask["seconds"] / local["seconds"], 3)})
                print(json.dumps(rows[-1]), flush=True)
        finally:
            for proc in reversed(procs):
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    local_m = median([r["local_s"] for r in rows])
    dask_m = median([r["dask_s"] for r in rows])
    summary = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
               "load_before": load_before, "load_after": load(), "only": args.only, "rows": rows,
               "local_median_s": local_m, "dask_median_s": dask_m,
               "ratio_of_medians": round(dask_m / local_m, 3)}
    print(json.dumps(summary, indent=1))
    out = REPO / "benchmarks" / "results" / time.strftime("%Y%m%dT%H%M%S-dask.json", time.gmtime())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
