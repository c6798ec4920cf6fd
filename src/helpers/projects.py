"""Improvement projects: the portfolio, Making Data Count charts and icons, before/after change.

Pure functions over the dataset's ``projects``, ``kpi_values`` and ``participants`` tables (any
object with those DataFrame attributes, such as :class:`helpers.data.Dataset`). Each project's KPI
series is charted as an XmR chart with its limits set from the points before the project's
start and extended (:func:`helpers.spc.xmr`), summarised by the variation and assurance icons,
and, where the series is long enough either side of the start, its level change estimated by
segmented regression (:func:`helpers.its.segmented_regression`).

References
----------
NHS England. Making Data Count (2019, 2021): XmR charts, icons and the summary matrix.
Wagner AK et al. Segmented regression analysis of interrupted time series studies in medication
use research. J Clin Pharm Ther 2002;27:299-309 (at least 12 points before and after).
Lopez Bernal J, Cummins S, Gasparrini A. Int J Epidemiol 2017;46:348-355.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from helpers.its import (CONTROLLED_TERMS, controlled_segmented_regression, its_method,
                         newey_west_lags, segmented_regression)
from helpers.multiplicity import family_size, holm
from helpers.outcomes.display import fmt_p_short
from helpers.report.display import show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_ci, fmt_int, fmt_p, fmt_signed
from helpers.report.results import Results
from helpers.spc import (ASSURANCE_LABELS, MIN_BASELINE, MIN_POINTS, VARIATION_LABELS,
                         assurance_icon, variation_icon, xmr)
from helpers.spc.charts import chart_alt_text, spc_chart

#: Points needed on each side of the start for a segmented regression (Wagner et al. 2002).
MIN_ITS_POINTS = 12

_BETTER = {"up": "Higher", "down": "Lower", "neutral": "Neither"}


def kpi_series(kpi_values: pd.DataFrame, project_id: str) -> pd.Series:
    """One project's KPI values indexed by period, in time order (missing values dropped)."""
    rows = kpi_values[kpi_values["project_id"] == project_id].dropna(subset=["value"])
    s = rows.set_index(pd.DatetimeIndex(rows["period"]))["value"].astype(float).sort_index()
    s.index.name = "period"
    return s


