"""Findings by strand and the answers to each evaluation question."""

from __future__ import annotations

import pandas as pd

from helpers import equality_value, evaluation, projects, reach
from helpers.data.evaluation_meta import STRANDS
from helpers.evaluation_document.programme import demand_sentence
from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import NO_DATA, PROFESSION_PLURAL, join_words, plural
from helpers.outcomes import report as outcomes_report
from helpers.outcomes import rater_gap
from helpers.report.disclosure import is_suppressed, suppress_count, zero_spread
from helpers.report.fmt import fmt_int, fmt_num, fmt_pct


def people_noun(participants: pd.DataFrame) -> str:
    """"doctors" when every participant is medical (or one other profession), else the
    generic :data:`helpers.evaluation.PEOPLE`."""
    prof = participants.get("profession", pd.Series(dtype=str)).dropna().astype(str).str.lower()
    if len(prof) == len(participants) and prof.nunique() == 1 and prof.iloc[0] in PROFESSION_PLURAL:
        return PROFESSION_PLURAL[prof.iloc[0]]
    return evaluation.PEOPLE


def reach_sentence(rep) -> str:
    """"220 delegates from 3 trusts (A, B and C) took part across 10 cohorts", organisations
    named when there are at most five; "trusts" when every organisation is one."""
    d, t = rep.data, rep.threshold
    orgs = reach.participants_by(d.participants, "organisation")
    named = orgs[orgs["organisation"] != reach.NOT_RECORDED]["organisation"].astype(str).tolist()
    n = int(orgs["n"].sum())
    noun = "trust" if named and all("trust" in o.lower() for o in named) else "organisation"
    org_words = plural(len(named), noun)
    if 0 < len(named) <= 5:
        org_words += f" ({join_words(sorted(named))})"
    people = suppress_count(n, t) if n else "No"
    k = d.participants["cohort_id"].nunique()
    who = people_noun(d.participants)
    if rep.cohort_id is not None:
        return f"{people} {who} from {org_words} took part in cohort {rep.cohort_label}."
    where = "in one cohort" if k == 1 else f"across {plural(k, 'cohort')}"
    return f"{people} {who} from {org_words} took part {where}."


def profession_sentence(participants: pd.DataFrame, threshold: int) -> str | None:
    """The largest profession's share ("89% (196 of 220) were doctors"); None when everyone
    shares one profession (the reach sentence names it) or the counts would be disclosive."""
    prof = participants.get("profession", pd.Series(dtype=str)).dropna().astype(str).str.lower()
    if prof.nunique() < 2:
        return None
    counts = prof.value_counts()
    top, n, total = counts.index[0], int(counts.iloc[0]), int(counts.sum())
    if n < threshold or total - n < threshold:
        return None
    noun = PROFESSION_PLURAL.get(top, top)
    return f"{fmt_pct(n / total, 0)} ({fmt_int(n)} of {fmt_int(total)}) were {noun}."


def completion_sentence(rep) -> str | None:
    d, t = rep.data, rep.threshold
    if d.attendance.empty:
        return None
    total = reach.completion_by(d.attendance, d.participants).iloc[-1]
    n, done = int(total["n"]), int(total["n_completed"])
    if n < t or is_suppressed(done, t) or is_suppressed(n - done, t):
        return None
    return (f"{fmt_pct(total['share_completed'], 0)} ({fmt_int(done)} of {fmt_int(n)}) attended "
            "every day of every module.")


def reaction_sentence(rep) -> str | None:
    """The reaction item with most agreement, with how many answered it."""
    d, t = rep.data, rep.threshold
    for inst in d.instruments:
        if inst.get("kind") != "reaction" or not (d.responses["instrument_id"] == inst["instrument_id"]).any():
            continue
        rs = reach.reaction_summary(d.responses, d.items, inst["instrument_id"])
        ok = (rs["n"] >= t) & ~rs["sd"].map(zero_spread) & ~(rs["n"] - rs["n_top2"]).map(
            lambda k: is_suppressed(k, t))
        rs = rs[ok]
        if len(rs):
            top = rs.sort_values("share_top2", ascending=False).iloc[0]
            return (f"Reaction: '{top['text']}' drew the most agreement: "
                    f"{fmt_pct(top['share_top2'], 0)} of the {fmt_int(top['n'])} who answered "
                    f"agreed (mean {fmt_num(top['estimate'], 1)} of {fmt_num(top['max'], 0)}).")
    return None


def projects_lead_sentence(rep) -> str | None:
    """"Each of the 11 doctors led one improvement project" when every participant led exactly
    one; None otherwise (the projects sentence gives the count)."""
    d = rep.data
    pr = d.projects
    if pr.empty:
        return None
    leads = pr["lead_participant_id"].dropna().astype(str)
    in_scope = set(d.participants["participant_id"].astype(str))
    leads = leads[leads.isin(in_scope)]
    n_people, k = len(in_scope), len(pr)
    who = people_noun(d.participants)
    if leads.nunique() == k == n_people:
        if is_suppressed(n_people, rep.threshold):  # one project each: k is the head count
            return f"Each of the {who} led one improvement project."
        return f"Each of the {fmt_int(n_people)} {who} led one improvement project ({plural(k, 'project')})."
    return None  # the projects sentence gives the count


