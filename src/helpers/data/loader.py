"""``load_dataset``: find, guard, hash, read, type, validate, pseudonymise and cache a dataset."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from helpers.data import cache, memo
from helpers.data.dataset import Dataset
from helpers.data.codebook import check_codebook
from helpers.data.errors import DataError, Problem
from helpers.data.ids import check_ids
from helpers.data.meta import META_FILE, read_meta, unknown_settings, with_lines
from helpers.data.pseudonym import key_fingerprint, pseudonym_key, pseudonymise
from helpers.data.readers import read_csv, read_parquet, read_xlsx
from helpers.data.rowindex import TableIndexes
from helpers.data.schema import REQUIRED_TABLES, TABLES
from helpers.data.validate import complete_columns, cross_check, date_warnings, type_table

EXTENSIONS = (".csv", ".xlsx", ".parquet")
_CHUNK = 1 << 20


OUTSIDE = "a file inside the dataset folder, not a link to a file outside it"


def _locate(folder: Path, meta: dict, problems: list[Problem]) -> dict[str, Path]:
    """table name -> file, from ``tables:``/``codebook:`` overrides or ``<table>.<ext>``.

    A file (or a folder on its path) that is a symbolic link resolving outside the dataset
    folder is refused: the folder is what is validated, hashed and published from, and a link
    could bring in any file the user can read.
    """
    found: dict[str, Path] = {}
    root = folder.resolve()
    overrides = dict(meta["tables"])
    if meta.get("codebook") and "codes" not in overrides:
        overrides["codes"] = str(meta["codebook"])
    for table in TABLES:
        if table in overrides:
            name = overrides[table]
            path = (folder / name).resolve()
            where = "codebook" if table == "codes" and table not in meta["tables"] else f"tables.{table}"
            if not path.is_relative_to(root):
                problems.append(Problem(META_FILE, None, where, name,
                                        OUTSIDE if (root / name).is_relative_to(root)
                                        and ".." not in Path(name).parts
                                        else "a file inside the dataset folder"))
            elif path.suffix.lower() not in EXTENSIONS:
                problems.append(Problem(META_FILE, None, where, name,
                                        "a .csv, .xlsx or .parquet file"))
            elif not path.is_file():
                problems.append(Problem(META_FILE, None, where, name,
                                        "a file that exists in the dataset folder"))
            else:
                found[table] = path
            continue
        candidates = [root / f"{table}{ext}" for ext in EXTENSIONS if (root / f"{table}{ext}").is_file()]
        if len(candidates) > 1:
            problems.append(Problem(candidates[1].name, None, None, None,
                                    f"one file for table {table} (found "
                                    f"{', '.join(c.name for c in candidates)})"))
        elif candidates and not candidates[0].resolve().is_relative_to(root):
            problems.append(Problem(candidates[0].name, None, None, candidates[0].name,
                                    f"{OUTSIDE} ({candidates[0].resolve()})"))
        elif candidates:
            found[table] = candidates[0]
    for table in REQUIRED_TABLES:
        if table not in found and table not in overrides:
            problems.append(Problem(f"{table}.csv", None, None, None,
                                    f"a file for the required table {table} "
                                    f"({table}.csv, {table}.xlsx or {table}.parquet)"))
    return found


def _oversize(folder: Path, files: dict[str, Path], max_mb: float) -> list[Problem]:
    """CSV and workbook files above the limit, refused before any byte is read."""
    problems = []
    for path in files.values():
        size = path.stat().st_size
        if path.suffix.lower() in (".csv", ".xlsx") and size > max_mb * 1_000_000:
            problems.append(Problem(path.relative_to(folder.resolve()).as_posix(), None, None,
                                    f"{size / 1_000_000:,.0f} MB",
                                    f"a file of at most {max_mb:g} MB (max_file_mb in "
                                    "dataset.yaml): split it, save it as .parquet, or raise "
                                    "the limit"))
    return problems


def content_hash(folder: Path, files: dict[str, Path]) -> str:
    """SHA-256 over dataset.yaml and the table files, in name order (name and bytes of each)."""
    digest = hashlib.sha256()
    paths = {META_FILE: folder / META_FILE}
    paths.update({p.relative_to(folder.resolve()).as_posix(): p for p in files.values()})
    for name in sorted(paths):
        digest.update(name.encode("utf-8") + b"\0")
        inner = hashlib.sha256()
        with open(paths[name], "rb") as fh:
            while chunk := fh.read(_CHUNK):
                inner.update(chunk)
        digest.update(inner.digest())
    return digest.hexdigest()


def unknown_files(folder: Path, files: dict[str, Path]) -> list[Problem]:
    """Files in the dataset folder that are not read: a ``responses.sav`` or ``survey.csv``
    would otherwise be ignored without a word. Hidden files and folders are left alone."""
    root = folder.resolve()
    used = {p.resolve() for p in files.values()} | {root / META_FILE}
    out = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.resolve() in used or path.is_dir():
            continue
        table = path.stem.lower()
        hint = (f"; to bring it in, use leadeval import {path.name} --dataset ... --map ..."
                if path.suffix.lower() in (".sav", ".dta", ".csv", ".xlsx", ".txt", ".tsv")
                else "")
        which = (f"the {table} table as {table}.csv, {table}.xlsx or {table}.parquet"
                 if table in TABLES else "a file named after a table (" + ", ".join(TABLES) + ")")
        out.append(Problem(path.name, None, None, path.name,
                           f"{which} or {META_FILE}: this file is not read{hint}"))
    return out


def load_dataset(path: str | Path, *, use_cache: bool = True, strict: bool = False) -> Dataset:
    """Load, type and validate a dataset folder.

    Parameters
    ----------
    path : str or Path
        The dataset folder (holds dataset.yaml and one file per table).
    use_cache : bool
        Serve and store the typed tables in the cache (:mod:`helpers.data.cache`).
    strict : bool
        Refuse files in the folder that are not read (otherwise they are warnings in
        ``Dataset.warnings``, as are implausible dates).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With every problem found; nothing is returned from an invalid dataset.
    """
    folder = Path(path).resolve()
    if not folder.is_dir():
        raise DataError([Problem(str(path), None, None, None,
                                 "a dataset folder holding dataset.yaml and the table files")])
    meta, problems = read_meta(folder)
    if meta is None:
        raise DataError(problems)
    files = _locate(folder, meta, problems)
    key, key_problems = pseudonym_key(meta)
    problems += key_problems
    if isinstance(meta["max_file_mb"], (int, float)) and meta["max_file_mb"] > 0:
        problems += _oversize(folder, files, meta["max_file_mb"])
    unread = with_lines(folder, unknown_settings(meta)) + unknown_files(folder, files)
    if strict:
        problems += unread
    if problems:
        raise DataError(with_lines(folder, problems))
    digest = content_hash(folder, files)
    entry = cache.cache_key(digest, key_fingerprint(key))
    names = {t: p.relative_to(folder.resolve()).as_posix() for t, p in files.items()}
    if use_cache:
        kept = memo.get(entry)
        if kept is not None:  # the digest covers the files' names, so the warnings hold too
            tables, indexes, dated = kept
            return Dataset(meta, folder, digest, tables, names, unread + list(dated), indexes)
        tables = cache.read_cached(entry)
    else:
        tables = None
    # an entry holds the warnings found when it was written: the rows they name are the
    # spreadsheet rows, which the cached tables (numbered from 0) no longer carry
    dated = cache.read_warnings(entry) if tables is not None else None
    if dated is None:
        tables = read_tables(folder, meta, files, problems)
        if problems:
            raise DataError(problems)
        if key is not None:
            pseudonymise(tables, key)
        dated = date_warnings(tables, names)
        tables = {t: cache.single_chunk(complete_columns(df, TABLES[t]).reset_index(drop=True))
                  for t, df in tables.items()}
        if use_cache:
            cache.write_cached(entry, tables, dated)
    indexes = TableIndexes(tables)
    if use_cache:
        memo.put(entry, tables, indexes, dated)
    return Dataset(meta, folder, digest, tables, names, unread + dated, indexes)


def read_tables(folder: Path, meta: dict, files: dict[str, Path],
                problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Read and type every table, then check across tables; problems are appended."""
    tables: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    decimal_comma: dict[str, bool] = {}
    root = folder.resolve()
    for table, path in files.items():
        spec = TABLES[table]
        file = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            raw = read_csv(path, file, spec, problems)
        elif suffix == ".xlsx":
            raw = read_xlsx(path, file, spec, meta["sheets"].get(table), problems)
        else:
            raw = read_parquet(path, file, spec, problems)
        if raw is None:
            continue
        tables[table] = type_table(raw, spec, problems,
                                   nhs_check=not meta["pseudonymisation"]["enabled"])
        if table in REQUIRED_TABLES and tables[table].empty:
            problems.append(Problem(raw.file, raw.header_row + 1, None, None,
                                    f"at least one row of data in the required table {table}"))
        labels[table] = raw.file
        decimal_comma[table] = raw.decimal_comma
    cross_check(tables, labels, meta, decimal_comma, problems)
    check_ids(tables, labels, problems)
    check_codebook(tables, labels, problems)
    return tables
