"""Replace table files of a dataset all or nothing, through a staging copy.

Both importers (`import-qda` and `import`) change a few table files of a dataset that may be in
use. The new files are written into a staging folder that mirrors the dataset (hard links, so
mirroring costs nothing), the staged dataset is validated as a whole, and only then are the
files moved in with ``os.replace``. If a move fails, the files already moved are put back from
hard-linked backups, so the dataset is either as it was or wholly changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

STAGING_PREFIX = ".leadeval-import-"


def mirror(folder: Path, staging: Path) -> None:
    """Hard-link (else copy) every file of the dataset into the staging folder."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(STAGING_PREFIX)]
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
    OSError
        A file could not be moved in; every file already moved has been restored first.
    """
    writes = list(writes)
    if not writes:
        return
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
