"""helpers.its.segmented_regression on the Lopez Bernal et al. (2017) tutorial data.

Data: tests/oracles/sicily.csv (published with the tutorial; see tests/oracles/README.md).
Published figure: the seasonally adjusted quasi-Poisson model's level change, RR 0.885 (95% CI
0.839-0.933). Every model of the tutorial's R code is also cross-checked against a direct
statsmodels GLM fit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from helpers.its import (CONTROLLED_TERMS, controlled_segmented_regression, design_matrix,
                         newey_west_lags, segmented_regression)

SICILY = pd.read_csv(Path(__file__).parent / "oracles" / "sicily.csv")


def _direct(formula_cols, family, scale=None, seasonal=False, slope=False):
    d = SICILY
    X = pd.DataFrame({"const": 1.0, "smokban": d.smokban, "time": d.time})
    if slope:
        X["tt"] = (d.time - 36) * d.smokban  # R: I(time-36):smokban
    if seasonal:  # R: tsModel::harmonic(month, 2, 12)
        for k in (1, 2):
            X[f"s{k}"] = np.sin(2 * np.pi * k * d.month / 12)
            X[f"c{k}"] = np.cos(2 * np.pi * k * d.month / 12)
    fit = sm.GLM(d.aces, X, family=family, offset=np.log(d.stdpop)).fit(scale=scale)
    return fit


def test_seasonal_quasipoisson_reproduces_the_published_rate_ratio():
    r = segmented_regression(SICILY, "aces", "time", "smokban", family="quasipoisson",
                             offset="stdpop", harmonics=2, period=12, slope_change=False)
    lvl = r.loc["level_change"]
    assert round(lvl["estimate"], 3) == 0.885
    assert round(lvl["ci_low"], 3) == 0.839
    assert round(lvl["ci_high"], 3) == 0.933
    assert list(r.index) == ["pre_slope", "level_change"]
    assert r.attrs["scale"] == pytest.approx(2.2622, abs=1e-4)


@pytest.mark.parametrize("family,scale,harmonics,slope", [
    ("poisson", None, 0, False),        # tutorial model 1
    ("quasipoisson", "X2", 0, False),   # model 2
    ("quasipoisson", "X2", 2, False),   # model 3
    ("quasipoisson", "X2", 2, True),    # model 4 (slope change)
])
def test_tutorial_models_match_a_direct_statsmodels_fit(family, scale, harmonics, slope):
    r = segmented_regression(SICILY, "aces", "time", "smokban", family=family, offset="stdpop",
                             harmonics=harmonics, slope_change=slope)
    fit = _direct(None, sm.families.Poisson(), scale=scale, seasonal=harmonics > 0, slope=slope)
    names = {"level_change": "smokban", "pre_slope": "time", "slope_change": "tt"}
    ci = fit.conf_int()
    for term in r.index:
        assert r.loc[term, "estimate"] == pytest.approx(np.exp(fit.params[names[term]]), rel=1e-8)
        assert r.loc[term, "ci_low"] == pytest.approx(np.exp(ci.loc[names[term], 0]), rel=1e-8)
        assert r.loc[term, "ci_high"] == pytest.approx(np.exp(ci.loc[names[term], 1]), rel=1e-8)
        assert r.loc[term, "p_value"] == pytest.approx(fit.pvalues[names[term]], rel=1e-6)
    assert (r["n"] == 59).all()


def test_poisson_and_quasipoisson_share_estimates_and_differ_in_width():
    p = segmented_regression(SICILY, "aces", "time", "smokban", "poisson", offset="stdpop",
                             slope_change=False)
    q = segmented_regression(SICILY, "aces", "time", "smokban", "quasipoisson", offset="stdpop",
                             slope_change=False)
    assert p.loc["level_change", "estimate"] == pytest.approx(q.loc["level_change", "estimate"])
    w = lambda r: np.log(r.loc["level_change", "ci_high"] / r.loc["level_change", "ci_low"])  # noqa: E731
    assert w(q) / w(p) == pytest.approx(np.sqrt(q.attrs["scale"]), rel=1e-6)


def test_gaussian_uses_newey_west_errors_with_t_on_the_residual_df():
    d = SICILY.assign(rate=SICILY.aces / SICILY.stdpop * 1e5)
    r = segmented_regression(d, "rate", "time", "smokban", family="gaussian")
    X = pd.DataFrame({"const": 1.0, "time": d.time, "smokban": d.smokban,
                      "tt": (d.time - 36) * d.smokban})
    lags = newey_west_lags(59)
    ols = sm.OLS(d.rate, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    assert lags == 3 and (r["df"] == 55).all()
    assert r.loc["level_change", "estimate"] == pytest.approx(ols.params["smokban"], rel=1e-8)
    assert r.loc["level_change", "se"] == pytest.approx(ols.bse["smokban"], rel=1e-8)
    assert r.loc["slope_change", "ci_low"] == pytest.approx(ols.conf_int().loc["tt", 0], rel=1e-6)
    assert r.loc["pre_slope", "p_value"] == pytest.approx(ols.pvalues["time"], rel=1e-6)
    # the t interval is wider than the Wald z interval by t(0.975, 55) / z(0.975)
    wald = sm.OLS(d.rate, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags}).conf_int()
    width = r.loc["level_change", "ci_high"] - r.loc["level_change", "ci_low"]
    assert width / (wald.loc["smokban", 1] - wald.loc["smokban", 0]) == pytest.approx(
        stats.t.ppf(0.975, 55) / stats.norm.ppf(0.975), rel=1e-10)
    assert "t intervals on 55 residual degrees of freedom" in r.attrs["method"]


def test_count_families_keep_the_tutorial_wald_intervals():
    r = segmented_regression(SICILY, "aces", "time", "smokban", "poisson", offset="stdpop")
    assert np.isinf(r["df"]).all() and "Wald" in r.attrs["method"]


def test_slope_term_counts_periods_since_the_last_pre_intervention_point():
    X = design_matrix(SICILY, "time", "smokban")
    assert X["slope_change"].iloc[35] == 0 and X["slope_change"].iloc[36] == 1
    assert X["slope_change"].iloc[-1] == 59 - 36


def test_dates_are_read_as_positions_and_bad_input_is_refused():
    d = SICILY.assign(month_start=pd.date_range("2002-01-01", periods=59, freq="MS"))
    a = segmented_regression(d, "aces", "month_start", "smokban", "poisson", offset="stdpop")
    b = segmented_regression(d, "aces", "time", "smokban", "poisson", offset="stdpop")
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError):
        segmented_regression(d, "aces", "time", "smokban", family="binomial")
    with pytest.raises(ValueError):
        segmented_regression(d.assign(smokban=0), "aces", "time", "smokban")


# --- controlled interrupted time series ------------------------------------------------------

def test_controlled_its_recovers_a_constructed_answer_exactly():
    t = np.arange(1, 31)
    x = (t > 14).astype(int)
    control = 50 + 0.4 * t + 3 * x + 0.1 * (t - 14) * x   # a shared change: +3, +0.1 a month
    y = 48 + 0.4 * t + 9 * x + 0.6 * (t - 14) * x         # the project: +9, +0.6 a month
    r = controlled_segmented_regression(y, control, x)["estimate"]
    assert r["level_change"] == pytest.approx(9)
    assert r["slope_change"] == pytest.approx(0.6)
    assert r["level_change_vs_control"] == pytest.approx(6)
    assert r["slope_change_vs_control"] == pytest.approx(0.5)


def test_controlled_its_matches_r_lm():
    here = Path(__file__).parent / "oracles"
    d = pd.read_csv(here / "controlled_its.csv")
    ref = json.loads((here / "controlled_its.json").read_text())
    r = controlled_segmented_regression(d["y"], d["control"], d["x"])
    for term in CONTROLLED_TERMS:
        for col in ("estimate", "se", "ci_low", "ci_high", "p_value", "df"):
            assert r.loc[term, col] == pytest.approx(ref[term][col], rel=1e-9, abs=1e-12), (term, col)
