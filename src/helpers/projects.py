"""Improvement projects: the portfolio, Making Data Count charts and icons, before/after change.

Pure functions over the dataset's ``projects``, ``kpi_values`` and ``participants`` tables (any
object with those DataFrame attributes, such as :class:`helpers.data.Dataset`). Each project's KPI
series is charted as an XmR chart with its limits recalculated at the project's start
(:func:`helpers.spc.xmr`), summarised by the variation and assurance icons, and, where the series
is long enough either side of the start, its level change estimated by segmented regression
(:func:`helpers.its.segmented_regression`).

References
----------
NHS England. Making Data Count (2019, 2021): XmR charts, icons and the summary matrix.
Wagner AK et al. Segmented regression analysis of interrupted time series studies in medication
use research. J Clin Pharm Ther 2002;27:299-309 (at least 12 points before and after).
Lopez Bernal J, Cummins S, Gasparrini A. Int J Epidemiol 2017;46:348-355.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.its import segmented_regression
from helpers.spc import ASSURANCE_LABELS, VARIATION_LABELS, assurance_icon, variation_icon, xmr

#: Points needed on each side of the start for a segmented regression (Wagner et al. 2002).
MIN_ITS_POINTS = 12

_BETTER = {"up": "Higher", "down": "Lower", "neutral": "Neither"}


def kpi_series(kpi_values: pd.DataFrame, project_id: str) -> pd.Series:
    """One project's KPI values indexed by period, in time order (missing values dropped)."""
    rows = kpi_values[kpi_values["project_id"] == project_id].dropna(subset=["value"])
    s = rows.set_index(pd.DatetimeIndex(rows["period"]))["value"].astype(float).sort_index()
    s.index.name = "period"
    return s


def portfolio_table(data) -> pd.DataFrame:
    """The project portfolio: title, area, lead's profession, KPI, unit, better, start, status.

    The lead is shown by profession only (never an identifier); a lead missing from the
    participants table is "not recorded".
    """
    p = data.projects
    cols = ["Project", "Area", "Lead's profession", "KPI", "Unit", "Better", "Started", "Status"]
    if p.empty:
        return pd.DataFrame(columns=cols)
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


def project_chart(project: pd.Series, kpi_values: pd.DataFrame) -> pd.DataFrame:
    """XmR chart table of one project's KPI, rebased at the project's start, with its target."""
    s = kpi_series(kpi_values, project["project_id"])
    target = project.get("target")
    target = None if target is None or pd.isna(target) else float(target)
    start = pd.Timestamp(project["start_date"])
    rebase = [start] if len(s) and s.index[0] < start <= s.index[-1] else None
    return xmr(s, improvement=project["better"], target=target, rebase=rebase)


def level_change(series: pd.Series, start, min_points: int = MIN_ITS_POINTS) -> pd.Series | None:
    """Level change at ``start`` by segmented regression (gaussian, Newey-West errors), or None
    when there are fewer than ``min_points`` points on either side."""
    after = (series.index >= pd.Timestamp(start)).astype(int)
    if min(after.sum(), len(after) - after.sum()) < min_points:
        return None
    df = pd.DataFrame({"y": series.to_numpy(), "t": np.arange(1, len(series) + 1), "x": after})
    return segmented_regression(df, "y", "t", "x", family="gaussian").loc["level_change"]


