"""helpers.outcomes.mixed against R: lme4 REML fits with lmerTest Satterthwaite contrasts, and
clubSandwich CR2 contrasts of the fallback regression, on the committed model frames of the
sample data's Barts programme and cohorts barts_c01 and barts_c05 (tests/oracles/README.md;
expected values in tests/oracles/mixed_models.json, written by tests/oracles/mixed_models.R)."""

from __future__ import annotations

import doctest
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.outcomes import absorbed, contrast, cr2, lmm, mixed

ORACLES = Path(__file__).parent / "oracles"
WAVES = ("baseline", "post", "follow_up")
FITS = json.loads((ORACLES / "mixed_models.json").read_text())["fits"]
IDS = [f"{f['scope']}-{f['scale']}" for f in FITS]
QUANTITIES = ("estimate", "se", "df", "p_value", "ci_low", "ci_high")


def frame(scope: str, scale: str) -> pd.DataFrame:
    df = pd.read_csv(ORACLES / f"mixed_barts_{scope}.csv", dtype=str)
    df["score"] = df["score"].astype(float)
    return df[df["scale"] == scale].drop(columns="scale").reset_index(drop=True)


def value(x) -> float:
    return float("nan") if x is None or isinstance(x, str) else float(x)


def same_to_4_digits(ours: float, ref: float, zero: float = 1e-10) -> bool:
    """Equal to 4 significant digits (relative difference under 5e-5); R values that are
    rounding noise around zero (|ref| < ``zero``) need only be as small."""
    if math.isnan(ref):
        return math.isnan(ours)
    if abs(ref) < zero:
        return abs(ours) < zero
    return abs(ours - ref) <= 5e-5 * abs(ref)


def effects(fit_result, scope: str, scale: str) -> pd.DataFrame:
    fit, label, ref, used = fit_result
    return mixed.effects_from_fit(fit, label, ref, used, scale, WAVES,
                                  threshold=1).set_index(["wave", "profession"])


@pytest.mark.parametrize("ref", FITS, ids=IDS)
def test_reml_fit_equals_lme4(ref):
    df = frame(ref["scope"], ref["scale"])
    fit, label, _, used = mixed.fit_wave_model(df, WAVES)
    assert len(used) == ref["n_obs"] == fit.nobs
    assert label == (mixed.MODEL_NESTED if ref["n_cohorts"] >= 3 else mixed.MODEL_PARTICIPANT)
    assert same_to_4_digits(fit.reml_loglik, ref["reml_loglik"])
    assert fit.reml_loglik >= ref["reml_loglik"] - 1e-9      # never short of lme4's optimum
    assert same_to_4_digits(fit.variances["participant"], ref["var_participant"])
    assert same_to_4_digits(fit.variances["residual"], ref["var_residual"])
    if ref["var_cohort"] is not None:
        # lme4 puts the cohort variance at (or within 1e-15 of) zero on all nine scales
        assert fit.variances["cohort"] == pytest.approx(ref["var_cohort"], abs=1e-12)
        assert fit.boundary == ("cohort",)
    theta = np.atleast_1d(ref["theta"])
    assert np.allclose(fit.theta, theta, rtol=5e-5, atol=1e-6)


@pytest.mark.parametrize("ref", FITS, ids=IDS)
def test_contrasts_equal_lmertest_satterthwaite(ref):
    df = frame(ref["scope"], ref["scale"])
    out = effects(mixed.fit_wave_model(df, WAVES), ref["scope"], ref["scale"])
    assert len(out) == len(ref["contrasts"])
    assert (out["method"] == mixed.METHOD_LMM).all()
    for c in ref["contrasts"]:
        row = out.loc[(c["wave"], c["profession"])]
        for q in QUANTITIES:
            assert same_to_4_digits(row[q], value(c[q])), (c["wave"], c["profession"], q,
                                                           row[q], c[q])


@pytest.mark.parametrize("ref", FITS, ids=IDS)
def test_fallback_contrasts_equal_clubsandwich_cr2(ref):
    df = mixed.pool_small_professions(frame(ref["scope"], ref["scale"]), WAVES)
    formula, prof_ref = mixed._formula(df, WAVES[0])
    y, X = mixed._design(df, formula)
    fit = cr2.fit_ols_cr2(X, y, df["participant_id"])
    label = mixed.MODEL_CR2.format(reason="a test")
    out = effects((fit, label, prof_ref, df), ref["scope"], ref["scale"])
    assert (out["method"] == mixed.METHOD_CR2).all()
    for c in ref["contrasts"]:
        row, expected = out.loc[(c["wave"], c["profession"])], c["cr2"]
        if isinstance(expected["se"], str) or value(expected["se"]) < 1e-6:
            # R's CR2 variance is rounding noise (every person behind the contrast is fitted
            # exactly); leadeval gives no standard error rather than a spurious one
            assert math.isnan(row["se"]) and math.isnan(row["p_value"])
            continue
        for q in QUANTITIES:
            assert same_to_4_digits(row[q], value(expected[q])), (c["wave"], c["profession"],
                                                                  q, row[q], expected[q])


def test_the_boundary_is_reached_where_statsmodels_stopped_short():
    # inspiring_shared_purpose: statsmodels' REML stopped at -381.1944 with a small positive
    # cohort variance; the maximum is at zero, where lme4 is (-380.3853)
    ref = next(f for f in FITS if f["scope"] == "all" and f["scale"] == "inspiring_shared_purpose")
    fit, *_ = mixed.fit_wave_model(frame("all", "inspiring_shared_purpose"), WAVES)
    assert fit.variances["cohort"] == 0.0
    assert fit.reml_loglik == pytest.approx(ref["reml_loglik"], abs=1e-8)


def test_every_face_and_optimiser_is_tried_and_the_best_kept():
    df = frame("all", "developing_capability")
    formula, _ = mixed._formula(df, WAVES[0])
    y, X = mixed._design(df, formula)
    s = lmm._sums(X.to_numpy(), y, df["participant_id"].to_numpy(), df["cohort_id"].to_numpy())
    found = lmm._minimise(s)
    how = {f[2] for f in found}
    assert {"boundary", "L-BFGS-B on the boundary", "L-BFGS-B", "truncated Newton"} <= how
    fit = lmm.fit_lmm(X, y, df["participant_id"], df["cohort_id"])
    assert -2 * fit.reml_loglik <= min(f[0] for f in found) + 1e-9


def test_satterthwaite_df_are_smaller_in_a_single_cohort_than_the_normal_reference():
    # barts_c01: 16 people; a z interval would be too narrow
    ref = next(f for f in FITS if f["scope"] == "c01" and f["scale"] == "sharing_the_vision")
    out = effects(mixed.fit_wave_model(frame("c01", "sharing_the_vision"), WAVES), "c01",
                  "sharing_the_vision")
    row = out.loc[("post", "all")]
    assert row["df"] < 40
    z_width = 2 * 1.959963984540054 * row["se"]
    assert row["ci_high"] - row["ci_low"] > z_width
    assert same_to_4_digits(row["df"], ref["contrasts"][0]["df"])


def test_docstring_examples_checked_against_r_hold():
    for module in (lmm, cr2, contrast, absorbed):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
