"""Replace table files of a dataset all or nothing, through a staging copy, under its lock.

Both importers (`import-qda` and `import`) change a few table files of a dataset that may be in
use. An import first takes the dataset's exclusive lock (:func:`lock_for_import`; ``leadeval
run`` holds the same lock shared), so two imports never read the same old tables and one's
rows are never lost to the other's; with the lock held, staging folders left by a killed import
are removed. Existing tables are read with the loader's own readers (:func:`read_table`), so
every file the loader accepts (UTF-16 or Windows-1252, semicolons, a title row) can be merged
into. The new files are written into a staging folder that mirrors the dataset (hard links, so
mirroring costs nothing), the staged dataset is validated as a whole, and only then are the
files moved in with ``os.replace``. If a move fails, the files already moved are put back from
hard-linked backups, so the dataset is either as it was or wholly changed. Only files inside
the dataset folder are ever written (:func:`table_file`, :func:`outside_tables`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from helpers.data.errors import Problem
from helpers.data.meta import META_FILE
from helpers.data.readers import RawTable, read_csv, read_parquet, read_xlsx
from helpers.data.schema import TABLES
from helpers.runner.lock import DatasetLock, lock_wait

STAGING_PREFIX = ".leadeval-import-"
EXTENSIONS = (".csv", ".xlsx", ".parquet")


class OutsideDataset(OSError):
    """A file an import would write lies outside the dataset folder; nothing was written."""


def remove_leftovers(folder: Path) -> list[str]:
    """Remove staging folders a killed import left in the dataset folder; their names.

    Call it only with the dataset's exclusive lock held: then no import is using them."""
    gone = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith(STAGING_PREFIX) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path.name)
    return gone


def lock_for_import(folder: Path, holder: str, say: Callable[[str], None] | None = None,
                    wait: float | None = None) -> DatasetLock:
    """Take the dataset's exclusive lock for an import and clear left-over staging folders.

    Waits up to ``wait`` seconds (default :func:`lock_wait`) for another import or a run;
    raises :class:`helpers.runner.exceptions.LockHeld` after that, or OSError when the lock
    file cannot be created (a read-only dataset folder)."""
    lock = DatasetLock(folder, shared=False, holder=holder).acquire(
        lock_wait() if wait is None else wait, say)
    try:
        gone = remove_leftovers(folder)
    except OSError:
        gone = []
    if gone and say is not None:
        say(f"removed {len(gone)} staging folder(s) left by an interrupted import")
    return lock


def _overrides(meta: dict) -> dict[str, tuple[str, str]]:
    """table -> (file named in dataset.yaml, the key naming it)."""
    out = {t: (str(v), f"tables.{t}") for t, v in dict(meta.get("tables") or {}).items()}
    if meta.get("codebook") and "codes" not in out:
        out["codes"] = (str(meta["codebook"]), "codebook")
    return out


def outside_tables(folder: Path, meta: dict) -> list[Problem]:
    """dataset.yaml ``tables:``/``codebook:`` entries that lead out of the dataset folder
    (absolute, ``..``, or through a symbolic link): an import never writes there."""
    root = Path(folder).resolve()
    return [Problem(META_FILE, None, key, name, "a file inside the dataset folder")
            for name, key in _overrides(meta).values()
            if not (root / name).resolve().is_relative_to(root)]


def table_file(folder: Path, meta: dict, table: str) -> Path:
    """The file that holds ``table``: dataset.yaml's override, an existing file, or
    ``<table>.csv``; raises :class:`OutsideDataset` for an override outside the folder."""
    folder = Path(folder)
    overrides = _overrides(meta)
    if table in overrides:
        name, key = overrides[table]
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()):
            raise OutsideDataset(f"{META_FILE} {key}: {name!r} is outside the dataset folder "
                                 f"{folder}; an import writes only inside it")
        return path
    for ext in EXTENSIONS:
        if (folder / f"{table}{ext}").is_file():
            return folder / f"{table}{ext}"
    return folder / f"{table}.csv"


def read_table(folder: Path, meta: dict, table: str,
               problems: list[Problem]) -> tuple[Path, RawTable | None]:
    """(file, its cells as text) for ``table``, read by the loader's readers (encodings,
    separators, title rows), or (file, None) when the table has no file yet; what cannot be
    read is added to ``problems`` (located) and gives None too."""
    path = table_file(folder, meta, table)
    if not path.is_file():
        return path, None
    spec = TABLES[table]
    suffix = path.suffix.lower()
    file = path.relative_to(folder).as_posix()
    if suffix == ".csv":
        raw = read_csv(path, file, spec, problems)
    elif suffix == ".xlsx":
        raw = read_xlsx(path, file, spec, (meta.get("sheets") or {}).get(table), problems)
    elif suffix == ".parquet":
        raw = read_parquet(path, file, spec, problems)
        if raw is not None:
            raw.frame = raw.frame.astype("string").fillna("").astype("object")
    else:
        problems.append(Problem(file, None, None, suffix, "a .csv, .xlsx or .parquet file"))
        raw = None
    return path, raw


def mirror(folder: Path, staging: Path) -> None:
    """Hard-link (else copy) every file of the dataset into the staging folder."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(STAGING_PREFIX) and d != ".leadeval"]
        rel = Path(root).relative_to(folder)
        (staging / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(root) / name, staging / rel / name
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def replace_files(folder: Path, writes: Iterable[tuple[Path, Callable[[Path], None]]],
                  validate: Callable[[Path], None] | None = None) -> None:
    """Write new versions of files of ``folder``, validate, and move them in, all or nothing.

    Parameters
    ----------
    folder : the dataset folder.
    writes : pairs (path of a file in ``folder``, function writing its new content to a given
        path). A path may come more than once (several sheets of one workbook): the writers then
        write into the same staged file in turn.
    validate : callable(staging_folder) raising on an invalid result; nothing is changed then.

    Raises
    ------
    OutsideDataset
        A path lies outside ``folder`` (checked before anything is written).
    OSError
        A file could not be moved in; every file already moved has been restored first.
    """
    writes = list(writes)
    if not writes:
        return
    root = Path(folder).resolve()
    for path, _ in writes:
        if not Path(path).resolve().is_relative_to(root):
            raise OutsideDataset(f"{path} is outside the dataset folder {folder}; nothing was written")
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        mirror(folder, staging)
        staged: set[Path] = set()
        for path, write in writes:
            target = staging / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target not in staged and target.exists():
                target.unlink()  # a hard link to the original: never write through it
                if path.suffix.lower() == ".xlsx" and path.exists():
                    shutil.copy2(path, target)  # keep the workbook's other sheets
            staged.add(target)
            write(target)
        if validate is not None:
            validate(staging)
        backups: dict[Path, Path] = {}
        moved: list[Path] = []
        try:
            for path in dict.fromkeys(p for p, _ in writes):
                if path.exists():
                    backup = staging / f"{STAGING_PREFIX}backup-{len(backups)}{path.suffix}"
                    _link_or_copy(path, backup)
                    backups[path] = backup
                os.replace(staging / path.relative_to(folder), path)
                moved.append(path)
        except OSError:
            for path in moved:
                if path in backups:
                    os.replace(backups[path], path)
                else:
                    path.unlink(missing_ok=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
