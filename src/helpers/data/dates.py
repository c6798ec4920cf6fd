"""Reading dates the way UK evaluation teams write them, refusing the ones that could mislead.

The rule (documented for users in ``leadeval validate`` messages and the README of tests/data_cases)
-----------------------------------------------------------------------------------------------
1. ISO 8601 ``yyyy-mm-dd`` (optionally with a time ``hh:mm[:ss]``) is always accepted.
2. ``d/m/yyyy`` or ``dd/mm/yyyy`` (optionally with a time) is read day-first, as UK software
   writes it (NHS Data Dictionary date format; BS EN 28601 allows the ISO form above).
3. A column is *mixed* when it holds both ISO and slash dates, or when some slash date can only
   be month-first (``04/23/2024``: a US-locale export from Microsoft Forms or Qualtrics).
   In a mixed column a slash date whose two first numbers are both 12 or less and differ
   (``03/04/2024``: 3 April or 4 March?) is refused as ambiguous; slash dates with a day above
   12 are unambiguous and accepted. A month-first date is always refused.
4. In an Excel workbook a number in a date column is an Excel serial date (days since
   1899-12-30, or since 1904-01-01 for workbooks in the 1904 date system) and is converted;
   in a CSV file it is refused, with the date it would be as a hint.
5. Two-digit years, impossible dates (31/02/2024) and years outside 1900-2199 are refused.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_SLASH = r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}:\d{2}(?::\d{2})?))?$"
_NUMBER = r"^\d+(?:\.\d+)?$"
EXPECTED = "a date as yyyy-mm-dd or dd/mm/yyyy"
_MIN_YEAR, _MAX_YEAR = 1900, 2199


def parse_dates(values: pd.Series, excel_epoch: dt.datetime | None = None
                ) -> tuple[pd.Series, pd.Series]:
    """Parse a column of date text by the rule in the module docstring.

    Parameters
    ----------
    values : Series
        Text cells (blank ``""`` = missing) or an already typed datetime column (parquet).
    excel_epoch : datetime, optional
        The workbook's date epoch when the column comes from an .xlsx sheet; numbers are then
        converted as Excel serial dates (ECMA-376 Part 1, 18.17.4).

    Returns
    -------
    dates : Series of datetime64[ns]
        NaT where blank or refused.
    bad : Series of str
        For each refused cell (same index), what was expected.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        wrong = _out_of_range(values)
        return values.where(~values.index.isin(wrong.index)).astype("datetime64[ns]"), wrong
    text = values.astype("object").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    bad = pd.Series(EXPECTED, index=values.index, dtype="object")
    blank = text == ""
    plain = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}") | blank
    years = pd.to_numeric(text.str[:4].where(~blank), errors="coerce")
    if plain.all() and years.dropna().between(_MIN_YEAR, _MAX_YEAR).all():   # the common case
        out = pd.to_datetime(text.where(~blank), format="%Y-%m-%d", errors="coerce")
        out = out.astype("datetime64[ns]") if not out.isna().all() else \
            pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        if not (out.isna() & ~blank).any():
            return out, pd.Series([], dtype="object")
    iso = text.str.match(_ISO)
    parts = text.str.extract(_SLASH)
    slash = parts[0].notna()
    number = text.str.match(_NUMBER)

    year_range = f"a date between {_MIN_YEAR} and {_MAX_YEAR}"
    if iso.any():
        in_range = text[iso].str[:4].astype(int).between(_MIN_YEAR, _MAX_YEAR)
        bad[in_range[~in_range].index] = year_range
        ok = in_range[in_range].index
        out[ok] = pd.to_datetime(text[ok], format="ISO8601", errors="coerce")
    if slash.any():
        p = parts[slash]
        first, second = p[0].astype(int), p[1].astype(int)
        month_first = second > 12
        mixed = bool(iso.any()) or bool(month_first.any())
        ambiguous = (first <= 12) & (second <= 12) & (first != second) & mixed
        in_range = p[2].astype(int).between(_MIN_YEAR, _MAX_YEAR)
        clock = p[3].fillna("00:00").str.replace(r"^(\d):", r"0\1:", regex=True)
        iso_text = p[2] + "-" + p[1].str.zfill(2) + "-" + p[0].str.zfill(2) + "T" + clock
        good = ~(ambiguous | month_first) & in_range
        out[good[good].index] = pd.to_datetime(iso_text[good], format="ISO8601", errors="coerce")
        bad[in_range[~in_range].index] = year_range
        bad[ambiguous[ambiguous].index] = (
            "an unambiguous date: this column mixes date formats, so day and month cannot be told "
            "apart; write it as yyyy-mm-dd")
        bad[month_first[month_first].index] = (
            "a date as dd/mm/yyyy (month above 12: this looks like a US month/day export); "
            "write it as yyyy-mm-dd")
    if number.any():
        serial = pd.to_numeric(text[number], errors="coerce")
        plausible = serial.between(1, 109573)   # 1900-01-01 .. 2199-12-31
        start = pd.Timestamp(excel_epoch or dt.datetime(1899, 12, 30))
        converted = start + pd.to_timedelta(serial.where(plausible, 0), unit="D")
        if excel_epoch is not None:
            out[serial.index[plausible]] = converted[plausible].dt.round("s")
        else:
            hint = converted.dt.strftime("%Y-%m-%d")
            bad[serial.index[plausible]] = (
                EXPECTED + " (this looks like an Excel serial date, " + hint[plausible]
                + ": format the column as a date before saving as CSV)")
    out[blank] = pd.NaT
    return out, bad[out.isna() & ~blank]


