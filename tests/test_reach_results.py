"""ReachResults and QualityResults: prepare() on the sample data holds the documented frames with
real values, and the displays read them without recomputing."""

import pandas as pd
import pytest

from helpers import quality, reach
from helpers.report import open_report


@pytest.fixture(scope="module")
def sath(sample_dataset_path):
    return open_report(sample_dataset_path, "sath_academy")


@pytest.fixture(scope="module")
def sath_reach(sath):
    return reach.prepare(sath)


def test_reach_results_have_every_documented_column(sath_reach):
    assert sath_reach.missing_columns() == {}
    for name in sath_reach.COLUMNS:
        assert isinstance(getattr(sath_reach, name), pd.DataFrame)


def test_reach_results_hold_the_scope_counts(sath, sath_reach):
    participants = sath.data.participants
    assert sath_reach.n == len(participants)
    assert sath_reach.cohorts.set_index("cohort_id")["n"].to_dict() == \
        participants.groupby("cohort_id").size().to_dict()
    all_row = sath_reach.completion.set_index("cohort_id").loc["All"]
    assert all_row["n"] == len(participants)
    assert all_row["n_completed"] == int(sath_reach.attendance["completed"].sum())


def test_reaction_frame_matches_the_answers(sath, sath_reach):
    r = sath.data.responses
    answers = r[(r["instrument_id"] == "reaction") & r["value"].notna()]
    by_item = sath_reach.reaction.set_index("item_id")
    for item, group in answers.groupby("item_id"):
        assert by_item.loc[item, "n"] == len(group)
        assert by_item.loc[item, "estimate"] == pytest.approx(group["value"].astype(float).mean())
    long = sath_reach.reaction_levels
    assert long.groupby("item_id")["answers"].sum().to_dict() == by_item["n"].to_dict()


def test_repr_shows_no_participant_identifier(sath, sath_reach):
    html = sath_reach._repr_html_()
    assert not any(pid in html for pid in sath.data.participants["participant_id"])
    assert "ReachResults" in html


def test_quality_results_have_every_documented_column(sath):
    res = quality.prepare(sath)
    assert res.missing_columns() == {}
    rows = res.tables.set_index("table")["rows"]
    assert rows["participants"] == len(sath.data.participants)
    assert res.problems.empty
    rates = res.response_rates
    assert (rates["eligible"] == len(sath.data.participants)).all()
    assert ((rates["rate"] > 0) & (rates["rate"] <= 1)).all()


def test_reaction_interval_stays_within_the_scale():
    items = pd.DataFrame({"instrument_id": ["r"], "item_id": ["q1"], "scale": ["s"],
                          "text": ["Q"], "min": [1], "max": [5]})
    responses = pd.DataFrame({"instrument_id": "r", "item_id": "q1",
                              "value": [5, 5, 5, 5, 5, 4, 5, 3]})
    row = reach.reaction_summary(responses, items, "r").iloc[0]
    assert row["ci_clipped"]
    assert row["ci_high"] == 5.0
    assert 1 <= row["ci_low"] < row["estimate"] < 5
    plain = reach.reaction_summary(responses.assign(value=[3, 4, 2, 3, 4, 3, 2, 3]), items, "r")
    assert not plain["ci_clipped"].iloc[0]


def test_answers_are_hidden_when_the_non_respondents_could_be_worked_out(sample_dataset_path):
    rep = open_report(sample_dataset_path, "lcft_cetad")
    res = reach.prepare(rep)
    shown, _ = reach.reaction_display(res, res.instruments[0])
    gap = res.n - shown["n"]
    expected = (shown["n"] >= res.threshold) & (gap > 0) & (gap < res.threshold)
    assert expected.any()  # 8 answers from the 11 participants: 3 did not answer
    assert shown["n_hidden"].tolist() == expected.tolist()
    text = " ".join(reach.reaction_sentences(shown, res.threshold))
    assert f"from {shown['n'].iloc[0]} answers" not in text
