"""Reach and reaction (Kirkpatrick level 1, and the RE-AIM "reach" dimension).

Who the programme reached (participants by cohort, organisation, profession and role), whether
they came (attendance by module, completion of every day of every module), what they thought of
it (satisfaction, relevance, would recommend) and how much it was wanted (applications per
place, where cohorts record them).

The analysis functions return counts; :func:`prepare` gathers them for one report scope in a
:class:`ReachResults`, and the ``show_*`` functions pass them through
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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from helpers.outcomes.display import CI, format_estimates
from helpers.outcomes.likert import (NON_LEVEL_COLUMNS, chartable_items, diverging_likert_figure,
                                     likert_distribution)
from helpers.report.disclosure import (SECONDARY_MARK, is_suppressed, own_cell_code,
                                       pins_answers, suppress_count, suppress_table, zero_spread)
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_ci, fmt_int, fmt_num, fmt_pct, plural
from helpers.report.results import Results

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


def cohort_breakdown_fixed(table: pd.DataFrame, by: str, programme: pd.DataFrame,
                           cohort_id: str | None, threshold: int,
                           cohort_codes: dict | None = None) -> pd.DataFrame:
    """Fixed codes (``suppress_table(fixed=...)``) for a cohort report's breakdown ``table``
    (:func:`participants_by`), decided across the programme's cohorts.

    The programme report shows each category's participants, the sum over its cohorts, so a
    cohort report showing 80 of a programme's 84 from one trust, beside cohort reports showing
    the rest, gives away the last cohort's 4. Each category's cohort counts are protected
    together as one margin (:func:`helpers.report.disclosure.own_cell_code`) and this cohort's
    row takes the code of its own cell. All empty for a programme report.

    Parameters
    ----------
    table : ``<by>, n, share`` of this cohort.
    programme : the programme's participants (``cohort_id`` and ``by``).
    cohort_codes : codes of cohorts hidden across the programme's reports.

    Examples
    --------
    Trust A has 11, 4 and 7 people in cohorts c1 to c3 (22 in the programme report): c2's 4
    is hidden, and c3's 7 too, or 22 - 11 - 7 would give it back.

    >>> prog = pd.DataFrame({"cohort_id": ["c1"] * 16 + ["c2"] * 10 + ["c3"] * 15,
    ...                      "organisation": ["A"] * 11 + ["B"] * 5 + ["A"] * 4 + ["B"] * 6
    ...                                      + ["A"] * 7 + ["B"] * 8})
    >>> for c in ("c1", "c2", "c3"):
    ...     own = participants_by(prog[prog["cohort_id"] == c], "organisation")
    ...     codes = cohort_breakdown_fixed(own, "organisation", prog, c, 5)["n"]
    ...     print(c, dict(zip(own["organisation"], codes)))
    c1 {'A': '', 'B': ''}
    c2 {'B': '', 'A': 'primary'}
    c3 {'B': '', 'A': 'secondary'}
    """
    out = pd.DataFrame("", index=table.index, columns=["n"], dtype=object)
    if cohort_id is None:
        return out
    label = programme[by].astype(object).where(programme[by].notna(), NOT_RECORDED)
    label = label.where(label.astype(str).str.strip() != "", NOT_RECORDED)
    counts = pd.crosstab(label, programme["cohort_id"].astype(str))
    for idx, value in table[by].items():
        if value in counts.index:
            out.at[idx, "n"] = own_cell_code(counts.loc[value].to_dict(), str(cohort_id),
                                             threshold, cohort_codes)
    return out


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
    n_top2, share_top2, min, max, ci_clipped``: ``estimate`` the mean answer, ``p_value``
    missing (nothing is tested), ``ci_clipped`` True where the interval was cut at an end of
    the scale.

    Notes
    -----
    CI = mean +/- t_{1-a/2, n-1} * sd / sqrt(n), the usual interval for a mean of ordinal
    answers treated as interval (Norman 2010, "Likert scales, levels of measurement and the
    'laws' of statistics", Adv Health Sci Educ 15:625-632), truncated at the scale's ``min``
    and ``max``: a mean of answers on 1 to 5 cannot lie outside 1 to 5, so the part of a
    symmetric interval beyond an end holds no possible value (the reported interval then
    covers at least the nominal level). The top-two-box share is shown beside it because it
    needs no such assumption.
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
        # no mean of answers can lie beyond the scale's ends: the interval is cut there
        clipped = bool(n > 1 and (lo < float(item["min"]) or hi > float(item["max"])))
        if n > 1:
            lo, hi = max(lo, float(item["min"])), min(hi, float(item["max"]))
        top2 = int((v >= float(item["max"]) - 1).sum())
        rows.append({"scale": item["scale"], "item_id": item["item_id"], "text": item["text"],
                     "estimate": mean, "ci_low": lo, "ci_high": hi, "p_value": np.nan, "n": n,
                     "sd": sd, "median": float(np.median(v)) if n else np.nan, "n_top2": top2,
                     "share_top2": top2 / n if n else np.nan, "min": item["min"],
                     "max": item["max"], "ci_clipped": clipped})
    cols = ["scale", "item_id", "text", "estimate", "ci_low", "ci_high", "p_value", "n", "sd",
            "median", "n_top2", "share_top2", "min", "max", "ci_clipped"]
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


# --- the section's results (notebook 10) ----------------------------------------------------

BY_WORDS = {"cohort_id": "Cohort", "organisation": "Organisation", "profession": "Profession",
            "role": "Role"}

REACTION_COLUMNS = ("instrument_id", "scale", "item_id", "text", "estimate", "ci_low", "ci_high",
                    "p_value", "n", "sd", "median", "n_top2", "share_top2", "min", "max",
                    "ci_clipped")


@dataclass
class ReachResults(Results):
    """Reach and reaction for one report scope (tidy DataFrames; nothing suppressed yet).

    Attributes
    ----------
    threshold : int
        ``suppress_below`` of dataset.yaml: the displays hide counts below it.
    scope : str
        The programme (and cohort) in words.
    cohort_id : str or None
        The cohort of a cohort report; None for the programme.
    days : float or None
        Programme days (``programmes.days``), the completion rule when given.
    n_cohorts, n_organisations : int
        Cohorts in scope, and the organisations their participants come from.
    cohorts : DataFrame
        :func:`cohort_table`: ``cohort_id, start_date, end_date, delivery_mode, n``.
    by_organisation, by_profession, by_role : DataFrame
        :func:`participants_by`: ``<by>, n, share`` (``by`` the column named in the field).
    attendance : DataFrame
        :func:`days_attended`, one row per participant: ``participant_id, cohort_id, attended,
        scheduled, completed``.
    modules : DataFrame
        :func:`attendance_by_module`: ``module, days, n, n_all_days, share_all_days,
        attendance_rate``.
    completion : DataFrame
        :func:`completion_by` cohort: ``cohort_id, n, n_completed, share_completed, mean_days``
        with an ``All`` row.
    reaction : DataFrame
        :func:`reaction_summary` of every reaction instrument answered in scope, with its
        ``instrument_id``.
    reaction_levels : DataFrame
        Answers per item and level, long: ``instrument_id, item_id, level, answers``.
    distributions : dict of str to DataFrame
        The same by instrument id, wide (:func:`helpers.outcomes.likert.likert_distribution`:
        one column per level, ``n``, ``text``, ``reverse_scored``), as the chart draws it.
    demand : DataFrame
        :func:`demand`: ``cohort_id, places, applications, n, applications_per_place,
        fill_rate`` with an ``All`` row; empty when cohorts record neither.
    instruments : list of dict
        The reaction instruments answered in scope (from dataset.yaml).
    fixed : dict of str to DataFrame
        For ``cohorts``, ``completion`` and ``demand``: the programme-wide suppression codes of
        their cohort rows (:meth:`helpers.report.context.Report.cohort_fixed`), so that every
        report of the programme hides the same cohorts; for ``organisation``, ``profession``
        and ``role``: the codes of a cohort report's breakdown decided across the programme's
        cohorts (:func:`cohort_breakdown_fixed`).
    """

    threshold: int
    scope: str
    cohort_id: str | None
    days: float | None
    n_cohorts: int
    n_organisations: int
    cohorts: pd.DataFrame
    by_organisation: pd.DataFrame
    by_profession: pd.DataFrame
    by_role: pd.DataFrame
    attendance: pd.DataFrame
    modules: pd.DataFrame
    completion: pd.DataFrame
    reaction: pd.DataFrame
    reaction_levels: pd.DataFrame
    demand: pd.DataFrame
    distributions: dict = field(default_factory=dict)
    instruments: list = field(default_factory=list)
    fixed: dict = field(default_factory=dict)

    COLUMNS = {
        "cohorts": ("cohort_id", "start_date", "end_date", "delivery_mode", "n"),
        "by_organisation": ("organisation", "n", "share"),
        "by_profession": ("profession", "n", "share"),
        "by_role": ("role", "n", "share"),
        "attendance": ("participant_id", "cohort_id", "attended", "scheduled", "completed"),
        "modules": ("module", "days", "n", "n_all_days", "share_all_days", "attendance_rate"),
        "completion": ("cohort_id", "n", "n_completed", "share_completed", "mean_days"),
        "reaction": REACTION_COLUMNS,
        "reaction_levels": ("instrument_id", "item_id", "level", "answers"),
        "demand": ("cohort_id", "places", "applications", "n", "applications_per_place",
                   "fill_rate"),
    }

    @property
    def n(self) -> int:
        """Participants in scope."""
        return int(self.by_organisation["n"].sum())

    def summary(self) -> pd.DataFrame:
        """Participants by cohort, suppressed as in the report."""
        return cohorts_display(self)


def reaction_instruments(instruments: list[dict], responses: pd.DataFrame) -> list[dict]:
    """Reaction-kind instruments with answers in ``responses``."""
    answered = set(responses["instrument_id"].astype(str))
    return [i for i in instruments if i.get("kind") == "reaction" and i["instrument_id"] in answered]


def _reaction_frames(data, instruments: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Reaction summaries (stacked), answers per level (long) and the distributions by
    instrument (wide, as :func:`helpers.outcomes.likert.likert_distribution`)."""
    summaries, levels, dists = [], [], {}
    for inst in instruments:
        iid = inst["instrument_id"]
        summaries.append(reaction_summary(data.responses, data.items, iid).assign(instrument_id=iid))
        dist = likert_distribution(data.responses, data.items, iid, wave=None, rater=None)
        dists[iid] = dist
        cols = [c for c in dist.columns if c not in NON_LEVEL_COLUMNS]
        long = dist[cols].rename_axis("item_id").reset_index().melt(
            id_vars="item_id", var_name="level", value_name="answers")
        levels.append(long.assign(instrument_id=iid))
    reaction = (pd.concat(summaries, ignore_index=True)[list(REACTION_COLUMNS)] if summaries
                else pd.DataFrame(columns=list(REACTION_COLUMNS)))
    long_cols = ["instrument_id", "item_id", "level", "answers"]
    long = (pd.concat(levels, ignore_index=True)[long_cols] if levels
            else pd.DataFrame(columns=long_cols))
    return reaction, long, dists


