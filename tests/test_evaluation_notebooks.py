"""End to end: notebooks/50_networks.ipynb and notebooks/90_evaluation_report.ipynb executed by
Papermill for every programme of the sample dataset (and a cohort), checking the sections, the
Barts figures, the joint display and that no participant id reaches a report."""

from __future__ import annotations

import re

import pandas as pd
import pytest

NETWORKS = "notebooks/50_networks.ipynb"
EVALUATION = "notebooks/90_evaluation_report.ipynb"
EVALUATION_SECTIONS = {"## Summary", "## Reach and reaction (Kirkpatrick level 1)", "## Learning (level 2)",
                       "## Behaviour (level 3)", "## Results (level 4): improvement projects",
                       "## Networks", "## The leadership pipeline",
                       "## Themes beside outcomes: joint display", "## Limitations",
                       "## Methods appendix"}


@pytest.fixture(scope="module")
def dataset(sample_dataset_path, tmp_path_factory):
    if (sample_dataset_path / "dataset.yaml").exists():
        return sample_dataset_path
    from helpers.data.sample import generate_sample  # the committed sample is made the same way

    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


def _run(repo_root, notebook, dataset, out, **params):
    import nbformat
    import papermill as pm

    pm.execute_notebook(str(repo_root / notebook), str(out), cwd=str(repo_root / "notebooks"),
                        parameters=dict(dataset=str(dataset), **params), progress_bar=False,
                        kernel_name="python3")
    nb = nbformat.read(str(out), as_version=4)
    html = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
            html.append(o.get("data", {}).get("text/html", "") or o.get("text", ""))
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    return headings, "\n".join(html)


def _no_ids(out, ids, what):
    leaked = [i for i in ids if re.search(rf"\b{re.escape(i)}\b", out)]
    assert not leaked, f"participant ids in {what}: {leaked[:3]}"


@pytest.mark.slow
def test_networks_notebook_every_programme(repo_root, dataset, tmp_path):
    programmes = pd.read_csv(dataset / "programmes.csv")["programme_id"].tolist()
    participants = pd.read_csv(dataset / "participants.csv", dtype=str)
    cohorts = pd.read_csv(dataset / "cohorts.csv", dtype=str)
    ties = pd.read_csv(dataset / "ties.csv", dtype=str)
    with_ties = set(participants.loc[participants["participant_id"].isin(ties["from_id"]), "cohort_id"]
                    .map(cohorts.set_index("cohort_id")["programme_id"]))
    ids = set(participants["participant_id"])
    for pid in programmes:
        headings, out = _run(repo_root, NETWORKS, dataset, tmp_path / f"50_{pid}.ipynb", programme_id=pid)
        assert headings[0].startswith("# Networks")
        assert {"## The network at each wave", "## Crossing boundaries: the E-I index",
                "## Brokerage"} <= set(headings)
        if pid in with_ties:
            assert "Krackhardt and Stern" in out and "E-I index" in out
            assert len(re.findall(r'<img [^>]*alt="Drawing of the', out)) == 2
            assert "Caveats" in out and "Boundary:" in out
        else:
            assert "No network ties were recorded" in out
        _no_ids(out, ids, f"the {pid} networks report")
    # and one cohort of a programme with ties
    pid = sorted(with_ties)[0]
    cohort = cohorts.loc[cohorts["programme_id"] == pid, "cohort_id"].iloc[0]
    _, out = _run(repo_root, NETWORKS, dataset, tmp_path / "50_cohort.ipynb", programme_id=pid,
                  cohort_id=cohort)
    assert "E-I index" in out


@pytest.mark.slow
def test_evaluation_report_every_programme(repo_root, dataset, tmp_path):
    programmes = pd.read_csv(dataset / "programmes.csv")["programme_id"].tolist()
    ids = set(pd.read_csv(dataset / "participants.csv", dtype=str)["participant_id"])
    for pid in programmes:
        headings, out = _run(repo_root, EVALUATION, dataset, tmp_path / f"90_{pid}.ipynb", programme_id=pid)
        assert headings[0] == "# Programme evaluation report"
        assert EVALUATION_SECTIONS <= set(headings)
        assert "delegates from" in out  # the generated reach sentence
        assert "Statistical methods and their references" in out
        assert 'href="10_reach_and_reaction.html"' in out
        _no_ids(out, ids, f"the {pid} evaluation report")
        if pid == "barts_kf_scl":
            assert "220 delegates from 3 organisations took part across 10 cohorts." in out
            assert "The most-cited theme in interviews and comments was restorative space" in out
            assert "Joint display: each theme beside the mean change" in out
            for theme in ("Restorative space", "Cross-speciality working",
                          "Working with operational managers"):
                assert f"<td>{theme}</td>" in out
            assert 'href="50_networks.html"' in out
            assert "Synthetic data:" in out


@pytest.mark.slow
def test_evaluation_report_for_a_cohort(repo_root, dataset, tmp_path):
    cohorts = pd.read_csv(dataset / "cohorts.csv", dtype=str)
    cohort = cohorts.loc[cohorts["programme_id"] == "barts_kf_scl", "cohort_id"].iloc[0]
    _, out = _run(repo_root, EVALUATION, dataset, tmp_path / "90_cohort.ipynb",
                  programme_id="barts_kf_scl", cohort_id=cohort)
    assert "took part in cohort" in out
    # detailed reports that run per programme only are linked in the programme's folder
    assert 'href="../all/20_leadership_outcomes.html"' in out
    assert 'href="50_networks.html"' in out
