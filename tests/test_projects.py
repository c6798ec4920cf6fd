"""helpers.projects: portfolio table, icons matrix, before/after change, six-month totals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.its import segmented_regression
from helpers.projects import (MAX_CHARTS, SUMMARY_COLUMNS, chart_selection, current_process,
                              chart_selection_sentence, kpi_series, level_change, mdc_matrix,
                              portfolio_table, project_chart, project_figures, project_summary,
                              service_example, six_month_totals, summary_sentences, summary_table)
from helpers.spc import assurance_icon, variation_icon
from helpers.spc import xmr

MONTHS = pd.date_range("2020-07-01", periods=37, freq="MS")
START = pd.Timestamp("2022-01-01")  # 18 months before, 19 from the start


def _dataset():
    rng = np.random.default_rng(7)
    shift = np.where(MONTHS >= START, -3.0, 0.0)
    kpis = [
        ("p1", rng.normal(10, 1, 37) + shift),                 # improves (down is better)
        ("p2", rng.normal(50, 2, 37)),                          # stable
        ("p3", rng.normal(20, 1, 8)),                           # short: 8 points
    ]
    rows = []
    for pid, v in kpis:
        rows.append(pd.DataFrame({"project_id": pid, "period": MONTHS[: len(v)] if pid != "p3"
                                  else pd.date_range("2021-10-01", periods=8, freq="MS"), "value": v}))
    projects = pd.DataFrame({
        "project_id": ["p1", "p2", "p3"], "programme_id": "prog",
        "lead_participant_id": ["SECRET-ID-1", "SECRET-ID-2", "SECRET-ID-9"],
        "title": ["Faster clinic", "Audit <b>score</b>", "Short pilot"],
        "area": ["Outpatients", "Surgery", "Medicine"], "kpi": ["Wait", "Score", "Delays"],
        "unit": ["weeks", "%", "days"], "better": ["down", "up", "down"],
        "start_date": [START, START, pd.Timestamp("2022-01-01")], "status": ["sustained", "ongoing", "paused"],
        "target": [8.0, 40.0, np.nan],
    })
    participants = pd.DataFrame({"participant_id": ["SECRET-ID-1", "SECRET-ID-2"],
                                 "profession": ["nursing", "medical"]})
    return SimpleNamespace(projects=projects, kpi_values=pd.concat(rows, ignore_index=True),
                           participants=participants)


def test_portfolio_shows_profession_never_the_lead_id():
    t = portfolio_table(_dataset())
    assert list(t.columns) == ["Project", "Area", "Lead's profession", "KPI", "Unit", "Better",
                               "Started", "Status"]
    assert not t.astype(str).apply(lambda c: c.str.contains("SECRET")).any().any()
    assert dict(zip(t["Project"], t["Lead's profession"]))["Short pilot"] == "not recorded"
    assert set(t["Better"]) == {"Higher", "Lower"}


def test_project_chart_limits_come_from_the_points_before_the_start():
    ds = _dataset()
    chart = project_chart(ds.projects.iloc[0], ds.kpi_values)
    s = kpi_series(ds.kpi_values, "p1")
    expected = xmr(s, improvement="down", target=8.0, baseline=18)
    pd.testing.assert_frame_equal(chart, expected)
    assert chart.attrs["limits"] == "baseline" and chart.attrs["baseline_points"] == 18
    # one set of limits for the whole chart, computed from the 18 pre-start months only
    before = s[s.index < START].to_numpy()
    assert chart["segment"].eq(0).all() and chart["mean"].nunique() == 1
    assert chart["mean"].iloc[-1] == pytest.approx(before.mean())
    mr = np.abs(np.diff(before))
    mr = mr[mr < 3.267 * mr.mean()]  # Making Data Count screening of large moving ranges
    assert chart["upl"].iloc[-1] == pytest.approx(before.mean() + 2.66 * mr.mean())


def test_a_sustained_fall_after_the_start_is_special_cause_improvement():
    ds = _dataset()
    summ = project_summary(ds)
    # p1 falls by 3 (three standard deviations) at the start and lower is better: judged
    # against the baseline the fall is special cause improvement; recalculating the limits at
    # the start (the old default) made the new level the norm and showed common cause.
    assert summ.loc[0, "variation"] == "improvement_low"
    s = kpi_series(ds.kpi_values, "p1")
    assert variation_icon(xmr(s, improvement="down", rebase=[START])) == "common_cause"
    assert summ.loc[1, "variation"] == "common_cause"  # p2 is stable


def test_assurance_is_judged_on_the_process_since_the_start():
    # Baseline around 20 (limits about 17 to 23), then a move to 10 (limits about 7 to 13);
    # lower is better and the target is 15. Against the old limits the process would
    # consistently fail the target; the process since the start consistently passes it.
    rng = np.random.default_rng(3)
    values = np.r_[rng.normal(20, 1, 18), rng.normal(10, 1, 19)]
    ds = SimpleNamespace(kpi_values=pd.DataFrame({"project_id": "a", "period": MONTHS, "value": values}))
    project = pd.Series({"project_id": "a", "better": "down", "target": 15.0, "start_date": START})
    chart = project_chart(project, ds.kpi_values)
    assert assurance_icon(chart) == "fail" and variation_icon(chart) == "improvement_low"
    now = current_process(chart)
    pd.testing.assert_frame_equal(now, xmr(kpi_series(ds.kpi_values, "a")[START:], improvement="down",
                                           target=15.0))
    assert assurance_icon(now) == "pass"
    # fewer than 13 points since the start: no limits to judge the new process by
    few = ds.kpi_values.iloc[:25]
    assert assurance_icon(current_process(project_chart(project, few))) == "no_limits"


def test_short_baseline_recalculates_at_the_start_and_says_so():
    from helpers.projects import limits_caption

    months = pd.date_range("2021-06-01", periods=30, freq="MS")  # 7 before START, 23 from it
    ds = SimpleNamespace(kpi_values=pd.DataFrame({"project_id": "q", "period": months,
                                                  "value": np.arange(30.0) % 5}))
    project = pd.Series({"project_id": "q", "better": "up", "target": np.nan, "start_date": START})
    chart = project_chart(project, ds.kpi_values)
    expected = xmr(kpi_series(ds.kpi_values, "q"), improvement="up", rebase=[START])
    pd.testing.assert_frame_equal(chart, expected)
    assert chart.attrs["limits"] == "recalculated"
    assert limits_caption(chart).startswith("Fewer than 12 points before the project started "
                                            "(January 2022), too few for a baseline")
    late = project.copy()
    late["start_date"] = pd.Timestamp("2030-01-01")
    whole = project_chart(late, ds.kpi_values)
    assert whole.attrs["limits"] == "whole series" and whole["segment"].eq(0).all()


def test_level_change_matches_segmented_regression_and_needs_12_each_side():
    ds = _dataset()
    s = kpi_series(ds.kpi_values, "p1")
    lc = level_change(s, START)
    df = pd.DataFrame({"y": s.to_numpy(), "t": np.arange(1, 38), "x": (s.index >= START).astype(int)})
    assert lc["estimate"] == pytest.approx(segmented_regression(df, "y", "t", "x").loc["level_change", "estimate"])
    assert lc["ci_high"] < 0  # the built-in fall of 3 is detected
    assert level_change(kpi_series(ds.kpi_values, "p3"), START) is None


def test_summary_matrix_and_sentences():
    ds = _dataset()
    summ = project_summary(ds)
    assert list(summ["n_before"]) == [18, 18, 3] and list(summ["n_after"]) == [19, 19, 5]
    assert summ.loc[2, "variation"] == "no_limits" and np.isnan(summ.loc[2, "estimate"])
    grid = mdc_matrix(summ)
    cells = [t for c in grid.drop(columns="Variation").to_numpy().ravel() if c for t in c.split("; ")]
    assert sorted(cells) == sorted(["Faster clinic", "Audit <b>score</b>", "Short pilot"])
    text = summary_sentences(summ)
    assert "too short to estimate a change in level" in text[2] and "3 points before" in text[2]
    assert "Level change after the start" in text[0] and "95% CI" in text[0]
    table = summary_table(summ)
    assert table.loc[2, "Level change (95% CI)"] == "too few points"
    # the two projects long enough to test are one Holm family; the short one is not in it
    assert summ["p_holm"].notna().sum() == 2 and np.isnan(summ.loc[2, "p_holm"])
    p1, p2 = sorted(summ.loc[:1, "p_value"])
    assert sorted(summ.loc[:1, "p_holm"]) == pytest.approx([min(1, 2 * p1), min(1, max(2 * p1, p2))])
    assert table.loc[2, "p (Holm)"] == "–" and "Holm-adjusted p" in text[0]


def test_figures_have_alt_text_and_captions():
    import matplotlib.pyplot as plt

    figs = list(project_figures(_dataset()))
    assert len(figs) == 3
    for i, (fig, alt, caption) in enumerate(figs):
        assert alt.startswith("SPC chart of")
        labels = set(fig.axes[0].get_legend_handles_labels()[1])
        if i < 2:  # 18 months before the start
            assert "Limits set from the 18 points before the project started (January 2022)" in caption
            assert "Project started" in labels
        else:  # 3 points before, 5 after
            assert caption.endswith("Fewer than 12 points before the project started "
                                    "(January 2022) and fewer than 13 since: a run chart, no limits.")
            assert "Project started" not in labels
        plt.close(fig)


def _library():
    # monthly issues with the seed's six-month totals: 747 before (Oct 2011-Mar 2012),
    # 1,118 in the first six months (Apr-Sep 2012), 1,064 in the six months to April 2013
    months = pd.date_range("2011-04-01", "2014-02-01", freq="MS")
    v = pd.Series(150.0, index=months)
    v["2011-10-01":"2012-03-01"] = [125, 124, 125, 124, 125, 124]
    v["2012-04-01":"2012-09-01"] = [186, 187, 186, 187, 186, 186]
    v["2012-11-01":"2013-04-01"] = [177, 178, 177, 178, 177, 177]
    return v


def test_six_month_totals_reproduce_the_library_figures():
    t = six_month_totals(_library(), "2012-04-01")
    assert t["total"].tolist() == [747, 1118, 1064]
    assert t["to"].iloc[2] == pd.Timestamp("2013-04-01") and t["from"].iloc[2] == pd.Timestamp("2012-11-01")
    assert round(t["change"].iloc[1] * 100, 1) == 49.7


def test_service_example_sentence_and_table():
    lib = _library()
    ds = SimpleNamespace(
        projects=pd.DataFrame({"project_id": ["lib"], "title": ["Leadership Zone"],
                               "kpi": ["Issues of management books"], "unit": ["issues per month"],
                               "better": ["up"], "start_date": [pd.Timestamp("2012-04-01")]}),
        kpi_values=pd.DataFrame({"project_id": "lib", "period": lib.index, "value": lib.to_numpy()}),
        participants=pd.DataFrame({"participant_id": [], "profession": []}))
    table, sentences = service_example(ds)
    assert table["Total"].tolist() == ["747", "1,118", "1,064"]
    assert table["Change from before"].tolist()[1] == "+49.7%"
    assert "rose from 747" in sentences[0] and "+49.7%" in sentences[0] and "April 2013" in sentences[0]
    assert service_example(_dataset()) [1] == []  # no KPI counted per month


def _loop_summary(data, min_points=12):
    """The per-project loop the vectorised summary replaced: project_chart (a filter of
    kpi_values per project) and level_change on every project, one row at a time."""
    rows = []
    for _, p in data.projects.iterrows():
        chart = project_chart(p, data.kpi_values)
        start = pd.Timestamp(p["start_date"])
        n_after = int((chart.index >= start).sum())
        lc = level_change(chart["value"], start, min_points)
        rows.append({"project_id": p["project_id"], "title": p["title"], "kpi": p["kpi"],
                     "unit": p["unit"], "better": p["better"], "start_date": start,
                     "n_before": len(chart) - n_after, "n_after": n_after,
                     "limits": chart.attrs["limits"], "variation": variation_icon(chart),
                     "assurance": assurance_icon(current_process(chart)),
                     **{k: np.nan if lc is None else lc[k]
                        for k in ("estimate", "ci_low", "ci_high", "p_value")}})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["p_holm"] = multipletests_holm(out["p_value"])
    return out


def multipletests_holm(p: pd.Series) -> np.ndarray:
    """statsmodels' Holm over the projects that have a level change (the others stay NaN)."""
    from statsmodels.stats.multitest import multipletests

    out = np.full(len(p), np.nan)
    ok = p.notna().to_numpy()
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def _compare(fast, slow):
    assert list(fast.columns) == SUMMARY_COLUMNS
    for c in SUMMARY_COLUMNS:
        a, b = fast[c].to_numpy(), slow[c].to_numpy()
        if c in ("estimate", "ci_low", "ci_high", "p_value", "p_holm"):
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-12)
        else:
            assert [str(x) for x in a] == [str(x) for x in b], c


