"""Difference-in-differences on a constructed example with a known answer; competing risks."""

import numpy as np
import pandas as pd
import pytest

from helpers.comparison import GROUPS, competing_risks, difference_in_differences


def test_did_recovers_the_constructed_effect():
    # Participants 3.0 -> 3.5, comparison 3.1 -> 3.2; person noise cancels within each cell,
    # so the DiD is exactly 0.5 - 0.1 = 0.4.
    rows = []
    for i, e in enumerate([-0.2, 0.2, -0.1, 0.1]):
        rows += [(f"t{i}", 1, 0, 3.0 + e), (f"t{i}", 1, 1, 3.5 + e + (0.05 if i % 2 else -0.05))]
        rows += [(f"c{i}", 0, 0, 3.1 + e), (f"c{i}", 0, 1, 3.2 + e + (0.05 if i % 2 else -0.05))]
    rows.append(("lonely", 1, 0, 9.0))       # one period only: left out
    d = pd.DataFrame(rows, columns=["id", "t", "post", "y"])
    res = difference_in_differences(d, "y", "t", "post", "id").iloc[0]
    assert res["estimate"] == pytest.approx(0.4, abs=1e-12)
    assert res["change_treated"] == pytest.approx(0.5) and res["change_control"] == pytest.approx(0.1)
    assert res["n"] == 8 and res["ci_low"] < 0.4 < res["ci_high"]


def test_competing_risks_gives_incidence_per_group_and_a_hazard_ratio():
    rng = np.random.default_rng(1)
    n = 60
    d = pd.DataFrame({"group": [GROUPS[0]] * n + [GROUPS[1]] * n,
                      "months": np.r_[rng.exponential(20, n), rng.exponential(40, n)],
                      "event": np.r_[rng.choice([0, 1, 2], n, p=[.3, .6, .1]),
                                     rng.choice([0, 1, 2], n, p=[.3, .6, .1])]})
    inc, hz = competing_risks(d, horizons=(24,))
    assert set(inc["group"]) == set(GROUPS)
    assert (inc["ci_low"] <= inc["estimate"]).all() and (inc["estimate"] <= inc["ci_high"]).all()
    assert hz.loc[0, "estimate"] > 1 and hz.loc[0, "n"] == 2 * n
