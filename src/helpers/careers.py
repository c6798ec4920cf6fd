"""The leadership pipeline (Kirkpatrick level 4 in part): did participants go on to lead?

Time runs from the end of each participant's cohort to their first new leadership role or
promotion after it. People are followed until ``observation_end`` (dataset.yaml); someone who
leaves the NHS before moving can no longer move within it, so leaving is a *competing event*,
not censoring (Putter, Fiocco & Geskus 2007). The share who have moved by each month is the
Aalen-Johansen cumulative incidence of moving with leaving the NHS as the competing event
(:func:`aalen_johansen`, the estimate of R's ``cmprsk::cuminc``); where nobody left the NHS
before moving it equals one minus the Kaplan-Meier estimate (Kaplan & Meier 1958), and the
report says Kaplan-Meier. The Kaplan-Meier estimate that treats leavers as censored, which
assumes leavers would have moved at the rate of those who stayed and so overstates the share,
is kept beside it (``km_estimate``) for comparison. This uses everyone, the recently finished
cohorts for as long as they have been followed, instead of only counting people with two full
years behind them.

When dataset.yaml has no ``observation_end`` the latest date in the data (career events, survey
responses, cohort end dates) is used instead, and the report should say so.

References
----------
Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous Markov chains
based on censored observations. Scandinavian Journal of Statistics 5:141-150.
Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of a competing
risk. Annals of Statistics 16:1141-1154 (R package cmprsk).
Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations. Journal of
the American Statistical Association 53:457-481.
Marubini E, Valsecchi MG (1995). Analysing survival data from clinical trials and observational
studies. Wiley (ch. 10: the variance of the cumulative incidence).
Pintilie M (2006). Competing risks: a practical perspective. Wiley (ch. 4: the log(-log)
interval).
Putter H, Fiocco M, Geskus RB (2007). Tutorial in biostatistics: competing risks and
multi-state models. Statistics in Medicine 26:2389-2430.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.report.disclosure import (SUPPRESSED_PCT, curve_withheld, is_suppressed, shown_count,
                                       suppress_count, suppression_codes)
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_int, fmt_pct
from helpers.report.results import Results
from helpers.report.theme import NHS_BLUE, NHS_DARK_GREY

LEADERSHIP_EVENTS = ("new_leadership_role", "promotion")
EXIT_EVENTS = ("left_nhs",)
DAYS_PER_MONTH = 365.25 / 12
#: Columns of :func:`cumulative_incidence`.
INCIDENCE_COLUMNS = ("months", "estimate", "ci_low", "ci_high", "at_risk")
#: status codes of :func:`aalen_johansen`
CENSORED, MOVED, LEFT = 0, 1, 2
AJ_METHOD = "Aalen-Johansen"
KM_METHOD = "Kaplan-Meier"


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
    exits : events that end follow-up as a competing event, such as leaving the NHS.

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


def aalen_johansen(months, status, level: float = 0.95) -> pd.DataFrame:
    r"""Aalen-Johansen cumulative incidence of one event with a competing event, and its interval.

    Parameters
    ----------
    months : array of float
        Follow-up time of each person (no missing values).
    status : array of int
        ``1`` the event of interest (moved into a more senior role), ``2`` the competing event
        (left the NHS first), ``0`` censored (still followed at observation end).
    level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per distinct time, starting at 0: ``months, at_risk, moved, left, censored,
        estimate, variance, ci_low, ci_high``. ``estimate`` is the cumulative incidence of
        status 1 just after that time (0 to 1).

    Notes
    -----
    At the distinct times :math:`t_j` with :math:`n_j` people at risk, :math:`d_{1j}` events
    of interest and :math:`d_{2j}` competing events (:math:`d_j = d_{1j} + d_{2j}`), the
    probability of having had neither event is the Kaplan-Meier estimate
    :math:`S_j = \prod_{l \le j} (1 - d_l / n_l)` and the cumulative incidence is

    .. math:: F(t) = \sum_{t_j \le t} S_{j-1} \, d_{1j} / n_j

    (Aalen and Johansen 1978). Its variance is the delta-method (Aalen-type) estimate that
    R's ``cmprsk::cuminc`` reports (Gray 1988; Marubini and Valsecchi 1995, ch. 10), with the
    binomial correction :math:`c(d) = (n_j - d) / (n_j - 1)` for tied events:

    .. math:: \widehat{V}(t) = \sum_{t_j \le t} \frac{S_{j-1}^2}{n_j^2} \Big[
              c(d_{1j}) d_{1j} \big(1 - \tfrac{F(t) - F(t_j)}{S_j}\big)^2
              + c(d_{2j}) d_{2j} \big(\tfrac{F(t) - F(t_j)}{S_j}\big)^2 \Big]

    and the interval is the log(-log) one, :math:`F^{\exp(\pm z \sqrt{V} / (F \log F))}`
    (Pintilie 2006, ch. 4), which stays inside 0 to 1 (0 to 0 while nobody has moved).
    Tied times are kept as ties: lifelines' ``AalenJohansenFitter`` instead moves tied times
    apart by a random jitter, so its estimate changes from run to run when times are tied, and
    it reports a different variance. With no competing events :math:`F = 1 - S`, the
    Kaplan-Meier estimate.

    Missing data: none allowed; rows are people, each counted once.

    References
    ----------
    Aalen OO, Johansen S (1978). Scand J Stat 5:141-150. Gray RJ (1988). Ann Stat
    16:1141-1154. Marubini E, Valsecchi MG (1995). Analysing survival data from clinical trials
    and observational studies. Wiley. Pintilie M (2006). Competing risks: a practical
    perspective. Wiley.

    Examples
    --------
    Twelve people, two of whom left (status 2) before moving; times 3, 6 and 12 are tied.

    >>> from helpers.careers import aalen_johansen
    >>> months = [2, 3, 3, 5, 6, 6, 6, 8, 9, 12, 12, 15]
    >>> status = [1, 0, 1, 2, 1, 1, 0, 2, 1, 0, 1, 0]
    >>> aj = aalen_johansen(months, status)
    >>> at = aj[aj["months"].isin([6, 12])]
    >>> print(at[["months", "estimate", "variance", "ci_low", "ci_high"]].round(6)
    ...       .to_string(index=False))
     months  estimate  variance   ci_low  ci_high
        6.0  0.351852  0.022906 0.096205 0.627496
       12.0  0.574074  0.032117 0.187987 0.831693

    In R: ``timepoints(cmprsk::cuminc(months, status, cencode = 0), c(6, 12))`` gives est
    0.3518518519 and 0.5740740741, var 0.02290590185 and 0.03211693150; the log(-log)
    bounds from them are 0.09620499 to 0.62749637 and 0.18798689 to 0.83169343.
    """
    cols = ["months", "at_risk", "moved", "left", "censored", "estimate", "variance", "ci_low",
            "ci_high"]
    t = np.asarray(months, dtype=float)
    s = np.asarray(status, dtype=int)
    if len(t) != len(s):
        raise ValueError("months and status must have the same length")
    if len(t) == 0:
        return pd.DataFrame(columns=cols)
    if np.isnan(t).any() or (t < 0).any():
        raise ValueError("months must be present and not negative")
    if not np.isin(s, (CENSORED, MOVED, LEFT)).all():
        raise ValueError("status must be 0 (censored), 1 (moved) or 2 (left)")
    times, pos = np.unique(t, return_inverse=True)
    d1 = np.bincount(pos, weights=s == MOVED, minlength=len(times))
    d2 = np.bincount(pos, weights=s == LEFT, minlength=len(times))
    leaving = np.bincount(pos, minlength=len(times))
    n = len(t) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    surv = np.cumprod(1 - (d1 + d2) / n)
    before = np.concatenate([[1.0], surv[:-1]])
    f = np.cumsum(before * d1 / n)

    def ties(d):  # binomial correction for d tied events among n at risk
        return np.where(d > 1, (n - d) / np.maximum(n - 1, 1), 1.0)

    w1 = before ** 2 * ties(d1) * d1 / n ** 2
    w2 = before ** 2 * ties(d2) * d2 / n ** 2
    # the sum over t_j <= t of w (a_j - g_j F(t))^2, expanded in F(t) so that it is three
    # running sums: O(n) over the whole curve (no term after nobody is left at risk)
    g = np.divide(1.0, surv, out=np.zeros_like(surv), where=surv > 0)
    a1, a2 = 1 + g * f, g * f
    var = (np.cumsum(w1 * a1 ** 2 + w2 * a2 ** 2) - 2 * f * np.cumsum(w1 * a1 * g + w2 * a2 * g)
           + f ** 2 * np.cumsum((w1 + w2) * g ** 2))
    var = np.maximum(var, 0.0)  # rounding where the exact value is 0
    out = pd.DataFrame({"months": times, "at_risk": n, "moved": d1.astype(int),
                        "left": d2.astype(int), "censored": (leaving - d1 - d2).astype(int),
                        "estimate": f, "variance": var})
    if times[0] > 0:
        out = pd.concat([pd.DataFrame({"months": [0.0], "at_risk": [len(t)], "moved": [0],
                                       "left": [0], "censored": [0], "estimate": [0.0],
                                       "variance": [0.0]}), out], ignore_index=True)
    out["ci_low"], out["ci_high"] = loglog_interval(out["estimate"], out["variance"], level)
    return out[cols]


def loglog_interval(estimate, variance, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The log(-log) interval of a cumulative incidence F with variance V:
    ``F ** exp(-/+ z sqrt(V) / (F log F))`` (Pintilie 2006); 0 to 0 at F = 0, 1 to 1 at F = 1.
    """
    f = np.asarray(estimate, dtype=float)
    v = np.asarray(variance, dtype=float)
    z = norm.ppf(0.5 + level / 2)
    inside = (f > 0) & (f < 1)
    fi = np.where(inside, f, 0.5)
    k = z * np.sqrt(v) / (fi * np.log(fi))
    low = np.where(inside, fi ** np.exp(-k), f)
    high = np.where(inside, fi ** np.exp(k), f)
    return low, high


