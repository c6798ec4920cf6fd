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
from helpers.equality import (person_outcomes, relative_likelihoods, representation,
                              selection_outcome)
from helpers.person_change import participant_change
from helpers.outcomes.report import prepare as prepare_outcomes
from helpers.report.disclosure import (is_suppressed, protect, shown_count, suppress_count,
                                      suppress_table)
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_int, fmt_pct
from helpers.report.results import Results
from helpers.value import (benefit_cost, cost_per_outcome, monetised_benefit, programme_cost,
                           saving_from_level_change)

PERSON_OUTCOMES = {"completed": "Completed the programme",
                   "improved": "Improved self-rated leadership (start to end)",
                   "moved": "New or more senior role within 24 months"}
CHARACTERISTICS = {"ethnicity": "Ethnicity", "sex": "Sex", "disability": "Disability"}
REPRESENTATION_COLUMNS = ("population", "characteristic", "group", "n", "share", "ci_low",
                          "ci_high", "baseline", "ratio", "ratio_low", "ratio_high")


#: Columns of :attr:`EqualityValueResults.did` (:func:`helpers.comparison.capability_did`),
#: ``incidence`` and ``hazard`` (:func:`helpers.comparison.competing_risks`), ``benefits``
#: (:func:`helpers.value.benefit_cost` per project) and ``funnel``
#: (:func:`helpers.benchmark.funnel_table`); each is empty, with them, when it does not apply.
DID_COLUMNS = ("rater", "estimate", "ci_low", "ci_high", "p_value", "n", "n_treated",
               "n_control", "change_treated", "change_control")
GROUP_INCIDENCE_COLUMNS = ("group", "months", "estimate", "ci_low", "ci_high", "n", "n_moved",
                           "n_left")
HAZARD_COLUMNS = ("estimate", "ci_low", "ci_high", "p_value", "n")
BENEFIT_COLUMNS = ("scenario", "units", "unit_value", "benefit", "cost", "bcr", "roi_pct",
                   "project_id", "title", "unit", "months", "source")
FUNNEL_COLUMNS = ("group", "n", "estimate", "target", "signal")   # and the limits, when any


@dataclass
class EqualityValueResults(Results):
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
    representation : DataFrame
        Each group's share of the participants (and of the applicants) beside its share of the
        programme's workforce from dataset.yaml ``equality: workforce:``
        (:func:`helpers.equality.representation`): ``population, characteristic, group, n,
        share, ci_low, ci_high, baseline, ratio, ratio_low, ratio_high``; empty without a
        baseline.
    threshold : int
        ``suppress_below`` of dataset.yaml.
    scope : str
        The report's scope in words.
    total_cost : float or None
        The programme's cost from dataset.yaml ``costs:`` (None at cohort scope or without costs).
    currency : str
        Currency code of the costs.
    cohort_scope : bool
        Whether the scope is one cohort (costs are then not divided).
    notes : list of str
        Remarks for the reader.
    """

    COLUMNS = {
        "people": ("participant_id", "organisation"),
        "applicants": ("applicant_id", "selected"),
        "likelihoods": ("characteristic", "outcome", "reference", "group", "n", "events", "rate",
                        "relative_likelihood", "ci_low", "ci_high"),
        "costs": ("outcome", "n", "cost_per"),
        "representation": REPRESENTATION_COLUMNS,
        "did": DID_COLUMNS,
        "incidence": GROUP_INCIDENCE_COLUMNS,
        "hazard": HAZARD_COLUMNS,
        "benefits": BENEFIT_COLUMNS,
        "funnel": FUNNEL_COLUMNS,
    }

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
    representation: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REPRESENTATION_COLUMNS))
    cohort_scope: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Sizes of what was analysed, counts below the threshold shown as ``<t``."""
        t = self.threshold
        return pd.DataFrame({"what": ["participants", "applicants", "relative likelihoods",
                                      "organisations in the funnel"],
                             "n": [suppress_count(len(self.people), t),
                                   suppress_count(len(self.applicants), t),
                                   fmt_int(len(self.likelihoods)), fmt_int(len(self.funnel))]})


def _references(meta: dict) -> dict:
    return dict((meta.get("equality") or {}).get("reference") or {})


