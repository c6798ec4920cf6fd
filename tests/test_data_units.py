"""The pure helpers of helpers.data, without loading a dataset: dates, typing, NHS numbers,
pseudonyms, problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pandas as pd
import pytest

from helpers.data.coerce import is_nhs_number, to_bool, to_choice, to_id, to_number
from helpers.data.dates import parse_dates
from helpers.data.errors import DataError, Problem
from helpers.data.pseudonym import pseudonym
from helpers.data.readers import canonical_column, column_letter, detect_encoding


def _dates(values, epoch=None):
    out, bad = parse_dates(pd.Series(values, index=range(2, 2 + len(values)), dtype="object"), epoch)
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in out], sorted(bad.index)


def test_consistent_uk_column_is_read_day_first():
    assert _dates(["03/04/2024", "13/04/2024", "1/2/2024"]) == (
        ["2024-04-03", "2024-04-13", "2024-02-01"], [])


def test_mixed_column_refuses_only_ambiguous_slash_dates():
    # 05/05 is the same date either way; 13/04 can only be day-first
    assert _dates(["2024-01-05", "03/04/2024", "13/04/2024", "05/05/2024"]) == (
        ["2024-01-05", None, "2024-04-13", "2024-05-05"], [3])


def test_month_first_evidence_refuses_the_column_slash_dates():
    assert _dates(["04/23/2024", "03/04/2024"])[1] == [2, 3]


def test_excel_serials_converted_only_from_workbooks():
    # 45306 is 2024-01-15 in the 1900 date system (ECMA-376 Part 1, 18.17.4.1)
    assert _dates(["45306"], dt.datetime(1899, 12, 30)) == (["2024-01-15"], [])
    # the 1904 system (old Mac workbooks) counts from 1904-01-01: 43844 -> 2024-01-15
    assert _dates(["43844"], dt.datetime(1904, 1, 1)) == (["2024-01-15"], [])
    out, bad = parse_dates(pd.Series(["45306"]))
    assert out.isna().all() and "2024-01-15" in bad.iloc[0]


@pytest.mark.parametrize("value", ["31/02/2024", "2024-02-30", "1/2/24", "9999-01-01", "soon", "12.03.2024"])
def test_impossible_or_unsupported_dates_refused(value):
    assert _dates([value])[1] == [2]


@pytest.mark.parametrize("value,valid", [
    ("9434765919", True),        # NHS Digital's published example number
    ("943 476 5919", True),
    ("943-476-5919", True),
    ("9434765918", False),       # wrong check digit
    ("1234567890", False),       # check digit would be 10: never valid
    ("94347659190", False),
])
def test_nhs_number_check_digit(value, valid):
    assert is_nhs_number(value) is valid


def test_ids():
    typed, bad = to_id(pd.Series(["1001.0", "0042", "", "2.5E+03", "x@y.org", "9434765919"]),
                       nhs_check=True)
    assert typed.tolist()[:2] == ["1001", "0042"] and typed.isna().tolist()[2:] == [True] * 4
    assert sorted(bad.index) == [3, 4, 5]


def test_numbers_booleans_choices():
    num, bad = to_number(pd.Series(["3,5", "4", "1.000,5"]), decimal_comma=True)
    assert num.tolist()[:2] == [3.5, 4.0] and list(bad.index) == [2]
    whole, bad = to_number(pd.Series(["3", "3.5"]), integer=True)
    assert whole.dtype == "Int64" and list(bad.index) == [1]
    flags, bad = to_bool(pd.Series(["Yes", "n", "TRUE", "0", "maybe", ""]), nullable=True)
    assert flags.tolist() == [True, False, True, False, False, False] and list(bad.index) == [4]
    waves, bad = to_choice(pd.Series(["Follow-up", "BASELINE", " retrospective pre", "mid"]),
                           ("baseline", "post", "follow_up", "retrospective_pre"))
    assert waves.tolist()[:3] == ["follow_up", "baseline", "retrospective_pre"]
    assert list(bad.index) == [3]


def test_pseudonym_is_rfc2104_hmac_sha256():
    key = b"0123456789abcdef-key"
    assert pseudonym("1001", key) == "P-" + hmac.new(key, b"1001", hashlib.sha256).hexdigest()[:16]
    assert pseudonym("1001", key) != pseudonym("1001", key + b"x")


def test_headers_and_encodings():
    assert canonical_column("\ufeff Participant ID ") == "participant_id"
    assert canonical_column("Response-Date") == "response_date"
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert detect_encoding("caf\u00e9".encode("cp1252")) == ("cp1252", None)
    assert detect_encoding(b"\xef\xbb\xbfa") == ("utf-8-sig", None)
    assert detect_encoding("a\n\u00e9\n".encode() + "\u00e9".encode("cp1252")) == (None, 3)


def test_problem_text():
    p = Problem("responses.csv", 7, "value", "9", "a number from 1 to 5")
    assert str(p) == "responses.csv:7:value: found '9', expected a number from 1 to 5"
    assert str(Problem("dataset.yaml", None, None, None, "a file")) == "dataset.yaml:-:-: expected a file"
    err = DataError([p] * 12)
    assert "12 problem(s)" in str(err) and "and 2 more" in str(err)
