"""Hostile input (tests/hostile/inputs/ and cases made here): files made to hurt the loader,
the runner or the importer. Each is refused with its file, row and column, exit status 2 and no
traceback, and neither the dataset nor the published reports change.
"""

from __future__ import annotations

import doctest
import hashlib
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from data_cases.builders import build_case, copy_valid, places, private_cache, refused_at, update_meta  # noqa: F401
from helpers import safeyaml
from helpers.cli import main
from helpers.data import DataError, codebook, ids, load_dataset
from helpers.data.coerce import MAX_MAGNITUDE
from hostile.make_inputs import BOMB, INPUTS

CASES = sorted(p.name for p in INPUTS.iterdir() if (p / "case.yaml").is_file())


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def refused_by_cli(argv: list[str], capsys) -> str:
    """Run the command line; it must exit 2 without a traceback. Returns stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
    return err


def cli_places(err: str) -> set[tuple]:
    """(file, row, column) of each ``file:row:column: message`` line of ``validate``."""
    found = set()
    for line in err.strip().splitlines()[:-1]:
        file, row, column, message = line.split(":", 3)
        assert message.startswith((" found ", " expected ")), line
        found.add((file, None if row == "-" else int(row), None if column == "-" else column))
    return found


def check_case(name: str, tmp_path: Path, capsys) -> tuple[Path, str]:
    """Build case ``name``; validate must refuse it at exactly its places, changing nothing."""
    folder, spec = build_case(name, tmp_path, INPUTS)
    assert spec["expect"] == "refused"
    before = snapshot(folder)
    err = refused_by_cli(["validate", str(folder)], capsys)
    want = {(p["file"], p["row"], p["column"]) for p in spec["problems"]}
    assert cli_places(err) == want
    assert err.strip().splitlines()[-1].startswith(f"{len(want)} problem(s)")
    assert snapshot(folder) == before
    return folder, err


@pytest.mark.parametrize("name", CASES)
def test_hostile_case_is_refused_at_its_places(name, tmp_path, capsys):
    check_case(name, tmp_path, capsys)


def test_corpus_has_one_case_per_class():
    assert set(CASES) >= {"yaml_alias_bomb", "kpi_values_not_finite", "item_bounds_not_finite",
                          "ids_unsafe_as_folders", "redact_names_not_text", "codebook_cycle",
                          "codebook_too_deep"}


def test_new_modules_examples_hold():
    from helpers.data import coerce

    for module in (safeyaml, ids, codebook, coerce):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# --- YAML alias expansion ------------------------------------------------------------------

def test_yaml_alias_bomb_is_refused(tmp_path, capsys):
    _, err = check_case("yaml_alias_bomb", tmp_path, capsys)
    assert "aliases" in err and "10,000" in err


def _expanded(value) -> int:
    """Nodes of a constructed YAML value, counted by walking every repeat (the oracle)."""
    if isinstance(value, list):
        return 1 + sum(_expanded(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(_expanded(k) + _expanded(v) for k, v in value.items())
    return 1


@pytest.mark.parametrize("levels", [1, 2, 3, 4])
def test_alias_expansion_is_counted_without_expanding(levels):
    """check_node's count equals the size of the walked value, for bombs small enough to walk."""
    text = "".join(BOMB.splitlines(keepends=True)[:levels])
    node = yaml.compose(text, Loader=safeyaml.BoundedSafeLoader)
    assert safeyaml.check_node(node) == _expanded(yaml.safe_load(text))


def test_alias_reuse_within_the_bound_loads(tmp_path):
    folder = copy_valid(tmp_path)
    path = folder / "dataset.yaml"
    text = path.read_text().replace("    labels: {1: Strongly", "    labels: &agree {1: Strongly")
    text += "    labels: *agree\n"
    path.write_text(text)
    ds = load_dataset(folder)
    assert ds.meta["instruments"][1]["labels"] == ds.meta["instruments"][0]["labels"]


def test_recursive_alias_is_refused(tmp_path):
    folder = copy_valid(tmp_path)
    line = (folder / "dataset.yaml").read_text().count("\n") + 1
    with open(folder / "dataset.yaml", "a") as fh:
        fh.write("equality: &loop {reference: *loop}\n")
    assert refused_at(folder) == {("dataset.yaml", line, None)}


