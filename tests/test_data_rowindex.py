"""helpers.data.rowindex: an inverted index gives exactly the rows a membership mask gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data import load_dataset, memo
from helpers.data.dataset import rows_in
from helpers.data.rowindex import IndexCache, RowIndex
from helpers.data.validate import within


def _column(n=5000, seed=3):
    rng = np.random.default_rng(seed)
    values = rng.choice([f"P{i:04d}" for i in range(700)], size=n).astype(object)
    values[rng.random(n) < 0.05] = None  # missing keys never match
    return pd.Series(pd.array(values, dtype="str"))


def test_positions_equal_the_isin_mask():
    col = _column()
    index = RowIndex(col.array)
    rng = np.random.default_rng(4)
    for size in (0, 1, 17, 400, 700):
        keys = list(rng.choice([f"P{i:04d}" for i in range(800)], size=size))  # some unknown
        keys += keys[:3] + [None]  # duplicates and a missing key
        expected = np.flatnonzero(col.isin([k for k in keys if k is not None]).to_numpy())
        np.testing.assert_array_equal(index.positions(keys), expected)
    assert index.positions([]).size == 0 and index.positions(["nobody"]).size == 0


def test_cache_indexes_on_second_use_and_never_serves_a_changed_column():
    cache = IndexCache(min_rows=0)
    df = pd.DataFrame({"participant_id": _column(), "v": np.arange(5000)})
    keys = ["P0001", "P0002"]
    want = np.flatnonzero(df["participant_id"].isin(keys).to_numpy())
    assert cache.positions(df["participant_id"], keys) is None  # first sight: mask
    np.testing.assert_array_equal(cache.positions(df["participant_id"], keys), want)
    shallow = df.copy(deep=False)  # what memo hands each job: the same arrays
    np.testing.assert_array_equal(cache.positions(shallow["participant_id"], keys), want)
    changed = df.copy(deep=False)
    changed.loc[int(want[0]), "participant_id"] = "P0999"  # copy-on-write: a new array
    assert cache.positions(changed["participant_id"], keys) is None
    dropped = df.drop(index=int(want[0]))
    assert cache.positions(dropped["participant_id"], keys) is None
    numbers = pd.Series(np.arange(10))
    assert cache.positions(numbers, [1]) is None and cache.positions(numbers, [1]) is None
    assert IndexCache(min_rows=10_000).positions(df["participant_id"], keys) is None


def test_rows_in_equals_the_mask_selection(monkeypatch):
    monkeypatch.setattr(memo, "INDEXES", IndexCache(min_rows=0))
    df = pd.DataFrame({"participant_id": _column(), "v": np.arange(5000) * 1.5},
                      index=np.arange(5000) * 3)  # labels are kept, not renumbered
    ids = pd.Series(["P0003", "P0100", "nobody", None])
    for _ in range(3):  # mask, then the index twice
        pd.testing.assert_frame_equal(rows_in(df, "participant_id", ids),
                                      df[within(df["participant_id"], ids)])


def test_every_subset_of_the_sample_is_the_same_with_row_indexes(sample_dataset_path, monkeypatch):
    ds = load_dataset(sample_dataset_path)
    cohorts = ds.cohorts[["programme_id", "cohort_id"]]
    scopes = [(p, None) for p in ds.programmes["programme_id"]] + list(cohorts.itertuples(index=False))
    plain = {s: ds.subset(*s).tables for s in scopes}
    monkeypatch.setattr(memo, "INDEXES", IndexCache(min_rows=0, max_indexes=64))
    for _ in range(2):  # the second pass is served from the indexes built in the first
        for s in scopes:
            got = ds.subset(*s).tables
            for name, frame in plain[s].items():
                pd.testing.assert_frame_equal(got[name], frame, obj=f"{s} {name}")
    assert len(memo.INDEXES._entries) >= 4  # responses, attendance, careers, codings, ties, kpis


@pytest.fixture(autouse=True)
def _fresh_indexes():
    yield
    memo.INDEXES.clear()
