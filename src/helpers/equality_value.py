"""Equality, comparison with applicants not admitted, value for money and benchmarking
(notebook 60): ``prepare(rep)`` computes once, the ``show_*`` functions apply disclosure control
and render.

Every estimator lives in its own module (:mod:`helpers.equality`, :mod:`helpers.comparison`,
:mod:`helpers.value`, :mod:`helpers.benchmark`); this module assembles them for one report scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import projects, reach
from helpers.benchmark import funnel_figure, funnel_table
from helpers.careers import observation_end_date, pipeline_durations
from helpers.comparison import capability_did, comparison_durations, competing_risks
from helpers.equality import (person_outcomes, relative_likelihoods, selection_outcome)
from helpers.evaluation import participant_change
from helpers.outcomes.report import prepare as prepare_outcomes
from helpers.report.disclosure import is_suppressed, protect, shown_count, suppress_count
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_int
from helpers.value import (benefit_cost, cost_per_outcome, monetised_benefit, programme_cost,
                           saving_from_level_change)

PERSON_OUTCOMES = {"completed": "Completed the programme",
                   "improved": "Improved self-rated leadership (start to end)",
                   "moved": "New or more senior role within 24 months"}
CHARACTERISTICS = {"ethnicity": "Ethnicity", "sex": "Sex", "disability": "Disability"}


@dataclass
class EqualityValueResults:
    """What notebook 60 reports for one scope (tidy DataFrames; nothing suppressed yet).

    Attributes
    ----------
    people : DataFrame
        One row per participant: ``participant_id``, ``organisation``, the equality
        descriptors present, and 0/1 ``completed``, ``improved``, ``moved`` (missing where the
        outcome does not apply).
    applicants : DataFrame
        Applicants with a 0/1 ``selected`` (withdrawn applicants left out); empty without an
        applicants table.
    likelihoods : DataFrame
        :func:`helpers.equality.relative_likelihoods`: ``characteristic, outcome, reference,
        group, n, events, rate, relative_likelihood, ci_low, ci_high``.
    did : DataFrame
        Difference in differences of 360 scores against applicants not admitted, per rater.
    incidence, hazard : DataFrame
        Cumulative incidence of a leadership move by group (Aalen-Johansen) and the hazard
        ratio, participants against applicants not admitted.
    costs : DataFrame
        ``outcome, n, cost_per`` (programme scope only; empty without ``costs:``).
    benefits : DataFrame
        Scenario table of monetised benefit with ``bcr`` and ``roi_pct`` per project.
    funnel : DataFrame
        Completion by organisation against funnel limits (:func:`helpers.benchmark.funnel_table`).
    """

    threshold: int
    scope: str
    people: pd.DataFrame
    applicants: pd.DataFrame
    likelihoods: pd.DataFrame
    did: pd.DataFrame
    incidence: pd.DataFrame
    hazard: pd.DataFrame
    costs: pd.DataFrame
    total_cost: float | None
    currency: str
    benefits: pd.DataFrame
    funnel: pd.DataFrame
    cohort_scope: bool = False
    notes: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        t = self.threshold
        return ("<p><strong>Equality and value</strong>, " + self.scope + ": "
                f"{suppress_count(len(self.people), t)} participants, "
                f"{suppress_count(len(self.applicants), t)} applicants, "
                f"{len(self.likelihoods)} relative likelihoods, "
                f"{len(self.funnel)} organisations in the funnel.</p>")


def _references(meta: dict) -> dict:
    return dict((meta.get("equality") or {}).get("reference") or {})


def prepare(rep, horizon: float = 24) -> EqualityValueResults:
    """Compute every table of notebook 60 for the report's scope."""
    d = rep.data
    t = rep.threshold
    end = observation_end_date(d.meta.get("observation_end"), (d.careers, "event_date"),
                               (d.responses, "response_date"), (d.cohorts, "end_date"))
    days = rep.programme.get("days")
    days = int(days) if days is not None and days == days else None
    completion = reach.days_attended(d.attendance, d.participants, days)
    outcomes = prepare_outcomes(rep)
    main = next((i["instrument_id"] for i in outcomes.instruments
                 if i.get("kind", "outcome") == "outcome"), None)
    change = (participant_change(outcomes.scores, instrument_id=main)
              if main is not None and not outcomes.scores.empty else None)
    durations = pipeline_durations(d.participants, d.cohorts, d.careers, end)
    people = person_outcomes(d.participants, completion, change, durations, horizon)
    people["organisation"] = people["participant_id"].map(
        d.participants.set_index("participant_id")["organisation"]).astype(str)
    refs = _references(d.meta)
    frames = [relative_likelihoods(people, PERSON_OUTCOMES, references=refs)]
    applicants = pd.DataFrame(columns=["applicant_id", "selected"])
    did = incidence = hazard = pd.DataFrame()
    if len(getattr(d, "applicants", ())):
        applicants = selection_outcome(d.applicants)
        frames.insert(0, relative_likelihoods(applicants, {"selected": "Selected from applicants"},
                                              references=refs))
        if len(getattr(d, "applicant_responses", ())):
            did = capability_did(d)
        incidence, hazard = competing_risks(comparison_durations(d, end), horizons=(12, horizon))
    likelihoods = pd.concat([f for f in frames if len(f)], ignore_index=True) \
        if any(len(f) for f in frames) else frames[-1]
    cohort_scope = rep.cohort_id is not None
    cost_cfg = (d.meta.get("costs") or {}).get(rep.programme_id) or {}
    total = None if cohort_scope else programme_cost(cost_cfg, places=len(d.participants))
    costs = pd.DataFrame(columns=["outcome", "n", "cost_per"])
    if total is not None:
        costs = cost_per_outcome(total, {
            "participant": len(d.participants),
            "completer": int(completion["completed"].sum()) if len(completion) else 0,
            "move into a new or more senior role": int(durations["moved"].sum())
            if len(durations) else 0})
    benefits = _benefits(d, rep.programme_id, total) if not cohort_scope else pd.DataFrame()
    funnel = (funnel_table(people, "organisation", "completed", min_n=t)
              if "completed" in people and people["organisation"].nunique() > 1 else pd.DataFrame())
    return EqualityValueResults(threshold=t, scope=str(rep.scope), people=people, applicants=applicants,
                                likelihoods=likelihoods, did=did, incidence=incidence,
                                hazard=hazard, costs=costs, total_cost=total,
                                currency=str(cost_cfg.get("currency", "GBP")), benefits=benefits,
                                funnel=funnel, cohort_scope=cohort_scope)