def prepare(rep) -> ReachResults:
    """Compute notebook 10's tables for the report's scope, once.

    Parameters
    ----------
    rep : :class:`helpers.report.context.Report`

    Returns
    -------
    ReachResults
    """
    d = rep.data
    days = rep.programme.get("days")
    days = None if days is None or pd.isna(days) else float(days)
    p = d.participants
    insts = reaction_instruments(rep.data.instruments, d.responses)
    reaction, levels, dists = _reaction_frames(d, insts)
    empty_modules = pd.DataFrame(columns=list(ReachResults.COLUMNS["modules"]))
    cohorts = cohort_table(p, d.cohorts)
    completion = completion_by(d.attendance, p, days=days)
    dem = demand(d.cohorts, p)
    fixed = {"cohorts": rep.cohort_fixed(cohorts, "cohort_id", "n"),
             "completion": rep.cohort_fixed(completion, "cohort_id", "n", ("n_completed",)),
             "demand": rep.cohort_fixed(dem, "cohort_id", "n")}
    programme = rep.full.subset(programme_id=rep.programme_id).participants
    breakdowns = {by: participants_by(p, by) for by in ("organisation", "profession", "role")}
    for by, table in breakdowns.items():
        fixed[by] = cohort_breakdown_fixed(table, by, programme, rep.cohort_id, rep.threshold,
                                           rep.cohort_codes)
    return ReachResults(
        threshold=rep.threshold, scope=rep.scope, cohort_id=rep.cohort_id, days=days,
        n_cohorts=int(d.cohorts["cohort_id"].nunique()),
        n_organisations=int(p["organisation"].nunique()),
        cohorts=cohorts,
        by_organisation=breakdowns["organisation"],
        by_profession=breakdowns["profession"],
        by_role=breakdowns["role"],
        attendance=days_attended(d.attendance, p, days),
        modules=attendance_by_module(d.attendance, p) if len(d.attendance) else empty_modules,
        completion=completion,
        reaction=reaction, reaction_levels=levels, distributions=dists,
        demand=dem, instruments=insts, fixed=fixed)


