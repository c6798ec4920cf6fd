"""`leadeval run` end to end on fixture notebooks: publish, stale, incremental, strict checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.runner.commands import run_command
from runner_helpers import check_agreement, make_project, manifest, run_args


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    # Others edit src/helpers while tests run: pin the code hash so only notebook and data
    # changes decide what re-runs here (hashing.code_hash is tested on its own).
    saved = os.environ.get("LEADEVAL_CODE_HASH")
    os.environ["LEADEVAL_CODE_HASH"] = "pinned-for-tests"
    root = make_project(tmp_path_factory.mktemp("engine"), [
        {"notebook": "ok", "per": ["programme", "cohort"]},
        {"notebook": "flaky", "per": "programme"},
        {"notebook": "not_written_yet", "per": "programme"},
    ], notebooks={"flaky": "ok"})
    yield root
    if saved is None:
        os.environ.pop("LEADEVAL_CODE_HASH", None)
    else:
        os.environ["LEADEVAL_CODE_HASH"] = saved


@pytest.mark.slow
def test_first_run_publishes_every_report(project, capsys):
    rc = run_command(run_args(project))
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "skipped notebooks/not_written_yet.ipynb" in out.err
    jobs = check_agreement(project / "reports")
    assert sorted(jobs) == ["kf_scl/all/flaky.html", "kf_scl/all/ok.html", "kf_scl/kf1/ok.html",
                            "kf_scl/kf2/ok.html", "lbs_live/all/flaky.html", "lbs_live/all/ok.html"]
    # lbs_live has one cohort: its programme reports are that cohort's, no copy is made
    assert {j["status"] for j in jobs.values()} == {"ok"}
    assert jobs["kf_scl/kf1/ok.html"]["parameters"] == {"programme_id": "kf_scl", "cohort_id": "kf1"}
    html = (project / "reports/kf_scl/kf1/ok.html").read_text()
    assert "cohort_id=&#x27;kf1&#x27;" in html
    assert "Fixture report" in html and "Senior clinical leaders programme, cohort kf1" in html
    assert "print(" not in html  # no code input
    logs = list((project / "reports/logs").glob("run-*.log"))
    assert len(logs) == 1 and "ok kf_scl/kf1/ok.html" in logs[0].read_text()
    assert not list((project / "reports").rglob("*.ipynb"))


@pytest.mark.slow
def test_noop_run_skips_everything_without_heavy_imports(project):
    code = ("import sys; from helpers.cli import main; "
            f"rc = main(['run', '--config', {str(project / 'reports.yaml')!r}]); "
            "print('HEAVY', sorted(m for m in ('papermill', 'nbconvert', 'pandas', 'nbformat') if m in sys.modules)); "
            "sys.exit(rc)")
    before = manifest(project / "reports")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "6 reports up to date" in proc.stderr
    assert "HEAVY []" in proc.stdout
    assert manifest(project / "reports") == before


@pytest.mark.slow
def test_editing_one_notebook_reruns_only_its_jobs_and_failure_keeps_stale(project, capsys):
    path = project / "notebooks/flaky.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "## Now broken"})
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": "raise KeyError('cohort_size')"})
    path.write_text(json.dumps(nb))
    good = (project / "reports/kf_scl/all/flaky.html").read_text()
    rc = run_command(run_args(project))
    err = capsys.readouterr().err
    assert rc == 1
    started = [line for line in err.splitlines() if " start " in line]
    assert len(started) == 2 and all("flaky" in line for line in started)
    jobs = check_agreement(project / "reports")
    for output in ("kf_scl/all/flaky.html", "lbs_live/all/flaky.html"):
        assert jobs[output]["status"] == "stale"
        assert jobs[output]["error"] == "KeyError: 'cohort_size' (in section 'Now broken')"
    assert (project / "reports/kf_scl/all/flaky.html").read_text() == good
    index = (project / "reports/index.html").read_text()
    assert "Stale: last run failed" in index and "KeyError: &#x27;cohort_size&#x27;" in index
    assert jobs["kf_scl/all/ok.html"]["status"] == "ok"


@pytest.mark.slow
def test_changed_data_reruns_jobs_that_use_it(project, capsys):
    cohorts = project / "data/cohorts.csv"  # cohort kf1 of kf_scl
    cohorts.write_text(cohorts.read_text().replace("blended", "online"))
    rc = run_command(run_args(project, only="*/all/ok.html"))
    err = capsys.readouterr().err
    assert rc == 0, err
    started = sorted(line.split()[-1] for line in err.splitlines() if " start " in line)
    assert started == ["kf_scl/all/ok.html"]  # lbs_live reads none of kf_scl's rows
    check_agreement(project / "reports")


def test_strict_parameters_stop_the_run_before_anything_runs(tmp_path, capsys):
    root = make_project(tmp_path, [
        {"notebook": "typed_params", "per": "programme", "parameters": {"threshold": "high", "colour": "red"}},
    ])
    rc = run_command(run_args(root))
    err = capsys.readouterr().err
    assert rc == 2
    assert "kf_scl/all/typed_params.html" in err and "unknown parameter 'colour'" in err
    assert "'threshold' should be int" in err
    assert not (root / "reports/manifest.json").exists()


def test_invalid_dataset_exits_2(tmp_path, capsys):
    root = make_project(tmp_path, [{"notebook": "ok", "per": "programme"}])
    (root / "data/cohorts.csv").write_text("cohort_id,programme_id,start_date,end_date,delivery_mode\n"
                                           "kf1,nowhere,2024-13-45,2024-06-30,blended\n")
    rc = run_command(run_args(root))
    assert rc == 2
    assert "invalid" in capsys.readouterr().err
    assert not list((root / "reports").glob("*/*/*.html")) if (root / "reports").exists() else True


def test_missing_manifest_exits_2(tmp_path, capsys):
    assert run_command(run_args(tmp_path)) == 2
    assert "not found" in capsys.readouterr().err


def test_bad_kernel_mode_in_the_environment_exits_2(tmp_path, capsys, monkeypatch):
    root = make_project(tmp_path, [{"notebook": "ok", "per": "programme"}])
    monkeypatch.setenv("LEADEVAL_KERNELS", "reuse")
    assert run_command(run_args(root)) == 2
    assert "LEADEVAL_KERNELS must be one of fork, fresh; got 'reuse'" in capsys.readouterr().err
    assert not (root / "reports/manifest.json").exists()
