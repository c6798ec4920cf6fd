"""A comparison group: participants against applicants who were not admitted.

Before-and-after change in participants mixes the programme's effect with everything else that
happened to them (experience, the organisation, the times). Applicants who were not admitted or
were wait-listed applied too, so they share much of that; comparing the two groups' changes
nets the shared part out.

Capability: difference-in-differences (DiD) of 360 scale scores. The estimate is
(participants' mean change) - (comparison group's mean change), from the regression
``score ~ treated + post + treated:post`` on people with both ratings, with standard errors
clustered by person and t intervals (small samples). Assumptions, stated in the report: the
two groups' scores would have changed in parallel without the programme (parallel trends);
nobody in the comparison group took a similar programme meanwhile; the selection did not pick
people who were about to improve anyway (regression to the mean, Ashenfelter's dip).

Pipeline: competing risks. Time runs from the end of the cohort applied for to the first new
or more senior leadership role; leaving the NHS is a competing event (after it, a move in the
NHS cannot happen), so each group's cumulative incidence is the Aalen-Johansen estimate, not
1 - Kaplan-Meier (which treats leavers as if they could still move). The comparison is the
cause-specific hazard ratio from a Cox model (leavers censored at leaving), which is the
right scale for comparing the rate of moving among those still in the NHS.

References
----------
Angrist JD, Pischke J-S (2009). Mostly harmless econometrics, ch. 5. Princeton UP.
Wing C, Simon K, Bello-Gomez RA (2018). Designing difference in difference studies. Annual
Review of Public Health 39:453-469.
Putter H, Fiocco M, Geskus RB (2007). Tutorial in biostatistics: competing risks and
multi-state models. Statistics in Medicine 26:2389-2430.
Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous Markov chains
based on censored observations. Scandinavian Journal of Statistics 5:141-150.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from lifelines import CoxPHFitter

from helpers.careers import aalen_johansen, pipeline_durations
from helpers.scales import score_scales

GROUPS = ("Participants", "Applicants not admitted")
ESTIMATE = ["estimate", "ci_low", "ci_high", "p_value", "n"]


def difference_in_differences(df: pd.DataFrame, outcome: str, treated: str, post: str,
                              person: str, level: float = 0.95) -> pd.DataFrame:
    """Two-period difference-in-differences with person-clustered standard errors.

    Parameters
    ----------
    df : DataFrame
        Long format, one row per person and period: ``outcome`` (score), ``treated`` (1 for
        the programme group), ``post`` (0 before, 1 after) and ``person`` (cluster id).
        Only people with a value in both periods are used (a balanced panel).
    level : float, default 0.95

    Returns
    -------
    DataFrame with one row: ``estimate`` (the treated x post interaction: the participants'
    mean change minus the comparison group's), ``ci_low, ci_high, p_value`` (cluster-robust,
    t distribution with clusters - 1 degrees of freedom), ``n`` (people), ``n_treated``,
    ``n_control``, ``change_treated``, ``change_control``.

    Notes
    -----
    With a balanced two-period panel the interaction equals the difference in mean changes
    exactly; clustering by person allows for each person's two scores being correlated.

    Examples
    --------
    Participants rise from 3.0 to 3.5 on average and the comparison group from 3.1 to 3.2,
    so the DiD is 0.4:

    >>> d = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3, 4, 4], "t": [1, 1, 1, 1, 0, 0, 0, 0],
    ...                   "post": [0, 1] * 4, "y": [2.9, 3.5, 3.1, 3.5, 3.0, 3.1, 3.2, 3.3]})
    >>> round(float(difference_in_differences(d, "y", "t", "post", "id")["estimate"][0]), 4)
    0.4
    """
    d = df[[outcome, treated, post, person]].dropna()
    both = d.groupby(person)[post].nunique()
    d = d[d[person].isin(both.index[both == 2])].copy()
    d["_t"], d["_p"] = d[treated].astype(int), d[post].astype(int)
    n_t = int(d.loc[d["_t"] == 1, person].nunique())
    n_c = int(d.loc[d["_t"] == 0, person].nunique())
    row = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
           "n": n_t + n_c, "n_treated": n_t, "n_control": n_c,
           "change_treated": np.nan, "change_control": np.nan}
    if n_t < 2 or n_c < 2:
        return pd.DataFrame([row])
    means = d.groupby(["_t", "_p"])[outcome].mean()
    row["change_treated"] = float(means[(1, 1)] - means[(1, 0)])
    row["change_control"] = float(means[(0, 1)] - means[(0, 0)])
    groups = pd.factorize(d[person])[0]
    fit = smf.ols(f"Q('{outcome}') ~ _t * _p", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    ci = fit.conf_int(alpha=1 - level).loc["_t:_p"]
    row.update(estimate=float(fit.params["_t:_p"]), ci_low=float(ci[0]), ci_high=float(ci[1]),
               p_value=float(fit.pvalues["_t:_p"]))
    return pd.DataFrame([row])


def applicant_answers(applicant_responses: pd.DataFrame) -> pd.DataFrame:
    """Applicants' answers in the shape of ``responses`` (applicant_id as participant_id)."""
    return applicant_responses.rename(columns={"applicant_id": "participant_id"})


def person_scores(responses: pd.DataFrame, items: pd.DataFrame, instruments, instrument_id: str,
                  rater: str, waves: Sequence[str] = ("baseline", "post")) -> pd.DataFrame:
    """Each person's mean scale score per wave (``participant_id, wave, score``) for one rater
    type: the outcome scales' scores (:func:`helpers.scales.score_scales`) averaged per person."""
    return person_means(score_scales(responses, items, instruments, instrument_id=instrument_id),
                        rater, waves)


