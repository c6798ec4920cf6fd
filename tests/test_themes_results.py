"""The themes section's results object (themes.prepare) on the sample and on a dataset with
cohorts of 1, 3 and 6 people: documented columns, a codebook limited to the report's scope,
and quotes attributed only by descriptors enough people in scope share."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from small_cohorts import SIZES, displayed, make_small_cohorts

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


def _pooling_fixture(lcft) -> themes.ThemesResults:
    """Five organisations: A (8 participants with coded material) and B (7) are shown, C, D
    and E (2, 1 and 2) are pooled into one group of 5."""
    rows = []
    sizes = {"A": 8, "B": 7, "C": 2, "D": 1, "E": 2}
    raised = {"t1": {"A": 6, "B": 5, "C": 2, "D": 1, "E": 2},
              "t2": {"A": 5, "B": 6, "C": 2, "D": 0, "E": 3}}
    for code, by_org in raised.items():
        for org, n in by_org.items():
            if n:
                rows.append({"organisation": org, "code_id": code, "label": f"Theme {code}",
                             "segments": n, "sources": n, "participants": n,
                             "n_segments": sizes[org], "n_sources": sizes[org],
                             "n_participants": sizes[org],
                             "share_participants": n / sizes[org]})
    prev = pd.DataFrame(rows)
    return dataclasses.replace(lcft, by_group={**lcft.by_group, "organisation": prev},
                               cohort_codes={})


def _shown(res, by) -> str:
    with displayed() as parts:
        themes.show_prevalence_by(res, by)
    return "".join(parts)


def _table(page: str) -> list[list[str]]:
    """The cells of the page's one table, row by row (header first), as text."""
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]


def test_pool_small_groups_sums_the_small_ones_into_one(lcft):
    prev = _pooling_fixture(lcft).by_group["organisation"]
    out = themes.pool_small_groups(prev, "organisation", 5, "Other organisations")
    assert out.attrs["pooled"] == ["C", "D", "E"]
    other = out[out["organisation"] == "Other organisations"].set_index("code_id")
    assert other["participants"].to_dict() == {"t1": 5, "t2": 5}
    assert set(other["n_participants"]) == {5}
    assert other["share_participants"].tolist() == [1.0, 1.0]
    assert list(out["organisation"].unique()) == ["A", "B", "Other organisations"]
    # one small group alone is not renamed
    alone = themes.pool_small_groups(prev[prev["organisation"].isin(["A", "D"])],
                                     "organisation", 5, "Other")
    assert set(alone["organisation"]) == {"A", "D"} and alone.attrs["pooled"] == []


def test_small_organisations_are_shown_pooled_with_every_count_marked(lcft):
    page = _shown(_pooling_fixture(lcft), "organisation")
    cells = _table(page)
    # three groups against two themes: the groups run down the page
    assert cells[0] == ["Organisation", "Theme t1", "Theme t2"]
    assert cells[1:] == [["A", "6", "5"], ["B", "5", "6"], ["Other organisations", "5", "5"]]
    assert page.count('class="num count"') == 6
    assert "the 3 organisations with fewer than 5 participants" in page


def test_no_table_by_a_grouping_that_would_show_no_count():
    leeds = themes.prepare(open_report(SAMPLE, "leeds_cihm"), n_boot=50)
    assert leeds.by_group["organisation"]["organisation"].nunique() == 38
    page = _shown(leeds, "organisation")
    assert "<table" not in page
    assert "Every count by organisation is below 5 or would reveal one that is" in page
    sath = themes.prepare(open_report(SAMPLE, "sath_academy"), n_boot=50)
    assert (sath.by_group["profession"].drop_duplicates("profession")["n_participants"] < 5).all()
    page = _shown(sath, "profession")
    assert "<table" not in page
    assert "No profession has 5 or more participants with coded material" in page


def test_every_count_by_group_is_marked_for_the_audit():
    barts = themes.prepare(open_report(SAMPLE, "barts_kf_scl"), n_boot=50)
    page = _shown(barts, "organisation")
    cells = _table(page)
    assert len(cells) > 2
    assert page.count('class="num count"') == sum(len(r) - 1 for r in cells[1:])


def test_the_chart_names_no_most_cited_theme_when_the_top_counts_tie(lcft):
    prev = lcft.prevalence.copy()
    top = prev["participants"].max()
    prev["participants"] = top
    with displayed() as parts:
        themes.show_prevalence_chart(dataclasses.replace(lcft, prevalence=prev))
    page = "".join(parts)
    assert "no one theme can be named as the most cited" in page
    assert "most cited:" not in page and "None" not in page


def test_agreement_that_cannot_be_estimated_says_so_instead_of_printing_nan(lcft):
    agreement = lcft.agreement.copy()
    agreement.loc[agreement.index[-1], ["estimate", "ci_low", "ci_high"]] = float("nan")
    agreement.loc[agreement.index[-1], "rating"] = "not estimable"
    with displayed() as parts:
        themes.show_agreement(dataclasses.replace(lcft, agreement=agreement))
    page = "".join(parts)
    assert "Agreement cannot be estimated overall" in page
    assert "alpha nan" not in page.lower()


def test_cooccurrence_covers_only_the_themes_applied_in_scope(lcft):
    themes_here = lcft.codebook.loc[lcft.codebook["depth"] == 0, "label"].tolist()
    shared = (lcft.codes["parent_id"].fillna("") == "").sum()
    assert len(themes_here) < shared  # other programmes' themes are in the shared codebook
    for key, matrix in lcft.cooccurrence.items():
        assert matrix.index.tolist() == themes_here == matrix.columns.tolist(), key
    assert (pd.Series(lcft.cooccurrence["segment"].to_numpy().diagonal()) > 0).all()
