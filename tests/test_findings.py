"""The findings rules: headline of change, caveats, level 3 on colleagues' ratings, counts."""

import pandas as pd
import pytest

from helpers import findings


def _cf(estimates, p_holm, n=40, a="baseline", b="post"):
    return pd.DataFrame({"from_wave": a, "to_wave": b, "n": n, "estimate": estimates,
                         "p_holm": p_holm})


def test_headline_states_median_range_and_holm_count_not_the_largest_change():
    text = findings.change_headline(_cf([0.1, 0.2, 0.3, 0.26, 0.48], [0.3, 0.01, 0.01, 0.02,
                                                                       0.001]), 5)
    assert "rose on 5 of 5 scales" in text
    assert "4 of 5 scales after Holm adjustment" in text
    assert "typical (median) change was +0.26 points" in text
    assert "range +0.10 to +0.48" in text
    assert "largest" not in text


def test_headline_claims_no_more_than_an_uncontrolled_before_after_design():
    text = findings.change_headline(_cf([0.2, 0.3], [0.01, 0.01]), 5)
    assert text.startswith("Self-rated scores rose")
    assert "programme improved" not in text and "because of" not in text


@pytest.mark.parametrize("estimates, p, expect", [
    ([0.2], [0.01], "on the 1 scale"),                       # single
    ([0.2, 0.3], [0.5, 0.5], "none of 2 scales after Holm"),  # none adjusted
    ([0.2, 0.3], [0.01, 0.5], "1 of 2 scales after Holm"),    # plural
])
def test_headline_reads_right_for_one_none_and_several_scales(estimates, p, expect):
    assert expect in findings.change_headline(_cf(estimates, p), 5)


def test_headline_says_fell_when_most_scales_fell():
    assert "fell on 2 of 3 scales" in findings.change_headline(_cf([-0.2, -0.1, 0.1],
                                                                   [0.5] * 3), 5)


def test_headline_is_left_out_when_every_scale_is_about_too_few_people():
    assert findings.change_headline(_cf([0.2, 0.3], [0.01, 0.01], n=4), 5) is None


def test_headline_leaves_out_scales_about_too_few_people_from_the_count():
    cf = pd.concat([_cf([0.2], [0.01]), _cf([0.9], [0.01], n=3)])
    assert "on the 1 scale" in findings.change_headline(cf, 5)


def test_decay_caveat_travels_with_follow_up_response_and_its_n():
    cf = _cf([-0.1, -0.2, 0.1], [0.5] * 3, n=100, a="post", b="follow_up")
    text = findings.decay_caveat(cf, 5, 108, 220)
    assert "2 of 3 scales fell" in text and "49% (108 of 220)" in text


def test_decay_caveat_for_one_scale_and_for_none_fallen():
    cf = _cf([-0.1], [0.5], n=100, a="post", b="follow_up")
    assert "the 1 scale fell" in findings.decay_caveat(cf, 5)
    assert findings.decay_caveat(cf.assign(estimate=0.1), 5) is None


def test_reliability_caveat_counts_scales_below_point_seven_in_number():
    rel = pd.DataFrame({"scale": ["a", "b", "c"], "n": 50, "estimate": [0.6, 0.5, 0.9]})
    assert "on 2 of 3 scales" in findings.reliability_caveat(rel, 5)
    assert "on them" in findings.reliability_caveat(rel, 5)
    assert "on it" in findings.reliability_caveat(rel.iloc[:1], 5)
    assert findings.reliability_caveat(rel.assign(estimate=0.8), 5) is None


def test_behaviour_is_judged_on_colleagues_ratings():
    text = findings.behaviour_headline(_cf([0.1, 0.2], [0.01, 0.3]), 5)
    assert text.startswith("Colleagues' 360 ratings of participants rose")
    assert "rated by colleagues at both surveys" in text
    assert findings.behaviour_headline(_cf([], []), 5) is None


def test_percentages_carry_their_n_and_hide_small_counts_and_their_complements():
    assert findings.pct_of(108, 220) == "49% (108 of 220)"
    assert findings.pct_of(0, 220) == "0% (0 of 220)"
    assert "fewer than 5" in findings.pct_of(2, 220)
    assert "all but fewer than 5" in findings.pct_of(217, 220)
    assert "218" not in findings.pct_of(218, 220) and "2 " not in findings.pct_of(218, 220)


def test_differences_of_percentages_are_percentage_points():
    assert findings.points_pp(0.12) == "12 percentage points"
    assert findings.points_pp(-0.01) == "1 percentage point"
    assert findings.points_pp(0.0) == "0 percentage points"


def test_a_comparison_needs_two_groups_large_enough_to_show():
    assert not findings.meaningful([220], 5)          # one group: nothing to compare
    assert not findings.meaningful([4, 3, 2], 5)      # every group suppressed
    assert not findings.meaningful([30, 4], 5)        # only one group shown
    assert findings.meaningful([30, 12], 5)


def test_plural_for_none_one_and_many():
    assert [findings.plural(n, "scale") for n in (0, 1, 2)] == ["no scales", "1 scale",
                                                               "2 scales"]