def person_means(scores: pd.DataFrame, rater: str,
                 waves: Sequence[str] = ("baseline", "post")) -> pd.DataFrame:
    """:func:`person_scores` from scale scores already computed (one rater type, ``waves``)."""
    s = scores[(scores["rater"] == rater) & scores["wave"].isin(list(waves))].dropna(
        subset=["score"])
    return (s.groupby(["participant_id", "wave"], observed=True)["score"].mean()
            .reset_index())


def capability_did(data, instrument_id: str = "hlm360", raters: Sequence[str] = ("self", "manager"),
                   level: float = 0.95) -> pd.DataFrame:
    """DiD of mean 360 scale scores (baseline to post), participants against the applicants not
    admitted who were rated at both times; one row per rater type (``rater`` column)."""
    rows = []
    inst = data.instruments
    theirs = applicant_answers(data.applicant_responses)
    # scored once for every rater type: scoring is most of the work at scale
    mine = score_scales(data.responses, data.items, inst, instrument_id=instrument_id)
    their_scores = score_scales(theirs, data.items, inst, instrument_id=instrument_id)
    for rater in raters:
        a = person_means(mine, rater).assign(treated=1)
        b = person_means(their_scores, rater).assign(treated=0)
        if a.empty or b.empty:
            continue
        b["participant_id"] = "applicant:" + b["participant_id"].astype(str)
        long = pd.concat([a, b], ignore_index=True)
        long["post"] = (long["wave"] == "post").astype(int)
        res = difference_in_differences(long, "score", "treated", "post", "participant_id", level)
        rows.append(res.assign(rater=rater))
    cols = ["rater", *ESTIMATE, "n_treated", "n_control", "change_treated", "change_control"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def comparison_durations(data, observation_end) -> pd.DataFrame:
    """Follow-up from the end of the cohort applied for to the first leadership move, for the
    participants and the applicants not admitted or wait-listed (withdrawn applicants are left
    out), with ``group`` and ``event`` (1 moved, 2 left the NHS, 0 censored)."""
    part = pipeline_durations(data.participants, data.cohorts, data.careers, observation_end)
    part["group"] = GROUPS[0]
    a = data.applicants
    a = a[a["outcome"].isin(["not_admitted", "waitlisted"])]
    people = a[["applicant_id", "cohort_id"]].rename(columns={"applicant_id": "participant_id"})
    careers = data.applicant_careers.rename(columns={"applicant_id": "participant_id"})
    comp = pipeline_durations(people, data.cohorts, careers, observation_end)
    comp["group"] = GROUPS[1]
    out = pd.concat([part, comp], ignore_index=True)
    out["event"] = np.select([out["moved"], out["censored_by"] == "left the NHS"], [1, 2], 0)
    return out


def competing_risks(durations: pd.DataFrame, horizons: Sequence[float] = (12, 24),
                    level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative incidence of a leadership move by group (Aalen-Johansen) and the
    cause-specific hazard ratio, participants against the comparison group.

    Returns
    -------
    incidence : DataFrame ``group, months, estimate, ci_low, ci_high, n, n_moved, n_left``
        (estimates as proportions; counts over the whole follow-up).
    hazard : DataFrame, one row: ``estimate`` (hazard ratio of moving, participants vs
        applicants not admitted; Cox model, leavers censored when they left), ``ci_low,
        ci_high, p_value, n``; empty when either group has no moves.
    """
    rows = []
    for g in GROUPS:
        d = durations[durations["group"] == g]
        if d.empty:
            continue
        base = {"group": g, "n": len(d), "n_moved": int((d["event"] == 1).sum()),
                "n_left": int((d["event"] == 2).sum())}
        if base["n_moved"] == 0:
            rows += [{**base, "months": h, "estimate": 0.0, "ci_low": np.nan, "ci_high": np.nan}
                     for h in horizons]
            continue
        curve = aalen_johansen(d["months"].to_numpy(float), d["event"].to_numpy(int), level)
        for h in horizons:
            at = curve[curve["months"] <= h].iloc[-1]
            rows.append({**base, "months": h, "estimate": float(at["estimate"]),
                         "ci_low": float(at["ci_low"]), "ci_high": float(at["ci_high"])})
    cols = ["group", "months", "estimate", "ci_low", "ci_high", "n", "n_moved", "n_left"]
    incidence = pd.DataFrame(rows, columns=cols)
    hazard = pd.DataFrame(columns=ESTIMATE)
    moves = durations.groupby("group")["event"].apply(lambda e: int((e == 1).sum()))
    if len(moves) == 2 and (moves > 0).all():
        cox = pd.DataFrame({"months": durations["months"].clip(lower=1e-6),
                            "moved": (durations["event"] == 1).astype(int),
                            "participant": (durations["group"] == GROUPS[0]).astype(int)})
        cph = CoxPHFitter(alpha=1 - level).fit(cox, "months", "moved")
        s = cph.summary.loc["participant"]
        hazard = pd.DataFrame([{"estimate": float(s["exp(coef)"]),
                                "ci_low": float(s[f"exp(coef) lower {100 * level:g}%"]),
                                "ci_high": float(s[f"exp(coef) upper {100 * level:g}%"]),
                                "p_value": float(s["p"]), "n": len(cox)}])
    return incidence, hazard
