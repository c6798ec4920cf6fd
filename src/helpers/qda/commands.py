"""``leadeval import-qda FILE --dataset DIR``: coded segments from QDA software into a dataset.

Exit status 0 when the dataset now holds the file's codes (including "nothing to change"), 2
when the file or the dataset is refused; the dataset is then untouched. Messages go to stderr.
The whole import, from reading the existing tables to moving the new ones in, holds the
dataset's exclusive lock (the lock ``leadeval run`` holds shared), so concurrent imports wait
for one another and none is lost; one that cannot get the lock in time is refused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from helpers.qda import read_qda
from helpers.qda.safety import QdaError


def _participant_ids(folder: Path, meta: dict) -> set[str] | None:
    from helpers.qda.writer import read_existing

    try:
        _, frame, _ = read_existing(folder, meta, "participants")
    except QdaError:  # an unreadable participants file is reported by validation later
        return None
    if frame is None or "participant_id" not in frame.columns:
        return None
    return set(frame["participant_id"].astype(str).str.strip())


def unknown_participants(segments: pd.DataFrame, known: set[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Blank participant ids (QDA case names) that are not participants of the dataset."""
    if known is None or segments.empty:
        return segments, []
    ids = segments["participant_id"].fillna("").astype(str)
    bad = sorted(set(ids[(ids != "") & ~ids.isin(known)]))
    if not bad:
        return segments, []
    out = segments.copy()
    out.loc[ids.isin(bad), "participant_id"] = ""
    return out, [f"{len(bad)} case name(s) are not participant ids of this dataset, so their "
                 "segments have no participant_id (give each case a participant_id variable)"]


def _validate(staging: Path) -> None:
    from helpers.data import DataError, load_dataset

    try:
        load_dataset(staging, use_cache=False)
    except DataError as err:
        raise QdaError("the dataset would not be valid after the import:\n"
                       + "\n".join(str(p) for p in err.problems[:20])) from err


def import_command(file: str | Path, dataset: str | Path, min_overlap: float | None = None) -> int:
    """Import ``file`` (REFI-QDA, Taguette or plain table) into the dataset folder ``dataset``;
    ``min_overlap`` as :func:`helpers.qda.read_qda`.

    Returns the exit status: 0 imported (or already there), 2 refused (the dataset unchanged).
    """
    from helpers.data.meta import read_meta
    from helpers.data.staging import lock_for_import, outside_tables
    from helpers.qda import writer
    from helpers.runner.exceptions import LockHeld

    file, folder = Path(file), Path(dataset)
    prog = "leadeval import-qda"

    def refuse(why: str) -> int:
        print(f"{prog}: refused {file.name}: {why}\nThe dataset was not changed.", file=sys.stderr)
        return 2

    if not folder.is_dir():
        print(f"{prog}: {folder} is not a folder", file=sys.stderr)
        return 2
    if not (folder / "dataset.yaml").is_file():
        print(f"{prog}: {folder} is not a dataset folder (no dataset.yaml)", file=sys.stderr)
        return 2
    try:
        lock = lock_for_import(folder, prog, lambda text: print(f"{prog}: {text}", file=sys.stderr))
    except LockHeld as held:
        return refuse(str(held))
    except OSError as err:
        return refuse(f"cannot lock the dataset folder {folder} ({err.strerror or err})")
    try:
        meta, problems = read_meta(folder)
        if meta is None:
            print(f"{prog}: {folder} is not a dataset folder: "
                  + "; ".join(f"{p.file}: {p.message}" for p in problems), file=sys.stderr)
            return 2
        outside = outside_tables(folder, meta)
        if outside:
            return refuse("dataset.yaml names table files outside the dataset folder, and an "
                          "import writes only inside it:\n" + "\n".join(str(p) for p in outside))
        try:
            data = read_qda(file, min_overlap=min_overlap)
            data.segments, notes = unknown_participants(data.segments, _participant_ids(folder, meta))
            data.warnings += notes
            changes = writer.plan(folder, meta, data)
            writer.apply(folder, meta, changes, validate=_validate)
        except QdaError as err:
            return refuse(str(err))
    finally:
        lock.release()
    for warning in data.warnings:
        print(f"{prog}: warning: {warning}", file=sys.stderr)
    print(f"{prog}: read {data.summary()} from {file.name}")
    if not changes:
        print(f"{prog}: {folder} already holds everything in {file.name}; nothing changed")
    for table, (path, _, before, after, _) in changes.items():
        print(f"{prog}: {path.name}: {before} -> {after} rows")
    return 0
