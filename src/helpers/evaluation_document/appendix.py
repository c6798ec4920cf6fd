"""Limitations and the methods appendix of the evaluation document."""

from __future__ import annotations

import pandas as pd

from helpers import equality_value, evaluation
from helpers.evaluation_document.findings import strand_sentences
from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import RATER_WORDS, WAVE_WORDS, plural
from helpers.report.disclosure import is_suppressed
from helpers.report.fmt import fmt_int, fmt_pct


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
    rel = o.reliability  # self-ratings of every outcome instrument, computed once in prepare
    rel = rel[rel["instrument_id"] == inst] if rel is not None and len(rel) else rel
    if rel is None or rel.empty:
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
