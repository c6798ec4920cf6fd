"""helpers.outcomes rater gaps, then-test, attrition, Likert figures and generated sentences."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.outcomes.attrition import attrition_by, baseline_by_completion, welch_test
from helpers.outcomes.change import scale_change
from helpers.outcomes.likert import (diverging_likert_figure, diverging_shares, forest_figure,
                                     likert_distribution)
from helpers.outcomes.mixed import MODEL_CR2, MODEL_NESTED
from helpers.outcomes.rater_gap import (gap_narrowing, gap_summary, participant_gaps,
                                        then_test)
from helpers.outcomes.sentences import (alpha_sentence, attrition_sentence, change_sentence,
                                        gap_sentence, model_sentence, narrowing_sentence)

matplotlib.use("Agg")
COLS = ["participant_id", "instrument_id", "scale", "wave", "rater", "score"]


def _frame(rows):
    return pd.DataFrame(rows, columns=COLS)


def test_gap_is_self_minus_mean_of_rater_types_and_classified():
    rows = [("p1", "h", "care", "baseline", "self", 4.5),
            ("p1", "h", "care", "baseline", "manager", 3.0),
            ("p1", "h", "care", "baseline", "peer", 4.0),
            ("p2", "h", "care", "baseline", "self", 2.0),
            ("p2", "h", "care", "baseline", "peer", 3.0),
            ("p3", "h", "care", "baseline", "self", 3.2),
            ("p3", "h", "care", "baseline", "direct_report", 3.0),
            ("p4", "h", "care", "baseline", "self", 3.0)]            # no others: left out
    g = participant_gaps(_frame(rows)).set_index("participant_id")
    assert g.loc["p1", "others"] == 3.5 and g.loc["p1", "gap"] == 1.0
    assert g.loc["p1", "category"] == "blind spot"
    assert g.loc["p2", "category"] == "hidden strength"
    assert g.loc["p3", "category"] == "in agreement"
    assert "p4" not in g.index


def test_gap_summary_matches_scipy_paired_test():
    rng = np.random.default_rng(8)
    rows = []
    for i in range(25):
        o = rng.normal(3.5, 0.4)
        rows += [(f"p{i}", "h", "care", "baseline", "manager", o),
                 (f"p{i}", "h", "care", "baseline", "self", o + rng.normal(0.3, 0.4))]
    f = _frame(rows)
    out = gap_summary(f).iloc[0]
    s = f[f.rater == "self"].sort_values("participant_id")["score"].to_numpy()
    o = f[f.rater == "manager"].sort_values("participant_id")["score"].to_numpy()
    assert out["estimate"] == pytest.approx(np.mean(s - o))
    assert out["p_value"] == pytest.approx(stats.ttest_rel(s, o).pvalue)
    assert out["n_blind_spot"] + out["n_hidden_strength"] + out["n_agree"] == out["n"] == 25


def test_gap_narrowing_is_change_in_absolute_gap():
    rows = []
    for i, (g0, g1) in enumerate([(1.0, 0.5), (-0.8, -0.2), (0.6, 0.4), (0.9, 0.1)]):
        rows += [(f"p{i}", "h", "care", "baseline", "manager", 3.0),
                 (f"p{i}", "h", "care", "baseline", "self", 3.0 + g0),
                 (f"p{i}", "h", "care", "post", "manager", 3.0),
                 (f"p{i}", "h", "care", "post", "self", 3.0 + g1)]
    out = gap_narrowing(_frame(rows)).iloc[0]
    assert out["n"] == 4
    assert out["estimate"] == pytest.approx(np.mean([0.5 - 1.0, 0.2 - 0.8, 0.4 - 0.6, 0.1 - 0.9]))
    assert gap_narrowing(_frame(rows), "baseline", "follow_up").empty


def test_then_test_three_comparisons_on_the_same_people():
    rng = np.random.default_rng(9)
    rows = []
    for i in range(20):
        b = rng.normal(3.5, 0.4)
        rows += [(f"p{i}", "h", "care", "baseline", "self", b),
                 (f"p{i}", "h", "care", "retrospective_pre", "self", b - 0.4 + rng.normal(0, .2)),
                 (f"p{i}", "h", "care", "post", "self", b + 0.2 + rng.normal(0, .2))]
    rows.append(("p99", "h", "care", "baseline", "self", 1.0))   # no then-test: left out
    rows.append(("p99", "h", "care", "post", "self", 5.0))
    out = then_test(_frame(rows)).set_index("comparison")
    assert (out["n"] == 20).all()
    trad = scale_change(_frame(rows[:-2])).iloc[0]
    assert out.loc["traditional", "estimate"] == pytest.approx(trad["estimate"])
    assert out.loc["retrospective", "estimate"] == pytest.approx(
        out.loc["traditional", "estimate"] - out.loc["response shift", "estimate"])
    assert out.loc["response shift", "estimate"] < 0
    assert then_test(_frame(rows[:1])).empty


def _responses(n=20):
    rows = []
    for i in range(n):
        rows.append((f"p{i}", "h", "a1", "baseline", "self", float(1 + i % 5)))
        if i % 4:
            rows.append((f"p{i}", "h", "a1", "post", "self", float(1 + (i + 1) % 5)))
    return pd.DataFrame(rows, columns=["participant_id", "instrument_id", "item_id", "wave",
                                       "rater", "value"])


def test_attrition_counts_by_group_with_total():
    resp = _responses()
    parts = pd.DataFrame({"participant_id": [f"p{i}" for i in range(20)],
                          "profession": ["medical"] * 12 + ["nursing"] * 8})
    out = attrition_by(resp, parts, "profession").set_index("profession")
    assert out.loc["All", "n_baseline"] == 20 and out.loc["All", "n_no_later"] == 5
    assert out.loc["medical", "n_no_later"] == 3 and out.loc["nursing", "n_no_later"] == 2
    assert out.loc["All", "share_no_later"] == pytest.approx(0.25)


def test_baseline_by_completion_is_welch():
    resp = _responses(40)
    scores = resp.rename(columns={"item_id": "scale", "value": "score"})
    out = baseline_by_completion(scores, resp).iloc[0]
    comp = [float(1 + i % 5) for i in range(40) if i % 4]
    drop = [float(1 + i % 5) for i in range(40) if not i % 4]
    ref = stats.ttest_ind(comp, drop, equal_var=False)
    assert out["p_value"] == pytest.approx(ref.pvalue)
    assert out["ci_low"] == pytest.approx(ref.confidence_interval().low)
    assert (out["n_completers"], out["n_non_completers"]) == (30, 10)
    assert np.isnan(welch_test([1.0], [2.0, 3.0])["p_value"])
    assert np.isnan(welch_test([2.0, 2.0], [2.0, 2.0])["p_value"])


def test_likert_distribution_and_diverging_geometry():
    items = pd.DataFrame({"instrument_id": "h", "item_id": ["a1", "a2"], "scale": "s",
                          "text": ["First", "Second"], "min": 1.0, "max": 5.0,
                          "reverse_scored": [False, True]})
    resp = pd.DataFrame({"participant_id": [f"p{i}" for i in range(10)] * 2,
                         "instrument_id": "h", "item_id": ["a1"] * 10 + ["a2"] * 10,
                         "wave": "post", "rater": "self",
                         "value": [1, 2, 3, 4, 5, 5, 5, 4, 4, 3] + [3] * 10})
    dist = likert_distribution(resp, items, "h", wave="post")
    assert dist.loc["a1", [1, 2, 3, 4, 5]].tolist() == [1, 1, 2, 3, 3]
    assert dist.loc["a1", "n"] == 10 and dist.loc["a1", "text"] == "First"
    shares, left = diverging_shares(dist)
    assert shares.sum(axis=1).to_numpy() == pytest.approx([1, 1])
    # left edge: -(share of 1 + 2 + half of 3)
    assert left["a1"] == pytest.approx(-(0.1 + 0.1 + 0.1))
    assert left["a2"] == pytest.approx(-0.5)
    fig = diverging_likert_figure(dist, {1: "SD", 5: "SA"}, threshold=1)
    assert fig is not None and len(fig.axes[0].patches) == 10
    # answers are drawn as given; the reverse-scored item says so in its label
    assert list(dist["reverse_scored"]) == [False, True]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["First", "Second (reverse-scored)"]
    # at 5, "First" has answers given by 1 to 4 people (a thin segment of 10 is a count): left out
    fig = diverging_likert_figure(dist, {1: "SD", 5: "SA"}, threshold=5)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Second (reverse-scored)"]
    assert diverging_likert_figure(dist, threshold=11) is None


def test_forest_figure_skips_missing():
    f = pd.DataFrame({"label": ["A", "B"], "estimate": [0.3, np.nan], "ci_low": [0.1, np.nan],
                      "ci_high": [0.5, np.nan]})
    fig = forest_figure(f)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A"]
    assert forest_figure(f.iloc[1:]) is None


def _numbers(text):
    return re.findall(r"\d[\d,]*\.?\d*", text)


def test_change_sentence_numbers_come_from_the_row():
    row = {"from_wave": "baseline", "to_wave": "post", "estimate": 0.4213, "ci_low": 0.31,
           "ci_high": 0.532, "n": 171}
    s = change_sentence(row, "Confidence in engaging the team")
    assert s.startswith("Confidence in engaging the team rose by 0.42 points (95% CI 0.31 to 0.53)")
    assert "171 delegates" in s and "chance" not in s
    fall = change_sentence({**row, "estimate": -0.1, "ci_low": -0.3, "ci_high": 0.1}, "X")
    assert "fell by 0.10" in fall and "could be chance" in fall
    small = change_sentence({**row, "n": 3}, "X")
    assert "fewer than 5" in small and "3" not in _numbers(small)


def test_other_sentences():
    row = {"wave": "post", "estimate": 0.54, "ci_low": 0.48, "ci_high": 0.6, "p_value": 1e-9,
           "df": 292.48, "n": 200, "model": MODEL_NESTED}
    m = model_sentence(row, "Engaging the team")
    assert "0.54 points higher" in m and "0.48 to 0.60" in m and "p < 0.001" in m
    assert "between cohorts" in m and "on 292 degrees of freedom" in m and MODEL_NESTED in m
    fallback = MODEL_CR2.format(reason="nobody answered more than once")
    f = model_sentence({**row, "df": 14.26, "model": fallback}, "Engaging the team")
    assert "between cohorts" not in f and "on 14.3 degrees of freedom" in f
    assert "fitted instead: linear regression with CR2" in f and "because" in f
    g = gap_sentence({"wave": "baseline", "estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5,
                      "n": 30}, "Care")
    assert "0.30 points higher" in g
    n = narrowing_sentence({"from_wave": "baseline", "to_wave": "post", "estimate": -0.2,
                            "ci_low": -0.3, "ci_high": -0.1, "n": 30}, "Care")
    assert "narrowed by 0.20" in n
    a = attrition_sentence({"estimate": -0.25, "ci_low": -0.5, "ci_high": 0.0, "p_value": 0.05,
                            "n_completers": 30, "n_non_completers": 3}, "Care")
    assert "fewer than 5" in a
    r = alpha_sentence({"wave": "post", "estimate": 0.62, "ci_low": 0.4, "ci_high": 0.78,
                        "n": 50, "low": True, "note": ""}, "Care")
    assert "0.62" in r and "caution" in r
