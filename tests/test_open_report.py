"""open_report: choosing the scope, clear errors for unknown ids, and a kernel's backend untouched."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from helpers.data import load_dataset
from helpers.report import open_report
from helpers.report.context import Report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def test_open_report_restricts_every_table_to_the_programme(sample):
    rep = open_report(SAMPLE, "barts_kf_scl")
    assert isinstance(rep, Report)
    assert rep.programme_id == "barts_kf_scl" and rep.cohort_id is None
    assert rep.programme["programme_id"] == "barts_kf_scl"
    own = set(sample.cohorts.loc[sample.cohorts["programme_id"] == "barts_kf_scl", "cohort_id"])
    assert set(rep.data.participants["cohort_id"]) <= own
    expected = sample.participants["cohort_id"].isin(own).sum()
    assert len(rep.data.participants) == expected > 0
    assert len(rep.full.participants) == len(sample.participants)


def test_open_report_with_a_cohort_keeps_only_that_cohort(sample):
    rep = open_report(SAMPLE, "barts_kf_scl", "barts_c01")
    assert rep.cohort_id == "barts_c01" and rep.cohort["cohort_id"] == "barts_c01"
    assert set(rep.data.participants["cohort_id"].astype(str)) == {"barts_c01"}
    assert len(rep.data.participants) == (sample.participants["cohort_id"] == "barts_c01").sum()


def test_an_unknown_programme_is_refused_with_the_valid_ids(sample):
    with pytest.raises(ValueError, match="'no_such_programme' is not in") as err:
        open_report(SAMPLE, "no_such_programme")
    for pid in sample.programmes["programme_id"].astype(str):
        assert pid in str(err.value)


def test_a_cohort_of_another_programme_is_refused_with_the_programmes_cohorts(sample):
    other = sample.cohorts.loc[sample.cohorts["programme_id"] != "barts_kf_scl", "cohort_id"].iloc[0]
    with pytest.raises(ValueError, match="is not a cohort of 'barts_kf_scl'") as err:
        open_report(SAMPLE, "barts_kf_scl", str(other))
    own = sample.cohorts.loc[sample.cohorts["programme_id"] == "barts_kf_scl", "cohort_id"]
    assert all(str(c) in str(err.value) for c in own)


def test_no_programme_id_is_refused_when_the_dataset_has_several(sample):
    assert len(sample.programmes) > 1
    with pytest.raises(ValueError, match="programme_id is required"):
        open_report(SAMPLE)


def test_open_report_leaves_the_matplotlib_backend_as_it_was():
    before = matplotlib.rcParams._get("backend")  # unresolved: reading it must not choose one
    open_report(SAMPLE, "barts_kf_scl")
    assert matplotlib.rcParams._get("backend") is before or matplotlib.rcParams._get("backend") == before


def test_open_report_keeps_an_inline_backend_a_person_chose(monkeypatch):
    current = matplotlib.get_backend()
    try:
        matplotlib.use("svg")
        open_report(SAMPLE, "barts_kf_scl")
        assert matplotlib.get_backend().lower() == "svg"
    finally:
        matplotlib.use(current)


def test_the_runner_chooses_agg_only_for_its_own_kernels():
    source = (Path(__file__).resolve().parents[1] / "src" / "helpers" / "report").rglob("*.py")
    for path in source:
        text = path.read_text(encoding="utf-8")
        assert 'matplotlib.use(' not in text and 'MPLBACKEND' not in text, path
    kernels = Path(__file__).resolve().parents[1] / "src" / "helpers" / "runner" / "kernels"
    assert 'os.environ["MPLBACKEND"] = "Agg"' in (kernels / "__init__.py").read_text(encoding="utf-8")
