"""ProjectResults: prepare() on the sample data holds the documented frames with real values."""

import pandas as pd
import pytest

from helpers import projects
from helpers.report import open_report


@pytest.fixture(scope="module")
def sath(sample_dataset_path):
    return open_report(sample_dataset_path, "sath_academy")


@pytest.fixture(scope="module")
def res(sath):
    return projects.prepare(sath)


def test_project_results_have_every_documented_column(res):
    assert res.missing_columns() == {}
    for name in res.COLUMNS:
        assert isinstance(getattr(res, name), pd.DataFrame)


def test_points_are_the_kpi_series(sath, res):
    kv = sath.data.kpi_values
    assert len(res.points) == int(kv["value"].notna().sum())
    assert res.points["value"].sum() == pytest.approx(kv["value"].sum())
    assert set(res.charts) == set(res.by_project["project_id"])


def test_library_totals_are_the_seed_figures(res):
    totals = res.service.set_index("window")["total"]
    assert totals.tolist() == [747, 1118, 1064]


def test_summary_counts_points_either_side_of_the_start(res):
    row = res.by_project.iloc[0]
    assert (row["n_before"], row["n_after"]) == (12, 23)
    assert row["estimate"] > 0


def test_lcft_results(sample_dataset_path):
    res = projects.prepare(open_report(sample_dataset_path, "lcft_cetad"))
    assert res.missing_columns() == {}
    assert len(res.by_project) == len(res.projects) > 1
    assert res.service.empty or res.service["months"].min() >= 0