# --- displays (notebook 10) -----------------------------------------------------------------

def show_participants(res: ReachResults, by: str) -> None:
    """Section table: participants per ``by`` value, small counts suppressed.

    The rows add up to the scope's size, which the report publishes, so the column is protected
    as a margin with a known total (complements shown as ``[c]``).
    """
    t = {"organisation": res.by_organisation, "profession": res.by_profession,
         "role": res.by_role}[by]
    name = BY_WORDS.get(by, by)
    shown = suppress_table(t, ["n"], res.threshold, pct_cols={"share": "n"},
                           fixed=res.fixed.get(by))
    show_table(shown.rename(columns={by: name, "n": "Participants", "share": "Share"}),
               caption=f"Participants by {name.lower()}")


def cohorts_display(res: ReachResults) -> pd.DataFrame:
    """The cohorts table for a report: a cohort's size hidden as in every report of the
    programme (:attr:`helpers.report.context.Report.cohort_codes`)."""
    t = res.cohorts
    shown = suppress_table(t, ["n"], res.threshold, fixed=res.fixed["cohorts"])
    return shown.rename(columns={"cohort_id": "Cohort", "start_date": "Start",
                                 "end_date": "End", "delivery_mode": "Delivery",
                                 "n": "Participants"})


def show_cohorts(res: ReachResults) -> None:
    """Section table: cohorts with dates, delivery mode and participants."""
    show_table(cohorts_display(res), caption="Cohorts and participants")