def _benefits(d, programme_id: str, total: float | None) -> pd.DataFrame:
    """Monetised benefit scenarios for each project the user gave a unit value for."""
    rows = []
    for b in (d.meta.get("benefits") or {}).get(programme_id) or []:
        match = d.projects[d.projects["project_id"].astype(str) == str(b.get("project_id"))]
        if match.empty or total is None:
            continue
        project = match.iloc[0]
        series = projects.kpi_series(d.kpi_values, project["project_id"])
        level = projects.level_change(series, project["start_date"])
        if level is None:
            continue
        months = int((series.index >= pd.Timestamp(project["start_date"])).sum())
        saving = saving_from_level_change(level, months, project.get("better", "down"))
        table = benefit_cost(monetised_benefit(*saving, float(b["unit_value"]), b.get("low"),
                                               b.get("high")), total)
        rows.append(table.assign(project_id=project["project_id"], title=project.get("title", ""),
                                 unit=b.get("unit", "unit"), months=months,
                                 source=b.get("source", "")))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


# --- display ----------------------------------------------------------------------------------

def _withheld(row, t: int) -> bool:
    """A group's rate shows its count of events and non-events: withheld when either is below
    the threshold, zero included (0% or 100% of a group says what every member did)."""
    return row["n"] < t or row["events"] < t or row["n"] - row["events"] < t


def _people_codes(lk: pd.DataFrame, t: int) -> pd.Series:
    """Suppression code of each group's size: the groups of one characteristic and outcome add
    up to a total a reader knows (everyone with that outcome recorded), so complements are
    hidden too (:func:`helpers.report.disclosure.protect`)."""
    codes = pd.Series("", index=lk.index, dtype=object)
    for _, part in lk.groupby(["characteristic", "outcome"], sort=False):
        got, _unsafe = protect(part["n"].astype(float).tolist(), [list(range(len(part)))], t)
        codes.loc[part.index] = got
    return codes


def likelihood_table(res: EqualityValueResults) -> pd.DataFrame:
    """The relative likelihoods for display: small groups' counts, rates and ratios withheld,
    and complements of hidden group sizes hidden as ``[c]``."""
    t = res.threshold
    lk = res.likelihoods
    codes = _people_codes(lk, t) if len(lk) else pd.Series(dtype=object)
    rows = []
    for i, r in lk.iterrows():
        hide = _withheld(r, t) or codes[i] != ""
        is_ref = r["group"] == r["reference"]
        rows.append({
            "Characteristic": CHARACTERISTICS.get(r["characteristic"], r["characteristic"]),
            "Outcome": r["outcome"], "Group": r["group"] + (" (reference)" if is_ref else ""),
            "People": shown_count(r["n"], codes[i], t),
            "Rate": "–" if hide else f"{r['rate']:.0%}",
            "Relative likelihood (95% CI)": "–" if hide else (
                "1 (reference)" if is_ref else
                f"{r['relative_likelihood']:.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f})")})
    return pd.DataFrame(rows)


