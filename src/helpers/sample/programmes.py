"""The five seed programmes, their cohorts and how they scale with ``--participants``.

Every figure here comes from a seed document in ``../shared/seeds`` (see README there):

* 000 LUHFT with Liverpool Business School: integrated programme across the merged trusts.
* 001 Lancashire Care with Lancaster University CETAD: one cohort of 11 doctors.
* 002 Barts Health with The King's Fund: 220 delegates, 10 cohorts, 6 days over 3 modules.
* 003 Shrewsbury and Telford Leadership Academy and the library Leadership Zone.
* 004 Leeds CIHM: 700 senior clinicians and 300 directors across 65 organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from dateutil.easter import easter

PROGRAMMES: list[dict] = [
    {
        "programme_id": "luhft_lbs",
        "name": "LUHFT integrated leadership programme",
        "provider": "Liverpool Business School",
        "host_organisation": "Liverpool University Hospitals NHS Foundation Trust",
        "level": "Clinical and operational leaders across the merged trusts",
        "modules": 4,
        "days": 8,
    },
    {
        "programme_id": "lcft_cetad",
        "name": "Medical leadership programme (PG Cert in Medical Leadership)",
        "provider": "Lancaster University CETAD",
        "host_organisation": "Lancashire Care NHS Foundation Trust",
        "level": "Consultant psychiatrists",
        "modules": 4,
        "days": 8,
    },
    {
        "programme_id": "barts_kf_scl",
        "name": "Barts Health senior clinical leaders programme",
        "provider": "The King's Fund",
        "host_organisation": "Barts Health NHS Trust",
        "level": "Senior clinical leaders",
        "modules": 3,
        "days": 6,
    },
    {
        "programme_id": "leeds_cihm",
        "name": "Developing productive relationships between management and medicine",
        "provider": "Centre for Innovation in Healthcare Management, University of Leeds",
        "host_organisation": "Leeds Teaching Hospitals NHS Trust",
        "level": "Senior clinicians and directors",
        "modules": 3,
        "days": 4,
    },
    {
        "programme_id": "sath_academy",
        "name": "Shrewsbury and Telford Leadership Academy",
        "provider": "Shrewsbury and Telford Hospital NHS Trust Leadership Academy",
        "host_organisation": "Shrewsbury and Telford Hospital NHS Trust",
        "level": "Team leaders and managers",
        "modules": 2,
        "days": 2,
    },
]


@dataclass(frozen=True)
class CohortPlan:
    """How one programme's cohorts are laid out at the seed's own size."""

    programme_id: str
    prefix: str
    sizes: tuple[int, ...]          # participants per cohort at the default size
    starts: tuple[str, ...]         # first teaching day of each cohort (ISO)
    module_days: tuple[int, ...]    # teaching days in each module
    module_gap_days: int            # days between the starts of consecutive modules
    delivery_mode: str              # outside Covid-19 restrictions ("face to face" or "blended")
    demand: float                   # applications per place (waiting lists at Barts)


COHORT_PLANS: list[CohortPlan] = [
    CohortPlan("luhft_lbs", "luhft", (26, 22), ("2020-10-05", "2021-09-06"), (2, 2, 2, 2), 42,
               "blended", 1.3),
    CohortPlan("lcft_cetad", "lcft", (11,), ("2014-09-15",), (2, 2, 2, 2), 63, "face to face", 1.5),
    CohortPlan("barts_kf_scl", "barts", (18, 24, 22, 20, 25, 23, 21, 24, 19, 24),
               ("2019-03-11", "2019-09-16", "2020-01-13", "2020-10-05", "2021-03-08",
                "2021-09-13", "2022-03-07", "2022-09-12", "2023-03-06", "2023-09-11"),
               (2, 2, 2), 42, "face to face", 1.8),
    CohortPlan("leeds_cihm", "leeds", (96, 104, 88, 112, 100, 92, 108, 100, 95, 105),
               ("2009-10-05", "2010-03-01", "2010-10-04", "2011-03-07", "2011-10-03",
                "2012-03-05", "2012-10-01", "2013-03-04", "2013-10-07", "2014-03-03"),
               (2, 1, 1), 35, "face to face", 1.1),
    CohortPlan("sath_academy", "sath", (13, 4), ("2011-11-07", "2012-05-14"), (1, 1), 56,
               "face to face", 1.2),
]

#: NHS teaching went online from the first lockdown (23 March 2020) until the last legal
#: restrictions in England ended (19 July 2021); a teaching day in that period is online.
ONLINE_FROM, ONLINE_TO = np.datetime64("2020-03-23"), np.datetime64("2021-07-19")

DEFAULT_TOTAL = sum(sum(p.sizes) for p in COHORT_PLANS)


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``shares`` (Hamilton's method).

    Parameters
    ----------
    total : int
        The integer to split.
    shares : array of float
        Non-negative weights; they need not sum to one.

    Returns
    -------
    numpy.ndarray of int
        Counts that sum exactly to ``total``; ties go to the earlier share.

    Notes
    -----
    Hamilton's largest-remainder apportionment (Balinski & Young, *Fair Representation*, 1982):
    floor each quota, then hand the remaining units to the largest fractional parts.
    """
    shares = np.asarray(shares, dtype=float)
    quota = total * shares / shares.sum()
    base = np.floor(quota).astype(np.int64)
    rest = int(total - base.sum())
    order = np.lexsort((np.arange(len(quota)), -(quota - base)))
    base[order[:rest]] += 1
    return base


