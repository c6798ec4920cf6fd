"""The evaluation report as an evaluation document: summary of findings against the evaluation
questions of dataset.yaml ``evaluation:``, the programme, the evaluation design and data, and
the methods actually used, in the order published NHS leadership programme evaluations use.

Every sentence is built from a count or estimate in the data in scope; a question whose strands
have no data is answered by saying so. ``prepare(ev, eq)`` assembles the results of
:func:`helpers.evaluation.prepare` and :func:`helpers.equality_value.prepare`; the ``show_*``
functions render them.

Words for counts follow one rule (:func:`plural`): "1 cohort", "10 cohorts", "no cohorts".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers import equality_value, evaluation, projects, reach
from helpers.data.evaluation_meta import STRANDS
from helpers.outcomes import rater_gap
from helpers.outcomes import report as outcomes_report
from helpers.report.disclosure import is_suppressed, suppress_count, zero_spread
from helpers.report.display import show_callout, show_link, show_sentences, show_table
from helpers.report.fmt import fmt_int, fmt_num, fmt_pct
from helpers.report.results import Results
from helpers.scales import reliability

PROFESSION_PLURAL = {"medical": "doctors", "nursing": "nurses",
                     "ahp": "allied health professionals", "manager": "managers"}
WAVE_WORDS = {"baseline": "start of the programme", "post": "end of the programme",
              "follow_up": "follow-up", "retrospective_pre": "retrospective start"}
RATER_WORDS = {"self": "self-ratings", "manager": "managers' ratings", "peer": "peers' ratings",
               "direct_report": "direct reports' ratings"}
#: Kirkpatrick level (or part of the report) of each strand, for the question index.
STRAND_TITLES = {
    "reach": "Reach (level 1)", "reaction": "Reaction (level 1)", "learning": "Learning (level 2)",
    "behaviour": "Behaviour (level 3)", "results": "Results (level 4): improvement projects",
    "networks": "Networks", "pipeline": "Leadership pipeline", "themes": "What participants said",
    "equality": "Equality of access and outcome", "comparison": "Comparison with applicants "
    "not admitted", "value": "Value for money", "benchmarking": "Benchmarking organisations"}
NO_DATA = {
    "reach": "No participants are recorded in this scope.",
    "reaction": "No reaction survey was answered in this scope.",
    "learning": "No self-ratings at the start and the end of the programme are recorded, so "
                "learning cannot be assessed.",
    "behaviour": "No colleagues' (360) ratings are recorded, so change in behaviour seen by "
                 "others cannot be assessed.",
    "results": "No improvement projects are recorded.",
    "networks": "No network survey is recorded.",
    "pipeline": "No career moves can be followed in this scope.",
    "themes": "No coded interviews or comments are recorded.",
    "equality": "No ethnicity, sex or disability is recorded, so equality of access and "
                "outcome cannot be examined.",
    "comparison": "No applicants table is recorded, so there is no comparison group.",
    "value": "dataset.yaml gives no costs for this scope, so no cost per outcome is reported.",
    "benchmarking": "Fewer than two organisations took part, so there is nothing to benchmark.",
}


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the noun in the right number: "1 cohort", "3 cohorts", "no cohorts".

    Examples
    --------
    >>> [plural(n, "cohort") for n in (0, 1, 10)]
    ['no cohorts', '1 cohort', '10 cohorts']
    >>> plural(2, "allied health professional")
    '2 allied health professionals'
    """
    many = many or one + "s"
    if n == 0:
        return f"no {many}"
    return f"{fmt_int(n)} {one if n == 1 else many}"


