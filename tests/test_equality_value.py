"""Notebook 60's section: equality, comparison group, value for money and funnel on the sample."""

import pandas as pd
import pytest

from helpers import equality_value as ev
from helpers.report import open_report



@pytest.fixture(scope="module")
def barts(sample_dataset_path):
    return ev.prepare(open_report(sample_dataset_path, "barts_kf_scl"))


def test_barts_selection_outcomes_and_comparison_group(barts):
    lk = barts.likelihoods
    assert set(lk["outcome"]) >= {"Selected from applicants", "Completed the programme"}
    # every group's rate is its events over its people; the reference row has likelihood 1
    assert (lk["rate"] - lk["events"] / lk["n"]).abs().max() < 1e-12
    ref = lk[lk["group"] == lk["reference"]]
    assert (ref["relative_likelihood"] == 1).all()
    assert set(barts.did["rater"]) == {"self", "manager"}
    assert set(barts.incidence["group"]) == {"Participants", "Applicants not admitted"}


def test_barts_cost_per_outcome_from_dataset_yaml(barts):
    # dataset.yaml: fixed 30,000 + 2,400 per place; 220 places -> 558,000
    assert barts.total_cost == 558000.0
    per = barts.costs.set_index("outcome")["cost_per"]
    assert per["participant"] == pytest.approx(558000 / 220)


def test_small_groups_are_withheld_in_the_likelihood_table(barts):
    table = ev.likelihood_table(barts)
    lk = barts.likelihoods.reset_index(drop=True)
    t = barts.threshold
    small = (lk["events"] < t) | (lk["n"] - lk["events"] < t) | (lk["n"] < t)
    assert small.any()
    assert (table.loc[small, "Rate"] == "–").all()
    assert (table.loc[small, "Relative likelihood (95% CI)"] == "–").all()
    assert (table.loc[lk["n"] < t, "People"] == f"<{t}").all()


def test_lcft_benefit_scenarios_and_ratio(sample_dataset_path):
    res = ev.prepare(open_report(sample_dataset_path, "lcft_cetad"))
    b = res.benefits.set_index("scenario")
    assert list(b.index) == ["low", "central", "high"]
    assert b.loc["central", "benefit"] == pytest.approx(b.loc["central", "units"] * 420)
    assert b.loc["central", "bcr"] == pytest.approx(b.loc["central", "benefit"] / res.total_cost)
    assert b.loc["low", "units"] <= b.loc["central", "units"] <= b.loc["high", "units"]


def test_cohort_scope_reports_no_programme_cost(sample_dataset_path):
    res = ev.prepare(open_report(sample_dataset_path, "barts_kf_scl", "barts_c01"))
    assert res.cohort_scope and res.total_cost is None and res.benefits.empty


def test_leeds_funnel_covers_its_organisations(sample_dataset_path):
    res = ev.prepare(open_report(sample_dataset_path, "leeds_cihm"))
    f = res.funnel
    assert len(f) > 10 and f["n"].sum() == res.people["completed"].notna().sum()
    assert set(f["signal"]) <= {"within", "above 95%", "above 99.8%", "below 95%", "below 99.8%"}