def reach_sentences(res: ReachResults) -> list[str]:
    """Headline sentences: how many took part, in how many cohorts, from how many organisations,
    and how many completed every day."""
    n = res.n
    out = [f"{suppress_count(n, res.threshold)} participants in {res.scope}, in "
           f"{plural(res.n_cohorts, 'cohort')} from {plural(res.n_organisations, 'organisation')}."]
    if len(res.modules):
        total = res.completion[res.completion["cohort_id"] == "All"].iloc[0]
        what = f"all {int(res.days)} days" if res.days else "every session"
        done, rest = int(total["n_completed"]), int(total["n"] - total["n_completed"])
        if is_suppressed(n, res.threshold) or is_suppressed(done, res.threshold) or \
                is_suppressed(rest, res.threshold):
            out.append(f"Completion of {what} is not given as a number because one of the "
                       f"groups has fewer than {res.threshold} people.")
        else:
            out.append(f"{suppress_count(done, res.threshold)} of them "
                       f"({fmt_pct(total['share_completed'], 0)}) attended {what}.")
    return out


def attendance_display(m: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The attendance-by-module table for a report.

    Modules overlap (everyone takes each), so the rows are not a partition; but "attended every
    day" is part of the module's participants, so both it and the rest are protected.
    """
    shown = suppress_table(m, ["n", "n_all_days"], threshold,
                           pct_cols={"share_all_days": "n_all_days"}, totals_visible=False,
                           parts={"n_all_days": "n"},
                           hide_with={"attendance_rate": "n_all_days"})
    # days missed out of a known number of days bound how many missed one, so the rate goes
    # with the count of those who attended every day
    shown["attendance_rate"] = ["–" if v == "–" or n < threshold else f"{r:.0%}"
                                for v, r, n in zip(shown["attendance_rate"], m["attendance_rate"],
                                                   m["n"])]
    return shown


def completion_display(c: pd.DataFrame, threshold: int, fixed=None) -> pd.DataFrame:
    """The completion-by-cohort table (with its ``All`` row) for a report.

    Cohort rows add up to the ``All`` row (a known total, so column margins are protected) and
    each row's completers are part of its participants (so the non-completers are protected);
    the mean days attended is withheld wherever the completers are hidden, since with few
    days it gives them back (19 days over 10 people on a two-day programme is 9 completers).
    """
    shown = suppress_table(c, ["n", "n_completed"], threshold,
                           pct_cols={"share_completed": "n_completed"},
                           parts={"n_completed": "n"}, fixed=fixed,
                           total_rows=(c["cohort_id"] == "All").tolist(),
                           hide_with={"mean_days": "n_completed"})
    shown["mean_days"] = [v if v == "–" else f"{d:.1f}"
                          for v, d in zip(shown["mean_days"], c["mean_days"])]
    return shown


def show_attendance(res: ReachResults) -> None:
    """Section tables: attendance by module, then completion by cohort."""
    if res.modules.empty:
        show_callout("No attendance is recorded for this scope.")
        return
    shown = attendance_display(res.modules, res.threshold)
    show_table(shown.rename(columns={"module": "Module", "days": "Days", "n": "Participants",
                                     "n_all_days": "Attended every day",
                                     "share_all_days": "Share",
                                     "attendance_rate": "Participant-days attended"}),
               caption="Attendance by module")
    c = res.completion
    if res.cohort_id is not None:
        c = c[c["cohort_id"] == "All"]
    fixed = res.fixed["completion"].loc[c.index]
    shown = completion_display(c, res.threshold, fixed)
    show_table(shown.rename(columns={"cohort_id": "Cohort", "n": "Participants",
                                     "n_completed": "Completed every day", "share_completed":
                                     "Share", "mean_days": "Mean days attended"}),
               caption="Completion: every day of every module attended")


def reaction_display(res: ReachResults, inst: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One instrument's reaction summary with disclosure applied, and its answer distribution.

    A mean over answers that take two values one of which few gave (or one value) gives the
    answers back, so its spread is set to zero and the mean withheld; a share of a known number
    of answers gives the count and the rest, so both must be safe.
    """
    iid = inst["instrument_id"]
    r = res.reaction[res.reaction["instrument_id"] == iid].drop(columns="instrument_id")
    r = r.reset_index(drop=True)
    dist = res.distributions[iid]
    levels = [c for c in dist.columns if c not in NON_LEVEL_COLUMNS]
    pinned = {i for i, row in dist[levels].iterrows() if pins_answers(row, res.threshold)}
    r.loc[r["item_id"].isin(pinned), "sd"] = 0.0
    small = [is_suppressed(k, res.threshold) or is_suppressed(n - k, res.threshold)
             for k, n in zip(r["n_top2"], r["n"])]
    r["share_top2"] = r["share_top2"].mask(pd.Series(small, index=r.index))
    labels = {s["scale_id"]: s.get("label", s["scale_id"]) for s in inst.get("scales", [])}
    # answers are part of the scope's participants, whose number the report publishes: where
    # fewer than the threshold did not answer, the count would give them away by subtraction
    r["n_hidden"] = [n >= res.threshold and is_suppressed(res.n - n, res.threshold)
                     for n in r["n"]]
    return r.assign(scale=r["scale"].map(lambda s: labels.get(s, s))), dist


def reaction_sentences(shown: pd.DataFrame, threshold: int) -> list[str]:
    """One sentence per reaction item of :func:`reaction_display`."""
    lines = []
    hidden = shown["n_hidden"] if "n_hidden" in shown else pd.Series(False, index=shown.index)
    for idx, row in shown.iterrows():
        if row["n"] < threshold:
            lines.append(f"{row['scale']}: fewer than {threshold} answers, not reported.")
            continue
        if zero_spread(row["sd"]):
            lines.append(f"{row['scale']} ('{row['text']}'): the answers were all the same, "
                         f"or took two values one of which fewer than {threshold} gave, "
                         "so the mean is not reported (it would give people's answers).")
            continue
        agreed = (f"{fmt_pct(row['share_top2'], 0)} agreed or strongly agreed"
                  if pd.notna(row["share_top2"]) else
                  f"the share agreeing is not given (fewer than {threshold} did, or did not)")
        answers = (f"all but fewer than {threshold} participants' answers" if hidden[idx]
                   else f"{fmt_int(row['n'])} answers")
        lines.append(f"{row['scale']} ('{row['text']}'): mean {fmt_num(row['estimate'])} "
                     f"(95% CI {fmt_ci(row['ci_low'], row['ci_high'])}) from {answers}; "
                     f"{agreed}.")
    return lines


def show_reaction(res: ReachResults) -> None:
    """Section: reaction scores per item (mean, CI, top-two share), sentences and the chart."""
    if not res.instruments:
        show_callout("No reaction survey answers are recorded for this scope.")
        return
    for inst in res.instruments:
        shown, dist = reaction_display(res, inst)
        table = format_estimates(shown, res.threshold, {
            "scale": "Measure", "text": "Question", "n": "Answers", "estimate": "Mean",
            CI: "95% CI", "median": "Median", "share_top2": "Agree or strongly agree"},
            n_cols=("n",), pct_cols=("share_top2",))
        table.loc[shown["n_hidden"].to_numpy(), "Answers"] = SECONDARY_MARK
        notes = []
        reported = (shown["n"] >= res.threshold) & ~shown["sd"].map(zero_spread)
        if (shown["ci_clipped"] & reported).any():
            notes.append("Intervals are cut at the ends of the answer scale, where a mean "
                         "cannot lie.")
        show_table(table, caption=f"{inst.get('name', inst['instrument_id'])}", units=(
            f"answers from {fmt_num(shown['min'].min(), 0)} to "
            f"{fmt_num(shown['max'].max(), 0)}" if len(shown) else None),
            note=" ".join(notes) or None)
        show_sentences(reaction_sentences(shown, res.threshold), title="In words")
        fig = diverging_likert_figure(dist, inst.get("labels"), res.threshold)
        if fig is not None:
            drawn = chartable_items(dist, res.threshold).index
            best = shown[shown["item_id"].isin(drawn) & ~shown["sd"].map(zero_spread)
                         & shown["share_top2"].notna()].sort_values("share_top2", ascending=False)
            alt = (f"Diverging bar chart of answers to {len(drawn)} reaction questions. "
                   + (f"Most agreement: '{best.iloc[0]['text']}' "
                      f"({fmt_pct(best.iloc[0]['share_top2'], 0)} agree or strongly agree)."
                      if len(best) else ""))
            show_figure(fig, alt=alt, caption="Distribution of answers (questions with fewer "
                        f"than {res.threshold} answers, or an answer given by fewer than "
                        f"{res.threshold} people, left out)")


def demand_display(d: pd.DataFrame, threshold: int, totals_visible: bool = True,
                   fixed=None) -> pd.DataFrame:
    """The demand table formatted for a report, with small counts suppressed.

    The ``All`` row publishes the total, so cohort rows are protected against it (complements
    shown as ``[c]``, see :func:`helpers.report.disclosure.protect`) with the programme-wide
    cohort codes in ``fixed``; fill rates are withheld wherever the participant count is hidden.
    """
    total = (d["cohort_id"] == "All").tolist()
    shown = suppress_table(d, ["n"], threshold, totals_visible=totals_visible, fixed=fixed,
                           total_rows=total, hide_with={"fill_rate": "n"})
    for col in ("places", "applications"):
        shown[col] = [fmt_num(v, 0) for v in d[col]]
    shown["applications_per_place"] = [fmt_num(v, 1) for v in d["applications_per_place"]]
    shown["fill_rate"] = ["–" if hidden == "–" or pd.isna(rate) else f"{rate:.0%}"
                          for hidden, rate in zip(shown["fill_rate"], d["fill_rate"])]
    return shown


def show_demand(res: ReachResults) -> None:
    """Section table: places, applications and fill per cohort, where recorded."""
    d = res.demand
    if d.empty:
        show_callout("The cohorts table records no places or applications, so demand cannot "
                     "be shown.")
        return
    if res.cohort_id is not None:
        d = d[d["cohort_id"] != "All"]
    shown = demand_display(d, res.threshold, totals_visible=res.cohort_id is None,
                           fixed=res.fixed["demand"].loc[d.index])
    show_table(shown.rename(columns={"cohort_id": "Cohort", "places": "Places",
                                     "applications": "Applications", "n": "Participants",
                                     "applications_per_place": "Applications per place",
                                     "fill_rate": "Places filled"}),
               caption="Demand for places", count_cols=["Participants"])
    total = d.iloc[-1]
    if pd.notna(total["applications_per_place"]):
        show_sentences([f"There were {fmt_num(total['applications_per_place'], 1)} applications "
                        "for every place offered."])
