"""notebooks/40_improvement_projects.ipynb for every programme of the sample dataset (and one
cohort): each expected section, the chart count rule and the privacy rules.

The report engine's own run of this notebook (a kernel per job, Papermill, HTML export) is
checked once per session in tests/e2e/test_notebook_reports.py; here the notebook's code cells
are executed in this process with their parameters set, and everything they display is
collected, so the notebook's own calls are checked for every programme without starting a
kernel per programme.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

NOTEBOOK = "notebooks/40_improvement_projects.ipynb"

pytestmark = pytest.mark.slow  # executes the notebook end to end (in-process: seconds, not minutes)


def _execute(repo_root, monkeypatch, **params) -> tuple[list[str], str]:
    """Run the notebook's code cells here (parameters cell replaced by ``params``); return its
    markdown headings and the HTML its cells displayed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.report import display

    plt.close("all")  # figures another test left open are not this notebook's
    shown: list[str] = []
    monkeypatch.setattr(display, "_display", shown.append)
    nb = nbformat.read(str(repo_root / NOTEBOOK), as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(cell.source, namespace)  # the defaults, then the job's values over them
            namespace.update(params)
            continue
        exec(compile(cell.source, NOTEBOOK, "exec"), namespace)
    assert plt.get_fignums() == [], "every figure must be closed once embedded"
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    return headings, "\n".join(shown)


@pytest.fixture(scope="module")
def tables(sample_dataset_path):
    read = lambda name: pd.read_csv(sample_dataset_path / f"{name}.csv", dtype=str)  # noqa: E731
    return {name: read(name) for name in ("programmes", "cohorts", "projects", "participants")}


@pytest.mark.parametrize("pid", ["barts_kf_scl", "lcft_cetad", "leeds_cihm", "luhft_lbs",
                                 "sath_academy"])
def test_notebook_for_every_programme(repo_root, sample_dataset_path, tables, monkeypatch, pid):
    from helpers.projects import MAX_CHARTS
    from helpers.report.context import NotApplicable

    mine = tables["projects"][tables["projects"]["programme_id"] == pid]
    if mine.empty:  # nothing to report: the notebook stops before any output, saying why
        with pytest.raises(NotApplicable, match="This programme has no improvement projects"):
            _execute(repo_root, monkeypatch, dataset=str(sample_dataset_path),
                     programme_id=pid, cohort_id=None)
        return
    headings, out = _execute(repo_root, monkeypatch, dataset=str(sample_dataset_path),
                             programme_id=pid, cohort_id=None)
    assert headings[:3] == ["# Improvement projects and service impact", "## Findings",
                            "## Project portfolio"]
    assert {"## Making Data Count summary", "## Before and after the start", "## SPC charts",
            "## Service measures: a worked example"} <= set(headings)
    n_figures = out.count('<figure class="le-figure">')
    assert "<caption>Improvement projects," in out
    assert "Making Data Count summary matrix" in out
    assert len(re.findall(r'<img [^>]*alt="SPC chart of', out)) == n_figures
    if len(mine) <= MAX_CHARTS:
        assert n_figures == len(mine)
    else:
        assert n_figures <= MAX_CHARTS and f"charts: with more than {MAX_CHARTS}" in out
    ids = set(tables["participants"]["participant_id"].astype(str))
    text = re.sub(r'src="data:[^"]*"', "", out)  # embedded PNGs hold no text
    leaked = sorted(ids & set(re.findall(r"\w+", text)))  # ids are single words (P000001)
    assert not leaked, f"participant ids in the {pid} report: {leaked[:3]}"
    if pid == "sath_academy":
        assert "+49.7%" in out and "747" in out and "1,118" in out and "1,064" in out
        # the finding is stated first, and the month between the windows is named
        assert "747 \u2192 1,118 \u2192 1,064" in out.split("Project portfolio")[0]
        assert "October 2012 (176) lies between" in out
    if pid == "luhft_lbs":
        assert n_figures == 15


def test_notebook_for_a_cohort(repo_root, sample_dataset_path, tables, monkeypatch):
    cohorts = tables["cohorts"]
    cohort = cohorts[cohorts["programme_id"] == "lcft_cetad"]["cohort_id"].iloc[0]
    _, out = _execute(repo_root, monkeypatch, dataset=str(sample_dataset_path),
                      programme_id="lcft_cetad", cohort_id=str(cohort))
    assert "<caption>Improvement projects," in out and "le-figure" in out
