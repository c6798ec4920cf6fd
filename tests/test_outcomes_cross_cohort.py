"""A cohort report's attrition tables against the programme's: the programme's starters or
leavers in a group minus the other cohort reports' counts must not give a hidden cohort count
back. Checked with the disclosure audit over the sample's Leeds programme, whose Leeds Teaching
Hospitals row showed 76 starters in the programme report and all but leeds_c02's <5 across the
cohort reports."""

from __future__ import annotations

import pytest

from helpers.data import load_dataset
from helpers.outcomes import attrition
from helpers.outcomes import report as outcomes
from helpers.report.audit import count_cells, cross_report_findings, programme_cohorts
from helpers.report.context import open_report
from small_cohorts import as_page, displayed

PROGRAMME = "leeds_cihm"


def _page(dataset, cohort):
    with displayed() as parts:
        outcomes.show_attrition(outcomes.prepare(open_report(dataset, PROGRAMME, cohort,
                                                             theme=False), models=False))
    return as_page(parts)


@pytest.fixture(scope="module")
def pages(sample_dataset_path):
    cohorts = programme_cohorts(load_dataset(sample_dataset_path))[PROGRAMME]
    return {f"{PROGRAMME}/{c or 'all'}/20_leadership_outcomes.html": _page(sample_dataset_path, c)
            for c in [None, *cohorts]}, cohorts


def test_no_cohort_count_of_an_attrition_table_is_recoverable_from_the_programme_report(pages):
    got, cohorts = pages
    assert cross_report_findings(got, {PROGRAMME: cohorts}, 5) == []


def test_the_leeds_teaching_hospitals_starters_of_the_small_cohort_stay_hidden(pages):
    got, _ = pages
    key = ("Attrition by organisation", "Leeds Teaching Hospitals NHS Trust",
           "Answered at the start")
    shown = {path.split("/")[1]: count_cells(page).get(key) for path, page in got.items()}
    assert shown["all"] == "76" and shown["leeds_c02"] == "<5"
    assert "[c]" in shown.values()  # some other cohort's count is hidden beside it


def test_attrition_by_cohort_gives_each_cohorts_own_counts(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    prog = ds.subset(programme_id=PROGRAMME)
    per = attrition.attrition_by_cohort(prog.responses, prog.participants, "organisation")
    for cohort in per["cohort_id"].unique()[:3]:
        own = ds.subset(PROGRAMME, cohort)
        mine = attrition.attrition_by(own.responses, own.participants, "organisation")
        mine = mine[mine["organisation"] != "All"].set_index("organisation")
        theirs = per[per["cohort_id"] == cohort].set_index("organisation")
        assert theirs["n_baseline"].to_dict() == mine["n_baseline"].to_dict()
        assert theirs["n_no_later"].to_dict() == mine["n_no_later"].to_dict()