def test_summary_equals_the_per_project_loop_on_hand_built_data():
    ds = _dataset()
    _compare(project_summary(ds), _loop_summary(ds))


def test_summary_equals_the_per_project_loop_on_the_sample_data(sample_dataset_path):
    from helpers.data.loader import load_dataset

    data = load_dataset(sample_dataset_path, use_cache=False)
    fast, slow = project_summary(data), _loop_summary(data)
    assert len(fast) == len(data.projects) > 15
    _compare(fast, slow)
    assert fast["estimate"].notna().any()


def _thirty():
    """30 projects with hand-set icons: 3 improvement, 4 concern, 2 neither, 21 common cause
    or too few points, start dates deliberately out of title order."""
    kinds = (["improvement_high", "improvement_low", "improvement_high"]
             + ["concern_low", "concern_high", "concern_low", "concern_high"]
             + ["neutral_high", "neutral_low"] + ["common_cause"] * 17 + ["no_limits"] * 4)
    starts = pd.date_range("2021-01-01", periods=30, freq="MS")[::-1]
    return pd.DataFrame({"project_id": [f"p{i:02d}" for i in range(30)],
                         "title": [f"Project {i:02d}" for i in range(30)],
                         "start_date": starts, "variation": kinds,
                         "assurance": "no_target"})


