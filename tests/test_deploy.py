"""The shipped cron line and systemd units work the first time, on a fresh checkout.

The checkout here is a throw-away copy with the layout of a real one (deploy/, reports.yaml,
notebooks/, the dataset in data/live, and a .venv whose `leadeval` runs this environment's
leadeval), with no reports/ folder: the cron line and the service's ExecStart are read from the
shipped files, pointed at it, and run in an environment as bare as cron's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.runner.lock import RunLock
from runner_helpers import FIXTURES, make_project

SHIPPED = "/srv/leadeval"
REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
SRC = REPO / "src"


@pytest.fixture
def checkout(tmp_path):
    root = make_project(tmp_path / "leadeval", [{"notebook": "ok", "per": "programme"}])
    shutil.move(str(root / "data"), str(tmp_path / "live"))
    (root / "data").mkdir()
    shutil.move(str(tmp_path / "live"), str(root / "data" / "live"))
    text = (root / "reports.yaml").read_text().replace("dataset: data\n", "")
    (root / "reports.yaml").write_text(text)  # the manifest names no dataset: the job must
    shutil.copytree(DEPLOY, root / "deploy")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / "leadeval"
    wrapper.write_text(f"#!/bin/sh\nPYTHONPATH={SRC} exec {sys.executable} -m helpers.cli \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return root


def _bare_env(tmp_path, **extra) -> dict:
    """Roughly what cron gives a job: no PYTHONPATH, no virtualenv, a short PATH."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LANG": "C.UTF-8",
           "LEADEVAL_CACHE_DIR": str(tmp_path / "cache"),
           "JUPYTER_DATA_DIR": str(tmp_path / "jupyter")}
    env.update(extra)
    return env


