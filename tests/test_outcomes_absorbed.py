"""helpers.outcomes.absorbed: absorbing cohort fixed effects by within-group demeaning gives the
dummy-variable regression's coefficients and cluster-robust covariance (Frisch-Waugh-Lovell),
checked against statsmodels' own fit of the dummy regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from helpers.outcomes.absorbed import demean_within, fit_absorbed_ols


def panel(seed=3, n_cohorts=12, per=25, waves=("baseline", "mid", "post")):
    """Unbalanced long data: some people miss a wave; cohorts of different sizes and levels."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cohorts):
        level = rng.normal(0, 0.5)
        for i in range(per + c):
            prof = rng.choice(["medical", "nursing", "ahp"], p=[0.5, 0.3, 0.2])
            person = rng.normal(0, 0.4)
            for t, w in enumerate(waves):
                if t and rng.random() < 0.2:
                    continue
                y = 3 + 0.3 * t + 0.1 * t * (prof == "nursing") + level + person + rng.normal(0, 0.3)
                rows.append((f"c{c}p{i}", f"c{c}", prof, w, y))
    return pd.DataFrame(rows, columns=["participant_id", "cohort_id", "profession", "wave", "score"])


FORMULA = "score ~ C(wave, Treatment('baseline')) * C(profession, Treatment('medical'))"


def test_demean_within_matches_pandas_groupby_transform():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 7, size=200)
    values = rng.normal(size=(200, 3))
    expected = values - pd.DataFrame(values).groupby(groups).transform("mean").to_numpy()
    assert np.allclose(demean_within(values, groups), expected, atol=1e-12)
    assert np.allclose(demean_within(values[:, 0], groups), expected[:, 0], atol=1e-12)
    # every group's deviations sum to zero
    sums = pd.DataFrame(demean_within(values, groups)).groupby(groups).sum().to_numpy()
    assert np.abs(sums).max() < 1e-12


def test_equals_the_dummy_variable_regression_with_clustered_errors():
    df = panel()
    fit = fit_absorbed_ols(df, FORMULA, absorb="cohort_id", cluster="participant_id")
    direct = smf.ols(FORMULA + " + C(cohort_id)", df).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df["participant_id"])[0]})
    names = list(fit.params.index)
    assert "Intercept" not in names and not any("cohort_id" in n for n in names)
    assert len(names) == 8  # 2 wave terms, 2 professions, 4 interactions
    assert np.allclose(fit.params.to_numpy(), direct.params[names].to_numpy(), atol=1e-10, rtol=0)
    assert np.allclose(fit.cov_params().to_numpy(),
                       direct.cov_params().loc[names, names].to_numpy(), atol=1e-12, rtol=1e-8)
    assert np.allclose(fit.bse.to_numpy(), direct.bse[names].to_numpy(), rtol=1e-8)
    assert fit.nobs == len(df) and fit.n_clusters == df["participant_id"].nunique()
    assert fit.n_absorbed == 12


def test_one_group_is_an_ordinary_intercept():
    df = panel(n_cohorts=1, per=60)
    fit = fit_absorbed_ols(df, FORMULA, absorb="cohort_id", cluster="participant_id")
    direct = smf.ols(FORMULA, df).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df["participant_id"])[0]})
    names = list(fit.params.index)
    assert fit.params.to_numpy() == pytest.approx(direct.params[names].to_numpy(), abs=1e-10)
    assert np.allclose(fit.cov_params().to_numpy(),
                       direct.cov_params().loc[names, names].to_numpy(), rtol=1e-8, atol=1e-14)


def test_cohort_levels_do_not_move_the_estimates():
    # Adding any constant per cohort is absorbed completely.
    df = panel(seed=5)
    shifted = df.assign(score=df["score"] + df["cohort_id"].str[1:].astype(int) * 10.0)
    a = fit_absorbed_ols(df, FORMULA, absorb="cohort_id", cluster="participant_id")
    b = fit_absorbed_ols(shifted, FORMULA, absorb="cohort_id", cluster="participant_id")
    assert np.allclose(a.params.to_numpy(), b.params.to_numpy(), atol=1e-9)
