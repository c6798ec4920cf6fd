"""The XmR chart table: one row per point with limits, rules fired and the point's type."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from .limits import segment_ids, xmr_limits
from .rules import RULES, classify

#: Fewer points than this in a segment: no limits, no special-cause rules, a run chart instead
#: (Making Data Count asks for at least 12-15 points before limits are set; we use 13).
MIN_POINTS = 13

#: Fewest points from which limits may be fixed and extended (a baseline): NHSRplotthedots
#: accepts ``fix_after_n_points`` of 12 or more (``ptd_spc_options``), and Making Data Count's
#: "at least 12 to 15 points" starts at 12. A segment shorter than :data:`MIN_POINTS` is still
#: a run chart; a baseline of 12 points inside a longer series is not one.
MIN_BASELINE = 12

_DIRECTIONS = {"up": 1, "increase": 1, "down": -1, "decrease": -1, "neutral": 0}


def improvement_sign(improvement: str) -> int:
    """+1 for "up"/"increase", -1 for "down"/"decrease", 0 for "neutral"."""
    try:
        return _DIRECTIONS[str(improvement).lower()]
    except KeyError:
        raise ValueError(f"improvement must be one of up, down, neutral; got {improvement!r}") from None


def _positions(index: pd.Index, points) -> list[int]:
    """Positions of rebase points: integers are positions; anything else is an index label
    (for a DatetimeIndex, the first point on or after the date)."""
    if points is None:
        return []
    if np.isscalar(points) or isinstance(points, (pd.Timestamp, datetime.date)):
        points = [points]
    out = []
    for p in points:
        if isinstance(p, (int, np.integer)) and not isinstance(p, bool):
            out.append(int(p))
        elif isinstance(index, pd.DatetimeIndex):
            pos = int(index.searchsorted(pd.Timestamp(p)))
            if pos < len(index):
                out.append(pos)
        else:
            out.append(int(index.get_loc(p)))
    return out


def xmr(values, improvement: str = "up", screen_outliers: bool = True, shift: int = 7,
        trend: int = 7, target: float | None = None, baseline: int | None = None,
        rebase=None, min_points: int = MIN_POINTS) -> pd.DataFrame:
    """XmR chart of a series, classified the Making Data Count way (as NHSRplotthedots does).

    Parameters
    ----------
    values : array-like or pandas.Series
        Measurements in time order, no missing values. A Series keeps its index (e.g. dates).
    improvement : {"up", "down", "neutral"}
        Which direction is better ("increase"/"decrease" are accepted too).
    screen_outliers : bool, default True
        Screen out moving ranges >= 3.267 x the mean moving range before setting limits.
    shift, trend : int, default 7
        Points in a run on one side of the mean / in a strictly rising or falling run that make
        a signal (the Making Data Count tool also offers 6).
    target : float, optional
        Target value, carried in a ``target`` column and used by :func:`assurance_icon`.
    baseline : int, optional
        Set each segment's limits from its first ``baseline`` points only and extend them.
    rebase : position, label or list of them, optional
        Points at which the limits are recalculated: integer positions, or index labels (dates
        when ``values`` has a DatetimeIndex; a date starts the segment at the first point on or
        after it).
    min_points : int, default 13
        Segments with fewer points get no limits and no special-cause classification
        (``chart`` = "run"; show them as a run chart).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``value``, ``segment``, ``chart`` ("xmr" or "run"), ``mean``, ``lpl``,
        ``upl``, ``nlpl``, ``nupl``, ``target``, ``outside_limits``, ``trend``, ``two_of_three``,
        ``shift`` (each bool: the rule marks the point), ``rules`` (all rules that fired, comma
        separated), ``rule`` (the one that names the point by precedence: outside limits, trend,
        two of three, shift), ``special_cause`` (bool), ``point_type`` (common_cause,
        special_cause_improvement, special_cause_concern or special_cause_neutral) and
        ``direction`` ("high"/"low" for special cause, else "").

    Notes
    -----
    Limits per segment: mean +/- 2.66 x mean moving range (see :func:`.limits.xmr_limits`).
    A point's type follows from the rule that names it: above the mean (or in a rising trend)
    is "high"; high is an improvement when ``improvement="up"``, a concern when "down", and
    neutral when "neutral". Ties follow NHSRplotthedots exactly: an equal step breaks a trend,
    a point on the mean breaks a shift, and a trend point whose step to the right is zero is read
    as falling.

    References
    ----------
    NHS England. Making Data Count (2019, 2021). NHS-R Community, NHSRplotthedots (R package):
    ``ptd_spc()``, ``ptd_spc_standard()``, ``ptd_calculate_point_type()``.

    Examples
    --------
    >>> import numpy as np
    >>> t = xmr(np.r_[np.tile([10.0, 12.0], 10), 30.0], improvement="down")
    >>> t.point_type.iloc[-1]
    'special_cause_concern'
    """
    direction = improvement_sign(improvement)
    if isinstance(values, pd.Series):
        index = values.index
        y = values.to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float).ravel()
        index = pd.RangeIndex(y.size)
    if np.isnan(y).any():
        raise ValueError("xmr needs a complete series: drop or fill missing values first")
    if shift < 2 or trend < 2:
        raise ValueError("shift and trend must be at least 2 points")
    n = y.size
    seg = segment_ids(n, _positions(index, rebase))
    cols = {k: np.full(n, np.nan) for k in ("mean", "lpl", "upl", "nlpl", "nupl")}
    flags = {r: np.zeros(n, dtype=bool) for r in RULES}
    rule = np.full(n, "", dtype=object)
    signal = np.zeros(n, dtype=int)
    chart = np.full(n, "run", dtype=object)
    for s in np.unique(seg):
        m = seg == s
        lim = xmr_limits(y[m], baseline=baseline, screen_outliers=screen_outliers)
        cols["mean"][m] = lim["mean"]
        if m.sum() < min_points or not np.isfinite(lim["mr_bar"]):
            continue
        chart[m] = "xmr"
        for k in ("lpl", "upl", "nlpl", "nupl"):
            cols[k][m] = lim[k]
        c = classify(y[m], lim["mean"], lim["lpl"], lim["upl"], lim["nlpl"], lim["nupl"],
                     trend=trend, shift=shift)
        for r in RULES:
            flags[r][m] = c[r]
        rule[m] = c["rule"]
        signal[m] = c["signal"]
    special = signal != 0
    if direction == 0:
        ptype = np.where(special, "special_cause_neutral", "common_cause")
    else:
        ptype = np.select([signal * direction > 0, signal * direction < 0],
                          ["special_cause_improvement", "special_cause_concern"], "common_cause")
    rules = [",".join(r for r in RULES if flags[r][i]) for i in range(n)]
    out = pd.DataFrame(
        {
            "value": y,
            "segment": seg,
            "chart": chart,
            **cols,
            "target": np.full(n, np.nan if target is None else float(target)),
            **flags,
            "rules": rules,
            "rule": rule,
            "special_cause": special,
            "point_type": ptype,
            "direction": np.select([signal > 0, signal < 0], ["high", "low"], ""),
        },
        index=index,
    )
    out.attrs.update(improvement=improvement, target=target, min_points=min_points)
    return out
