"""Reach and reaction (Kirkpatrick level 1, and the RE-AIM "reach" dimension).

Who the programme reached (participants by cohort, organisation, profession and role), whether
they came (attendance by module, completion of every day of every module), what they thought of
it (satisfaction, relevance, would recommend) and how much it was wanted (applications per
place, where cohorts record them).

Every function returns counts; the notebook passes them through
:func:`helpers.report.disclosure.suppress_table`, so counts below ``suppress_below`` show as
``<N`` and the percentages built on them are withheld.

References
----------
Kirkpatrick DL, Kirkpatrick JD (2006). Evaluating training programs: the four levels, 3rd edn.
San Francisco: Berrett-Koehler.
Glasgow RE, Vogt TM, Boles SM (1999). Evaluating the public health impact of health promotion
interventions: the RE-AIM framework. American Journal of Public Health 89:1322-1327.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

NOT_RECORDED = "not recorded"


def participants_by(participants: pd.DataFrame, by: str) -> pd.DataFrame:
    """Participants per value of ``by`` (cohort_id, organisation, profession, role...).

    Returns
    -------
    DataFrame ``<by>, n, share``, largest first; missing values counted as "not recorded";
    ``share`` is the proportion of all participants (0 to 1).
    """
    values = participants[by].astype(object).where(participants[by].notna(), NOT_RECORDED)
    values = values.where(values.astype(str).str.strip() != "", NOT_RECORDED)
    out = values.value_counts().rename_axis(by).reset_index(name="n")
    total = int(out["n"].sum())
    out["share"] = out["n"] / total if total else np.nan
    return out.sort_values(["n", by], ascending=[False, True]).reset_index(drop=True)


def cohort_table(participants: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """Participants per cohort with the cohort's dates and delivery mode, in date order.

    Returns
    -------
    DataFrame ``cohort_id, start_date, end_date, delivery_mode, n`` (cohorts without
    participants show 0).
    """
    n = participants.groupby("cohort_id").size().rename("n")
    cols = [c for c in ("cohort_id", "start_date", "end_date", "delivery_mode") if c in cohorts]
    out = cohorts[cols].merge(n, left_on="cohort_id", right_index=True, how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    sort = "start_date" if "start_date" in out else "cohort_id"
    return out.sort_values([sort, "cohort_id"]).reset_index(drop=True)


def days_attended(attendance: pd.DataFrame, participants: pd.DataFrame,
                  days: int | None = None) -> pd.DataFrame:
    """Days attended and scheduled per participant.

    Parameters
    ----------
    attendance : participant x session rows (module, session_date, attended).
    participants : the participants in scope (everyone counts, with or without attendance rows).
    days : programme days (programmes.days); when given a participant completed when they
        attended at least that many days, otherwise when they attended every session scheduled
        for their cohort (distinct module and date across the cohort's rows).

    Returns
    -------
    DataFrame ``participant_id, cohort_id, attended, scheduled, completed``.
    """
    a = attendance.merge(participants[["participant_id", "cohort_id"]], on="participant_id",
                         how="inner")
    sessions = (a.drop_duplicates(["cohort_id", "module", "session_date"])
                .groupby("cohort_id").size().rename("scheduled"))
    went = (a[a["attended"].astype(bool)].drop_duplicates(["participant_id", "module",
                                                          "session_date"])
            .groupby("participant_id").size().rename("attended"))
    out = participants[["participant_id", "cohort_id"]].copy()
    out = out.merge(went, left_on="participant_id", right_index=True, how="left")
    out = out.merge(sessions, left_on="cohort_id", right_index=True, how="left")
    out["attended"] = out["attended"].fillna(0).astype(int)
    if days is not None and not pd.isna(days) and int(days) > 0:
        out["scheduled"] = int(days)
    out["scheduled"] = out["scheduled"].fillna(0).astype(int)
    out["completed"] = (out["scheduled"] > 0) & (out["attended"] >= out["scheduled"])
    return out.reset_index(drop=True)


def completion_by(attendance: pd.DataFrame, participants: pd.DataFrame, by: str = "cohort_id",
                  days: int | None = None) -> pd.DataFrame:
    """Completion (every day of every module attended) per group, with an ``All`` row.

    Returns
    -------
    DataFrame ``<by>, n, n_completed, share_completed, mean_days``.
    """
    d = days_attended(attendance, participants, days)
    if by != "cohort_id":
        d = d.merge(participants[["participant_id", by]], on="participant_id", how="left")
    d[by] = d[by].astype(object).where(d[by].notna(), NOT_RECORDED)
    out = d.groupby(by, sort=True).agg(n=("participant_id", "size"),
                                       n_completed=("completed", "sum"),
                                       mean_days=("attended", "mean")).reset_index()
    total = pd.DataFrame({by: ["All"], "n": [len(d)], "n_completed": [int(d["completed"].sum())],
                          "mean_days": [d["attended"].mean() if len(d) else np.nan]})
    out = pd.concat([out, total], ignore_index=True)
    out["n_completed"] = out["n_completed"].astype(int)
    out["share_completed"] = out["n_completed"] / out["n"].where(out["n"] > 0)
    return out[[by, "n", "n_completed", "share_completed", "mean_days"]]


def attendance_by_module(attendance: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Attendance per module.

    Returns
    -------
    DataFrame ``module, days, n, n_all_days, share_all_days, attendance_rate``: ``days`` the
    most sessions any cohort had for the module, ``n`` participants in scope, ``n_all_days``
    those who attended every session of the module scheduled for their cohort, and
    ``attendance_rate`` the share of scheduled participant-days attended.
    """
    a = attendance.merge(participants[["participant_id", "cohort_id"]], on="participant_id",
                         how="inner")
    cols = ["module", "days", "n", "n_all_days", "share_all_days", "attendance_rate"]
    if a.empty:
        return pd.DataFrame(columns=cols)
    sched = (a.drop_duplicates(["cohort_id", "module", "session_date"])
             .groupby(["cohort_id", "module"]).size().rename("scheduled").reset_index())
    went = (a[a["attended"].astype(bool)].drop_duplicates(["participant_id", "module",
                                                          "session_date"])
            .groupby(["participant_id", "module"]).size().rename("went").reset_index())
    grid = participants[["participant_id", "cohort_id"]].merge(sched, on="cohort_id", how="inner")
    grid = grid.merge(went, on=["participant_id", "module"], how="left")
    grid["went"] = grid["went"].fillna(0)
    grid["all_days"] = grid["went"] >= grid["scheduled"]
    out = grid.groupby("module").agg(days=("scheduled", "max"), n=("participant_id", "nunique"),
                                     n_all_days=("all_days", "sum"), went=("went", "sum"),
                                     scheduled=("scheduled", "sum")).reset_index()
    out["n_all_days"] = out["n_all_days"].astype(int)
    out["share_all_days"] = out["n_all_days"] / out["n"]
    out["attendance_rate"] = out["went"] / out["scheduled"]
    return out[cols].sort_values("module").reset_index(drop=True)


def reaction_summary(responses: pd.DataFrame, items: pd.DataFrame, instrument_id: str,
                     level: float = 0.95) -> pd.DataFrame:
    """Reaction scores per item: mean with a t confidence interval, median and the share
    answering in the top two levels ("agree" or "strongly agree" on a 1-5 scale).

    Returns
    -------
    Tidy DataFrame ``scale, item_id, text, estimate, ci_low, ci_high, p_value, n, sd, median,
    n_top2, share_top2, min, max``: ``estimate`` the mean answer, ``p_value`` missing (nothing
    is tested).

    Notes
    -----
    CI = mean +/- t_{1-a/2, n-1} * sd / sqrt(n), the usual interval for a mean of ordinal
    answers treated as interval (Norman 2010, "Likert scales, levels of measurement and the
    'laws' of statistics", Adv Health Sci Educ 15:625-632). The top-two-box share is shown
    beside it because it needs no such assumption.
    """
    r = responses[responses["instrument_id"] == instrument_id]
    it = items[items["instrument_id"] == instrument_id]
    r = r.merge(it[["item_id", "scale", "text", "min", "max"]], on="item_id", how="inner")
    r = r.assign(v=pd.to_numeric(r["value"], errors="coerce")).dropna(subset=["v"])
    rows = []
    for _, item in it.iterrows():
        v = r.loc[r["item_id"] == item["item_id"], "v"].to_numpy(dtype=float)
        n = int(v.size)
        mean = float(v.mean()) if n else np.nan
        sd = float(v.std(ddof=1)) if n > 1 else np.nan
        lo = hi = np.nan
        if n > 1:
            half = stats.t.ppf(1 - (1 - level) / 2, n - 1) * sd / np.sqrt(n)
            lo, hi = mean - half, mean + half
        top2 = int((v >= float(item["max"]) - 1).sum())
        rows.append({"scale": item["scale"], "item_id": item["item_id"], "text": item["text"],
                     "estimate": mean, "ci_low": lo, "ci_high": hi, "p_value": np.nan, "n": n,
                     "sd": sd, "median": float(np.median(v)) if n else np.nan, "n_top2": top2,
                     "share_top2": top2 / n if n else np.nan, "min": item["min"],
                     "max": item["max"]})
    cols = ["scale", "item_id", "text", "estimate", "ci_low", "ci_high", "p_value", "n", "sd",
            "median", "n_top2", "share_top2", "min", "max"]
    return pd.DataFrame(rows, columns=cols)


def demand(cohorts: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Demand per cohort, where cohorts record ``places`` and/or ``applications``.

    Returns
    -------
    DataFrame ``cohort_id, places, applications, n, applications_per_place, fill_rate``
    (``n`` participants; fill rate = participants / places) with an ``All`` row; empty when
    neither column has any value.
    """
    have = [c for c in ("places", "applications") if c in cohorts and cohorts[c].notna().any()]
    cols = ["cohort_id", "places", "applications", "n", "applications_per_place", "fill_rate"]
    if not have:
        return pd.DataFrame(columns=cols)
    out = cohorts[["cohort_id"] + have].copy()
    for c in ("places", "applications"):
        if c not in out:
            out[c] = np.nan
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    n = participants.groupby("cohort_id").size().rename("n")
    out = out.merge(n, left_on="cohort_id", right_index=True, how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    total = pd.DataFrame({"cohort_id": ["All"], "places": [out["places"].sum(min_count=1)],
                          "applications": [out["applications"].sum(min_count=1)],
                          "n": [int(out["n"].sum())]})
    out = pd.concat([out.sort_values("cohort_id"), total], ignore_index=True)
    out["applications_per_place"] = out["applications"] / out["places"].where(out["places"] > 0)
    out["fill_rate"] = out["n"] / out["places"].where(out["places"] > 0)
    return out[cols]
