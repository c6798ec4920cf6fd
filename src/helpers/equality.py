"""Equality of access and outcome: who got in, and who benefited, by group.

The NHS People Plan asks for compassionate and inclusive leadership, and the Workforce Race
Equality Standard (WRES) and Workforce Disability Equality Standard (WDES) measure it with one
statistic: the *relative likelihood* of an outcome for one group against a reference group,
the ratio of the two groups' rates. WRES indicator 2, for example, is the likelihood of white
staff being appointed from shortlisting relative to Black and minority ethnic staff. Here the
same statistic is computed at each step of a programme: being selected from the applicants,
completing, improving, and moving into a more senior role afterwards.

A relative likelihood of 1 means both groups fared the same; the 95% interval says how far the
data allow it to be from 1. Intervals use the log method (Katz et al. 1978): the log of the
ratio is close to normal with standard error ``sqrt(1/a - 1/n1 + 1/c - 1/n2)``.

References
----------
NHS England (2023). NHS Workforce Race Equality Standard: technical guidance (indicator 2,
relative likelihood of appointment from shortlisting).
NHS England (2023). Workforce Disability Equality Standard: technical guidance.
NHS England (2020). We are the NHS: People Plan for 2020/21.
Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the risk ratio
in cohort studies. Biometrics 34(3):469-474.
Wilson EB (1927). Probable inference, the law of succession, and statistical inference. Journal
of the American Statistical Association 22:209-212.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

#: the optional columns of participants and applicants that describe a person's group
EQUALITY_COLUMNS = ("ethnicity", "sex", "disability")
#: answers that record no group; never the reference group
NOT_STATED = ("Not stated", "Prefer not to say", "Not known", "Not declared")
RL_COLUMNS = ["group", "n", "events", "rate", "relative_likelihood", "ci_low", "ci_high"]


def _log_ci(a: int, n1: int, c: int, n2: int, level: float) -> tuple[float, float, float]:
    """(ratio, low, high) of (a/n1)/(c/n2) by the log method; NaN where a rate is 0."""
    if n1 == 0 or n2 == 0 or a == 0 or c == 0:
        ratio = (a / n1) / (c / n2) if n1 and n2 and c else np.nan
        return ratio, np.nan, np.nan
    t = Table2x2(np.array([[a, n1 - a], [c, n2 - c]], dtype=float), shift_zeros=False)
    low, high = t.riskratio_confint(alpha=1 - level, method="normal")
    return float(t.riskratio), float(low), float(high)


def relative_likelihood(df: pd.DataFrame, group: str, outcome: str, reference: str,
                        level: float = 0.95) -> pd.DataFrame:
    """WRES-style relative likelihood of ``outcome`` for each group against ``reference``.

    Parameters
    ----------
    df : DataFrame
        One row per person, with ``group`` (the person's group, e.g. ethnicity) and
        ``outcome`` (1 when the person had the outcome, 0 when not).
    group, outcome : str
        Column names.
    reference : str
        The group every other group is compared with (its own row has relative likelihood 1).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        One row per group (reference first, then by size): ``group, n, events, rate,
        relative_likelihood, ci_low, ci_high``; ``rate = events / n`` and
        ``relative_likelihood = rate / rate of the reference``. The reference row's interval
        is missing; so is every interval where either group has no events (the log method
        needs a count in both).

    Notes
    -----
    Relative likelihood RL = (a / n1) / (c / n2), with a of n1 people in the group and c of n2
    in the reference having the outcome; the interval is
    ``exp(log RL +/- z sqrt(1/a - 1/n1 + 1/c - 1/n2))`` (Katz et al. 1978), computed with
    :class:`statsmodels.stats.contingency_tables.Table2x2`. WRES indicator 2 reports the
    likelihood of white applicants being appointed relative to BME applicants; choose
    ``reference`` to match the question asked (RL of group vs reference is 1 / RL of
    reference vs group).

    Missing data: rows with a missing group or outcome are left out. An outcome other than
    0/1 is refused. Display suppression (counts below ``suppress_below``) is applied when the
    table is shown, not here.

    References
    ----------
    NHS England (2023). NHS Workforce Race Equality Standard: technical guidance.
    Katz D, Baptista J, Azen SP, Pike MC (1978). Biometrics 34(3):469-474.

    Examples
    --------
    Selected 30 of 50 in group A, 20 of 50 in group B; in R:
    ``rr <- (30/50)/(20/50); exp(log(rr) + c(-1, 1) * qnorm(0.975) * sqrt(1/30 - 1/50 + 1/20 -
    1/50))`` gives 1.5 (0.9975 to 2.256).

    >>> d = pd.DataFrame({"g": ["A"] * 50 + ["B"] * 50,
    ...                   "y": [1] * 30 + [0] * 20 + [1] * 20 + [0] * 30})
    >>> rl = relative_likelihood(d, "g", "y", reference="B").set_index("group")
    >>> [round(float(rl.loc["A", c]), 3) for c in ("relative_likelihood", "ci_low", "ci_high")]
    [1.5, 0.997, 2.256]
    """
    d = df[[group, outcome]].dropna()
    values = pd.to_numeric(d[outcome], errors="coerce")
    if values.isna().any() or not set(np.unique(values)) <= {0, 1}:
        raise ValueError(f"{outcome!r} must be 0/1 (1 = had the outcome)")
    d = d.assign(**{outcome: values.astype(int), group: d[group].astype(str)})
    if reference not in set(d[group]):
        raise ValueError(f"reference group {reference!r} is not among the values of {group!r}")
    g = d.groupby(group)[outcome].agg(n="size", events="sum")
    order = [reference] + [k for k in g.sort_values("n", ascending=False, kind="stable").index
                           if k != reference]
    g = g.loc[order]
    n2, c = int(g.loc[reference, "n"]), int(g.loc[reference, "events"])
    rows = []
    for name, r in g.iterrows():
        n1, a = int(r["n"]), int(r["events"])
        if name == reference:
            ratio, low, high = (1.0 if c else np.nan), np.nan, np.nan
        else:
            ratio, low, high = _log_ci(a, n1, c, n2, level)
        rows.append({"group": name, "n": n1, "events": a, "rate": a / n1,
                     "relative_likelihood": ratio, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=RL_COLUMNS)


def default_reference(values: pd.Series, preferred: str | None = None) -> str | None:
    """The reference group: ``preferred`` when present, else the largest group that records
    one (never "Not stated" and the like); None when there is no group."""
    v = values.dropna().astype(str)
    if preferred is not None and (v == preferred).any():
        return preferred
    counts = v[~v.isin(NOT_STATED)].value_counts()
    return None if counts.empty else str(counts.index[0])


def relative_likelihoods(people: pd.DataFrame, outcomes: Mapping[str, str],
                         columns=EQUALITY_COLUMNS, references: Mapping[str, str] | None = None,
                         level: float = 0.95) -> pd.DataFrame:
    """:func:`relative_likelihood` for every (descriptor, outcome) pair that the data allow.

    Parameters
    ----------
    people : one row per person with the descriptor columns and 0/1 outcome columns (missing
        where the outcome does not apply to that person, e.g. improvement without two surveys).
    outcomes : outcome column -> label ("selected" -> "Selected from applicants").
    columns : descriptor columns to use (those absent or entirely blank are skipped).
    references : descriptor -> reference group (default :func:`default_reference`).

    Returns
    -------
    Tidy DataFrame ``characteristic, outcome, reference`` plus the columns of
    :func:`relative_likelihood`, in the order given.
    """
    frames = []
    for col in columns:
        if col not in people.columns or people[col].isna().all():
            continue
        for out_col, label in outcomes.items():
            if out_col not in people.columns:
                continue
            d = people[[col, out_col]].dropna()
            ref = default_reference(d[col], (references or {}).get(col))
            if ref is None:
                continue
            rl = relative_likelihood(d, col, out_col, ref, level)
            rl.insert(0, "reference", ref)
            rl.insert(0, "outcome", label)
            rl.insert(0, "characteristic", col)
            frames.append(rl)
    cols = ["characteristic", "outcome", "reference"] + RL_COLUMNS
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def representation(people: pd.DataFrame, column: str, baseline: Mapping[str, float],
                   level: float = 0.95) -> pd.DataFrame:
    """Each group's share of ``people`` beside its share of the workforce.

    Parameters
    ----------
    people : one row per person (participants, or applicants) with ``column``.
    column : descriptor (ethnicity, sex, disability).
    baseline : group -> share of the eligible workforce (0 to 1), as given in dataset.yaml.

    Returns
    -------
    DataFrame ``group, n, share, ci_low, ci_high, baseline, ratio, ratio_low, ratio_high``:
    ``share`` with its Wilson interval (Wilson 1927; :func:`statsmodels.stats.proportion.
    proportion_confint`), and the representation ratio ``share / baseline`` with the interval
    divided likewise (the baseline is taken as known). Groups in the baseline but not among
    the people appear with n = 0. People with a missing value are left out of the shares.
    """
    v = people[column].dropna().astype(str)
    total = len(v)
    counts = v.value_counts()
    groups = list(dict.fromkeys([*map(str, baseline), *counts.index]))
    rows = []
    for g in groups:
        n = int(counts.get(g, 0))
        low, high = (proportion_confint(n, total, alpha=1 - level, method="wilson")
                     if total else (np.nan, np.nan))
        base = float(baseline[g]) if g in baseline else np.nan
        share = n / total if total else np.nan
        ok = np.isfinite(base) and base > 0
        rows.append({"group": g, "n": n, "share": share, "ci_low": float(low),
                     "ci_high": float(high), "baseline": base,
                     "ratio": share / base if ok else np.nan,
                     "ratio_low": low / base if ok else np.nan,
                     "ratio_high": high / base if ok else np.nan})
    return pd.DataFrame(rows)


def selection_outcome(applicants: pd.DataFrame) -> pd.DataFrame:
    """Applicants with a 0/1 ``selected`` column: 1 when admitted, 0 when not admitted or wait-
    listed; applicants who withdrew made no selection decision and are left out."""
    a = applicants[applicants["outcome"].astype(str) != "withdrew"].copy()
    a["selected"] = (a["outcome"].astype(str) == "admitted").astype(int)
    return a


def person_outcomes(participants: pd.DataFrame, completion: pd.DataFrame | None = None,
                    change: pd.Series | None = None, durations: pd.DataFrame | None = None,
                    horizon: float = 24) -> pd.DataFrame:
    """One row per participant with the descriptors and 0/1 outcome columns.

    Parameters
    ----------
    participants : the participants table (descriptor columns optional).
    completion : :func:`helpers.reach.days_attended` output (``completed``).
    change : per-participant mean change in self-rated leadership (start to end), as
        :func:`helpers.evaluation.participant_change`; ``improved`` is 1 when above 0.
    durations : :func:`helpers.careers.pipeline_durations`; ``moved`` is 1 when the person
        moved into a new or more senior leadership role within ``horizon`` months of the cohort
        ending, 0 when followed that long without moving, and missing when followed for less
        (their status at the horizon is not known).

    Returns
    -------
    DataFrame ``participant_id``, the descriptor columns present, and ``completed``,
    ``improved``, ``moved`` (floats: 1, 0 or missing where the outcome does not apply).
    """
    keep = ["participant_id", *[c for c in EQUALITY_COLUMNS if c in participants.columns]]
    out = participants[keep].copy()
    if completion is not None and len(completion):
        done = completion.set_index("participant_id")["completed"]
        out["completed"] = out["participant_id"].map(done).astype(float)
    if change is not None and len(change):
        out["improved"] = out["participant_id"].astype(str).map(change > 0).astype(float)
    if durations is not None and len(durations):
        d = durations.set_index("participant_id")
        known = d["moved"] & (d["months"] <= horizon)
        status = pd.Series(np.where(known, 1.0, np.where(d["months"] >= horizon, 0.0, np.nan)),
                           index=d.index)
        out["moved"] = out["participant_id"].map(status)
    return out.reset_index(drop=True)


def chi2_homogeneity(df: pd.DataFrame, group: str, outcome: str) -> float:
    """p-value of Pearson's chi-squared test that the outcome rate is the same in every group
    (:func:`scipy.stats.chi2_contingency`); NaN when there are fewer than two groups."""
    d = df[[group, outcome]].dropna()
    tab = pd.crosstab(d[group], d[outcome])
    if tab.shape[0] < 2 or tab.shape[1] < 2:
        return np.nan
    return float(stats.chi2_contingency(tab.to_numpy(), correction=False)[1])
