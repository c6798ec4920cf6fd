"""helpers.outcomes.mixed: recovery of known fixed effects from simulated cohorts, agreement with
a direct statsmodels fit, the paired-difference identity for balanced data, and fallbacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from helpers.outcomes.mixed import (FIT_METHODS, MODEL_COHORT_FIXED, MODEL_NESTED, MODEL_OLS_LARGE,
                                    MODEL_PARTICIPANT, model_frame,
                                    pool_small_professions, wave_effects)

TRUE = {"wave": 0.5, "nursing": 0.2, "wave_x_nursing": 0.15}


def simulate(n_cohorts=10, per=30, seed=0, professions=("medical", "nursing"),
             probs=(0.6, 0.4), sd_cohort=0.3, sd_person=0.5, sd_resid=0.3):
    """Two waves; score = 3 + wave + profession + interaction + cohort + person + noise."""
    rng = np.random.default_rng(seed)
    rows, parts = [], []
    for c in range(n_cohorts):
        u = rng.normal(0, sd_cohort)
        for i in range(per):
            prof = rng.choice(professions, p=probs)
            v = rng.normal(0, sd_person)
            pid = f"c{c}p{i}"
            parts.append((pid, f"c{c}", prof))
            nurse = prof == "nursing"
            for w, post in (("baseline", 0), ("post", 1)):
                y = (3 + TRUE["wave"] * post + TRUE["nursing"] * nurse
                     + TRUE["wave_x_nursing"] * post * nurse + u + v + rng.normal(0, sd_resid))
                rows.append((pid, "hlm", "care", w, "self", y))
    scores = pd.DataFrame(rows, columns=["participant_id", "instrument_id", "scale", "wave",
                                         "rater", "score"])
    participants = pd.DataFrame(parts, columns=["participant_id", "cohort_id", "profession"])
    return scores, participants


def test_recovers_known_fixed_effects():
    scores, parts = simulate(n_cohorts=12, per=30, seed=1)
    out = wave_effects(scores, parts, "care").set_index("profession")
    assert out.loc["all", "model"] == MODEL_NESTED
    share_nurse = (parts["profession"] == "nursing").mean()
    truth_all = TRUE["wave"] + TRUE["wave_x_nursing"] * share_nurse
    assert out.loc["all", "estimate"] == pytest.approx(truth_all, abs=0.06)
    assert out.loc["all", "ci_low"] < truth_all < out.loc["all", "ci_high"]
    assert out.loc["medical", "estimate"] == pytest.approx(TRUE["wave"], abs=0.06)
    assert out.loc["nursing", "estimate"] == pytest.approx(
        TRUE["wave"] + TRUE["wave_x_nursing"], abs=0.08)
    assert out.loc["all", "n"] == len(parts)


def test_agrees_with_a_direct_statsmodels_fit():
    scores, parts = simulate(seed=2)
    out = wave_effects(scores, parts, "care").set_index("profession")
    df = model_frame(scores, parts, "care")
    ref = df["profession"].value_counts().index[0]
    direct = smf.mixedlm(
        f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))", df,
        groups="cohort_id", re_formula="1",
        vc_formula={"participant": "0 + C(participant_id)"}).fit(reml=True, method=FIT_METHODS)
    wave_term = "C(wave, Treatment('baseline'))[T.post]"
    assert out.loc[ref, "estimate"] == pytest.approx(direct.fe_params[wave_term], abs=1e-6)
    lo, hi = direct.conf_int().loc[wave_term]
    assert (out.loc[ref, "ci_low"], out.loc[ref, "ci_high"]) == pytest.approx((lo, hi), abs=1e-5)
    assert out.loc[ref, "p_value"] == pytest.approx(direct.pvalues[wave_term], rel=1e-4)


def test_large_data_uses_cohort_fixed_effects_and_agrees_with_nested():
    scores, parts = simulate(seed=7, n_cohorts=6, per=20)
    nested = wave_effects(scores, parts, "care").set_index("profession")
    fixed = wave_effects(scores, parts, "care", max_nested=10).set_index("profession")
    assert fixed.loc["all", "model"] == MODEL_COHORT_FIXED
    assert fixed.loc["all", "estimate"] == pytest.approx(nested.loc["all", "estimate"], abs=0.01)
    df = model_frame(scores, parts, "care")
    ref = df["profession"].value_counts().index[0]
    direct = smf.mixedlm(
        f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))"
        " + C(cohort_id)", df, groups="participant_id").fit(reml=True, method=FIT_METHODS)
    assert fixed.loc[ref, "estimate"] == pytest.approx(
        direct.fe_params["C(wave, Treatment('baseline'))[T.post]"], abs=1e-6)


def test_balanced_complete_data_wave_effect_equals_mean_paired_difference():
    # With every person at both waves and no profession term, the GLS wave estimate of a random
    # intercept model is exactly the mean within-person change.
    scores, parts = simulate(seed=3, professions=("medical",), probs=(1.0,))
    out = wave_effects(scores, parts, "care")
    assert len(out) == 1 and out.iloc[0]["profession"] == "all"
    wide = scores.pivot(index="participant_id", columns="wave", values="score")
    assert out.iloc[0]["estimate"] == pytest.approx((wide["post"] - wide["baseline"]).mean(),
                                                    abs=1e-6)


def test_single_cohort_falls_back_to_participant_intercept():
    scores, parts = simulate(n_cohorts=1, per=60, seed=4)
    out = wave_effects(scores, parts, "care").set_index("profession")
    assert out.loc["all", "model"] == MODEL_PARTICIPANT
    df = model_frame(scores, parts, "care")
    ref = df["profession"].value_counts().index[0]
    direct = smf.mixedlm(
        f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))", df,
        groups="participant_id").fit(reml=True, method=FIT_METHODS)
    assert out.loc[ref, "estimate"] == pytest.approx(
        direct.fe_params["C(wave, Treatment('baseline'))[T.post]"], abs=1e-6)


def test_small_profession_pooled_and_small_rows_withheld():
    scores, parts = simulate(n_cohorts=4, per=20, seed=5)
    parts.loc[parts.index[0], "profession"] = "AHP"     # a lone AHP cannot carry a term
    df = model_frame(scores, parts, "care")
    pooled = pool_small_professions(df, ["baseline", "post"])
    assert "AHP" not in set(pooled["profession"])
    out = wave_effects(scores, parts, "care", threshold=5)
    assert "AHP" not in set(out["profession"])
    assert out["estimate"].notna().all()
    tiny = wave_effects(scores, parts, "care", threshold=1000).set_index("profession")
    assert tiny.drop(index="all")["estimate"].isna().all()
    assert np.isfinite(tiny.loc["all", "estimate"])


def test_not_estimable_with_one_wave():
    scores, parts = simulate(n_cohorts=3, per=5, seed=6)
    out = wave_effects(scores[scores["wave"] == "baseline"], parts, "care")
    assert out["estimate"].isna().all() and "not estimable" in out.iloc[0]["model"]


def test_directly_built_nested_model_is_the_formula_model():
    """_nested_model builds the variance-component matrices itself (for speed); they, and the
    REML fit, must be exactly those of statsmodels' vc_formula route, on unbalanced data with
    rows out of order and some people missing a wave."""
    from helpers.outcomes.mixed import _formula, _nested_model

    scores, parts = simulate(n_cohorts=4, per=9, seed=5)
    scores = scores.sample(frac=1, random_state=3).iloc[5:]  # shuffled, a few answers missing
    df = model_frame(scores, parts, "care")
    formula, _ = _formula(df, "baseline")
    fast = _nested_model(df, formula)
    slow = smf.mixedlm(formula, df, groups="cohort_id", re_formula="1",
                       vc_formula={"participant": "0 + C(participant_id)"})
    assert fast.group_labels == slow.group_labels
    assert np.array_equal(fast.exog, slow.exog) and np.array_equal(fast.endog, slow.endog)
    for a, b in zip(fast.exog_vc.mats[0], slow.exog_vc.mats[0], strict=True):
        assert np.array_equal(a, b)
    assert fast.exog_vc.colnames == slow.exog_vc.colnames
    r_fast = fast.fit(reml=True, method=FIT_METHODS)
    r_slow = slow.fit(reml=True, method=FIT_METHODS)
    assert list(r_fast.fe_params.index) == list(r_slow.fe_params.index)
    assert np.array_equal(r_fast.params.to_numpy(), r_slow.params.to_numpy())
    assert np.array_equal(r_fast.bse_fe.to_numpy(), r_slow.bse_fe.to_numpy())


def test_national_scale_uses_clustered_regression_of_the_same_fixed_effects():
    # Above max_mixed people: OLS with cohort fixed effects and participant-clustered errors
    # (Liang & Zeger 1986), checked against statsmodels directly and against the truth.
    scores, parts = simulate(seed=9, n_cohorts=8, per=40)
    out = wave_effects(scores, parts, "care", max_mixed=100).set_index("profession")
    assert out.loc["all", "model"] == MODEL_OLS_LARGE
    df = model_frame(scores, parts, "care")
    ref = df["profession"].value_counts().index[0]
    direct = smf.ols(f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))"
                     " + C(cohort_id)", df).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df["participant_id"])[0]})
    term = "C(wave, Treatment('baseline'))[T.post]"
    assert out.loc[ref, "estimate"] == pytest.approx(direct.params[term], abs=1e-9)
    lo, hi = direct.conf_int().loc[term]
    assert (out.loc[ref, "ci_low"], out.loc[ref, "ci_high"]) == pytest.approx((lo, hi), abs=1e-6)
    mixed = wave_effects(scores, parts, "care").set_index("profession")
    assert out.loc["all", "estimate"] == pytest.approx(mixed.loc["all", "estimate"], abs=0.02)
