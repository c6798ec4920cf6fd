"""Linear mixed model of scale scores over waves: who changed, allowing for who they are and
which cohort they were in.

Model (fitted by REML to its maximum with :func:`helpers.outcomes.lmm.fit_lmm`; lme4's
``score ~ wave * profession + (1 | cohort_id) + (1 | cohort_id:participant_id)``)::

    score_{ijt} = b0 + b_wave[t] + b_prof[p(i)] + b_wave:prof[t, p(i)] + u_j + v_{i(j)} + e_{ijt}

for participant i in cohort j at wave t, with a random intercept u_j per cohort and a random
intercept v_i per participant nested in the cohort (both normal, independent). Variances are
estimated over their whole range, zero included: with few, similar cohorts the REML estimate of
the cohort variance is often exactly zero, and the fit says so (``LmmFit.boundary``).

The wave effect reported is the change averaged over the professions in the data, weighted by
how many participants each profession has (a linear contrast of the fixed effects), so that
with the interaction in the model the headline is not just the change for the reference
profession. Per-profession changes come from the same contrasts. Each contrast is tested
against Student's t on Satterthwaite degrees of freedom (lmerTest's method), which widens the
interval appreciably in a single cohort, where a normal reference would be too narrow.

The model is the same wherever it can be fitted; every departure is stated in the result's
``model`` column (and summarised in ``method``):

1. fewer than ``min_cohorts`` cohorts (default 3): a cohort variance cannot be estimated from
   one or two cohorts (Snijders & Bosker 2012 advise many more), so the cohort level is dropped:
   random intercept for the participant only;
2. a mixed model that cannot be fitted (:class:`helpers.outcomes.lmm.LmmFitError`: nobody
   answered twice, or no finite REML optimum): ordinary least squares of the same fixed
   effects with CR2 standard errors clustered by participant and Satterthwaite degrees of
   freedom (:mod:`helpers.outcomes.cr2`; Bell & McCaffrey 2002, Pustejovsky & Tipton 2018),
   labelled "fitted instead: ... because ...";
3. more than ``max_mixed`` people (default 1,200; national-scale programmes): the same fixed
   effects (wave x profession, cohorts as fixed effects) by ordinary least squares with
   standard errors clustered by participant (Liang & Zeger 1986) and a t reference on
   clusters - 1 df: a population-averaged estimate of the same contrasts that respects the
   repeated measures. With complete pairs the wave effect equals the mixed model's (the mean
   within-person change), and at this size the intervals differ little. The cohort effects are
   absorbed by within-cohort demeaning (:mod:`helpers.outcomes.absorbed`).

References
----------
Laird NM, Ware JH (1982). Random-effects models for longitudinal data. Biometrics 38:963-974.
Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects models using lme4.
Journal of Statistical Software 67(1):1-48.
Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests in linear mixed
effects models. Journal of Statistical Software 82(13):1-26.
Snijders TAB, Bosker RJ (2012). Multilevel analysis, 2nd edn. London: Sage.
Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression with
multi-stage samples. Survey Methodology 28:169-181.
Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance estimation
and hypothesis testing in fixed effects models. JBES 36:672-683.
Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear models.
Biometrika 73:13-22.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from helpers.outcomes.absorbed import fit_absorbed_ols
from helpers.outcomes.cr2 import fit_ols_cr2
from helpers.outcomes.lmm import LmmFitError, fit_lmm

MIN_COHORTS = 3
MAX_MIXED_PEOPLE = 1200
MODEL_NESTED = ("REML mixed model with random intercepts for participant within cohort, "
                "Satterthwaite degrees of freedom")
MODEL_PARTICIPANT = ("REML mixed model with a random intercept for participant (too few "
                     "cohorts to estimate a cohort variance), Satterthwaite degrees of freedom")
MODEL_CR2 = ("fitted instead: linear regression with CR2 standard errors clustered by "
             "participant and Satterthwaite degrees of freedom, because the mixed model could "
             "not be fitted ({reason})")
MODEL_OLS_LARGE = ("fitted instead: linear regression with cohorts as fixed effects, standard "
                   "errors clustered by participant and a t reference on participants - 1 "
                   "degrees of freedom, because there are more people than a mixed model fits "
                   "in reasonable time")
METHOD_LMM = "REML mixed model, Satterthwaite df"
METHOD_CR2 = "regression, CR2 clustered SE, Satterthwaite df"
METHOD_CLUSTERED = "regression, clustered SE, t on clusters - 1 df"
NOT_ESTIMABLE = "not estimable: too few people with answers at two waves"

EFFECT_COLUMNS = ["scale", "wave", "profession", "estimate", "se", "df", "ci_low", "ci_high",
                  "p_value", "n", "model", "method"]


def method_of(model: str) -> str:
    """The short method name (for a table column) of a ``model`` description."""
    if model in (MODEL_NESTED, MODEL_PARTICIPANT):
        return METHOD_LMM
    if model == MODEL_OLS_LARGE:
        return METHOD_CLUSTERED
    if model.startswith(MODEL_CR2.split("{")[0]):
        return METHOD_CR2
    return ""


def model_frame(scores: pd.DataFrame, participants: pd.DataFrame, scale: str,
                waves: Sequence[str] = ("baseline", "post"), rater: str = "self") -> pd.DataFrame:
    """Long data for one scale: ``participant_id, cohort_id, profession, wave, score`` for the
    waves asked for, rows with a missing score dropped."""
    s = scores[(scores["scale"] == scale) & (scores["rater"] == rater)
               & scores["wave"].isin(list(waves))]
    s = s[["participant_id", "wave", "score"]].dropna()
    s = s.groupby(["participant_id", "wave"], as_index=False)["score"].mean()
    cols = ["participant_id", "cohort_id", "profession"]
    out = s.merge(participants[cols], on="participant_id", how="inner")
    out["profession"] = out["profession"].fillna("other").astype(str)
    out["wave"] = out["wave"].astype(str)
    out["participant_id"] = out["participant_id"].astype(str)
    out["cohort_id"] = out["cohort_id"].astype(str)
    return out.reset_index(drop=True)


def pool_small_professions(df: pd.DataFrame, waves: Sequence[str], min_people: int = 2,
                           pooled: str = "other") -> pd.DataFrame:
    """Pool professions that cannot carry their own wave-by-profession term (fewer than
    ``min_people`` participants observed at *every* wave) into ``pooled``; if the pooled group
    is itself too small it is dropped from the model. Keeps the fixed-effect design of full
    rank."""
    out = df.copy()
    for _ in range(2):
        counts = (out.groupby(["profession", "wave"])["participant_id"].nunique()
                  .unstack(fill_value=0).reindex(columns=list(waves), fill_value=0))
        small = counts.index[(counts < min_people).any(axis=1)]
        if len(small) == 0:
            break
        if set(small) == {pooled}:
            out = out[out["profession"] != pooled]
        else:
            out.loc[out["profession"].isin(small), "profession"] = pooled
    return out


def _formula(df: pd.DataFrame, reference_wave: str) -> tuple[str, str | None]:
    profs = df["profession"].value_counts()
    wave = f"C(wave, Treatment('{reference_wave}'))"
    if len(profs) < 2:
        return f"score ~ {wave}", None
    ref = str(profs.index[0])
    return f"score ~ {wave} * C(profession, Treatment('{ref}'))", ref


def _design(df: pd.DataFrame, formula: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Outcome and fixed-effect design (named columns) of ``formula``, through statsmodels'
    formula interface (patsy), so term names are statsmodels'."""
    model = smf.ols(formula, df)
    return np.asarray(model.endog), pd.DataFrame(model.exog, columns=model.exog_names)


