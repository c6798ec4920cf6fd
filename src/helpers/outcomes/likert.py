"""Likert items as distributions, and the two figures of the outcomes report.

Diverging stacked bars (Robbins & Heiberger 2011): each item is a bar of its response shares,
disagreement to the left of zero and agreement to the right, the neutral middle category split
half each side, so items line up on the centre and the eye compares agreement directly. Items
answered by fewer than ``suppress_below`` people, or with an answer given by fewer than that
many, are left out (a share of a known number of answers is a count).

Forest plot (Lewis & Clarke 2001): one row per scale, the point estimate with its confidence
interval, a vertical line at no effect.

References
----------
Robbins NB, Heiberger RM (2011). Plotting Likert and other rating scales. Proceedings of the
2011 Joint Statistical Meeting, 1058-1066.
Heiberger RM, Robbins NB (2014). Design of diverging stacked bar charts for Likert scales and
other applications. Journal of Statistical Software 57(5):1-32.
Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the trees. BMJ 322:1479-1480.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.report.theme import LIKERT_COLOURS, NHS_BLUE, NHS_DARK_GREY


#: Columns of :func:`likert_distribution` that are not response levels.
NON_LEVEL_COLUMNS = ("n", "text", "reverse_scored")


def likert_distribution(responses: pd.DataFrame, items: pd.DataFrame, instrument_id: str,
                        wave: str | None = None, rater: str | None = "self") -> pd.DataFrame:
    """Response counts per item and level (raw answers, not reverse-scored).

    Returns
    -------
    DataFrame indexed by ``item_id`` with one count column per level from the items' ``min``
    to ``max`` (integers), plus ``n`` (answers), ``text`` (the item wording) and
    ``reverse_scored`` (bool: agreeing is the less favourable answer; the chart says so, since
    it shows the answers as given). Levels that are not whole numbers are rounded to the
    nearest level.
    """
    r = responses[responses["instrument_id"] == instrument_id]
    if wave is not None:
        r = r[r["wave"] == wave]
    if rater is not None:
        r = r[r["rater"] == rater]
    it = items[items["instrument_id"] == instrument_id]
    if it.empty:
        return pd.DataFrame(columns=["n", "text", "reverse_scored"])
    lo, hi = int(np.nanmin(it["min"])), int(np.nanmax(it["max"]))
    levels = list(range(lo, hi + 1))
    v = pd.to_numeric(r["value"], errors="coerce")
    r = r.assign(level=v.round()).dropna(subset=["level"])
    counts = (r.groupby(["item_id", "level"]).size().unstack(fill_value=0)
              .reindex(columns=[float(x) for x in levels], fill_value=0))
    counts.columns = levels
    counts = counts.reindex(it["item_id"].tolist(), fill_value=0)
    counts["n"] = counts[levels].sum(axis=1)
    meta = it.set_index("item_id")
    counts["text"] = meta["text"].reindex(counts.index).fillna("").astype(str)
    reverse = meta["reverse_scored"] if "reverse_scored" in meta.columns else pd.Series(False, index=meta.index)
    counts["reverse_scored"] = reverse.reindex(counts.index).fillna(False).astype(bool)
    return counts


#: Columns of :func:`level_counts`.
LEVEL_COLUMNS = ("item_id", "level", "answers")


def level_counts(dist: pd.DataFrame) -> pd.DataFrame:
    """A :func:`likert_distribution` frame long: one row per item and level with its number of
    ``answers`` (levels nobody chose included, as zero), items in the distribution's order.

    Examples
    --------
    >>> dist = pd.DataFrame({1: [2, 0], 2: [1, 3], "n": [3, 3], "text": ["a", "b"],
    ...                      "reverse_scored": [False, False]},
    ...                     index=pd.Index(["q1", "q2"], name="item_id"))
    >>> level_counts(dist).to_dict("list")
    {'item_id': ['q1', 'q2', 'q1', 'q2'], 'level': [1, 1, 2, 2], 'answers': [2, 0, 1, 3]}
    """
    cols = [c for c in dist.columns if c not in NON_LEVEL_COLUMNS]
    if dist.empty or not cols:
        return pd.DataFrame(columns=list(LEVEL_COLUMNS))
    return dist[cols].rename_axis("item_id").reset_index().melt(
        id_vars="item_id", var_name="level", value_name="answers")[list(LEVEL_COLUMNS)]


def chartable_items(dist: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The items a chart may show: at least ``threshold`` answers, and no answer level chosen by
    1 to ``threshold - 1`` people (a bar's share of a known number of answers is a count, so a
    thin segment would show how few gave that answer). Levels nobody chose are fine.
    """
    levels = [c for c in dist.columns if c not in NON_LEVEL_COLUMNS]
    if dist.empty:
        return dist
    counts = dist[levels].to_numpy(dtype=float)
    small = ((counts > 0) & (counts < threshold)).any(axis=1)
    return dist[(dist["n"].to_numpy(dtype=float) >= threshold) & ~small]


