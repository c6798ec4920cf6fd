"""XmR (individuals) chart limits as NHS England's Making Data Count and NHSRplotthedots set them.

References
----------
Wheeler DJ. Understanding Variation: The Key to Managing Chaos. 2nd ed. SPC Press; 2000.
NHS England. Making Data Count: Getting started (2019) and Strengthening your decisions (2021).
NHS-R Community. NHSRplotthedots: Draw XmR charts for NHSE/I 'Making Data Count' (R package),
``ptd_spc_standard()``: mean +/- 2.66 mean moving range, moving ranges at or above
3.267 x the mean moving range screened out before the limits are set.
"""

from __future__ import annotations

import numpy as np

#: Scaling constant for natural process limits: 3 / d2 with d2 = 1.128 for moving ranges of two.
LIMIT = 2.66
#: Upper range limit for moving ranges (D4 for n = 2); larger moving ranges are screened out.
MR_SCREEN = 3.267


def segment_ids(n: int, starts: list[int] | None = None) -> np.ndarray:
    """Segment number (0, 1, ...) of each of ``n`` points, a new segment starting at each position in ``starts``.

    Parameters
    ----------
    n : int
        Number of points.
    starts : list of int, optional
        Zero-based positions at which the limits are recalculated (rebased). Position 0 is
        ignored (the first segment always starts there).

    Returns
    -------
    numpy.ndarray of int
        As NHSRplotthedots' ``rebase_group`` (cumulative sum of the rebase flags).
    """
    flags = np.zeros(n, dtype=int)
    for s in starts or []:
        if not 0 <= s < n:
            raise ValueError(f"rebase position {s} is outside the series (0..{n - 1})")
        if s > 0:
            flags[s] = 1
    return np.cumsum(flags)


def xmr_limits(values, baseline: int | None = None, screen_outliers: bool = True) -> dict[str, float]:
    """Centre line and natural process limits of one segment of an XmR chart.

    Parameters
    ----------
    values : array-like of float
        The segment's values in time order (no missing values).
    baseline : int, optional
        Use only the first ``baseline`` points to set the limits (NHSRplotthedots'
        ``fix_after_n_points``); all points by default.
    screen_outliers : bool, default True
        Drop moving ranges at or above 3.267 x the mean moving range and recompute the
        mean moving range before setting the limits (NHSRplotthedots' default; the Making Data
        Count spreadsheet does not screen).

    Returns
    -------
    dict
        ``mean``, ``mr_bar`` (mean moving range after screening), ``lpl``, ``upl`` (mean -/+ 2.66
        x mr_bar) and ``nlpl``, ``nupl`` (two thirds of the way from the mean to each limit:
        the "2 sigma" lines of the two-in-three rule). NaN when fewer than two points.

    Notes
    -----
    mean = mean(x[:baseline]); MR_i = |x_i - x_{i-1}|; mr_bar = mean(MR);
    screened: mr_bar' = mean(MR_i for MR_i < 3.267 mr_bar); limits mean +/- 2.66 mr_bar'.
    """
    y = np.asarray(values, dtype=float)
    if baseline is not None:
        y = y[:baseline]
    nan = float("nan")
    if y.size == 0:
        return dict(mean=nan, mr_bar=nan, lpl=nan, upl=nan, nlpl=nan, nupl=nan)
    mean = float(np.mean(y))
    mr = np.abs(np.diff(y))
    mr_bar = float(np.mean(mr)) if mr.size else nan
    if screen_outliers and mr.size:
        kept = mr[mr < MR_SCREEN * mr_bar]
        mr_bar = float(np.mean(kept)) if kept.size else nan
    close = 2 * LIMIT / 3
    return dict(
        mean=mean,
        mr_bar=mr_bar,
        lpl=mean - LIMIT * mr_bar,
        upl=mean + LIMIT * mr_bar,
        nlpl=mean - close * mr_bar,
        nupl=mean + close * mr_bar,
    )
