"""The audit's percentage_disclosure finding: a percentage shown with its base that gives back a
count below the threshold, on pages built to fail it and pages that must pass."""

from __future__ import annotations

import pytest

from helpers.report import audit


def kinds(markup: str, threshold: int = 5) -> list[str]:
    return [f.kind for f in audit.page_findings(markup, [], threshold, "page.html")]


@pytest.mark.parametrize("sentence", ["About 20% of 10 delegates moved role.",
                                      "12.5% of the 8 respondents disagreed.",
                                      "Of the cohort, 30% of all 10 left early."])
def test_a_percentage_of_a_base_giving_a_small_count_fails_the_audit(sentence):
    assert "percentage_disclosure" in kinds(f"<p>{sentence}</p>")


@pytest.mark.parametrize("sentence", ["30% of the 40 delegates moved role.",
                                      "100% of 3 cohorts ran face to face.",
                                      "0% of the 12 were lost to follow-up.",
                                      "Response rate 45%, of 120 invited."])
def test_a_percentage_whose_count_is_zero_whole_or_large_passes(sentence):
    assert "percentage_disclosure" not in kinds(f"<p>{sentence}</p>")


def test_a_rounded_percentage_fails_only_when_every_count_it_allows_is_small():
    # 2% shown whole is 1.5% to 2.5% of 200, counts 3 to 4: every count it allows is small,
    # so it fails; 3% of 200 allows 5 to 6 and passes.
    assert "percentage_disclosure" in kinds("<p>2% of 200 said so.</p>")
    assert "percentage_disclosure" not in kinds("<p>3% of 200 said so.</p>")


def test_the_finding_names_the_text_and_the_count_it_gives_back():
    found = [f for f in audit.page_findings("<p>20% of 10 moved.</p>", [], 5, "page.html")
             if f.kind == "percentage_disclosure"]
    assert found and "20% of 10" in found[0].detail and "count of 2" in found[0].detail
    assert found[0].location.startswith("page.html:")


def test_percentage_disclosure_is_an_audit_kind():
    assert "percentage_disclosure" in audit.AUDIT_KINDS