def programme_sizes(participants: int | None) -> dict[str, int]:
    """Participants per programme: the seed numbers, or ``participants`` split in proportion.

    The split is Hamilton's (:func:`largest_remainder`), so the total is exactly
    ``participants``; a programme whose share rounds to nobody still gets one person.
    """
    default = {p.programme_id: sum(p.sizes) for p in COHORT_PLANS}
    if participants is None:
        return default
    if participants < len(COHORT_PLANS):
        raise ValueError(f"--participants must be at least {len(COHORT_PLANS)}")
    counts = largest_remainder(participants, np.array(list(default.values()), dtype=float))
    for k in np.flatnonzero(counts == 0):           # every programme keeps at least one person
        counts[np.argmax(counts)] -= 1
        counts[k] = 1
    return dict(zip(default, (int(c) for c in counts)))


def _monday(year: int, month: int, last: bool = False) -> date:
    """The first (or last) Monday of a month."""
    if last:
        d = (pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)).date()
        return d - timedelta(days=d.weekday())
    d = date(year, month, 1)
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _observed(d: date) -> date:
    """A holiday falling on a weekend is observed on the following Monday."""
    return d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d


def no_teaching_days(first_year: int = 2005, last_year: int = 2026) -> np.ndarray:
    """England and Wales bank holidays, and the days from Christmas Eve to New Year's Eve.

    Bank holidays follow the Banking and Financial Dealings Act 1971 with the proclaimed
    changes of these years (the 2011 royal wedding, the 2012 and 2022 jubilees, VE Day 2020,
    the 2022 state funeral, the 2023 coronation). Programmes do not teach between Christmas and
    New Year either.
    """
    days: list[date] = []
    moved_spring = {2012: [date(2012, 6, 4), date(2012, 6, 5)], 2022: [date(2022, 6, 2), date(2022, 6, 3)]}
    extra = {2011: [date(2011, 4, 29)], 2022: [date(2022, 9, 19)], 2023: [date(2023, 5, 8)]}
    for y in range(first_year, last_year + 1):
        e = easter(y)
        days += [_observed(date(y, 1, 1)), e - timedelta(days=2), e + timedelta(days=1),
                 date(2020, 5, 8) if y == 2020 else _monday(y, 5),
                 _monday(y, 8, last=True)]
        days += moved_spring.get(y, [_monday(y, 5, last=True)]) + extra.get(y, [])
        days += [date(y, 12, d) for d in range(24, 32)]
    return np.array(sorted(set(days)), dtype="datetime64[D]")


NO_TEACHING = no_teaching_days()


def delivery_mode(usual: str, days: np.ndarray) -> str:
    """``online`` when every teaching day fell under the Covid-19 restrictions, ``blended`` when
    some did (or the programme is blended anyway), else the programme's usual mode."""
    online = (days >= ONLINE_FROM) & (days <= ONLINE_TO)
    if online.all():
        return "online"
    return "blended" if online.any() else usual


