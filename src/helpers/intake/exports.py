"""Read an export as its tool wrote it: a frame of text cells plus what the tool says about them.

Formats (``format: auto`` decides by suffix and content):

* ``qualtrics``: CSV with three header rows (column names, question texts, ``{"ImportId":...}``;
  2016 exports write ``{'ImportId': ...}``); columns may be named by ImportId in the map. Data
  rows start at file row 4.
* ``spss`` / ``stata``: ``.sav`` / ``.dta`` read with pyreadstat: column labels become question
  texts, value labels give the range, user-missing values (SPSS ``MISSING VALUES``) are blank.
* ``redcap``: the raw records CSV; with ``dictionary:`` the data dictionary gives field labels,
  choices (their codes are the range), validation min/max and the ``Identifier? = y`` flags.
* ``csv`` / ``xlsx``: a plain wide export (Microsoft Forms, JISC Online Surveys, SurveyMonkey).

Rows are numbered as the file shows them (header = row 1), and a case number for .sav/.dta.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat

from helpers.data.errors import Problem
from helpers.data.readers import canonical_column, detect_encoding

_IMPORT_ID = re.compile(r'^\s*\{\s*["\']ImportId["\']\s*:\s*["\']([^"\']*)["\']')
_HTML = re.compile(r"<[^>]+>")


@dataclass
class Export:
    """One export file as text cells (``""`` = blank), index = file row (or case) numbers.

    ``texts``: column -> question text; ``import_ids``: Qualtrics ImportId -> column;
    ``ranges``: column -> (min, max) from value labels or the dictionary; ``identifiers``: columns
    the tool itself flags as identifying; ``labels``: column -> {code: label}.
    """

    path: Path
    label: str
    format: str
    frame: pd.DataFrame
    texts: dict[str, str] = field(default_factory=dict)
    import_ids: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)
    identifiers: set[str] = field(default_factory=set)

    def resolve(self, name: object) -> str | None:
        """The export column a map names: exact, then canonical spelling, then ImportId;
        an int is a 0-based position; a list gives alternatives (the first present wins)."""
        columns = list(self.frame.columns)
        if isinstance(name, list):
            return next((c for c in (self.resolve(n) for n in name) if c is not None), None)
        if isinstance(name, bool):
            return None
        if isinstance(name, int):
            return columns[name] if 0 <= name < len(columns) else None
        text = str(name)
        if text in self.frame.columns:
            return text
        canon = canonical_column(text)
        match = [c for c in columns if canonical_column(c) == canon]
        if len(match) == 1:
            return match[0]
        return self.import_ids.get(text)


def _text(value: object) -> str:
    """A cell as text: 4.0 -> "4", dates ISO, missing blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(path: Path, label: str, problems: list[Problem]) -> list[list[str]] | None:
    data = path.read_bytes()
    encoding, line = detect_encoding(data)
    if encoding is None:
        problems.append(Problem(label, line, None, None, "one text encoding for the whole file "
                                "(save it again as CSV UTF-8)"))
        return None
    text = data.decode(encoding).lstrip("\ufeff")
    if not text.strip():
        problems.append(Problem(label, 1, None, None, "a header row; the file is empty"))
        return None
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t", "|"), key=first.count)
    return [r for r in csv.reader(io.StringIO(text), delimiter=sep)]


def unique_names(header: list[str]) -> list[str]:
    """Header cells stripped; a repeated name becomes name.1, name.2 (as pandas names them).

    Legacy Qualtrics exports repeat a name for the parts of one question (their ImportIds
    differ), so a repeat is told apart rather than refused.
    """
    names = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n and n in seen:
            seen[n] += 1
            names[i] = f"{n}.{seen[n]}"
        elif n:
            seen[n] = 0
    return names


