"""Resolve a map field (constant, column, map, lookup, pattern, file name) to one value per row."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.data.dates import month_number
from helpers.data.errors import Problem
from helpers.intake.exports import Export, _csv_rows
from helpers.intake.mapfile import ImportMap


@dataclass
class Field:
    """One target column for the rows of an export.

    ``values``: text per export row (``""`` blank); ``source``: the export column it comes from
    (None for a constant or a file name), which locates problems; ``skip``: rows a ``map:``
    sends to null (left out, e.g. a screening event); ``unmatched``: rows whose value a
    ``lookup:`` does not list (the caller decides whether that is an error).
    """

    values: pd.Series
    source: str | None
    skip: pd.Series
    unmatched: pd.Series


def closest(name: object, export: Export) -> str:
    """``a column of X`` with the closest names, for an unknown column."""
    near = difflib.get_close_matches(str(name), list(export.frame.columns), n=3, cutoff=0.5)
    hint = f" (closest: {', '.join(near)})" if near else ""
    return f"a column of {export.label}{hint}"


def read_lookup(path: Path, problems: list[Problem]) -> dict[str, str] | None:
    """A lookup CSV: export_id -> participant_id (any CSV dialect the readers accept)."""
    if not path.is_file():
        problems.append(Problem(path.name, None, None, str(path), "a lookup CSV file that exists "
                                "(columns export_id, participant_id)"))
        return None
    rows = _csv_rows(path, path.name, problems)
    if rows is None:
        return None
    head = [h.strip().lower() for h in rows[0]]
    if "export_id" not in head or "participant_id" not in head:
        problems.append(Problem(path.name, 1, None, ", ".join(rows[0]),
                                "the columns export_id and participant_id"))
        return None
    e, p = head.index("export_id"), head.index("participant_id")
    out: dict[str, str] = {}
    for i, r in enumerate(rows[1:], start=2):
        if len(r) <= max(e, p) or not r[e].strip():
            continue
        key = _key(r[e])
        if key in out and out[key] != r[p].strip():
            problems.append(Problem(path.name, i, "export_id", key,
                                    "each export_id once (it is listed twice with different "
                                    "participant ids)"))
        out[key] = r[p].strip()
    return out


def _month_text(match: re.Match) -> str | None:
    """yyyy-mm-01 from a match with named groups year and month (number or month name)."""
    groups = match.groupdict()
    if "year" not in groups or "month" not in groups:
        return match.group(1) if match.groups() else match.group(0)
    year, month = groups["year"], groups["month"]
    number = int(month) if month.isdigit() else month_number(month)
    if number is None or not 1 <= number <= 12:
        return None
    year_n = int(year) + (2000 if len(year) == 2 else 0)
    return f"{year_n:04d}-{number:02d}-01"


def _key(value: object) -> str:
    """A map key or export cell compared as text: 1, 1.0 and "1" are the same."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def resolve(m: ImportMap, key: str, spec: object, export: Export, problems: list[Problem],
            lookups: dict) -> Field | None:
    """The values of field ``key`` for every row of ``export`` (None when it cannot be)."""
    index = export.frame.index
    none = pd.Series(False, index=index)
    if not isinstance(spec, dict):
        text = "" if spec is None else str(spec)
        return Field(pd.Series(text, index=index, dtype="object"), None, none, none)
    source = None
    if "from_filename" in spec:
        match = re.search(str(spec["from_filename"]), export.path.name)
        value = _month_text(match) if match else None
        if value is None:
            problems.append(m.problem(f"{key}.from_filename", export.path.name,
                                      f"a file name matching {spec['from_filename']!r} (with "
                                      "groups year and month for a period)"))
            return None
        values = pd.Series(value, index=index, dtype="object")
    else:
        name = spec["column"]
        source = export.resolve(name)
        if source is None:
            problems.append(m.problem(f"{key}.column", name, closest(name, export)))
            return None
        values = export.frame[source].astype("object")
    if "pattern" in spec:
        rx = re.compile(str(spec["pattern"]))
        out = {}
        for row, text in values.items():
            if not text:
                out[row] = ""
                continue
            match = rx.search(text)
            value = _month_text(match) if match else None
            if value is None:
                problems.append(Problem(export.label, int(row), source, text,
                                        f"a value matching {spec['pattern']!r} ({key}.pattern "
                                        f"in {m.label})"))
                value = ""
            out[row] = value
        values = pd.Series(out, index=index, dtype="object")
    skip = none.copy()
    if isinstance(spec.get("map"), dict):
        table = {_key(k): v for k, v in spec["map"].items()}
        keys = values.map(_key)
        known = keys.isin(table) | (values == "")
        skip = keys.map(lambda k: k in table and table[k] is None).astype(bool)
        for row in values.index[~known][:100]:
            problems.append(Problem(export.label, int(row), source, values[row],
                                    f"one of the values under {key}.map in {m.label}: "
                                    + ", ".join(str(k) for k in table)))
        values = keys.map(lambda k: "" if table.get(k) is None else str(table[k])) \
            .where(keys.isin(table), values).astype("object")
    unmatched = none.copy()
    if "lookup" in spec:
        path = m.beside(str(spec["lookup"]))
        if path not in lookups:
            lookups[path] = read_lookup(path, problems)
        table = lookups[path]
        if table is None:
            return None
        keys = values.map(_key)
        unmatched = ~keys.isin(table) & (values != "")
        values = keys.map(table).fillna("").astype("object")
    return Field(values, source, skip, unmatched)
