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

import pandas as pd

from helpers.evaluation_document.appendix import (EXTRA_METHODS, limitations, methods,
                                                  reliability_sentence)
from helpers.evaluation_document.design import (cohort_source_codes, data_sources, design_sentences,
                                                sources_table)
from helpers.evaluation_document.display import (show_design, show_limitations, show_methods,
                                                 show_programme, show_strand, show_summary)
from helpers.evaluation_document.findings import (answers, behaviour_sentence, completion_sentence,
                                                  people_noun, profession_sentence,
                                                  projects_lead_sentence, reach_sentence,
                                                  reaction_sentence, strand_sentences, why_none)
from helpers.evaluation_document.programme import (aims, demand_sentence, programme_profile,
                                                   programme_sentences)
from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import (NO_DATA, PROFESSION_PLURAL, RATER_WORDS, STRAND_TITLES,
                                               WAVE_WORDS, join_words, people_count, plural)

__all__ = [
    "EXTRA_METHODS", "EvaluationDocument", "NO_DATA", "PROFESSION_PLURAL", "RATER_WORDS",
    "STRAND_TITLES", "WAVE_WORDS", "aims", "answers", "behaviour_sentence", "completion_sentence",
    "cohort_source_codes", "data_sources", "demand_sentence", "design_sentences", "join_words", "limitations", "methods",
    "people_count", "people_noun", "plural", "prepare", "profession_sentence", "programme_profile",
    "programme_sentences", "projects_lead_sentence", "reach_sentence", "reaction_sentence",
    "reliability_sentence", "show_design", "show_limitations", "show_methods", "show_programme",
    "show_strand", "show_summary", "sources_table", "strand_sentences", "why_none",
]


def prepare(ev, eq) -> EvaluationDocument:
    """Assemble the document parts from the evaluation's and equality's results."""
    rep = ev.rep
    design = dict((rep.data.meta.get("evaluation") or {}).get(rep.programme_id) or {})
    doc = EvaluationDocument(ev, eq, design, programme_profile(rep), data_sources(rep),
                             pd.DataFrame(columns=EvaluationDocument.COLUMNS["answers"]))
    doc.answers = answers(doc)
    return doc
