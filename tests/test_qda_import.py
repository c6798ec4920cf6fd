"""``leadeval import-qda``: writes valid tables, is idempotent, and leaves the dataset untouched
when it refuses a file."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from qda_fixtures.build import (BILLION_LAUGHS, HERE, REFI, TAGUETTE, build_qdpx, make_dataset,
                                snapshot, zip_bomb, zip_slip)

from helpers.cli import main
from helpers.data import load_dataset, staging
from helpers.qda import read_qda, writer
from helpers.runner.lock import DatasetLock


@pytest.fixture
def dataset(tmp_path):
    return make_dataset(tmp_path / "ds")


def test_import_nvivo_project_writes_valid_tables(dataset, tmp_path, capsys):
    qdpx = build_qdpx(REFI / "nvivo", tmp_path / "nvivo.qdpx")
    assert main(["import-qda", str(qdpx), "--dataset", str(dataset)]) == 0
    ds = load_dataset(dataset, use_cache=False)
    assert len(ds.segments) == 5 and len(ds.codes) == 7 and len(ds.codings) == 6
    assert set(ds.segments["participant_id"].dropna()) == {"P0001", "P0002"}
    assert "Space 😌 to breathe" in set(ds.segments["text"])
    assert "segments.csv: 0 -> 5 rows" in capsys.readouterr().out


def test_importing_twice_changes_nothing(dataset, tmp_path, capsys):
    qdpx = build_qdpx(REFI / "nvivo", tmp_path / "nvivo.qdpx")
    assert main(["import-qda", str(qdpx), "--dataset", str(dataset)]) == 0
    before = snapshot(dataset)
    assert main(["import-qda", str(qdpx), "--dataset", str(dataset)]) == 0
    assert snapshot(dataset) == before
    assert "nothing changed" in capsys.readouterr().out


def test_codebook_then_highlights_keeps_descriptions_and_adds_rows(dataset, capsys):
    assert main(["import-qda", str(TAGUETTE / "codebook.csv"), "--dataset", str(dataset)]) == 0
    assert main(["import-qda", str(TAGUETTE / "highlights.xlsx"), "--dataset", str(dataset)]) == 0
    assert main(["import-qda", str(TAGUETTE / "codebook.qdc"), "--dataset", str(dataset)]) == 0
    ds = load_dataset(dataset, use_cache=False)
    codes = ds.codes.set_index("code_id")
    assert codes.loc["restorative_space", "description"] == \
        "A protected space to think, connect and hold anxiety"
    assert len(ds.codes) == 6 and len(ds.segments) == 6 and len(ds.codings) == 8


def test_several_files_accumulate(dataset, tmp_path):
    assert main(["import-qda", str(REFI / "atlas_flat.qde"), "--dataset", str(dataset)]) == 0
    assert main(["import-qda", str(HERE / "plain_segments.csv"), "--dataset", str(dataset)]) == 0
    ds = load_dataset(dataset, use_cache=False)
    assert len(ds.segments) == 3 + 2
    assert {"R1", "R2", "C1", "C2"} == set(ds.codings["coder_id"])


def test_unknown_case_names_are_not_participant_ids(dataset, tmp_path, capsys):
    qde = (REFI / "nvivo" / "project.qde").read_text(encoding="utf-8").replace(
        'name="P0002"', 'name="Dr Jane Example"')
    folder = tmp_path / "nv"
    (folder / "Sources").mkdir(parents=True)
    for src in (REFI / "nvivo" / "Sources").iterdir():
        (folder / "Sources" / src.name).write_bytes(src.read_bytes())
    (folder / "project.qde").write_text(qde, encoding="utf-8")
    assert main(["import-qda", str(build_qdpx(folder, tmp_path / "x.qdpx")),
                 "--dataset", str(dataset)]) == 0
    ds = load_dataset(dataset, use_cache=False)
    assert "Dr Jane Example" not in set(ds.segments["participant_id"].dropna())
    assert "not participant ids" in capsys.readouterr().err


@pytest.mark.parametrize("make", ["laughs", "slip", "bomb", "missing"])
def test_refused_files_leave_the_dataset_untouched(dataset, tmp_path, capsys, make):
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset", str(dataset)]) == 0
    before = snapshot(dataset)
    if make == "laughs":
        bad = tmp_path / "bad.qde"
        bad.write_bytes(BILLION_LAUGHS)
    elif make == "slip":
        bad = zip_slip(tmp_path / "bad.qdpx")
    elif make == "bomb":
        bad = zip_bomb(tmp_path / "bad.qdpx")
    else:
        bad = tmp_path / "none.qdpx"
    assert main(["import-qda", str(bad), "--dataset", str(dataset)]) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "not changed" in err
    assert snapshot(dataset) == before


def test_not_a_dataset(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset",
                 str(tmp_path / "empty")]) == 2
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset",
                 str(tmp_path / "nowhere")]) == 2


def test_invalid_result_is_refused_and_nothing_written(dataset, tmp_path, capsys):
    # A plain table with a source_type outside the contract: load_dataset rejects the staged copy.
    pd.DataFrame({"source_id": ["i1"], "text": ["hello"], "code": ["X"],
                  "source_type": ["podcast"]}).to_csv(tmp_path / "p.csv", index=False)
    before = snapshot(dataset)
    assert main(["import-qda", str(tmp_path / "p.csv"), "--dataset", str(dataset)]) == 2
    assert "would not be valid" in capsys.readouterr().err
    assert snapshot(dataset) == before


def test_failed_swap_restores_every_file(dataset, tmp_path, monkeypatch):
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset", str(dataset)]) == 0
    before = snapshot(dataset)
    data = read_qda(build_qdpx(REFI / "nvivo", tmp_path / "n.qdpx"))
    meta = {"tables": {}, "sheets": {}}
    changes = writer.plan(dataset, meta, data)
    assert set(changes) == {"segments", "codes", "codings"}
    real_replace = staging.os.replace  # the swap is helpers.data.staging's
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # fail on the third table after two were swapped in
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(staging.os, "replace", flaky)
    with pytest.raises(Exception, match="unchanged"):
        writer.apply(dataset, meta, changes)
    monkeypatch.setattr(staging.os, "replace", real_replace)
    assert snapshot(dataset) == before


def test_merge_rows_upserts_without_blanking():
    old = pd.DataFrame({"code_id": ["a", "b"], "label": ["A", "B"], "parent_id": ["", ""],
                        "description": ["keep me", ""]})
    new = pd.DataFrame({"code_id": ["a", "c"], "label": ["A2", "C"], "parent_id": ["", "a"],
                        "description": ["", "new"]})
    out = writer.merge_rows(old, new, ["code_id"])
    assert list(out["code_id"]) == ["a", "b", "c"]
    assert out.loc[0, "label"] == "A2" and out.loc[0, "description"] == "keep me"
    tag = pd.DataFrame({"code_id": ["b"], "label": ["b_tag"], "parent_id": [""], "description": [""]})
    assert writer.merge_rows(old, tag, ["code_id"], keep=("label",)).loc[1, "label"] == "B"


def test_integrity_problems():
    seg = pd.DataFrame({"segment_id": ["s1"]})
    codes = pd.DataFrame({"code_id": ["a", "b"], "parent_id": ["b", "a"]})
    codings = pd.DataFrame({"segment_id": ["s2"], "code_id": ["z"], "coder_id": ["c"]})
    problems = " ".join(writer.integrity_problems(seg, codes, codings))
    assert "segment(s) not in segments" in problems and "code(s) not in codes" in problems
    assert "cycle" in problems


def test_tables_in_one_workbook_keep_their_other_sheets(dataset, tmp_path):
    with pd.ExcelWriter(dataset / "qual.xlsx") as xw:
        pd.DataFrame({"note": ["kept"]}).to_excel(xw, sheet_name="readme", index=False)
        pd.DataFrame(columns=["segment_id", "source_id", "source_type", "participant_id", "wave",
                              "text"]).to_excel(xw, sheet_name="segs", index=False)
        pd.DataFrame(columns=["segment_id", "code_id", "coder_id"]).to_excel(xw, sheet_name="cods",
                                                                            index=False)
    (dataset / "dataset.yaml").write_text(
        "name: qda test\nsuppress_below: 5\ntables: {segments: qual.xlsx, codings: qual.xlsx}\n"
        "sheets: {segments: segs, codings: cods}\n", encoding="utf-8")
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset", str(dataset)]) == 0
    book = pd.read_excel(dataset / "qual.xlsx", sheet_name=None, dtype=str)
    assert list(book) == ["readme", "segs", "cods"]
    assert book["readme"]["note"].tolist() == ["kept"]
    assert len(book["segs"]) == 6 and len(book["cods"]) == 8
    ds = load_dataset(dataset, use_cache=False)
    assert len(ds.segments) == 6 and len(ds.codings) == 8 and len(ds.codes) == 6
    before = snapshot(dataset)
    assert main(["import-qda", str(TAGUETTE / "highlights.xlsx"), "--dataset", str(dataset)]) == 0
    assert snapshot(dataset) == before


def test_min_overlap_option_reaches_the_reader(dataset, tmp_path, capsys):
    from test_qda_refi import _split_double_coding

    qdpx = _split_double_coding(tmp_path)
    assert main(["import-qda", str(qdpx), "--dataset", str(dataset), "--min-overlap", "1"]) == 0
    exact = load_dataset(dataset).codings
    assert "d0000000-0000-4000-8000-000000000091" in set(exact["segment_id"])
    other = make_dataset(tmp_path / "other")
    assert main(["import-qda", str(qdpx), "--dataset", str(other)]) == 0  # default 0.9
    paired = load_dataset(other).codings
    assert "d0000000-0000-4000-8000-000000000091" not in set(paired["segment_id"])
    assert main(["import-qda", str(qdpx), "--dataset", str(other), "--min-overlap", "1.5"]) == 2
    assert "min_overlap must be above 0 and at most 1" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["absolute://{secret}", "relative:///secret.txt"])
def test_project_pulling_a_local_file_is_refused_exit_2_nothing_written(dataset, tmp_path, capsys, url):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Working with my operational manager changed everything. SECRET-TOKEN",
                      encoding="utf-8")
    folder = tmp_path / "proj"
    folder.mkdir()
    qde = (REFI / "relative" / "project.qde").read_text(encoding="utf-8").replace(
        "relative:///texts/Interview%20P05.txt", url.format(secret=secret.as_posix())).replace(
        'origin="QualCoder 3.5"', f'origin="QualCoder 3.5" basePath="{secret.parent.as_posix()}"')
    (folder / "project.qde").write_text(qde, encoding="utf-8")
    qdpx = build_qdpx(folder, tmp_path / "hostile.qdpx")
    before = snapshot(dataset)
    assert main(["import-qda", str(qdpx), "--dataset", str(dataset)]) == 2
    err = capsys.readouterr().err
    assert "hostile.qdpx" in err and "'Interview P05'" in err and "line 9" in err
    assert "not changed" in err and "Traceback" not in err
    assert snapshot(dataset) == before
    assert not any(b"SECRET-TOKEN" in content for content in snapshot(dataset).values())


# --- imports under the dataset lock, with real processes ---------------------------------------

CLI = "import sys; from helpers.cli import main; sys.exit(main(sys.argv[1:]))"
THREE = [REFI / "atlas_flat.qde", HERE / "plain_segments.csv", TAGUETTE / "highlights.csv"]


def _tables(folder):
    """The keys of every segment, code and coding (which file's code label wins depends on the
    order of the imports; whether a row is there does not)."""
    ds = load_dataset(folder, use_cache=False)
    return {name: sorted(map(tuple, getattr(ds, name)[key].astype(str).to_numpy().tolist()))
            for name, key in writer.KEYS.items()}


def _wait_for(paths, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(text in p.read_text() for p in paths if p.exists()) and all(p.exists() for p in paths):
            return True
        time.sleep(0.05)
    return False


def test_three_concurrent_imports_none_lost(dataset, tmp_path):
    expected = make_dataset(tmp_path / "one_by_one")
    for file in THREE:
        assert main(["import-qda", str(file), "--dataset", str(expected)]) == 0
    # Hold the dataset as a run would, so the three imports are all waiting at once.
    reader = DatasetLock(dataset, shared=True).acquire()
    errs = [tmp_path / f"err{i}.txt" for i in range(3)]
    procs = [subprocess.Popen([sys.executable, "-c", CLI, "import-qda", str(file), "--dataset",
                               str(dataset)], stdout=subprocess.DEVNULL, stderr=err.open("w"))
             for file, err in zip(THREE, errs)]
    try:
        assert _wait_for(errs, "waiting"), [e.read_text() for e in errs]
    finally:
        reader.release()
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0], [e.read_text() for e in errs]
    assert _tables(dataset) == _tables(expected)
    leftovers = [p.name for p in dataset.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no staging folder, no lock file


def test_import_refused_while_the_dataset_stays_locked(dataset, tmp_path, capsys, monkeypatch):
    before = snapshot(dataset)
    monkeypatch.setenv("LEADEVAL_IMPORT_WAIT", "0.2")
    with DatasetLock(dataset, shared=True):
        assert main(["import-qda", str(THREE[0]), "--dataset", str(dataset)]) == 2
    err = capsys.readouterr().err
    assert "a leadeval run is reading the dataset" in err and "not changed" in err
    assert snapshot(dataset) == before


def test_run_waits_for_an_import_then_refuses(dataset, tmp_path, capsys, monkeypatch, repo_root):
    monkeypatch.setenv("LEADEVAL_IMPORT_WAIT", "0.2")
    with DatasetLock(dataset, shared=False, holder="leadeval import-qda"):
        code = main(["run", "--config", str(repo_root / "reports.yaml"), "--dataset", str(dataset),
                     "--out", str(tmp_path / "reports")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"leadeval import-qda (process {os.getpid()}) is changing the dataset" in err
    assert not (tmp_path / "reports" / ".leadeval" / "run.lock").exists()


@pytest.mark.parametrize("where", ["../outside.csv", "{abs}", "link/segments.csv"])
def test_tables_path_outside_the_dataset_is_refused_and_nothing_written(dataset, tmp_path, capsys,
                                                                       where):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (dataset / "link").symlink_to(outside)
    name = where.format(abs=(outside / "abs.csv").as_posix())
    (dataset / "dataset.yaml").write_text(
        f"name: qda test\nsuppress_below: 5\ntables: {{segments: '{name}'}}\n", encoding="utf-8")
    before, around = snapshot(dataset), sorted(p.name for p in tmp_path.iterdir())
    assert main(["import-qda", str(TAGUETTE / "highlights.csv"), "--dataset", str(dataset)]) == 2
    err = capsys.readouterr().err
    assert "tables.segments" in err and "outside the dataset folder" in err and "not changed" in err
    assert snapshot(dataset) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == around
    assert list(outside.iterdir()) == []


ENCODED = {
    "utf16": lambda text: text.encode("utf-16"),
    "cp1252": lambda text: text.encode("cp1252"),
    "semicolons": lambda text: text.replace(",", ";").encode("utf-8"),
    "title_row": lambda text: ("Segments exported from the survey tool\n" + text).encode("utf-8"),
}


@pytest.mark.parametrize("form", sorted(ENCODED))
def test_import_into_tables_the_loader_accepts_never_crashes(dataset, tmp_path, capsys, form):
    assert main(["import-qda", str(THREE[0]), "--dataset", str(dataset)]) == 0
    base = _tables(dataset)
    for name in ("segments", "codes", "codings"):
        frame = pd.read_csv(dataset / f"{name}.csv", dtype=str, keep_default_na=False)
        if name == "segments":  # a non-ASCII character cp1252 can hold, and no commas in text
            frame["text"] = frame["text"].str.replace(",", "").str.replace("😅", "’")
        (dataset / f"{name}.csv").write_bytes(ENCODED[form](frame.to_csv(index=False)))
    load_dataset(dataset, use_cache=False)  # the loader accepts it
    assert main(["import-qda", str(THREE[1]), "--dataset", str(dataset)]) == 0, capsys.readouterr().err
    after = _tables(dataset)
    assert len(after["segments"]) == len(base["segments"]) + 2
    assert "Traceback" not in capsys.readouterr().err


def test_left_over_staging_folders_and_empty_lock_files_are_removed(dataset, capsys):
    (dataset / f"{staging.STAGING_PREFIX}dead1").mkdir()
    (dataset / f"{staging.STAGING_PREFIX}dead1" / "segments.csv").write_text("x")
    (dataset / ".leadeval").mkdir()
    (dataset / ".leadeval" / "run.lock").write_text("")
    assert main(["import-qda", str(THREE[0]), "--dataset", str(dataset)]) == 0
    assert [p.name for p in dataset.iterdir() if p.name.startswith(".")] == []
    assert "removed 1 staging folder(s)" in capsys.readouterr().err
