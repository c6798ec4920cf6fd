"""Relative likelihoods (WRES style) against values computed by hand on small tables."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers.equality import (default_reference, person_outcomes, relative_likelihood,
                              relative_likelihoods, representation, selection_outcome)


def _table(counts):
    """counts: group -> (events, n) -> one row per person."""
    rows = []
    for g, (a, n) in counts.items():
        rows += [(g, 1)] * a + [(g, 0)] * (n - a)
    return pd.DataFrame(rows, columns=["ethnicity", "selected"])


def test_relative_likelihood_matches_hand_computation_to_four_significant_digits():
    # White 60 of 100 selected, Asian 30 of 80, Black 9 of 30.
    # Asian vs White: RL = (30/80)/(60/100) = 0.625;
    # se = sqrt(1/30 - 1/80 + 1/60 - 1/100) = sqrt(0.0275) = 0.165831;
    # CI = 0.625 * exp(-/+ 1.959964 se) = 0.625 * (0.72251, 1.38406) = 0.45157 to 0.86504.  Black vs White: RL = 0.5,
    # se = sqrt(1/9 - 1/30 + 1/60 - 1/100) = 0.290593; CI = 0.28289 to 0.88374
    # (R: exp(log(rr) + c(-1, 1) * qnorm(0.975) * se) gives the same).
    rl = relative_likelihood(_table({"White": (60, 100), "Asian": (30, 80), "Black": (9, 30)}),
                             "ethnicity", "selected", "White").set_index("group")
    assert list(rl.index) == ["White", "Asian", "Black"]
    se = math.sqrt(1 / 30 - 1 / 80 + 1 / 60 - 1 / 100)
    assert se == pytest.approx(0.165831, rel=1e-5)
    assert rl.loc["Asian", "relative_likelihood"] == pytest.approx(0.625, rel=1e-4)
    assert rl.loc["Asian", "ci_low"] == pytest.approx(0.45157, rel=1e-4)
    assert rl.loc["Asian", "ci_high"] == pytest.approx(0.86504, rel=1e-4)
    assert rl.loc["Black", "relative_likelihood"] == pytest.approx(0.5, rel=1e-4)
    assert rl.loc["Black", "ci_low"] == pytest.approx(0.28289, rel=1e-4)
    assert rl.loc["Black", "ci_high"] == pytest.approx(0.88374, rel=1e-4)
    assert rl.loc["White", "relative_likelihood"] == 1 and np.isnan(rl.loc["White", "ci_low"])
    assert list(rl.reset_index().columns) == ["group", "n", "events", "rate",
                                              "relative_likelihood", "ci_low", "ci_high"]
    assert rl.loc["Black", "rate"] == pytest.approx(0.3)


def test_reference_inverts_the_ratio():
    d = _table({"A": (30, 50), "B": (20, 50)})
    ab = relative_likelihood(d, "ethnicity", "selected", "B").set_index("group")
    ba = relative_likelihood(d, "ethnicity", "selected", "A").set_index("group")
    assert ab.loc["A", "relative_likelihood"] == pytest.approx(1 / ba.loc["B", "relative_likelihood"])
    assert ab.loc["A", "ci_low"] == pytest.approx(1 / ba.loc["B", "ci_high"])


def test_no_events_gives_no_interval_and_bad_outcomes_are_refused():
    rl = relative_likelihood(_table({"A": (0, 10), "B": (5, 10)}), "ethnicity", "selected", "B")
    assert rl.set_index("group").loc["A", "relative_likelihood"] == 0
    assert np.isnan(rl.set_index("group").loc["A", "ci_low"])
    with pytest.raises(ValueError, match="0/1"):
        relative_likelihood(pd.DataFrame({"g": ["a", "b"], "y": [2, 0]}), "g", "y", "a")
    with pytest.raises(ValueError, match="reference"):
        relative_likelihood(_table({"A": (1, 2)}), "ethnicity", "selected", "Z")


def test_default_reference_is_the_largest_stated_group():
    v = pd.Series(["Not stated"] * 9 + ["White"] * 5 + ["Asian"] * 4)
    assert default_reference(v) == "White"
    assert default_reference(v, "Asian") == "Asian"


def test_relative_likelihoods_covers_each_characteristic_and_outcome():
    d = _table({"White": (60, 100), "Asian": (30, 80)})
    d["sex"] = ["Female", "Male"] * 90
    out = relative_likelihoods(d, {"selected": "Selected"}, references={"ethnicity": "White"})
    assert set(out["characteristic"]) == {"ethnicity", "sex"}
    assert (out["outcome"] == "Selected").all()


def test_representation_against_workforce_baseline():
    people = pd.DataFrame({"sex": ["Female"] * 40 + ["Male"] * 60})
    rep = representation(people, "sex", {"Female": 0.5, "Male": 0.5}).set_index("group")
    assert rep.loc["Female", "share"] == pytest.approx(0.4)
    assert rep.loc["Female", "ratio"] == pytest.approx(0.8)
    # Wilson 95% interval for 40/100 (R: prop.test(40, 100, correct = FALSE)): 0.30940 to 0.49800
    assert rep.loc["Female", "ci_low"] == pytest.approx(0.30940, rel=1e-4)
    assert rep.loc["Female", "ratio_high"] == pytest.approx(0.49800 / 0.5, rel=1e-4)


def test_withdrawn_applicants_make_no_selection_and_outcomes_per_person():
    a = pd.DataFrame({"outcome": ["admitted", "not_admitted", "waitlisted", "withdrew"]})
    assert selection_outcome(a)["selected"].tolist() == [1, 0, 0]
    people = pd.DataFrame({"participant_id": ["p1", "p2", "p3"], "sex": ["F", "M", "F"]})
    durations = pd.DataFrame({"participant_id": ["p1", "p2", "p3"], "months": [10.0, 30.0, 12.0],
                              "moved": [True, False, False]})
    out = person_outcomes(people, durations=durations, change=pd.Series({"p1": 0.2, "p2": -0.1}))
    assert out["moved"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["moved"].iloc[2])
    assert out["improved"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["improved"].iloc[2])
