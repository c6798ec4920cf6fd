"""Live improvement projects and their monthly KPI series.

* LUHFT: the 15 live project titles of seed 000, exactly as printed there.
* Lancashire Care: one improvement project per doctor (seed 001).
* Shrewsbury and Telford: the library Leadership Zone (seed 003). Monthly management-book issues
  whose six-month totals are exactly 747 (October 2011 to March 2012, "the previous six months"),
  1,118 (April to September 2012) and 1,064 (November 2012 to April 2013, "the six months to
  April 2013"), a rise of 49.7%.

Each series has noise, winter seasonality and, for some projects only, a genuine sustained shift
in the better direction after the start (ramping in over three months).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.sample.programmes import largest_remainder

# title, area, kpi, unit, better, level, sd, kind, lead profession
LUHFT_PROJECTS = [
    ("Mental Health Hub in A&E", "Emergency Department",
     "Median time in department for mental health attendances", "hours", "down", 9.5, 1.1, "cont", "nursing"),
    ("Integrated recruitment and development in Physiotherapy", "Physiotherapy",
     "Physiotherapy vacancy rate", "%", "down", 14.0, 1.8, "pct", "AHP"),
    ("Post Covid patient ward", "Medicine", "Average length of stay", "days", "down", 11.0, 1.4, "cont",
     "medical"),
    ("Integrated Haemato-Oncology Laboratory", "Pathology",
     "Diagnostic reports issued within 14 days", "%", "up", 71.0, 5.0, "pct", "medical"),
    ("Occupational Therapy Critical Care", "Critical Care",
     "Critical care patients seen by occupational therapy within 48 hours", "%", "up", 38.0, 6.0, "pct",
     "AHP"),
    ("Compliance and clear care pathways", "Surgery", "Pathway compliance audit score", "%", "up", 78.0,
     4.0, "pct", "nursing"),
    ("High Performance Work Processes for tender submissions", "Corporate services",
     "Working days to prepare a tender submission", "days", "down", 24.0, 3.0, "cont", "manager"),
    ("Community Respiratory Team\u2019s Diagnostic MDT Clinic", "Community respiratory",
     "Weeks from referral to diagnosis", "weeks", "down", 13.0, 1.6, "cont", "AHP"),
    ("Introduction of Pure Tone Audiometry prior to Chemo Radiation Therapy", "Audiology",
     "Patients with baseline audiometry before chemoradiation", "%", "up", 22.0, 6.0, "pct", "AHP"),
    ("Research Governance Protocols", "Research and development",
     "Days from submission to research approval", "days", "down", 62.0, 8.0, "cont", "manager"),
    ("Asthma Pathways to increase adherence", "Respiratory Medicine",
     "Patients adherent to inhaled preventer therapy", "%", "up", 54.0, 4.5, "pct", "medical"),
    ("Risk Management Framework to help achieve objectives", "Governance",
     "Risks reviewed by their due date", "%", "up", 66.0, 5.0, "pct", "manager"),
    ("Collaborative Educational Programme for newly appointed Screening Specialist Practitioners",
     "Cancer Screening", "New practitioners signed off as competent within six months", "%", "up", 45.0,
     9.0, "pct", "nursing"),
    ("Trauma Imaging Process Development", "Radiology",
     "Minutes from arrival to CT for major trauma", "minutes", "down", 48.0, 6.0, "cont", "AHP"),
    ("Quality Governance for standards in Acute and Emergency Medicine", "Acute and Emergency Medicine",
     "Incidents closed within 60 days", "%", "up", 58.0, 6.0, "pct", "medical"),
]

LCFT_PROJECTS = [
    ("Reducing out-of-area acute placements", "Adult inpatient services",
     "Out-of-area placement bed days", "bed days", "down", 310.0, 45.0, "count"),
    ("Physical health monitoring for people on antipsychotics", "Community mental health",
     "Patients with an annual physical health check", "%", "up", 48.0, 5.0, "pct"),
    ("Shorter waits for the clozapine clinic", "Community mental health",
     "Days from referral to clozapine initiation", "days", "down", 41.0, 6.0, "cont"),
    ("Crisis team response within four hours", "Crisis resolution", "Crisis referrals seen within 4 hours",
     "%", "up", 69.0, 5.0, "pct"),
    ("Timely discharge summaries", "Adult inpatient services",
     "Discharge summaries sent within 24 hours", "%", "up", 57.0, 6.0, "pct"),
    ("Reducing restrictive practice on acute wards", "Adult inpatient services",
     "Restraint incidents", "incidents", "down", 34.0, 6.0, "count"),
    ("Early intervention in psychosis within two weeks", "Early intervention",
     "Referrals starting treatment within 2 weeks", "%", "up", 52.0, 7.0, "pct"),
    ("Memory assessment waiting times", "Older adults", "Weeks from referral to diagnosis", "weeks",
     "down", 16.0, 2.0, "cont"),
    ("Lithium monitoring compliance", "Community mental health",
     "Patients on lithium with levels checked in 3 months", "%", "up", 61.0, 5.5, "pct"),
    ("Medicines reconciliation on admission", "Adult inpatient services",
     "Admissions with medicines reconciled within 24 hours", "%", "up", 64.0, 5.0, "pct"),
    ("Stable rotas for junior doctors", "Medical workforce", "Unfilled junior doctor rota shifts",
     "shifts", "down", 58.0, 9.0, "count"),
]

LIBRARY_TOTALS = {("2011-10", "2012-03"): 747, ("2012-04", "2012-09"): 1118, ("2012-11", "2013-04"): 1064}
LIBRARY_MONTHS = ("2011-04", "2014-02")


def _months(start: np.datetime64, before: int, after: int) -> np.ndarray:
    """Months (datetime64[M]) from ``before`` months before ``start`` to ``after`` months after."""
    return np.datetime64(start, "M") + np.arange(-before, after + 1)


def kpi_series(periods: np.ndarray, start: np.datetime64, level: float, sd: float, kind: str,
               better: str, effective: bool, rng: np.random.Generator) -> np.ndarray:
    """One monthly KPI series: level + winter seasonality + noise (+ a shift when effective).

    Parameters
    ----------
    periods : array of datetime64[M]
        The months of the series.
    start : datetime64
        The project's start; an effective project's shift ramps in over its first three months.
    level, sd : float
        Pre-project level and month-to-month noise (standard deviation).
    kind : {"cont", "pct", "count"}
        Continuous, a percentage (clipped to 0-100) or a count (Poisson).
    better : {"up", "down"}
        Direction of improvement: the shift goes that way and winter pushes the other way.
    effective : bool
        Whether the project genuinely shifts the measure (by 2 to 3.5 sd).

    Notes
    -----
    A level shift with seasonality and noise is the data-generating process that interrupted
    time-series regression (Bernal, Cummins & Gasparrini 2017, *Int J Epidemiol* 46:348-355) and
    SPC shift rules are meant to detect.
    """
    months = np.asarray(periods, dtype="datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    season = 0.6 * sd * np.cos(2 * np.pi * (month - 1) / 12)        # peaks in January
    if better == "up":
        season = -season                                            # winter makes things worse
    since = (months - np.datetime64(start, "M")).astype(np.int64)
    ramp = np.clip((since + 1) / 3, 0, 1)
    size = rng.uniform(2.0, 3.5) * sd if effective else 0.0
    shift = size * ramp * (1 if better == "up" else -1)
    if kind == "count":
        return rng.poisson(np.maximum(level + season + shift, 1)).astype(float)
    value = level + season + shift + rng.normal(0, sd, len(months))
    if kind == "pct":
        value = np.clip(value, 0, 100)
    return np.round(np.maximum(value, 0), 1)


def library_series(rng: np.random.Generator) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Monthly management-book issues with the seed's exact six-month totals.

    Months inside a constrained block share its total by a multinomial draw (so the block sums
    exactly); other months are Poisson around the neighbouring level.
    """
    periods = pd.date_range(LIBRARY_MONTHS[0] + "-01", LIBRARY_MONTHS[1] + "-01", freq="MS")
    month = periods.month.to_numpy()
    weight = 1 + 0.12 * np.cos(2 * np.pi * (month - 10) / 12)    # busier in autumn and winter
    values = np.where(periods < pd.Timestamp("2012-04-01"), rng.poisson(118, len(periods)),
                      rng.poisson(176, len(periods))).astype(float)
    for (a, b), total in LIBRARY_TOTALS.items():
        mask = (periods >= pd.Timestamp(a + "-01")) & (periods <= pd.Timestamp(b + "-01"))
        w = weight[mask] * rng.uniform(0.9, 1.1, mask.sum())
        values[mask] = rng.multinomial(total, w / w.sum())
    return periods, values