def behaviour_sentence(ev) -> str | None:
    """How many scales' self-other gaps narrowed or widened beyond chance, start to end."""
    o = ev.outcomes
    if o.scores.empty or set(o.scores["rater"].astype(str)) <= {"self"}:
        return None
    nar = rater_gap.gap_narrowing(o.scores)
    nar = nar[(nar["from_wave"] == "baseline") & (nar["to_wave"] == "post") & (nar["n"] >= ev.threshold)]
    if nar.empty:
        return None
    widened, narrowed, k = int((nar["ci_low"] > 0).sum()), int((nar["ci_high"] < 0).sum()), len(nar)
    if not widened and not narrowed:
        return (f"The gap between self-ratings and colleagues' 360 ratings did not change beyond "
                f"chance on any of the {plural(k, 'scale')} between the start and the end of the "
                "programme (every 95% interval includes no change).")
    parts = [f"narrowed on {narrowed}" if narrowed else "", f"widened on {widened}" if widened else ""]
    return (f"Between the start and the end of the programme the gap between self-ratings and "
            f"colleagues' 360 ratings {join_words([p for p in parts if p])} of the "
            f"{plural(k, 'scale')} (95% interval excluding no change)"
            + ("; on the others the change was within chance." if widened + narrowed < k else "."))


def strand_sentences(doc: EvaluationDocument, strand: str) -> list[str]:
    """Number-bearing findings of one strand in scope (empty when the strand has no data)."""
    ev, eq, rep, t = doc.ev, doc.eq, doc.rep, doc.threshold
    if strand == "reach":
        if rep.data.participants.empty:
            return []
        return [s for s in (reach_sentence(rep), profession_sentence(rep.data.participants, t),
                            completion_sentence(rep), demand_sentence(doc)) if s]
    if strand == "reaction":
        s = reaction_sentence(rep)
        return [s] if s else []
    if strand == "learning":
        if ev.outcomes.scores.empty:
            return []
        return outcomes_report.change_findings(ev.outcomes)
    if strand == "behaviour":
        s = behaviour_sentence(ev)
        return outcomes_report.behaviour_findings(ev.outcomes) + ([s] if s else [])
    if strand == "results":
        if ev.projects.empty:
            return []
        _, service = projects.service_example(rep.data)
        return [s for s in [projects_lead_sentence(rep), evaluation.projects_sentence(ev.projects),
                            *service] if s]
    if strand == "networks":
        s = evaluation.network_headline(ev.networks, rep.data.participants)
        return [s] if s else []
    if strand == "pipeline":
        s = evaluation.pipeline_headline(ev.pipeline, t) if len(ev.incidence) else None
        return [s] if s else []
    if strand == "themes":
        s = (evaluation.theme_sentence(ev.prevalence, t, ev.themes.theme_codes)
             if len(ev.prevalence) else None)
        return [s] if s else []
    if strand == "equality":
        return ((equality_value.equality_summary(eq) if len(eq.likelihoods) else [])
                + equality_value.representation_sentences(eq))
    if strand == "comparison":
        return equality_value.comparison_sentences(eq)
    if strand == "value":
        return equality_value.value_sentences(eq)
    if strand == "benchmarking":
        return equality_value.funnel_sentences(eq)
    raise ValueError(f"unknown strand {strand!r}; one of {', '.join(STRANDS)}")


def why_none(doc: EvaluationDocument, strand: str) -> str:
    """Why a strand states no finding: no data at all (:data:`NO_DATA`), or data too few to
    report without identifying people, which is a different thing to tell a reader."""
    ev, eq, d, t = doc.ev, doc.eq, doc.rep.data, doc.threshold
    few = (f"There are data for this in scope, but too few people (fewer than {t} in a group "
           "that would be described) to report a finding without identifying anyone.")
    if strand == "value" and eq.cohort_scope:
        return ("Value for money is reported for the whole programme, whose costs are not "
                "divided by cohort.")
    has_data = {
        "reach": len(d.participants) > 0,
        "reaction": any(i.get("kind") == "reaction" and (d.responses["instrument_id"]
                                                        == i["instrument_id"]).any()
                        for i in d.instruments),
        "learning": not ev.outcomes.scores.empty,
        "behaviour": not ev.outcomes.scores.empty
        and not set(ev.outcomes.scores["rater"].astype(str)) <= {"self"},
        "results": len(ev.projects) > 0,
        "networks": bool(ev.networks.has_ties),
        "pipeline": len(ev.incidence) > 0,
        "themes": len(ev.prevalence) > 0,
        "equality": len(eq.likelihoods) > 0,
        "comparison": len(eq.applicants) > 0,
        "value": eq.total_cost is not None,
        "benchmarking": len(eq.funnel) > 0,
    }[strand]
    if not has_data:
        return NO_DATA[strand]
    if strand == "themes":
        return f"No theme was raised by {t} or more participants in this scope."
    if strand == "networks":
        return ("The network findings in this scope are about boundaries that nobody here "
                "could cross (a single profession or organisation), so none is stated.")
    return few


def answers(doc: EvaluationDocument) -> pd.DataFrame:
    """Each evaluation question with its strands' sentences, or why a strand has none."""
    rows = []
    for q in doc.design.get("questions") or []:
        for strand in q["strands"]:
            lines = strand_sentences(doc, strand) or [why_none(doc, strand)]
            rows += [{"question_id": q["id"], "question": q["text"], "strand": strand,
                      "sentence": s} for s in lines]
    return pd.DataFrame(rows, columns=EvaluationDocument.COLUMNS["answers"])
