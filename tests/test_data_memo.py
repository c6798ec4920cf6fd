"""The in-process dataset memo (helpers.data.memo): fast repeat loads that leak nothing."""

import shutil

import pytest

from helpers.data import cache, load_dataset, memo

VALID = __import__("pathlib").Path(__file__).parent / "data_cases" / "valid_minimal"


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADEVAL_CACHE_DIR", str(tmp_path / "cache"))
    memo.clear()
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    yield folder
    memo.clear()


def test_second_load_in_a_process_reads_no_files(dataset, monkeypatch):
    first = load_dataset(dataset)
    monkeypatch.setattr(cache, "read_cached", lambda key: pytest.fail("read the parquet cache"))
    second = load_dataset(dataset)
    assert second.content_hash == first.content_hash
    for name, df in first.tables.items():
        assert second.tables[name].equals(df)


def test_a_job_changing_its_tables_cannot_change_the_next_jobs(dataset):
    first = load_dataset(dataset)
    original = first.participants.copy(deep=True)
    first.participants.loc[0, "organisation"] = "CHANGED"
    first.participants["extra"] = 1
    first.tables["participants"].loc[1, "role"] = "CHANGED TOO"
    second = load_dataset(dataset)
    assert second.participants.equals(original)


def test_changed_content_is_never_served_from_memory(dataset):
    first = load_dataset(dataset)
    path = dataset / "programmes.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    header, row = text[0], text[1]
    cols = header.split(",")
    values = row.split(",")
    values[cols.index("name")] = "A renamed programme"
    text[1] = ",".join(values)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    second = load_dataset(dataset)
    assert second.content_hash != first.content_hash
    assert "A renamed programme" in set(second.programmes["name"])


def test_memo_keeps_at_most_two_datasets():
    from helpers.data.rowindex import TableIndexes

    memo.clear()
    indexes = {key: TableIndexes({}) for key in "abc"}
    for key in "abc":
        memo.put(key, {}, indexes[key])
    assert memo.get("a") is None
    assert memo.get("b") == ({}, indexes["b"], ()) and memo.get("c") == ({}, indexes["c"], ())
    memo.clear()


def test_a_repeat_load_shares_the_row_indexes_built_at_the_first(dataset, monkeypatch):
    from helpers.data import rowindex

    first = load_dataset(dataset)
    monkeypatch.setattr(rowindex.RowIndex, "__init__",
                        lambda *a: pytest.fail("an index was built again"))
    second = load_dataset(dataset)
    cohort = first.cohorts["cohort_id"].iloc[0]
    for name, frame in first.subset(cohort_id=cohort).tables.items():
        assert second.subset(cohort_id=cohort).tables[name].equals(frame)


def test_loaded_text_columns_are_one_chunk_with_values_and_dtypes_unchanged(tmp_path):
    # Parquet reads give text columns in 128 Ki-row pieces; taking a cohort's rows out of a
    # chunked column cost as much as taking them all, so loading joins the pieces.
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    n = 300_000
    df = pd.DataFrame({"participant_id": [f"P{i % 5000:06d}" for i in range(n)],
                       "value": np.arange(n, dtype=float)})
    df.loc[7, "participant_id"] = None
    df.to_parquet(tmp_path / "t.parquet", index=False)
    chunked = pd.read_parquet(tmp_path / "t.parquet")
    assert chunked["participant_id"].array._pa_array.num_chunks > 1  # what pyarrow gives
    joined = cache.single_chunk(chunked)
    assert joined["participant_id"].array._pa_array.num_chunks == 1
    assert isinstance(joined["participant_id"].array._pa_array, pa.ChunkedArray)
    pd.testing.assert_frame_equal(joined, chunked)
    assert joined.dtypes.tolist() == chunked.dtypes.tolist()
    assert joined["participant_id"].isna().sum() == 1


def _date_a_later_answer_in_1990(folder):
    """Give the first post or follow-up answer an implausible date; its line in the file
    (the header is line 0)."""
    path = folder / "responses.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cols = lines[0].split(",")
    early = [i for i, line in enumerate(lines[1:], 1)
             if line.split(",")[cols.index("wave")] in ("post", "follow_up")][0]
    values = lines[early].split(",")
    values[cols.index("response_date")] = "1990-01-01"
    lines[early] = ",".join(values)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return early


def test_a_repeat_load_gives_the_date_warnings_without_checking_the_dates_again(dataset, monkeypatch):
    _date_a_later_answer_in_1990(dataset)
    first = load_dataset(dataset)
    assert any(w.column == "response_date" for w in first.warnings), first.warnings
    from helpers.data import loader
    monkeypatch.setattr(loader, "date_warnings", lambda *a: pytest.fail("checked the dates again"))
    second = load_dataset(dataset)
    assert second.warnings == first.warnings


def test_a_load_from_the_parquet_cache_gives_the_date_warnings_found_when_it_was_written(
        dataset, monkeypatch):
    early = _date_a_later_answer_in_1990(dataset)
    first = load_dataset(dataset)
    dated = [w for w in first.warnings if w.column == "response_date"]
    assert dated and dated[0].row == early + 1, first.warnings
    memo.clear()  # a new process: only the parquet cache is left
    from helpers.data import loader
    monkeypatch.setattr(loader, "read_tables", lambda *a: pytest.fail("read the files"))
    monkeypatch.setattr(loader, "date_warnings", lambda *a: pytest.fail("checked the dates again"))
    second = load_dataset(dataset)
    assert second.warnings == first.warnings


def test_a_cache_entry_without_stored_warnings_is_read_from_the_files_again(dataset, monkeypatch):
    first = load_dataset(dataset)
    entries = list((dataset.parent / "cache" / "datasets").iterdir())
    assert len(entries) == 1
    (entries[0] / "date-warnings.json").unlink()  # what an entry holds when they were not plain
    memo.clear()
    from helpers.data import loader
    calls = []
    real = loader.read_tables
    monkeypatch.setattr(loader, "read_tables", lambda *a: calls.append(1) or real(*a))
    second = load_dataset(dataset)
    assert calls == [1] and second.warnings == first.warnings
    for name, df in first.tables.items():
        assert second.tables[name].equals(df)
