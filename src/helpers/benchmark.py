"""Benchmarking organisations: funnel plots of proportions and means against the programme.

A funnel plot sets each organisation's result (y) against its size (x) with control limits
around the overall value that narrow as the size grows; a point outside the 99.8% limits is
very unlikely to differ from the overall value by chance alone (about 1 in 500 under the null),
so it is "special cause" in the language of statistical process control. Ranking organisations
in a league table invites reading noise as performance; the funnel does not (Spiegelhalter 2005).

Limits for a proportion are exact binomial quantiles with Spiegelhalter's interpolation, so
they change smoothly with n instead of in steps; limits for a mean are the normal
approximation ``target +/- z * sd / sqrt(n)``.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics in
Medicine 24(8):1185-1202 (Appendix A.1.1: the interpolated binomial limit).
Public Health England (2018). Technical guide: funnel plots (the same method, as used in
Fingertips).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from helpers.report.theme import NHS_BLUE, NHS_DARK_GREY, PALETTE

COVERAGE = (0.95, 0.998)
POOLED_LABEL = "Other organisations (pooled)"


def _label(c: float) -> str:
    """Column tag of a coverage: 0.95 -> "95", 0.998 -> "998"."""
    return f"{100 * c:g}".replace(".", "")


def _binomial_limit(n: np.ndarray, target: float, p: float) -> np.ndarray:
    """Spiegelhalter's (2005) interpolated p-quantile of Binomial(n, target), divided by n.

    r is the smallest count with P(R <= r) >= p; alpha = (P(R <= r) - p) / (P(R <= r) -
    P(R <= r - 1)) and the limit is (r - alpha) / n.
    """
    n = np.asarray(n, dtype=float)
    r = stats.binom.ppf(p, n, target)
    f_r = stats.binom.cdf(r, n, target)
    f_below = stats.binom.cdf(r - 1, n, target)
    step = f_r - f_below
    alpha = np.divide(f_r - p, step, out=np.zeros_like(step), where=step > 0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def funnel_limits(n, target: float, coverage: Sequence[float] = COVERAGE) -> pd.DataFrame:
    """Funnel plot control limits for a proportion with denominator ``n`` around ``target``.

    Parameters
    ----------
    n : int or array of int
        Denominators (organisation sizes), each at least 1.
    target : float
        The proportion the limits are drawn around (usually the overall proportion), 0 to 1.
    coverage : sequence of float, default (0.95, 0.998)
        Two-sided coverage of each pair of limits.

    Returns
    -------
    DataFrame
        One row per ``n``: ``n`` and, for each coverage c, ``lower_<c>`` and ``upper_<c>``
        (``lower_95, upper_95, lower_998, upper_998`` for the defaults) as proportions.

    Notes
    -----
    For a limit at probability p (``(1 - c) / 2`` for the lower, ``(1 + c) / 2`` for the upper
    limit), let r be the smallest count with ``P(R <= r) >= p`` for R ~ Binomial(n, target);
    then ``alpha = (P(R <= r) - p) / (P(R <= r) - P(R <= r - 1))`` and the limit is
    ``(r - alpha) / n`` (Spiegelhalter 2005, Appendix A.1.1). The interpolation makes the
    exact, stepped binomial limits continuous in n. Limits are clipped to [0, 1].

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics
    in Medicine 24(8):1185-1202.

    Examples
    --------
    In R: ``r <- qbinom(0.975, 100, 0.2); F <- pbinom(r, 100, 0.2); a <- (F - 0.975) /
    (F - pbinom(r - 1, 100, 0.2)); (r - a) / 100`` gives 0.2765 (and 0.1197 at 0.025).

    >>> lim = funnel_limits([100], 0.2)
    >>> round(float(lim.loc[0, "upper_95"]), 4), round(float(lim.loc[0, "lower_95"]), 4)
    (0.2765, 0.1197)
    """
    n = np.atleast_1d(np.asarray(n, dtype=float))
    if (n < 1).any() or not np.all(np.isfinite(n)):
        raise ValueError("funnel_limits needs denominators of at least 1")
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a proportion from 0 to 1, got {target!r}")
    out = pd.DataFrame({"n": n.astype(int)})
    for c in coverage:
        tag = _label(c)
        out[f"lower_{tag}"] = _binomial_limit(n, target, (1 - c) / 2)
        out[f"upper_{tag}"] = _binomial_limit(n, target, (1 + c) / 2)
    return out


def funnel_limits_mean(n, target: float, sd: float,
                       coverage: Sequence[float] = COVERAGE) -> pd.DataFrame:
    """Funnel limits for a mean of ``n`` values around ``target``: ``target +/- z sd / sqrt(n)``.

    ``sd`` is the standard deviation of one value (pooled over organisations); z the normal
    quantile for each coverage (1.960 for 95%, 3.090 for 99.8%). Same columns as
    :func:`funnel_limits`.

    Examples
    --------
    >>> lim = funnel_limits_mean([25], 0.5, 1.0)
    >>> round(float(lim.loc[0, "upper_95"]), 4), round(float(lim.loc[0, "upper_998"]), 4)
    (0.892, 1.118)
    """
    n = np.atleast_1d(np.asarray(n, dtype=float))
    if (n < 1).any():
        raise ValueError("funnel_limits_mean needs sizes of at least 1")
    out = pd.DataFrame({"n": n.astype(int)})
    for c in coverage:
        z = stats.norm.ppf((1 + c) / 2)
        half = z * sd / np.sqrt(n)
        out[f"lower_{_label(c)}"] = target - half
        out[f"upper_{_label(c)}"] = target + half
    return out


def pool_small(df: pd.DataFrame, by: str, min_n: int, label: str = POOLED_LABEL) -> pd.DataFrame:
    """Person-level rows with every ``by`` value held by fewer than ``min_n`` people relabelled
    ``label``, so small organisations are shown together instead of one by one."""
    counts = df[by].value_counts()
    small = counts.index[counts < min_n]
    out = df.copy()
    out[by] = out[by].astype(object).where(~out[by].isin(small), label)
    return out


def funnel_table(df: pd.DataFrame, by: str, outcome: str, kind: str = "proportion",
                 min_n: int = 5, coverage: Sequence[float] = COVERAGE) -> pd.DataFrame:
    """Each organisation's result beside its funnel limits.

    Parameters
    ----------
    df : DataFrame
        One row per person: ``by`` (organisation) and ``outcome`` (0/1 for a proportion, a
        number for a mean). Rows with a missing outcome are dropped.
    by, outcome : str
    kind : {"proportion", "mean"}
    min_n : int
        Organisations with fewer people are pooled into one row (:func:`pool_small`).

    Returns
    -------
    DataFrame ``group, n, events (proportions only), estimate, target`` plus the limit columns
    and ``signal``: "above 99.8%", "above 95%", "within", "below 95%" or "below 99.8%". The
    target is the overall value over all rows (pooled ones included); for means the sd is the
    pooled within-organisation standard deviation.
    """
    d = df.dropna(subset=[outcome])
    if d.empty:
        return pd.DataFrame(columns=["group", "n", "estimate", "target", "signal"])
    d = pool_small(d, by, min_n)
    g = d.groupby(by, observed=True)[outcome]
    table = pd.DataFrame({"n": g.size(), "estimate": g.mean()})
    if kind == "proportion":
        table["events"] = g.sum().astype(int)
        target = float(d[outcome].mean())
        lim = funnel_limits(table["n"].to_numpy(), target, coverage)
    elif kind == "mean":
        target = float(d[outcome].mean())
        resid = d[outcome] - g.transform("mean")
        dof = max(len(d) - len(table), 1)
        sd = float(np.sqrt((resid ** 2).sum() / dof))
        lim = funnel_limits_mean(table["n"].to_numpy(), target, sd, coverage)
    else:
        raise ValueError(f"kind must be 'proportion' or 'mean', got {kind!r}")
    table = table.reset_index().rename(columns={by: "group"})
    table["target"] = target
    for col in lim.columns.drop("n"):
        table[col] = lim[col].to_numpy()
    inner, outer = _label(min(coverage)), _label(max(coverage))
    table["signal"] = np.select(
        [table["estimate"] > table[f"upper_{outer}"], table["estimate"] > table[f"upper_{inner}"],
         table["estimate"] < table[f"lower_{outer}"], table["estimate"] < table[f"lower_{inner}"]],
        [f"above {_pct(max(coverage))}", f"above {_pct(min(coverage))}",
         f"below {_pct(max(coverage))}", f"below {_pct(min(coverage))}"], "within")
    return table.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


def _pct(c: float) -> str:
    return f"{100 * c:g}%"


def funnel_figure(table: pd.DataFrame, kind: str = "proportion", ylabel: str = "",
                  coverage: Sequence[float] = COVERAGE, sd: float | None = None):
    """The funnel plot of a :func:`funnel_table` (the rows to draw, already disclosure-checked):
    points per organisation, the target line, and the limits drawn over the range of sizes.
    None when there is nothing to draw."""
    if table.empty:
        return None
    target = float(table["target"].iloc[0])
    grid = np.unique(np.round(np.geomspace(max(1, table["n"].min() * 0.8),
                                           table["n"].max() * 1.15, 120)).astype(int))
    if kind == "proportion":
        lim = funnel_limits(grid, target, coverage)
    else:
        if sd is None:
            raise ValueError("a funnel of means needs sd")
        lim = funnel_limits_mean(grid, target, sd, coverage)
    scale = 100 if kind == "proportion" else 1
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = {min(coverage): ("--", NHS_DARK_GREY), max(coverage): (":", NHS_DARK_GREY)}
    for c in coverage:
        ls, colour = styles.get(c, ("-", NHS_DARK_GREY))
        tag = _label(c)
        ax.plot(grid, scale * lim[f"lower_{tag}"], ls, color=colour, linewidth=1,
                label=f"{_pct(c)} limits")
        ax.plot(grid, scale * lim[f"upper_{tag}"], ls, color=colour, linewidth=1)
    ax.axhline(scale * target, color=NHS_BLUE, linewidth=1, label="Programme average")
    outer = _label(max(coverage))
    out = (table["estimate"] > table[f"upper_{outer}"]) | (table["estimate"] < table[f"lower_{outer}"])
    ax.scatter(table.loc[~out, "n"], scale * table.loc[~out, "estimate"], color=NHS_BLUE,
               s=22, zorder=3, label="Organisation")
    if out.any():
        ax.scatter(table.loc[out, "n"], scale * table.loc[out, "estimate"], color=PALETTE[1],
                   s=30, zorder=3, label=f"Outside the {_pct(max(coverage))} limits")
    ax.set_xscale("log")
    ax.set_xlabel("People in the organisation (log scale)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", frameon=False, fontsize="small")
    fig.tight_layout()
    return fig
