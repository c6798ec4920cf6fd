"""`--scheduler`: the same jobs on a dask.distributed cluster give the same reports.

A LocalCluster with two worker processes is started in the test; a worker killed mid-job makes
the scheduler run the task elsewhere, and the run's records stay consistent either way. A
scheduler and nanny-less workers started as processes on 127.0.0.1 show the bounded wait: with
no worker left, the run exits 1 after LEADEVAL_DASK_WAIT_S with every unfinished job failed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from helpers.runner.commands import run_command
from runner_helpers import check_agreement, make_project, run_args

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")


@pytest.fixture(autouse=True)
def _pinned_code_hash(monkeypatch):
    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cl:
        yield cl


def _content(html: str) -> str:
    """The report without its generation time and commit (others commit while tests run)."""
    return re.sub(r"<dt>(Generated|Git commit)</dt><dd>[^<]*</dd>", "", html)


def test_dask_run_gives_the_same_reports_as_a_local_run(tmp_path, cluster):
    entries = [{"notebook": "ok", "per": ["programme", "cohort"]}]
    local = make_project(tmp_path / "local", entries)
    remote = make_project(tmp_path / "remote", entries)
    assert run_command(run_args(local, only="kf_scl/*")) == 0
    assert run_command(run_args(remote, only="kf_scl/*", scheduler=cluster.scheduler_address)) == 0
    local_jobs = check_agreement(local / "reports")
    remote_jobs = check_agreement(remote / "reports")
    assert sorted(local_jobs) == sorted(remote_jobs) == ["kf_scl/all/ok.html", "kf_scl/kf1/ok.html",
                                                         "kf_scl/kf2/ok.html"]
    for output in local_jobs:
        assert local_jobs[output]["input_hash"] == remote_jobs[output]["input_hash"]
        a = _content((local / "reports" / output).read_text())
        b = _content((remote / "reports" / output).read_text())
        assert a == b, output


def test_dask_jobs_run_on_kept_kernels_and_only_running_jobs_count_as_started(tmp_path, cluster):
    root = make_project(tmp_path, [{"notebook": "slow", "per": ["programme", "cohort"]}])
    assert run_command(run_args(root, only="kf_scl/*", scheduler=cluster.scheduler_address)) == 0
    lines = [line for line in _log_text(root).splitlines()
             if re.search(r"\b(start|ok) \S+\.html", line)]
    done = [line for line in lines if re.search(r"\bok \S+\.html", line)]
    assert len(done) == 3, lines
    # every job's kernel came from its worker's template, not a new interpreter
    assert all("forked kernels" in line for line in done), done
    # two one-thread workers: a third job starts only once a worker is free, that is after a
    # whole slow job (4 s of sleep). Compared by the log's timestamps, not its line order: the
    # client may hear of the third job's start before it has logged the first job's result.
    starts = sorted(datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%SZ")
                    for line in lines if re.search(r"\bstart \S+\.html", line))
    assert len(starts) == 3, lines
    assert (starts[2] - starts[0]).total_seconds() >= 3, lines


def test_worker_lost_mid_job(tmp_path, cluster):
    root = make_project(tmp_path, [{"notebook": "slow", "per": "programme"}])
    client = distributed.Client(cluster.scheduler_address)
    try:
        pids = client.run(os.getpid)

        def kill_one_worker_when_busy():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                processing = client.processing()
                busy = [w for w, keys in processing.items() if keys]
                if busy:
                    time.sleep(2.0)  # let the job get into its cells
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    return busy[0]
                time.sleep(0.2)
            return None

        import threading

        killed = {}
        thread = threading.Thread(target=lambda: killed.setdefault("w", kill_one_worker_when_busy()))
        thread.start()
        rc = run_command(run_args(root, scheduler=cluster.scheduler_address))
        thread.join()
        assert killed["w"] is not None
        jobs = check_agreement(root / "reports")
        assert sorted(jobs) == ["kf_scl/all/slow.html", "lbs_live/all/slow.html"]
        # the lost job was either run again elsewhere (ok) or recorded as failed, never half-published
        assert rc in (0, 1)
        assert {j["status"] for j in jobs.values()} <= {"ok", "failed"}
        # the next run recovers by itself
        client.wait_for_workers(2, timeout=120)
        assert run_command(run_args(root, scheduler=cluster.scheduler_address)) == 0
        assert {j["status"] for j in check_agreement(root / "reports").values()} == {"ok"}
    finally:
        client.close()


# --- a scheduler and workers of the test's own, as separate processes on 127.0.0.1 -----------
# Workers run without a nanny, so a killed worker stays dead (a LocalCluster restarts it).

WAIT_S = 8  # LEADEVAL_DASK_WAIT_S for these runs


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


@pytest.fixture
def scheduler(tmp_path):
    """A `dask scheduler` process; yields (address, start_worker)."""
    info = tmp_path / "scheduler.json"
    procs = [_spawn(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(info)], tmp_path / "scheduler.log")]
    deadline = time.monotonic() + 60
    while not info.is_file() and time.monotonic() < deadline and procs[0].poll() is None:
        time.sleep(0.1)
    assert info.is_file(), (tmp_path / "scheduler.log").read_text()
    time.sleep(0.2)  # the file is written in one go, but give the writer its close
    address = json.loads(info.read_text())["address"]

    def start_worker(name: str) -> subprocess.Popen:
        proc = _spawn(["worker", "--scheduler-file", str(info), "--nthreads", "1", "--no-nanny",
                       "--host", "127.0.0.1", "--no-dashboard", "--name", name,
                       "--local-directory", str(tmp_path / f"work-{name}")],
                      tmp_path / f"worker-{name}.log")
        procs.append(proc)
        return proc

    try:
        yield address, start_worker
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _leadeval_run(root: Path, address: str) -> subprocess.Popen:
    env = {**os.environ, "LEADEVAL_DASK_WAIT_S": str(WAIT_S), "LEADEVAL_CODE_HASH": "pinned-for-tests"}
    return subprocess.Popen([sys.executable, "-m", "helpers.cli", "run", "--config",
                             str(root / "reports.yaml"), "--scheduler", address],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _log_text(root: Path) -> str:
    return "".join(p.read_text() for p in (root / "reports" / "logs").glob("run-*.log"))


def test_no_worker_at_all_fails_every_job_after_the_wait(tmp_path, scheduler):
    address, _ = scheduler
    root = make_project(tmp_path / "p", [{"notebook": "ok", "per": ["programme", "cohort"]}])
    proc = _leadeval_run(root, address)
    out, err = proc.communicate(timeout=WAIT_S + 120)  # a hang fails here instead of never
    assert proc.returncode == 1, out + err
    assert f"no Dask worker was available at {address} for {WAIT_S} s" in err
    jobs = check_agreement(root / "reports")
    assert len(jobs) == 4 and {j["status"] for j in jobs.values()} == {"failed"}
    assert all("LEADEVAL_DASK_WAIT_S" in j["error"] for j in jobs.values())
    assert "start " not in _log_text(root)  # nothing was reported as running


def test_last_worker_killed_mid_run_exits_1_with_unfinished_jobs_failed(tmp_path, scheduler):
    address, start_worker = scheduler
    root = make_project(tmp_path / "p", [{"notebook": "slow", "per": ["programme", "cohort"]}])
    workers = {"a": start_worker("a"), "b": start_worker("b")}
    client = distributed.Client(address)
    try:
        client.wait_for_workers(2, timeout=120)
        names = {addr: w["name"] for addr, w in client.scheduler_info()["workers"].items()}
        proc = _leadeval_run(root, address)

        def busy() -> dict[str, str]:
            """worker name -> output of a job it is running (from the run's own log)."""
            found = {}
            for line in _log_text(root).splitlines():
                m = re.search(r"start (\S+\.html) on worker (\S+)", line)
                if m:
                    found[names.get(m.group(2), m.group(2))] = m.group(1)
            return found

        deadline = time.monotonic() + 180
        while len(busy()) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert len(busy()) == 2, _log_text(root)
        time.sleep(1.0)  # into the job's cells
        workers["a"].kill()
        workers["a"].wait()
        while "re-run" not in _log_text(root) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert "re-run" in _log_text(root), _log_text(root)
        workers["b"].kill()  # the last worker
        workers["b"].wait()
        out, err = proc.communicate(timeout=WAIT_S + 120)
    finally:
        client.close()
    assert proc.returncode == 1, out + err
    log = _log_text(root)
    lost_a = [line for line in log.splitlines() if "lost" in line]
    assert len(lost_a) >= 2, log  # both workers' losses are logged, with the jobs they ran
    assert re.search(r"re-run \S+\.html on worker \S+ \(attempt 2\)", log), log
    assert "giving up" in log and f"no Dask worker was available at {address}" in err
    jobs = check_agreement(root / "reports")
    assert len(jobs) == 4  # lbs_live has one cohort: no per-cohort copy
    failed = [j for j in jobs.values() if j["status"] == "failed"]
    assert failed and all("LEADEVAL_DASK_WAIT_S" in j["error"] for j in failed)
    assert {j["status"] for j in jobs.values()} <= {"ok", "failed"}
    published = [o for o, j in jobs.items() if j["status"] == "ok"]
    assert all((root / "reports" / o).is_file() for o in published)
