"""A notebook with nothing to report for its scope is recorded, not published as an empty page."""

from __future__ import annotations

import os
import shutil

import pytest

from helpers.runner.commands import run_command
from runner_helpers import FIXTURES, check_agreement, make_project, manifest, run_args

pytestmark = pytest.mark.slow


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")
    return make_project(tmp_path, [{"notebook": "ok", "per": "programme"},
                                   {"notebook": "maybe", "per": "programme"}],
                        notebooks={"maybe": "ok"})


def test_not_applicable_job_is_recorded_with_its_reason_and_its_old_page_removed(project, capsys):
    assert run_command(run_args(project)) == 0
    out = project / "reports"
    assert (out / "kf_scl/all/maybe.html").is_file()  # published while it had something to say

    shutil.copy(FIXTURES / "not_applicable.ipynb", project / "notebooks" / "maybe.ipynb")
    assert run_command(run_args(project)) == 0, capsys.readouterr().err
    jobs = check_agreement(out)
    na = {o: j for o, j in jobs.items() if j["status"] == "not_applicable"}
    assert sorted(na) == ["kf_scl/all/maybe.html", "lbs_live/all/maybe.html"]
    assert {j["reason"] for j in na.values()} == {"This programme has no widgets."}
    assert not (out / "kf_scl/all/maybe.html").exists()  # the earlier page is gone
    assert {jobs[o]["status"] for o in jobs if o.endswith("/ok.html")} == {"ok"}
    index = (out / "index.html").read_text()
    assert "This programme has no widgets." in index and "Not applicable" in index


def test_not_applicable_job_is_not_run_again_when_nothing_changed(project, capsys):
    shutil.copy(FIXTURES / "not_applicable.ipynb", project / "notebooks" / "maybe.ipynb")
    assert run_command(run_args(project)) == 0
    first = manifest(project / "reports")["jobs"]
    capsys.readouterr()
    assert run_command(run_args(project)) == 0
    err = capsys.readouterr().err
    assert "up to date" in err and "start" not in err, err  # no job was started again
    assert manifest(project / "reports")["jobs"] == first