def join_words(words: list[str]) -> str:
    """"a", "a and b", "a, b and c".

    Examples
    --------
    >>> join_words(["x"]), join_words(["x", "y"]), join_words(["x", "y", "z"])
    ('x', 'x and y', 'x, y and z')
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class EvaluationDocument(Results):
    """The evaluation report's document parts for one scope (nothing suppressed yet).

    Attributes
    ----------
    ev : helpers.evaluation.Evaluation
        Every detailed report's results for the scope.
    eq : helpers.equality_value.EqualityValueResults
        Equality, comparison group, value for money and benchmarking.
    design : dict
        The programme's ``evaluation:`` entry of dataset.yaml (empty when it has none).
    programme : DataFrame
        One row: ``programme_id, name, provider, host_organisation, level, modules, days,
        cohorts, first_start, last_end, delivery_modes, places, applications``.
    sources : DataFrame
        The data behind the report with response rates: ``source, detail, people, of, share``
        (``of`` is the participants in scope; ``share`` missing where a rate does not apply).
    answers : DataFrame
        ``question_id, question, strand, sentence``: each evaluation question answered by its
        strands' findings, or by the reason there are none.
    """

    ev: object
    eq: object
    design: dict
    programme: pd.DataFrame
    sources: pd.DataFrame
    answers: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    COLUMNS = {
        "programme": ("programme_id", "name", "provider", "host_organisation", "level", "modules",
                      "days", "cohorts", "first_start", "last_end", "delivery_modes", "places",
                      "applications"),
        "sources": ("source", "detail", "people", "of", "share"),
        "answers": ("question_id", "question", "strand", "sentence"),
    }

    @property
    def rep(self):
        return self.ev.rep

    @property
    def threshold(self) -> int:
        return self.ev.threshold


def prepare(ev, eq) -> EvaluationDocument:
    """Assemble the document parts from the evaluation's and equality's results."""
    rep = ev.rep
    design = dict((rep.data.meta.get("evaluation") or {}).get(rep.programme_id) or {})
    doc = EvaluationDocument(ev, eq, design, programme_profile(rep), data_sources(rep),
                             pd.DataFrame(columns=EvaluationDocument.COLUMNS["answers"]))
    doc.answers = answers(doc)
    return doc


# --- the programme ---------------------------------------------------------------------------

def programme_profile(rep) -> pd.DataFrame:
    """One row describing the programme in scope from the programmes, cohorts and applicants
    tables. ``applications`` counts rows of the applicants table when it has any for the scope,
    else the cohorts' ``applications`` column (missing when neither records them)."""
    d = rep.data
    p = rep.programme
    c = d.cohorts
    apps = getattr(d, "applicants", pd.DataFrame())
    if len(apps):
        applications = len(apps)
    elif "applications" in c and c["applications"].notna().any():
        applications = int(c["applications"].sum())
    else:
        applications = None
    places = int(c["places"].sum()) if "places" in c and c["places"].notna().any() else None
    modes = sorted(set(c["delivery_mode"].dropna().astype(str))) if "delivery_mode" in c else []
    row = {k: p.get(k) for k in ("programme_id", "name", "provider", "host_organisation",
                                 "level", "modules", "days")}
    row["programme_id"] = rep.programme_id
    row.update(cohorts=len(c), first_start=pd.to_datetime(c["start_date"]).min() if len(c) else pd.NaT,
               last_end=pd.to_datetime(c["end_date"]).max() if len(c) else pd.NaT,
               delivery_modes="; ".join(modes), places=places, applications=applications)
    return pd.DataFrame([row], columns=EvaluationDocument.COLUMNS["programme"])


