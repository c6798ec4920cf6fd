"""helpers.outcomes.mixed: recovery of known fixed effects from simulated cohorts, agreement with
a direct statsmodels fit (and never a lower REML likelihood), the paired-difference identity for
balanced data, and the stated fallbacks. Agreement with lme4/lmerTest/clubSandwich is in
test_mixed_reference.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from scipy import stats

from helpers.outcomes.cr2 import fit_ols_cr2
from helpers.outcomes.mixed import (METHOD_CLUSTERED, METHOD_CR2, METHOD_LMM, MODEL_CR2,
                                    MODEL_NESTED, MODEL_OLS_LARGE, MODEL_PARTICIPANT,
                                    fit_wave_model, model_frame, pool_small_professions,
                                    wave_effects)

FIT_METHODS = ["lbfgs", "powell"]

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


def test_agrees_with_a_direct_statsmodels_fit_and_is_never_below_its_likelihood():
    # Where statsmodels' MixedLM reaches an interior optimum the two fits coincide; the
    # intervals differ by design (t on Satterthwaite df here, Wald z there).
    scores, parts = simulate(seed=2)
    out = wave_effects(scores, parts, "care").set_index("profession")
    df = model_frame(scores, parts, "care")
    ref = df["profession"].value_counts().index[0]
    direct = smf.mixedlm(
        f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))", df,
        groups="cohort_id", re_formula="1",
        vc_formula={"participant": "0 + C(participant_id)"}).fit(reml=True, method=FIT_METHODS)
    wave_term = "C(wave, Treatment('baseline'))[T.post]"
    assert out.loc[ref, "estimate"] == pytest.approx(direct.fe_params[wave_term], abs=1e-5)
    assert out.loc[ref, "se"] == pytest.approx(direct.bse_fe[wave_term], rel=1e-3)
    fit, *_ = fit_wave_model(df)
    assert fit.reml_loglik >= direct.llf - 1e-9
    assert fit.variances["cohort"] == pytest.approx(direct.cov_re.iloc[0, 0], rel=1e-3)
    assert set(out["method"]) == {METHOD_LMM}
    t = stats.t.ppf(0.975, out.loc[ref, "df"])
    assert out.loc[ref, "ci_high"] == pytest.approx(out.loc[ref, "estimate"]
                                                    + t * out.loc[ref, "se"], rel=1e-12)


def test_many_people_keep_the_nested_model():
    # The closed-form fit costs time in proportion to people, so there is no size below the
    # national threshold at which cohorts stop being a random effect.
    scores, parts = simulate(seed=7, n_cohorts=15, per=40)
    out = wave_effects(scores, parts, "care").set_index("profession")
    assert out.loc["all", "model"] == MODEL_NESTED and out.loc["all", "n"] == 600
    assert out.loc["medical", "estimate"] == pytest.approx(TRUE["wave"], abs=0.05)


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
        direct.fe_params["C(wave, Treatment('baseline'))[T.post]"], abs=1e-5)


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


def test_a_model_that_cannot_be_fitted_is_replaced_by_cr2_and_says_so():
    # Nobody answered twice: lme4 refuses the model (a person variance cannot be told apart
    # from the residual), so the same fixed effects are fitted by OLS with CR2 errors.
    scores, parts = simulate(n_cohorts=4, per=20, seed=8)
    first = scores.drop_duplicates("participant_id")
    second = scores[~scores.index.isin(first.index)]
    once = pd.concat([first.iloc[::2], second.iloc[1::2]])
    out = wave_effects(once, parts, "care").set_index("profession")
    assert out.loc["all", "model"].startswith("fitted instead: linear regression with CR2")
    assert "because the mixed model could not be fitted (nobody answered more than once" in \
        out.loc["all", "model"]
    assert set(out["method"]) == {METHOD_CR2}
    df = pool_small_professions(model_frame(once, parts, "care"), ["baseline", "post"])
    ref = df["profession"].value_counts().index[0]
    direct = smf.ols(f"score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('{ref}'))",
                     df)
    X = pd.DataFrame(direct.exog, columns=direct.exog_names)
    cr2 = fit_ols_cr2(X, direct.endog, df["participant_id"])
    L = (X.columns == "C(wave, Treatment('baseline'))[T.post]").astype(float)
    c = cr2.contrast(L)
    assert (out.loc[ref, "estimate"], out.loc[ref, "se"], out.loc[ref, "df"]) == pytest.approx(
        (c.estimate, c.se, c.df), rel=1e-12)
    assert MODEL_CR2.split("{")[0] in out.loc["all", "model"]


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
    # t on participants - 1 df, not a normal reference
    g = df["participant_id"].nunique()
    assert out.loc[ref, "df"] == g - 1
    t = stats.t.ppf(0.975, g - 1)
    lo, hi = direct.params[term] - t * direct.bse[term], direct.params[term] + t * direct.bse[term]
    assert (out.loc[ref, "ci_low"], out.loc[ref, "ci_high"]) == pytest.approx((lo, hi), abs=1e-6)
    p = 2 * stats.t.sf(abs(direct.params[term] / direct.bse[term]), g - 1)
    assert out.loc[ref, "p_value"] == pytest.approx(p, rel=1e-6)
    assert set(out["method"]) == {METHOD_CLUSTERED}
    mixed = wave_effects(scores, parts, "care").set_index("profession")
    assert out.loc["all", "estimate"] == pytest.approx(mixed.loc["all", "estimate"], abs=0.02)
