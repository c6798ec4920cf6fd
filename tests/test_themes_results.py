"""The themes section's results object (themes.prepare) on the sample and on a dataset with
cohorts of 1, 3 and 6 people: documented columns, a codebook limited to the report's scope,
and quotes attributed only by descriptors enough people in scope share."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from small_cohorts import SIZES, make_small_cohorts

from helpers import quotes as qu
from helpers import themes
from helpers.attribution import smallest_match
from helpers.report import open_report
from helpers.report.context import NotApplicable

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def lcft():
    return themes.prepare(open_report(SAMPLE, "lcft_cetad"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_small_cohorts(tmp_path_factory.mktemp("small") / "ds")


def _programme(dataset: Path, cohort: str) -> str:
    cohorts = pd.read_csv(dataset / "cohorts.csv", dtype=str)
    return cohorts.set_index("cohort_id").loc[cohort, "programme_id"]


def test_prepare_returns_every_documented_column(lcft):
    assert isinstance(lcft, themes.ThemesResults)
    assert lcft.missing_columns() == {}
    assert set(lcft.by_group) == set(themes.GROUPS)
    assert {"segment", "participant", "segment_jaccard", "participant_jaccard"} == set(lcft.cooccurrence)


def test_the_codebook_lists_only_codes_applied_in_scope_and_their_themes(lcft):
    chains = themes.ancestry(lcft.codes)
    applied = set(lcft.codings["code_id"].astype(str))
    expected = {c for code in applied for c in chains[code]}
    assert set(lcft.codebook["code_id"]) == expected
    assert len(lcft.codebook) < len(lcft.codes)  # the shared codebook holds other programmes' codes


def test_the_results_html_shows_no_quote_or_count(lcft):
    page = lcft._repr_html_()
    assert not lcft.quotes.empty
    assert all(q not in page for q in lcft.quotes["quote"])


def test_prevalence_is_the_same_as_the_pure_function(lcft):
    rep = open_report(SAMPLE, "lcft_cetad")
    d = rep.data
    pd.testing.assert_frame_equal(lcft.prevalence,
                                  themes.prevalence(d.segments, d.codings, d.codes, d.participants))


def test_every_quote_in_the_programme_report_points_to_at_least_threshold_people(small):
    rep = open_report(small, _programme(small, "sath_c01"))
    res = themes.prepare(rep)
    assert res.quotes_withheld is None and not res.quotes.empty
    assert (smallest_match(res.quotes, rep.data.participants) >= rep.threshold).all()


@pytest.mark.parametrize("cohort", list(SIZES))
def test_quotes_chosen_within_a_small_cohort_point_to_at_least_threshold_people(small, cohort):
    # The cohort reports are not published (a programme with a small cohort reports none on
    # its own); the quote rule must still hold if the functions are used on such a scope.
    rep = open_report(small, _programme(small, cohort))
    d = rep.data
    people = d.participants[d.participants["cohort_id"] == cohort]
    segments = d.segments[d.segments["participant_id"].isin(people["participant_id"])]
    codings = d.codings[d.codings["segment_id"].isin(segments["segment_id"])]
    got = qu.exemplar_quotes(segments, codings, d.codes, people, threshold=rep.threshold)
    assert len(people) == SIZES[cohort]
    if len(people) < rep.threshold:  # nobody can be pointed to among fewer than k people
        assert got.empty
    else:
        assert (smallest_match(got, people) >= rep.threshold).all()


@pytest.mark.parametrize("cohort", list(SIZES))
def test_no_report_of_a_small_cohort_is_opened_for_quotes(small, cohort):
    with pytest.raises(NotApplicable):
        open_report(small, _programme(small, cohort), cohort)


def test_no_quote_is_attributed_by_speciality_or_a_case_label(small):
    programme = _programme(small, "sath_c01")
    rep = open_report(small, programme)
    res = themes.prepare(rep)
    assert not res.quotes.empty
    text = " ".join(res.quotes["attribution"]) + " " + " ".join(map(str, res.framework.index))
    assert "Case" not in text
    if "speciality" in rep.data.participants:
        specialities = set(rep.data.participants["speciality"].dropna().astype(str)) - {""}
        assert not any(s in text for s in specialities)


def test_the_counts_only_results_hold_the_same_counts_and_leave_the_detail_out():
    rep = open_report(SAMPLE, "barts_kf_scl", "barts_c01")
    full, counts = themes.prepare(rep, n_boot=50), themes.prepare(rep, detail=False)
    pd.testing.assert_frame_equal(counts.prevalence, full.prevalence)
    pd.testing.assert_frame_equal(counts.code_prevalence, full.code_prevalence)
    assert counts.theme_codes == full.theme_codes == themes.cohort_theme_codes(rep)
    assert all(getattr(counts, f) is None for f in ("by_group", "cooccurrence", "agreement",
                                                     "quotes", "framework", "code_codes"))
    assert counts.missing_columns() == {}
