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
