"""Read what QDA software exports: REFI-QDA projects and codebooks, Taguette, plain tables.

``read_qda(path)`` picks the reader from the file (``.qdpx``/``.qde``/``.qdc``: REFI-QDA;
``.csv``/``.xlsx``: Taguette highlights or codebook, or a plain segments table, told apart by
their columns) and returns a :class:`QdaData` holding the dataset's ``segments``, ``codes`` and
``codings`` tables. ``leadeval import-qda`` (:mod:`helpers.qda.commands`) writes them into a
dataset folder.
"""

from __future__ import annotations

from pathlib import Path

from helpers.qda import plaincsv, refi, taguette
from helpers.qda.model import QdaData
from helpers.qda.safety import QdaError

REFI_SUFFIXES = (".qdpx", ".qde", ".qdc")
TABLE_SUFFIXES = (".csv", ".xlsx")


def read_qda(path: str | Path, min_overlap: float | None = None) -> QdaData:
    """Read one QDA export; raises :class:`QdaError` for a malformed, hostile or unknown file.

    ``min_overlap`` (REFI-QDA projects; default
    :data:`helpers.qda.refi.DEFAULT_MIN_OVERLAP`): two coders' selections that overlap by at
    least this share of their joint span become one double-coded segment.
    """
    if min_overlap is None:
        min_overlap = refi.DEFAULT_MIN_OVERLAP
    if not 0 < min_overlap <= 1:
        raise QdaError(f"min_overlap must be above 0 and at most 1; got {min_overlap}")

    path = Path(path)
    if not path.is_file():
        raise QdaError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in REFI_SUFFIXES:
        return refi.read_refi(path, min_overlap)
    if suffix in TABLE_SUFFIXES:
        frame = taguette.read_table(path)
        if taguette.is_highlights(frame):
            return taguette.read_highlights(frame)
        if plaincsv.is_plain(frame):
            return plaincsv.read_plain(frame)
        if taguette.is_codebook(frame):
            return taguette.read_codebook_table(frame)
        raise QdaError(f"{path.name}: columns {', '.join(frame.columns)} are neither a Taguette "
                       "export (id, document, tag, content / tag, description) nor a segments "
                       "table (source_id, text, code)")
    raise QdaError(f"{path.name}: unknown kind of file; expected .qdpx, .qde, .qdc, .csv or .xlsx")


__all__ = ["QdaData", "QdaError", "read_qda"]