def workforce_representation(people: pd.DataFrame, applicants: pd.DataFrame,
                             baseline: dict) -> pd.DataFrame:
    """:func:`helpers.equality.representation` of the participants and of the applicants, for
    every characteristic that ``baseline`` (``{characteristic: {group: share}}``) gives and the
    people carry. Participants first, then applicants, characteristics in the baseline's order."""
    frames = []
    for population, frame in (("participants", people), ("applicants", applicants)):
        for char, shares in (baseline or {}).items():
            if char in frame and frame[char].notna().any():
                rep_ = representation(frame, char, {str(k): float(v) for k, v in shares.items()})
                rep_.insert(0, "characteristic", char)
                rep_.insert(0, "population", population)
                frames.append(rep_)
    return (pd.concat(frames, ignore_index=True)[list(REPRESENTATION_COLUMNS)] if frames
            else pd.DataFrame(columns=REPRESENTATION_COLUMNS))


def prepare(rep, horizon: float = 24, outcomes=None) -> EqualityValueResults:
    """Compute every table of notebook 60 for the report's scope (``outcomes``: the scope's
    :func:`helpers.outcomes.report.prepare`, when the caller has it already)."""
    d = rep.data
    t = rep.threshold
    end = observation_end_date(d.meta.get("observation_end"), (d.careers, "event_date"),
                               (d.responses, "response_date"), (d.cohorts, "end_date"))
    days = rep.programme.get("days")
    days = int(days) if days is not None and days == days else None
    completion = reach.days_attended(d.attendance, d.participants, days)
    outcomes = prepare_outcomes(rep) if outcomes is None else outcomes
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
    did = pd.DataFrame(columns=list(DID_COLUMNS))
    incidence = pd.DataFrame(columns=list(GROUP_INCIDENCE_COLUMNS))
    hazard = pd.DataFrame(columns=list(HAZARD_COLUMNS))
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
    benefits = (_benefits(d, rep.programme_id, total) if not cohort_scope
                else pd.DataFrame(columns=list(BENEFIT_COLUMNS)))
    funnel = (funnel_table(people, "organisation", "completed", min_n=t)
              if "completed" in people and people["organisation"].nunique() > 1
              else pd.DataFrame(columns=list(FUNNEL_COLUMNS)))
    workforce = ((d.meta.get("equality") or {}).get("workforce") or {}).get(rep.programme_id) or {}
    applicant_people = d.applicants if len(getattr(d, "applicants", ())) else pd.DataFrame()
    # a programme's make-up, not a cohort's: cohort tables beside the programme's would let
    # a small group of a withheld cohort be worked out
    represented = (workforce_representation(people, applicant_people, workforce)
                   if rep.cohort_id is None else pd.DataFrame(columns=REPRESENTATION_COLUMNS))
    return EqualityValueResults(threshold=t, scope=str(rep.scope), people=people, applicants=applicants,
                                representation=represented,
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
    return (pd.concat(rows, ignore_index=True) if rows
            else pd.DataFrame(columns=list(BENEFIT_COLUMNS)))


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


def _few_moves(row, t: int) -> bool:
    """Whether a cumulative share at a horizon stands for fewer than ``t`` people moved or not
    moved: ``n_moved`` counts moves at any time, so the share times the group size (the moves
    by the horizon had nobody been censored) is what a reader would recover."""
    moved = row["estimate"] * row["n"]
    return bool(moved < t or row["n"] - moved < t or is_suppressed(row["n_moved"], t))


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
                 "Cumulative share (95% CI)": "–" if (_few_moves(r, t)
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


#: How each cost denominator is counted in words (one, many).
COST_NOUNS = {"participant": ("participant", "participants"),
              "completer": ("completer", "completers"),
              "move into a new or more senior role": ("move recorded by the end of observation",
                                                      "moves recorded by the end of observation")}


def value_sentences(res: EqualityValueResults) -> list[str]:
    """Cost per outcome and benefit-cost ratio in words, only where the inputs give them."""
    t, cur = res.threshold, res.currency
    out = []
    if res.total_cost is not None:
        out.append(f"The programme cost {cur} {res.total_cost:,.0f} (dataset.yaml costs).")
        for _, r in res.costs.iterrows():
            if r["n"] and not is_suppressed(r["n"], t):
                noun = COST_NOUNS.get(r["outcome"], (r["outcome"], r["outcome"] + "s"))
                out.append(f"Cost per {r['outcome']}: {cur} {r['cost_per']:,.0f} "
                           f"({fmt_int(r['n'])} {noun[0] if r['n'] == 1 else noun[1]}).")
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


def _not_here(res: EqualityValueResults, cohort_reason: str, missing: bool,
              missing_reason: str) -> bool:
    """For a programme-level section: say why it shows nothing in a cohort report, or without
    its dataset.yaml input; True when it shows nothing."""
    for applies, reason in ((res.cohort_scope, cohort_reason), (missing, missing_reason)):
        if applies:
            show_callout(reason)
            return True
    return False


def show_value(res: EqualityValueResults) -> None:
    """Section: value for money (Phillips level 5)."""
    if _not_here(res, "Value for money is reported for the whole programme, whose costs are "
                      "not divided by cohort.", res.total_cost is None,
                 "dataset.yaml gives no costs for this programme, so no cost per outcome is "
                 "reported."):
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


# --- summary lines for the evaluation report ----------------------------------------------------

#: The outcomes that answer "who got in and who benefited", in the order they are told.
SUMMARY_OUTCOMES = ("Selected from applicants", PERSON_OUTCOMES["completed"],
                    PERSON_OUTCOMES["improved"], PERSON_OUTCOMES["moved"])


#: Groups named in words where the recorded value reads badly alone ("against No staff").
GROUP_WORDS = {"disability": {"No": "no disability", "Yes": "disabled",
                              "Not declared": "not declared"}}


def representation_table(res: EqualityValueResults) -> pd.DataFrame:
    """:attr:`EqualityValueResults.representation` for display: within each population and
    characteristic the groups' counts are one margin (their total is published elsewhere), so
    a small group is ``<t``, a complement ``[c]``, and a hidden group's share and ratio are
    withheld (–)."""
    t = res.threshold
    blocks = []
    for (_pop, _char), part in res.representation.groupby(["population", "characteristic"],
                                                          sort=False):
        shown = suppress_table(part.assign(ratio_ci=[
            f"{r:.2f} ({lo:.2f} to {hi:.2f})" if np.isfinite(r) else "–"
            for r, lo, hi in zip(part["ratio"], part["ratio_low"], part["ratio_high"])]),
            ["n"], t, pct_cols={"share": "n"}, hide_with={"ratio_ci": "n"})
        blocks.append(shown)
    if not blocks:
        return pd.DataFrame()
    out = pd.concat(blocks, ignore_index=True)
    return pd.DataFrame({
        "Among": out["population"].str.capitalize(),
        "Characteristic": out["characteristic"].map(lambda c: CHARACTERISTICS.get(c, c)),
        "Group": out["group"], "People": out["n"], "Share": out["share"],
        "Workforce share": [fmt_pct(b, 0) if np.isfinite(b) else "–" for b in res.representation["baseline"]],
        "Ratio (95% CI)": out["ratio_ci"]})


def representation_sentences(res: EqualityValueResults) -> list[str]:
    """Groups of participants (or applicants) whose share differs from the workforce's beyond chance (the
    ratio's 95% interval excludes 1); a group hidden in the table is never named."""
    rep_ = res.representation
    if rep_.empty:
        return []
    shown = representation_table(res)
    out = []
    for i, r in rep_.iterrows():
        if shown.loc[i, "People"] != fmt_int(r["n"]) or not np.isfinite(r["ratio"]):
            continue
        if r["ratio_low"] > 1 or r["ratio_high"] < 1:
            more = "more" if r["ratio_low"] > 1 else "less"
            out.append(f"{_group_words(r['characteristic'], r['group'])} staff were "
                       f"{fmt_pct(r['share'], 0)} of {r['population']} ({fmt_int(r['n'])} people) "
                       f"against {fmt_pct(r['baseline'], 0)} of the workforce: {more} represented "
                       f"than the workforce would lead one to expect (ratio {r['ratio']:.2f}, "
                       f"95% CI {r['ratio_low']:.2f} to {r['ratio_high']:.2f}).")
    if not out:
        out.append("No group's share of the " + " or the ".join(dict.fromkeys(rep_["population"]))
                   + " differed from its share of the workforce by more than chance would "
                   "explain (every ratio's 95% interval includes 1).")
    return out


def show_representation(res: EqualityValueResults) -> None:
    """Section: participants' (and applicants') make-up against the workforce baseline."""
    if _not_here(res, "Representation against the workforce is compared for the whole "
                      "programme, in its programme report.", res.representation.empty,
                 "dataset.yaml gives no workforce baseline for this programme (equality: "
                 "workforce:), so representation cannot be compared."):
        return
    show_table(representation_table(res), caption="Representation against the workforce",
               note="Share = the group's share of the people with the characteristic recorded "
                    "(Wilson interval); ratio = share / workforce share, 1 meaning represented "
                    "as in the workforce. The workforce shares are taken as known.")
    show_sentences(representation_sentences(res), title="In words")


def _group_words(characteristic: str, group: str) -> str:
    return GROUP_WORDS.get(characteristic, {}).get(group, group)


def equality_summary(res: EqualityValueResults) -> list[str]:
    """Who got in and who benefited, one sentence per characteristic: each group's relative
    likelihood and 95% interval against the reference group, outcome by outcome. Groups whose
    size, events or non-events are below the threshold (or whose size is a complement of one)
    are left out, as is an outcome whose reference group is; when nothing can be shown the
    sentences of :func:`likelihood_sentences` say why."""
    t = res.threshold
    lk = res.likelihoods
    if lk.empty:
        return []
    codes = _people_codes(lk, t)
    out = []
    for char, part in lk.groupby("characteristic", sort=False):
        pieces = []
        ref_name = part["reference"].iloc[0]
        for outcome in SUMMARY_OUTCOMES:
            rows = part[part["outcome"] == outcome]
            ref = rows[rows["group"] == rows["reference"]]
            if ref.empty or _withheld(ref.iloc[0], t) or codes[ref.index[0]]:
                continue
            shown = []
            for i, r in rows.iterrows():
                if r["group"] == r["reference"] or _withheld(r, t) or codes[i]:
                    continue
                flag = ("" if r["ci_low"] <= 1 <= r["ci_high"] else
                        ", lower beyond chance" if r["ci_high"] < 1 else ", higher beyond chance")
                shown.append(f"{_group_words(char, r['group'])} {r['relative_likelihood']:.2f} "
                             f"({r['ci_low']:.2f} to {r['ci_high']:.2f}{flag})")
            if shown:
                pieces.append(f"{outcome[0].lower()}{outcome[1:]}: " + ", ".join(shown))
        if pieces:
            name = CHARACTERISTICS.get(char, char)
            ref_words = (f"staff with {_group_words(char, ref_name)}" if char == "disability"
                         and ref_name == "No" else f"{_group_words(char, ref_name)} staff")
            out.append(f"{name}, relative likelihood against {ref_words} (95% CI): "
                       + "; ".join(pieces) + ".")
    return out or likelihood_sentences(res)


def comparison_sentences(res: EqualityValueResults) -> list[str]:
    """Participants against applicants not admitted: the difference in differences per rater
    and the cumulative share moving into a new or more senior role at the longest horizon,
    each withheld when a group or its count of moves is below the threshold."""
    t = res.threshold
    out = []
    for _, r in res.did.iterrows() if len(res.did) else []:
        if min(r["n_treated"], r["n_control"]) < t:
            continue
        who = {"self": "Self-rated", "manager": "Manager-rated", "peer": "Peer-rated",
               "direct_report": "Direct-report-rated"}.get(r["rater"], str(r["rater"]))
        out.append(f"{who} 360 scores rose by {r['change_treated']:+.2f} points among "
                   f"{fmt_int(r['n_treated'])} participants and {r['change_control']:+.2f} among "
                   f"{fmt_int(r['n_control'])} applicants not admitted: a difference in "
                   f"differences of {r['estimate']:+.2f} (95% CI {r['ci_low']:+.2f} to "
                   f"{r['ci_high']:+.2f}).")
    inc = res.incidence
    if len(inc):
        last = inc[inc["months"] == inc["months"].max()]
        ok = all(r["n"] >= t and not _few_moves(r, t) for _, r in last.iterrows())
        groups = {r["group"]: r for _, r in last.iterrows()}
        if ok and {"Participants", "Applicants not admitted"} <= set(groups):
            p, a = groups["Participants"], groups["Applicants not admitted"]
            out.append(f"Within {int(p['months'])} months, an estimated {p['estimate']:.0%} "
                       f"(95% CI {p['ci_low']:.0%} to {p['ci_high']:.0%}) of {fmt_int(p['n'])} "
                       f"participants and {a['estimate']:.0%} ({a['ci_low']:.0%} to "
                       f"{a['ci_high']:.0%}) of {fmt_int(a['n'])} applicants not admitted had "
                       "moved into a new or more senior role.")
    if out:
        out.append("Applicants not admitted were not randomised: selection may explain part of "
                   "any difference.")
    return out


def funnel_sentences(res: EqualityValueResults) -> list[str]:
    """How many organisations lie outside the 95% funnel limits of completion."""
    f = res.funnel
    if f.empty:
        return []
    outside = int((f["signal"] != "within").sum())
    k = len(f)
    verb = "lies" if outside == 1 else "lie"
    return [f"{outside} of the {k} organisations (or pooled groups) {verb} outside the 95% "
            f"limits of the programme's completion rate ({f['target'].iloc[0]:.0%})."]
