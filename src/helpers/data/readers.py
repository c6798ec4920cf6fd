"""Read one table file into a frame of text cells, numbered as a spreadsheet numbers its rows.

Every reader returns the same thing, a :class:`RawTable`: a DataFrame of cells (text, or typed values from parquet)
(blank = ``""``) whose index is the spreadsheet row number (header = 1, first data row = 2, or
lower down when a title row sits above the header), with canonical column names. Typing happens
afterwards in :mod:`helpers.data.coerce`, so a bad cell is always reported with its place.

What is accepted (the realistic export mistakes of Excel, Qualtrics, JISC Online Surveys, REDCap
and Microsoft Forms):

* CSV in UTF-8 with or without a byte-order mark, UTF-16 with a BOM (Excel "Unicode text"), or
  Windows-1252 (detected when the bytes are not valid UTF-8; a file mixing both is refused,
  since decoding it either way would corrupt some text); separated by commas, semicolons or tabs
  (sniffed from the header line); with a semicolon separator, decimal commas are accepted.
* Title rows above the header (the header is the first of the first ten rows that names the
  most columns of the table), which also covers merged group-header cells in a workbook.
* Qualtrics' two extra header rows (the question texts, then ``{"ImportId":...}`` cells): both
  are skipped when the second is found right under the header; data rows keep their numbers.
* Blank unnamed columns (dropped). Blank rows and leading/trailing spaces are dealt with when
  the table is typed (:func:`helpers.data.validate.type_table`), once per distinct value.

What is refused with a located :class:`~helpers.data.errors.Problem`: an empty file, a file
that cannot be decoded or parsed, rows with more cells than the header, a data column without
a header, the same column name twice, a sheet name that is not in the workbook.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from helpers.data.errors import Problem
from helpers.data.schema import Table

HEADER_SEARCH_ROWS = 10
_SEPARATORS = (",", ";", "\t")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass
class RawTable:
    """A table as text cells. ``frame.index`` holds spreadsheet row numbers."""

    file: str
    frame: pd.DataFrame
    header_row: int = 1
    decimal_comma: bool = False
    excel_epoch: dt.datetime | None = None   # set for workbooks: numbers in date columns are serials


def canonical_column(name: object) -> str:
    """Header text -> canonical column name: ``" Participant ID"`` -> ``"participant_id"``."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


def column_letter(index: int) -> str:
    """Zero-based column index -> spreadsheet letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def find_header(rows: list[list[str]], table: Table) -> int:
    """Index of the header among the first rows: the first one naming the most table columns."""
    known = set(table.names)
    scores = [sum(canonical_column(c) in known for c in row) for row in rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) == 0:
        return 0
    return scores.index(max(scores))


def detect_encoding(data: bytes) -> tuple[str | None, int | None]:
    """Encoding of CSV bytes, or (None, line of the first undecodable byte) for mixed encodings.

    UTF-8 (BOM stripped) when the bytes decode as UTF-8; UTF-16 when they start with its BOM;
    otherwise Windows-1252 (the Excel "CSV" default on Windows) unless the bytes also hold valid
    UTF-8 multi-byte sequences, in which case the file mixes encodings and is refused.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    try:
        data.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            return None, data.count(b"\n", 0, exc.start) + 1
        return "cp1252", None


def _sniff_separator(head: str, table: Table) -> str:
    """The separator that splits the header line into the most known column names."""
    lines = head.splitlines()[:HEADER_SEARCH_ROWS]
    known = set(table.names)
    best, best_score = ",", (-1, -1)
    for sep in _SEPARATORS:
        rows = list(csv.reader(lines, delimiter=sep))
        named = max((sum(canonical_column(c) in known for c in r) for r in rows), default=0)
        width = max((len(r) for r in rows), default=0)
        if (named, width) > best_score:
            best, best_score = sep, (named, width)
    return best


# New exports write {"ImportId":"QID1"}; legacy ones (2016) {'ImportId': 'QID1'}.
_IMPORT_ID = re.compile(r'^\s*\{\s*["\']ImportId["\']\s*:')


def qualtrics_extra_rows(body: pd.DataFrame) -> int:
    """How many of the first rows under the header are Qualtrics' extra header rows: 2 when the
    second row under the header is its ``{"ImportId":"QID1"}`` row (the first is then the
    question texts), else 0.

    Qualtrics' CSV export (new format) writes three header rows: the column names, the question
    texts and a JSON ImportId per column. The ImportId row is the unambiguous sign; a row of
    question texts alone (legacy exports) cannot be told from data, so it is not guessed at.
    """
    if len(body) < 2:
        return 0
    cells = [str(v) for v in body.iloc[1].tolist() if str(v).strip()]
    if cells and sum(bool(_IMPORT_ID.match(c)) for c in cells) * 2 > len(cells):
        return 2
    return 0


