"""Attrition: who answered at baseline but not at the later wave, and whether they differed.

If the people who drop out started lower (or higher) than those who stay, a before/after change
among completers is biased: the "improvement" may partly be who was left to measure. The check
here compares completers' and non-completers' baseline scale scores with Welch's t-test (no
equal-variance assumption, Welch 1947; Delacre, Lakens & Leys 2017) and tabulates dropouts by
profession, organisation and cohort. It cannot show that dropouts are missing at random, only
whether they differ on what was measured (Little & Rubin 2019).

References
----------
Welch BL (1947). The generalization of "Student's" problem when several different population
variances are involved. Biometrika 34:28-35.
Delacre M, Lakens D, Leys C (2017). Why psychologists should by default use Welch's t-test
instead of Student's t-test. International Review of Social Psychology 30:92-101.
Little RJA, Rubin DB (2019). Statistical analysis with missing data, 3rd edn. Wiley.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats


#: Columns of :func:`baseline_by_completion`.
COMPLETION_COLUMNS = ("scale", "estimate", "ci_low", "ci_high", "p_value", "n", "mean_completers",
                      "mean_non_completers", "n_completers", "n_non_completers")


def respondents(responses: pd.DataFrame, wave: str, rater: str = "self",
                instrument_id: str | None = None) -> set:
    """Participants with at least one answered item at ``wave`` (from ``rater``)."""
    r = responses[(responses["wave"] == wave) & (responses["rater"] == rater)]
    if instrument_id is not None:
        r = r[r["instrument_id"] == instrument_id]
    r = r[pd.to_numeric(r["value"], errors="coerce").notna()]
    return set(r["participant_id"].astype(str))


def attrition_by(responses: pd.DataFrame, participants: pd.DataFrame, by: str,
                 from_wave: str = "baseline", to_wave: str = "post", rater: str = "self",
                 instrument_id: str | None = None) -> pd.DataFrame:
    """Baseline respondents and how many of them gave no later answer, per group.

    Returns
    -------
    DataFrame ``<by>, n_baseline, n_no_later, share_no_later`` (share of baseline
    respondents with no answer at ``to_wave``), with a final ``All`` row.
    """
    base = respondents(responses, from_wave, rater, instrument_id)
    later = respondents(responses, to_wave, rater, instrument_id)
    p = participants[participants["participant_id"].astype(str).isin(base)].copy()
    p["no_later"] = ~p["participant_id"].astype(str).isin(later)
    p[by] = p[by].astype(object).where(p[by].notna(), "not recorded")
    out = p.groupby(by, sort=True).agg(n_baseline=("participant_id", "size"),
                                       n_no_later=("no_later", "sum")).reset_index()
    total = pd.DataFrame({by: ["All"], "n_baseline": [len(p)],
                          "n_no_later": [int(p["no_later"].sum())]})
    out = pd.concat([out, total], ignore_index=True)
    out["n_no_later"] = out["n_no_later"].astype(int)
    out["share_no_later"] = np.where(out["n_baseline"] > 0,
                                     out["n_no_later"] / out["n_baseline"].where(
                                         out["n_baseline"] > 0, 1), np.nan)
    return out


def attrition_by_cohort(responses: pd.DataFrame, participants: pd.DataFrame, by: str,
                        from_wave: str = "baseline", to_wave: str = "post",
                        rater: str = "self") -> pd.DataFrame:
    """:func:`attrition_by` for every cohort at once: ``<by>, cohort_id, n_baseline,
    n_no_later``, one row per group and cohort with a baseline respondent (no ``All`` rows).

    Each cohort's counts are those its own report's :func:`attrition_by` gives, since a
    cohort's answers are its participants' answers.

    Examples
    --------
    >>> r = pd.DataFrame({"participant_id": ["a", "b", "c", "a"], "value": [3, 4, 2, 5],
    ...                   "wave": ["baseline"] * 3 + ["post"], "rater": "self"})
    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c"], "cohort_id": ["1", "1", "2"],
    ...                   "organisation": ["X", "X", "X"]})
    >>> attrition_by_cohort(r, p, "organisation")
      organisation cohort_id  n_baseline  n_no_later
    0            X         1           2           1
    1            X         2           1           1
    """
    base = respondents(responses, from_wave, rater)
    later = respondents(responses, to_wave, rater)
    p = participants[participants["participant_id"].astype(str).isin(base)].copy()
    p["no_later"] = ~p["participant_id"].astype(str).isin(later)
    p[by] = p[by].astype(object).where(p[by].notna(), "not recorded")
    p["cohort_id"] = p["cohort_id"].astype(str)
    out = p.groupby([by, "cohort_id"], sort=True).agg(
        n_baseline=("participant_id", "size"), n_no_later=("no_later", "sum")).reset_index()
    out["n_no_later"] = out["n_no_later"].astype(int)
    return out


def welch_test(a, b, level: float = 0.95) -> dict[str, float]:
    """Difference in means ``mean(a) - mean(b)`` with Welch's CI and two-sided p-value
    (:func:`scipy.stats.ttest_ind` with ``equal_var=False``); missing values dropped."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    out = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
           "n_a": int(a.size), "n_b": int(b.size)}
    if a.size and b.size:
        out["estimate"] = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2 or (a.var(ddof=1) + b.var(ddof=1)) == 0:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # near-identical groups
        res = stats.ttest_ind(a, b, equal_var=False)
        ci = res.confidence_interval(confidence_level=level)
    out.update(p_value=float(res.pvalue), ci_low=float(ci.low), ci_high=float(ci.high))
    return out


def baseline_by_completion(scores: pd.DataFrame, responses: pd.DataFrame,
                           from_wave: str = "baseline", to_wave: str = "post",
                           rater: str = "self", instrument_id: str | None = None,
                           level: float = 0.95) -> pd.DataFrame:
    """Baseline scale scores of completers against non-completers.

    Returns
    -------
    Tidy DataFrame ``scale, estimate, ci_low, ci_high, p_value, n, mean_completers,
    mean_non_completers, n_completers, n_non_completers``: ``estimate`` is completers'
    baseline mean minus non-completers' (Welch), ``n`` all baseline respondents to the scale.
    """
    later = respondents(responses, to_wave, rater, instrument_id)
    s = scores[(scores["wave"] == from_wave) & (scores["rater"] == rater)].dropna(subset=["score"])
    if instrument_id is not None:
        s = s[s["instrument_id"] == instrument_id]
    s = s.assign(completer=s["participant_id"].astype(str).isin(later))
    rows = []
    for scale, d in s.groupby("scale", sort=False):
        a = d.loc[d["completer"], "score"]
        b = d.loc[~d["completer"], "score"]
        res = welch_test(a, b, level)
        rows.append({"scale": scale, "estimate": res["estimate"], "ci_low": res["ci_low"],
                     "ci_high": res["ci_high"], "p_value": res["p_value"], "n": len(d),
                     "mean_completers": float(a.mean()) if len(a) else np.nan,
                     "mean_non_completers": float(b.mean()) if len(b) else np.nan,
                     "n_completers": len(a), "n_non_completers": len(b)})
    return pd.DataFrame(rows, columns=list(COMPLETION_COLUMNS))


def attrition_tables(responses: pd.DataFrame, participants: pd.DataFrame,
                     by: Sequence[str] = ("profession", "organisation", "cohort_id"),
                     **kwargs) -> dict[str, pd.DataFrame]:
    """:func:`attrition_by` for each grouping column present in ``participants``."""
    return {b: attrition_by(responses, participants, b, **kwargs)
            for b in by if b in participants.columns}
