"""Turn columns of text cells into typed columns, naming every cell that cannot be typed.

Each function takes a Series of stripped text (``""`` = blank) indexed by spreadsheet row and
returns ``(typed, bad)``: the typed Series (missing where blank or refused) and a Series of
"expected ..." texts indexed by the refused rows. All are vectorised (pandas string methods and
``to_numeric``), so a column of millions of cells is typed in about a second.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_FLOAT_ID = r"^-?\d+\.0+$"            # 1001.0: an id column that went through a float
_SCIENTIFIC = r"^[+-]?\d(?:\.\d+)?[eE][+-]?\d+$"   # 4.85E+09: Excel shortened a long number
_DECIMAL_COMMA = r"^-?\d+,\d+$"
#: Largest magnitude a number cell may have. Beyond 2**53 (about 9e15) float64 no longer holds
#: whole numbers exactly, and values near 1e308 overflow to inf when a report adds two of them.
MAX_MAGNITUDE = 1e15
_NOT_FINITE = r"^[+-]?(?:inf|infinity|nan)$"
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def no_problems(index: pd.Index) -> pd.Series:
    """An empty "bad cells" Series (nothing refused)."""
    return pd.Series([], index=index[:0], dtype="object")


def choice_key(value: str) -> str:
    """Normalise a categorical answer: ``"Follow-up "`` -> ``"follow_up"``."""
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def to_id(text: pd.Series, nhs_check: bool = False) -> tuple[pd.Series, pd.Series]:
    """Identifier text, checked once per distinct value.

    ``1001.0`` becomes ``1001``. Refused: Excel's scientific form (``1.005E+03``), an e-mail
    address, and with ``nhs_check`` a valid NHS number (:func:`is_nhs_number`).
    """
    text = text.astype("object")
    fixes: dict[str, object] = {}
    refused: dict[str, str] = {}
    for value in pd.unique(text.to_numpy()):
        if not isinstance(value, str) or value == "":
            fixes[value] = np.nan
        elif "." in value and re.match(_FLOAT_ID, value):
            fixes[value] = value.split(".")[0]
        elif ("e" in value or "E" in value) and re.match(_SCIENTIFIC, value):
            refused[value] = ("an identifier written in full (Excel showed a long number in "
                              "scientific notation: format the column as text before saving)")
        elif "@" in value:
            refused[value] = "a pseudonymous id, not an e-mail address"
        elif nhs_check and is_nhs_number(value):
            refused[value] = ("a pseudonymous id (this looks like an NHS number: enable "
                              "pseudonymisation in dataset.yaml or replace it)")
    bad = text.map(refused).dropna().astype("object") if refused else no_problems(text.index)
    for value in refused:
        fixes[value] = np.nan
    if fixes:
        text = text.replace(fixes)
    return text.astype("str"), bad


def is_nhs_number(value: str) -> bool:
    """A 10-digit number (spaces or hyphens as 3-3-4 allowed) with a valid NHS check digit.

    Modulus 11 algorithm of the NHS Data Dictionary ("NHS Number"): weights 10..2 on the first
    nine digits; check = 11 - (sum mod 11), 11 -> 0, and 10 is never valid.
    """
    if not re.fullmatch(r"\d{3}[ \-]?\d{3}[ \-]?\d{4}", value):
        return False
    digits = [int(c) for c in value if c.isdigit()]
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def to_text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text; blank becomes missing."""
    text = text.astype("object")
    return text.where(text != "").astype("str"), no_problems(text.index)


