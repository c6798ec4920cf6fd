"""load_dataset on valid data: typing, the Dataset API, subset, content hash, cache, pseudonymisation,
and the three file formats."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from data_cases.builders import (copy_valid, private_cache, read_rows,  # noqa: F401
                                 set_cell, update_meta, write_rows)
from helpers.data import Dataset, DataError, load_dataset, memo
from helpers.data.cache import cache_root
from helpers.data.schema import TABLES

KEY = "a-test-key-that-is-long-enough"


@pytest.fixture
def ds(tmp_path):
    return load_dataset(copy_valid(tmp_path))


def test_types_and_values(ds):
    p = ds.participants
    assert p["participant_id"].tolist()[:3] == ["1001", "1002", "1003"]
    assert pd.api.types.is_string_dtype(p["participant_id"])
    assert pd.isna(p.loc[1, "speciality"])
    c = ds.cohorts
    assert c["start_date"].tolist() == [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-09-15"),
                                        pd.Timestamp("2023-10-02")]
    assert c["end_date"].dtype == "datetime64[ns]"
    assert ds.programmes["modules"].dtype == "Int64" and ds.programmes["days"].tolist() == [6, 8]
    assert ds.attendance["attended"].dtype == bool
    assert ds.attendance["attended"].tolist() == [True, True, True, False, True, True]
    assert ds.items["reverse_scored"].tolist() == [False, False, True, False]
    r = ds.responses
    assert r["value"].dtype == "float64"
    # "Agree" and "strongly  agree" mapped through hlm360's labels; a blank stays missing
    assert r.loc[5, "value"] == 4.0 and r.loc[6, "value"] == 5.0 and np.isnan(r.loc[2, "value"])
    assert "rater_id" in r.columns and r["rater_id"].isna().all()


def test_dataset_attributes(ds, tmp_path):
    assert ds.name == "minimal valid dataset"
    assert ds.suppress_below == 5
    assert ds.meta["pseudonymisation"] == {"enabled": False, "key_env": "LEADEVAL_PSEUDONYM_KEY"}
    assert ds.meta["max_file_mb"] == 150
    assert [i["instrument_id"] for i in ds.instruments] == ["hlm360", "reaction"]
    assert ds.instruments[1]["min_share_answered"] == 0.5      # default filled in
    assert set(ds.tables) == set(TABLES)
    assert ds.tables["ties"] is ds.ties
    assert ds.path == (tmp_path / "ds").resolve()
    with pytest.raises(AttributeError):
        ds.not_a_table  # noqa: B018


def test_content_hash_is_sha256_over_sorted_files(ds, tmp_path):
    folder = tmp_path / "ds"
    names = sorted(["dataset.yaml"] + [f"{t}.csv" for t in TABLES if (folder / f"{t}.csv").exists()])
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
    assert ds.content_hash == digest.hexdigest()


def test_subset_programme(ds):
    sub = ds.subset(programme_id="kf_scl")
    assert sub.content_hash == ds.content_hash and sub.meta is ds.meta
    assert sub.programmes["programme_id"].tolist() == ["kf_scl"]
    assert sub.cohorts["cohort_id"].tolist() == ["kf1", "kf2"]
    assert set(sub.participants["participant_id"]) == {"1001", "1002", "1003", "1004", "1005"}
    assert set(sub.responses["participant_id"]) == {"1001", "1002", "1004"}
    assert set(sub.segments["segment_id"]) == {"s1", "s2"}     # s3: nobody of kf_scl in fg01
    assert set(sub.codings["segment_id"]) == {"s1", "s2"}
    assert set(sub.projects["project_id"]) == {"p2", "p3"}
    assert set(sub.kpi_values["project_id"]) == {"p2", "p3"}
    assert len(sub.ties) == 2 and set(sub.careers["participant_id"]) == {"1001"}
    assert sub.codes.equals(ds.codes) and sub.items.equals(ds.items)


def test_subset_cohort(ds):
    sub = ds.subset(cohort_id="kf2")
    assert sub.programmes["programme_id"].tolist() == ["kf_scl"]
    assert set(sub.participants["participant_id"]) == {"1004", "1005"}
    assert set(sub.projects["project_id"]) == {"p2"}          # led by a kf2 participant
    assert sub.ties.empty                                    # 1001 -> 1004 leaves the cohort
    assert ds.subset("kf_scl", "kf2").participants.equals(sub.participants)


def test_subset_unknown_ids(ds):
    with pytest.raises(ValueError, match="nope"):
        ds.subset(programme_id="nope")
    with pytest.raises(ValueError, match="kf9"):
        ds.subset(cohort_id="kf9")
    with pytest.raises(ValueError, match="not part of"):
        ds.subset(programme_id="lbs_live", cohort_id="kf1")
    assert ds.subset() is ds


def test_subset_segments_without_participant_follow_their_cohort(tmp_path):
    folder = copy_valid(tmp_path)
    rows = read_rows(folder, "segments")
    rows[0].append("cohort_id")
    for r in rows[1:]:
        r.append("kf2" if r[0] == "s3" else "")
    write_rows(folder, "segments", rows)
    ds = load_dataset(folder)
    assert "s3" in set(ds.subset(cohort_id="kf2").segments["segment_id"])
    assert "s3" not in set(ds.subset(cohort_id="kf1").segments["segment_id"])


def test_subset_keeps_unattributed_lines_of_a_focus_group(tmp_path):
    folder = copy_valid(tmp_path)
    rows = read_rows(folder, "segments")
    rows.append(["s5", "fg01", "focus_group", "1002", "post", "Same here."])   # 1002 is in kf1
    write_rows(folder, "segments", rows)
    ds = load_dataset(folder)
    assert set(ds.subset(cohort_id="kf1").segments["segment_id"]) == {"s1", "s3", "s5"}
    assert set(ds.subset(cohort_id="lbs1").segments["segment_id"]) == {"s4"}


def test_sample_dataset_loads(sample_dataset_path, capsys):
    """data/sample (written by `leadeval sample-data`) meets this contract."""
    from helpers.cli import main

    if not (sample_dataset_path / "dataset.yaml").is_file():
        pytest.skip("data/sample not generated yet")
    assert main(["validate", str(sample_dataset_path)]) == 0
    ds = load_dataset(sample_dataset_path)
    assert ds.meta["synthetic"] is True and len(ds.participants) > 0
    for pid in ds.programmes["programme_id"]:
        sub = ds.subset(programme_id=pid)
        assert sub.participants["cohort_id"].isin(sub.cohorts["cohort_id"]).all()


def _big_dataset(n: int = 100_000, seed: int = 1) -> Dataset:
    rng = np.random.default_rng(seed)
    cohorts = pd.DataFrame({"cohort_id": [f"c{i}" for i in range(200)],
                            "programme_id": [f"p{i % 5}" for i in range(200)]})
    pid = np.array([f"{i:06d}" for i in range(n)], dtype=object)
    people = pd.DataFrame({"participant_id": pid,
                           "cohort_id": np.array(cohorts["cohort_id"])[rng.integers(0, 200, n)]})
    who = rng.integers(0, n, 2 * n)
    tables = {
        "programmes": pd.DataFrame({"programme_id": [f"p{i}" for i in range(5)]}),
        "cohorts": cohorts, "participants": people,
        "responses": pd.DataFrame({"participant_id": pid[who], "value": rng.integers(1, 6, 2 * n)}),
        "ties": pd.DataFrame({"from_id": pid[rng.integers(0, n, n)], "to_id": pid[rng.integers(0, n, n)]}),
    }
    meta = {"name": "big", "suppress_below": 5, "instruments": []}
    return Dataset(meta, ".", "0" * 64, {k: v.astype({c: "str" for c in v.columns if v[c].dtype == object})
                                         for k, v in tables.items()})


def test_subset_on_100000_participants_matches_a_merge():
    ds = _big_dataset()
    sub = ds.subset(programme_id="p3")
    cohort_ids = set(ds.cohorts.loc[ds.cohorts["programme_id"] == "p3", "cohort_id"])
    merged = ds.responses.merge(ds.participants, on="participant_id")
    expected = merged[merged["cohort_id"].isin(cohort_ids)]
    assert len(sub.responses) == len(expected)
    assert sub.responses["value"].sum() == expected["value"].sum()
    inside = set(sub.participants["participant_id"])
    assert all(f in inside and t in inside for f, t in zip(sub.ties["from_id"], sub.ties["to_id"],
                                                           strict=True))


# ------------------------------------------------------------------ cache

def test_second_load_served_from_cache(tmp_path, monkeypatch):
    folder = copy_valid(tmp_path)
    first = load_dataset(folder)
    monkeypatch.setattr("helpers.data.loader.read_tables",
                        lambda *a, **k: pytest.fail("the cache was not used"))
    second = load_dataset(folder)
    assert second.content_hash == first.content_hash
    for name in TABLES:
        pd.testing.assert_frame_equal(second.tables[name], first.tables[name])


def test_cache_never_serves_stale_data(tmp_path):
    folder = copy_valid(tmp_path)
    assert load_dataset(folder).programmes.loc[0, "days"] == 6
    set_cell(folder, "programmes", 2, "days", "7")
    again = load_dataset(folder)
    assert again.programmes.loc[0, "days"] == 7
    set_cell(folder, "programmes", 2, "days", "seven")
    with pytest.raises(DataError):
        load_dataset(folder)


def test_cache_entries_are_complete_and_private(tmp_path):
    folder = copy_valid(tmp_path)
    load_dataset(folder)
    entries = list((cache_root() / "datasets").iterdir())
    assert len(entries) == 1 and not entries[0].name.startswith(".")   # no temp folder left
    assert (entries[0] / "complete").is_file()
    assert oct((cache_root() / "datasets").stat().st_mode & 0o777) == "0o700"


def test_damaged_or_half_written_cache_entry_is_ignored(tmp_path):
    folder = copy_valid(tmp_path)
    first = load_dataset(folder)
    (entry,) = (cache_root() / "datasets").iterdir()
    (entry / "participants.parquet").write_bytes(b"not parquet")
    memo.clear()                           # a new process: nothing kept in memory
    assert load_dataset(folder).participants.equals(first.participants)
    (entry / "complete").unlink()          # as if a writer died before the marker
    memo.clear()
    assert load_dataset(folder).participants.equals(first.participants)


def test_unwritable_cache_falls_back(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("LEADEVAL_CACHE_DIR", str(blocker / "cache"))
    assert len(load_dataset(copy_valid(tmp_path)).participants) == 8


# ------------------------------------------------------------------ pseudonymisation

def _pseudo(tmp_path, monkeypatch, key: str | None, where: str = "ds"):
    (tmp_path / where).mkdir()
    folder = copy_valid(tmp_path / where)
    update_meta(folder, pseudonymisation={"enabled": True, "key_env": "TEST_PSEUDONYM_KEY"})
    if key is None:
        monkeypatch.delenv("TEST_PSEUDONYM_KEY", raising=False)
    else:
        monkeypatch.setenv("TEST_PSEUDONYM_KEY", key)
    return load_dataset(folder)


def test_pseudonymised_ids_are_hmac_sha256(tmp_path, monkeypatch):
    ds = _pseudo(tmp_path, monkeypatch, KEY)
    expected = "P-" + hmac.new(KEY.encode(), b"1001", hashlib.sha256).hexdigest()[:16]
    assert ds.participants.loc[0, "participant_id"] == expected
    assert not ds.participants["participant_id"].str.fullmatch(r"\d+").any()
    for table, column in [("responses", "participant_id"), ("projects", "lead_participant_id"),
                          ("ties", "from_id"), ("ties", "to_id"), ("careers", "participant_id")]:
        assert ds.tables[table][column].dropna().isin(ds.participants["participant_id"]).all()
    assert ds.segments["participant_id"].isna().sum() == 1   # the focus group stays blank
    assert ds.subset(cohort_id="kf1").participants.shape[0] == 3   # joins still work


def test_pseudonyms_deterministic_per_key(tmp_path, monkeypatch):
    a = _pseudo(tmp_path, monkeypatch, KEY, "a").participants["participant_id"]
    b = _pseudo(tmp_path, monkeypatch, KEY, "b").participants["participant_id"]
    c = _pseudo(tmp_path, monkeypatch, KEY + "-other", "c").participants["participant_id"]
    assert a.tolist() == b.tolist()
    assert not set(a) & set(c)


def test_pseudonymisation_key_missing_or_short(tmp_path, monkeypatch):
    with pytest.raises(DataError) as info:
        _pseudo(tmp_path, monkeypatch, None, "a")
    (problem,) = info.value.problems
    assert (problem.file, problem.column) == ("dataset.yaml", "pseudonymisation.key_env")
    assert "TEST_PSEUDONYM_KEY" in problem.expected
    with pytest.raises(DataError):
        _pseudo(tmp_path, monkeypatch, "short", "b")


def test_nhs_numbers_allowed_only_when_pseudonymised(tmp_path, monkeypatch):
    folder = copy_valid(tmp_path)
    set_cell(folder, "participants", 9, "participant_id", "9434765919")
    with pytest.raises(DataError):
        load_dataset(folder)
    update_meta(folder, pseudonymisation={"enabled": True, "key_env": "TEST_PSEUDONYM_KEY"})
    monkeypatch.setenv("TEST_PSEUDONYM_KEY", KEY)
    ds = load_dataset(folder)
    assert "9434765919" not in set(ds.participants["participant_id"])


# ------------------------------------------------------------------ formats

def test_xlsx_and_parquet_tables(tmp_path):
    folder = copy_valid(tmp_path)
    reference = load_dataset(folder, use_cache=False)
    p = pd.read_csv(folder / "participants.csv", dtype=str)
    with pd.ExcelWriter(folder / "people.xlsx") as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Cover", index=False)
        p.to_excel(writer, sheet_name="People", index=False)
    (folder / "participants.csv").unlink()
    r = pd.read_csv(folder / "responses.csv", dtype={"participant_id": float})
    r["response_date"] = pd.to_datetime(r["response_date"])
    r.to_parquet(folder / "responses.parquet")        # ids as floats: 1001.0
    (folder / "responses.csv").unlink()
    update_meta(folder, tables={"participants": "people.xlsx"}, sheets={"participants": "People"})
    ds = load_dataset(folder)
    for name in ("participants", "responses"):
        pd.testing.assert_frame_equal(ds.tables[name], reference.tables[name])
    assert ds.files["participants"] == "people.xlsx"


def test_two_files_for_one_table_refused(tmp_path):
    folder = copy_valid(tmp_path)
    shutil.copyfile(folder / "careers.csv", tmp_path / "x")
    pd.read_csv(tmp_path / "x").to_parquet(folder / "careers.parquet")
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert {(p.file, p.row) for p in info.value.problems} == {("careers.parquet", None)}


def test_cache_dir_defaults_to_home(monkeypatch):
    monkeypatch.delenv("LEADEVAL_CACHE_DIR")
    assert str(cache_root()) == os.path.expanduser("~/.cache/leadeval")