def test_deeply_nested_yaml_is_refused(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    with open(folder / "dataset.yaml", "a") as fh:
        fh.write("costs: " + "[" * 5000 + "]" * 5000 + "\n")
    refused_by_cli(["validate", str(folder)], capsys)
    assert {p[0] for p in refused_at(folder)} == {"dataset.yaml"}


def test_yaml_alias_bomb_in_reports_yaml_is_refused(tmp_path, capsys):
    from helpers.runner.exceptions import ManifestError
    from helpers.runner.manifest import load_manifest

    config = tmp_path / "reports.yaml"
    config.write_text("reports: []\n" + BOMB.replace("redact_names", "extra"))
    with pytest.raises(ManifestError, match=r"line 6: expected at most 10,000 values"):
        load_manifest(config)
    refused_by_cli(["run", "--config", str(config)], capsys)


def test_yaml_alias_bomb_in_import_map_is_refused(tmp_path, capsys):
    from helpers.intake.mapfile import read_map

    folder = copy_valid(tmp_path)
    before = snapshot(folder)
    export = tmp_path / "kpi.csv"
    export.write_text("project_id,period,value\np1,2024-02-01,3.9\n")
    m = tmp_path / "map.yaml"
    m.write_text("into: kpi_values\n" + BOMB.replace("redact_names", "drop"))
    found, problems = read_map(m)
    assert found is None and places(problems) == {("map.yaml", 6, None)}
    err = refused_by_cli(["import", str(export), "--dataset", str(folder), "--map", str(m)], capsys)
    assert "map.yaml:6:-: expected at most 10,000 values" in err
    assert snapshot(folder) == before


# --- non-finite numbers ---------------------------------------------------------------------

def test_non_finite_kpi_values_are_refused(tmp_path, capsys):
    _, err = check_case("kpi_values_not_finite", tmp_path, capsys)
    assert f"between {-MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}" in err


def test_non_finite_item_bounds_are_refused(tmp_path, capsys):
    check_case("item_bounds_not_finite", tmp_path, capsys)


def test_overflowing_whole_number_is_refused_not_a_crash(tmp_path, capsys):
    """1e308 in an integer column used to crash the cast to Int64 ("a leadeval bug")."""
    from data_cases.builders import set_cell

    folder = copy_valid(tmp_path)
    set_cell(folder, "programmes", 2, "modules", "1e308")
    err = refused_by_cli(["validate", str(folder)], capsys)
    assert cli_places(err) == {("programmes.csv", 2, "modules")}
    assert "bug" not in err


def test_non_finite_numbers_in_parquet_are_refused(tmp_path):
    """Parquet holds inf as a float, not as text: the typed path refuses it too."""
    import pandas as pd

    folder = copy_valid(tmp_path)
    frame = pd.read_csv(folder / "kpi_values.csv")
    frame.loc[[0, 2], "value"] = [float("inf"), 1e300]
    frame.to_parquet(folder / "kpi_values.parquet", index=False)
    (folder / "kpi_values.csv").unlink()
    assert refused_at(folder) == {("kpi_values.parquet", 2, "value"), ("kpi_values.parquet", 4, "value")}


def test_largest_allowed_number_loads(tmp_path):
    from data_cases.builders import set_cell

    folder = copy_valid(tmp_path)
    set_cell(folder, "kpi_values", 2, "value", f"{-MAX_MAGNITUDE:.0f}")
    assert load_dataset(folder).kpi_values["value"].min() == -MAX_MAGNITUDE


@pytest.mark.parametrize("key,value,column", [
    ("max_file_mb", float("inf"), "max_file_mb"),
    ("costs", {"kf_scl": {"per_place": float("nan")}}, "costs.kf_scl.per_place"),
    ("benefits", {"kf_scl": [{"project_id": "p2", "unit_value": float("inf")}]}, "benefits.kf_scl[0]"),
])
def test_non_finite_settings_are_refused(key, value, column, tmp_path):
    folder = copy_valid(tmp_path)
    update_meta(folder, **{key: value})
    assert {(f, c) for f, _, c in refused_at(folder)} == {("dataset.yaml", column)}


# --- links out of the dataset folder --------------------------------------------------------

def _outside(tmp_path: Path, folder: Path, name: str) -> Path:
    """Move ``folder/name`` out of the folder and leave a link to it in its place."""
    target = tmp_path / "elsewhere" / name
    target.parent.mkdir(exist_ok=True)
    (folder / name).rename(target)
    (folder / name).symlink_to(target)
    return target


def test_table_linked_from_outside_is_refused(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    target = _outside(tmp_path, folder, "careers.csv")
    before = snapshot(folder)
    err = refused_by_cli(["validate", str(folder)], capsys)
    assert cli_places(err) == {("careers.csv", None, None)}
    assert str(target) in err and snapshot(folder) == before


def test_dataset_yaml_linked_from_outside_is_refused(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    _outside(tmp_path, folder, "dataset.yaml")
    err = refused_by_cli(["validate", str(folder)], capsys)
    assert cli_places(err) == {("dataset.yaml", None, None)}


def test_table_path_through_linked_folder_is_refused(tmp_path):
    folder = copy_valid(tmp_path)
    _outside(tmp_path, folder, "careers.csv")
    (folder / "careers.csv").unlink()
    (folder / "sub").symlink_to(tmp_path / "elsewhere")
    update_meta(folder, tables={"careers": "sub/careers.csv"})
    lines = (folder / "dataset.yaml").read_text().splitlines()
    assert refused_at(folder) == {("dataset.yaml", lines.index("  careers: sub/careers.csv") + 1,
                                   "tables.careers")}


def test_link_inside_the_folder_is_followed(tmp_path):
    folder = copy_valid(tmp_path)
    (folder / "kept").mkdir()
    (folder / "careers.csv").rename(folder / "kept" / "careers.csv")
    (folder / "careers.csv").symlink_to(folder / "kept" / "careers.csv")
    assert len(load_dataset(folder).careers) == 2


def test_dataset_hash_skips_devices_fifos_and_links_out(tmp_path):
    """A link to /dev/zero or a FIFO in the folder made the run's hash read forever."""
    from helpers.runner.hashing import dataset_hash

    folder = copy_valid(tmp_path)
    plain = dataset_hash(folder)
    (folder / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.csv")
    (folder / "far.csv").symlink_to(tmp_path)
    assert dataset_hash(folder) == plain


# --- ids as folder names --------------------------------------------------------------------

@pytest.mark.parametrize("value", ["barts_c01", "2011-12", "Cohort 3", "kf.2024", "a" * 64])
def test_safe_id_is_accepted(value):
    assert ids.segment_problem(value, ("all",)) is None


@pytest.mark.parametrize("value", ["2011/12", "a\\b", "..", ".", ".leadeval", "-rf", " c1", "c1.",
                                   "c1 ", "a" * 65, "tab\there", "rtl\u202e", "caf\u00e9", "all",
                                   "ALL", "nul", "COM1.txt", "x:y"])
def test_unsafe_id_is_refused(value):
    assert ids.segment_problem(value, ("all",))


def test_ids_unsafe_as_folders_are_refused(tmp_path, capsys):
    _, err = check_case("ids_unsafe_as_folders", tmp_path, capsys)
    assert "write 2011-12" in err and "'lbs1' (row 4)" in err


def test_report_layout_names_are_reserved():
    """The reserved names are the runner's own: what a run writes beside the programme folders."""
    from helpers.runner import layout
    from helpers.runner.manifest import output_path

    assert output_path("p", None, "nb").split("/")[1] == layout.PROGRAMME_FOLDER
    for name in layout.TOP_LEVEL:
        assert ids.segment_problem(name, layout.TOP_LEVEL)


# --- dataset.yaml types ---------------------------------------------------------------------

def test_redact_names_not_text_is_refused(tmp_path, capsys):
    check_case("redact_names_not_text", tmp_path, capsys)


@pytest.mark.parametrize("key,value,column", [
    ("name", ["a", "list"], "name"),
    ("description", {"a": 1}, "description"),
    ("seed", "seven", "seed"),
    ("codebook", ["codes.csv"], "codebook"),
    ("tables", {"careers": ["careers.csv"]}, "tables.careers"),
    ("redact_names", "Ann Smith", "redact_names"),
    ("pseudonymisation", {"enabled": False, "key_env": 7}, "pseudonymisation.key_env"),
    ("costs", {"kf_scl": {"currency": ["GBP"]}}, "costs.kf_scl.currency"),
    ("equality", {"reference": {"ethnicity": ["White"]}}, "equality.reference.ethnicity"),
])
def test_dataset_yaml_type_error_is_refused(key, value, column, tmp_path, capsys):
    folder = copy_valid(tmp_path)
    update_meta(folder, **{key: value})
    err = refused_by_cli(["validate", str(folder)], capsys)
    (found,) = cli_places(err)
    assert (found[0], found[2]) == ("dataset.yaml", column) and found[1] is not None


def test_misspelt_setting_is_a_warning(tmp_path):
    folder = copy_valid(tmp_path)
    update_meta(folder, supress_below=10)
    warnings = load_dataset(folder).warnings
    assert [(w.file, w.column) for w in warnings] == [("dataset.yaml", "supress_below")]


# --- codebooks ------------------------------------------------------------------------------

def test_codebook_cycle_is_refused(tmp_path, capsys):
    _, err = check_case("codebook_cycle", tmp_path, capsys)
    assert "restorative -> reflection -> restorative" in err


def test_deeply_nested_codebook_is_refused(tmp_path, capsys):
    check_case("codebook_too_deep", tmp_path, capsys)


def test_codebook_at_the_depth_limit_loads(tmp_path):
    from data_cases.builders import read_rows, write_rows

    folder = copy_valid(tmp_path)
    rows = read_rows(folder, "codes")
    rows += [[f"d{i}", f"Deep {i}", "confidence" if i == 0 else f"d{i - 1}", ""]
             for i in range(codebook.MAX_DEPTH)]
    write_rows(folder, "codes", rows)
    assert len(load_dataset(folder).codes) == 4 + codebook.MAX_DEPTH


def test_code_depths_walk_a_long_chain_once():
    """A chain far past the recursion limit, listed deepest first (the worst order)."""
    n = 50_000
    parents = {f"c{i}": (f"c{i - 1}" if i else None) for i in reversed(range(n))}
    depths, cycles = codebook.code_depths(parents)
    assert cycles == [] and depths["c0"] == 0 and depths[f"c{n - 1}"] == n - 1


# --- folders that cannot be written ---------------------------------------------------------

@contextmanager
def read_only(folder: Path):
    """Make ``folder`` and everything under it unwritable for this process, for real: mode bits
    for a normal user; for root, which ignores them, the immutable attribute (skip if the file
    system or the container does not allow it)."""
    if os.geteuid() != 0:
        paths = [folder, *folder.rglob("*")]
        modes = {p: p.stat().st_mode for p in paths if not p.is_symlink()}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        undo = lambda: [p.chmod(m) for p, m in modes.items()]  # noqa: E731
    else:
        made = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True)
        if made.returncode != 0:
            pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
        undo = lambda: subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)  # noqa: E731
    try:
        try:
            (folder / ".probe").touch()
        except OSError:
            pass
        else:
            (folder / ".probe").unlink()
            pytest.skip("the folder stayed writable")
        yield folder
    finally:
        undo()


def test_import_into_read_only_dataset_is_refused(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    export = tmp_path / "kpi.csv"
    export.write_text("project_id,period,value\np1,2024-02-01,3.9\n")
    m = tmp_path / "map.yaml"
    m.write_text("into: kpi_values\nproject_id: {column: project_id}\nperiod: {column: period}\n"
                 "value: {column: value}\n")
    before = snapshot(folder)
    with read_only(folder):
        err = refused_by_cli(["import", str(export), "--dataset", str(folder), "--map", str(m)],
                             capsys)
    assert "cannot write into" in err and snapshot(folder) == before


def test_sample_data_into_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("kept")
    refused_by_cli(["sample-data", str(target), "--participants", "30"], capsys)
    assert target.read_text() == "kept"


# --- the run: nothing written, the last good reports unchanged ------------------------------

@pytest.fixture
def published(tmp_path, monkeypatch):
    """A project whose reports were published once by a good run."""
    from helpers.runner.commands import run_command
    from runner_helpers import make_project, run_args

    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")
    root = make_project(tmp_path / "project", [{"notebook": "ok", "per": "programme"}])
    assert run_command(run_args(root, jobs=1)) == 0
    return root


def _run(root: Path, capsys, **kw) -> str:
    from helpers.runner.commands import run_command
    from runner_helpers import run_args

    assert run_command(run_args(root, jobs=1, force=True, **kw)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.slow
def test_unsafe_ids_leave_the_last_good_reports_unchanged(published, capsys):
    from data_cases.builders import read_rows, write_rows

    reports = snapshot(published / "reports")
    rows = read_rows(published / "data", "cohorts")
    rows.append(["all", rows[1][1], "2024-01-01", "2024-06-30", ""])
    write_rows(published / "data", "cohorts", rows)
    err = _run(published, capsys)
    assert "cohorts.csv:5:cohort_id: found 'all'" in err
    assert snapshot(published / "reports") == reports


@pytest.mark.slow
def test_read_only_reports_folder_is_refused(published, capsys):
    reports = snapshot(published / "reports")
    with read_only(published / "reports"):
        err = _run(published, capsys)
    assert "cannot write into" in err and "nothing was run" in err
    assert snapshot(published / "reports") == reports


@pytest.mark.slow
def test_run_reads_a_read_only_dataset(published, capsys):
    """Nothing is written into the dataset folder by a run, so a read-only one is no error."""
    from helpers.runner.commands import run_command
    from runner_helpers import run_args

    data = snapshot(published / "data")
    with read_only(published / "data"):
        assert run_command(run_args(published, jobs=1, force=True)) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert snapshot(published / "data") == data


def test_out_naming_a_file_is_refused(tmp_path, capsys, monkeypatch):
    from runner_helpers import make_project

    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")
    root = make_project(tmp_path / "project", [{"notebook": "ok", "per": "programme"}])
    target = tmp_path / "reports.html"
    target.write_text("kept")
    err = _run(root, capsys, out=str(target))
    assert "is a file, not a folder" in err and target.read_text() == "kept"
    assert not (root / "reports").exists()

