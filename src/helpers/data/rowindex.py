"""Rows of a large table by key, without scanning the whole column each time.

A kept report kernel opens the same 100,000-participant dataset for every cohort report and takes
a cohort's rows from each table (:meth:`helpers.data.Dataset.subset`). A membership mask over the
7 million answers costs about 0.1 s per table per report, most of a small report's own work. A
:class:`RowIndex` groups a column's row positions by value once (an inverted index: the rows of
each key, in table order), after which a cohort's rows cost time in proportion to the rows
returned, not the size of the table.

Indexes are kept per column *array*: pandas' copy-on-write hands each job a shallow copy whose
columns share the loaded Arrow arrays, so the same array object means the same values in the same
rows. A column that a job changed, filtered or re-sorted is a new array and is never served from
an index built on another. A column is indexed the second time it is asked about (one lookup in
an interactive session costs less by mask than by building an index), and only when it has at
least :data:`MIN_ROWS` rows.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd

#: Smaller columns are always selected by mask: the index would not pay for itself.
MIN_ROWS = 200_000
#: Columns indexed at once in a process (each holds about 4 bytes per row).
MAX_INDEXES = 8


def distinct_keys(values) -> list:
    """The distinct non-missing values of ``values``, in first-seen order: the key set that
    :func:`helpers.data.validate.within` and :meth:`RowIndex.positions` select rows by."""
    return pd.unique(pd.Series(list(values), dtype="object").dropna()).tolist()


class RowIndex:
    """Row positions of a column grouped by value.

    Parameters
    ----------
    values : array-like
        The column (any hashable values; missing values are never matched).
    """

    def __init__(self, values) -> None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        dtype = np.int32 if len(codes) < 2**31 else np.int64
        order = np.argsort(codes, kind="stable").astype(dtype, copy=False)
        sorted_codes = codes[order]
        self._keys = pd.Index(uniques)
        self._starts = np.searchsorted(sorted_codes, np.arange(len(uniques)), side="left")
        self._ends = np.searchsorted(sorted_codes, np.arange(len(uniques)), side="right")
        self._order = order
        self.size = len(codes)

    def positions(self, keys) -> np.ndarray:
        """Ascending row positions whose value is one of ``keys`` (unknown keys match nothing):
        the rows ``column.isin(keys)`` selects, as positions."""
        distinct = distinct_keys(keys)
        found = self._keys.get_indexer(distinct) if distinct else np.empty(0, dtype=np.intp)
        found = found[found >= 0]
        if not len(found):
            return np.empty(0, dtype=np.int64)
        pieces = [self._order[s:e] for s, e in zip(self._starts[found], self._ends[found])]
        return np.sort(np.concatenate(pieces)).astype(np.int64, copy=False)


def _array_key(column: pd.Series):
    """The Arrow array behind an Arrow-backed text column (it identifies the column's data), or
    None for any other column."""
    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    return column.array.__arrow_array__()


class IndexCache:
    """Row indexes of the columns seen in this process, keyed by the identity of their data."""

    def __init__(self, max_indexes: int = MAX_INDEXES, min_rows: int = MIN_ROWS) -> None:
        self.max_indexes, self.min_rows = max_indexes, min_rows
        # id(array) -> (array, RowIndex or None); the array is held so its id is not reused.
        self._entries: OrderedDict[int, tuple[object, RowIndex | None]] = OrderedDict()

    def positions(self, column: pd.Series, keys) -> np.ndarray | None:
        """Positions of the rows of ``column`` in ``keys``, or None when the column is small, not
        Arrow-backed, or seen for the first time (then the caller uses a mask)."""
        if len(column) < self.min_rows:
            return None
        data = _array_key(column)
        if data is None:
            return None
        entry = self._entries.get(id(data))
        if entry is None or entry[0] is not data:
            self._remember(data, None)
            return None
        index = entry[1]
        if index is None or index.size != len(column):
            index = RowIndex(column.array)
            self._remember(data, index)
        self._entries.move_to_end(id(data))
        # text keys, as helpers.data.validate.within compares them
        return index.positions([str(k) for k in distinct_keys(keys)])

    def _remember(self, data, index: RowIndex | None) -> None:
        self._entries[id(data)] = (data, index)
        self._entries.move_to_end(id(data))
        while len(self._entries) > self.max_indexes:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
