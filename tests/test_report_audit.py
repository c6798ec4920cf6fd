"""The disclosure audit of a report set, and a dataset with cohorts of 1, 3 and 6 people.

The small-cohort dataset (tests/small_cohorts.py) keeps the sample's other programmes and cuts
Shrewsbury and Telford to cohorts of 6, 3 and 1. Its programme reports are built with the
project's notebooks and audited: no count below 5 may be read from a page, nor worked out by
subtraction within a page or between the programme's pages.
"""

import re

import pandas as pd
import pytest

from helpers.data import load_dataset
from helpers.report.audit import audit_folder, count_cells, cross_report_findings
from helpers.report.context import NotApplicable, open_report
from helpers.report.display import table_html
from small_cohorts import SIZES, make_small_cohorts, render_notebook, render_reports

NOTEBOOKS = ["00_data_quality", "10_reach_and_reaction", "20_leadership_outcomes",
             "90_evaluation_report"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_small_cohorts(tmp_path_factory.mktemp("small") / "data")


@pytest.fixture(scope="module")
def small_reports(small, repo_root, tmp_path_factory):
    """The sath programme's reports of the small-cohort dataset, laid out as `leadeval run` does."""
    return render_reports(tmp_path_factory.mktemp("reports"), repo_root / "notebooks", small,
                          "sath_academy", NOTEBOOKS)


def test_small_cohort_dataset_has_cohorts_of_one_three_and_six(small):
    d = load_dataset(small)
    sizes = d.participants[d.participants["cohort_id"].isin(SIZES)].groupby("cohort_id").size()
    assert sizes.to_dict() == SIZES


@pytest.mark.parametrize("cohort, why", [("sath_c03", "fewer than 5 participants"),
                                         ("sath_c02", "fewer than 5 participants"),
                                         ("sath_c01", "would let that one's be worked out")])
def test_no_cohort_of_a_programme_with_a_small_cohort_is_reported_on_its_own(small, cohort, why):
    with pytest.raises(NotApplicable, match=why):
        open_report(small, "sath_academy", cohort, theme=False)


def test_cohorts_of_other_programmes_are_still_reported(small):
    assert open_report(small, "barts_kf_scl", "barts_c04", theme=False).cohort_id == "barts_c04"


def test_programme_reports_of_small_cohorts_pass_the_audit(small, small_reports):
    findings = audit_folder(small_reports, load_dataset(small))
    assert set(findings) == {f"sath_academy/all/{n}.html" for n in NOTEBOOKS}
    assert {k: [str(f) for f in v] for k, v in findings.items() if v} == {}


def test_programme_reports_show_the_cohorts_with_their_markers(small_reports):
    page = (small_reports / "sath_academy/all/10_reach_and_reaction.html").read_text()
    cells = count_cells(page)
    sizes = {row.split(" | ")[0]: text for (caption, row, col), text in cells.items()
             if caption == "Cohorts and participants"}
    assert sizes == {"sath_c01": "[c]", "sath_c02": "<5", "sath_c03": "<5"}
    assert "complementary suppression" in page


def test_no_sentence_or_alt_text_gives_a_small_count_of_the_small_cohorts(small_reports):
    for page in small_reports.rglob("*.html"):
        text = re.sub(r"<[^>]+>", " ", page.read_text())
        for n in (1, 3, 6):  # the cohort sizes never appear as counts of people
            assert not re.search(rf"(?<![\d.,<]){n} (?:participants|people|delegates)\b", text), \
                (page.name, n)


def test_pipeline_chart_of_a_small_group_is_withheld_with_a_reason(small, repo_root):
    page = render_notebook(repo_root / "notebooks" / "20_leadership_outcomes.ipynb", small,
                           "sath_academy")
    tail = page[page.index("New or more senior leadership roles"):]
    assert "The curve is not shown" in tail and "Step chart" not in tail


# --------------------------------------------------------------------------- built to fail

def _page(caption, rows, head=("Group", "Participants")):
    t = pd.DataFrame(rows, columns=list(head))
    return f"<html><body>{table_html(t, caption)}</body></html>"


def test_a_page_for_a_withheld_cohort_fails_the_audit(small, tmp_path):
    page = tmp_path / "sath_academy" / "sath_c02" / "10_reach_and_reaction.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><p>A cohort report.</p></body></html>")
    findings = audit_folder(tmp_path, load_dataset(small))
    assert [f.kind for f in findings["sath_academy/sath_c02/10_reach_and_reaction.html"]] == [
        "hidden_cohort_report"]