def _cron_command(root: Path) -> str:
    lines = [ln for ln in (DEPLOY / "leadeval.cron").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert any(re.fullmatch(r"MAILTO=\S+@\S+", ln) for ln in lines), "cron mails nobody"
    (job,) = [ln for ln in lines if not re.match(r"^[A-Z_]+=", ln)]
    fields = job.split(None, 5)
    assert len(fields) == 6, job
    return fields[5].replace(SHIPPED, str(root))


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _run(command, env, cwd=None):
    return subprocess.run(command, shell=isinstance(command, str), env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _published(root: Path) -> dict:
    jobs = json.loads((root / "reports" / "manifest.json").read_text())["jobs"]
    return {j["output"]: j["status"] for j in jobs}


@pytest.mark.slow
def test_cron_line_publishes_on_a_fresh_checkout_and_mails_nothing(checkout, tmp_path):
    assert not (checkout / "reports").exists()
    proc = _run(_cron_command(checkout), _bare_env(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == proc.stderr == ""  # cron mails any output: none when all is well
    assert _published(checkout) == {"kf_scl/all/ok.html": "ok", "lbs_live/all/ok.html": "ok"}
    log = (checkout / "reports" / "logs" / "leadeval.log").read_text()
    assert f"--dataset {checkout}/data/live" in log and "Summary" in log
    run_log = re.search(r"log: (\S+)", log).group(1)
    assert Path(run_log).parent == checkout / "reports" / "logs"  # one place for every log


def test_a_failed_run_mails_one_line_naming_the_log_that_says_why(checkout, tmp_path):
    (checkout / "data" / "live" / "programmes.csv").unlink()
    proc = _run(_cron_command(checkout), _bare_env(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    log = checkout / "reports" / "logs" / "leadeval.log"
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert "status 2" in line and line.endswith(f"see {log}")
    assert "programmes" in log.read_text()  # the reason is where the mail points


def test_the_lock_message_goes_to_the_same_log(checkout, tmp_path):
    with RunLock(checkout / "reports"):
        proc = _run(_cron_command(checkout), _bare_env(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    log = (checkout / "reports" / "logs" / "leadeval.log").read_text()
    assert str(os.getpid()) in log  # the run holding the lock is named there
    assert "see " in proc.stderr


def test_the_log_is_rotated_by_size(checkout, tmp_path):
    env = _bare_env(tmp_path, LEADEVAL_LOG_MAX_BYTES="1", LEADEVAL_LOG_KEEP="2")
    script = str(checkout / "deploy" / "leadeval-run")
    for i in range(4):  # quick runs: a dataset folder that does not exist (status 2)
        proc = _run([script, str(tmp_path / f"missing-{i}")], env, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
    logs = checkout / "reports" / "logs"
    assert sorted(p.name for p in logs.glob("leadeval.log*")) == [
        "leadeval.log", "leadeval.log.1", "leadeval.log.2"]
    # newest in leadeval.log, the one before in .1, the oldest kept in .2
    for name, i in (("leadeval.log", 3), ("leadeval.log.1", 2), ("leadeval.log.2", 1)):
        assert f"missing-{i}" in (logs / name).read_text()


def test_the_job_refuses_to_guess_the_dataset(checkout, tmp_path):
    proc = _run([str(checkout / "deploy" / "leadeval-run")], _bare_env(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2 and "name the dataset" in proc.stderr
    assert not (checkout / "reports").exists()


@pytest.mark.slow
def test_service_command_publishes_on_a_fresh_checkout(checkout, tmp_path):
    unit = _unit("leadeval-reports.service")
    env = _bare_env(tmp_path)
    for assignment in unit["Environment"]:
        key, value = assignment.split("=", 1)
        if key not in ("HOME", "LEADEVAL_CACHE_DIR"):  # systemd's own folders, not here
            env[key] = value.replace(SHIPPED, str(checkout))
    (command,) = unit["ExecStart"]
    proc = _run(command.replace(SHIPPED, str(checkout)), env,
                cwd=unit["WorkingDirectory"][0].replace(SHIPPED, str(checkout)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(_published(checkout).values()) == {"ok"}


def test_units_fit_a_fresh_checkout():
    service = _unit("leadeval-reports.service")
    assert service["ProtectHome"] != ["true"]  # a venv under /home must stay usable
    workdir = service["WorkingDirectory"][0]
    for path in " ".join(service.get("ReadWritePaths", [])).split():
        # systemd refuses to start when a listed path is missing: only the checkout itself
        assert path.startswith("-") or path == workdir, path
    (on_failure,) = service["OnFailure"]
    template = re.sub(r"@.*\.service$", "@.service", on_failure)
    assert (DEPLOY / template).is_file(), on_failure
    for unit in ("leadeval-reports.service", f"{template}"):
        command = _unit(unit)["ExecStart"][0].split()[0]
        assert command.startswith(SHIPPED + "/deploy/"), command  # shipped in the checkout
        script = DEPLOY / command.removeprefix(SHIPPED + "/deploy/")
        assert script.is_file() and os.access(script, os.X_OK), script
    assert _unit("leadeval-reports.timer")["OnCalendar"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path):
    """As installed: the units in one folder, pointing at a checkout that exists."""
    names = ["leadeval-reports.service", "leadeval-reports.timer", "leadeval-failure@.service"]
    for name in names:
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace(SHIPPED, str(REPO)))
    proc = _run(["systemd-analyze", "verify", "--man=no", *names], os.environ.copy(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # verify only warns about values it ignores (a typo in a hardening option): none allowed
    assert proc.stderr.strip() == "", proc.stderr


def test_alert_mails_the_status_and_the_log_tail(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sent = tmp_path / "sent.txt"
    stubs = {  # stand-ins for a mail transport and a running systemd, which a test cannot have
        "mail": f'#!/bin/sh\n{{ echo "ARGS: $*"; cat; }} > {sent}\n',
        "systemctl": '#!/bin/sh\necho "leadeval-reports.service - Regenerate (failed)"\n',
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "leadeval.log"
    log.write_text("line 1\nleadeval run: dataset x is invalid; nothing was run\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "MAILTO": "ops@example.org", "LEADEVAL_LOG": str(log)}
    proc = _run([str(DEPLOY / "leadeval-alert"), "leadeval-reports.service"], env)
    assert proc.returncode == 0, proc.stderr
    text = sent.read_text()
    assert text.startswith("ARGS: -s leadeval-reports.service failed on ")
    assert text.splitlines()[0].endswith("ops@example.org")
    assert "(failed)" in text and "dataset x is invalid" in text