def _finish(file: str, grid: pd.DataFrame, header_at: int, table: Table,
            problems: list[Problem], skipped: int = 0, **extra) -> RawTable | None:
    """Turn a grid of text (header at position ``header_at``, after ``skipped`` lines) into a RawTable."""
    header_row = skipped + header_at + 1
    header = [str(v) for v in grid.iloc[header_at].tolist()]
    body = grid.iloc[header_at + 1:]
    body.index = np.arange(len(body)) + header_row + 1
    body = body.iloc[qualtrics_extra_rows(body):]
    seen: dict[str, int] = {}
    keep: list[int] = []
    names: list[str] = []
    before = len(problems)
    for pos, title in enumerate(header):
        name = canonical_column(title)
        if not name:
            filled = body.iloc[:, pos].astype("object").fillna("").str.strip() != ""
            if filled.any():
                first = int(body.index[filled.to_numpy()][0])
                problems.append(Problem(file, header_row, f"column {column_letter(pos)}", None,
                                        f"a column name in row {header_row} above the data "
                                        f"that starts at row {first}"))
            continue
        if name in seen:
            problems.append(Problem(file, header_row, name, title,
                                    f"each column name once (column {column_letter(pos)} repeats "
                                    f"column {column_letter(seen[name])})"))
            continue
        seen[name] = pos
        keep.append(pos)
        names.append(name)
    if len(problems) > before:
        return None
    frame = body.iloc[:, keep]
    frame.columns = names
    return RawTable(file, frame, header_row=header_row, **extra)


def read_csv(path: Path, file: str, table: Table, problems: list[Problem]) -> RawTable | None:
    """Read a delimited text file (see the module notes for what is accepted)."""
    data = path.read_bytes()
    encoding, bad_line = detect_encoding(data)
    if encoding is None:
        problems.append(Problem(file, bad_line, None, None,
                                "one text encoding for the whole file: this file mixes UTF-8 "
                                "with another encoding (save it again as CSV UTF-8)"))
        return None
    text_head = data[:65536].decode(encoding, errors="replace").lstrip("\ufeff")
    if not text_head.strip(" \t\r\n,;"):
        problems.append(Problem(file, 1, None, None,
                                f"a header row naming the columns of {table.name} "
                                f"({', '.join(table.names)}); the file is empty"))
        return None
    sep = _sniff_separator(text_head, table)
    head_rows = list(csv.reader(text_head.splitlines()[:HEADER_SEARCH_ROWS], delimiter=sep))
    header_at = find_header(head_rows, table)
    try:
        grid = pd.read_csv(io.BytesIO(data), sep=sep, header=None, skiprows=header_at, dtype=object,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           encoding=encoding, engine="c")
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, saw = match.groups()
            problems.append(Problem(file, int(line), None, f"{saw} cells",
                                    f"at most {want} cells, as many as the header has "
                                    "(is there an unquoted separator in a value?)"))
        else:
            problems.append(Problem(file, None, None, None,
                                    f"a readable CSV file ({str(exc).strip()})"))
        return None
    except (UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(file, None, None, None, f"a readable CSV file ({exc})"))
        return None
    return _finish(file, grid, 0, table, problems, skipped=header_at, decimal_comma=(sep == ";"))


def _cell_text(value: object) -> str:
    """A workbook cell as text, keeping what the user sees (dates ISO, 1001 not 1001.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(path: Path, file: str, table: Table, sheet: str | None,
              problems: list[Problem]) -> RawTable | None:
    """Read one sheet of an Excel workbook with openpyxl (values, not formulas)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problems.append(Problem(file, None, None, None,
                                f"an Excel .xlsx workbook (it could not be opened: {exc})"))
        return None
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = next((n for n in names if canonical_column(n) == table.name), names[0])
        elif sheet in names:
            chosen = sheet
        else:
            problems.append(Problem(file, None, f"sheets.{table.name}", sheet,
                                    f"a sheet of this workbook: {', '.join(names)}"))
            return None
        label = f"{file}[{chosen}]"
        ws = book[chosen]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        epoch = book.epoch
    finally:
        book.close()
    if not any(any(c.strip() for c in r) for r in rows):
        problems.append(Problem(label, 1, None, None,
                                f"a header row naming the columns of {table.name}; the sheet is empty"))
        return None
    width = max(len(r) for r in rows)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object")
    header_at = find_header(rows, table)
    return _finish(label, grid, header_at, table, problems, excel_epoch=epoch)


def read_parquet(path: Path, file: str, table: Table, problems: list[Problem]) -> RawTable | None:
    """Read a parquet file; columns keep their types (typing copes with numbers, dates, categories)."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        problems.append(Problem(file, None, None, None, f"a readable parquet file ({exc})"))
        return None
    df = df.reset_index(drop=True)
    grid = pd.DataFrame(index=np.arange(len(df)) + 2)
    names = [canonical_column(c) for c in df.columns]
    dupes = {n for n in names if names.count(n) > 1}
    for n in sorted(dupes):
        problems.append(Problem(file, 1, n, n, "each column name once"))
    if dupes:
        return None
    for name, col in zip(names, df.columns, strict=True):
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        grid[name] = s.to_numpy() if not isinstance(s.dtype, pd.CategoricalDtype) else s.array
    return RawTable(file, grid)

