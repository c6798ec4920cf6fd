"""The outcomes and pipeline results objects hold their documented frames."""

from pathlib import Path

import pandas as pd
import pytest

from helpers import careers
from helpers.outcomes import report as outcomes
from helpers.outcomes.attrition import attrition_by, baseline_by_completion
from helpers.outcomes.likert import likert_distribution
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


def test_the_attrition_frame_gives_back_each_grouping_as_attrition_by_makes_it(rep):
    res = outcomes.prepare(rep, models=False)
    ids = [i["instrument_id"] for i in res.instruments]
    resp = rep.data.responses[rep.data.responses["instrument_id"].isin(ids)]
    assert set(res.attrition["by"]) == {"profession", "organisation", "cohort_id"}
    for by in ("profession", "organisation", "cohort_id"):
        pd.testing.assert_frame_equal(outcomes.attrition_table(res.attrition, by),
                                      attrition_by(resp, rep.data.participants, by))
    pd.testing.assert_frame_equal(res.completion, baseline_by_completion(res.scores, resp))


def test_the_item_distributions_are_those_the_likert_chart_was_drawn_from(rep):
    res = outcomes.prepare(rep, models=False)
    inst = res.instruments[0]["instrument_id"]
    dist = likert_distribution(rep.data.responses, rep.data.items, inst, wave="baseline")
    pd.testing.assert_frame_equal(res.distributions[(inst, "baseline")], dist)
    long = res.item_levels[(res.item_levels["instrument_id"] == inst)
                           & (res.item_levels["wave"] == "baseline")]
    levels = [c for c in dist.columns if c not in ("n", "text", "reverse_scored")]
    assert long["answers"].sum() == dist[levels].to_numpy().sum()
    assert len(long) == len(dist) * len(levels)
