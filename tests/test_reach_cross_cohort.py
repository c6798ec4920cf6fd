"""A cohort report's breakdowns (organisation, profession, role) against the programme's: the
programme's count of a category minus the other cohort reports' counts must not give a hidden
cohort count back. Checked with the disclosure audit over the sample's Leeds programme, whose
Leeds Teaching Hospitals row was 84 in the programme report and 80 across nine cohort reports
beside leeds_c02's <5."""

from __future__ import annotations

import pytest

from helpers import reach
from helpers.data import load_dataset
from helpers.report.audit import count_cells, cross_report_findings, programme_cohorts
from helpers.report.context import open_report
from small_cohorts import as_page, displayed

PROGRAMME = "leeds_cihm"


def _page(dataset, cohort, by):
    with displayed() as parts:
        reach.show_participants(reach.prepare(open_report(dataset, PROGRAMME, cohort, theme=False)),
                                by)
    return as_page(parts)


@pytest.fixture(scope="module")
def pages(sample_dataset_path):
    cohorts = programme_cohorts(load_dataset(sample_dataset_path))[PROGRAMME]
    return {by: {f"{PROGRAMME}/{c or 'all'}/10_reach_and_reaction.html":
                 _page(sample_dataset_path, c, by) for c in [None, *cohorts]}
            for by in ("organisation", "profession", "role")}, cohorts


@pytest.mark.parametrize("by", ["organisation", "profession", "role"])
def test_no_cohort_count_of_a_breakdown_is_recoverable_from_the_programme_report(pages, by):
    got, cohorts = pages
    assert cross_report_findings(got[by], {PROGRAMME: cohorts}, 5) == []


def test_the_cohort_count_that_gave_the_small_one_away_is_now_a_complement(pages):
    got, _ = pages
    key = ("Participants by organisation", "Leeds Teaching Hospitals NHS Trust", "Participants")
    shown = {path.split("/")[1]: count_cells(page).get(key)
             for path, page in got["organisation"].items()}
    assert shown["all"] == "84" and shown["leeds_c02"] == "<5"
    assert shown["leeds_c07"] == "[c]"  # 6 before: 84 minus the others' 80 gave leeds_c02's 4
