"""SPC figures drawn the Making Data Count way (matplotlib, the report theme's colours).

Grey points for common cause, orange for concern, blue for improvement, purple for neutral
special cause; a solid mean line and dashed grey process limits for each segment, a gap and a
dotted marker where the limits are recalculated, a dash-dot marker where a project started
when its limits come from the points before it, a fine dotted purple marker where the programme
started (``attrs["programme_start"]``), a red dashed target line. Segments with too few
points for limits are drawn as a run chart (values and the mean only).

References
----------
NHS England. Making Data Count: Strengthening your decisions (2021).
NHS-R Community. NHSRplotthedots (R package), ``ptd_create_ggplot()`` and ``ptd_spc_colours()``.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from helpers.report.theme import SPC_COLOURS

from .icons import ASSURANCE_LABELS, VARIATION_LABELS, assurance_icon, variation_icon

POINT_LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral": "Special cause: neither",
}


def _span(x) -> str:
    """from Apr 2011 to Mar 2012": the period of the points drawn as a run chart."""
    if isinstance(x, pd.DatetimeIndex):
        return f"from {x[0]:%b %Y} to {x[-1]:%b %Y}" if len(x) > 1 else f"in {x[0]:%b %Y}"
    return f"for points {x[0]} to {x[-1]}"


def spc_chart(chart: pd.DataFrame, title: str | None = None, x_label: str = "Period",
              y_label: str = "Value", ax=None):
    """Draw an XmR (or, with too few points, run) chart from :func:`helpers.spc.xmr` output.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`helpers.spc.xmr`; its index is the x axis (dates or positions).
    title, x_label, y_label : str
        Title and axis labels (the y label should name the measure and its unit).
    ax : matplotlib Axes, optional
        Draw into this axes; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    colours = dict(SPC_COLOURS)
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    x = chart.index
    ax.plot(x, chart["value"], color=colours["common_cause"], linewidth=1, zorder=1)
    for ptype, label in POINT_LABELS.items():
        m = (chart["point_type"] == ptype).to_numpy()
        if m.any():
            ax.scatter(x[m], chart["value"][m], color=colours[ptype], s=28, zorder=3, label=label)
    first = True
    for seg, part in chart.groupby("segment", sort=True):
        px = part.index
        ax.plot(px, part["mean"], color="black", linewidth=1.2,
                label="Mean" if seg == chart["segment"].iloc[0] else None, zorder=2)
        if (part["chart"] == "xmr").all():
            ax.plot(px, part["upl"], color=colours["common_cause"], linestyle="--", linewidth=1,
                    label="Process limits" if first else None, zorder=2)
            ax.plot(px, part["lpl"], color=colours["common_cause"], linestyle="--", linewidth=1,
                    zorder=2)
            first = False
        if seg != chart["segment"].iloc[0]:
            ax.axvline(px[0], color=colours["common_cause"], linestyle=":", linewidth=1,
                       label="Limits recalculated" if seg == chart["segment"].unique()[1] else None)
    start = chart.attrs.get("start")
    if start is not None and chart.attrs.get("limits") == "baseline":
        # The limits run on from the baseline: mark where the change began so a reader sees
        # which points are judged against the period before it.
        ax.axvline(start, color="black", linestyle="-.", linewidth=1, label="Project started")
    programme = chart.attrs.get("programme_start")
    if programme is not None and isinstance(x, pd.DatetimeIndex) and len(x) and \
            x[0] <= pd.Timestamp(programme) <= x[-1]:
        # the programme's start, so a reader sees the change against when the leaders began
        ax.axvline(pd.Timestamp(programme), color=colours.get("special_cause_neutral", "#361475"),
                   linestyle=(0, (1, 2)), linewidth=1.2, label="Programme started")
    if chart["target"].notna().any():
        ax.plot(x, chart["target"], color=colours["target"], linestyle="--", linewidth=1.2,
                label="Target", zorder=2)
    notes = []
    run = (chart["chart"] == "run").to_numpy()
    few = chart.attrs.get("min_points", 13)
    if run.all():
        notes.append(f"fewer than {few} points: run chart, no limits")
    elif run.any():
        # only some segments lack limits: say which, so the title agrees with what is drawn
        notes.append(f"no limits {_span(x[run])} (fewer than {few} points there: run chart)")
    ax.set_xlabel(x_label)
    ax.set_ylabel(textwrap.fill(y_label, 40))
    heading = textwrap.fill(title or "SPC chart", 60)
    if notes:
        heading += f"\n({'; '.join(notes)})"
    ax.set_title(heading)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.autofmt_xdate() if isinstance(x, pd.DatetimeIndex) else None
    fig.tight_layout()
    return fig


def chart_alt_text(chart: pd.DataFrame, measure: str, assurance: str | None = None) -> str:
    """One-sentence description of an SPC chart for its alt text; ``assurance`` overrides the
    icon read from the chart's own last limits."""
    n = len(chart)
    icon = VARIATION_LABELS[variation_icon(chart)]
    text = f"SPC chart of {measure}, {n} points. {icon}."
    n_special = int(chart["special_cause"].sum())
    if (chart["chart"] == "xmr").any():
        text += f" {n_special} point{'s' if n_special != 1 else ''} show special cause variation."
    a = assurance_icon(chart) if assurance is None else assurance
    if a != "no_target":
        text += f" Assurance: {ASSURANCE_LABELS[a].lower()}."
    return text