def _int(x) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def programme_sentences(doc: EvaluationDocument) -> list[str]:
    """Provider, host, design (modules and days), cohorts and their dates, delivery."""
    r = doc.programme.iloc[0]
    name = str(r["name"] or r["programme_id"])
    who = f"delivered by {r['provider']}" if _text(r["provider"]) else ""
    if _text(r["host_organisation"]) and r["host_organisation"] != r["provider"]:
        who += (" for " if who else "hosted by ") + str(r["host_organisation"])
    out = [f"The programme, {name}, was {who}." if who else f"The programme is {name}."]
    modules, days = _int(r["modules"]), _int(r["days"])
    design = []
    if days:
        design.append(plural(days, "day") + " of development"
                      + (f" over {plural(modules, 'module')}" if modules else ""))
    elif modules:
        design.append(plural(modules, "module"))
    if _text(r["level"]):
        design.append(f"for {str(r['level'])[0].lower()}{str(r['level'])[1:]}")
    if design:
        out.append("It offered " + " ".join(design) + ".")
    k = int(r["cohorts"])
    if k:
        span = (f"from {r['first_start']:%B %Y} to {r['last_end']:%B %Y}"
                if pd.notna(r["first_start"]) and pd.notna(r["last_end"]) else "")
        cohort_words = "one cohort ran" if k == 1 else f"{k} cohorts ran"
        mode = f", delivered {r['delivery_modes']}" if r["delivery_modes"] and ";" not in r["delivery_modes"] \
            else (f", delivered as {join_words(r['delivery_modes'].split('; '))}" if r["delivery_modes"] else "")
        out.append(f"In this scope {cohort_words} {span}{mode}.".replace("  ", " ").replace(" .", "."))
    return out


def _text(x) -> bool:
    return isinstance(x, str) and x.strip() != ""


def demand_sentence(doc: EvaluationDocument) -> str | None:
    """Places against applications ("415 applications for 233 places: 1.8 per place"), with
    the applicants' outcomes when the applicants table records them."""
    r = doc.programme.iloc[0]
    t = doc.threshold
    places, apps = _int(r["places"]), _int(r["applications"])
    if not places or apps is None:
        return None
    text = (f"Demand: {suppress_count(apps, t)} applications for {fmt_int(places)} places "
            f"({apps / places:.1f} per place)" if not is_suppressed(apps, t) else
            f"Demand: {suppress_count(apps, t)} applications for {fmt_int(places)} places")
    applicants = getattr(doc.rep.data, "applicants", pd.DataFrame())
    if len(applicants) and "outcome" in applicants:
        counts = applicants["outcome"].astype(str).value_counts()
        words = {"admitted": "admitted", "waitlisted": "wait-listed", "not_admitted": "not admitted",
                 "withdrew": "withdrew"}
        parts = [f"{suppress_count(int(counts[k]), t)} {w}" for k, w in words.items() if k in counts]
        # the parts add up to the applications shown: one hidden part would be given away
        if parts and not any(is_suppressed(int(n), t) for n in counts):
            text += "; " + join_words(parts)
    return text + "."


def aims(doc: EvaluationDocument) -> list[str]:
    return list(doc.design.get("aims") or [])


# --- evaluation design and data --------------------------------------------------------------

def data_sources(rep) -> pd.DataFrame:
    """Each source of data in scope with how many participants it covers.

    Surveys: participants with at least one answer, per instrument, wave and rater, against the
    participants in scope (a response rate). Interviews and comments: participants whose words
    were coded, by source type. Networks: participants naming ties, per wave. Careers:
    participants with a recorded event. Attendance: participants with a register entry.
    """
    d = rep.data
    of = int(d.participants["participant_id"].nunique())
    rows = []

    def add(source, detail, people, rate=True):
        rows.append({"source": source, "detail": detail, "people": int(people), "of": of,
                     "share": (people / of) if rate and of else float("nan")})

    if len(d.attendance):
        add("Attendance registers", "participants with a register entry",
            d.attendance["participant_id"].nunique())
    names = {i["instrument_id"]: i.get("name") or i["instrument_id"] for i in d.instruments}
    r = d.responses
    if len(r):
        g = r.groupby(["instrument_id", "wave", "rater"], sort=False)["participant_id"].nunique()
        order = list(WAVE_WORDS)
        for (inst, wave, rater), n in sorted(g.items(), key=lambda kv: (
                str(kv[0][0]), order.index(kv[0][1]) if kv[0][1] in order else 9,
                kv[0][2] != "self", str(kv[0][2]))):
            add(names.get(inst, inst), f"{WAVE_WORDS.get(wave, wave)}, "
                f"{RATER_WORDS.get(rater, rater + ' ratings')}", n)
    if len(d.segments):
        seg = d.segments.dropna(subset=["participant_id"])
        for kind, part in seg.groupby("source_type"):
            add(str(kind).replace("_", " ").capitalize(), "participants whose words were coded",
                part["participant_id"].nunique())
    if len(d.ties):
        for wave, part in d.ties.groupby("wave"):
            add("Network survey", f"{WAVE_WORDS.get(wave, wave)}, participants naming ties",
                part["from_id"].nunique())
    if len(d.careers):
        add("Career records", "participants with a recorded move or exit",
            d.careers["participant_id"].nunique(), rate=False)
    if len(getattr(d, "projects", ())):
        add("Improvement project measures", "projects with a measure", len(d.projects), rate=False)
    return pd.DataFrame(rows, columns=EvaluationDocument.COLUMNS["sources"])


