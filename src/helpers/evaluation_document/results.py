"""The evaluation document's results object."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.report.results import Results


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
    notes : list of str
        Free notes attached to the document (empty by default; no display function shows them).
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