def portfolio_table(data, sort: bool = True) -> pd.DataFrame:
    """The project portfolio: title, area, lead's profession, KPI, unit, better, start, status.

    The lead is shown by profession only (never an identifier); a lead missing from the
    participants table is "not recorded".
    """
    p = data.projects
    cols = ["Project", "Area", "Lead's profession", "KPI", "Unit", "Better", "Started", "Status"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    if sort:
        p = p.sort_values(["start_date", "title"])
    prof = data.participants.drop_duplicates("participant_id").set_index("participant_id")["profession"]
    lead = p["lead_participant_id"].map(prof).fillna("not recorded")
    out = pd.DataFrame({
        "Project": p["title"].to_numpy(),
        "Area": p["area"].to_numpy(),
        "Lead's profession": lead.to_numpy(),
        "KPI": p["kpi"].to_numpy(),
        "Unit": p["unit"].to_numpy(),
        "Better": p["better"].map(_BETTER).fillna(p["better"]).to_numpy(),
        "Started": pd.to_datetime(p["start_date"]).dt.strftime("%b %Y").to_numpy(),
        "Status": p["status"].astype(str).str.capitalize().to_numpy(),
    })
    return out


def _project_xmr(s: pd.Series, better: str, target, start, min_points: int = MIN_BASELINE) -> pd.DataFrame:
    """XmR table of one KPI series judged against the period before the project started.

    Making Data Count asks whether a change made a difference by setting the limits from the
    points before it and extending them: a sustained change afterwards then shows as special
    cause (a shift, a trend, points outside the limits). Recalculating the limits at the start
    instead would make any shift the new normal and hide it; limits are recalculated once a
    change is confirmed, not before. So with at least ``min_points`` points before ``start``
    (:data:`~helpers.spc.MIN_BASELINE`, the smallest ``fix_after_n_points`` NHSRplotthedots
    accepts) the limits come from those points (``xmr(baseline=...)``).
    With fewer, no baseline can be set: the limits are recalculated at the start (the points
    before it form a run chart). A start outside the series gives one set of limits.
    The table's ``attrs`` say which: ``limits`` ("baseline", "recalculated" or "whole series"),
    ``baseline_points`` and ``start``.
    """
    target = None if target is None or pd.isna(target) else float(target)
    start = pd.Timestamp(start)
    n_before = int((s.index < start).sum())
    inside = 0 < n_before < len(s)
    if inside and n_before >= min_points:
        chart, how = xmr(s, improvement=better, target=target, baseline=n_before), "baseline"
    elif inside:
        chart, how = xmr(s, improvement=better, target=target, rebase=[start]), "recalculated"
    else:
        chart, how = xmr(s, improvement=better, target=target), "whole series"
    chart.attrs.update(limits=how, baseline_points=n_before if how == "baseline" else 0,
                       start=start if inside else None)
    return chart


def current_process(chart: pd.DataFrame) -> pd.DataFrame:
    """The XmR table whose limits describe the process since the project started, for the
    assurance icon.

    The variation icon asks "has it changed?", so it is read against the baseline limits. The
    assurance icon asks "will the process now meet its target?", which the limits of the old
    process cannot answer once it has moved: for a chart with baseline limits the question is
    put to limits set from the points since the start alone (with fewer than
    :data:`~helpers.spc.MIN_POINTS` of them the answer is "no_limits"). Other charts are their
    own current process.
    """
    if chart.attrs.get("limits") != "baseline":
        return chart
    since = chart.loc[chart.index >= chart.attrs["start"], "value"]
    return xmr(since, improvement=chart.attrs.get("improvement", "up"), target=chart.attrs.get("target"))


def limits_caption(chart: pd.DataFrame) -> str:
    """How the limits of a :func:`project_chart` table were set, in a sentence."""
    how, start = chart.attrs.get("limits"), chart.attrs.get("start")
    if how == "baseline":
        return (f"Limits set from the {chart.attrs['baseline_points']} points before the project "
                f"started ({start:%B %Y}) and extended; assurance is judged on limits from the "
                f"{len(chart) - chart.attrs['baseline_points']} points since.")
    if how == "recalculated" and (chart["chart"] == "xmr").any():
        return (f"Fewer than {MIN_BASELINE} points before the project started ({start:%B %Y}), "
                "too few for a baseline: a run chart before it, no limits; limits set from the "
                "start on, so the chart cannot show a change at the start.")
    if how == "recalculated":
        return (f"Fewer than {MIN_BASELINE} points before the project started ({start:%B %Y}) "
                f"and fewer than {MIN_POINTS} since: a run chart, no limits.")
    return "Limits from the whole series (the project's start is outside it)."


def project_chart(project: pd.Series, kpi_values: pd.DataFrame) -> pd.DataFrame:
    """XmR chart table of one project's KPI with its target, limits from the points before the
    project's start (see :func:`_project_xmr`)."""
    s = kpi_series(kpi_values, project["project_id"])
    return _project_xmr(s, project["better"], project.get("target"), project["start_date"])


def kpi_series_by_project(kpi_values: pd.DataFrame) -> dict[str, pd.Series]:
    """Every project's KPI series (as :func:`kpi_series`) from one sort and one groupby, so the
    cost grows with the rows of ``kpi_values``, not rows x projects."""
    kv = kpi_values.dropna(subset=["value"])
    if kv.empty:
        return {}
    kv = kv.assign(period=pd.DatetimeIndex(kv["period"]), value=kv["value"].astype(float))
    kv = kv.sort_values(["project_id", "period"], kind="stable")
    out = {}
    for pid, part in kv.groupby("project_id", sort=False):
        s = pd.Series(part["value"].to_numpy(), index=pd.DatetimeIndex(part["period"], name="period"),
                      name="value")
        out[pid] = s
    return out


def project_charts(data, project_ids=None) -> dict[str, pd.DataFrame]:
    """XmR chart tables (as :func:`project_chart`) for every project, or for ``project_ids``,
    keyed by project id; one groupby over ``kpi_values`` instead of a filter per project."""
    p = data.projects
    if project_ids is not None:
        p = p[p["project_id"].isin(list(project_ids))]
    series = kpi_series_by_project(data.kpi_values[data.kpi_values["project_id"].isin(p["project_id"])])
    empty = pd.Series([], dtype=float, index=pd.DatetimeIndex([], name="period"), name="value")
    target = p["target"] if "target" in p.columns else pd.Series(np.nan, index=p.index)
    return {pid: _project_xmr(series.get(pid, empty), better, tgt, start)
            for pid, better, tgt, start in zip(p["project_id"], p["better"], target, p["start_date"])}


def level_change(series: pd.Series, start, min_points: int = MIN_ITS_POINTS) -> pd.Series | None:
    """Level change at ``start`` by segmented regression (gaussian, Newey-West errors, t on the
    residual degrees of freedom), or None when there are fewer than ``min_points`` points on
    either side."""
    after = (series.index >= pd.Timestamp(start)).astype(int)
    if min(after.sum(), len(after) - after.sum()) < min_points:
        return None
    df = pd.DataFrame({"y": series.to_numpy(), "t": np.arange(1, len(series) + 1), "x": after})
    return segmented_regression(df, "y", "t", "x", family="gaussian").loc["level_change"]


def level_change_fast(values: np.ndarray, after: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """The level change of :func:`level_change` computed directly with numpy.

    The same model as :func:`helpers.its.segmented_regression` with ``family="gaussian"``:
    least squares on const, time (1..n), the 0/1 step and the slope change (time since the last
    pre-start point, 0 before), with Newey-West (1987) HAC standard errors, Bartlett kernel,
    :func:`helpers.its.newey_west_lags` lags and no finite-sample factor, and the interval and
    p-value from Student's t on the n - 4 residual degrees of freedom (R's ``lmtest::coeftest``
    with ``sandwich::NeweyWest(fit, lag, prewhite = FALSE, adjust = FALSE)`` and
    ``df = fit$df.residual``). It avoids the per-fit pandas and statsmodels overhead when
    hundreds of projects are summarised; the tests check it against :func:`level_change`.

    Parameters
    ----------
    values : array of float
        The series in time order (no missing values).
    after : array of bool or 0/1
        1 from the start on; both sides must be present.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    dict with ``estimate, se, ci_low, ci_high, p_value, df`` of the level change.

    References
    ----------
    Newey WK, West KD. A simple, positive semi-definite, heteroskedasticity and autocorrelation
    consistent covariance matrix. Econometrica 1987;55:703-708.

    Examples
    --------
    >>> from helpers.projects import level_change_fast
    >>> y = [12, 14, 11, 15, 13, 16, 14, 17, 15, 18, 16, 19,
    ...      24, 22, 25, 23, 26, 24, 27, 25, 28, 26, 29, 27]
    >>> lc = level_change_fast(y, [0] * 12 + [1] * 12)
    >>> print(round(lc["estimate"], 6), round(lc["se"], 6), round(lc["df"]))
    4.629371 0.565961 20
    >>> print(round(lc["ci_low"], 6), round(lc["ci_high"], 6), f"{lc['p_value']:.3g}")
    3.448797 5.809944 8.26e-08

    In R (``lmtest::coeftest``/``coefci`` as above): 4.629370629, SE 0.5659606544, 95% CI
    3.448797392 to 5.809943867, t 8.17967 on 20 df, p 8.26e-08.
    """
    y = np.asarray(values, dtype=float)
    x = np.asarray(after, dtype=float)
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)
    last_pre = t[x == 0].max()
    X = np.column_stack([np.ones(n), t, x, (t - last_pre) * x])
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    u = X * (y - X @ beta)[:, None]  # score contributions x_i e_i
    S = u.T @ u
    lags = newey_west_lags(n)
    for lag in range(1, lags + 1):
        gamma = u[lag:].T @ u[:-lag]
        S += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    cov = xtx_inv @ S @ xtx_inv
    est, se = float(beta[2]), float(np.sqrt(cov[2, 2]))
    df = float(n - X.shape[1])
    q = float(student_t.ppf(0.5 + level / 2, df))
    return {"estimate": est, "se": se, "ci_low": est - q * se, "ci_high": est + q * se,
            "p_value": float(2 * student_t.sf(abs(est / se), df)), "df": df}


CONTROLLED_COLUMNS = ("project_id", "title", "comparison", "unit", "term", "estimate", "se",
                      "ci_low", "ci_high", "p_value", "df", "n")


def controlled_changes(data, min_points: int = MIN_ITS_POINTS) -> pd.DataFrame:
    """Controlled interrupted time series of every project that names a comparison series.

    A project names its comparison (another ward, trust or the national figure) in
    ``projects.comparison`` and gives its values in ``kpi_values.comparison``, on the same rows
    (months) as its own values. With at least ``min_points`` months on each side of the start
    where both are recorded, :func:`helpers.its.controlled_segmented_regression` estimates the
    project's level and slope change and their differences from the comparison's.

    Returns
    -------
    DataFrame ``project_id, title, comparison, unit, term, estimate, se, ci_low, ci_high,
    p_value, df, n``: four rows (:data:`helpers.its.CONTROLLED_TERMS`) per project fitted;
    empty when no project has a comparison series.
    """
    p, kv = data.projects, data.kpi_values
    if "comparison" not in p.columns or "comparison" not in kv.columns:
        return pd.DataFrame(columns=list(CONTROLLED_COLUMNS))
    parts = []
    for _, proj in p[p["comparison"].notna()].iterrows():
        rows = kv[(kv["project_id"] == proj["project_id"])].dropna(subset=["value", "comparison"])
        rows = rows.sort_values("period")
        after = (pd.DatetimeIndex(rows["period"]) >= pd.Timestamp(proj["start_date"])).astype(int)
        if min(after.sum(), len(after) - after.sum()) < min_points:
            continue
        fit = controlled_segmented_regression(rows["value"], rows["comparison"], after)
        parts.append(fit.reset_index().assign(project_id=proj["project_id"], title=proj["title"],
                                              comparison=proj["comparison"], unit=proj["unit"]))
    if not parts:
        return pd.DataFrame(columns=list(CONTROLLED_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(CONTROLLED_COLUMNS)]


_CONTROLLED_WORDS = {"level_change": "Level change", "slope_change": "Slope change (per month)",
                     "level_change_vs_control": "Level change, difference from the comparison",
                     "slope_change_vs_control": "Slope change, difference from the comparison"}


def controlled_table(controlled: pd.DataFrame) -> pd.DataFrame:
    """Readable table of :func:`controlled_changes` (no counts of people in it)."""
    return pd.DataFrame({
        "Project": controlled["title"], "Compared with": controlled["comparison"],
        "Estimate": controlled["term"].map(_CONTROLLED_WORDS),
        "Change (95% CI)": [f"{fmt_signed(e, 1)} ({fmt_ci(lo, hi, 1)})" for e, lo, hi in
                            zip(controlled["estimate"], controlled["ci_low"], controlled["ci_high"])],
        "p": [fmt_p_short(v) for v in controlled["p_value"]], "Unit": controlled["unit"]})


SUMMARY_COLUMNS = ["project_id", "title", "kpi", "unit", "better", "start_date", "n_before",
                   "n_after", "limits", "variation", "assurance", "estimate", "ci_low", "ci_high", "p_value",
                   "p_holm"]


def project_summary(data, min_points: int = MIN_ITS_POINTS, charts=None) -> pd.DataFrame:
    """One row per project (in ``data.projects`` order): points before/after the start, how the
    limits were set (``limits``, see :func:`_project_xmr`), the Making Data Count icons, and the
    level change with its interval.

    The XmR tables come from :func:`project_charts` (one groupby over ``kpi_values``); no figure
    is drawn. The segmented regression (:func:`level_change_fast`, the model of
    :func:`level_change`) is fitted only for series with at least ``min_points`` points on each
    side of the start (Wagner et al. 2002); the others get missing estimates. ``charts`` (a dict from :func:`project_charts`) avoids recomputing them.

    ``p_holm`` is Holm's adjustment (:func:`helpers.multiplicity.holm`) over the report's
    family of interrupted time series tests: the level change of every project in ``data``
    that has one (projects too short to fit are not tested and not in the family). Improvement
    projects are separate questions from the survey outcomes, so they are not pooled with them.
    """
    p = data.projects
    if p.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    if charts is None:
        charts = project_charts(data)
    starts = pd.to_datetime(p["start_date"])
    n_before, n_after, limits, variation, assurance = [], [], [], [], []
    est = {k: np.full(len(p), np.nan) for k in ("estimate", "ci_low", "ci_high", "p_value")}
    for i, (pid, start) in enumerate(zip(p["project_id"], starts)):
        chart = charts[pid]
        after = int((chart.index >= start).sum())
        n_after.append(after)
        n_before.append(len(chart) - after)
        limits.append(chart.attrs.get("limits"))
        variation.append(variation_icon(chart))
        assurance.append(assurance_icon(current_process(chart)))
        if min(after, len(chart) - after) >= min_points:
            lc = level_change_fast(chart["value"].to_numpy(), chart.index >= start)
            for k in est:
                est[k][i] = lc[k]
    out = pd.DataFrame({
        "project_id": p["project_id"].to_numpy(), "title": p["title"].to_numpy(),
        "kpi": p["kpi"].to_numpy(), "unit": p["unit"].to_numpy(), "better": p["better"].to_numpy(),
        "start_date": starts.to_numpy(), "n_before": n_before, "n_after": n_after,
        "limits": limits, "variation": variation, "assurance": assurance, **est,
    })
    out["p_holm"] = holm(out["p_value"])
    return out[SUMMARY_COLUMNS]


#: Charts drawn in full in a report; above this, only the strongest signals are charted.
MAX_CHARTS = 20
#: Rows of a per-project table in a report; the rest are counted in its note.
MAX_ROWS = 50

#: Order of signal strength for a reader: improvement, concern, neutral special cause, then
#: common cause and series too short for limits.
_SIGNAL_RANK = {"improvement_high": 0, "improvement_low": 0, "concern_high": 1, "concern_low": 1,
                "neutral_high": 2, "neutral_low": 2, "common_cause": 3, "no_limits": 4}


def by_signal(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary ordered by signal (special cause improvement, concern, neither, then common
    cause and too few points), then by start date and title."""
    rank = summary["variation"].map(_SIGNAL_RANK).fillna(5)
    keys = summary.assign(_rank=rank.to_numpy())
    return keys.sort_values(["_rank", "start_date", "title"], kind="stable").drop(columns="_rank")


def chart_selection(summary: pd.DataFrame, cap: int = MAX_CHARTS) -> pd.DataFrame:
    """The projects to chart: all of them (by start date and title) when there are at most
    ``cap``; otherwise those whose latest point shows special cause variation, improvement
    first, then concern, then neither, at most ``cap``."""
    if len(summary) <= cap:
        return summary.sort_values(["start_date", "title"], kind="stable")
    special = by_signal(summary)
    special = special[special["variation"].map(_SIGNAL_RANK).fillna(5) <= 2]
    return special.head(cap)


def _variation_counts(summary: pd.DataFrame) -> str:
    """'12 special cause improvement, 3 concern, ...' for a set of projects."""
    groups = {"special cause improvement": (0,), "special cause concern": (1,),
              "special cause neither": (2,), "common cause": (3,), "too few points for limits": (4, 5)}
    rank = summary["variation"].map(_SIGNAL_RANK).fillna(5)
    parts = [f"{int(rank.isin(r).sum()):,} {label}" for label, r in groups.items() if rank.isin(r).any()]
    return ", ".join(parts)


def chart_selection_sentence(summary: pd.DataFrame, shown: pd.DataFrame) -> str:
    """Why these charts: how many are shown of how many, and what the rest show."""
    n, k = len(summary), len(shown)
    if k == n:
        return f"One chart per project ({n:,})."
    rest = summary[~summary["project_id"].isin(shown["project_id"])]
    why = (f"Showing {k:,} of {n:,} charts: with more than {MAX_CHARTS} projects only those whose "
           "latest point shows special cause variation are charted, improvement first, then "
           f"concern, at most {MAX_CHARTS}.")
    if k == 0:
        why = (f"No charts are shown: none of the {n:,} projects has special cause variation in its "
               "latest point.")
    return why + f" The other {len(rest):,} ({_variation_counts(rest)}) are counted in the matrix above."


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Readable per-project table of :func:`project_summary` (icons in words, change with CI)."""
    def change(r):
        if pd.isna(r["estimate"]):
            return "too few points"
        return f"{fmt_signed(r['estimate'], 1)} ({fmt_ci(r['ci_low'], r['ci_high'], 1)})"

    return pd.DataFrame({
        "Project": summary["title"],
        "Points before / after start": [f"{a} / {b}" for a, b in zip(summary["n_before"], summary["n_after"])],
        "Variation": summary["variation"].map(VARIATION_LABELS),
        "Assurance": summary["assurance"].map(ASSURANCE_LABELS),
        "Level change (95% CI)": [change(r) for _, r in summary.iterrows()],
        "p (Holm)": [fmt_p_short(p) for p in summary["p_holm"]],
        "Unit": summary["unit"],
    })


def mdc_matrix(summary: pd.DataFrame, list_up_to: int = MAX_CHARTS) -> pd.DataFrame:
    """Making Data Count summary matrix: variation icon (rows) by assurance icon (columns).

    With at most ``list_up_to`` projects each cell lists the projects (by title) that carry both
    icons; with more, each cell gives the number of projects, so the matrix stays readable at
    any scale and still covers every project. Empty rows and columns are dropped.
    """
    if summary.empty:
        return pd.DataFrame()
    rows = [k for k in VARIATION_LABELS if k in set(summary["variation"])]
    cols = [k for k in ASSURANCE_LABELS if k in set(summary["assurance"])]
    if len(summary) <= list_up_to:
        cells = summary.groupby(["variation", "assurance"], sort=False)["title"].agg("; ".join)
    else:
        cells = summary.groupby(["variation", "assurance"], sort=False).size().map("{:,}".format)
    grid = pd.DataFrame("", index=[VARIATION_LABELS[r] for r in rows],
                        columns=[ASSURANCE_LABELS[c] for c in cols])
    for (r, c), text in cells.items():
        grid.loc[VARIATION_LABELS[r], ASSURANCE_LABELS[c]] = text
    grid.index.name = "Variation"
    return grid.reset_index()


def summary_sentences(summary: pd.DataFrame, min_points: int = MIN_ITS_POINTS) -> list[str]:
    """One plain sentence per project on what its chart and level change can and cannot say."""
    out = []
    for _, r in summary.iterrows():
        text = f"{r['title']}: {VARIATION_LABELS[r['variation']].lower()}"
        if r.get("limits") == "recalculated" and r["variation"] != "no_limits":
            text += (f" (limits from the start on: with {r['n_before']} points before it, fewer "
                     f"than {MIN_BASELINE}, there is no baseline to compare against)")
        if r["assurance"] not in ("no_target", "no_limits"):
            text += f"; {ASSURANCE_LABELS[r['assurance']].lower()}"
        if pd.isna(r["estimate"]):
            text += (f". With {r['n_before']} points before the start and {r['n_after']} after, the "
                     f"series is too short to estimate a change in level (at least {min_points} "
                     "are needed on each side), so no before/after effect can be concluded.")
        else:
            text += (f". Level change after the start: {fmt_signed(r['estimate'], 1)} {r['unit']} "
                     f"(95% CI {fmt_ci(r['ci_low'], r['ci_high'], 1)}, {fmt_p(r['p_value'])}; "
                     f"Holm-adjusted {fmt_p(r['p_holm'])}).")
        out.append(text)
    return out


def project_figures(data, summary: pd.DataFrame | None = None, charts: dict | None = None):
    """Yield (figure, alt text, caption) for the SPC charts of the projects in ``summary`` (all
    projects by default), in its row order, one figure at a time: the caller embeds and closes
    each before the next is drawn, so figures never accumulate. ``charts`` (from
    :func:`project_charts`) avoids recomputing the XmR tables."""
    if summary is None:
        summary = chart_selection(project_summary(data), cap=len(data.projects))
    if charts is None:
        charts = project_charts(data, summary["project_id"])
    projects = data.projects.set_index("project_id")
    for pid in summary["project_id"]:
        p, chart = projects.loc[pid], charts[pid]
        fig = spc_chart(chart, title=str(p["title"]), y_label=f"{p['kpi']} ({p['unit']})")
        caption = (f"{p['kpi']} ({p['unit']}; {_BETTER.get(p['better'], p['better']).lower()} is "
                   f"better). {limits_caption(chart)}")
        alt = chart_alt_text(chart, str(p["kpi"]), assurance=assurance_icon(current_process(chart)))
        yield fig, alt, caption


def show_project_charts(data, summary: pd.DataFrame | None = None, charts: dict | None = None) -> None:
    """Display the SPC charts of the projects in ``summary`` (escaped, with alt text), each
    figure closed as soon as it is embedded."""
    for fig, alt, caption in project_figures(data, summary, charts):
        show_figure(fig, alt=alt, caption=caption)
        plt.close(fig)


def is_service_measure(project: pd.Series) -> bool:
    """A KPI counted per period ("issues per month"): its monthly values can be added up."""
    return "per month" in str(project.get("unit", "")).lower()


def _pct_change(proportion: float) -> str:
    """A relative change as a signed percentage: 0.4967 -> '+49.7%'."""
    return f"{fmt_signed(100 * proportion, 1)}%"


def six_month_totals(series: pd.Series, start, months: int = 6) -> pd.DataFrame:
    """Totals of a monthly count over three windows around a start month.

    Windows: the ``months`` before the start; the first ``months`` from the start; and the
    ``months`` up to the first anniversary of the start (a year on). Each row: window, first and
    last month, months observed, total, and change from the window before the start. With
    six-month windows the year-on window starts seven months after the start, so one month lies
    between the second and third windows; ``attrs["between"]`` gives it (first and last month,
    months observed and total) so that a report can say it is left out, and where.
    """
    start = pd.Timestamp(start).to_period("M").to_timestamp()
    off = pd.DateOffset
    windows = [
        ("Before the start", start - off(months=months), start - off(months=1)),
        (f"First {months} months", start, start + off(months=months - 1)),
        ("A year on", start + off(months=13 - months), start + off(months=12)),
    ]
    rows = []
    for label, a, b in windows:
        part = series[(series.index >= a) & (series.index <= b)]
        rows.append({"window": label, "from": a, "to": b, "months": len(part), "total": part.sum()})
    out = pd.DataFrame(rows)
    base = out["total"].iloc[0]
    out["change"] = out["total"] / base - 1 if base else np.nan
    out.loc[0, "change"] = np.nan
    gap_from, gap_to = windows[1][2] + off(months=1), windows[2][1] - off(months=1)
    gap = series[(series.index >= gap_from) & (series.index <= gap_to)]
    out.attrs["between"] = ({"from": gap_from, "to": gap_to, "months": len(gap),
                             "total": gap.sum()} if gap_from <= gap_to else None)
    return out


#: ``window`` of the month(s) between the first six months and the year-on window.
BETWEEN = "Between the windows"

SERVICE_COLUMNS = ("project_id", "title", "kpi", "window", "from", "to", "months", "total",
                   "change")


def service_totals(data) -> pd.DataFrame:
    """:func:`six_month_totals` of every project whose KPI is counted per month
    (:func:`is_service_measure`), stacked, in ``data.projects`` order.

    Returns
    -------
    DataFrame ``project_id, title, kpi, window, from, to, months, total, change``: the three
    windows of :func:`six_month_totals` per project and a fourth row, ``window`` =
    :data:`BETWEEN`, for the month between the second and third (in no window); empty when no
    KPI is counted per month.
    """
    parts = []
    for _, p in data.projects.iterrows():
        if not is_service_measure(p):
            continue
        t = six_month_totals(kpi_series(data.kpi_values, p["project_id"]), p["start_date"])
        between = t.attrs.get("between")
        if between:
            t = pd.concat([t, pd.DataFrame([{"window": BETWEEN, **between, "change": np.nan}])],
                          ignore_index=True)
        parts.append(t.assign(project_id=p["project_id"], title=p["title"], kpi=p["kpi"]))
    if not parts:
        return pd.DataFrame(columns=list(SERVICE_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(SERVICE_COLUMNS)]


def service_example(data=None, totals: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Worked example of service measures: six-month totals and their change, as a table and
    sentences, for each project whose KPI is counted per month (``totals`` from
    :func:`service_totals`, computed from ``data`` when not given)."""
    if totals is None:
        totals = service_totals(data)
    tables, sentences = [], []
    for _, t in totals.groupby("project_id", sort=False):
        gap = t[t["window"] == BETWEEN]
        t = t[t["window"] != BETWEEN].reset_index(drop=True)
        title, kpi = t["title"].iloc[0], t["kpi"].iloc[0]
        if (t["months"] < 6).any():
            sentences.append(f"{title}: the series does not cover six months either side of "
                             "the start, so six-month totals cannot be compared.")
            continue
        tables.append(pd.DataFrame({
            "Project": title, "Window": t["window"],
            "Months": [f"{a:%b %Y} to {b:%b %Y}" for a, b in zip(t["from"], t["to"])],
            "Total": t["total"].map(fmt_int),
            "Change from before": ["–"] + [_pct_change(c) for c in t["change"][1:]],
        }))
        before, first, later = t["total"]
        verb = "rose" if first >= before else "fell"
        text = (f"{kpi} {verb} from {fmt_int(before)} in the six months before "
                f"\u201c{title}\u201d started to {fmt_int(first)} in its first six months "
                f"({_pct_change(first / before - 1)}), and stood at {fmt_int(later)} in the six "
                f"months to {t['to'].iloc[2]:%B %Y} ({_pct_change(later / before - 1)} on before).")
        if len(gap) and gap["months"].iloc[0]:
            g = gap.iloc[0]
            when = (f"{g['from']:%B %Y}" if g["from"] == g["to"]
                    else f"{g['from']:%B %Y} to {g['to']:%B %Y}")
            text += (f" {when} ({fmt_int(g['total'])}) lies between the first six months and the "
                     "six months to the first anniversary, so it is in neither total.")
        sentences.append(text)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return table, sentences


# --- the section's results (notebook 40) ----------------------------------------------------

POINT_COLUMNS = ("project_id", "period", "value", "segment", "chart", "mean", "lpl", "upl",
                 "target", "rule", "point_type")


@dataclass
class ProjectResults(Results):
    """Improvement projects of one report scope (tidy DataFrames; nothing suppressed yet).

    Attributes
    ----------
    scope : str
        The programme (and cohort) in words.
    projects : DataFrame
        The projects in scope, as in projects.csv (``project_id, programme_id,
        lead_participant_id, title, area, kpi, unit, better, start_date, status`` and
        ``target`` when given).
    leads : DataFrame
        ``participant_id, profession`` of the participants in scope (the portfolio shows a
        lead by profession only).
    by_project : DataFrame
        :func:`project_summary`, one row per project: points before and after the start, how
        the limits were set, the Making Data Count icons, the level change with its interval
        and Holm-adjusted p.
    points : DataFrame
        Every project's XmR chart table, stacked: ``project_id, period, value, segment, chart,
        mean, lpl, upl, target, rule, point_type`` (see :func:`helpers.spc.xmr`).
    charts : dict of str to DataFrame
        The same by project id, with the ``attrs`` the figures read (how the limits were set).
    service : DataFrame
        :func:`service_totals`: six-month totals of KPIs counted per month.
    controlled : DataFrame
        :func:`controlled_changes`: level and slope change against a comparison series, for the
        projects that name one (empty otherwise).
    programme_start : Timestamp or None
        The first cohort's start in scope, marked on every SPC chart.
    """

    scope: str
    projects: pd.DataFrame
    leads: pd.DataFrame
    by_project: pd.DataFrame
    points: pd.DataFrame
    service: pd.DataFrame
    controlled: pd.DataFrame
    charts: dict = field(default_factory=dict)
    programme_start: pd.Timestamp | None = None

    COLUMNS = {
        "projects": ("project_id", "title", "kpi", "unit", "better", "start_date", "status"),
        "leads": ("participant_id", "profession"),
        "by_project": tuple(SUMMARY_COLUMNS),
        "points": POINT_COLUMNS,
        "service": SERVICE_COLUMNS,
        "controlled": CONTROLLED_COLUMNS,
    }

    def summary(self) -> pd.DataFrame:
        """The per-project table as the report shows it (no counts of people in it)."""
        return summary_table(self.by_project)


def chart_points(charts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The XmR tables of :func:`project_charts` stacked into one tidy frame."""
    parts = [c.rename_axis("period").reset_index().assign(project_id=pid)
             for pid, c in charts.items() if len(c)]
    if not parts:
        return pd.DataFrame(columns=list(POINT_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(POINT_COLUMNS)]


def prepare(rep) -> ProjectResults:
    """Compute notebook 40's tables for the report's scope, once.

    Parameters
    ----------
    rep : :class:`helpers.report.context.Report`

    Returns
    -------
    ProjectResults
    """
    d = rep.data
    charts = project_charts(d)
    starts = pd.to_datetime(d.cohorts["start_date"]).dropna()
    programme_start = starts.min() if len(starts) else None
    for chart in charts.values():
        chart.attrs["programme_start"] = programme_start
    leads = d.participants.drop_duplicates("participant_id")[["participant_id", "profession"]]
    return ProjectResults(scope=rep.scope, projects=d.projects, leads=leads.reset_index(drop=True),
                          by_project=project_summary(d, charts=charts), points=chart_points(charts),
                          service=service_totals(d), controlled=controlled_changes(d),
                          charts=charts, programme_start=programme_start)


# --- displays (notebook 40): one call each, with the empty cases said in words ---------------

def _none_recorded(res: ProjectResults) -> str:
    return f"No live improvement projects are recorded for {res.scope}."


def _capped(table: pd.DataFrame, total: int, rest_note: str) -> tuple[pd.DataFrame, str]:
    """The first :data:`MAX_ROWS` rows of a table, and a note saying what was left out."""
    if total <= MAX_ROWS:
        return table, ""
    return table.head(MAX_ROWS), (f" Showing the first {MAX_ROWS} of {total:,} projects, ordered by "
                                  f"signal (special cause improvement, concern, then the rest); "
                                  f"the other {total - MAX_ROWS:,}: {rest_note}.")


def finding_sentences(res: ProjectResults) -> list[str]:
    """The report's findings first: how many projects show special cause improvement against
    their baseline, and each service measure's six-month totals before, in the first six months
    and a year on (747 -> 1,118 -> 1,064)."""
    s = res.by_project
    if s.empty:
        return [_none_recorded(res)]
    judged = s[(s["limits"] == "baseline") & (s["variation"] != "no_limits")]
    better = int(judged["variation"].astype(str).str.startswith("improvement").sum())
    k = len(s)
    out = [f"{better} of {k:,} improvement project{'s' if k != 1 else ''} "
           f"{'shows' if better == 1 or (better == 0 and k == 1) else 'show'} special cause "
           "improvement in the latest point against limits set from the months before "
           f"{'its' if k == 1 else 'their'} start"
           + (f" ({k - len(judged):,} without such a baseline)." if len(judged) < k else ".")]
    t = res.service[res.service["window"] != BETWEEN]
    for _, w in t.groupby("project_id", sort=False):
        if (w["months"] < 6).any():
            continue
        before, first, later = (fmt_int(v) for v in w["total"])
        out.append(f"{w['kpi'].iloc[0]} ({w['title'].iloc[0]}): {before} \u2192 {first} \u2192 "
                   f"{later}, the six months before the start ({w['from'].iloc[0]:%b %Y} to "
                   f"{w['to'].iloc[0]:%b %Y}), the first six months and the six months to the "
                   f"first anniversary ({w['from'].iloc[2]:%b %Y} to {w['to'].iloc[2]:%b %Y}).")
    return out


def show_findings(res: ProjectResults) -> None:
    """Section sentences: :func:`finding_sentences`."""
    show_sentences(finding_sentences(res))


def show_portfolio(res: ProjectResults) -> None:
    """The portfolio table for the report's scope (or a sentence when there are no projects);
    above :data:`MAX_ROWS` projects, the first rows by signal and counts by status for the rest."""
    if res.projects.empty:
        show_sentences([_none_recorded(res)])
        return
    note = "Leads are shown by profession only."
    if len(res.projects) > MAX_ROWS:
        order = by_signal(res.by_project)["project_id"]
        ranked = res.projects.set_index("project_id").loc[order].reset_index()
        rest = ranked.iloc[MAX_ROWS:]["status"].astype(str).value_counts()
        rest_note = ", ".join(f"{n:,} {k}" for k, n in rest.items())
        table = portfolio_table(SimpleNamespace(projects=ranked, participants=res.leads), sort=False)
        table, extra = _capped(table, len(ranked), rest_note)
        note += extra
    else:
        table = portfolio_table(SimpleNamespace(projects=res.projects, participants=res.leads))
    show_table(table, caption=f"Improvement projects, {res.scope}", note=note)


def show_matrix(res: ProjectResults) -> None:
    """The Making Data Count summary matrix (projects by variation and assurance icon)."""
    summary = res.by_project
    if summary.empty:
        show_sentences([_none_recorded(res)])
        return
    what = ("Each cell lists the projects" if len(summary) <= MAX_CHARTS
            else f"Each cell gives the number of projects (of {len(summary):,})")
    show_table(mdc_matrix(summary), caption=f"Making Data Count summary matrix, {res.scope}",
               note=f"{what}. Rows: variation in the most recent point, against limits set "
                    "from the points before each project's start. Columns: assurance against the project's "
                    "target, on limits from the points since its start.")


def show_project_summaries(res: ProjectResults) -> None:
    """Per-project icons and level change, as a table and plain sentences (the first
    :data:`MAX_ROWS` projects by signal when there are more)."""
    summary = res.by_project
    if summary.empty:
        show_sentences([_none_recorded(res)])
        return
    ranked = by_signal(summary) if len(summary) > MAX_ROWS else summary
    table, extra = _capped(summary_table(ranked), len(ranked), _variation_counts(ranked.iloc[MAX_ROWS:]))
    m = family_size(summary["p_holm"])
    show_table(table, caption=f"Icons and level change at the start, {res.scope}",
               note=f"Level change: {its_method()}, estimated only "
                    f"with at least {MIN_ITS_POINTS} monthly points before and after the start. "
                    f"p (Holm): the level-change tests of this report's {m:,} project"
                    f"{'s' if m != 1 else ''} with enough points are one Holm family (Holm 1979), "
                    "apart from the survey outcomes." + extra)
    show_sentences(summary_sentences(ranked.head(MAX_ROWS)))
    if len(res.controlled):
        show_table(controlled_table(res.controlled),
                   caption=f"Change against a comparison series, {res.scope}",
                   note="Controlled interrupted time series (Lopez Bernal et al. 2018): the "
                        "project's series and its comparison stacked in one least-squares "
                        "model; the differences remove what both series share. t intervals on "
                        f"the residual degrees of freedom, at least {MIN_ITS_POINTS} months "
                        "before and after the start in both series.")


def show_charts(res: ProjectResults) -> None:
    """SPC charts: one per project up to :data:`MAX_CHARTS` projects; beyond that, those showing
    special cause variation (:func:`chart_selection`), with a sentence saying which and why."""
    if res.projects.empty:
        show_sentences([_none_recorded(res)])
        return
    shown = chart_selection(res.by_project)
    if len(res.by_project) > MAX_CHARTS:
        show_sentences([chart_selection_sentence(res.by_project, shown)])
    show_project_charts(SimpleNamespace(projects=res.projects), shown, res.charts)


def show_service_example(res: ProjectResults) -> None:
    """Six-month totals of service measures counted per month, with their change."""
    table, sentences = service_example(totals=res.service)
    if not table.empty:
        show_table(table, caption=f"Service measures: six-month totals, {res.scope}")
    show_sentences(sentences or [f"No service measure counted per month is recorded for {res.scope}."])
