"""End to end: notebooks/40_improvement_projects.ipynb executed by Papermill for every programme
of the sample dataset (and one cohort), checking each expected section and the privacy rules."""

from __future__ import annotations

import re

import pandas as pd
import pytest

NOTEBOOK = "notebooks/40_improvement_projects.ipynb"


@pytest.fixture(scope="module")
def dataset(sample_dataset_path, tmp_path_factory):
    if (sample_dataset_path / "dataset.yaml").exists():
        return sample_dataset_path
    from helpers.data.sample import generate_sample  # the committed sample is made the same way

    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


def _run(repo_root, dataset, out, **params):
    import nbformat
    import papermill as pm

    pm.execute_notebook(str(repo_root / NOTEBOOK), str(out), cwd=str(repo_root / "notebooks"),
                        parameters=dict(dataset=str(dataset), **params), progress_bar=False,
                        kernel_name="python3")
    nb = nbformat.read(str(out), as_version=4)
    html = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
            html.append(o.get("data", {}).get("text/html", "") or o.get("text", ""))
    return nb, "\n".join(html)


@pytest.mark.slow
def test_notebook_runs_for_every_programme(repo_root, dataset, tmp_path):
    programmes = pd.read_csv(dataset / "programmes.csv")["programme_id"].tolist()
    projects = pd.read_csv(dataset / "projects.csv")
    ids = set(pd.read_csv(dataset / "participants.csv")["participant_id"].astype(str))
    for pid in programmes:
        nb, out = _run(repo_root, dataset, tmp_path / f"{pid}.ipynb", programme_id=pid)
        headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
        assert headings[:2] == ["# Improvement projects and service impact", "## Project portfolio"]
        assert {"## Making Data Count summary", "## Before and after the start", "## SPC charts",
                "## Service measures: a worked example"} <= set(headings)
        mine = projects[projects["programme_id"] == pid]
        if mine.empty:
            assert "No live improvement projects are recorded" in out
        else:
            assert "<caption>Improvement projects," in out
            assert "Making Data Count summary matrix" in out
            assert out.count('<figure class="le-figure">') == len(mine)
            assert len(re.findall(r'<img [^>]*alt="SPC chart of', out)) == len(mine)
        leaked = [i for i in ids if re.search(rf"\b{re.escape(i)}\b", out)]
        assert not leaked, f"participant ids in the {pid} report: {leaked[:3]}"
        if pid == "sath_academy":
            assert "+49.7%" in out and "747" in out and "1,118" in out and "1,064" in out
        if pid == "luhft_lbs":
            assert out.count('<figure class="le-figure">') == 15


@pytest.mark.slow
def test_notebook_runs_for_a_cohort(repo_root, dataset, tmp_path):
    cohorts = pd.read_csv(dataset / "cohorts.csv")
    cohort = cohorts[cohorts["programme_id"] == "lcft_cetad"]["cohort_id"].iloc[0]
    _, out = _run(repo_root, dataset, tmp_path / "cohort.ipynb", programme_id="lcft_cetad",
                  cohort_id=str(cohort))
    assert "<caption>Improvement projects," in out and "le-figure" in out