def cohort_layout(plan: CohortPlan, n: int) -> tuple[list[int], list[pd.Timestamp]]:
    """Cohort sizes and start dates for ``n`` participants of one programme.

    At the seed size the seed's own cohorts are returned unchanged. Otherwise the number of
    cohorts scales with ``n`` (cohorts keep roughly their seed size) and the start dates are
    spread evenly over the seed's period, moved to a Monday (or the next teaching day).
    """
    base_n = sum(plan.sizes)
    starts = [pd.Timestamp(s) for s in plan.starts]
    if n == base_n:
        return list(plan.sizes), starts
    k = max(1, round(len(plan.sizes) * n / base_n))
    k = min(k, n)
    pattern = np.resize(np.array(plan.sizes, dtype=float), k)
    sizes = largest_remainder(n, pattern)
    if k == 1:
        dates = [starts[0]]
    else:
        span = (starts[-1] - starts[0]).days
        offsets = np.round(np.linspace(0, span, k)).astype(int)
        dates = [starts[0] + pd.Timedelta(days=int(o)) for o in offsets]
        dates = [d - pd.Timedelta(days=d.day_of_week) for d in dates]
    # a cohort starts on a teaching day, so its attendance and its dates agree
    dates = [pd.Timestamp(np.busday_offset(np.datetime64(d.date(), "D"), 0, roll="forward",
                                           holidays=NO_TEACHING)) for d in dates]
    return [int(s) for s in sizes], dates


def session_dates(plan: CohortPlan, starts) -> tuple[np.ndarray, np.ndarray]:
    """Teaching days of cohorts starting on ``starts`` (weekdays only, vectorised over cohorts).

    Returns
    -------
    modules : array of int, shape (k,)
        The module of each of the programme's k teaching days.
    dates : array of datetime64[D], shape (len(starts), k)
        Module m starts ``m * module_gap_days`` after the cohort's start, rolled forward to a
        teaching day (a weekday that is not a bank holiday nor between Christmas and New Year);
        its days are consecutive teaching days.
    """
    starts = np.asarray(starts, dtype="datetime64[D]").reshape(-1)
    modules, cols = [], []
    for m, ndays in enumerate(plan.module_days):
        first = starts + np.timedelta64(m * plan.module_gap_days, "D")
        for d in range(ndays):
            modules.append(m + 1)
            day1 = np.busday_offset(first, 0, roll="forward", holidays=NO_TEACHING)
            cols.append(np.busday_offset(day1, d, roll="forward", holidays=NO_TEACHING))
    return np.array(modules), np.stack(cols, axis=1)


def build_programmes() -> pd.DataFrame:
    """The programmes table (one row per seed programme)."""
    return pd.DataFrame(PROGRAMMES)


def build_cohorts(sizes: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """The cohorts table, with ``size`` (kept internal) for laying out participants."""
    rows = []
    for plan in COHORT_PLANS:
        csizes, starts = cohort_layout(plan, sizes[plan.programme_id])
        width = max(2, len(str(len(csizes))))
        _, days = session_dates(plan, np.array(starts, dtype="datetime64[D]"))
        for i, size in enumerate(csizes):
            places = int(size + rng.integers(0, 3))
            rows.append({
                "cohort_id": f"{plan.prefix}_c{i + 1:0{width}d}",
                "programme_id": plan.programme_id,
                "start_date": pd.Timestamp(days[i, 0]),
                "end_date": pd.Timestamp(days[i, -1]),
                "delivery_mode": delivery_mode(plan.delivery_mode, days[i]),
                "places": places,
                # nobody joins without applying: at least as many applications as participants
                "applications": max(size, int(round(places * plan.demand * rng.uniform(0.85, 1.15)))),
                "size": size,
            })
    return pd.DataFrame(rows)


def plan_for(programme_id: str) -> CohortPlan:
    """The cohort plan of one programme."""
    return next(p for p in COHORT_PLANS if p.programme_id == programme_id)
