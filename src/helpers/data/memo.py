"""Datasets kept in memory for the life of a process, keyed like the on-disk cache.

A report worker keeps one kernel for many jobs (:mod:`helpers.runner.warm`), and every job opens
the same dataset. Reading it again from the parquet cache costs 0.1 s on the sample but 12-16 s
at 100,000 participants, so the typed tables are also kept here. The runner re-imports the
``helpers`` modules between jobs but keeps this one (see ``warm._KEEP_MODULES``), so the memo
survives the reset while nothing else a job did does.

Safety: the key is the dataset's content hash (plus the pseudonymisation key fingerprint), so
changed data is never served; each caller gets shallow copies of the frames, and pandas'
copy-on-write (the default from pandas 3) means a job that changes its copy cannot change what
the next job receives. At most ``MAX_ENTRIES`` datasets are kept. The row indexes that take a
cohort's rows from them (:mod:`helpers.data.rowindex`) live here too, so they also outlive a job.
"""

from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from helpers.data.rowindex import IndexCache

MAX_ENTRIES = 2
_ENTRIES: OrderedDict[str, dict[str, pd.DataFrame]] = OrderedDict()
#: Row indexes of the kept tables' key columns (:mod:`helpers.data.rowindex`), kept with them.
INDEXES = IndexCache()


def get(key: str) -> dict[str, pd.DataFrame] | None:
    """Copies of the tables kept under ``key``, or None."""
    tables = _ENTRIES.get(key)
    if tables is None:
        return None
    _ENTRIES.move_to_end(key)
    return {name: df.copy(deep=False) for name, df in tables.items()}


def put(key: str, tables: dict[str, pd.DataFrame]) -> None:
    """Keep copies of ``tables`` under ``key``, dropping the least recently used entry."""
    _ENTRIES[key] = {name: df.copy(deep=False) for name, df in tables.items()}
    _ENTRIES.move_to_end(key)
    while len(_ENTRIES) > MAX_ENTRIES:
        _ENTRIES.popitem(last=False)


def clear() -> None:
    """Forget every kept dataset and row index."""
    _ENTRIES.clear()
    INDEXES.clear()
