"""ProjectResults: prepare() on the sample data holds the documented frames with real values."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import projects
from helpers.projects import _project_xmr, six_month_totals
from helpers.spc import MIN_BASELINE
from helpers.spc.charts import spc_chart
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
    assert totals.tolist()[:3] == [747, 1118, 1064]
    assert totals["Between the windows"] == 176  # October 2012, in neither total


def test_summary_counts_points_either_side_of_the_start(res):
    row = res.by_project.iloc[0]
    assert (row["n_before"], row["n_after"]) == (12, 23)
    assert row["estimate"] > 0


def test_lcft_results(sample_dataset_path):
    res = projects.prepare(open_report(sample_dataset_path, "lcft_cetad"))
    assert res.missing_columns() == {}
    assert len(res.by_project) == len(res.projects) > 1
    assert res.service.empty or res.service["months"].min() >= 0


# --- the baseline rule, the chart title and the year-on window ------------------------------

def _monthly(values, start="2011-04-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"),
                     dtype=float)


def _series(n_before, n_after, seed=3):
    rng = np.random.default_rng(seed)
    return _monthly(np.r_[rng.normal(100, 5, n_before), rng.normal(130, 5, n_after)])


def test_a_twelve_point_baseline_is_accepted_as_nhsrplotthedots_does():
    # NHSRplotthedots' ptd_spc_options refuses fix_after_n_points below 12 and accepts 12
    assert MIN_BASELINE == 12
    s = _series(12, 23)
    chart = _project_xmr(s, "up", None, s.index[12])
    assert chart.attrs["limits"] == "baseline" and chart.attrs["baseline_points"] == 12
    base = s.iloc[:12]
    mr = np.abs(np.diff(base.to_numpy())).mean()
    assert chart["mean"].iloc[0] == pytest.approx(base.mean())
    assert chart["upl"].iloc[-1] == pytest.approx(base.mean() + 2.66 * mr)
    assert _project_xmr(_series(11, 23), "up", None, _series(11, 23).index[11]).attrs["limits"] \
        == "recalculated"


def _limit_lines(fig):
    ax = fig.axes[0]
    return [ln for ln in ax.get_lines() if ln.get_linestyle() == "--" and ln.get_label() != "Target"
            and np.isfinite(np.asarray(ln.get_ydata(), dtype=float)).any()
            and ln.get_color() != "black"]


def test_chart_title_agrees_with_the_limits_drawn():
    s = _series(8, 20)
    partly = _project_xmr(s, "up", None, s.index[8])
    fig = spc_chart(partly, title="Partly run")
    title = fig.axes[0].get_title()
    assert _limit_lines(fig), "the segment after the start has limits"
    assert "run chart, no limits" not in title.replace("(fewer than 13 points there: run chart)", "")
    assert "no limits from Apr 2011 to Nov 2011" in title
    plt.close(fig)
    s = _series(5, 6)
    run = _project_xmr(s, "up", None, s.index[5])
    fig = spc_chart(run, title="All run")
    assert not _limit_lines(fig)
    assert "run chart, no limits" in fig.axes[0].get_title()
    plt.close(fig)


def test_the_month_between_the_windows_is_said():
    s = _monthly(range(1, 36))
    t = six_month_totals(s, "2012-04-01")
    assert t.attrs["between"]["from"] == pd.Timestamp("2012-10-01")
    assert t.attrs["between"]["months"] == 1
    assert t.attrs["between"]["total"] == s[pd.Timestamp("2012-10-01")]


def test_a_project_with_a_comparison_series_gets_the_controlled_estimates():
    months = pd.date_range("2020-01-01", periods=30, freq="MS")
    t = np.arange(1, 31)
    x = (t > 14).astype(int)
    wobble = np.where(t % 2 == 0, 0.3, -0.3)
    kv = pd.DataFrame({"project_id": "w", "period": months,
                       "value": 20 + 0.2 * t + 4 * x + wobble,
                       "comparison": 21 + 0.2 * t + 1 * x + wobble})  # shared wobble
    proj = pd.DataFrame({"project_id": ["w"], "title": ["Ward 7 falls"], "unit": ["falls"],
                         "start_date": [months[14]], "comparison": ["Ward 9"]})
    out = projects.controlled_changes(SimpleNamespace(projects=proj, kpi_values=kv))
    est = out.set_index("term")["estimate"]
    assert est["level_change_vs_control"] == pytest.approx(3)  # what both share cancels
    assert est["slope_change_vs_control"] == pytest.approx(0, abs=1e-9)
    assert (out["comparison"] == "Ward 9").all()
    assert set(out.columns) == set(projects.CONTROLLED_COLUMNS)
    table = projects.controlled_table(out)
    assert table["Estimate"].notna().all() and len(table) == 4
    # without a comparison column nothing is fitted
    none = projects.controlled_changes(SimpleNamespace(projects=proj.drop(columns="comparison"),
                                                       kpi_values=kv))
    assert none.empty


def test_charts_mark_the_programme_start(res):
    fig = spc_chart(res.charts["sath_p01"])
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert "Programme started" in labels
    assert res.programme_start == pd.Timestamp("2011-11-07")
    plt.close(fig)


def test_the_sample_carries_one_comparison_series(sample_dataset_path):
    res = projects.prepare(open_report(sample_dataset_path, "lcft_cetad"))
    c = res.controlled
    if "comparison" not in res.projects.columns:
        pytest.skip("this sample has no comparison series")
    assert c["project_id"].unique().tolist() == ["lcft_p01"]
    assert c["n"].eq(37).all() and c["df"].eq(2 * 37 - 8).all()
    lc = c.set_index("term")
    assert lc.loc["level_change_vs_control", "ci_low"] < lc.loc["level_change_vs_control", "estimate"] \
        < lc.loc["level_change_vs_control", "ci_high"]