def _status(durations: pd.DataFrame) -> np.ndarray:
    """Status codes of :func:`aalen_johansen` for :func:`pipeline_durations` rows (a frame
    without ``censored_by`` has no competing events)."""
    moved = durations["moved"].to_numpy(dtype=bool)
    left = (durations["censored_by"].to_numpy() == "left the NHS") if "censored_by" in durations \
        else np.zeros(len(durations), dtype=bool)
    return np.select([moved, left & ~moved], [MOVED, LEFT], CENSORED)


def pipeline_method(durations: pd.DataFrame) -> str:
    """``"Aalen-Johansen"`` when someone left the NHS before moving (a competing event), else
    ``"Kaplan-Meier"`` (the same estimate when there is nothing to compete)."""
    return AJ_METHOD if (_status(durations) == LEFT).any() else KM_METHOD


def cumulative_incidence(durations: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Share who have moved into a new or more senior leadership role by each month.

    The Aalen-Johansen cumulative incidence (:func:`aalen_johansen`) with leaving the NHS as
    the competing event; one minus Kaplan-Meier when nobody left before moving.

    Parameters
    ----------
    durations : :func:`pipeline_durations` (``months``, ``moved`` and, for the competing
        event, ``censored_by``).
    level : confidence level.

    Returns
    -------
    Tidy DataFrame ``months, estimate, ci_low, ci_high, at_risk`` (one row per distinct time,
    starting at 0), with ``attrs["method"]`` the estimator's name. Empty when there is nobody
    to follow.
    """
    cols = list(INCIDENCE_COLUMNS)
    if durations.empty:
        return pd.DataFrame(columns=cols)
    aj = aalen_johansen(durations["months"], _status(durations), level)
    out = aj[cols].copy()
    out.attrs["method"] = pipeline_method(durations)
    return out


def _at(curve: pd.DataFrame, h: float) -> pd.Series:
    """The row of a step curve in force at time ``h`` (the last time at or before it)."""
    return curve.iloc[int(np.searchsorted(curve["months"].to_numpy(), h, side="right")) - 1]


def pipeline_at(durations: pd.DataFrame, horizons: Sequence[float] = (12, 24),
                level: float = 0.95) -> pd.DataFrame:
    """How many moved within each horizon (months after cohort end).

    Parameters
    ----------
    durations : :func:`pipeline_durations`.
    horizons : months after the cohort ended.
    level : confidence level.

    Returns
    -------
    Tidy DataFrame ``months, estimate, ci_low, ci_high, p_value, n, n_moved, n_left,
    n_followed, km_estimate, method``: ``estimate`` the cumulative incidence at the horizon
    (0 to 1) with its log(-log) interval, from :func:`aalen_johansen` with leaving the NHS as
    the competing event (``method`` "Aalen-Johansen"; "Kaplan-Meier" when nobody left before
    moving); ``km_estimate`` one minus the Kaplan-Meier estimate that treats leavers as
    censored, for comparison; ``n`` everyone followed; ``n_moved`` and ``n_left`` people seen
    to move, or to leave the NHS before moving, within the horizon; ``n_followed`` those whose
    status at the horizon is known (moved or left by then, or followed at least that long), so
    ``n_moved / n_followed`` is the simple share for comparison. ``p_value`` is empty (no test).
    """
    cols = ["months", "estimate", "ci_low", "ci_high", "p_value", "n", "n_moved", "n_left",
            "n_followed", "km_estimate", "method"]
    if durations.empty:
        return pd.DataFrame([{"months": h, "estimate": np.nan, "ci_low": np.nan,
                              "ci_high": np.nan, "p_value": np.nan, "n": 0, "n_moved": 0,
                              "n_left": 0, "n_followed": 0, "km_estimate": np.nan,
                              "method": KM_METHOD} for h in horizons], columns=cols)
    m = durations["months"].to_numpy(dtype=float)
    status = _status(durations)
    aj = aalen_johansen(m, status, level)
    # leavers censored: with no competing event the same estimator is 1 - Kaplan-Meier
    km = aalen_johansen(m, np.where(status == LEFT, CENSORED, status), level)
    method = pipeline_method(durations)
    rows = []
    for h in horizons:
        r = _at(aj, h)
        moved = int(((status == MOVED) & (m <= h)).sum())
        left = int(((status == LEFT) & (m <= h)).sum())
        known = int(((m >= h) | ((status != CENSORED) & (m <= h))).sum())
        rows.append({"months": h, "estimate": float(r["estimate"]), "ci_low": float(r["ci_low"]),
                     "ci_high": float(r["ci_high"]), "p_value": np.nan, "n": int(len(m)),
                     "n_moved": moved, "n_left": left, "n_followed": known,
                     "km_estimate": float(_at(km, h)["estimate"]), "method": method})
    return pd.DataFrame(rows, columns=cols)


def pipeline_figure(incidence: pd.DataFrame, horizons: Sequence[float] = (12, 24),
                    title: str | None = None):
    """Step plot of the cumulative incidence with its confidence band, the estimator
    (``incidence.attrs["method"]``) named in the legend; None when empty."""
    if incidence.empty:
        return None
    fig, ax = plt.subplots()
    x = incidence["months"].to_numpy(dtype=float)
    method = incidence.attrs.get("method")
    ax.step(x, 100 * incidence["estimate"], where="post", color=NHS_BLUE,
            label="Moved into a new or more senior leadership role"
                  + (f" ({method})" if method else ""))
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
            f"role; {fmt_int(moved)} moves were seen within those {h} months. "
            f"{method_phrase(row.get('method', AJ_METHOD))}")


def method_phrase(method: str) -> str:
    """How the pipeline estimate was made, in a sentence for the reader."""
    if method == AJ_METHOD:
        return ("Leaving the NHS before moving is counted as a competing event, not as if the "
                "person might still move, and people with shorter follow-up count for the time "
                "they were observed (Aalen-Johansen cumulative incidence).")
    return ("People with shorter follow-up count for the time they were observed "
            "(Kaplan-Meier).")


def pipeline_withheld(at: pd.DataFrame, threshold: int) -> str | None:
    """Why the pipeline curve must not be drawn (and its alt text not written), or None.

    The curve steps once per move, so it is withheld when fewer than ``threshold`` people are
    followed, fewer than ``threshold`` moved, or fewer than ``threshold`` had not moved by the
    end (:func:`helpers.report.disclosure.curve_withheld`).
    """
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
    cols = ["n", "n_moved", "n_followed"]
    codes = suppression_codes(at[cols], threshold, totals_visible=False, parts={"n_moved": "n"})
    hidden = (codes["n"] != "") | (codes["n_moved"] != "")
    out = pd.DataFrame({"Within": [f"{int(m)} months" for m in at["months"]]}, index=at.index)
    for col, label in zip(cols, ("Followed up", "Moves seen", "Status known")):
        out[label] = [shown_count(v, c, threshold) for v, c in zip(at[col], codes[col])]
    out["Cumulative share"] = [SUPPRESSED_PCT if h else fmt_pct(e, 0)
                               for h, e in zip(hidden, at["estimate"])]
    # With no move seen the log(-log) interval collapses to "0% to 0%", which claims a
    # certainty no sample gives: it is not estimated.
    out["95% CI"] = [SUPPRESSED_PCT if h else "not estimable" if m == 0
                     else f"{fmt_pct(lo, 0)} to {fmt_pct(hi, 0)}"
                     for h, m, lo, hi in zip(hidden, at["n_moved"], at["ci_low"], at["ci_high"])]
    out.attrs["threshold"] = int(threshold)
    return out.reset_index(drop=True)


def leavers_comparison(at: pd.DataFrame, threshold: int) -> str:
    """What treating leavers as censored would have given, for the horizons whose estimates
    are shown (a :func:`pipeline_at` table)."""
    if at.empty or at["method"].iloc[0] != AJ_METHOD:
        return ""
    shown = at[(at["n"] >= threshold) & (at["n_moved"] >= threshold)
               & (at["n"] - at["n_moved"] >= threshold)]
    base = ("Leaving is treated as a competing event: a leaver can no longer move within the "
            "NHS.")
    if shown.empty:
        return base
    parts = [f"{fmt_pct(r.km_estimate)} rather than {fmt_pct(r.estimate)} at {int(r.months)} "
             "months" for r in shown.itertuples() if fmt_pct(r.km_estimate) != fmt_pct(r.estimate)]
    what = " and ".join(parts) if parts else "the same estimates to one decimal place"
    return (base + " Counting leavers as if they might still move at the rate of those who "
            f"stayed (Kaplan-Meier, leavers censored) would give {what}.")


# --- report section (notebook 25) ----------------------------------------------------------

@dataclass
class PipelineResults(Results):
    """The leadership pipeline of one report scope: who moved into a new or more senior
    leadership role after their cohort ended, and when.

    Attributes
    ----------
    durations : one row per participant whose cohort had ended: months followed, whether
        they moved and what ended their follow-up (:func:`pipeline_durations`).
    incidence : the cumulative incidence curve with its 95% band (:func:`cumulative_incidence`).
    at : the estimate at each horizon (:func:`pipeline_at`): months, people followed, moved,
        estimate, interval and method.
    end : the censoring date.
    end_from_meta : whether ``end`` is dataset.yaml's ``observation_end`` (else the latest date
        in the data).
    horizons : the horizons of ``at``, in months.
    method : the estimator used (Aalen-Johansen with leaving the NHS as a competing event, or
        1 - Kaplan-Meier), or None when nothing could be estimated.
    threshold : ``suppress_below`` of the scope.
    """

    durations: pd.DataFrame
    incidence: pd.DataFrame
    at: pd.DataFrame
    end: object
    end_from_meta: bool
    horizons: tuple
    method: str | None
    threshold: int

    COLUMNS = {"at": ("months", "n", "n_followed", "estimate", "method"),
               "durations": ("participant_id", "cohort_id", "origin", "months", "moved",
                             "censored_by"),
               "incidence": INCIDENCE_COLUMNS}


def prepare(rep, horizons: Sequence[float] = (12, 24)) -> PipelineResults:
    """The pipeline of the report's scope, censored at dataset.yaml's ``observation_end`` or
    else the latest date in the data."""
    d = rep.data
    meta_end = d.meta.get("observation_end")
    end = observation_end_date(meta_end, (d.careers, "event_date"),
                               (d.responses, "response_date"), (d.cohorts, "end_date"))
    durations = pipeline_durations(d.participants, d.cohorts, d.careers, end)
    at = pipeline_at(durations, horizons)
    method = at["method"].iloc[0] if len(at) and "method" in at else None
    return PipelineResults(durations, cumulative_incidence(durations), at, end,
                           meta_end is not None, tuple(horizons), method, rep.threshold)


def show_pipeline(res: PipelineResults) -> None:
    """Section: moves into new or more senior leadership roles, table, curve and sentences."""
    durations, incidence, at, t = res.durations, res.incidence, res.at, res.threshold
    if durations.empty:
        show_callout("No cohort in this scope had ended by the end of observation, so the "
                     "pipeline cannot be measured yet.")
        return
    note = ("Aalen-Johansen cumulative incidence of moving, with leaving the NHS as a competing "
            "event" if res.method == AJ_METHOD else "Kaplan-Meier estimate of the share who had "
            "moved (1 - KM)")
    show_table(pipeline_display(at, t),
               caption="New or more senior leadership roles after the programme",
               note=f"{note}, counting people with shorter follow-up for as long as they were "
                    "observed; log(-log) 95% confidence intervals.")
    show_sentences([pipeline_sentence(r, t, "participants") for _, r in at.iterrows()],
                   title="In words")
    left = int((durations["censored_by"] == "left the NHS").sum())
    source = ("dataset.yaml observation_end" if res.end_from_meta
              else "the latest date in the data (no observation_end in dataset.yaml)")
    show_callout(f"Follow-up ends on {res.end:%d %B %Y} ({source}). "
                 f"{suppress_count(left, t)} participant{'' if left == 1 else 's'} left the "
                 "NHS before moving. " + leavers_comparison(at, t), kind="caveat")
    why = pipeline_withheld(at, t)
    if why:
        show_callout(why)
        return
    fig = pipeline_figure(incidence, res.horizons)
    last = at.iloc[-1]
    alt = (f"Step chart of the cumulative share of participants who took a new or more "
           f"senior leadership role by months after their cohort ended; about "
           f"{last['estimate']:.0%} by {int(last['months'])} months.")
    show_figure(fig, alt=alt, caption="Cumulative share who moved into a new or more "
                "senior leadership role, with its 95% confidence band")