def diverging_shares(dist: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Shares per level and each bar's left edge for a diverging stacked bar chart.

    Returns
    -------
    (shares, left): ``shares`` are proportions per level (rows sum to 1); ``left`` is where
    each bar starts so that the disagreeing levels plus half the neutral level (for an odd
    number of levels) lie left of zero.
    """
    levels = [c for c in dist.columns if c not in NON_LEVEL_COLUMNS]
    n = dist["n"].replace(0, np.nan)
    shares = dist[levels].div(n, axis=0).fillna(0.0)
    k = len(levels)
    neg = shares[levels[: k // 2]].sum(axis=1)
    if k % 2 == 1:
        neg = neg + shares[levels[k // 2]] / 2
    return shares, -neg


def diverging_likert_figure(dist: pd.DataFrame, labels: Mapping[int, str] | None = None,
                            threshold: int = 5, title: str | None = None, wrap: int = 55):
    """A diverging stacked bar chart of Likert items (Heiberger & Robbins 2014).

    Parameters
    ----------
    dist : :func:`likert_distribution` output.
    labels : level -> wording for the legend (dataset.yaml instrument ``labels``).
    threshold : items with fewer answers than this, or with an answer level chosen by fewer
        than this (but some) people, are left out (:func:`chartable_items`).
    title : figure title.
    wrap : wrap item texts at this width.

    Returns
    -------
    matplotlib Figure (or None when no item has enough answers).
    """
    shown = chartable_items(dist, threshold)
    if shown.empty:
        return None
    shares, left = diverging_shares(shown)
    levels = list(shares.columns)
    colours = _likert_colours(len(levels), LIKERT_COLOURS)
    height = 0.55 * len(shown) + 1.6
    fig, ax = plt.subplots(figsize=(8.5, height))
    y = np.arange(len(shown))[::-1]
    start = left.to_numpy(dtype=float).copy()
    for level, colour in zip(levels, colours):
        width = shares[level].to_numpy(dtype=float)
        name = str(labels.get(level, labels.get(str(level), level))) if labels else str(level)
        ax.barh(y, width, left=start, color=colour, edgecolor="white", label=name, height=0.7)
        start = start + width
    ax.axvline(0, color=NHS_DARK_GREY, linewidth=1)
    ax.set_yticks(y)
    texts = shown["text"].replace("", np.nan).fillna(pd.Series(shown.index, index=shown.index))
    if "reverse_scored" in shown.columns:
        # Answers are shown as given, so on these items agreement is the unfavourable side.
        texts = texts.where(~shown["reverse_scored"].astype(bool), texts + " (reverse-scored)")
    ax.set_yticklabels([textwrap.fill(t, wrap) for t in texts])
    ax.set_xlim(-1, 1)
    ticks = np.linspace(-1, 1, 5)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(t) * 100:.0f}%" for t in ticks])
    ax.set_xlabel("Share of answers (disagree to the left, agree to the right)")
    ax.legend(ncol=min(len(levels), 5), loc="upper center", bbox_to_anchor=(0.5, -0.18),
              frameon=False, fontsize=9)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _likert_colours(k: int, base: Sequence[str]) -> list[str]:
    """``k`` diverging colours: the theme's five when k == 5, else sampled from RdBu."""
    if k == len(base):
        return list(base)
    cmap = matplotlib.colormaps["RdBu"]
    return [matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.1, 0.9, k)]


def forest_figure(frame: pd.DataFrame, label_col: str = "label", estimate: str = "estimate",
                  low: str = "ci_low", high: str = "ci_high", xlabel: str = "Change",
                  title: str | None = None, null: float = 0.0):
    """A forest plot: one row per line of ``frame``, estimate and interval (Lewis & Clarke 2001).

    Rows with a missing estimate are left out. Returns a matplotlib Figure or None.
    """
    f = frame.dropna(subset=[estimate])
    if f.empty:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(f) + 1.5))
    y = np.arange(len(f))[::-1]
    est = f[estimate].to_numpy(dtype=float)
    lo = f[low].to_numpy(dtype=float)
    hi = f[high].to_numpy(dtype=float)
    err = np.vstack([np.where(np.isfinite(lo), est - lo, 0), np.where(np.isfinite(hi), hi - est, 0)])
    ax.errorbar(est, y, xerr=err, fmt="o", color=NHS_BLUE, ecolor=NHS_BLUE, capsize=3)
    ax.axvline(null, color=NHS_DARK_GREY, linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(f[label_col].astype(str))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
