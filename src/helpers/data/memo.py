"""Datasets kept in memory for the life of a process, keyed like the on-disk cache.

Every report opens the dataset, and a report kernel is a fork of a process that already loaded
it (:mod:`helpers.runner.kernels`), so the typed tables are kept here once loaded: reading them
again from the parquet cache costs 0.1 s on the sample but 12-16 s at 100,000 participants.
The row indexes built at load (:class:`helpers.data.rowindex.TableIndexes`) are kept with them.

Safety: the key is the dataset's content hash (plus the pseudonymisation key fingerprint), so
changed data is never served; each caller gets shallow copies of the frames, and pandas'
copy-on-write (the default from pandas 3) means a caller that changes its copy cannot change
what the next caller receives. At most ``MAX_ENTRIES`` datasets are kept.
"""

from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from helpers.data.rowindex import TableIndexes

MAX_ENTRIES = 2
_ENTRIES: OrderedDict[str, tuple[dict[str, pd.DataFrame], TableIndexes]] = OrderedDict()


def get(key: str) -> tuple[dict[str, pd.DataFrame], TableIndexes] | None:
    """Copies of the tables kept under ``key`` and their row indexes, or None."""
    entry = _ENTRIES.get(key)
    if entry is None:
        return None
    _ENTRIES.move_to_end(key)
    tables, indexes = entry
    return {name: df.copy(deep=False) for name, df in tables.items()}, indexes


def put(key: str, tables: dict[str, pd.DataFrame], indexes: TableIndexes) -> None:
    """Keep copies of ``tables`` and their ``indexes`` under ``key``, dropping the least
    recently used entry."""
    _ENTRIES[key] = ({name: df.copy(deep=False) for name, df in tables.items()}, indexes)
    _ENTRIES.move_to_end(key)
    while len(_ENTRIES) > MAX_ENTRIES:
        _ENTRIES.popitem(last=False)


def clear() -> None:
    """Forget every kept dataset."""
    _ENTRIES.clear()
