"""Disclosure control and redaction (helpers.report.disclosure)."""

import pandas as pd
import pytest

from helpers.report.disclosure import (
    disclosure_mask,
    nhs_number_is_valid,
    redact,
    suppress_count,
    suppress_table,
)


@pytest.mark.parametrize("n, shown", [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1118, "1,118")])
def test_suppress_count_threshold_five(n, shown):
    assert suppress_count(n, 5) == shown


def test_suppress_count_other_threshold():
    assert suppress_count(9, 10) == "<10"
    assert suppress_count(10, 10) == "10"


def test_primary_and_secondary_suppression_long_table():
    # One small cell (3) beside a visible total could be recovered as total - others, so the
    # next smallest cell (10) must be hidden too (ONS 2019 secondary suppression).
    counts = pd.DataFrame({"n": [3, 10, 12, 40]})
    mask = disclosure_mask(counts, 5)
    assert mask["n"].tolist() == [True, True, False, False]


def test_no_secondary_suppression_when_two_cells_already_hidden():
    counts = pd.DataFrame({"n": [3, 2, 12, 40]})
    assert disclosure_mask(counts, 5)["n"].tolist() == [True, True, False, False]


def test_secondary_suppression_across_rows_and_columns():
    # A 2 x 3 crosstab with row and column totals published: hiding (0,0) forces a second cell
    # in row 0 and in column 0, and the result has no row or column with a lone hidden cell.
    counts = pd.DataFrame([[2, 9, 20], [8, 30, 11]], columns=["a", "b", "c"])
    mask = disclosure_mask(counts, 5, axes=("columns", "rows"))
    assert mask.loc[0, "a"]
    for _, row in mask.iterrows():
        assert row.sum() != 1
    for col in mask.columns:
        assert mask[col].sum() != 1


def test_suppress_table_withholds_percentages_on_hidden_counts():
    df = pd.DataFrame({"profession": ["medical", "nursing", "AHP"], "n": [200, 16, 4],
                       "share": [200 / 220, 16 / 220, 4 / 220]})
    out = suppress_table(df, ["n"], 5, pct_cols={"share": "n"})
    # the 4 is primary; 16 is its complement (marked [c], not "<5": it is not small)
    assert out["n"].tolist() == ["200", "[c]", "<5"]
    assert out["share"].tolist() == ["90.9%", "–", "–"]


def test_nhs_number_check_digit():
    # 943 476 5919 is the NHS Data Dictionary's example of a valid number.
    assert nhs_number_is_valid("943 476 5919")
    assert not nhs_number_is_valid("943 476 5918")
    assert not nhs_number_is_valid("12345")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("write to jo.bloggs@nhs.net today", "write to [email] today"),
        ("call 07700 900123 please", "call [phone] please"),
        ("call +44 7700 900123", "call [phone]"),
        ("ring 0151 706 2000 ext", "ring [phone] ext"),
        ("NHS number 943-476-5919.", "NHS number [NHS number]."),
        ("Dr Sarah Khan said so", "Dr [name] said so"),
        ("sarah khan agreed", "[name] agreed"),
        ("Khanna is not Khan's namesake", "Khanna is not Khan's namesake"),
        ("no identifiers here", "no identifiers here"),
    ],
)
def test_redact(text, expected):
    assert redact(text, ["Sarah Khan"]) == expected


# --------------------------------------------------------------------------- complementary cells

from helpers.report.disclosure import (  # noqa: E402
    SECONDARY_MARK,
    curve_withheld,
    group_codes,
    margin_is_safe,
    pins_answers,
    suppression_codes,
    zero_spread,
)
from helpers.report.display import table_html  # noqa: E402


def test_complement_of_a_small_count_is_marked_c_not_as_if_small():
    # A Barts cohort of 20: trusts of 17 and 3. "<5" for both would not add up to 20.
    t = pd.DataFrame({"Trust": ["Barts Health", "East London"], "n": [17, 3]})
    assert suppress_table(t, ["n"], 5)["n"].tolist() == [SECONDARY_MARK, "<5"]


def test_two_small_cells_adding_to_less_than_the_threshold_need_a_complement():
    # 12 + 7 + 2 + 2 = 23: "12 + 7 + <5 + <5" leaves 4 for the pair, a group of fewer than 5.
    codes = suppression_codes(pd.DataFrame({"n": [12, 7, 2, 2]}), 5)["n"].tolist()
    assert codes == ["", "secondary", "primary", "primary"]


