"""Themes from coded qualitative data: the pure analysis (:mod:`helpers.themes.analysis`), the
section's results computed once (:func:`prepare` -> :class:`ThemesResults`) and their display
(:mod:`helpers.themes.display`, ``show_x(res)``). Exemplar quotes and the framework matrix are in
:mod:`helpers.quotes`.

Examples
--------
In a notebook: ``res = themes.prepare(rep)``, then ``res.prevalence``, ``res.code_prevalence``,
``res.quotes``; ``themes.show_prevalence(res)`` renders the suppressed table.
"""

from helpers.themes.analysis import (GROUPS, ancestry, code_tree, codebook_table, codes_in_scope,
                                     cooccurrence, incidence, most_cited, pool_small_groups,
                                     prevalence, primary_coder, rolled_codings, saturation_curve,
                                     select_codings)
from helpers.themes.results import ThemesResults, cohort_theme_codes, prepare, quotes_withheld
from helpers.themes.display import (GROUP_LABELS, POOLED_GROUPS, agreement_table,
                                    cooccurrence_figure, grouped_table, overview_sentences,
                                    prevalence_table, show_agreement, show_codebook,
                                    show_cooccurrence, show_framework, show_methods, show_overview,
                                    show_prevalence, show_prevalence_by, show_prevalence_chart,
                                    show_quotes, show_saturation, shows_a_count)

__all__ = ["GROUPS", "GROUP_LABELS", "POOLED_GROUPS", "ThemesResults", "agreement_table",
           "ancestry", "code_tree", "codebook_table", "codes_in_scope", "cohort_theme_codes",
           "cooccurrence", "cooccurrence_figure", "grouped_table", "incidence", "most_cited",
           "overview_sentences", "pool_small_groups", "prepare", "prevalence", "prevalence_table",
           "primary_coder", "quotes_withheld", "rolled_codings", "saturation_curve",
           "select_codings", "show_agreement", "show_codebook", "show_cooccurrence",
           "show_framework", "show_methods", "show_overview", "show_prevalence",
           "show_prevalence_by", "show_prevalence_chart", "show_quotes", "show_saturation",
           "shows_a_count"]
