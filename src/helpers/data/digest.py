"""Content digests of what a report reads: the rows of its scope and the settings it uses.

A report of one programme or cohort reads ``Dataset.subset(programme_id, cohort_id)``: its
scope's rows of the restricted tables and the unrestricted tables whole (codes, items), and the
report-facing settings of dataset.yaml. :func:`scope_digests` hashes exactly that, so the
runner re-runs a report when, and only when, something it reads has changed
(:mod:`helpers.runner.hashing`): a changed answer in one cohort changes that cohort's digest and
its programme's, and no other.

Rows are hashed with :func:`pandas.util.hash_pandas_object` (64 bits per row over every column's
value, with a fixed key), once per table; a scope's digest of a table is SHA-256 over the table's
columns and dtypes and the hashes of its rows in order. Index labels are not hashed: a subset's
frames are numbered from 0 (:meth:`helpers.data.Dataset.subset`).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

#: dataset.yaml settings that only tell the loader how to read the files; what they change
#: reaches a report through the rows (hashed) and ``Dataset.files`` (in the settings digest).
LOADER_SETTINGS = ("codebook", "tables", "sheets", "max_file_mb", "pseudonymisation", "seed")


def report_settings(ds) -> dict:
    """What a report may read of a dataset besides its rows: dataset.yaml's settings (without
    :data:`LOADER_SETTINGS`) and the file each table was read from."""
    meta = {k: v for k, v in ds.meta.items() if k not in LOADER_SETTINGS}
    return {"meta": meta, "files": dict(sorted(ds.files.items()))}


def settings_digest(ds) -> str:
    """Hex SHA-256 of :func:`report_settings`."""
    text = json.dumps(report_settings(ds), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _schema(df: pd.DataFrame) -> bytes:
    return json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode()


def row_hashes(df: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over every column (not the index), in row order."""
    if df.shape[1] == 0:
        return np.zeros(len(df), dtype=np.uint64)
    return pd.util.hash_pandas_object(df, index=False).to_numpy(dtype=np.uint64)


class _Tables:
    """Row hashes and whole-table digests of one dataset's tables, each computed once."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = tables
        self._rows: dict[str, np.ndarray] = {}
        self._whole: dict[str, str] = {}
        self._head: dict[str, bytes] = {}

    def rows(self, name: str) -> np.ndarray:
        if name not in self._rows:
            self._rows[name] = row_hashes(self.tables[name])
        return self._rows[name]

    def digest(self, name: str, positions: np.ndarray | None = None) -> str:
        if positions is None and name in self._whole:
            return self._whole[name]
        if name not in self._head:
            self._head[name] = name.encode() + b"\0" + _schema(self.tables[name]) + b"\0"
        h = hashlib.sha256(self._head[name])
        hashes = self.rows(name) if positions is None else self.rows(name)[positions]
        h.update(np.ascontiguousarray(hashes).tobytes())
        out = h.hexdigest()
        if positions is None:
            self._whole[name] = out
        return out


def scope_digests(ds, scopes) -> dict[tuple[str, str | None], str]:
    """The digest of every scope's rows, as ``Dataset.subset`` would give them.

    Parameters
    ----------
    ds : helpers.data.Dataset
        The whole dataset.
    scopes : iterable of (programme_id, cohort_id or None)

    Returns
    -------
    dict
        ``(programme_id, cohort_id) -> hex SHA-256`` over every table of the scope's subset
        (restricted tables by their rows, the others whole). Equal digests mean equal subsets,
        up to 64-bit row-hash collisions.
    """
    tables = _Tables(ds.tables)
    out = {}
    for programme_id, cohort_id in scopes:
        rows = ds.scope_rows(programme_id, cohort_id)
        h = hashlib.sha256()
        for name in sorted(ds.tables):
            h.update(tables.digest(name, rows.get(name)).encode())
        out[(programme_id, cohort_id)] = h.hexdigest()
    return out
