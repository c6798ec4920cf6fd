"""The outcomes and pipeline results objects hold their documented frames."""

from pathlib import Path

import pandas as pd
import pytest

from helpers import careers
from helpers.outcomes import report as outcomes
from helpers.report import open_report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def rep():
    return open_report(SAMPLE, "lcft_cetad")


def test_outcomes_results_have_every_documented_column(rep):
    res = outcomes.prepare(rep, models=False)
    assert res.missing_columns() == {}
    assert isinstance(res.change, pd.DataFrame) and len(res.change)
    assert res.mixed is None                      # models=False leaves the models out
    assert outcomes.change_frame(res) is res.change


def test_outcomes_results_show_no_participant_when_typed_in_a_cell(rep):
    res = outcomes.prepare(rep, models=False)
    page = res._repr_html_()
    assert not any(pid in page for pid in res.scores["participant_id"].astype(str).unique())


def test_the_old_name_still_builds_the_results():
    assert outcomes.Outcomes is outcomes.OutcomesResults


def test_pipeline_results_have_their_horizon_table(rep):
    res = careers.prepare(rep, (12, 24))
    assert res.missing_columns() == {}
    assert list(res.at["months"]) == [12, 24]
    assert res.threshold == rep.threshold


def test_a_subgroup_table_of_one_profession_compares_nothing(rep):
    res = outcomes.prepare(rep, models=False)
    sg = outcomes.subgroup_frame(res, "profession")
    assert sg["profession"].nunique() == 1            # LCFT: doctors only
    assert not outcomes.subgroups_compared(sg, "profession", rep.threshold)
    assert not any("Change by profession" in s for s in outcomes.multiplicity_sentences(res))
