"""Write imported QDA tables into a dataset folder: merge, validate, then swap in atomically.

An import either changes the dataset completely or not at all (the caller holds the dataset's
lock, :func:`helpers.data.staging.lock_for_import`, from before :func:`plan` until
:func:`apply` returns):

1. the new rows are merged into the existing segments, codes and codings tables (rows with the
   same key are updated, others kept in their order, new ones appended; an empty imported
   value never overwrites a filled one, so importing Taguette highlights after its codebook
   keeps the code descriptions, and an existing code label is kept);
2. if nothing changed, nothing is written (importing the same file twice changes nothing);
3. otherwise the merged tables are written into a staging folder beside the real files (every
   other file is hard-linked there), checked for referential integrity and loaded with
   :func:`helpers.data.load_dataset`; any problem aborts the import and the staging folder is
   deleted;
4. each changed file is moved over the old one with ``os.replace`` (atomic per file); if a move
   fails the files already moved are restored from hard-linked backups.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from helpers.data.staging import OutsideDataset, read_table, replace_files
from helpers.qda.model import CODE_COLUMNS, CODING_COLUMNS, SEGMENT_COLUMNS, QdaData
from helpers.qda.safety import QdaError

KEYS = {"segments": ["segment_id"], "codes": ["code_id"],
        "codings": ["segment_id", "code_id", "coder_id"]}
COLUMNS = {"segments": SEGMENT_COLUMNS, "codes": CODE_COLUMNS, "codings": CODING_COLUMNS}


def read_existing(folder: Path, meta: dict, table: str) -> tuple[Path, pd.DataFrame | None, str]:
    """(file, its rows as text or None when absent, CSV separator to write it back with).

    Read by the loader's own readers (:func:`helpers.data.staging.read_table`), so any file the
    loader accepts can be merged into; one it cannot read is refused with its located problems.
    A semicolon-separated file is written back with semicolons."""
    problems: list = []
    try:
        path, raw = read_table(folder, meta, table, problems)
    except OutsideDataset as err:
        raise QdaError(str(err)) from err
    if problems:
        raise QdaError(f"the existing {table} table cannot be read:\n"
                       + "\n".join(str(p) for p in problems[:20]))
    if raw is None:
        return path, None, ","
    frame = raw.frame.reset_index(drop=True).astype("string").fillna("").astype(str)
    frame.columns = [str(c).strip() for c in frame.columns]
    return path, frame, ";" if raw.decimal_comma else ","


def merge_rows(existing: pd.DataFrame | None, new: pd.DataFrame, key: list[str],
               keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Upsert ``new`` into ``existing`` by ``key``; empty new values keep the existing ones.

    Columns in ``keep`` are only filled where the existing value is empty: a code's curated
    label (``Cross-speciality working``) is not replaced by a tool's spelling of the same code
    (Taguette's tag ``cross_speciality``). Rows keep the existing order; rows new to the table
    follow in the order imported.
    """
    new = new.fillna("").astype(str)
    if existing is None or existing.empty:
        return new.drop_duplicates(subset=key, keep="last").reset_index(drop=True)
    existing = existing.fillna("").astype(str)
    columns = list(existing.columns) + [c for c in new.columns if c not in existing.columns]
    old = existing.reindex(columns=columns, fill_value="")
    new = new.drop_duplicates(subset=key, keep="last").reindex(columns=columns, fill_value="")
    old_idx = pd.MultiIndex.from_frame(old[key])
    new_idx = pd.MultiIndex.from_frame(new[key])
    position = {k: i for i, k in enumerate(old_idx)}
    out = old.copy()
    appended = []
    for k, row in zip(new_idx, new.to_dict("records")):
        i = position.get(k)
        if i is None:
            appended.append(row)
            continue
        for col, value in row.items():
            j = out.columns.get_loc(col)
            if value == "" or (col in keep and out.iat[i, j] != ""):
                continue
            out.iat[i, j] = value
    if appended:
        out = pd.concat([out, pd.DataFrame(appended, columns=columns)], ignore_index=True)
    return out.reset_index(drop=True)


