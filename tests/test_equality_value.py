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


def test_barts_representation_against_the_workforce_baseline(barts):
    """dataset.yaml gives Barts' workforce (White 46%, Black 12%, ...): 108 of 220 participants
    are White, a share of 0.4909 and a ratio of 0.4909 / 0.46 = 1.067, with the Wilson interval
    worked here from its formula."""
    r = barts.representation
    white = r[(r["population"] == "participants") & (r["group"] == "White")].iloc[0]
    n, total, z = 108, 220, 1.959964
    p = n / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * (p * (1 - p) / total + z * z / (4 * total * total)) ** 0.5 / (1 + z * z / total)
    assert white["n"] == n and white["share"] == pytest.approx(p)
    assert white["ratio"] == pytest.approx(1.0672, abs=5e-5)
    assert white["ratio_low"] == pytest.approx((centre - half) / 0.46, rel=1e-6)
    assert set(r["population"]) == {"participants", "applicants"}


def test_representation_hides_small_groups_and_names_only_shown_ones(barts):
    table = ev.representation_table(barts)
    r = barts.representation
    small = r["n"].between(1, barts.threshold - 1)
    assert small.any()
    assert (table.loc[small, "People"] == f"<{barts.threshold}").all()
    assert (table.loc[small, ["Share", "Ratio (95% CI)"]] == "–").all().all()
    said = " ".join(ev.representation_sentences(barts))
    # Black applicants: 68 of 415 (16.4%) against 12% of the workforce, ratio 1.37 (1.09 to 1.69)
    assert "Black staff were 16% of applicants (68 people) against 12% of the workforce" in said
    for group in r.loc[small, "group"]:
        assert f"{group} staff" not in said


def test_no_workforce_baseline_gives_no_representation(sample_dataset_path):
    leeds = ev.prepare(open_report(sample_dataset_path, "leeds_cihm"))
    assert leeds.representation.empty and ev.representation_sentences(leeds) == []


def test_a_cohort_report_leaves_representation_to_the_programme(sample_dataset_path):
    cohort = ev.prepare(open_report(sample_dataset_path, "barts_kf_scl", "barts_c01"))
    assert cohort.cohort_scope and cohort.representation.empty