def test_a_complement_barely_above_the_threshold_would_pin_the_small_cell():
    # 6 people: 5 and 1. Shown as [c] and <5 with a total of 6, the <5 can only be 1, so both
    # are shown as [c]: a reader can no longer tell which one is small.
    assert not margin_is_safe([5, 1], ["secondary", "primary"], 5)
    t = pd.DataFrame({"g": ["a", "b"], "n": [5, 1]})
    assert suppress_table(t, ["n"], 5)["n"].tolist() == ["[c]", "[c]"]


def test_a_table_no_suppression_can_protect_is_replaced_by_a_sentence():
    # Everyone in one group of 3 (the others empty): the total gives the 3 back whatever is hidden.
    t = pd.DataFrame({"g": ["a", "b"], "n": [0, 3]})
    shown = suppress_table(t, ["n"], 5)
    assert "withheld" in shown.attrs
    markup = table_html(shown, "Participants by group")
    assert "Not shown" in markup and "<td" not in markup and "Participants by group" in markup


def test_true_zero_is_shown_and_never_hidden_as_a_complement():
    t = pd.DataFrame({"n": [0, 3, 40, 12]})
    assert suppress_table(t, ["n"], 5)["n"].tolist() == ["0", "<5", "40", "[c]"]


def test_part_of_a_base_protects_the_rest():
    # 15 of 17 responded: the 2 who did not are a small count, so 15 is hidden as a complement.
    t = pd.DataFrame({"respondents": [15, 12], "eligible": [17, 17], "rate": [15 / 17, 12 / 17]})
    shown = suppress_table(t, ["respondents", "eligible"], 5, pct_cols={"rate": "respondents"},
                           totals_visible=False, parts={"respondents": "eligible"})
    assert shown["respondents"].tolist() == [SECONDARY_MARK, "12"]
    assert shown["rate"].tolist() == ["–", "70.6%"]


def test_fixed_codes_hide_a_cohort_in_every_table_of_the_programme():
    t = pd.DataFrame({"cohort_id": ["c1", "c2"], "n": [13, 4], "done": [10, 2]})
    fixed = pd.DataFrame({"n": ["secondary", "primary"], "done": ["masked", "masked"]})
    shown = suppress_table(t, ["n", "done"], 5, fixed=fixed, totals_visible=False)
    assert shown["n"].tolist() == ["[c]", "<5"] and shown["done"].tolist() == ["[c]", "[c]"]


@pytest.mark.parametrize("sizes, expected", [
    ({"c1": 13, "c2": 4}, {"c1": "secondary", "c2": "primary"}),       # sath_academy
    ({"a": 1, "b": 3, "c": 6}, {"a": "primary", "b": "primary", "c": "secondary"}),
    ({"a": 20, "b": 25, "c": 30}, {"a": "", "b": "", "c": ""}),
    ({"a": 0, "b": 25, "c": 30}, {"a": "", "b": "", "c": ""}),
])
def test_cohort_codes_leave_no_cohort_recoverable_from_the_programme_total(sizes, expected):
    assert group_codes(pd.Series(sizes), 5) == expected


def test_every_table_with_a_marker_carries_its_footnote():
    t = pd.DataFrame({"Trust": ["A", "B"], "n": [17, 3]})
    markup = table_html(suppress_table(t, ["n"], 5), "By trust")
    assert "&lt;5: a count of 1 to 4" in markup and "[c]: not shown so that a count below 5" in markup
    plain = table_html(suppress_table(pd.DataFrame({"n": [17, 30]}), ["n"], 5), "Plain")
    assert "table-note" not in plain


def test_means_that_give_answers_away_are_withheld():
    assert zero_spread(0.0) and not zero_spread(0.4) and not zero_spread(float("nan"))
    assert pins_answers([0, 0, 0, 6, 2], 5)      # 4.25 over 8: two 5s
    assert pins_answers([0, 0, 0, 8, 0], 5)      # all the same
    assert not pins_answers([0, 0, 1, 4, 3], 5)  # three values: the mean fixes no count
    assert not pins_answers([0, 0, 0, 6, 5], 5)  # two values, both 5 or more


def test_a_curve_over_a_small_group_is_withheld_with_a_reason():
    assert "fewer than 5 people" in curve_withheld(1, 1, 5)
    assert "fewer than 5 moves" in curve_withheld(30, 3, 5)
    assert curve_withheld(30, 0, 5) is None and curve_withheld(30, 12, 5) is None
