"""helpers.projects: portfolio table, icons matrix, before/after change, six-month totals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.its import segmented_regression
from helpers.projects import (kpi_series, level_change, mdc_matrix, portfolio_table, project_chart,
                              project_figures, project_summary, service_example, six_month_totals,
                              summary_sentences, summary_table)
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


def test_project_chart_is_rebased_at_the_start_with_its_target():
    ds = _dataset()
    chart = project_chart(ds.projects.iloc[0], ds.kpi_values)
    expected = xmr(kpi_series(ds.kpi_values, "p1"), improvement="down", target=8.0, rebase=[START])
    pd.testing.assert_frame_equal(chart, expected)
    assert chart.loc[chart.index >= START, "segment"].eq(1).all()
    assert chart.loc[chart.index < START, "segment"].eq(0).all()


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


def test_figures_have_alt_text_and_captions():
    import matplotlib.pyplot as plt

    figs = project_figures(_dataset())
    assert len(figs) == 3
    for fig, alt, caption in figs:
        assert alt.startswith("SPC chart of") and "Limits recalculated" in caption
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
