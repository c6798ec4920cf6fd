"""Rendering the evaluation document (disclosure control applied here or before)."""

from __future__ import annotations

import pandas as pd

from helpers import evaluation
from helpers.evaluation_document.appendix import limitations, methods
from helpers.evaluation_document.design import design_sentences, sources_table
from helpers.evaluation_document.findings import reach_sentence, strand_sentences
from helpers.evaluation_document.programme import aims, demand_sentence, programme_sentences
from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import NO_DATA, STRAND_TITLES, people_count
from helpers.report.display import show_callout, show_link, show_sentences, show_table
from helpers.report.fmt import fmt_int


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
                   note=f"Response = people contributing / the "
                        f"{people_count(int(doc.sources['of'].iloc[0]), 'participant', None, doc.threshold)}"
                        f" in scope; withheld (–), and the people hidden as [c], where it "
                        f"would reveal fewer than {doc.threshold} people.")


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


def show_limitations(doc: EvaluationDocument) -> None:
    show_sentences(limitations(doc))


def show_methods(doc: EvaluationDocument) -> None:
    show_table(methods(doc), caption="Statistical methods used in this report and their references")
