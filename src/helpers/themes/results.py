"""The qualitative themes section's results, computed once per report (nothing suppressed yet).

:func:`prepare` reads the report's scope and calls the pure functions of
:mod:`helpers.themes.analysis` and :mod:`helpers.quotes` once each; the display functions of
:mod:`helpers.themes.display` take the :class:`ThemesResults` and apply disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers import reliability
from helpers import quotes as qu
from helpers.report.disclosure import own_cell_code
from helpers.report.results import Results
from helpers.themes.analysis import (GROUPS, code_tree, codes_in_scope, cooccurrence, prevalence,
                                     saturation_curve)

PREVALENCE_COLUMNS = ("code_id", "label", "segments", "sources", "participants", "n_segments",
                      "n_participants", "share_participants")


@dataclass
class ThemesResults(Results):
    """Coded qualitative material in one report's scope: codebook, prevalence, co-occurrence,
    agreement, saturation and quotable exemplars.

    Attributes
    ----------
    threshold : int
        The dataset's suppression threshold (``suppress_below``).
    level : str
        ``"programme"`` or ``"cohort"``, the report's scope (for the sentences).
    segments, codings, codes : DataFrame
        The dataset's tables in scope (``codes`` is the shared codebook, unfiltered).
    codebook : DataFrame
        :func:`helpers.themes.analysis.code_tree` of the codes applied in scope and their
        ancestors (:func:`~helpers.themes.analysis.codes_in_scope`).
    prevalence, code_prevalence : DataFrame
        :func:`helpers.themes.analysis.prevalence` at theme and at code level (primary coder).
    by_group : dict of str to DataFrame
        Theme prevalence by each of ``cohort_id``, ``organisation``, ``profession``, ``wave``.
    theme_codes, code_codes : dict
        For a cohort report, each theme's (code's) disclosure code decided across the
        programme's cohort reports (:func:`cohort_theme_codes`); empty for a programme report.
    cohort_codes : dict
        Cohorts hidden across the programme's reports (``rep.cohort_codes``).
    cooccurrence : dict of str to DataFrame
        Theme x theme counts (``"segment"``, ``"participant"``) and their Jaccard similarities
        (``"segment_jaccard"``, ``"participant_jaccard"``), over the themes of ``codebook``.
    agreement : DataFrame
        :func:`helpers.reliability.code_agreement` on the double-coded segments.
    saturation : DataFrame
        :func:`helpers.themes.analysis.saturation_curve`.
    quotes, framework : DataFrame
        :func:`helpers.quotes.exemplar_quotes` and :func:`helpers.quotes.framework_matrix`
        (redacted, attributed by shared descriptors); empty when quotes are withheld.
    quotes_withheld : str or None
        Why nothing may be quoted in this scope (too few participants), or None.
    per_theme : int
        The most quotes chosen per theme.

    Prepared with ``detail=False`` (:func:`prepare`), as the evaluation report does, only the
    codebook, the two prevalence tables, saturation and the disclosure codes are computed;
    ``code_codes``, ``by_group``, ``cooccurrence``, ``agreement``, ``quotes`` and
    ``framework`` are None.
    """

    threshold: int
    level: str
    segments: pd.DataFrame
    codings: pd.DataFrame
    codes: pd.DataFrame
    codebook: pd.DataFrame
    prevalence: pd.DataFrame
    code_prevalence: pd.DataFrame
    by_group: dict | None
    theme_codes: dict
    code_codes: dict | None
    cohort_codes: dict
    cooccurrence: dict | None
    agreement: pd.DataFrame | None
    saturation: pd.DataFrame
    quotes: pd.DataFrame | None
    framework: pd.DataFrame | None
    quotes_withheld: str | None
    per_theme: int = 3

    COLUMNS = {
        "codebook": ("code_id", "label", "parent_id", "description", "depth", "theme_id", "theme",
                     "path", "n_children"),
        "prevalence": PREVALENCE_COLUMNS,
        "code_prevalence": PREVALENCE_COLUMNS,
        "saturation": ("source_number", "new_codes", "cumulative_codes", "share_of_codes"),
        "quotes": ("theme", "quote", "attribution"),
        "segments": ("segment_id", "source_id", "participant_id", "text"),
        "codings": ("segment_id", "code_id", "coder_id"),
        "codes": ("code_id", "label", "parent_id"),
        "agreement": ("code_id", "label", "n", "percent_agreement", "kappa", "estimate", "ci_low",
                      "ci_high", "rating"),
        "framework": (),   # one column per theme, one row (the index) per group of people
    }


def cohort_theme_codes(rep, level: str = "theme") -> dict[str, str]:
    """For a cohort report: each theme's code for its participant count, decided across the
    programme's cohorts.

    The programme report shows each theme's participants, the sum over its cohorts, so a cohort
    report showing 9 of a programme's 11 gives away the other cohort's 2. The cohorts' counts
    of a theme are protected together as one margin (:func:`helpers.report.disclosure.protect`),
    and every cohort report uses the code of its own cell. Empty for a programme report.
    """
    if getattr(rep, "cohort_id", None) is None:
        return {}
    prog = rep.full.subset(programme_id=rep.programme_id)
    by = prevalence(prog.segments, prog.codings, prog.codes, prog.participants, by="cohort_id",
                    level=level)
    codes = {}
    for label, part in by.groupby("label", sort=False):
        counts = dict(zip(part["cohort_id"].astype(str), part["participants"]))
        if str(rep.cohort_id) in counts:
            codes[label] = own_cell_code(counts, str(rep.cohort_id), rep.threshold)
    return codes


def quotes_withheld(rep) -> str | None:
    """Why nothing may be quoted in this scope, or None."""
    n = rep.data.participants["participant_id"].nunique()
    if n < rep.threshold:
        return (f"Quotes are not shown: this {rep.level} has fewer than {rep.threshold} "
                "participants, so any quote could be traced to the person who said it.")
    return None



def prepare(rep, per_theme: int = 3, max_rows: int = 12, exemplar_chars: int = 90,
            n_boot: int = 1000, detail: bool = True) -> ThemesResults:
    """Every result of the themes section for the report's scope, computed once;
    ``detail=False`` computes only the counts another report cites (see :class:`ThemesResults`).
    """
    d = rep.data
    seg, cod, codes, people = d.segments, d.codings, d.codes, d.participants
    # The shared codebook holds every programme's themes: the matrices and the tree list only
    # those applied here, so a report never shows rows that are empty by construction.
    scoped = codes_in_scope(codes, cod)
    withheld = quotes_withheld(rep)
    quotes = framework = co = by_group = agreement = code_codes = None
    if detail:
        if withheld is None:
            quotes = qu.exemplar_quotes(seg, cod, codes, people, rep.redact_names,
                                        per_theme=per_theme, threshold=rep.threshold)
            framework = qu.framework_matrix(seg, cod, codes, people, rep.redact_names,
                                            exemplar_chars=exemplar_chars, max_rows=max_rows,
                                            threshold=rep.threshold)
        else:
            quotes = pd.DataFrame(columns=["theme", "quote", "attribution"])
            framework = pd.DataFrame()
        co = {}
        for unit in ("segment", "participant"):
            co[unit] = cooccurrence(seg, cod, scoped, unit=unit)
            co[f"{unit}_jaccard"] = cooccurrence(seg, cod, scoped, unit=unit, measure="jaccard")
        by_group = {by: prevalence(seg, cod, codes, people, by=by) for by in GROUPS}
        agreement = reliability.code_agreement(cod, codes, n_boot=n_boot)
        code_codes = cohort_theme_codes(rep, "code")
    return ThemesResults(
        threshold=rep.threshold, level=rep.level, segments=seg, codings=cod, codes=codes,
        codebook=code_tree(scoped),
        prevalence=prevalence(seg, cod, codes, people),
        code_prevalence=prevalence(seg, cod, codes, people, level="code"),
        by_group=by_group, theme_codes=cohort_theme_codes(rep), code_codes=code_codes,
        cohort_codes=dict(rep.cohort_codes), cooccurrence=co, agreement=agreement,
        saturation=saturation_curve(seg, cod, codes),
        quotes=quotes, framework=framework, quotes_withheld=withheld,
        per_theme=per_theme)