def test_programme_total_minus_the_cohort_reports_fails_the_audit():
    # A programme page shows 23 from organisation A; its two published cohorts show 12 and 8,
    # so the third cohort (no page) has 3 from A.
    pages = {"p/all/r.html": _page("By organisation", [["A", "23"], ["B", "40"]]),
             "p/c1/r.html": _page("By organisation", [["A", "12"], ["B", "20"]]),
             "p/c2/r.html": _page("By organisation", [["A", "8"], ["B", "15"]])}
    found = cross_report_findings(pages, {"p": ["c1", "c2", "c3"]}, 5)
    assert [f.kind for f in found] == ["cross_report_subtraction"]
    assert "leaves 3 for c3" in found[0].detail and "'A'" in found[0].detail


def test_a_programme_cell_hidden_but_added_up_by_the_cohort_reports_fails_the_audit():
    pages = {"p/all/r.html": _page("By organisation", [["A", "<5"], ["B", "[c]"], ["C", "30"]]),
             "p/c1/r.html": _page("By organisation", [["A", "<5"], ["B", "9"], ["C", "15"]]),
             "p/c2/r.html": _page("By organisation", [["A", "<5"], ["B", "8"], ["C", "15"]])}
    found = cross_report_findings(pages, {"p": ["c1", "c2"]}, 5)
    assert [(f.kind, "show it as 17" in f.detail) for f in found] == [
        ("cross_report_subtraction", True)]


def test_consistent_programme_and_cohort_pages_pass_the_audit():
    pages = {"p/all/r.html": _page("By organisation", [["A", "27"], ["B", "[c]"], ["C", "<5"]]),
             "p/c1/r.html": _page("By organisation", [["A", "12"], ["B", "[c]"], ["C", "<5"]]),
             "p/c2/r.html": _page("By organisation", [["A", "15"], ["B", "20"], ["C", "0"]])}
    assert cross_report_findings(pages, {"p": ["c1", "c2"]}, 5) == []


def test_a_category_missing_from_a_cohorts_breakdown_counts_as_none_there():
    # The programme hides trust B as a complement; cohort c1 shows all 17 from B and cohort
    # c2 has nobody from B (no row), so the programme's [c] is 17 and its <5 follows from it.
    pages = {"p/all/r.html": _page("Participants by trust", [["A", "30"], ["B", "[c]"], ["C", "<5"]]),
             "p/c1/r.html": _page("Participants by trust", [["A", "12"], ["B", "17"], ["C", "<5"]]),
             "p/c2/r.html": _page("Participants by trust", [["A", "18"], ["C", "<5"]])}
    found = cross_report_findings(pages, {"p": ["c1", "c2"]}, 5)
    assert [(f.kind, "show it as 17" in f.detail) for f in found] == [
        ("cross_report_subtraction", True)]


def test_rows_are_told_apart_by_every_label_before_the_counts():
    cells = count_cells(_page("Scores", [["Vision", "start", "20"], ["Vision", "end", "18"]],
                              head=("Scale", "Survey", "People")))
    assert cells == {("Scores", "Vision | start", "People"): "20",
                     ("Scores", "Vision | end", "People"): "18"}


def test_a_breakdown_hiding_one_cell_against_a_breakdown_shown_in_full_fails_the_audit():
    # Profession is shown in full (20 people); the cohorts table hides only one cohort.
    from helpers.report.audit import page_findings

    page = (_page("Participants by profession", [["medical", "12"], ["nursing", "8"]])
            + _page("Cohorts and participants", [["c1", "17"], ["c2", "<5"]]))
    found = page_findings(page, [], 5, "p/all/r.html")
    assert [f.kind for f in found] == ["secondary_disclosure"] and "as 3" in found[0].detail
    safe = (_page("Participants by profession", [["medical", "12"], ["nursing", "8"]])
            + _page("Cohorts and participants", [["c1", "[c]"], ["c2", "<5"]]))
    assert page_findings(safe, [], 5, "p/all/r.html") == []