def likelihood_sentences(res: EqualityValueResults) -> list[str]:
    """Groups whose interval excludes 1; else one sentence saying none did."""
    t = res.threshold
    out = []
    shown = 0
    for _, r in res.likelihoods.iterrows():
        if r["group"] == r["reference"] or _withheld(r, t):
            continue
        ref = res.likelihoods[(res.likelihoods["characteristic"] == r["characteristic"])
                              & (res.likelihoods["outcome"] == r["outcome"])
                              & (res.likelihoods["group"] == r["reference"])]
        if ref.empty or _withheld(ref.iloc[0], t):
            continue
        shown += 1
        if r["ci_low"] > 1 or r["ci_high"] < 1:
            out.append(f"{r['outcome']}: {r['group']} staff were {r['relative_likelihood']:.2f} "
                       f"times as likely as {r['reference']} staff (95% CI {r['ci_low']:.2f} to "
                       f"{r['ci_high']:.2f}; {fmt_int(r['n'])} and {fmt_int(ref.iloc[0]['n'])} "
                       "people).")
    if shown and not out:
        out.append("No group's likelihood differed from its reference group by more than chance "
                   "would explain (every 95% interval includes 1); with groups this size the "
                   "intervals are wide, so a real difference cannot be ruled out either.")
    if not shown:
        out.append(f"Every group that could be compared has fewer than {t} people with or "
                   "without the outcome, so no relative likelihood is shown.")
    return out


def show_equality(res: EqualityValueResults) -> None:
    """Section: relative likelihoods by group (WRES style), table and sentences."""
    if res.likelihoods.empty:
        show_callout("The dataset records no ethnicity, sex or disability for this scope, so "
                     "equality of access and outcome cannot be examined.")
        return
    show_table(likelihood_table(res), caption="Relative likelihood of each outcome by group",
               note=f"Relative likelihood = the group's rate / the reference group's rate, with "
                    f"a 95% log-method interval. Groups with fewer than {res.threshold} people "
                    "with or without the outcome are withheld (–).")
    show_sentences(likelihood_sentences(res), title="In words")


def show_comparison(res: EqualityValueResults) -> None:
    """Section: participants against applicants not admitted (DiD and competing risks)."""
    t = res.threshold
    if res.applicants.empty:
        show_callout("There is no applicants table, so there is no comparison group.")
        return
    if not res.did.empty:
        rows = []
        for _, r in res.did.iterrows():
            small = is_suppressed(r["n_treated"], t) or is_suppressed(r["n_control"], t)
            rows.append({"Rater": r["rater"], "Participants": suppress_count(r["n_treated"], t),
                         "Applicants not admitted": suppress_count(r["n_control"], t),
                         "Change, participants": "–" if small else f"{r['change_treated']:+.2f}",
                         "Change, applicants": "–" if small else f"{r['change_control']:+.2f}",
                         "Difference in differences (95% CI)": "–" if small else
                         f"{r['estimate']:+.2f} ({r['ci_low']:+.2f} to {r['ci_high']:+.2f})"})
        show_table(pd.DataFrame(rows), caption="Change in 360 scores, participants against "
                   "applicants not admitted", note="Difference in differences of mean scale "
                   "scores, baseline to end of programme, errors clustered by person.")
    if not res.incidence.empty:
        inc = res.incidence
        rows = [{"Group": r["group"], "Within": f"{int(r['months'])} months",
                 "People": suppress_count(r["n"], t),
                 "Cumulative share (95% CI)": "–" if (is_suppressed(r["n_moved"], t)
                                                      or is_suppressed(r["n"], t)) else
                 f"{r['estimate']:.0%} ({r['ci_low']:.0%} to {r['ci_high']:.0%})"}
                for _, r in inc.iterrows()]
        show_table(pd.DataFrame(rows), caption="Moves into new or more senior roles, "
                   "participants against applicants not admitted",
                   note="Aalen-Johansen cumulative incidence, leaving the NHS a competing event.")
    show_callout("Applicants who were not admitted are not a randomised control group: selection "
                 "chose the participants, so differences may reflect who was chosen as much as "
                 "what the programme did. The difference in differences assumes both groups "
                 "would have changed alike without the programme (parallel trends).",
                 kind="caveat")