def sources_table(doc: EvaluationDocument) -> pd.DataFrame:
    """:attr:`EvaluationDocument.sources` for display: counts below the threshold as ``<t``
    and their rates withheld, as are rates whose non-responders would be below it."""
    t = doc.threshold
    s = doc.sources

    def rate(people, of, share):
        if pd.isna(share) or is_suppressed(people, t) or is_suppressed(of - people, t):
            return "–"
        return fmt_pct(share, 0)

    return pd.DataFrame({"Source": s["source"], "What": s["detail"],
                         "People": [suppress_count(n, t) for n in s["people"]],
                         "Response": [rate(p, o, sh) for p, o, sh in
                                      zip(s["people"], s["of"], s["share"])]})


def design_sentences(doc: EvaluationDocument) -> list[str]:
    """Who commissioned and carried out the evaluation, its period and the data's own span."""
    d, out = doc.design, []
    if d.get("title"):
        out.append(f"Evaluation: {d['title']}.")
    if d.get("commissioned_by"):
        out.append(f"Commissioned by {d['commissioned_by']}.")
    if d.get("authors"):
        out.append(f"Author{'s' if len(d['authors']) != 1 else ''}: {join_words(d['authors'])}.")
    if d.get("team"):
        out.append(f"Evaluation team: {'; '.join(d['team'])}.")
    if d.get("period"):
        p = d["period"]
        out.append(f"Evaluation period: {p['start']:%-d %B %Y} to {p['end']:%-d %B %Y}.")
    dates = pd.to_datetime(doc.rep.data.responses.get("response_date", pd.Series(dtype=str)),
                           errors="coerce").dropna()
    if len(dates):
        out.append(f"Survey answers in this report were given between {dates.min():%B %Y} and "
                   f"{dates.max():%B %Y}.")
    n = len(doc.rep.data.participants)
    if n:
        out.append(f"Response rates below are the share of the {plural(n, 'participant')} in "
                   "scope who contributed to each source.")
    return out


# --- findings by strand -------------------------------------------------------------------------

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
        head = outcomes_report.headline(ev.outcomes)
        cf = outcomes_report.change_frame(ev.outcomes)
        out = [head[-1]] if len(head) > 1 else []
        first = cf[(cf["from_wave"] == "baseline") & (cf["to_wave"] == "post") & (cf["n"] >= t)]
        if len(first):
            out.append(evaluation.learning_count_sentence(cf, t))
        return out
    if strand == "behaviour":
        s = behaviour_sentence(ev)
        return [s] if s else []
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
        s = evaluation.theme_sentence(ev.prevalence, t) if len(ev.prevalence) else None
        return [s] if s else []
    if strand == "equality":
        return equality_value.equality_summary(eq) if len(eq.likelihoods) else []
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
        "networks": bool(ev.networks.get("has_ties")),
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


# --- display --------------------------------------------------------------------------------------

