"""``leadeval import EXPORT... --dataset DIR --map MAP.yaml [--dry-run]`` and ``--init-map``.

Order of work, so that nothing is written unless everything is right: read and check the map;
take the dataset's lock (waiting for another import or run to finish); read the dataset's
tables with the loader's own readers and typing; read each export, drop the ``drop:`` columns,
refuse identifying columns left, build the new rows; type them and check them against the
dataset (the loader's per-table and cross-table checks), every problem located at the export's
file:row:column; merge; load the staged result with ``load_dataset``; swap it in. Exit status 0
imported (or nothing to change), 2 refused (the dataset was not changed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.errors import DataError, Problem
from helpers.data.loader import _locate, read_tables
from helpers.data.meta import read_meta
from helpers.data.readers import RawTable
from helpers.data.schema import REQUIRED_TABLES, TABLES
from helpers.data.staging import lock_for_import, outside_tables
from helpers.data.validate import REFERENCES, cross_check, type_table
from helpers.intake import writer
from helpers.intake.builders import BUILDERS, Built, Context, prepare
from helpers.intake.exports import describe, read_export
from helpers.intake.mapfile import ImportMap, read_map
from helpers.runner.exceptions import LockHeld
from helpers.runner.publish import unwritable

PROG = "leadeval import"
NEW = "<import>"
MAP_KEY = {"from_id": "from", "to_id": "to", "instrument_id": "instrument", "item_id": "items"}


class Refused(Exception):
    """The import is refused; ``problems`` located, ``why`` one sentence."""

    def __init__(self, why: str, problems: list[Problem]):
        super().__init__(why)
        self.why = why
        self.problems = problems


def _say(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


def locate(p: Problem, origin: pd.DataFrame, m: ImportMap) -> Problem:
    """A problem found in the new rows, moved to the export cell (or map line) it came from."""
    if p.file != NEW:
        return p
    if p.row is None or p.row not in origin.index:
        files = ", ".join(dict.fromkeys(origin["file"])) if len(origin) else m.label
        return Problem(files, None, p.column, p.value, p.expected)
    o = origin.loc[p.row]
    source = o[p.column] if p.column in origin.columns else None
    if source is None or (not isinstance(source, str) and pd.isna(source)):
        key = MAP_KEY.get(p.column, p.column)
        return Problem(m.label, m.line(key), key, p.value, p.expected)
    return Problem(str(o["file"]), int(o["row"]), str(source), p.value, p.expected)


def existing_tables(folder: Path, meta: dict, into: str) -> tuple[dict, dict, dict]:
    """The dataset's tables as the loader types them (before pseudonymisation), by file row."""
    problems: list[Problem] = []
    files = _locate(folder, meta, problems)
    problems = [p for p in problems if not (into in REQUIRED_TABLES and p.file.startswith(into + ".")
                                            and p.row is None and "required table" in p.expected)]
    if not problems:
        tables = read_tables(folder, meta, files, problems)
    if problems:
        raise Refused(f"the dataset {folder} is not valid before the import "
                      "(leadeval validate lists the same problems)", problems)
    names = {t: p.relative_to(folder).as_posix() for t, p in files.items()}
    return tables, names, files