def _choose_leads(pool: pd.DataFrame, wanted: list[str], rng: np.random.Generator) -> list[str]:
    """A lead per project, preferring the wanted profession and not reusing people if possible."""
    used: set[str] = set()
    leads = []
    for prof in wanted:
        cands = pool[(pool.profession == prof) & ~pool.participant_id.isin(used)]
        if cands.empty:
            cands = pool[~pool.participant_id.isin(used)]
        if cands.empty:
            cands = pool
        pick = cands.participant_id.iloc[int(rng.integers(len(cands)))]
        used.add(pick)
        leads.append(pick)
    return leads


def _after_cohort_start(started: pd.Series, lead: str, lo: int, hi: int,
                        rng: np.random.Generator) -> np.datetime64:
    """First of a month ``lo`` to ``hi`` months after the lead's cohort started."""
    month = np.datetime64(started[lead].to_datetime64(), "M") + int(rng.integers(lo, hi + 1))
    return month.astype("datetime64[D]")


def build_projects(people: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The projects and kpi_values tables."""
    rows, series = [], []

    def add(pid, programme, lead, spec, start, effective, status, periods=None, values=None):
        title, area, kpi, unit, better, level, sd, kind = spec[:8]
        if periods is None:
            periods = _months(start, 18, 18).astype("datetime64[ns]")
            values = kpi_series(periods, start, level, sd, kind, better, effective, rng)
        change = (2.5 * sd if effective else 2.0 * sd) * (1 if better == "up" else -1)
        target = round(level + change, 1) if kind != "pct" else round(min(max(level + change, 0), 100), 1)
        rows.append({"project_id": pid, "programme_id": programme, "lead_participant_id": lead,
                     "title": title, "area": area, "kpi": kpi, "unit": unit, "better": better,
                     "start_date": start, "status": status, "target": target})
        series.append((np.full(len(values), pid, dtype=object), periods, values))

    started = people.set_index("participant_id").start_date
    luhft = people[people.programme_id == "luhft_lbs"]
    leads = _choose_leads(luhft, [p[8] for p in LUHFT_PROJECTS], rng)
    effective = rng.permutation(np.arange(len(LUHFT_PROJECTS)) < 10)
    for k, (spec, lead) in enumerate(zip(LUHFT_PROJECTS, leads)):
        start = _after_cohort_start(started, lead, 3, 9, rng)
        status = "sustained" if effective[k] else str(rng.choice(["completed", "ongoing", "paused"]))
        add(f"luhft_p{k + 1:02d}", "luhft_lbs", lead, spec, start, bool(effective[k]), status)

    doctors = people[people.programme_id == "lcft_cetad"].participant_id.to_numpy()
    eff = rng.permutation(np.arange(len(doctors)) < largest_remainder(len(doctors), np.array([7, 4]))[0])
    width = max(2, len(str(len(doctors))))
    for k, doc in enumerate(doctors):
        spec = LCFT_PROJECTS[k % len(LCFT_PROJECTS)]
        if k >= len(LCFT_PROJECTS):
            spec = (f"{spec[0]} (team {k // len(LCFT_PROJECTS) + 1})",) + spec[1:]
        start = _after_cohort_start(started, doc, 3, 8, rng)
        status = "completed" if eff[k] else str(rng.choice(["completed", "ongoing"]))
        add(f"lcft_p{k + 1:0{width}d}", "lcft_cetad", doc, spec, start, bool(eff[k]), status)

    sath = people[people.programme_id == "sath_academy"]
    librarian = sath[sath.role == "Site Librarian"].participant_id.iloc[0]
    periods, values = library_series(rng)
    spec = ("Leadership Zone in the Shrewsbury Health Library", "Library and knowledge services",
            "Issues of management and leadership books", "issues per month", "up", 124.5, 12.0, "count")
    add("sath_p01", "sath_academy", librarian, spec, np.datetime64("2012-04-01"), True, "sustained",
        periods.to_numpy(), values)
    projects = pd.DataFrame(rows)
    projects["start_date"] = pd.to_datetime(projects.start_date)
    ids, periods, values = (np.concatenate(parts) for parts in zip(*series))
    kpi = pd.DataFrame({"project_id": ids, "period": periods.astype("datetime64[ns]"), "value": values})
    return projects, kpi