def to_number(text: pd.Series, decimal_comma: bool = False, integer: bool = False
              ) -> tuple[pd.Series, pd.Series]:
    """Numbers (``Int64`` when ``integer``); a decimal comma is read in semicolon files.

    Refused: text that is not a number; ``inf``, ``nan`` and any number larger in size than
    :data:`MAX_MAGNITUDE` (``1e308`` is a valid float, but two of them add up to inf).

    Examples
    --------
    >>> num, bad = to_number(pd.Series(["4.2", "", "inf", "1e308", "-1e15"]))
    >>> num.tolist()[0], num.tolist()[4], sorted(bad.index)
    (4.2, -1000000000000000.0, [2, 3])
    >>> bad[3]
    'a number between -1e+15 and 1e+15'
    """
    if pd.api.types.is_numeric_dtype(text) and not pd.api.types.is_bool_dtype(text):
        num = text.astype("float64")
        blank = num.isna()
    else:
        text = text.astype("object")
        blank = text == ""
        if decimal_comma:
            text = text.where(~text.str.match(_DECIMAL_COMMA), text.str.replace(",", ".", regex=False))
        num = pd.to_numeric(text.where(~blank), errors="coerce")
    bad_mask = num.isna() & ~blank
    huge = num.notna() & ~(num.abs() <= MAX_MAGNITUDE)
    bad_mask |= huge
    what = "a whole number" if integer else "a number"
    if integer:
        fraction = num.notna() & (num != num.round())
        bad_mask |= fraction
        num = num.where(~fraction)
    bad = pd.Series(what, index=num.index[bad_mask], dtype="object")
    bad[huge[bad_mask].to_numpy()] = f"{what} between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    if bad_mask.any() and not pd.api.types.is_numeric_dtype(text):
        bad = bad.str.cat(number_hint(text[bad_mask]), na_rep="").astype("object")
    num = num.astype("float64").where(~bad_mask)
    return (num.astype("Int64") if integer else num), bad


_THOUSANDS = r"^[+-]?\d{1,3}(?:[,\u00a0 ']\d{3})+(?:\.\d+)?$"   # 16,769  1 234 567
_PERCENT = r"^[+-]?\d+(?:[.,]\d+)?\s*%$"                      # 63.80%


def number_hint(text: pd.Series) -> pd.Series:
    """Why a refused cell is not a number, when the cause is a common export format.

    Spreadsheets and NHS England statistics write ``16,769`` (thousands separators) and
    ``63.80%``; the hint names the cause and the fix (or the import map's ``numbers:`` setting).
    """
    text = text.astype("object").str.strip()
    hint = pd.Series("", index=text.index, dtype="object")
    hint[text.str.match(_THOUSANDS)] = (
        " (this one has thousands separators: write 16769, not 16,769; an import map can "
        "accept them with numbers: {thousands: \",\"})")
    hint[text.str.match(_NOT_FINITE, case=False)] = (
        " (inf and nan are not values a report can add up or draw)")
    hint[text.str.match(_PERCENT)] = (
        " (this one has a % sign: write 63.8, not 63.8%; an import map can accept it with "
        "numbers: {percent: true})")
    return hint


def to_bool(text: pd.Series, nullable: bool) -> tuple[pd.Series, pd.Series]:
    """true/false, yes/no, y/n, 1/0 (any case); blank is False unless the column must be filled."""
    key = text.astype("object").str.lower()
    is_true, is_false = key.isin(_TRUE), key.isin(_FALSE)
    blank = key == ""
    bad_mask = ~(is_true | is_false | (blank & nullable))
    bad = pd.Series("true or false (also yes/no, y/n, 1/0)" + ("" if nullable else "; required"),
                    index=key.index[bad_mask], dtype="object")
    return is_true.astype("bool"), bad


def to_choice(text: pd.Series, choices: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """One of ``choices``, ignoring case, spaces and hyphens."""
    text = text.astype("object")
    lookup = {choice_key(c): c for c in choices}
    mapped = text.map({v: lookup.get(choice_key(v)) for v in pd.unique(text) if v})
    bad_mask = mapped.isna() & (text != "")
    bad = pd.Series("one of " + ", ".join(choices), index=text.index[bad_mask], dtype="object")
    return mapped.astype("str"), bad