def value_sentences(res: EqualityValueResults) -> list[str]:
    """Cost per outcome and benefit-cost ratio in words, only where the inputs give them."""
    t, cur = res.threshold, res.currency
    out = []
    if res.total_cost is not None:
        out.append(f"The programme cost {cur} {res.total_cost:,.0f} (dataset.yaml costs).")
        for _, r in res.costs.iterrows():
            if r["n"] and not is_suppressed(r["n"], t):
                out.append(f"Cost per {r['outcome']}: {cur} {r['cost_per']:,.0f} "
                           f"({fmt_int(r['n'])}).")
    for pid, b in (res.benefits.groupby("project_id") if len(res.benefits) else []):
        s = b.set_index("scenario")
        unit = s.loc["central", "unit"]
        out.append(f"{s.loc['central', 'title']}: the estimated change of "
                   f"{s.loc['central', 'units']:,.0f} {unit}s over {s.loc['central', 'months']} "
                   f"months, at {cur} {s.loc['central', 'unit_value']:,.0f} a {unit}, gives a "
                   f"benefit-cost ratio of {s.loc['central', 'bcr']:.2f} (range "
                   f"{s.loc['low', 'bcr']:.2f} to {s.loc['high', 'bcr']:.2f} over the interval of "
                   "the change and the range of unit values).")
        if s.loc["low", "units"] <= 0:
            out.append("The interval of that change includes no improvement, so the programme "
                       "may not have returned its cost through this measure.")
    return out


def show_value(res: EqualityValueResults) -> None:
    """Section: value for money (Phillips level 5)."""
    if res.cohort_scope:
        show_callout("Value for money is reported for the whole programme, whose costs are "
                     "not divided by cohort.")
        return
    if res.total_cost is None:
        show_callout("dataset.yaml gives no costs for this programme, so no cost per outcome "
                     "is reported.")
        return
    t = res.threshold
    show_table(pd.DataFrame({"Per": res.costs["outcome"],
                             "Number": [suppress_count(n, t) for n in res.costs["n"]],
                             f"Cost ({res.currency})": [
                                 "–" if (not n or is_suppressed(n, t)) else f"{c:,.0f}"
                                 for n, c in zip(res.costs["n"], res.costs["cost_per"])]}),
               caption="Cost per outcome")
    if len(res.benefits):
        b = res.benefits
        show_table(pd.DataFrame({
            "Project": b["title"], "Scenario": b["scenario"],
            "Change (units)": [f"{u:,.0f}" for u in b["units"]],
            f"Unit value ({res.currency})": [f"{v:,.0f}" for v in b["unit_value"]],
            f"Benefit ({res.currency})": [f"{v:,.0f}" for v in b["benefit"]],
            "Benefit-cost ratio": [f"{v:.2f}" for v in b["bcr"]],
            "ROI": [f"{v:.0f}%" for v in b["roi_pct"]]}),
            caption="Monetised benefit against the programme's cost",
            note="Low and high scenarios pair the ends of the level change's 95% interval "
                 "with the low and high unit values given in dataset.yaml.")
    show_sentences(value_sentences(res), title="In words")
    show_callout("Costs and unit values are the user's inputs in dataset.yaml; the benefit is "
                 "the change in one service measure after the programme began, which the "
                 "programme did not cause alone.", kind="caveat")


def show_funnel(res: EqualityValueResults) -> None:
    """Section: completion by organisation against funnel limits."""
    if res.funnel.empty:
        show_callout("Fewer than two organisations took part, so there is nothing to compare.")
        return
    f = res.funnel
    fig = funnel_figure(f, ylabel="Completed the programme (%)")
    outside = f[f["signal"] != "within"]
    alt = (f"Funnel plot of the share completing the programme in {len(f)} organisations "
           f"against the programme average of {f['target'].iloc[0]:.0%}; "
           f"{len(outside)} outside the 95% limits.")
    show_figure(fig, alt=alt, caption="Completion by organisation (organisations with fewer "
                f"than {res.threshold} participants pooled)")
    show_sentences([f"{len(outside)} of {len(f)} organisations lie outside the 95% limits of the "
                    f"programme average ({f['target'].iloc[0]:.0%})."
                    + (" Organisations outside the limits differ by more than chance would "
                       "usually explain." if len(outside) else "")], title="In words")