def test_chart_selection_caps_at_20_improvement_then_concern():
    summ = _thirty()
    shown = chart_selection(summ)
    assert len(shown) == 9 <= MAX_CHARTS  # only the special-cause projects
    # improvement first, then concern, then neither; within each by start date (latest ids start first)
    assert shown["project_id"].tolist() == ["p02", "p01", "p00", "p06", "p05", "p04", "p03",
                                            "p08", "p07"]
    text = chart_selection_sentence(summ, shown)
    assert "Showing 9 of 30 charts" in text and "The other 21 (17 common cause, 4 too few" in text


def test_chart_selection_cap_bites_with_many_special_causes():
    summ = _thirty()
    summ["variation"] = ["concern_high"] * 15 + ["improvement_low"] * 15
    shown = chart_selection(summ)
    assert len(shown) == MAX_CHARTS == 20
    assert shown["variation"].tolist() == ["improvement_low"] * 15 + ["concern_high"] * 5
    assert "Showing 20 of 30" in chart_selection_sentence(summ, shown)
    assert "10 special cause concern" in chart_selection_sentence(summ, shown)


def test_chart_selection_keeps_every_project_up_to_the_cap():
    summ = _thirty().head(20)
    shown = chart_selection(summ)
    assert sorted(shown["project_id"]) == sorted(summ["project_id"])
    assert shown["start_date"].is_monotonic_increasing
    assert chart_selection_sentence(summ, shown) == "One chart per project (20)."


def test_matrix_counts_every_project_above_the_cap():
    summ = _thirty()
    grid = mdc_matrix(summ).set_index("Variation")
    counts = grid.replace("", "0").astype(int)
    assert counts.to_numpy().sum() == 30
    assert counts.loc["Common cause variation"].sum() == 17