def fit_wave_model(df: pd.DataFrame, waves: Sequence[str] = ("baseline", "post"),
                   min_cohorts: int = MIN_COHORTS, max_mixed: int = MAX_MIXED_PEOPLE):
    """Fit the wave x profession model to :func:`model_frame` data, departing from it only as
    the module docstring describes.

    Returns
    -------
    (fit, model description, reference profession or None, the data actually modelled).
    ``fit`` is a :class:`helpers.outcomes.lmm.LmmFit`, a :class:`helpers.outcomes.cr2.Cr2Fit`
    or at national scale an :class:`helpers.outcomes.absorbed.AbsorbedFit`; each has ``params``
    and ``contrast(L)``. ``None`` when there is nothing to fit (fewer than two waves or two
    participants, or fewer answers than model terms).
    """
    df = pool_small_professions(df, waves)
    if df["wave"].nunique() < 2 or df["participant_id"].nunique() < 2:
        return None, NOT_ESTIMABLE, None, df
    formula, ref = _formula(df, waves[0])
    if df["participant_id"].nunique() > max_mixed:
        fit = fit_absorbed_ols(df, formula, absorb="cohort_id", cluster="participant_id")
        return fit, MODEL_OLS_LARGE, ref, df
    y, X = _design(df, formula)
    if len(y) <= X.shape[1] or np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return None, NOT_ESTIMABLE, ref, df
    nested = df["cohort_id"].nunique() >= min_cohorts
    try:
        fit = fit_lmm(X, y, df["participant_id"].to_numpy(),
                      df["cohort_id"].to_numpy() if nested else None)
        return fit, MODEL_NESTED if nested else MODEL_PARTICIPANT, ref, df
    except LmmFitError as err:
        reason = err.reason
    fit = fit_ols_cr2(X, y, df["participant_id"].to_numpy())
    return fit, MODEL_CR2.format(reason=reason), ref, df


def _contrast(fit, names: Sequence[str], weights: dict[str, float]) -> dict[str, float]:
    """Estimate, SE, df, CI and p of sum(w * beta) over the named fixed effects."""
    L = np.array([weights.get(n, 0.0) for n in names])
    c = fit.contrast(L)
    return {"estimate": c.estimate, "se": c.se, "df": c.df, "ci_low": c.ci_low,
            "ci_high": c.ci_high, "p_value": c.p_value}


