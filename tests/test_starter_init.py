"""`leadeval init`: a project folder that `leadeval run` and JupyterLab work in as it is."""

from __future__ import annotations

import filecmp
import json
import sys

import pytest

from helpers import cli
from helpers.report.context import default_dataset_path
from helpers.runner.manifest import load_manifest
from helpers.starter import find_project, is_packaged, packaged_manifest, packaged_notebooks
from helpers.starter.command import KERNEL_NAME


@pytest.fixture(autouse=True)
def _private_jupyter(tmp_path, monkeypatch):
    """Kernels go to a folder of the test's own, never the user's ~/.local/share/jupyter."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    monkeypatch.delenv("LEADEVAL_DATASET", raising=False)


def test_template_project_has_every_part(tmp_path, repo_root, capsys):
    project = tmp_path / "myeval"
    assert cli.main(["init", str(project)]) == 0
    assert sorted(p.name for p in project.iterdir()) == ["README.md", "dataset", "notebooks",
                                                         "reports.yaml"]
    # the packaged notebooks, unchanged, and the same ones the repository holds
    copied = sorted(p.name for p in (project / "notebooks").iterdir())
    assert copied == sorted(p.name for p in (repo_root / "notebooks").glob("*.ipynb"))
    for name in copied:
        assert filecmp.cmp(project / "notebooks" / name, repo_root / "notebooks" / name, shallow=False)
    # the manifest names the project's dataset, its notebooks resolve inside the project
    manifest = load_manifest(project / "reports.yaml")
    assert manifest.dataset == (project / "dataset").resolve()
    assert manifest.out == (project / "reports").resolve()
    assert {e.path.parent for e in manifest.entries} == {(project / "notebooks").resolve()}
    assert len(manifest.entries) == len(load_manifest(packaged_manifest()).entries)
    # a commented template and the header row of every table
    text = (project / "dataset" / "dataset.yaml").read_text()
    assert text.count("\n#") >= 10 and "suppress_below: 5" in text
    header = (project / "dataset" / "participants.csv").read_text().splitlines()
    assert header[0].split(",")[:3] == ["participant_id", "cohort_id", "organisation"]
    assert "leadeval run" in (project / "README.md").read_text()
    # the kernel runs this interpreter
    spec = json.loads((tmp_path / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    # until it is filled in, validation says what is missing, file by file
    capsys.readouterr()
    assert cli.main(["validate", str(project / "dataset")]) == 2
    err = capsys.readouterr().err
    assert "programmes.csv" in err and "Traceback" not in err


def test_init_refuses_a_folder_in_use(tmp_path, capsys):
    project = tmp_path / "busy"
    project.mkdir()
    (project / "notes.txt").write_text("mine")
    assert cli.main(["init", str(project), "--no-kernel"]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in project.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["busy"]  # no staging folder left behind
    assert not (tmp_path / "jupyter").exists()


def test_init_in_an_empty_folder(tmp_path):
    project = tmp_path / "empty"
    project.mkdir()
    assert cli.main(["init", str(project), "--no-kernel"]) == 0
    assert (project / "reports.yaml").is_file()
    assert not (tmp_path / "jupyter").exists()


def test_from_sample_is_the_committed_sample(tmp_path, sample_dataset_path):
    project = tmp_path / "demo"
    assert cli.main(["init", str(project), "--from-sample", "--no-kernel"]) == 0
    compare = filecmp.dircmp(project / "dataset", sample_dataset_path)
    assert compare.left_only == compare.right_only == []
    _, mismatch, errors = filecmp.cmpfiles(project / "dataset", sample_dataset_path,
                                           compare.common_files, shallow=False)
    assert mismatch == errors == []


def test_notebook_default_dataset_is_the_projects(tmp_path, monkeypatch, repo_root):
    project = tmp_path / "proj"
    assert cli.main(["init", str(project), "--no-kernel"]) == 0
    assert default_dataset_path(project / "notebooks") == (project / "dataset").resolve()
    assert default_dataset_path(project) == (project / "dataset").resolve()
    # the repository is a project too: its notebooks read data/sample
    assert default_dataset_path(repo_root / "notebooks") == (repo_root / "data" / "sample").resolve()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(FileNotFoundError, match="LEADEVAL_DATASET"):
        default_dataset_path(outside)
    monkeypatch.setenv("LEADEVAL_DATASET", str(tmp_path / "other"))
    assert default_dataset_path(project / "notebooks") == tmp_path / "other"


def test_packaged_files_are_never_a_project():
    notebooks = packaged_notebooks()
    assert notebooks and all(p.suffix == ".ipynb" for p in notebooks)
    bundled_root = packaged_manifest().parent
    if is_packaged(bundled_root):  # installed from a wheel: the manifest is package data
        assert find_project(bundled_root / "notebooks") is None


def test_run_without_reports_yaml_uses_the_packaged_manifest(tmp_path, monkeypatch, capsys, repo_root):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "--only", "no-such-report"]) == 2
    assert "leadeval init" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()
    monkeypatch.setenv("LEADEVAL_DATASET", str(repo_root / "tests" / "runner_fixtures" / "dataset"))
    assert cli.main(["run", "--only", "no-such-report"]) == 0
    assert "using the packaged one" in capsys.readouterr().err
    assert json.loads((tmp_path / "reports" / "manifest.json").read_text())["jobs"] == []


@pytest.mark.slow
def test_a_notebook_opened_as_it_is_runs_in_the_project(tmp_path, monkeypatch):
    """As JupyterLab would: working directory the notebook's folder, kernel from its metadata."""
    import papermill

    project = tmp_path / "demo"
    assert cli.main(["init", str(project), "--from-sample"]) == 0
    notebook = project / "notebooks" / "00_data_quality.ipynb"
    assert json.loads(notebook.read_text())["metadata"]["kernelspec"]["name"] == KERNEL_NAME
    out = papermill.execute_notebook(str(notebook), str(tmp_path / "ran.ipynb"),
                                     cwd=str(project / "notebooks"), progress_bar=False)
    outputs = [o for c in out["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outputs and not [o for o in outputs if o["output_type"] == "error"]
    assert out["metadata"]["papermill"]["exception"] in (None, False)
    shown = json.dumps(outputs)
    assert "Barts" in shown  # the notebook's default programme, read from the project's sample