def _type_new(m: ImportMap, built: list[Built], ctx: Context, meta: dict, names: dict,
              problems: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Type the new rows and check them against the dataset; problems located at the export."""
    spec = TABLES[m.into]
    frame = pd.concat([b.frame for b in built], ignore_index=True)
    origin = pd.concat([b.origin for b in built], ignore_index=True)
    index = np.arange(len(frame))
    frame.index = origin.index = index
    found: list[Problem] = []
    nhs = not meta["pseudonymisation"]["enabled"]
    typed = type_table(RawTable(NEW, frame.astype("object")), spec, found, nhs_check=nhs)
    new_items = [b.items for b in built if b.items is not None]
    items_typed = None
    tables = {m.into: typed}
    for child, _, parent, _ in REFERENCES:
        if child == m.into and parent in ctx.tables and parent != m.into:
            tables[parent] = ctx.tables[parent]
    if m.into == "responses":
        items = pd.concat(new_items, ignore_index=True).drop_duplicates(
            ["instrument_id", "item_id"]) if new_items else None
        if items is not None:
            items.index = np.arange(len(items)) + 2
            items_typed = type_table(RawTable(m.label, items), TABLES["items"], found)
            old = ctx.tables.get("items")
            offset = (0 if old is None or not len(old) else int(old.index.max())) + 1_000_000
            items_typed.index = items_typed.index + offset
            tables["items"] = items_typed if old is None else pd.concat([old, items_typed])
        elif "items" in ctx.tables:
            tables["items"] = ctx.tables["items"]
    files = dict(names)
    files[m.into] = NEW
    files.setdefault("items", "items.csv")
    cross_check(tables, files, meta, {}, found)
    for p in found:
        if p.file == m.label and p.row is not None:   # a new item: point at add_items
            p = Problem(m.label, m.line("add_items"), f"add_items ({p.column})", p.value, p.expected)
        problems.append(locate(p, origin, m))
    if items_typed is not None:
        items_typed.index = items_typed.index - items_typed.index.min()
    return typed, origin, items_typed


def run_import(folder: Path, m: ImportMap, exports: list[Path]) -> tuple[list, list[str], int]:
    """Plan the import: (changes, notes, rows read). Raises :class:`Refused`."""
    meta, problems = read_meta(folder)
    if meta is None or problems:
        raise Refused(f"{folder} is not a valid dataset folder", problems)
    outside = outside_tables(folder, meta)
    if outside:
        raise Refused("dataset.yaml names table files outside the dataset folder, and an import "
                      "writes only inside it", outside)
    tables, names, files = existing_tables(folder, meta, m.into)
    ctx = Context(tables, {i["instrument_id"]: i for i in meta["instruments"]})
    problems = []
    built: list[Built] = []
    notes: list[str] = []
    dictionary = m.beside(str(m.raw["dictionary"])) if m.get("dictionary") else None
    for path in exports:
        export, found = read_export(path, m.get("format", "auto"), m.get("sheet"), dictionary)
        problems += found
        if export is None:
            continue
        notes.append("read " + describe(export))
        export = prepare(m, export, problems)
        result = BUILDERS[m.into](m, export, problems, ctx)
        if result is not None:
            built.append(result)
            notes += result.notes
    if problems:
        raise Refused("the map does not fit the export(s)", problems)
    rows = sum(len(b.frame) for b in built)
    if not rows:
        return [], notes + ["no rows to import (after drop:, filter: and blanks)"], 0
    typed, origin, items_typed = _type_new(m, built, ctx, meta, names, problems)
    if problems:
        raise Refused("the new rows are not valid for the dataset", problems)
    changes = []
    spec = TABLES[m.into]
    path, raw = writer.read_raw(folder, meta, m.into, problems)
    changes.append(writer.plan(m.into, path, raw, tables.get(m.into),
                               writer.canonical_text(typed, spec)))
    if items_typed is not None:
        path, raw = writer.read_raw(folder, meta, "items", problems)
        changes.append(writer.plan("items", path, raw, tables.get("items"),
                                   writer.canonical_text(items_typed, TABLES["items"])))
    if problems:
        raise Refused("a table of the dataset could not be read", problems)
    return changes, notes, rows


def _report(problems: list[Problem], why: str, changed_nothing: bool = True) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    tail = " The dataset was not changed." if changed_nothing else ""
    _say(f"refused: {why}; {len(problems)} problem(s).{tail}")
    return 2


def import_command(args: argparse.Namespace) -> int:
    """Entry point of ``leadeval import``; returns the exit status (0 or 2)."""
    if args.init_map:
        from helpers.intake.initmap import init_map_command

        return init_map_command(args.exports, args.map)
    if not args.dataset or not args.map:
        _say("give --dataset DIR and --map MAP.yaml (or --init-map EXPORT to start a map)")
        return 2
    folder = Path(args.dataset).resolve()
    if not (folder / "dataset.yaml").is_file():
        _say(f"{args.dataset} is not a dataset folder (no dataset.yaml); the dataset was not changed")
        return 2
    why = None if args.dry_run else unwritable(folder)
    if why:
        _say(f"refused: {why}; the dataset was not changed")
        return 2
    m, problems = read_map(args.map)
    if m is None:
        return _report(problems, f"the map {args.map} cannot be used")
    exports = [Path(e) for e in args.exports]
    inside = [e for e in exports if e.resolve().is_relative_to(folder)]
    lock = None
    try:
        if not args.dry_run:
            try:
                lock = lock_for_import(folder, PROG, _say)
            except LockHeld as held:
                _say(f"refused: {held}. The dataset was not changed.")
                return 2
            except OSError as err:
                _say(f"refused: cannot lock the dataset folder {folder} ({err.strerror or err}). "
                     "The dataset was not changed.")
                return 2
        try:
            changes, notes, rows = run_import(folder, m, exports)
        except Refused as refused:
            return _report(refused.problems, refused.why)
        for note in notes:
            _say(note)
        pending = [c for c in changes if c.frame is not None]
        verb = "would change" if args.dry_run else "changed"
        if not pending:
            _say(f"the dataset already holds all {rows:,} row(s); nothing changed")
            return 0
        if args.dry_run:
            for c in pending:
                print(f"{c.path.name}: would go from {c.before:,} to {c.before + c.added:,} rows "
                      f"({c.added:,} added, {c.updated:,} updated)")
                if c.added:
                    print(c.frame.tail(c.added).head(10).to_csv(index=False), end="")
            _say("dry run: nothing was written")
            return 0
        try:
            writer.commit(folder, _meta(folder), pending, writer.validate_staging)
        except DataError as err:
            return _report(err.problems, "the dataset would not be valid after the import "
                           "(problems at rows of the merged tables)")
        except OSError as err:
            _say(f"refused: could not write into {folder} ({err}); the dataset was not changed")
            return 2
        for c in pending:
            print(f"{c.path.name}: {c.before:,} -> {c.before + c.added:,} rows "
                  f"({c.added:,} added, {c.updated:,} updated)")
        if inside:
            _say("note: " + ", ".join(e.name for e in inside) + " is inside the dataset folder; "
                 "move it out (the loader warns about files it does not read)")
        _say(f"{verb} {len(pending)} table(s) of {folder}")
        return 0
    finally:
        if lock is not None:
            lock.release()


def _meta(folder: Path) -> dict:
    meta, _ = read_meta(folder)
    return meta