def show_summary(doc: EvaluationDocument) -> None:
    """Summary of findings: the programme in one sentence, then each evaluation question with
    its answer; without questions in dataset.yaml, the strand-by-strand summary."""
    rep = doc.rep
    asks_reach = "reach" in set(doc.answers["strand"])
    lead = ([] if asks_reach else [reach_sentence(rep)]) + programme_sentences(doc)[:1]
    show_sentences(lead, title=f"Summary of findings: {rep.scope}")
    if doc.answers.empty:
        show_callout("dataset.yaml gives no evaluation questions for this programme "
                     "(evaluation: questions), so the findings are summarised by strand.")
        show_sentences(evaluation.executive_summary(doc.ev)[1:])
    for (qid, question), part in doc.answers.groupby(["question_id", "question"], sort=False):
        seen = []
        for s in part["sentence"]:  # a strand's sentence may answer two strands alike
            if s not in seen and s not in lead:
                seen.append(s)
        show_sentences(seen, title=f"{qid.upper()}. {question}")
    if getattr(rep, "synthetic", False):
        show_callout("These figures come from synthetic data and describe no real people.", "caveat")


def show_programme(doc: EvaluationDocument) -> None:
    """The programme: provider, host, design, cohorts, demand and places, and its aims."""
    lines = programme_sentences(doc)
    demand = demand_sentence(doc)
    show_sentences(lines + ([demand] if demand else []))
    if aims(doc):
        show_sentences(aims(doc), title="Aims")


def show_design(doc: EvaluationDocument) -> None:
    """Evaluation design and data: who, when, the questions, and each source's response."""
    show_sentences(design_sentences(doc))
    qs = doc.design.get("questions") or []
    if qs:
        show_table(pd.DataFrame({"Question": [q["id"].upper() for q in qs],
                                 "Evaluation question": [q["text"] for q in qs],
                                 "Answered in": ["; ".join(STRAND_TITLES[s] for s in q["strands"])
                                                 or "–" for q in qs]}),
                   caption="Evaluation questions and the sections that answer them")
    if doc.design.get("data_sources"):
        show_sentences(doc.design["data_sources"], title="Sources named by the evaluation team")
    if len(doc.sources):
        show_table(sources_table(doc), caption="Data in this report and response",
                   note=f"Response = people contributing / the {fmt_int(doc.sources['of'].iloc[0])} "
                        f"participants in scope; withheld (–) where it would reveal fewer than "
                        f"{doc.threshold} people.")


def show_strand(doc: EvaluationDocument, strand: str) -> None:
    """A findings section for the equality, comparison, value and benchmarking strands."""
    lines = strand_sentences(doc, strand)
    if not lines:
        show_callout(NO_DATA[strand])
    else:
        show_sentences(lines)
    missing = getattr(doc.rep, "missing", None)
    if missing is None or not missing(evaluation.DETAIL[strand]):
        show_link("Detailed report: equality and value", doc.ev.href(strand))


#: Methods of the equality, comparison, value and benchmarking strands, by strand.
EXTRA_METHODS = [
    ("equality", "Relative likelihood (rate ratio) with a 95% log-method interval, each group "
     "against a reference group", "Equality of access and outcome",
     "NHS England, Workforce Race Equality Standard technical guidance (2021); Altman (1991)"),
    ("comparison", "Difference in differences of 360 scores, errors clustered by person; "
     "Aalen-Johansen cumulative incidence of moves, participants against applicants not "
     "admitted", "Comparison group", "Angrist and Pischke (2009), Mostly harmless "
     "econometrics; Aalen and Johansen (1978)"),
    ("value", "Cost per participant, completer and move into a senior role from dataset.yaml "
     "costs", "Value for money", "Phillips (1997), Return on investment in training and "
     "performance improvement programs"),
    ("benchmarking", "Funnel plot of completion by organisation, exact binomial limits at 95% "
     "and 99.8%", "Benchmarking", "Spiegelhalter (2005), Stat Med 24:1185-1202"),
]


