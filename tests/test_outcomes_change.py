"""helpers.outcomes change and effect sizes: Lakens (2013) worked example, scipy's paired tests,
statsmodels' Holm, and the edge cases (identical answers, all missing, one pair)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from helpers.outcomes.change import (holm, paired_test, scale_change, subgroup_change,
                                     wave_pairs)
from helpers.outcomes.effect_sizes import (hedges_correction, noncentral_t_ci,
                                           paired_effect_sizes)

# Lakens D (2013) Front Psychol 4:863, Table 1: ten people rate two movies (1-10).
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_lakens_worked_example_effect_sizes():
    # Published: M 8.7 (SD 0.82) vs 7.7 (SD 0.95); t(9) = 4.74; d_z = 1.50; d_av = 1.13;
    # g_av = 1.08 with N = 2n = 20 in Hedges' correction. The correction belongs to the
    # standardiser's df, n - 1 = 9 for ten pairs: g_av = 1.13 * (1 - 3/35) = 1.03.
    es = paired_effect_sizes(MOVIE_2, MOVIE_1)
    assert es["n"] == 10 and es["mean_diff"] == pytest.approx(1.0)
    assert es["sd_after"] == pytest.approx(0.82, abs=0.005)
    assert es["sd_before"] == pytest.approx(0.95, abs=0.005)
    assert es["t"] == pytest.approx(4.74, abs=0.005)
    assert es["d_z"] == pytest.approx(1.50, abs=0.005)
    assert es["d_av"] == pytest.approx(1.13, abs=0.005)
    assert es["g_av"] == pytest.approx(1.032, abs=0.0005)
    assert es["d_av"] * (1 - 3 / (4 * 20 - 9)) == pytest.approx(1.08, abs=0.005)  # Lakens' N = 2n


def test_d_z_is_t_over_root_n_from_scipy():
    rng = np.random.default_rng(1)
    x = rng.normal(3, 1, 30)
    y = x + rng.normal(0.3, 0.8, 30)
    es = paired_effect_sizes(x, y)
    assert es["d_z"] == pytest.approx(stats.ttest_rel(y, x).statistic / np.sqrt(30))


def test_noncentral_interval_satisfies_its_definition():
    lo, hi = noncentral_t_ci(4.743416, 9, 0.95)
    assert stats.nct.cdf(4.743416, 9, lo) == pytest.approx(0.975, abs=1e-8)
    assert stats.nct.cdf(4.743416, 9, hi) == pytest.approx(0.025, abs=1e-8)
    # a zero t gives an interval symmetric about zero
    lo0, hi0 = noncentral_t_ci(0.0, 20)
    assert lo0 == pytest.approx(-hi0, abs=1e-8)
    assert np.isnan(noncentral_t_ci(np.nan, 9)[0]) and np.isnan(noncentral_t_ci(1.0, 0)[0])
    # a negative t (a fall) mirrors the positive one, even where scipy's nct.cdf gives NaN
    lo4, hi4 = noncentral_t_ci(4.2, 3)
    assert noncentral_t_ci(-4.2, 3) == pytest.approx((-hi4, -lo4))
    assert stats.nct.cdf(-4.2, 3, -hi4) == pytest.approx(0.975, abs=1e-8)


def test_noncentral_interval_covers_the_true_d_z_about_95_percent():
    rng = np.random.default_rng(11)
    n, delta, reps = 15, 0.5, 300
    hits = 0
    for _ in range(reps):
        d = rng.normal(delta, 1.0, n)
        es = paired_effect_sizes(np.zeros(n), d)
        hits += es["d_z_low"] <= delta <= es["d_z_high"]
    assert 0.91 <= hits / reps <= 0.985


def test_d_av_interval_is_rescaled_d_z_interval():
    es = paired_effect_sizes(MOVIE_2, MOVIE_1)
    scale = es["sd_diff"] / ((es["sd_before"] + es["sd_after"]) / 2)
    assert es["d_av_low"] == pytest.approx(es["d_z_low"] * scale)
    assert es["d_av_low"] < es["d_av"] < es["d_av_high"]


def test_hedges_correction_is_1_minus_3_over_4df_minus_1():
    # Two groups of 10 (df 18) give Lakens' equation 4, 1 - 3 / (4 * 20 - 9).
    assert hedges_correction(18) == pytest.approx(1 - 3 / 71)
    assert hedges_correction(9) == pytest.approx(1 - 3 / 35)
    # Hedges' (1981) exact factor, which the approximation approaches as df grows.
    from scipy.special import gammaln
    for df in (9, 30, 200):
        exact = np.exp(gammaln(df / 2) - 0.5 * np.log(df / 2) - gammaln((df - 1) / 2))
        assert abs(hedges_correction(df) - exact) < 5e-4
    assert np.isnan(hedges_correction(0))


def test_paired_test_matches_scipy():
    rng = np.random.default_rng(5)
    x = rng.normal(3.2, 0.6, 40)
    y = x + rng.normal(0.25, 0.5, 40)
    x[3] = np.nan   # an incomplete pair is dropped
    res = paired_test(x, y)
    keep = ~np.isnan(x)
    tt = stats.ttest_rel(y[keep], x[keep])
    ci = tt.confidence_interval(0.95)
    assert res["n"] == 39
    assert res["estimate"] == pytest.approx(np.mean(y[keep] - x[keep]))
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert res["p_value"] == pytest.approx(tt.pvalue)
    assert res["wilcoxon_p"] == pytest.approx(stats.wilcoxon(y[keep], x[keep]).pvalue)


def test_wilcoxon_with_ties_uses_the_normal_approximation_with_tie_correction():
    x = np.array([3, 3, 4, 2, 3, 4, 3, 2, 3, 4, 3, 3], dtype=float)
    y = np.array([4, 3, 4, 3, 4, 5, 3, 3, 4, 4, 4, 5], dtype=float)
    res = paired_test(x, y)
    ref = stats.wilcoxon(y, x, zero_method="wilcox", method="asymptotic")
    assert res["wilcoxon_p"] == pytest.approx(ref.pvalue)


def test_paired_test_edge_cases():
    same = paired_test([3, 3, 3, 3], [4, 4, 4, 4])   # everyone rose by exactly 1
    assert same["estimate"] == 1 and same["ci_low"] == same["ci_high"] == 1
    assert np.isnan(same["p_value"]) and np.isnan(same["d_z"]) and np.isnan(same["wilcoxon_p"])
    flat = paired_test([3, 3, 3], [3, 3, 3])           # everyone identical
    assert flat["estimate"] == 0 and np.isnan(flat["wilcoxon_p"]) and np.isnan(flat["d_av"])
    none = paired_test([np.nan, np.nan], [1, 2])       # all missing
    assert none["n"] == 0 and np.isnan(none["estimate"]) and np.isnan(none["mean_from"])
    one = paired_test([2], [3])
    assert one["n"] == 1 and one["estimate"] == 1 and np.isnan(one["ci_low"])


def test_holm_matches_statsmodels_and_hand_computation():
    p = [0.01, 0.04, 0.03, np.nan, 0.005]
    got = holm(p)
    assert np.isnan(got[3])
    ok = [0, 1, 2, 4]
    assert got[ok] == pytest.approx(multipletests(np.array(p)[ok], method="holm")[1])
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, running max
    assert got[4] == pytest.approx(0.02) and got[0] == pytest.approx(0.03)
    assert got[2] == pytest.approx(0.06) and got[1] == pytest.approx(0.06)


def _scores(rng, n=30, scales=("care", "vision"), shift=0.3):
    rows = []
    for i in range(n):
        for k, s in enumerate(scales):
            b = rng.normal(3, 0.5)
            rows.append((f"p{i}", "hlm", s, "baseline", "self", b))
            if i % 10 != 0:   # every tenth person has no post answer
                rows.append((f"p{i}", "hlm", s, "post", "self", b + shift * k + rng.normal(0, .3)))
    return pd.DataFrame(rows, columns=["participant_id", "instrument_id", "scale", "wave",
                                       "rater", "score"])


def test_scale_change_uses_complete_pairs_and_holm_across_scales():
    rng = np.random.default_rng(2)
    sc = _scores(rng)
    out = scale_change(sc).set_index("scale")
    assert list(out.columns[:7]) == ["from_wave", "to_wave", "estimate", "ci_low", "ci_high",
                                     "p_value", "n"]
    assert (out["n"] == 27).all()
    wide = sc.pivot_table(index=["participant_id", "scale"], columns="wave",
                          values="score").dropna().reset_index()
    v = wide[wide["scale"] == "vision"]
    assert out.loc["vision", "p_value"] == pytest.approx(
        stats.ttest_rel(v["post"], v["baseline"]).pvalue)
    assert out["p_holm"].to_numpy() == pytest.approx(
        multipletests(out["p_value"], method="holm")[1])


def test_subgroup_change_withholds_small_groups():
    rng = np.random.default_rng(4)
    sc = _scores(rng, n=30)
    parts = pd.DataFrame({"participant_id": [f"p{i}" for i in range(30)],
                          "profession": ["medical"] * 27 + ["nursing"] * 3})
    out = subgroup_change(sc, parts, "profession", threshold=5)
    nursing = out[out["profession"] == "nursing"]
    assert nursing["suppressed"].all() and nursing["estimate"].isna().all()
    medical = out[out["profession"] == "medical"]
    assert not medical["suppressed"].any() and medical["estimate"].notna().all()


def test_wave_pairs():
    assert wave_pairs(["post", "baseline"]) == [("baseline", "post")]
    assert wave_pairs(["baseline", "post", "follow_up"])[2] == ("post", "follow_up")
    assert wave_pairs(["baseline"]) == []


def test_subgroup_holm_is_one_family_over_every_group_shown_and_scale():
    rng = np.random.default_rng(6)
    sc = _scores(rng, n=40, scales=("care", "vision", "team"))
    parts = pd.DataFrame({"participant_id": [f"p{i}" for i in range(40)],
                          "profession": ["medical"] * 20 + ["nursing"] * 17 + ["ahp"] * 3})
    out = subgroup_change(sc, parts, "profession", threshold=5)
    shown = out[~out["suppressed"]]
    assert len(shown) == 6 and out.loc[out["suppressed"], "p_holm"].isna().all()
    assert shown["p_holm"].to_numpy() == pytest.approx(
        multipletests(shown["p_value"], method="holm")[1])
    # not the per-group family of three scales it used to be
    med = shown[shown["profession"] == "medical"]
    assert not np.allclose(med["p_holm"], multipletests(med["p_value"], method="holm")[1])


def _three_wave_outcomes(threshold=5, n=30, n_follow_up=12):
    """An Outcomes of one instrument, two scales, three waves (``n_follow_up`` people answered
    at follow-up) and managers' ratings at baseline."""
    from types import SimpleNamespace

    from helpers.outcomes.report import Outcomes

    rng = np.random.default_rng(9)
    rows = []
    for i in range(n):
        for k, s in enumerate(("care", "vision")):
            b = rng.normal(3, 0.5)
            rows += [(f"p{i}", "hlm", s, "baseline", "self", b),
                     (f"p{i}", "hlm", s, "post", "self", b + 0.2 * k + rng.normal(0, .3))]
            if i < n_follow_up:
                rows.append((f"p{i}", "hlm", s, "follow_up", "self", b + rng.normal(0.1, .3)))
            rows.append((f"p{i}", "hlm", s, "baseline", "manager", b + rng.normal(-0.1, .4)))
    scores = pd.DataFrame(rows, columns=["participant_id", "instrument_id", "scale", "wave",
                                         "rater", "score"])
    people = pd.DataFrame({"participant_id": [f"p{i}" for i in range(n)],
                           "profession": ["medical", "nursing"] * (n // 2),
                           "organisation": "trust"})
    rep = SimpleNamespace(threshold=threshold, data=SimpleNamespace(participants=people))
    return Outcomes(rep, [{"instrument_id": "hlm", "name": "HLM"}], scores, {},
                    ["baseline", "post", "follow_up"])


def test_outcomes_report_holm_family_is_every_scale_at_every_wave_pair():
    from helpers.outcomes.report import change_frame, gap_frame, multiplicity_sentences

    o = _three_wave_outcomes()
    cf = change_frame(o)
    assert len(cf) == 6 and (cf["n"] >= 12).all()   # 3 wave pairs x 2 scales
    assert cf["p_holm"].to_numpy() == pytest.approx(
        multipletests(cf["p_value"], method="holm")[1])
    # wider than the family of one wave pair that scale_change adjusts over
    first = cf[(cf["from_wave"] == "baseline") & (cf["to_wave"] == "post")]
    assert (first["p_holm"].to_numpy() > scale_change(o.scores)["p_holm"].to_numpy()).all()
    gaps = gap_frame(o)
    assert len(gaps) == 2 and gaps["p_holm"].to_numpy() == pytest.approx(
        multipletests(gaps["p_value"], method="holm")[1])
    text = " ".join(multiplicity_sentences(o))
    assert "Change between surveys (the main tests): one Holm family of 6 tests" in text
    assert "the start of the programme to follow-up" in text
    assert "360 feedback: one Holm family of 2 tests" in text
    assert "Change by profession: one Holm family of 4 tests" in text
    # one organisation: its table compares nothing, is not shown, and its family is not listed
    assert "Change by organisation" not in text
    assert "fewer than 5 people are not reported" in text and "Wilcoxon" in text


def test_tests_withheld_for_disclosure_are_not_in_the_family():
    from helpers.outcomes.report import change_frame

    cf = change_frame(_three_wave_outcomes(threshold=13))
    reported = cf["n"] >= 13
    assert reported.sum() == 2 and cf.loc[~reported, "p_holm"].isna().all()
    assert cf.loc[reported, "p_holm"].to_numpy() == pytest.approx(
        multipletests(cf.loc[reported, "p_value"], method="holm")[1])


def test_wilcoxon_ties_differences_equal_in_exact_arithmetic():
    # Scores in sixths of a point (means of six items). 8/6 - 7/6 and 9/6 - 8/6 differ in
    # floating point; ranked as R's wilcox.test(digits.rank = 7) ranks them they tie, so the
    # p-value is the one of the same data in whole sixths, where ties are exact.
    rng = np.random.default_rng(8)
    before = rng.integers(6, 31, 60)
    after = before + rng.integers(-2, 5, 60)
    res = paired_test(before / 6, after / 6)
    d = after - before
    # in floating point the data has more distinct differences than it has in sixths
    assert np.unique(np.abs(after / 6 - before / 6)).size > np.unique(np.abs(d)).size
    ref = stats.wilcoxon(d, zero_method="wilcox", method="asymptotic", correction=False)
    assert res["wilcoxon_p"] == pytest.approx(ref.pvalue, rel=1e-12)


def test_wilcoxon_with_a_zero_difference_is_not_exact():
    # R's wilcox.test cannot give the exact p with zeros, so neither does leadeval
    x = np.array([3.0, 3.1, 2.5, 4.0, 3.3, 2.2, 3.9])
    y = x + np.array([0.0, 0.4, -0.15, 0.7, 0.25, 1.1, 0.55])
    ref = stats.wilcoxon(y, x, zero_method="wilcox", method="asymptotic")
    assert paired_test(x, y)["wilcoxon_p"] == pytest.approx(ref.pvalue)
