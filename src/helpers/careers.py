"""The leadership pipeline (Kirkpatrick level 4 in part): did participants go on to lead?

Time runs from the end of each participant's cohort to their first new leadership role or
promotion after it. People are followed until ``observation_end`` (dataset.yaml) or until they
leave the NHS, whichever comes first; then they are *censored*: we know they had not moved by
then, not whether they will. The share who have moved by each month is the cumulative incidence
``1 - S(t)``, with ``S`` the Kaplan-Meier product-limit estimate (Kaplan & Meier 1958) fitted by
:class:`lifelines.KaplanMeierFitter`, and its confidence interval the complement of lifelines'
exponential Greenwood interval for S(t) (Kalbfleisch & Prentice 2002). This uses everyone, the
recently finished cohorts for as long as they have been followed, instead of only counting
people with two full years behind them.

Caveat: treating leaving the NHS as censoring assumes leavers would have moved at the same rate
as stayers. Leaving is really a competing event; with many leavers the Aalen-Johansen
estimator (Putter, Fiocco & Geskus 2007) is the better choice. The report states the number who
left so the reader can judge.

When dataset.yaml has no ``observation_end`` the latest date in the data (career events, survey
responses, cohort end dates) is used instead, and the report should say so.

References
----------
Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations. Journal of
the American Statistical Association 53:457-481.
Kalbfleisch JD, Prentice RL (2002). The statistical analysis of failure time data, 2nd edn.
Wiley.
Putter H, Fiocco M, Geskus RB (2007). Tutorial in biostatistics: competing risks and
multi-state models. Statistics in Medicine 26:2389-2430.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

LEADERSHIP_EVENTS = ("new_leadership_role", "promotion")
EXIT_EVENTS = ("left_nhs",)
DAYS_PER_MONTH = 365.25 / 12


def observation_end_date(meta_end, *frames_and_cols: tuple[pd.DataFrame, str]) -> pd.Timestamp:
    """The censoring date: dataset.yaml ``observation_end`` when set, else the latest date in
    the given (frame, column) pairs."""
    if meta_end is not None and not (isinstance(meta_end, float) and np.isnan(meta_end)):
        return pd.Timestamp(meta_end)
    dates = [pd.to_datetime(f[c], errors="coerce").max() for f, c in frames_and_cols
             if c in f and len(f)]
    dates = [d for d in dates if pd.notna(d)]
    if not dates:
        raise ValueError("no observation_end in dataset.yaml and no dates in the data")
    return max(dates)


def pipeline_durations(participants: pd.DataFrame, cohorts: pd.DataFrame, careers: pd.DataFrame,
                       observation_end, events: Sequence[str] = LEADERSHIP_EVENTS,
                       exits: Sequence[str] = EXIT_EVENTS) -> pd.DataFrame:
    """Follow-up time per participant, from cohort end to first leadership move or censoring.

    Parameters
    ----------
    participants, cohorts, careers : dataset tables.
    observation_end : censoring date (see :func:`observation_end_date`).
    events : career events that count as a new or more senior leadership role.
    exits : events that end follow-up (censoring), such as leaving the NHS.

    Returns
    -------
    DataFrame ``participant_id, cohort_id, origin, months, moved, censored_by``: ``months``
    from the cohort's end date to the first qualifying event after it (``moved`` True) or to
    the censoring date (``censored_by`` "observation end" or "left the NHS"). Participants
    whose cohort had not ended by ``observation_end`` (or has no end date) are left out; events
    dated before the cohort ended do not count.
    """
    end = pd.Timestamp(observation_end)
    p = participants[["participant_id", "cohort_id"]].merge(
        cohorts[["cohort_id", "end_date"]], on="cohort_id", how="left")
    p = p.rename(columns={"end_date": "origin"})
    p["origin"] = pd.to_datetime(p["origin"])
    p = p[p["origin"].notna() & (p["origin"] < end)].copy()
    c = careers[["participant_id", "event_date", "event"]].copy()
    c["event_date"] = pd.to_datetime(c["event_date"])
    c = c.merge(p[["participant_id", "origin"]], on="participant_id", how="inner")
    c = c[(c["event_date"] > c["origin"]) & (c["event_date"] <= end)]
    first_move = c[c["event"].isin(list(events))].groupby("participant_id")["event_date"].min()
    first_exit = c[c["event"].isin(list(exits))].groupby("participant_id")["event_date"].min()
    p = p.merge(first_move.rename("move"), left_on="participant_id", right_index=True,
                how="left")
    p = p.merge(first_exit.rename("exit"), left_on="participant_id", right_index=True,
                how="left")
    p["move"] = pd.to_datetime(p["move"])
    p["exit"] = pd.to_datetime(p["exit"])
    moved = p["move"].notna() & (p["exit"].isna() | (p["move"] <= p["exit"]))
    left = ~moved & p["exit"].notna()
    stop = pd.Series(end, index=p.index)
    stop = stop.where(~moved, p["move"]).where(~left, p["exit"])
    p["months"] = (stop - p["origin"]).dt.days / DAYS_PER_MONTH
    p["moved"] = moved
    p["censored_by"] = np.select([moved, left], ["", "left the NHS"], "observation end")
    return p[["participant_id", "cohort_id", "origin", "months", "moved",
              "censored_by"]].reset_index(drop=True)


def _km(durations: pd.DataFrame, level: float):
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=1 - level)
    kmf.fit(durations["months"].to_numpy(dtype=float),
            event_observed=durations["moved"].to_numpy(dtype=bool))
    return kmf


def cumulative_incidence(durations: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Share who have moved into a new or more senior leadership role by each month: 1 - KM.

    Returns
    -------
    Tidy DataFrame ``months, estimate, ci_low, ci_high, at_risk`` (one row per distinct time in
    lifelines' timeline, starting at 0). Empty when there is nobody to follow.
    """
    cols = ["months", "estimate", "ci_low", "ci_high", "at_risk"]
    if durations.empty:
        return pd.DataFrame(columns=cols)
    kmf = _km(durations, level)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    at_risk = kmf.event_table["at_risk"].reindex(sf.index)
    return pd.DataFrame({"months": sf.index.to_numpy(dtype=float),
                         "estimate": 1 - sf.to_numpy(),
                         "ci_low": 1 - ci.iloc[:, 1].to_numpy(),
                         "ci_high": 1 - ci.iloc[:, 0].to_numpy(),
                         "at_risk": at_risk.to_numpy()}, columns=cols)