def methods(doc: EvaluationDocument) -> pd.DataFrame:
    """:func:`helpers.evaluation.methods_appendix` plus the methods of the other strands that
    this report states a finding from."""
    base = evaluation.methods_appendix(doc.ev)
    used = set(doc.answers["strand"]) if len(doc.answers) else set()
    extra = [{"Method": m, "Used for": u, "Reference": r} for s, m, u, r in EXTRA_METHODS
             if s in used and strand_sentences(doc, s)]
    if reliability_sentence(doc):
        extra += [{"Method": m, "Used for": u, "Reference": r} for _, m, u, r in evaluation.METHODS
                  if u == "Scale reliability"]
    return pd.concat([base, pd.DataFrame(extra, columns=base.columns)], ignore_index=True)


def limitations(doc: EvaluationDocument) -> list[str]:
    """:func:`helpers.evaluation.limitations`, with the design stated as it is (a comparison
    group of applicants not admitted where one was analysed) and the follow-up response."""
    out = evaluation.limitations(doc.ev)
    if equality_value.comparison_sentences(doc.eq):
        out[0] = ("Design: participants were compared with themselves before and after the "
                  "programme and with applicants who were not admitted. Those applicants were "
                  "not randomised: selection chose who took part, so differences may reflect "
                  "who was chosen as much as what the programme did.")
    rel = reliability_sentence(doc)
    if rel:
        out.insert(1, rel)
    s = doc.sources
    follow = s[s["detail"] == f"{WAVE_WORDS['follow_up']}, {RATER_WORDS['self']}"]
    if len(follow):
        r = follow.iloc[0]
        if not is_suppressed(r["people"], doc.threshold) and not is_suppressed(r["of"] - r["people"], doc.threshold):
            out.insert(2, f"Follow-up: {fmt_pct(r['share'], 0)} ({fmt_int(r['people'])} of "
                          f"{fmt_int(r['of'])}) answered the follow-up survey, so what held after "
                          "the programme rests on those who replied.")
    return out


def reliability_sentence(doc: EvaluationDocument) -> str | None:
    """How many scales of the main outcome instrument have Cronbach's alpha below 0.7 at the
    first survey (self-ratings, scales answered by at least ``suppress_below`` people), and how
    many have only two items; None when every scale is adequate or none can be estimated."""
    o = doc.ev.outcomes
    inst = evaluation._main_instrument(o)
    if inst is None or o.scores.empty:
        return None
    rel = reliability(o.data.responses, o.data.items, rater="self", instrument_id=[inst])
    if rel.empty:
        return None
    first = rel[rel["wave"] == rel["wave"].iloc[0]]
    first = first[first["n"] >= doc.threshold]
    if first.empty:
        return None
    k, low, two = len(first), int(first["low"].sum()), int((first["n_items"] <= 2).sum())
    if not low and not two:
        return None
    wave = WAVE_WORDS.get(first["wave"].iloc[0], first["wave"].iloc[0])
    def share(n):
        return f"all {plural(k, 'scale')}" if n == k else f"{n} of the {plural(k, 'scale')}"

    parts = []
    if low:
        parts.append(f"Cronbach's alpha is below 0.7 on {share(low)} at the {wave} "
                     f"(self-ratings), so scores and changes on "
                     f"{'that scale' if low == 1 else 'those scales'} are imprecise")
    if two:
        parts.append(f"{share(two)} {'has' if two == 1 else 'have'} only two items")
    text = "Reliability: " + "; ".join(parts)
    return text + " (the outcomes report gives alpha for every scale and survey)."


def show_limitations(doc: EvaluationDocument) -> None:
    show_sentences(limitations(doc))


def show_methods(doc: EvaluationDocument) -> None:
    show_table(methods(doc), caption="Statistical methods used in this report and their references")
