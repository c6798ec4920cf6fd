"""helpers.spc against NHSRplotthedots' published values and hand-built cases for every rule.

Published values: tests/oracles/nhsrplotthedots.json (NHSRplotthedots' own test suite and
snapshots; source named in tests/oracles/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.spc import assurance_icon, variation_icon, xmr
from helpers.spc.limits import xmr_limits
from helpers.spc.rules import (classify, shift_points, trend_ends, trend_points,
                               two_of_three_points)

ORACLE = json.loads((Path(__file__).parent / "oracles" / "nhsrplotthedots.json").read_text())
Y = np.array(ORACLE["y"])


# --- NHSRplotthedots' published values -------------------------------------------------------

def test_limits_match_ptd_spc_standard_snapshot():
    t = xmr(Y)
    exp = ORACLE["r1_screened"]
    assert t["mean"].iloc[0] == pytest.approx(exp["mean"], abs=5e-7)
    assert t["lpl"].iloc[0] == pytest.approx(exp["lpl"], abs=5e-6)
    assert t["upl"].iloc[0] == pytest.approx(exp["upl"], abs=5e-6)
    side = np.sign(t["value"] - t["mean"]).iloc[:15].tolist()
    assert side == exp["relative_to_mean_first15"]


@pytest.mark.parametrize("key,screen", [("r2_y15_is_10_screened", True),
                                        ("r3_y15_is_10_unscreened", False)])
def test_outlier_screening_matches_snapshot(key, screen):
    y = Y.copy()
    y[14] = 10  # R: data$y[15] <- 10
    t = xmr(y, screen_outliers=screen)
    exp = ORACLE[key]
    for col in ("mean", "lpl", "upl"):
        assert round(t[col].iloc[0], 4) == round(exp[col], 4)
    if "relative_to_mean_first14" in exp:
        assert np.sign(t["value"] - t["mean"]).iloc[:14].tolist() == exp["relative_to_mean_first14"]


def test_summary_matches_snapshot_and_is_all_common_cause():
    t = xmr(Y)
    exp = ORACLE["summary_all"]
    assert round(t["mean"].iloc[0], 3) == exp["mean"]
    assert round(t["lpl"].iloc[0], 2) == exp["lpl"] and round(t["upl"].iloc[0], 2) == exp["upl"]
    assert len(t) == exp["n"] and (~t["special_cause"]).sum() == exp["common_cause"]
    assert (t["point_type"] == "special_cause_improvement").sum() == exp["special_cause_improvement"]
    assert variation_icon(t) == exp["variation_type"]
    # a target of 0.5 inside the limits: NHSRplotthedots' "inconsistent"
    assert assurance_icon(xmr(Y, target=0.5)) == "hit_and_miss"


def test_rebased_segments_match_facet_snapshot():
    # the snapshot facets the same 20 points as two groups of 10; rebasing at point 11 gives
    # each half its own limits in the same way (below 13 points only with min_points lowered)
    t = xmr(Y, rebase=10, min_points=10)
    for seg, exp in enumerate(ORACLE["summary_facets_10_each"]):
        part = t[t["segment"] == seg]
        assert len(part) == exp["n"]
        assert f"{part['mean'].iloc[0]:.3g}" == f"{exp['mean']:.3g}"
        assert round(part["lpl"].iloc[0], 2) == exp["lpl"]
        assert round(part["upl"].iloc[0], 2) == exp["upl"]
        assert (~part["special_cause"]).sum() == exp["common_cause"]


def test_two_of_three_needs_same_side_published_case():
    y = np.tile([1.0, -1.0], 8)
    y[14], y[15] = 5.5, -5.5
    t = xmr(y)
    assert t["point_type"].iloc[-2:].tolist() == ORACLE["two_of_three_opposite_sides"]["expected_last_two"]


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_assurance_matches_published_cases(direction):
    case = ORACLE["assurance_cases"]
    names = {"consistent_fail": "fail", "consistent_pass": "pass", "inconsistent": "hit_and_miss"}
    for lpl, upl, expected in zip(case["lpl"], case["upl"], case[direction]):
        chart = pd.DataFrame({"chart": ["xmr"], "lpl": [lpl], "upl": [upl], "target": [case["target"]]})
        assert assurance_icon(chart, improvement=direction) == names[expected]


def test_rule_helpers_match_published_unit_cases():
    # NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R
    assert trend_ends(np.arange(1, 7)).tolist() == [0] * 6
    assert trend_ends(np.r_[1:4, 3:7]).tolist() == [0] * 7          # a tie breaks the trend
    assert trend_ends(np.arange(1, 8)).tolist() == [0] * 6 + [1]
    assert trend_ends(np.r_[2, 1:8, 3]).tolist() == [0] * 7 + [1, 0]
    assert trend_ends(np.arange(7, 0, -1)).tolist() == [0] * 6 + [-1]
    assert trend_ends(np.r_[2, 7:0:-1, 3]).tolist() == [0] * 7 + [-1, 0]
    # two in three (all three on one side) and only the near points kept
    assert two_of_three_points([1, 0, 1], [1, 1, 1]).tolist() == [True, False, True]
    assert two_of_three_points([0, 0, 1, 0, 1, 0, 0], [1] * 7).tolist() == [0, 0, 1, 0, 1, 0, 0]
    assert not two_of_three_points([1, 0, 1], [1, -1, 1]).any()
    assert not two_of_three_points([1, 0, 0, 1], [1] * 4).any()
    assert two_of_three_points([1, 0, 0, 1, 1], [1] * 5).tolist() == [0, 0, 0, 1, 1]
    # seven on one side: c(-1, rep(1, 8), -1) -> runs end at points 8 and 9
    assert shift_points([-1] + [1] * 8 + [-1]).tolist() == [0] + [1] * 8 + [0]
    assert not shift_points([1] * 6 + [-1]).any()


# --- hand-built series, every rule, tie and precedence case ----------------------------------

BASE = np.tile([10.0, 12.0], 10)  # mean 11, moving range 2: limits 11 +/- 5.32


def test_limits_by_hand():
    lim = xmr_limits(BASE)
    assert lim["mean"] == 11 and lim["mr_bar"] == 2
    assert lim["lpl"] == pytest.approx(11 - 2.66 * 2) and lim["upl"] == pytest.approx(11 + 2.66 * 2)
    assert lim["nupl"] == pytest.approx(11 + 2 * 2.66 / 3 * 2)


@pytest.mark.parametrize("improvement,expected", [("up", "special_cause_improvement"),
                                                  ("down", "special_cause_concern"),
                                                  ("neutral", "special_cause_neutral")])
def test_point_above_upper_limit(improvement, expected):
    t = xmr(np.r_[BASE, 30.0], improvement=improvement)
    # the jump's moving range (18) is screened: limits stay 2.66 x 2 around the new mean
    assert t["upl"].iloc[0] == pytest.approx(np.mean(np.r_[BASE, 30.0]) + 5.32)
    last = t.iloc[-1]
    assert last["rule"] == "outside_limits" and last["point_type"] == expected
    assert last["direction"] == "high"
    assert not t["special_cause"].iloc[:-1].any()


@pytest.mark.parametrize("improvement,expected", [("up", "special_cause_concern"),
                                                  ("down", "special_cause_improvement")])
def test_point_below_lower_limit(improvement, expected):
    t = xmr(np.r_[BASE, -8.0], improvement=improvement)
    assert t.iloc[-1]["rule"] == "outside_limits"
    assert t.iloc[-1]["point_type"] == expected and t.iloc[-1]["direction"] == "low"


def test_screening_off_widens_limits_like_the_spreadsheet():
    y = np.r_[BASE, 30.0]
    on, off = xmr(y), xmr(y, screen_outliers=False)
    assert off["upl"].iloc[0] - off["lpl"].iloc[0] > on["upl"].iloc[0] - on["lpl"].iloc[0]
    mr = np.abs(np.diff(y)).mean()
    assert off["upl"].iloc[0] == pytest.approx(y.mean() + 2.66 * mr)


RISE = np.array([10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0])


@pytest.mark.parametrize("improvement,expected", [("up", "special_cause_improvement"),
                                                  ("down", "special_cause_concern")])
def test_trend_of_seven_rising(improvement, expected):
    t = xmr(np.r_[BASE, RISE], improvement=improvement)
    trend = t["trend"].to_numpy()
    assert trend[-7:].all() and not trend[:-7].any()
    assert (t["point_type"].iloc[-7:] == expected).all()
    assert (t["direction"].iloc[-7:] == "high").all()


def test_trend_of_seven_falling_is_low_even_above_the_mean():
    t = xmr(np.r_[BASE, RISE[::-1] + 0.5], improvement="up")
    assert t["trend"].iloc[-7:].all()
    assert (t["rule"].iloc[-7:] == "trend").all()
    assert (t["point_type"].iloc[-7:] == "special_cause_concern").all()


def test_a_tie_breaks_a_trend():
    tied = np.array([10.0, 10.5, 11.0, 11.0, 11.5, 12.0, 12.5])
    t = xmr(np.r_[BASE, tied])
    assert not t["trend"].any()


@pytest.mark.parametrize("length", [6, 7])
def test_trend_length_is_a_parameter(length):
    six = RISE[:6]
    t = xmr(np.r_[BASE, six], trend=length)
    assert t["trend"].iloc[-6:].all() == (length == 6)


def test_trend_direction_reads_ties_and_peaks_as_nhsrplotthedots():
    wide = dict(mean=4.0, lpl=-100.0, upl=100.0, nlpl=-60.0, nupl=60.0)
    peak = np.r_[1:8, 6:0:-1].astype(float)           # 1..7..1: the peak belongs to both trends
    c = classify(peak, **wide)
    assert c["rule"][6] == "trend" and c["signal"][6] == -1  # read from the step to its right
    tie_peak = np.r_[1:8, 7:0:-1].astype(float)       # 1..7,7..1: the right step is zero
    c = classify(tie_peak, **wide)
    assert c["trend"][6] and c["trend"][7]
    assert c["signal"][6] == -1                        # zero step labelled "Decreasing"
    assert c["signal"][5] == 1


SHIFT = np.array([12, 13, 12, 13, 12, 13, 12, 8, 7, 8, 7, 8, 7, 8], dtype=float)  # mean exactly 10


def test_shift_of_seven_each_side_and_precedence_of_two_in_three():
    t = xmr(SHIFT, improvement="up")
    assert t["mean"].iloc[0] == 10
    assert t["shift"].all()
    # 13s and 7s are beyond two thirds of the way to the limits, two in three on one side
    near = np.isin(SHIFT, [13, 7])
    assert (t["two_of_three"].to_numpy() == near).all()
    assert (t["rule"][near] == "two_of_three").all() and (t["rule"][~near] == "shift").all()
    assert t["rules"].iloc[1] == "two_of_three,shift"
    assert (t["point_type"].iloc[:7] == "special_cause_improvement").all()
    assert (t["point_type"].iloc[7:] == "special_cause_concern").all()
    down = xmr(SHIFT, improvement="down")
    assert (down["point_type"].iloc[:7] == "special_cause_concern").all()


def test_a_point_on_the_mean_breaks_a_shift():
    y = SHIFT.copy()
    y[2], y[9] = 10.0, 10.0  # the sum (and the mean, 10) is unchanged; each run is broken
    t = xmr(y)
    assert t["mean"].iloc[0] == 10
    assert not t["shift"].any()


@pytest.mark.parametrize("length", [6, 7])
def test_shift_length_is_a_parameter(length):
    y = np.r_[SHIFT[:6], 10.0, SHIFT[7:13], 10.0]  # runs of six either side of points on the mean
    t = xmr(y, shift=length)
    assert t["shift"].iloc[:6].all() == (length == 6)


def test_two_in_three_flags_only_the_near_points():
    # mean 11.5, mean moving range 53/23: near zone 15.59-17.63; 16, 13, 16 -> the 16s, not the 13
    y = np.r_[BASE, 16.0, 13.0, 16.0, 11.0]
    t = xmr(y)
    assert t["two_of_three"].iloc[-4:].tolist() == [True, False, True, False]
    assert t["rule"].iloc[-3] == "" and t["point_type"].iloc[-3] == "common_cause"


def test_outside_limits_takes_precedence_over_trend():
    y = np.r_[BASE, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 40.0]
    t = xmr(y)
    assert t["rules"].iloc[-1] == "outside_limits,trend"
    assert t["rule"].iloc[-1] == "outside_limits"


# --- baseline, rebasing, short series, icons -------------------------------------------------

def test_baseline_fixes_limits_on_the_first_points():
    y = np.r_[BASE, RISE + 5]
    t = xmr(y, baseline=12)
    lim = xmr_limits(BASE)
    assert t["mean"].iloc[-1] == lim["mean"] and t["upl"].iloc[-1] == pytest.approx(lim["upl"])


def test_rebase_by_date_recalculates_limits_from_that_point():
    idx = pd.date_range("2022-01-01", periods=26, freq="MS")
    y = pd.Series(np.r_[BASE[:12], 10.0, BASE[:12] + 20, 30.0], index=idx)
    t = xmr(y, rebase="2023-01-15")  # the first point on or after the date: 2023-02-01
    assert t.index.equals(idx)
    assert t["segment"].tolist() == [0] * 13 + [1] * 13
    after = xmr_limits(y.iloc[13:].to_numpy())
    assert t["mean"].iloc[-1] == pytest.approx(after["mean"])
    assert t["lpl"].iloc[-1] == pytest.approx(after["lpl"])


def test_fewer_than_13_points_give_a_run_chart_without_icons():
    t = xmr(BASE[:12], target=11)
    assert (t["chart"] == "run").all()
    assert t["lpl"].isna().all() and not t["special_cause"].any()
    assert t["mean"].iloc[0] == 11
    assert variation_icon(t) == "no_limits" and assurance_icon(t) == "no_limits"


@pytest.mark.parametrize("improvement,target,expected", [
    ("up", 0.0, "pass"), ("up", 50.0, "fail"), ("up", 11.0, "hit_and_miss"),
    ("down", 0.0, "fail"), ("down", 50.0, "pass"), ("neutral", 0.0, "no_target")])
def test_assurance_icon(improvement, target, expected):
    assert assurance_icon(xmr(np.r_[BASE, 11.0], improvement=improvement, target=target)) == expected


@pytest.mark.parametrize("improvement,y_last,expected", [
    ("up", 30.0, "improvement_high"), ("down", 30.0, "concern_high"),
    ("up", -8.0, "concern_low"), ("down", -8.0, "improvement_low"),
    ("neutral", 30.0, "neutral_high"), ("up", 11.0, "common_cause")])
def test_variation_icon(improvement, y_last, expected):
    assert variation_icon(xmr(np.r_[BASE, y_last], improvement=improvement)) == expected


def test_missing_values_and_bad_direction_are_refused():
    with pytest.raises(ValueError):
        xmr([1.0, np.nan, 2.0])
    with pytest.raises(ValueError):
        xmr(BASE, improvement="sideways")


def test_chart_draws_a_figure_with_labels():
    from matplotlib.figure import Figure

    from helpers.spc import spc_chart
    from helpers.spc.charts import chart_alt_text

    idx = pd.date_range("2022-01-01", periods=26, freq="MS")
    t = xmr(pd.Series(np.r_[BASE[:12], 10.0, BASE[:12] + 20, 30.0], index=idx), rebase=13, target=25)
    fig = spc_chart(t, title="Loans", y_label="Books issued")
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert ax.get_ylabel() == "Books issued" and ax.get_xlabel() == "Period"
    labels = ax.get_legend_handles_labels()[1]
    assert {"Mean", "Process limits", "Target", "Limits recalculated"} <= set(labels)
    assert "SPC chart of loans, 26 points" in chart_alt_text(t, "loans")
    import matplotlib.pyplot as plt

    plt.close(fig)


# --- properties: both directions are mirror images; the rule column follows precedence -------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

series = st.lists(st.integers(-50, 50), min_size=13, max_size=40).map(lambda v: np.array(v, float))


@settings(max_examples=60, deadline=None)
@given(series)
def test_negating_values_and_direction_mirrors_the_classification(y):
    up, down = xmr(y, improvement="up"), xmr(-y, improvement="down")
    assert up["special_cause"].tolist() == down["special_cause"].tolist()
    # except a trend point whose next point is also in a trend but equal to it: NHSRplotthedots
    # reads that zero step as falling whichever way the values run
    trend = up["trend"].to_numpy()
    zero_step = (up["rule"] == "trend").to_numpy() & np.r_[trend[1:], False] & np.r_[np.diff(y) == 0, False]
    ok = ~zero_step
    assert up["point_type"][ok].tolist() == down["point_type"][ok].tolist()
    flip = {"high": "low", "low": "high", "": ""}
    assert [flip[d] for d in up["direction"][ok]] == down["direction"][ok].tolist()
    np.testing.assert_allclose(up["upl"], -down["lpl"])


@settings(max_examples=60, deadline=None)
@given(series, st.sampled_from([6, 7]), st.sampled_from([6, 7]))
def test_special_cause_is_any_rule_and_the_rule_column_follows_precedence(y, shift, trend):
    t = xmr(y, shift=shift, trend=trend)
    fired = t[["outside_limits", "trend", "two_of_three", "shift"]].to_numpy()
    assert (t["special_cause"].to_numpy() == fired.any(axis=1)).all()
    for row, flags in zip(t.itertuples(), fired):
        names = [n for n, f in zip(("outside_limits", "trend", "two_of_three", "shift"), flags) if f]
        assert row.rule == (names[0] if names else "") and row.rules == ",".join(names)