def wave_effects(scores: pd.DataFrame, participants: pd.DataFrame, scale: str,
                 waves: Sequence[str] = ("baseline", "post"), rater: str = "self",
                 min_cohorts: int = MIN_COHORTS, threshold: int = 5,
                 max_mixed: int = MAX_MIXED_PEOPLE) -> pd.DataFrame:
    """Change from the first wave to each later wave in one scale, from the mixed model.

    Parameters
    ----------
    scores : scale scores (:func:`helpers.scales.score_scales`).
    participants : participants table (cohort_id, profession).
    scale : the scale modelled.
    waves : first the reference wave, then the waves compared with it.
    rater : rater type.
    min_cohorts : fewest cohorts for the nested model (see the module docstring).
    threshold : ``suppress_below``; per-profession rows for fewer participants are withheld.
    max_mixed : most people for a mixed model (see the module docstring).

    Returns
    -------
    Tidy DataFrame ``scale, wave, profession, estimate, se, df, ci_low, ci_high, p_value, n,
    model, method``: one row per later wave for ``profession == "all"`` (the change averaged
    over professions, weighted by participants) and one per profession (its own change), with
    ``n`` the participants behind the estimate, ``df`` the degrees of freedom of its t test and
    interval, ``model`` what was fitted (and, for a fallback, why) and ``method`` its short
    name. Professions below ``threshold`` have their estimates withheld (missing).

    Notes
    -----
    Missing data: a person's answers at the waves they answered all enter the model (no
    complete-case restriction); a missing score is dropped. REML estimates are valid when
    answers are missing at random given wave, profession and the person's other answers.
    """
    df = model_frame(scores, participants, scale, waves, rater)
    fit, label, ref, used = fit_wave_model(df, waves, min_cohorts, max_mixed)
    return effects_from_fit(fit, label, ref, used, scale, waves, threshold)


def effects_from_fit(fit, label: str, ref: str | None, used: pd.DataFrame, scale: str,
                     waves: Sequence[str], threshold: int = 5) -> pd.DataFrame:
    """The :func:`wave_effects` rows of a fit returned by :func:`fit_wave_model` (``fit``,
    ``label``, ``ref``, ``used``): the change to each later wave, for all professions and each
    profession, as contrasts of the fit's fixed effects."""
    method = method_of(label)
    missing = dict.fromkeys(["estimate", "se", "df", "ci_low", "ci_high", "p_value"], np.nan)
    rows = []
    if fit is None:
        for w in waves[1:]:
            rows.append({"scale": scale, "wave": w, "profession": "all", **missing,
                         "n": int(used["participant_id"].nunique()), "model": label,
                         "method": method})
        return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    names = list(fit.params.index)
    people = used.drop_duplicates("participant_id")
    prof_n = people["profession"].value_counts()
    per_wave = used.groupby("wave")["participant_id"].nunique()
    per_cell = used.groupby(["wave", "profession"])["participant_id"].nunique()
    for w in waves[1:]:
        wave_term = next((n for n in names if f"[T.{w}]" in n and ":" not in n), None)
        if wave_term is None:
            continue

        def weights_for(prof: str | None) -> dict[str, float]:
            wts = {wave_term: 1.0}
            if prof is not None and ref is not None and prof != ref:
                inter = next((n for n in names if f"[T.{w}]:" in n and n.endswith(f"[T.{prof}]")),
                             None)
                if inter:
                    wts[inter] = 1.0
            return wts

        overall: dict[str, float] = {wave_term: 1.0}
        if ref is not None:
            for prof, k in prof_n.items():
                for name, wt in weights_for(str(prof)).items():
                    if name != wave_term:
                        overall[name] = overall.get(name, 0.0) + wt * k / prof_n.sum()
        n_wave = int(per_wave.get(w, 0))
        rows.append({"scale": scale, "wave": w, "profession": "all",
                     **_contrast(fit, names, overall), "n": n_wave, "model": label,
                     "method": method})
        if ref is not None:
            for prof in sorted(prof_n.index):
                n_p = int(per_cell.get((w, prof), 0))
                values = (missing if n_p < threshold
                          else _contrast(fit, names, weights_for(str(prof))))
                rows.append({"scale": scale, "wave": w, "profession": prof, **values,
                             "n": n_p, "model": label, "method": method})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def all_wave_effects(scores: pd.DataFrame, participants: pd.DataFrame,
                     waves: Sequence[str] = ("baseline", "post"), rater: str = "self",
                     instrument_id: str | None = None, min_cohorts: int = MIN_COHORTS,
                     threshold: int = 5) -> pd.DataFrame:
    """:func:`wave_effects` for every scale (of one instrument when given)."""
    s = scores if instrument_id is None else scores[scores["instrument_id"] == instrument_id]
    frames = [wave_effects(s, participants, scale, waves, rater, min_cohorts, threshold)
              for scale in s["scale"].drop_duplicates()]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    return pd.concat(frames, ignore_index=True)
