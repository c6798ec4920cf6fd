"""Value for money (Phillips level 5): what the programme cost per outcome, and what a benefit the
user has monetised is worth against that cost.

Costs come from dataset.yaml ``costs:`` (per programme: ``currency``, ``per_place``,
``per_participant``, ``fixed``); benefits from ``benefits:`` (a project's KPI with a unit value
and a low-high range). Nothing is estimated that those inputs and the data do not give: with no
costs there is no cost per outcome, with no monetised benefit no benefit-cost ratio, and a count
of zero gives no cost per outcome (not an infinite one).

References
----------
Phillips JJ, Phillips PP. Handbook of Training Evaluation and Measurement Methods, 4th ed.
Routledge, 2016 (ROI methodology: benefit-cost ratio and ROI percentage).
HM Treasury. The Green Book: appraisal and evaluation in central government, 2022 (sensitivity
analysis over a range of unit values).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

SCENARIOS = ("low", "central", "high")


def programme_cost(costs: Mapping, places: int, participants: int | None = None) -> float | None:
    """Total cost of a programme: ``fixed + per_place * places + per_participant * participants``.

    Parameters
    ----------
    costs : mapping
        The programme's entry of dataset.yaml ``costs:``; absent keys count as 0.
    places : int
        Places funded (the number of people admitted).
    participants : int, optional
        People who took part (for ``per_participant``); defaults to ``places``.

    Returns
    -------
    float or None
        None when ``costs`` gives no cost at all (nothing to report).

    Examples
    --------
    >>> programme_cost({"currency": "GBP", "per_place": 2400, "fixed": 30000}, places=220)
    558000.0
    >>> programme_cost({}, places=10) is None
    True
    """
    keys = ("fixed", "per_place", "per_participant")
    if not costs or not any(k in costs for k in keys):
        return None
    people = places if participants is None else participants
    return float(costs.get("fixed", 0) + costs.get("per_place", 0) * places
                 + costs.get("per_participant", 0) * people)


def cost_per_outcome(total: float, counts: Mapping[str, int]) -> pd.DataFrame:
    """Cost per participant, completer, move into a senior role...: ``total / n``.

    Missing-data rule: a count of 0 or a missing count gives a missing cost (NaN), never
    infinity; the count itself is returned so that a report can suppress it.

    Returns
    -------
    DataFrame ``outcome, n, cost_per``.

    Examples
    --------
    >>> cost_per_outcome(558000.0, {"participant": 220, "completer": 150, "senior move": 0})
           outcome    n     cost_per
    0  participant  220  2536.363636
    1    completer  150  3720.000000
    2  senior move    0          NaN
    """
    rows = [{"outcome": k, "n": int(n) if n == n else n,
             "cost_per": total / n if n and n == n else np.nan} for k, n in counts.items()]
    return pd.DataFrame(rows, columns=["outcome", "n", "cost_per"])


def monetised_benefit(saving: float, saving_low: float, saving_high: float, unit_value: float,
                      low: float | None = None, high: float | None = None) -> pd.DataFrame:
    """A KPI's estimated saving in money, over a sensitivity range.

    ``central = saving * unit_value``; the low scenario pairs the lower end of the saving's
    interval with the low unit value, the high scenario the upper end with the high unit value
    (HM Treasury Green Book: vary the uncertain inputs together). ``saving`` is in the KPI's
    units (for example bed days avoided over the period), positive when the service improved.

    Returns
    -------
    DataFrame ``scenario, units, unit_value, benefit``.

    Examples
    --------
    >>> monetised_benefit(120.0, -30.0, 270.0, 420, low=320, high=520)
      scenario  units  unit_value   benefit
    0      low  -30.0         320   -9600.0
    1  central  120.0         420   50400.0
    2     high  270.0         520  140400.0
    """
    low = unit_value if low is None else low
    high = unit_value if high is None else high
    rows = [("low", saving_low, low), ("central", saving, unit_value), ("high", saving_high, high)]
    return pd.DataFrame([{"scenario": s, "units": float(u), "unit_value": v, "benefit": float(u) * v}
                         for s, u, v in rows])


def benefit_cost(benefits: pd.DataFrame, cost: float) -> pd.DataFrame:
    """Benefit-cost ratio ``BCR = benefit / cost`` and ``ROI% = (benefit - cost) / cost * 100``
    for each scenario of :func:`monetised_benefit` (Phillips and Phillips 2016).

    Examples
    --------
    >>> b = monetised_benefit(120.0, -30.0, 270.0, 420, low=320, high=520)
    >>> benefit_cost(b, 54200.0)[["scenario", "bcr", "roi_pct"]].round(3)
      scenario    bcr  roi_pct
    0      low -0.177 -117.712
    1  central  0.930   -7.011
    2     high  2.590  159.041
    """
    out = benefits.copy()
    out["cost"] = float(cost)
    out["bcr"] = out["benefit"] / cost if cost else np.nan
    out["roi_pct"] = (out["benefit"] - cost) / cost * 100 if cost else np.nan
    return out


def saving_from_level_change(level: Mapping, months: int, better: str) -> tuple[float, float, float]:
    """Units saved over ``months`` after the start from an ITS level change (per month).

    A level change of -5 bed days a month on a KPI where lower is better saves ``5 * months``;
    the interval's ends are carried through in the same way (so the low saving comes from the
    end of the interval least favourable to the service).

    Examples
    --------
    >>> saving_from_level_change({"estimate": -5.0, "ci_low": -9.0, "ci_high": 1.0}, 12, "down")
    (60.0, -12.0, 108.0)
    >>> saving_from_level_change({"estimate": 3.0, "ci_low": 1.0, "ci_high": 5.0}, 6, "up")
    (18.0, 6.0, 30.0)
    """
    sign = -1.0 if str(better).lower() in ("down", "lower", "decrease") else 1.0
    ends = sorted([sign * level["ci_low"] * months, sign * level["ci_high"] * months])
    return sign * level["estimate"] * months, ends[0], ends[1]
