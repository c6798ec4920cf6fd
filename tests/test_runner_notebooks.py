"""Committed notebooks carry no outputs; each runs as it is, with its default parameters."""

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
FIXTURES = sorted((REPO / "tests" / "runner_fixtures").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS + FIXTURES, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
        assert "attachments" not in cell or not cell["attachments"], f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_declares_the_standard_parameters(path):
    from helpers.runner.params import parameters_source, parse_parameters

    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["cells"][0]["cell_type"] == "markdown"
    assert "".join(nb["cells"][0]["source"]).lstrip().startswith("# ")
    specs = parse_parameters(parameters_source(nb))
    assert specs["dataset"].types == ("str", "None") and specs["dataset"].default is None
    assert specs["cohort_id"].default is None
    assert not any(s.required for s in specs.values())


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_default_parameters(path, tmp_path):
    """Opened as it is (dataset None -> the dataset of the repository's reports.yaml, found from
    the notebook's folder, where Jupyter starts its kernel), the notebook runs top to bottom."""
    if not (REPO / "data" / "sample" / "dataset.yaml").is_file():
        pytest.skip("data/sample has not been generated (make sample)")
    import papermill

    papermill.execute_notebook(str(path), str(tmp_path / path.name), kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, execution_timeout=600)