def _out_of_range(out: pd.Series) -> pd.Series:
    """Cells whose year is outside the plausible range (typos such as 2204)."""
    years = out.dt.year
    wrong = out.notna() & ~years.between(_MIN_YEAR, _MAX_YEAR)
    return pd.Series(f"a date between {_MIN_YEAR} and {_MAX_YEAR}", index=out.index[wrong],
                     dtype="object")


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_YEAR_MONTH = r"^(\d{4})-(\d{1,2})$"                       # 2025-10
_NAMED_MONTH = r"^([A-Za-z]{3,9})[\s\-/]+(\d{2}|\d{4})$"    # Nov-25, November 2025, SEPTEMBER-2025
PERIOD_EXPECTED = ("a date as yyyy-mm-dd or dd/mm/yyyy, or a month as yyyy-mm, Nov-25 or "
                   "November 2025")


def month_number(name: str) -> int | None:
    """``"Sept"``, ``"SEPTEMBER"``, ``"sep"`` -> 9; None when it is not an English month name."""
    key = name.strip().lower()[:3]
    if key not in _MONTHS:
        return None
    full = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")[_MONTHS[key] - 1]
    return _MONTHS[key] if full.startswith(name.strip().lower()) or \
        name.strip().lower() == "sept" else None


def parse_periods(values: pd.Series, excel_epoch: dt.datetime | None = None
                  ) -> tuple[pd.Series, pd.Series]:
    """Parse a column of KPI periods: dates by :func:`parse_dates`, or months (the 1st of it).

    NHS England statistics and spreadsheets name a month as ``2025-10``, ``Nov-25``,
    ``November 2025`` or ``SEPTEMBER-2025``; each is read as the first day of that month. A
    two-digit year is 20yy (KPI series of the programmes start after 2000).

    Examples
    --------
    >>> s = pd.Series(["2025-10", "Nov-25", "September 2025", "2025-12-01", "13/2025"])
    >>> out, bad = parse_periods(s)
    >>> [d.strftime("%Y-%m-%d") for d in out.dropna()]
    ['2025-10-01', '2025-11-01', '2025-09-01', '2025-12-01']
    >>> bad.index.tolist()
    [4]
    """
    out, bad = parse_dates(values, excel_epoch)
    if bad.empty:
        return out, bad
    text = values[bad.index].astype("object").str.strip()
    months = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    ym = text.str.extract(_YEAR_MONTH)
    ok = ym[0].notna()
    if ok.any():
        year, month = ym[0][ok].astype(int), ym[1][ok].astype(int)
        fine = month.between(1, 12) & year.between(_MIN_YEAR, _MAX_YEAR)
        months[fine[fine].index] = pd.to_datetime(
            {"year": year[fine], "month": month[fine], "day": 1})
    named = text.str.extract(_NAMED_MONTH)
    for row in named.index[named[0].notna()]:
        number = month_number(named.at[row, 0])
        year = int(named.at[row, 1])
        year = 2000 + year if year < 100 else year
        if number is not None and _MIN_YEAR <= year <= _MAX_YEAR:
            months[row] = pd.Timestamp(year, number, 1)
    found = months.notna()
    out.loc[months.index[found]] = months[found]
    still = bad.drop(months.index[found])
    return out, still.where(still != EXPECTED, PERIOD_EXPECTED).astype("object")