def integrity_problems(segments: pd.DataFrame, codes: pd.DataFrame, codings: pd.DataFrame) -> list[str]:
    """References that do not resolve: codings to segments and codes, codes to parents, cycles."""
    problems = []
    seg_ids = set(segments["segment_id"]) if segments is not None else set()
    code_ids = set(codes["code_id"]) if codes is not None else set()
    if codings is not None and not codings.empty:
        bad = sorted(set(codings["segment_id"]) - seg_ids)
        if bad:
            problems.append(f"codings refer to {len(bad)} segment(s) not in segments, e.g. {bad[0]!r}")
        bad = sorted(set(codings["code_id"]) - code_ids)
        if bad:
            problems.append(f"codings refer to {len(bad)} code(s) not in codes, e.g. {bad[0]!r}")
    if codes is not None and not codes.empty:
        parent = dict(zip(codes["code_id"], codes["parent_id"]))
        bad = sorted({p for p in parent.values() if p and p not in code_ids})
        if bad:
            problems.append(f"codes have a parent_id not in codes, e.g. {bad[0]!r}")
        for start in parent:
            seen, node = set(), start
            while node and node in parent:
                if node in seen:
                    problems.append(f"the code hierarchy has a cycle through {start!r}")
                    break
                seen.add(node)
                node = parent[node]
            else:
                continue
            break
    return problems


def _write(frame: pd.DataFrame, path: Path, sheet: str | None, sep: str = ",") -> None:
    """Write a table (CSV in UTF-8, separated by ``sep``); into an existing workbook only its
    own sheet is replaced."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, sep=sep, encoding="utf-8", lineterminator="\n")
    elif suffix == ".xlsx":
        if path.exists():
            name = sheet or load_workbook(path, read_only=True).sheetnames[0]
            with pd.ExcelWriter(path, mode="a", engine="openpyxl", if_sheet_exists="replace") as xw:
                frame.to_excel(xw, index=False, sheet_name=name)
        else:
            frame.to_excel(path, index=False, sheet_name=sheet or "Sheet1")
    else:
        frame.to_parquet(path, index=False)


def plan(folder: Path, meta: dict, data: QdaData) -> dict[str, tuple[Path, pd.DataFrame, int, int, str]]:
    """For each table the import touches: (file, merged frame, rows before, rows after, CSV
    separator), only for tables whose content changes."""
    changes = {}
    for table in ("segments", "codes", "codings"):
        new = getattr(data, table)
        if new is None or new.empty:
            continue
        path, existing, sep = read_existing(folder, meta, table)
        merged = merge_rows(existing, new[COLUMNS[table]], KEYS[table],
                            keep=("label",) if table == "codes" else ())
        if existing is not None and merged.equals(existing):
            continue
        changes[table] = (path, merged, 0 if existing is None else len(existing), len(merged), sep)
    return changes


def apply(folder: Path, meta: dict, changes: dict, validate=None) -> None:
    """Validate the planned tables in a staging copy and swap them in, all or nothing.

    Parameters
    ----------
    folder : the dataset folder.
    meta : its dataset.yaml settings.
    changes : from :func:`plan`.
    validate : callable(staging_folder) raising on an invalid dataset (``load_dataset``).
    """
    if not changes:
        return
    sheets = meta.get("sheets") or {}
    frames = {}
    for table in ("segments", "codes", "codings"):
        if table in changes:
            frames[table] = changes[table][1]
        else:
            frames[table] = read_existing(folder, meta, table)[1]
    problems = integrity_problems(frames["segments"], frames["codes"], frames["codings"])
    if problems:
        raise QdaError("the import would leave the dataset inconsistent: " + "; ".join(problems))
    writes = [(path, lambda target, merged=merged, sheet=sheets.get(table), sep=sep:
               _write(merged, target, sheet, sep))
              for table, (path, merged, _, _, sep) in changes.items()]
    try:
        replace_files(folder, writes, validate)
    except OSError as err:
        raise QdaError(f"could not write into {folder} ({err}); the dataset is unchanged") from err
