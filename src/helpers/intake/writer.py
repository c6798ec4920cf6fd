"""Merge new rows into a table of the dataset, validate the result, swap it in under the lock
(:func:`helpers.data.staging.lock_for_import`, taken by the command before anything is read).

All or nothing: the merged table (and the items table when new items are added) is written into
a staging folder inside the dataset folder, beside hard links to every other file, and the
staging folder is loaded with :func:`helpers.data.load_dataset`; only a valid result is moved
over the real files (``os.replace``, restored from backups if a move fails). Importing rows the
table already holds changes nothing and writes nothing: a table with a key (participants by
participant_id, kpi_values by project and period) is updated by key, any other table gains only
the rows it does not already hold (counted, so two identical answers stay two).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import load_dataset
from helpers.data.errors import DataError, Problem
from helpers.data.schema import TABLES, Table
from helpers.data.staging import read_table, replace_files
from helpers.qda.writer import _write

KEYED = {"participants": ("participant_id",), "kpi_values": ("project_id", "period"),
         "items": ("instrument_id", "item_id")}


def canonical_text(typed: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Typed cells as the text leadeval writes: ISO dates, 4 not 4.0, true/false, "" missing."""
    out = {}
    for name in typed.columns:
        col = table.col(name)
        kind = col.kind if col else "text"
        s = typed[name]
        if kind in ("date", "month"):
            text = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        elif kind in ("float", "likert", "int"):
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            text = num.map(lambda x: "" if np.isnan(x) else
                           (str(int(x)) if float(x).is_integer() else repr(float(x))))
        elif kind == "bool":
            text = s.map(lambda v: "true" if v is True or v == True else "false")  # noqa: E712
        else:
            text = s.astype("object")
        out[name] = text.astype("object").where(pd.notna(text), "").fillna("").astype(str)
        out[name] = out[name].replace({"nan": "", "None": "", "<NA>": "", "NaT": ""})
    return pd.DataFrame(out, index=typed.index)


@dataclass
class Change:
    """The planned new content of one table file."""

    table: str
    path: Path
    frame: pd.DataFrame | None    # the whole new table as text (None: unchanged)
    before: int
    added: int
    updated: int
    sep: str = ","


def read_raw(folder: Path, meta: dict, table: str, problems: list[Problem]):
    """The table's file as text cells, read by the loader's readers (encodings, separators,
    title rows), or None when the table has no file yet
    (:func:`helpers.data.staging.read_table`)."""
    return read_table(folder, meta, table, problems)


def plan(table: str, path: Path, raw, existing_typed: pd.DataFrame | None,
         new_text: pd.DataFrame) -> Change:
    """Merge ``new_text`` (canonical text) into the table read as ``raw``."""
    spec = TABLES[table]
    columns = list(spec.names)
    filled = [c for c in new_text.columns if (new_text[c] != "").any()]
    if raw is None:
        new = new_text.drop_duplicates() if table not in KEYED else \
            new_text.drop_duplicates(list(KEYED[table]), keep="last")
        cols = [c for c in columns if c in filled or spec.col(c).required]
        return Change(table, path, new[cols].reset_index(drop=True), 0, len(new), 0)
    old = raw.frame.astype("object")
    old_text = canonical_text(existing_typed, spec) if existing_typed is not None else \
        old.iloc[:0]
    out_cols = list(old.columns) + [c for c in filled if c not in old.columns]
    merged = old.reindex(columns=out_cols, fill_value="")
    sep = ";" if raw.decimal_comma else ","
    added, updated = [], 0
    if table in KEYED:
        key = list(KEYED[table])
        where = {tuple(r): i for i, r in zip(old_text.index, old_text[key].itertuples(index=False))}
        for rec in new_text.drop_duplicates(key, keep="last").to_dict("records"):
            k = tuple(rec[c] for c in key)
            if k not in where:
                added.append(rec)
                continue
            i = where[k]
            changed = False
            for c, v in rec.items():
                if v == "" or c in key:
                    continue
                now = old_text.at[i, c] if c in old_text.columns else merged.at[i, c]
                if now != v:
                    merged.at[i, c] = v
                    changed = True
            updated += changed
    else:
        shared = [c for c in columns if c in new_text.columns]
        have = Counter(old_text.reindex(columns=shared, fill_value="").itertuples(index=False,
                                                                                 name=None))
        for rec in new_text.to_dict("records"):
            k = tuple(rec.get(c, "") for c in shared)
            if have[k] > 0:
                have[k] -= 1
                continue
            added.append(rec)
    if not added and not updated:
        return Change(table, path, None, len(old), 0, 0, sep)
    if added:
        extra = pd.DataFrame(added, dtype="object").reindex(columns=out_cols, fill_value="")
        merged = pd.concat([merged, extra], ignore_index=True)
    return Change(table, path, merged.fillna("").reset_index(drop=True), len(old), len(added),
                  updated, sep)


def _write_table(change: Change, target: Path, sheet: str | None) -> None:
    if target.suffix.lower() == ".csv":
        change.frame.to_csv(target, index=False, sep=change.sep, encoding="utf-8",
                            lineterminator="\n")
    else:
        _write(change.frame, target, sheet)


def commit(folder: Path, meta: dict, changes: list[Change], validate) -> None:
    """Stage the changed tables, validate the staged dataset, then move them in.

    ``validate(staging)`` raises :class:`DataError` for an invalid result; nothing is changed
    then. Raises OSError (after restoring every file) when a move fails.
    """
    sheets = meta.get("sheets") or {}
    writes = [(c.path, lambda target, c=c: _write_table(c, target, sheets.get(c.table)))
              for c in changes if c.frame is not None]
    replace_files(folder, writes, validate)


def validate_staging(staging: Path) -> None:
    """Load the staged dataset as ``load_dataset`` would; DataError when it is not valid."""
    load_dataset(staging, use_cache=False)


__all__ = ["Change", "DataError", "canonical_text", "commit", "plan", "read_raw",
           "validate_staging"]