def pipeline_at(durations: pd.DataFrame, horizons: Sequence[float] = (12, 24),
                level: float = 0.95) -> pd.DataFrame:
    """How many moved within each horizon (months after cohort end).

    Returns
    -------
    Tidy DataFrame ``months, estimate, ci_low, ci_high, p_value, n, n_moved, n_followed``:
    ``estimate`` the Kaplan-Meier cumulative incidence at the horizon (0 to 1) with its
    interval; ``n`` everyone followed; ``n_moved`` people seen to move within the horizon;
    ``n_followed`` those whose status at the horizon is known (moved by then, or followed at
    least that long), so ``n_moved / n_followed`` is the simple share for comparison.
    """
    cols = ["months", "estimate", "ci_low", "ci_high", "p_value", "n", "n_moved", "n_followed"]
    if durations.empty:
        return pd.DataFrame([{"months": h, "estimate": np.nan, "ci_low": np.nan,
                              "ci_high": np.nan, "p_value": np.nan, "n": 0, "n_moved": 0,
                              "n_followed": 0} for h in horizons], columns=cols)
    kmf = _km(durations, level)
    ci = kmf.confidence_interval_survival_function_
    rows = []
    m = durations["months"].to_numpy(dtype=float)
    ev = durations["moved"].to_numpy(dtype=bool)
    for h in horizons:
        s = float(kmf.survival_function_at_times(h).iloc[0])
        idx = ci.index[ci.index <= h]
        lo_s, hi_s = (ci.loc[idx[-1]].to_numpy(dtype=float) if len(idx) else (1.0, 1.0))
        moved = int((ev & (m <= h)).sum())
        rows.append({"months": h, "estimate": 1 - s, "ci_low": 1 - hi_s, "ci_high": 1 - lo_s,
                     "p_value": np.nan, "n": int(len(m)), "n_moved": moved,
                     "n_followed": int(moved + (m >= h).sum() - (ev & (m == h)).sum())})
    return pd.DataFrame(rows, columns=cols)


