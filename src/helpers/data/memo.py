"""Datasets kept in memory for the life of a process, keyed like the on-disk cache.

Every report opens the dataset, and a report kernel is a fork of a process that already loaded
it (:mod:`helpers.runner.kernels`), so the typed tables are kept here once loaded: reading them
again from the parquet cache costs 0.1 s on the sample but 12-16 s at 100,000 participants.
The row indexes built at load (:class:`helpers.data.rowindex.TableIndexes`) and the date
warnings found at load are kept with them: checking the dates again costs as much as a small
report at 100,000 participants, and the same content gives the same warnings.

Safety: the key is the dataset's content hash (plus the pseudonymisation key fingerprint), so
changed data is never served; each caller gets shallow copies of the frames, and pandas'
copy-on-write (the default from pandas 3) means a caller that changes its copy cannot change
what the next caller receives. At most ``MAX_ENTRIES`` datasets are kept.
"""

from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from helpers.data.errors import Problem
from helpers.data.rowindex import TableIndexes

MAX_ENTRIES = 2
Kept = tuple[dict[str, pd.DataFrame], TableIndexes, tuple[Problem, ...]]
_ENTRIES: OrderedDict[str, Kept] = OrderedDict()


def get(key: str) -> Kept | None:
    """Copies of the tables kept under ``key``, their row indexes and date warnings, or None."""
    entry = _ENTRIES.get(key)
    if entry is None:
        return None
    _ENTRIES.move_to_end(key)
    tables, indexes, warnings = entry
    return {name: df.copy(deep=False) for name, df in tables.items()}, indexes, warnings


def put(key: str, tables: dict[str, pd.DataFrame], indexes: TableIndexes,
        warnings: tuple[Problem, ...] = ()) -> None:
    """Keep copies of ``tables``, their ``indexes`` and ``warnings`` under ``key``, dropping
    the least recently used entry."""
    _ENTRIES[key] = ({name: df.copy(deep=False) for name, df in tables.items()}, indexes,
                     tuple(warnings))
    _ENTRIES.move_to_end(key)
    while len(_ENTRIES) > MAX_ENTRIES:
        _ENTRIES.popitem(last=False)


def clear() -> None:
    """Forget every kept dataset."""
    _ENTRIES.clear()
