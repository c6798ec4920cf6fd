"""Funnel plot limits against R (tests/oracles/funnel_limits.R) and hand-worked values."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.benchmark import POOLED_LABEL, funnel_limits, funnel_limits_mean, funnel_table

ORACLE = json.loads((Path(__file__).parent / "oracles" / "funnel_limits.json").read_text())
COLS = ("lower_95", "upper_95", "lower_998", "upper_998")


@pytest.mark.parametrize("case", ORACLE, ids=lambda c: f"n{c['n']}-p{c['target']}")
def test_funnel_limits_match_r_to_four_significant_digits(case):
    lim = funnel_limits([case["n"]], case["target"]).iloc[0]
    for col in COLS:
        assert lim[col] == pytest.approx(case[col], rel=5e-5, abs=1e-12), col


def test_hand_worked_upper_limit_for_ten_at_one_in_five():
    # Binomial(10, 0.2): P(R<=4) = 0.96721, P(R<=5) = 0.99363; r = 5,
    # alpha = (0.99363 - 0.975) / (0.99363 - 0.96721) = 0.7051, limit = (5 - 0.7051) / 10
    assert funnel_limits([10], 0.2).loc[0, "upper_95"] == pytest.approx(0.4295, abs=5e-5)


def test_limits_narrow_as_organisations_grow():
    lim = funnel_limits([10, 100, 1000], 0.3)
    assert (np.diff(lim["upper_998"]) < 0).all() and (np.diff(lim["lower_998"]) > 0).all()
    assert (lim["upper_998"] >= lim["upper_95"]).all()


def test_bad_denominator_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        funnel_limits([0, 5], 0.2)


def test_mean_limits_are_target_plus_minus_z_sd_over_root_n():
    lim = funnel_limits_mean([25], 0.5, 1.0).iloc[0]
    assert lim["upper_95"] == pytest.approx(0.5 + 1.959964 / 5, rel=1e-6)
    assert lim["lower_998"] == pytest.approx(0.5 - 3.090232 / 5, rel=1e-6)


def test_small_organisations_are_pooled_and_an_outlier_is_flagged():
    rows = ([("Big", 1)] * 60 + [("Big", 0)] * 40 + [("Low", 1)] * 5 + [("Low", 0)] * 45
            + [("Tiny A", 1)] * 2 + [("Tiny B", 0)] * 3)
    df = pd.DataFrame(rows, columns=["org", "y"])
    t = funnel_table(df, "org", "y", min_n=5).set_index("group")
    assert POOLED_LABEL in t.index and "Tiny A" not in t.index
    assert t.loc[POOLED_LABEL, "n"] == 5
    assert t.loc["Low", "signal"] == "below 99.8%"
    assert t.loc["Big", "target"] == pytest.approx(67 / 155)
