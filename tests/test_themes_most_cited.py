"""Which theme the reports may call "most cited": none when the top count is tied, small, or
hidden in a cohort report (so the evaluation report's sentence never names a withheld count)."""

from __future__ import annotations

import pandas as pd

from helpers import evaluation
from helpers import themes as th


def prevalence(counts: list[int], base: int = 30) -> pd.DataFrame:
    labels = [f"Theme {i}" for i in range(len(counts))]
    return pd.DataFrame({"code_id": labels, "label": labels, "participants": counts,
                         "n_participants": base, "sources": counts,
                         "segments": [2 * c for c in counts]})


def test_the_single_largest_count_is_named():
    assert th.most_cited(prevalence([12, 9, 6]), 5) == "Theme 0"


def test_a_tie_at_the_top_names_no_theme_even_when_segments_differ():
    prev = prevalence([9, 9, 6]).assign(segments=[30, 10, 6])
    assert th.most_cited(prev, 5) is None
    assert evaluation.theme_sentence(prev, 5) is None


def test_a_top_count_below_the_threshold_names_no_theme():
    assert th.most_cited(prevalence([4, 3]), 5) is None


def test_a_top_count_hidden_across_cohort_reports_names_no_theme():
    prev = prevalence([12, 9, 6])
    hidden = {"Theme 0": "[c]"}
    assert th.most_cited(prev, 5, hidden) is None
    assert evaluation.theme_sentence(prev, 5, hidden) is None


def test_a_hidden_count_of_another_theme_leaves_the_top_theme_named():
    sentence = evaluation.theme_sentence(prevalence([12, 9, 6]), 5, {"Theme 1": "<5"})
    assert sentence is not None and "theme 0" in sentence and "12 of the 30" in sentence


def test_without_a_threshold_only_ties_stop_the_name():
    assert th.most_cited(prevalence([2, 1])) == "Theme 0"
    assert th.most_cited(prevalence([2, 2])) is None
