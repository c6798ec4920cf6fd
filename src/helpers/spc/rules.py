"""Making Data Count special-cause rules, in NHSRplotthedots' order of precedence.

Each rule marks the points that belong to a signal. When several rules mark one point, the
first in this order names it (NHSRplotthedots ``ptd_special_cause_type``):

1. ``outside_limits``: a point above the upper or below the lower process limit;
2. ``trend``: a run of ``trend`` points (default 7) each strictly higher (or lower) than the one
   before; an equal neighbour (a tie) breaks the run;
3. ``two_of_three``: two or three of three consecutive points beyond two thirds of the way to a
   limit (and not beyond it), all three on the same side of the mean; only the near points are
   marked;
4. ``shift``: a run of ``shift`` points (default 7) on the same side of the mean; a point exactly
   on the mean breaks the run.

References
----------
NHS England. Making Data Count: Strengthening your decisions (2021), the SPC rules.
NHS-R Community. NHSRplotthedots (R package), ``ptd_calculate_point_type.R``.
"""

from __future__ import annotations

import numpy as np

RULES = ("outside_limits", "trend", "two_of_three", "shift")


def _members(ends: np.ndarray, length: int) -> np.ndarray:
    """Mark every point of the windows of ``length`` points that end where ``ends`` is true."""
    out = np.zeros(ends.size, dtype=bool)
    for j in np.flatnonzero(ends):
        out[max(0, j - length + 1) : j + 1] = True
    return out


def trend_ends(y, length: int = 7) -> np.ndarray:
    """+1 / -1 where a strictly increasing / decreasing run of ``length`` points ends, else 0."""
    y = np.asarray(y, dtype=float)
    out = np.zeros(y.size, dtype=int)
    if y.size < length or length < 2:
        return out
    d = np.sign(np.diff(y))
    for i in range(length - 1, y.size):
        w = d[i - length + 1 : i]
        if np.all(w == 1):
            out[i] = 1
        elif np.all(w == -1):
            out[i] = -1
    return out


def trend_points(y, length: int = 7) -> np.ndarray:
    """Points that are part of a trend of ``length`` points (ties break a trend)."""
    return _members(trend_ends(y, length) != 0, length)


def trend_direction(y, in_trend: np.ndarray) -> np.ndarray:
    """Direction (+1 / -1 / 0) of the trend each point belongs to, as NHSRplotthedots reads it.

    A point whose next point is also in a trend takes the sign of the step to its right;
    otherwise the step to its left. (So the peak between a rising and a falling trend counts as
    falling, and a step of zero reads as 0, which NHSRplotthedots labels "Decreasing".)
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    d = np.sign(np.diff(y))
    right = np.append(d, d[-1:] if d.size else [0.0])
    left = np.insert(d, 0, 0.0)
    nxt = np.append(in_trend[1:], False)
    return np.where(nxt & in_trend, right, left)[:n].astype(int)


def shift_points(side, length: int = 7) -> np.ndarray:
    """Points in a run of ``length`` on the same side of the mean (``side`` = sign(y - mean))."""
    s = np.asarray(side, dtype=int)
    ends = np.zeros(s.size, dtype=bool)
    for i in range(length - 1, s.size):
        w = s[i - length + 1 : i + 1]
        ends[i] = w[-1] != 0 and np.all(w == w[-1])
    return _members(ends, length)


def two_of_three_points(close, side) -> np.ndarray:
    """Near-limit points in a window of three with at least two near points, all on one side.

    ``close``: beyond two thirds of the way to a limit but not outside it; ``side``: sign(y - mean).
    """
    c = np.asarray(close, dtype=bool)
    s = np.asarray(side, dtype=int)
    hit = np.zeros(c.size, dtype=bool)
    for i in range(c.size - 2):
        if c[i : i + 3].sum() >= 2 and abs(s[i : i + 3].sum()) == 3:
            hit[i : i + 3] = True
    return hit & c


def classify(y, mean: float, lpl: float, upl: float, nlpl: float, nupl: float,
             trend: int = 7, shift: int = 7) -> dict[str, np.ndarray]:
    """Apply the four rules to one segment.

    Returns
    -------
    dict of arrays
        ``side`` (sign of y - mean), one boolean array per rule in :data:`RULES`, ``rule`` (the
        rule that names the point, by precedence, or ""), ``signal`` (+1 high / -1 low / 0 none:
        above or below for the limit, two-in-three and shift rules, increasing or decreasing for
        a trend).
    """
    y = np.asarray(y, dtype=float)
    side = np.sign(y - mean).astype(int)
    outside = (y > upl) | (y < lpl)
    close = ~outside & ((y < nlpl) | (y > nupl))
    fired = {
        "outside_limits": outside,
        "trend": trend_points(y, trend),
        "two_of_three": two_of_three_points(close, side),
        "shift": shift_points(side, shift),
    }
    tdir = trend_direction(y, fired["trend"])
    rule = np.full(y.size, "", dtype=object)
    signal = np.zeros(y.size, dtype=int)
    for name in reversed(RULES):  # the first rule in precedence writes last and wins
        m = fired[name]
        rule[m] = name
        if name == "trend":
            signal[m] = np.where(tdir[m] == 1, 1, -1)
        elif name == "outside_limits":
            signal[m] = np.where(side[m] == 1, 1, -1)
        else:
            signal[m] = np.where(side[m] > 0, 1, -1)
    return dict(side=side, close=close, **fired, rule=rule, signal=signal)