def _grid(label: str, header: list[str], body: list[list[str]], first_row: int,
          problems: list[Problem]) -> pd.DataFrame | None:
    names = unique_names(header)
    width = len(names)
    for i, r in enumerate(body):
        if len(r) > width and any(c.strip() for c in r[width:]):
            problems.append(Problem(label, first_row + i, None, f"{len(r)} cells",
                                    f"at most {width} cells, as many as the header has"))
            return None
    rows = [(r + [""] * width)[:width] for r in body]
    frame = pd.DataFrame(rows, columns=names, dtype="object")
    frame.index = np.arange(len(frame)) + first_row
    frame = frame.loc[:, [bool(n) for n in names]]
    keep = frame.apply(lambda s: s.str.strip()).ne("").any(axis=1)
    return frame[keep].apply(lambda s: s.str.strip())


def read_qualtrics(path: Path, label: str, problems: list[Problem]) -> Export | None:
    rows = _csv_rows(path, label, problems)
    if rows is None:
        return None
    ids = rows[2] if len(rows) > 2 else []
    three = sum(bool(_IMPORT_ID.match(c)) for c in ids) * 2 > max(len([c for c in ids if c]), 1)
    skip = 3 if three else 2
    frame = _grid(label, rows[0], rows[skip:], skip + 1, problems)
    if frame is None:
        return None
    names = unique_names(rows[0])
    texts = {n: t for n, t in zip(names, rows[1] if len(rows) > 1 else []) if n}
    import_ids = {}
    for n, c in zip(names, ids if three else []):
        match = _IMPORT_ID.match(c)
        if match and n:
            import_ids[match.group(1)] = n
    return Export(path, label, "qualtrics", frame, texts=texts, import_ids=import_ids)


def read_plain(path: Path, label: str, problems: list[Problem]) -> Export | None:
    rows = _csv_rows(path, label, problems)
    if rows is None:
        return None
    frame = _grid(label, rows[0], rows[1:], 2, problems)
    return None if frame is None else Export(path, label, "csv", frame)


