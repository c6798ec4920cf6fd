"""Subtraction between a programme's network report and its cohort network reports.

The sample's Liverpool programme has two cohorts, 26 and 22 people, each reported on its own.
Here only 3 people of luhft_c02 answer the baseline network survey (the others' baseline
nominations are removed), so that cohort's count of respondents is below the threshold. The
programme's and both cohorts' 50_networks pages are built with the project's notebook and laid
out as ``leadeval run`` publishes them (reports/<programme>/all/ and reports/<programme>/<cohort>/);
the audit's cross-report check must find no count recoverable as the programme's figure minus
the other cohort's. A pair of pages built to leak that way must be caught.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers.data import load_dataset
from helpers.report.audit import audit_folder, count_cells, cross_report_findings
from helpers.report.display import table_html
from small_cohorts import SAMPLE, render_reports

PROGRAMME, SMALL, OTHER = "luhft_lbs", "luhft_c02", "luhft_c01"
RESPONDENTS = 3
NOTEBOOK = "50_networks"


def make_few_respondents(dest):
    """A copy of the sample in which only RESPONDENTS people of SMALL name a colleague at
    baseline."""
    shutil.copytree(SAMPLE, dest)
    people = pd.read_csv(dest / "participants.csv", dtype=str, keep_default_na=False)
    ties = pd.read_csv(dest / "ties.csv", dtype=str, keep_default_na=False)
    small = set(people.loc[people["cohort_id"] == SMALL, "participant_id"])
    senders = sorted(set(ties.loc[(ties["wave"] == "baseline") & ties["from_id"].isin(small),
                                  "from_id"]))
    drop = (ties["wave"] == "baseline") & ties["from_id"].isin(set(senders[RESPONDENTS:]))
    ties[~drop].to_csv(dest / "ties.csv", index=False)
    return dest


@pytest.fixture(scope="module")
def few_and_reports(repo_root, tmp_path_factory):
    """The dataset, and the programme's and both cohorts' network reports built from it."""
    few = make_few_respondents(tmp_path_factory.mktemp("few") / "data")
    return few, render_reports(tmp_path_factory.mktemp("reports"), repo_root / "notebooks",
                               few, PROGRAMME, [NOTEBOOK], ("all", OTHER, SMALL))


@pytest.fixture(scope="module")
def network_reports(few_and_reports):
    return few_and_reports[1]


def _respondents(page) -> dict[str, str]:
    """The wave table's "Named a colleague" cells of a page, by wave."""
    return {row: text for (caption, row, column), text in count_cells(page.read_text()).items()
            if caption.startswith("The network at each wave") and column == "Named a colleague"}


def test_the_small_cohort_has_fewer_than_five_baseline_respondents(network_reports):
    small = _respondents(network_reports / PROGRAMME / SMALL / f"{NOTEBOOK}.html")
    assert small["Baseline"] == "<5"


def test_the_audit_compares_the_wave_tables_of_the_programme_and_its_cohorts(network_reports):
    # the caption names the scope; without it the three pages' wave tables are one table
    pages = [network_reports / PROGRAMME / c / f"{NOTEBOOK}.html" for c in ("all", OTHER, SMALL)]
    keys = [set(k for k in count_cells(p.read_text()) if k[0].startswith("The network"))
            for p in pages]
    assert keys[0] and keys[0] == keys[1] == keys[2]


def test_no_count_of_the_small_cohort_is_recoverable_from_the_programme_network_report(
        few_and_reports):
    few, network_reports = few_and_reports
    findings = audit_folder(network_reports, load_dataset(few))
    assert set(findings) == {f"{PROGRAMME}/{c}/{NOTEBOOK}.html" for c in ("all", OTHER, SMALL)}
    assert {k: [str(f) for f in v] for k, v in findings.items() if v} == {}


# --------------------------------------------------------------------------- built to fail

def _wave_page(cohort, respondents):
    scope = "Liverpool (all cohorts)" if cohort is None else f"Liverpool, cohort {cohort}"
    t = pd.DataFrame({"Wave": ["Baseline", "Post"], "Participants": ["48", "48"],
                      "Named a colleague": respondents})
    return f"<html><body>{table_html(t, f'The network at each wave: {scope}')}</body></html>"


def test_a_programme_network_report_minus_a_cohort_report_giving_a_small_count_fails():
    # 23 respondents in the programme, 20 in luhft_c01: luhft_c02's hidden "<5" is 3
    pages = {f"{PROGRAMME}/all/{NOTEBOOK}.html": _wave_page(None, ["23", "44"]),
             f"{PROGRAMME}/{OTHER}/{NOTEBOOK}.html": _wave_page(OTHER, ["20", "24"]),
             f"{PROGRAMME}/{SMALL}/{NOTEBOOK}.html": _wave_page(SMALL, ["<5", "20"])}
    found = cross_report_findings(pages, {PROGRAMME: [OTHER, SMALL]}, 5)
    assert [f.kind for f in found] == ["cross_report_subtraction"]
    assert "row 'Baseline'" in found[0].detail and "'Named a colleague'" in found[0].detail
    assert f"recovers {SMALL}'s hidden '<5' as 3" in found[0].detail


def test_a_programme_network_report_against_a_cohort_without_a_page_fails():
    # the small cohort has no page: 23 minus luhft_c01's 20 leaves it 3
    pages = {f"{PROGRAMME}/all/{NOTEBOOK}.html": _wave_page(None, ["23", "44"]),
             f"{PROGRAMME}/{OTHER}/{NOTEBOOK}.html": _wave_page(OTHER, ["20", "24"])}
    found = cross_report_findings(pages, {PROGRAMME: [OTHER, SMALL]}, 5)
    assert [f.kind for f in found] == ["cross_report_subtraction"]
    assert f"leaves 3 for {SMALL}" in found[0].detail


def test_a_programme_network_report_that_hides_the_complement_passes():
    pages = {f"{PROGRAMME}/all/{NOTEBOOK}.html": _wave_page(None, ["23", "44"]),
             f"{PROGRAMME}/{OTHER}/{NOTEBOOK}.html": _wave_page(OTHER, ["[c]", "24"]),
             f"{PROGRAMME}/{SMALL}/{NOTEBOOK}.html": _wave_page(SMALL, ["<5", "20"])}
    assert cross_report_findings(pages, {PROGRAMME: [OTHER, SMALL]}, 5) == []
