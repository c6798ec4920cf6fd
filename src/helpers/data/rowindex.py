"""Rows of a table by key, without scanning the whole column each time.

Every report takes its programme's or cohort's rows out of the loaded dataset
(:meth:`helpers.data.Dataset.subset`). A membership mask over the 7 million answers of a national
dataset costs about 0.1 s per table per report. A :class:`RowIndex` groups a column's row
positions by value once (an inverted index: the rows of each key, in table order), after which
the rows of a few keys cost time in proportion to the rows returned, not the size of the table.

:class:`TableIndexes` holds the indexes of the key columns that ``subset`` selects by
(:data:`KEY_COLUMNS`). It is built once, when a dataset is loaded, for exactly the frames loaded,
and travels with them (the in-process memo keeps it beside the tables), so it belongs to the
dataset rather than to the process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The columns :meth:`helpers.data.Dataset.subset` selects rows by, per table.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "participants": ("cohort_id",),
    "segments": ("participant_id",),
    "projects": ("programme_id", "lead_participant_id"),
    "attendance": ("participant_id",),
    "responses": ("participant_id",),
    "careers": ("participant_id",),
    "codings": ("segment_id",),
    "ties": ("from_id",),
    "kpi_values": ("project_id",),
    "applicants": ("cohort_id",),
    "applicant_careers": ("applicant_id",),
    "applicant_responses": ("applicant_id",),
}


def distinct_keys(values) -> list:
    """The distinct non-missing values of ``values``, in first-seen order: the key set that
    :func:`helpers.data.validate.within` and :meth:`RowIndex.positions` select rows by."""
    return pd.unique(pd.Series(list(values), dtype="object").dropna()).tolist()


def _is_arrow_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


class RowIndex:
    """Row positions of a column grouped by value.

    Parameters
    ----------
    column : Series
        The column (any hashable values; missing values are never matched). Keys are compared
        as :func:`helpers.data.validate.within` compares them: as text for an Arrow-backed text
        column, as they are otherwise.
    """

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column.array, use_na_sentinel=True)
        dtype = np.int32 if len(codes) < 2**31 else np.int64
        order = np.argsort(codes, kind="stable").astype(dtype, copy=False)
        sorted_codes = codes[order]
        groups = np.arange(len(uniques))
        self._keys = pd.Index(uniques)
        self._starts = np.searchsorted(sorted_codes, groups, side="left")
        self._ends = np.searchsorted(sorted_codes, groups, side="right")
        self._order = order
        self._as_text = _is_arrow_text(column)
        self.size = len(codes)
        for array in (self._starts, self._ends, self._order):
            array.flags.writeable = False  # shared by every copy of the dataset

    def positions(self, keys) -> np.ndarray:
        """Ascending row positions whose value is one of ``keys`` (unknown keys match nothing):
        the rows ``within(column, keys)`` selects, as positions."""
        if isinstance(keys, pd.Series) and keys.dtype == self._keys.dtype:
            # keys taken from a column like this one: missing keys find -1, repeats are dropped
            # below, so neither needs a pass of its own
            found = self._keys.get_indexer(keys.array) if len(keys) else np.empty(0, np.intp)
        else:
            distinct = distinct_keys(keys)
            if self._as_text:
                distinct = [str(k) for k in distinct]
            found = (self._keys.get_indexer(distinct) if len(distinct)
                     else np.empty(0, dtype=np.intp))
        found = np.unique(found[found >= 0])
        if not len(found):
            return np.empty(0, dtype=np.int64)
        starts, lengths = self._starts[found], self._ends[found] - self._starts[found]
        if len(found) == 1:  # one key: its rows are already in table order
            return self._order[starts[0]:starts[0] + lengths[0]].astype(np.int64)
        # every selected group's slice of the sorted order, gathered without a Python loop
        total = int(lengths.sum())
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        rows = self._order[shift + np.arange(total)].astype(np.int64)
        # keys in table order (a cohort's people, whose rows were written together) already
        # give ascending rows; checking is a tenth of the cost of sorting
        if total > 1 and not (rows[1:] > rows[:-1]).all():
            rows.sort()
        return rows


class TableIndexes:
    """The row indexes of :data:`KEY_COLUMNS` for one set of loaded tables.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables as loaded. The indexes describe these rows; a frame with other rows (a table
        replaced after loading) must not be looked up here (see :meth:`Dataset.subset`).
    """

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self._index: dict[tuple[str, str], RowIndex] = {}
        segments = tables.get("segments")
        #: Positions of the segments without a participant (unattributed lines), which
        #: ``subset`` keeps by their other columns.
        self.unattributed = (None if segments is None or "participant_id" not in segments
                             else np.flatnonzero(segments["participant_id"].isna().to_numpy()))
        for table, columns in KEY_COLUMNS.items():
            df = tables.get(table)
            if df is None:
                continue
            for column in columns:
                if column in df.columns:
                    self._index[(table, column)] = RowIndex(df[column])

    def positions(self, table: str, column: str, keys) -> np.ndarray | None:
        """Row positions of ``table`` whose ``column`` is one of ``keys``; None when that column
        has no index."""
        index = self._index.get((table, column))
        return None if index is None else index.positions(keys)