def project_summary(data, min_points: int = MIN_ITS_POINTS) -> pd.DataFrame:
    """One row per project: points before/after the start, icons, level change and interval."""
    rows = []
    for _, p in data.projects.iterrows():
        chart = project_chart(p, data.kpi_values)
        s = chart["value"]
        start = pd.Timestamp(p["start_date"])
        n_after = int((s.index >= start).sum())
        lc = level_change(s, start, min_points)
        rows.append({
            "project_id": p["project_id"], "title": p["title"], "kpi": p["kpi"], "unit": p["unit"],
            "better": p["better"], "n_before": len(s) - n_after, "n_after": n_after,
            "variation": variation_icon(chart), "assurance": assurance_icon(chart),
            "estimate": np.nan if lc is None else lc["estimate"],
            "ci_low": np.nan if lc is None else lc["ci_low"],
            "ci_high": np.nan if lc is None else lc["ci_high"],
            "p_value": np.nan if lc is None else lc["p_value"],
        })
    return pd.DataFrame(rows, columns=["project_id", "title", "kpi", "unit", "better", "n_before",
                                       "n_after", "variation", "assurance", "estimate", "ci_low",
                                       "ci_high", "p_value"])


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Readable per-project table of :func:`project_summary` (icons in words, change with CI)."""
    from helpers.report.fmt import fmt_ci, fmt_signed

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
        "Unit": summary["unit"],
    })


def mdc_matrix(summary: pd.DataFrame) -> pd.DataFrame:
    """Making Data Count summary matrix: variation icon (rows) by assurance icon (columns), each
    cell listing the projects (by title) that carry both icons; empty rows/columns dropped."""
    if summary.empty:
        return pd.DataFrame()
    rows = [k for k in VARIATION_LABELS if k in set(summary["variation"])]
    cols = [k for k in ASSURANCE_LABELS if k in set(summary["assurance"])]
    grid = pd.DataFrame("", index=[VARIATION_LABELS[r] for r in rows],
                        columns=[ASSURANCE_LABELS[c] for c in cols])
    for r in rows:
        for c in cols:
            titles = summary.loc[(summary["variation"] == r) & (summary["assurance"] == c), "title"]
            grid.loc[VARIATION_LABELS[r], ASSURANCE_LABELS[c]] = "; ".join(titles)
    grid.index.name = "Variation"
    return grid.reset_index()


def summary_sentences(summary: pd.DataFrame, min_points: int = MIN_ITS_POINTS) -> list[str]:
    """One plain sentence per project on what its chart and level change can and cannot say."""
    from helpers.report.fmt import fmt_ci, fmt_p, fmt_signed

    out = []
    for _, r in summary.iterrows():
        text = f"{r['title']}: {VARIATION_LABELS[r['variation']].lower()}"
        if r["assurance"] not in ("no_target", "no_limits"):
            text += f"; {ASSURANCE_LABELS[r['assurance']].lower()}"
        if pd.isna(r["estimate"]):
            text += (f". With {r['n_before']} points before the start and {r['n_after']} after, the "
                     f"series is too short to estimate a change in level (at least {min_points} "
                     "are needed on each side), so no before/after effect can be concluded.")
        else:
            text += (f". Level change after the start: {fmt_signed(r['estimate'], 1)} {r['unit']} "
                     f"(95% CI {fmt_ci(r['ci_low'], r['ci_high'], 1)}, {fmt_p(r['p_value'])}).")
        out.append(text)
    return out


def project_figures(data) -> list[tuple[object, str, str]]:
    """(figure, alt text, caption) for every project's SPC chart, in portfolio order."""
    from helpers.spc.charts import chart_alt_text, spc_chart

    figs = []
    for _, p in data.projects.sort_values(["start_date", "title"]).iterrows():
        chart = project_chart(p, data.kpi_values)
        fig = spc_chart(chart, title=str(p["title"]), y_label=f"{p['kpi']} ({p['unit']})")
        caption = (f"{p['kpi']} ({p['unit']}; {_BETTER.get(p['better'], p['better']).lower()} is "
                   f"better). Limits recalculated at the project's start, "
                   f"{pd.Timestamp(p['start_date']):%B %Y}.")
        figs.append((fig, chart_alt_text(chart, str(p["kpi"])), caption))
    return figs


def show_project_charts(data) -> None:
    """Display every project's SPC chart (escaped, with alt text) and release the figures."""
    import matplotlib.pyplot as plt

    from helpers.report.display import show_figure

    for fig, alt, caption in project_figures(data):
        show_figure(fig, alt=alt, caption=caption)
        plt.close(fig)


def is_service_measure(project: pd.Series) -> bool:
    """A KPI counted per period ("issues per month"): its monthly values can be added up."""
    return "per month" in str(project.get("unit", "")).lower()


def _pct_change(proportion: float) -> str:
    """A relative change as a signed percentage: 0.4967 -> '+49.7%'."""
    from helpers.report.fmt import fmt_signed

    return f"{fmt_signed(100 * proportion, 1)}%"


