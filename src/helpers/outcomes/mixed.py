"""Linear mixed model of scale scores over waves: who changed, allowing for who they are and
which cohort they were in.

Model (fitted by REML with :class:`statsmodels.regression.mixed_linear_model.MixedLM`)::

    score_{ijt} = b0 + b_wave[t] + b_prof[p(i)] + b_wave:prof[t, p(i)] + u_j + v_{i(j)} + e_{ijt}

for participant i in cohort j at wave t, with a random intercept u_j per cohort and a random
intercept v_i per participant nested in the cohort (both normal, independent). In statsmodels a
nested random effect is a *variance component inside the group*: ``groups=cohort_id``,
``re_formula="1"`` (cohort intercept) and ``vc_formula={"participant": "0 + C(participant_id)"}``
(one intercept per participant, drawn within each cohort). The alternative spelling
``groups=participant_id`` with a cohort variance component would put a cohort effect *inside*
each person, which cannot be told apart from the person's own intercept; it is not used.

The wave effect reported is the change averaged over the professions in the data, weighted by
how many participants each profession has (a linear contrast of the fixed effects, tested with
a Wald z test), so that with the interaction in the model the headline is not just the change
for the reference profession. Per-profession changes come from the same contrasts.

Fallbacks, always stated in the result's ``model`` column:

0. each mixed model is fitted by REML with L-BFGS, continued with Powell's method when
   L-BFGS does not converge;
1. more than ``max_nested`` people (default 400): statsmodels builds dense per-cohort matrices
   for the nested variance component, so its fitting time grows steeply with cohort size
   (minutes for 1,000 people); cohorts then enter as fixed effects (a dummy per cohort) with a
   random intercept per participant. Cohort differences are still removed, and the wave effect,
   estimated within people, barely moves (0.4052 against 0.4053 on the sample's Leeds data);
2. fewer than ``min_cohorts`` cohorts (default 3): a cohort variance cannot be estimated from
   one or two cohorts (Snijders & Bosker 2012 advise many more), so the cohort level is dropped:
   random intercept for the participant only;
3. that model failing to converge: ordinary least squares with standard errors clustered by
   participant (Liang & Zeger 1986), which still respects the repeated measures;
4. more than ``max_mixed`` people (default 1,200; national-scale programmes): the REML fit of
   a random intercept per participant costs about 0.5 s per likelihood evaluation at 1,700
   people and minutes per scale beyond, so the same fixed effects (wave x profession, cohorts
   as fixed effects) are estimated by ordinary least squares with standard errors clustered by
   participant (Liang & Zeger 1986): a population-averaged estimate of the same contrasts that
   respects the repeated measures. With complete pairs the wave effect equals the mixed
   model's (the mean within-person change), and at this size the two intervals differ little.
   The cohort effects are absorbed by within-cohort demeaning rather than entered as dummy
   columns (:mod:`helpers.outcomes.absorbed`): the same estimates and intervals, without a
   design hundreds of columns wide.

References
----------
Laird NM, Ware JH (1982). Random-effects models for longitudinal data. Biometrics 38:963-974.
Snijders TAB, Bosker RJ (2012). Multilevel analysis, 2nd edn. London: Sage.
Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear models.
Biometrika 73:13-22.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.outcomes.absorbed import fit_absorbed_ols

MIN_COHORTS = 3
MAX_NESTED_PEOPLE = 400
MAX_MIXED_PEOPLE = 1200
FIT_METHODS = ["lbfgs", "powell"]
MODEL_NESTED = "mixed model: random intercepts for participant within cohort"
MODEL_COHORT_FIXED = ("mixed model: random intercept for participant, cohorts as fixed effects "
                      "(too many people for the nested model to fit in reasonable time)")
MODEL_PARTICIPANT = ("mixed model: random intercept for participant (too few cohorts to "
                     "estimate a cohort effect)")
MODEL_PARTICIPANT_FAILED = ("mixed model: random intercept for participant (the model with "
                            "cohorts did not converge)")
MODEL_OLS = ("linear regression with standard errors clustered by participant (the mixed "
             "model did not converge)")
MODEL_OLS_LARGE = ("linear regression with cohorts as fixed effects and standard errors "
                   "clustered by participant (too many people for a mixed model to fit in "
                   "reasonable time)")

EFFECT_COLUMNS = ["scale", "wave", "profession", "estimate", "ci_low", "ci_high", "p_value", "n",
                  "model"]


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


def _fit_mixed(df: pd.DataFrame, formula: str, nested: bool):
    import statsmodels.formula.api as smf

    with warnings.catch_warnings():
        # retry and boundary warnings are expected; convergence is judged below
        warnings.simplefilter("ignore")
        if nested:
            model = _nested_model(df, formula)
        else:
            model = smf.mixedlm(formula, df, groups="participant_id")
        # L-BFGS, then Powell from where it stopped: a cohort variance at its boundary of
        # zero (common with few, similar cohorts) can stall the gradient optimiser (statsmodels
        # tries the listed methods in turn until one converges).
        result = model.fit(reml=True, method=FIT_METHODS)
    failed = not result.converged or not np.all(np.isfinite(np.asarray(result.bse_fe)))
    return None if failed else result


def _nested_model(df: pd.DataFrame, formula: str):
    """The nested model ``smf.mixedlm(formula, df, groups="cohort_id", re_formula="1",
    vc_formula={"participant": "0 + C(participant_id)"})``, with the same matrices built
    directly: statsmodels evaluates the variance-component formula once per cohort, which
    took longer than the fit itself. Per cohort (sorted, as statsmodels orders its groups)
    the component's design is one indicator column per participant of that cohort (sorted),
    rows in data order."""
    import statsmodels.formula.api as smf
    from statsmodels.regression.mixed_linear_model import MixedLM, VCSpec

    base = smf.mixedlm(formula, df, groups="cohort_id", re_formula="1")
    groups = np.asarray(df["cohort_id"])
    people = df["participant_id"].to_numpy()
    mats, names = [], []
    for g in sorted(set(groups)):
        who = people[groups == g]
        levels, codes = np.unique(who, return_inverse=True)
        mat = np.zeros((len(who), len(levels)))
        mat[np.arange(len(who)), codes] = 1.0
        mats.append(np.asfortranarray(mat))  # column-major as patsy gives it: same arithmetic, same fit
        names.append([f"C(participant_id)[{lev}]" for lev in levels])
    exog = pd.DataFrame(base.exog, columns=base.exog_names)
    return MixedLM(np.asarray(base.endog), exog, groups, exog_re=pd.DataFrame(np.asarray(base.exog_re), columns=["cohort_id"]),
                   exog_vc=VCSpec(["participant"], [names], [mats]))


def _fit_ols(df: pd.DataFrame, formula: str):
    import statsmodels.formula.api as smf

    groups = pd.factorize(df["participant_id"])[0]
    return smf.ols(formula, df).fit(cov_type="cluster", cov_kwds={"groups": groups})


def fit_wave_model(df: pd.DataFrame, waves: Sequence[str] = ("baseline", "post"),
                   min_cohorts: int = MIN_COHORTS, max_nested: int = MAX_NESTED_PEOPLE,
                   max_mixed: int = MAX_MIXED_PEOPLE):
    """Fit the wave x profession model to :func:`model_frame` data, falling back as the module
    docstring describes.

    Returns
    -------
    (result, model description, reference profession or None, the data actually modelled).
    ``result`` is a statsmodels results object (MixedLMResults or OLS results), or at national
    scale an :class:`helpers.outcomes.absorbed.AbsorbedFit` (``params``, ``cov_params()``); ``None`` when
    there is nothing to fit (fewer than two waves or fewer than two participants).
    """
    df = pool_small_professions(df, waves)
    if df["wave"].nunique() < 2 or df["participant_id"].nunique() < 2:
        return None, "not estimable: too few people with answers at two waves", None, df
    formula, ref = _formula(df, waves[0])
    if df["participant_id"].nunique() > max_mixed:
        fit = fit_absorbed_ols(df, formula, absorb="cohort_id", cluster="participant_id")
        return fit, MODEL_OLS_LARGE, ref, df
    attempts = []
    if df["cohort_id"].nunique() >= min_cohorts:
        if df["participant_id"].nunique() <= max_nested:
            attempts.append((True, formula, MODEL_NESTED))
        else:
            attempts.append((False, formula + " + C(cohort_id)", MODEL_COHORT_FIXED))
        attempts.append((False, formula, MODEL_PARTICIPANT_FAILED))
    else:
        attempts.append((False, formula, MODEL_PARTICIPANT))
    for nested, form, label in attempts:
        try:
            result = _fit_mixed(df, form, nested)
        except (np.linalg.LinAlgError, ValueError):
            result = None
        if result is not None:
            return result, label, ref, df
    return _fit_ols(df, formula), MODEL_OLS, ref, df


def _contrast(result, names: Sequence[str], weights: dict[str, float]) -> tuple[float, float,
                                                                                float, float]:
    """Estimate, CI and p of sum(w * beta) over the named fixed effects (Wald z)."""
    from scipy import stats

    fe = np.asarray(result.fe_params if hasattr(result, "fe_params") else result.params)
    cov = np.asarray(result.cov_params())[: len(fe), : len(fe)]
    L = np.array([weights.get(n, 0.0) for n in names])
    est = float(L @ fe)
    se = float(np.sqrt(L @ cov @ L))
    if not np.isfinite(se) or se == 0:
        return est, np.nan, np.nan, np.nan
    z = stats.norm.ppf(0.975)
    p = float(2 * stats.norm.sf(abs(est / se)))
    return est, est - z * se, est + z * se, p


def wave_effects(scores: pd.DataFrame, participants: pd.DataFrame, scale: str,
                 waves: Sequence[str] = ("baseline", "post"), rater: str = "self",
                 min_cohorts: int = MIN_COHORTS, threshold: int = 5,
                 max_nested: int = MAX_NESTED_PEOPLE,
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
    max_nested : most people for the nested model (see the module docstring).
    threshold : ``suppress_below``; per-profession rows for fewer participants are withheld.

    Returns
    -------
    Tidy DataFrame ``scale, wave, profession, estimate, ci_low, ci_high, p_value, n, model``:
    one row per later wave for ``profession == "all"`` (the change averaged over professions,
    weighted by participants) and one per profession (its own change), with ``n`` the
    participants behind the estimate. Professions below ``threshold`` have their estimates
    withheld (missing).
    """
    df = model_frame(scores, participants, scale, waves, rater)
    result, label, ref, used = fit_wave_model(df, waves, min_cohorts, max_nested, max_mixed)
    rows = []
    if result is None:
        for w in waves[1:]:
            rows.append({"scale": scale, "wave": w, "profession": "all", "estimate": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
                         "n": int(df["participant_id"].nunique()), "model": label})
        return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    names = list(result.fe_params.index if hasattr(result, "fe_params") else result.params.index)
    people = used.drop_duplicates("participant_id")
    prof_n = people["profession"].value_counts()
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
        n_wave = int(used.loc[used["wave"] == w, "participant_id"].nunique())
        est, lo, hi, p = _contrast(result, names, overall)
        rows.append({"scale": scale, "wave": w, "profession": "all", "estimate": est,
                     "ci_low": lo, "ci_high": hi, "p_value": p, "n": n_wave, "model": label})
        if ref is not None:
            for prof in sorted(prof_n.index):
                n_p = int(used.loc[(used["wave"] == w) & (used["profession"] == prof),
                                   "participant_id"].nunique())
                est, lo, hi, p = _contrast(result, names, weights_for(str(prof)))
                if n_p < threshold:
                    est = lo = hi = p = np.nan
                rows.append({"scale": scale, "wave": w, "profession": prof, "estimate": est,
                             "ci_low": lo, "ci_high": hi, "p_value": p, "n": n_p, "model": label})
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
