"""helpers.data.rowindex and Dataset.subset: the indexes built at load give exactly the rows a
membership mask gives, and a table replaced after loading is never looked up in them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data import Dataset, load_dataset
from helpers.data.rowindex import KEY_COLUMNS, RowIndex, TableIndexes
from helpers.data.validate import within


def _column(n=5000, seed=3):
    rng = np.random.default_rng(seed)
    values = rng.choice([f"P{i:04d}" for i in range(700)], size=n).astype(object)
    values[rng.random(n) < 0.05] = None  # missing keys never match
    return pd.Series(pd.array(values, dtype="str"))


def test_positions_equal_the_within_mask():
    col = _column()
    index = RowIndex(col)
    rng = np.random.default_rng(4)
    for size in (0, 1, 2, 17, 400, 700):
        keys = list(rng.choice([f"P{i:04d}" for i in range(800)], size=size))  # some unknown
        keys += keys[:3] + [None]  # duplicates and a missing key
        expected = np.flatnonzero(within(col, keys).to_numpy())
        np.testing.assert_array_equal(index.positions(keys), expected)
    assert index.positions([]).size == 0 and index.positions(["nobody"]).size == 0


def test_positions_of_keys_taken_from_a_like_column_equal_the_within_mask():
    col = _column()
    index = RowIndex(col)
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 17, 400, 700):
        keys = pd.Series(pd.array(list(rng.choice([f"P{i:04d}" for i in range(800)], size=size))
                                  + [None, "P0001", "P0001"], dtype="str"))  # NA and repeats
        assert keys.dtype == col.dtype
        expected = np.flatnonzero(within(col, keys).to_numpy())
        got = index.positions(keys)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == np.int64


def test_positions_are_ascending_whether_or_not_the_rows_of_the_keys_come_in_table_order():
    col = pd.Series(pd.array(["a", "a", "b", "b", "c", "a"], dtype="str"))
    index = RowIndex(col)
    np.testing.assert_array_equal(index.positions(["b", "c"]), [2, 3, 4])  # already in order
    np.testing.assert_array_equal(index.positions(["c", "a"]), [0, 1, 4, 5])  # interleaved


def test_keys_compare_as_within_compares_them():
    text = pd.Series(pd.array(["1", "2", "1", None], dtype="str"))
    numbers = pd.Series([1, 2, 1, 3])
    for col, keys in ((text, [1]), (text, ["1"]), (numbers, [1]), (numbers, ["1"])):
        np.testing.assert_array_equal(RowIndex(col).positions(keys),
                                      np.flatnonzero(within(col, keys).to_numpy()), err_msg=repr(keys))


def _scopes(ds):
    cohorts = ds.cohorts[["programme_id", "cohort_id"]]
    return ([(p, None) for p in ds.programmes["programme_id"]]
            + [(None, c) for c in ds.cohorts["cohort_id"][:3]]
            + list(cohorts.itertuples(index=False, name=None)))


def test_every_subset_of_the_sample_is_the_same_through_the_indexes(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    plain = Dataset(ds.meta, ds.path, ds.content_hash, ds.tables, ds.files)  # no index: masks
    for scope in _scopes(ds):
        got, want = ds.subset(*scope).tables, plain.subset(*scope).tables
        for name, frame in want.items():
            pd.testing.assert_frame_equal(got[name], frame, obj=f"{scope} {name}")
        assert len(got["participants"]) > 0 and len(got["responses"]) > 0, scope


def test_subset_rows_are_the_mask_selection_in_table_order(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    pid, cid = ds.cohorts[["programme_id", "cohort_id"]].iloc[0]
    got = ds.subset(pid, cid)
    ids = ds.participants.loc[ds.participants["cohort_id"] == cid, "participant_id"]
    want = ds.responses[ds.responses["participant_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.responses, want)
    ties = ds.ties[ds.ties["from_id"].isin(ids) & ds.ties["to_id"].isin(ids)]
    pd.testing.assert_frame_equal(got.ties, ties.reset_index(drop=True))


def test_a_table_replaced_after_loading_is_selected_by_mask(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    pid, cid = ds.cohorts[["programme_id", "cohort_id"]].iloc[0]
    before = ds.subset(pid, cid).responses
    # reversed rows: positions from the index built at load would now pick other answers
    ds.tables["responses"] = ds.responses.iloc[::-1].reset_index(drop=True)
    after = ds.subset(pid, cid).responses
    assert len(after) == len(before)
    pd.testing.assert_frame_equal(after, before.iloc[::-1].reset_index(drop=True))


def test_indexes_cover_the_key_columns_of_a_loaded_dataset(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    indexes = TableIndexes(ds.tables)
    for table, columns in KEY_COLUMNS.items():
        for column in columns:
            keys = ds.tables[table][column].dropna().unique()[:2]
            got = indexes.positions(table, column, keys)
            assert got is not None, (table, column)
            np.testing.assert_array_equal(got, np.flatnonzero(within(ds.tables[table][column],
                                                                     keys).to_numpy()))
    assert indexes.positions("codes", "code_id", ["x"]) is None  # not a key column


def test_subset_still_refuses_unknown_scopes(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    with pytest.raises(ValueError, match="not in dataset"):
        ds.subset("nowhere")
    pid, other = ds.programmes["programme_id"].iloc[0], ds.programmes["programme_id"].iloc[1]
    cid = ds.cohorts.loc[ds.cohorts["programme_id"] == other, "cohort_id"].iloc[0]
    with pytest.raises(ValueError, match="not part of programme"):
        ds.subset(pid, cid)


def _mask_rule(seg, ids, cohort_ids, programme_ids):
    """The segment rule of Dataset.subset written as masks over the whole table (the reference)."""
    keep = within(seg["participant_id"], ids)
    no_person = seg["participant_id"].isna()
    keep |= no_person & within(seg["cohort_id"], cohort_ids)
    if programme_ids is not None:
        keep |= no_person & within(seg["programme_id"], programme_ids)
    keep |= no_person & within(seg["source_id"], seg.loc[keep, "source_id"].dropna())
    return np.flatnonzero(keep.to_numpy())


def test_unattributed_segments_are_kept_by_the_same_rule_as_the_masks(sample_dataset_path):
    ds = load_dataset(sample_dataset_path)
    rng = np.random.default_rng(11)
    seg = ds.segments.copy()
    n = len(seg)
    alone = rng.random(n) < 0.3  # many lines without a participant
    cohorts, programmes = ds.cohorts["cohort_id"].tolist(), ds.programmes["programme_id"].tolist()
    seg.loc[alone, "participant_id"] = None
    seg["cohort_id"] = pd.array([rng.choice(cohorts) if rng.random() < 0.3 else None
                                 for _ in range(n)], dtype="str")
    seg["programme_id"] = pd.array([rng.choice(programmes) if rng.random() < 0.3 else None
                                    for _ in range(n)], dtype="str")
    tables = {**ds.tables, "segments": seg}
    indexed = Dataset(ds.meta, ds.path, ds.content_hash, tables, ds.files, indexes=TableIndexes(tables))
    for pid, cid in _scopes(ds):
        rows = indexed.scope_rows(pid, cid)
        people = ds.participants["participant_id"].take(rows["participants"])
        chosen = ds.cohorts.take(rows["cohorts"])
        want = _mask_rule(seg, people, chosen["cohort_id"],
                          None if cid is not None else chosen["programme_id"].unique())
        np.testing.assert_array_equal(rows["segments"], want, err_msg=f"{pid} {cid}")


def test_a_dataset_loaded_without_optional_tables_gives_scope_rows(sample_dataset_path):
    """Tables absent at load are filled in empty by Dataset; the load-time indexes never saw
    them, so their rows come by mask (an imported dataset has no segments, codes or ties)."""
    ds = load_dataset(sample_dataset_path)
    absent = ("segments", "codings", "ties", "projects", "kpi_values")
    tables = {name: df for name, df in ds.tables.items() if name not in absent}
    loaded = Dataset(ds.meta, ds.path, ds.content_hash, tables, ds.files,
                     indexes=TableIndexes(tables))
    for pid, cid in _scopes(ds)[:4]:
        rows = loaded.scope_rows(pid, cid)
        assert all(len(rows[name]) == 0 for name in absent if name in rows), (pid, cid)
        assert len(rows["participants"]) == len(ds.scope_rows(pid, cid)["participants"]) > 0