def pipeline_figure(incidence: pd.DataFrame, horizons: Sequence[float] = (12, 24),
                    title: str | None = None):
    """Step plot of the cumulative incidence with its confidence band; None when empty."""
    import matplotlib.pyplot as plt

    from helpers.report.theme import NHS_BLUE, NHS_DARK_GREY

    if incidence.empty:
        return None
    fig, ax = plt.subplots()
    x = incidence["months"].to_numpy(dtype=float)
    ax.step(x, 100 * incidence["estimate"], where="post", color=NHS_BLUE,
            label="Moved into a new or more senior leadership role")
    ax.fill_between(x, 100 * incidence["ci_low"], 100 * incidence["ci_high"], step="post",
                    color=NHS_BLUE, alpha=0.15, label="95% confidence interval")
    for h in horizons:
        ax.axvline(h, color=NHS_DARK_GREY, linestyle=":", linewidth=1)
    ax.set_xlabel("Months after the cohort ended")
    ax.set_ylabel("Cumulative share (%)")
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    ax.legend(loc="upper left", frameon=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def pipeline_sentence(row: pd.Series | dict, threshold: int = 5,
                      people: str = "delegates") -> str:
    """One sentence for a :func:`pipeline_at` row; no count below ``threshold`` can be read
    from it, nor worked out from a percentage and its base.

    The share is given only when both the moves and the people followed up who had not moved
    are zero or at least ``threshold``: "an estimated 0% of the 6 ... fewer than 5 moves" would
    give the hidden count back.
    """
    from helpers.report.disclosure import is_suppressed
    from helpers.report.fmt import fmt_int, fmt_pct

    h = int(row["months"])
    n, moved = int(row["n"]), int(row["n_moved"])
    if n < threshold:
        return (f"Fewer than {threshold} {people} have been followed up, so the pipeline at "
                f"{h} months is not reported.")
    if moved == 0:
        return (f"Within {h} months of their cohort ending, none of the {fmt_int(n)} {people} "
                "followed up had taken a new or more senior leadership role.")
    if is_suppressed(moved, threshold):
        return (f"Within {h} months of their cohort ending, fewer than {threshold} of the "
                f"{fmt_int(n)} {people} followed up had taken a new or more senior leadership "
                "role, so the share is not estimated.")
    if is_suppressed(n - moved, threshold):
        return (f"Within {h} months of their cohort ending, all but fewer than {threshold} of the "
                f"{fmt_int(n)} {people} followed up had taken a new or more senior leadership "
                "role, so the share is not estimated.")
    return (f"Within {h} months of their cohort ending, an estimated {fmt_pct(row['estimate'], 0)}"
            f" (95% CI {fmt_pct(row['ci_low'], 0)} to {fmt_pct(row['ci_high'], 0)}) of the "
            f"{fmt_int(n)} {people} followed up had taken a new or more senior leadership "
            f"role; {fmt_int(moved)} moves were seen. People with shorter follow-up count for "
            "the time they were observed (Kaplan-Meier).")


def pipeline_withheld(at: pd.DataFrame, threshold: int) -> str | None:
    """Why the pipeline curve must not be drawn (and its alt text not written), or None.

    The curve steps once per move, so it is withheld when fewer than ``threshold`` people are
    followed, fewer than ``threshold`` moved, or fewer than ``threshold`` had not moved by the
    end (:func:`helpers.report.disclosure.curve_withheld`).
    """
    from helpers.report.disclosure import curve_withheld, is_suppressed

    if at.empty:
        return "The curve is not shown: no one has been followed up."
    n, moved = int(at["n"].max()), int(at["n_moved"].max())
    why = curve_withheld(n, moved, threshold)
    if why is None and is_suppressed(n - moved, threshold):
        why = (f"The curve is not shown: fewer than {threshold} of the people followed up had not "
               "moved, so its last steps would be single people.")
    if why is None and moved == 0:
        why = "The curve is not shown: no moves were seen, so it would be a flat line at 0%."
    return why


def pipeline_display(at: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The horizon table for a report: counts suppressed (moves are part of those followed, so
    the people who had not moved are protected too) and the share withheld with them."""
    from helpers.report.disclosure import SUPPRESSED_PCT, shown_count, suppression_codes
    from helpers.report.fmt import fmt_pct

    cols = ["n", "n_moved", "n_followed"]
    codes = suppression_codes(at[cols], threshold, totals_visible=False, parts={"n_moved": "n"})
    hidden = (codes["n"] != "") | (codes["n_moved"] != "")
    out = pd.DataFrame({"Within": [f"{int(m)} months" for m in at["months"]]}, index=at.index)
    for col, label in zip(cols, ("Followed up", "Moves seen", "Status known")):
        out[label] = [shown_count(v, c, threshold) for v, c in zip(at[col], codes[col])]
    out["Cumulative share"] = [SUPPRESSED_PCT if h else fmt_pct(e, 0)
                               for h, e in zip(hidden, at["estimate"])]
    out["95% CI"] = [SUPPRESSED_PCT if h else f"{fmt_pct(lo, 0)} to {fmt_pct(hi, 0)}"
                     for h, lo, hi in zip(hidden, at["ci_low"], at["ci_high"])]
    out.attrs["threshold"] = int(threshold)
    return out.reset_index(drop=True)


# --- report section (notebook 25) ----------------------------------------------------------

def pipeline_for(rep, horizons: Sequence[float] = (12, 24)):
    """Durations, incidence curve and horizon table for a report's scope, plus the censoring
    date and whether it came from dataset.yaml."""
    d = rep.data
    meta_end = d.meta.get("observation_end")
    end = observation_end_date(meta_end, (d.careers, "event_date"),
                               (d.responses, "response_date"), (d.cohorts, "end_date"))
    durations = pipeline_durations(d.participants, d.cohorts, d.careers, end)
    return durations, cumulative_incidence(durations), pipeline_at(durations, horizons), end, \
        meta_end is not None


def show_pipeline(rep, horizons: Sequence[float] = (12, 24)) -> None:
    """Section: moves into new or more senior leadership roles, table, curve and sentences."""
    from helpers.report.disclosure import suppress_count
    from helpers.report.display import show_callout, show_figure, show_sentences, show_table

    durations, incidence, at, end, from_meta = pipeline_for(rep, horizons)
    if durations.empty:
        show_callout("No cohort in this scope had ended by the end of observation, so the "
                     "pipeline cannot be measured yet.")
        return
    t = rep.threshold
    show_table(pipeline_display(at, t),
               caption="New or more senior leadership roles after the programme",
               note="Kaplan-Meier estimate of the share who had moved by each time (1 - KM), "
                    "counting people with shorter follow-up for as long as they were observed.")
    show_sentences([pipeline_sentence(r, t, "participants") for _, r in at.iterrows()],
                   title="In words")
    left = int((durations["censored_by"] == "left the NHS").sum())
    source = ("dataset.yaml observation_end" if from_meta
              else "the latest date in the data (no observation_end in dataset.yaml)")
    show_callout(f"Follow-up ends on {end:%d %B %Y} ({source}). "
                 f"{suppress_count(left, t)} participant(s) left the NHS before moving and are "
                 "counted until they left; if leavers would have been less likely to move, "
                 "the estimate is a little too high.", kind="caveat")
    why = pipeline_withheld(at, t)
    if why:
        show_callout(why)
        return
    fig = pipeline_figure(incidence, horizons)
    last = at.iloc[-1]
    alt = (f"Step chart of the cumulative share of participants who took a new or more "
           f"senior leadership role by months after their cohort ended; about "
           f"{last['estimate']:.0%} by {int(last['months'])} months.")
    show_figure(fig, alt=alt, caption="Cumulative share who moved into a new or more "
                "senior leadership role, with its 95% confidence band")