def read_xlsx(path: Path, label: str, sheet: str | None, problems: list[Problem]) -> Export | None:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        problems.append(Problem(label, None, None, None, f"an Excel .xlsx workbook ({exc})"))
        return None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            problems.append(Problem(label, None, "sheet", sheet,
                                    "a sheet of this workbook: " + ", ".join(book.sheetnames)))
            return None
        ws = book[sheet or book.sheetnames[0]]
        rows = [[_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
        label = f"{label}[{ws.title}]"
    finally:
        book.close()
    if not rows:
        problems.append(Problem(label, 1, None, None, "a header row; the sheet is empty"))
        return None
    frame = _grid(label, rows[0], rows[1:], 2, problems)
    return None if frame is None else Export(path, label, "xlsx", frame)


def read_pyreadstat(path: Path, label: str, fmt: str, problems: list[Problem]) -> Export | None:
    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    try:
        df, meta = reader(str(path), user_missing=True) if fmt == "spss" else reader(str(path))
    except Exception as exc:  # pyreadstat.ReadstatError and OSError for a damaged file
        problems.append(Problem(label, None, None, None,
                                f"a readable {'SPSS .sav' if fmt == 'spss' else 'Stata .dta'} "
                                f"file ({exc})"))
        return None
    missing: dict[str, list] = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        missing[col] = [(r["lo"], r["hi"]) for r in ranges]
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        missing.setdefault(col, []).extend((v, v) for v in values)
    frame = pd.DataFrame(index=np.arange(len(df)) + 1)
    for col in df.columns:
        s = df[col]
        if col in missing and pd.api.types.is_numeric_dtype(s):
            user = np.zeros(len(s), dtype=bool)
            for lo, hi in missing[col]:
                user |= ((s >= lo) & (s <= hi)).to_numpy()
            s = s.where(~user)
        frame[col] = [_text(v) for v in s.tolist()]
    labels = {c: {k: str(v) for k, v in vl.items() if c not in missing
                  or not any(lo <= k <= hi for lo, hi in missing[c] if isinstance(k, (int, float)))}
              for c, vl in (meta.variable_value_labels or {}).items()}
    ranges = {c: (min(v), max(v)) for c, v in labels.items()
              if v and all(isinstance(k, (int, float)) for k in v)}
    texts = {c: t for c, t in zip(meta.column_names, meta.column_labels or []) if t}
    return Export(path, label, fmt, frame, texts=texts, ranges=ranges, labels=labels)


def read_redcap(path: Path, label: str, dictionary: Path | None,
                problems: list[Problem]) -> Export | None:
    export = read_plain(path, label, problems)
    if export is None:
        return None
    export.format = "redcap"
    if dictionary is None:
        return export
    rows = _csv_rows(dictionary, dictionary.name, problems)
    if rows is None:
        return export
    head = [canonical_column(h) for h in rows[0]]

    def col(*names):
        return next((head.index(n) for n in names if n in head), None)

    name_i, label_i = col("variable_field_name"), col("field_label")
    choice_i = col("choices,_calculations,_or_slider_labels", "choices_or_calculations")
    min_i, max_i = col("text_validation_min"), col("text_validation_max")
    ident_i, type_i = col("identifier?", "identifier"), col("field_type")
    if name_i is None:
        problems.append(Problem(dictionary.name, 1, None, rows[0][0] if rows[0] else None,
                                "a REDCap data dictionary (first column Variable / Field Name)"))
        return export
    for r in rows[1:]:
        r = r + [""] * (len(head) - len(r))
        name = r[name_i].strip()
        if not name:
            continue
        columns = [c for c in export.frame.columns if c == name or c.startswith(name + "___")]
        if label_i is not None:
            for c in columns:
                export.texts[c] = " ".join(_HTML.sub(" ", r[label_i]).split())
        if ident_i is not None and r[ident_i].strip().lower() == "y":
            export.identifiers.update(columns or [name])
        choices = {}
        if choice_i is not None and type_i is not None and r[type_i] in ("radio", "dropdown"):
            for part in r[choice_i].split("|"):
                code, _, text = part.partition(",")
                try:
                    choices[float(code.strip())] = text.strip()
                except ValueError:
                    continue
        if r[type_i if type_i is not None else name_i] == "yesno":
            choices = {0.0: "No", 1.0: "Yes"}
        if choices:
            export.labels[name] = choices
            export.ranges[name] = (min(choices), max(choices))
        elif min_i is not None and max_i is not None:
            try:
                export.ranges[name] = (float(r[min_i]), float(r[max_i]))
            except ValueError:
                pass
    return export


def sniff_format(path: Path, dictionary: object) -> str:
    """``format: auto``: by suffix, then by content (ImportId row, REDCap columns)."""
    suffix = path.suffix.lower()
    if suffix in (".sav", ".zsav"):
        return "spss"
    if suffix == ".dta":
        return "stata"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    try:
        head = path.read_bytes()[:200_000].decode("utf-8", errors="replace").splitlines()[:3]
    except OSError:
        return "csv"
    if len(head) == 3 and len(_IMPORT_ID.findall(head[2].replace('""', '"'))) or \
            (len(head) == 3 and "ImportId" in head[2]):
        return "qualtrics"
    first = head[0].lower() if head else ""
    if dictionary or "redcap_event_name" in first or first.startswith("record_id") or \
            re.search(r"_complete\b", first):
        return "redcap"
    return "csv"


def read_export(path: Path, fmt: str = "auto", sheet: str | None = None,
                dictionary: Path | None = None) -> tuple[Export | None, list[Problem]]:
    """Read one export file; (None, problems) when it cannot be read."""
    problems: list[Problem] = []
    label = path.name
    if not path.is_file():
        return None, [Problem(label, None, None, str(path), "an export file that exists")]
    if dictionary is not None and not dictionary.is_file():
        return None, [Problem(label, None, "dictionary", str(dictionary),
                              "a REDCap data dictionary file that exists")]
    fmt = sniff_format(path, dictionary) if fmt == "auto" else fmt
    if fmt == "qualtrics":
        export = read_qualtrics(path, label, problems)
    elif fmt in ("spss", "stata"):
        export = read_pyreadstat(path, label, fmt, problems)
    elif fmt == "redcap":
        export = read_redcap(path, label, dictionary, problems)
    elif fmt == "xlsx":
        export = read_xlsx(path, label, sheet, problems)
    else:
        export = read_plain(path, label, problems)
    return export, problems


def describe(export: Export) -> str:
    """One line about an export, for messages."""
    return (f"{export.label} ({export.format}, {len(export.frame):,} rows x "
            f"{export.frame.shape[1]:,} columns)")
