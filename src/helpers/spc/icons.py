"""Making Data Count summary icons for a charted series: variation and assurance.

References
----------
NHS England. Making Data Count: Strengthening your decisions (2021), the icons.
NHS-R Community. NHSRplotthedots (R package): ``geom_ptd_icon()`` (the variation icon is the
type of the last point) and ``ptd_calculate_assurance_type()`` (target against the limits of the
last segment).
"""

from __future__ import annotations

import math

import pandas as pd

from .xmr import improvement_sign

#: Variation icon codes and what they say.
VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neutral_high": "Special cause variation: neither (higher)",
    "neutral_low": "Special cause variation: neither (lower)",
    "no_limits": "Too few points for limits (run chart)",
}

#: Assurance icon codes and what they say.
ASSURANCE_LABELS = {
    "pass": "Consistently passes the target",
    "fail": "Consistently fails the target",
    "hit_and_miss": "Hit and miss: the target lies within the limits",
    "no_target": "No target set",
    "no_limits": "Too few points for limits",
}


def variation_icon(chart: pd.DataFrame) -> str:
    """Variation icon of a series: the type of its most recent point.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`helpers.spc.xmr`.

    Returns
    -------
    str
        A key of :data:`VARIATION_LABELS`: "common_cause", "improvement_high|low",
        "concern_high|low", "neutral_high|low", or "no_limits" when the last segment has no
        limits (fewer than ``min_points`` points).
    """
    if chart.empty:
        return "no_limits"
    if chart["chart"].iat[-1] != "xmr":  # column access: no mixed-type row is built
        return "no_limits"
    if not chart["special_cause"].iat[-1]:
        return "common_cause"
    kind = str(chart["point_type"].iat[-1]).removeprefix("special_cause_")
    return f"{kind}_{chart['direction'].iat[-1]}"


def assurance_icon(chart: pd.DataFrame, target: float | None = None,
                   improvement: str | None = None) -> str:
    """Assurance icon: will the process consistently meet the target?

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`helpers.spc.xmr`.
    target : float, optional
        Defaults to the chart's ``target`` column.
    improvement : {"up", "down", "neutral"}, optional
        Defaults to the direction the chart was built with.

    Returns
    -------
    str
        "pass" when the target lies beyond the limit on the worse side (the whole process range
        is better than the target), "fail" when it lies beyond the limit on the better side,
        "hit_and_miss" when it lies between the limits (inclusive); "no_target" without a target
        or for a neutral measure; "no_limits" when the last segment has no limits.

    Notes
    -----
    As NHSRplotthedots: with improvement up, target > upl -> fail, target < lpl -> pass; with
    improvement down the other way round; judged on the limits of the last point.
    """
    if improvement is None:
        improvement = chart.attrs.get("improvement", "up")
    if target is None and not chart.empty:
        t = chart["target"].iloc[-1]
        target = None if pd.isna(t) else float(t)
    if target is None or improvement_sign(improvement) == 0 or math.isnan(target):
        return "no_target"
    if chart.empty or chart["chart"].iloc[-1] != "xmr":
        return "no_limits"
    lpl, upl = chart["lpl"].iat[-1], chart["upl"].iat[-1]
    up = improvement_sign(improvement) > 0
    if target > upl:
        return "fail" if up else "pass"
    if target < lpl:
        return "pass" if up else "fail"
    return "hit_and_miss"