def six_month_totals(series: pd.Series, start, months: int = 6) -> pd.DataFrame:
    """Totals of a monthly count over three windows around a start month.

    Windows: the ``months`` before the start; the first ``months`` from the start; and the
    ``months`` up to the first anniversary of the start (a year on). Each row: window, first and
    last month, months observed, total, and change from the window before the start.
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
    return out


def service_example(data) -> tuple[pd.DataFrame, list[str]]:
    """Worked example of service measures: six-month totals and their change, as a table and
    sentences, for each project whose KPI is counted per month."""
    from helpers.report.fmt import fmt_int

    tables, sentences = [], []
    for _, p in data.projects.iterrows():
        if not is_service_measure(p):
            continue
        s = kpi_series(data.kpi_values, p["project_id"])
        t = six_month_totals(s, p["start_date"])
        if (t["months"] < 6).any():
            sentences.append(f"{p['title']}: the series does not cover six months either side of "
                             "the start, so six-month totals cannot be compared.")
            continue
        tables.append(pd.DataFrame({
            "Project": p["title"], "Window": t["window"],
            "Months": [f"{a:%b %Y} to {b:%b %Y}" for a, b in zip(t["from"], t["to"])],
            "Total": t["total"].map(fmt_int),
            "Change from before": ["–"] + [_pct_change(c) for c in t["change"][1:]],
        }))
        before, first, later = t["total"]
        verb = "rose" if first >= before else "fell"
        sentences.append(
            f"{p['kpi']} {verb} from {fmt_int(before)} in the six months before "
            f"\u201c{p['title']}\u201d started to {fmt_int(first)} in its first six months "
            f"({_pct_change(first / before - 1)}), and stood at {fmt_int(later)} in the six months "
            f"to {t['to'].iloc[2]:%B %Y} ({_pct_change(later / before - 1)} on before).")
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return table, sentences


# --- notebook cells: one call each, with the empty cases said in words ------------------------

def _none_recorded(rep) -> str:
    return f"No live improvement projects are recorded for {rep.scope}."


def show_portfolio(rep) -> None:
    """The portfolio table for the report's scope (or a sentence when there are no projects)."""
    from helpers.report.display import show_sentences, show_table

    table = portfolio_table(rep.data)
    if table.empty:
        show_sentences([_none_recorded(rep)])
        return
    show_table(table, caption=f"Improvement projects, {rep.scope}",
               note="Leads are shown by profession only.")


def show_matrix(rep, summary: pd.DataFrame) -> None:
    """The Making Data Count summary matrix (projects by variation and assurance icon)."""
    from helpers.report.display import show_sentences, show_table

    if summary.empty:
        show_sentences([_none_recorded(rep)])
        return
    show_table(mdc_matrix(summary), caption=f"Making Data Count summary matrix, {rep.scope}",
               note="Rows: variation in the most recent point (limits recalculated at each "
                    "project's start). Columns: assurance against the project's target.")


def show_project_summaries(rep, summary: pd.DataFrame) -> None:
    """Per-project icons and level change, as a table and plain sentences."""
    from helpers.report.display import show_sentences, show_table

    if summary.empty:
        show_sentences([_none_recorded(rep)])
        return
    show_table(summary_table(summary), caption=f"Icons and level change at the start, {rep.scope}",
               note=f"Level change: segmented regression with Newey-West errors, estimated only "
                    f"with at least {MIN_ITS_POINTS} monthly points before and after the start.")
    show_sentences(summary_sentences(summary))


def show_charts(rep) -> None:
    """One SPC chart per project (or a sentence when there are none)."""
    from helpers.report.display import show_sentences

    if rep.data.projects.empty:
        show_sentences([_none_recorded(rep)])
        return
    show_project_charts(rep.data)


def show_service_example(rep) -> None:
    """Six-month totals of service measures counted per month, with their change."""
    from helpers.report.display import show_sentences, show_table

    table, sentences = service_example(rep.data)
    if not table.empty:
        show_table(table, caption=f"Service measures: six-month totals, {rep.scope}")
    show_sentences(sentences or [f"No service measure counted per month is recorded for {rep.scope}."])
