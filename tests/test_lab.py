"""JupyterLab: the project's kernel, own plots drawn inline, outputs never saved into git."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.lab import is_project_notebook, strip_saved_outputs

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_declares_the_leadeval_kernel(path):
    spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert spec["name"] == "leadeval"
    assert spec["language"] == "python"


def _executed_model():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1")
    cell.execution_count = 7
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                           execution_count=7)]
    nb.cells.append(cell)
    return {"type": "notebook", "content": json.loads(nbformat.writes(nb))}


def test_saving_a_project_notebook_in_lab_drops_its_outputs():
    model = _executed_model()
    cell_id = model["content"]["cells"][0]["id"]
    strip_saved_outputs(model, "notebooks/20_leadership_outcomes.ipynb")
    cell = model["content"]["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["id"] == cell_id and "".join(cell["source"]) == "1 + 1"


def test_a_researchers_own_notebook_keeps_its_outputs():
    model = _executed_model()
    strip_saved_outputs(model, "explore/mine.ipynb")
    output = model["content"]["cells"][0]["outputs"][0]
    assert "".join(output["data"]["text/plain"]) == "2"
    assert not is_project_notebook("notebooks/sub/x.ipynb")
    assert not is_project_notebook("notebooks/readme.md")


def test_lab_config_installs_the_hook():
    text = (REPO / "jupyter_server_config.py").read_text(encoding="utf-8")
    assert 'pre_save_hook = "helpers.lab.strip_saved_outputs"' in text
    assert "jupyter_server_config.py" in (REPO / "Makefile").read_text(encoding="utf-8")


def test_git_stages_notebooks_through_the_output_filter():
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb filter=nbstripout" in attributes.splitlines()
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "nbstripout --keep-id" in makefile


def test_nbstripout_leaves_a_committed_notebook_unchanged():
    """The filter, run as git runs it, returns each committed notebook byte for byte."""
    for path in NOTEBOOKS:
        raw = path.read_bytes()
        out = subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id", "-t"],
                             input=raw, capture_output=True, check=True).stdout
        assert out == raw, path.name


def test_theme_leaves_the_plotting_backend_alone():
    code = ("import matplotlib; matplotlib.use('svg'); "
            "from helpers.report.theme import apply_theme; apply_theme(); "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=_env_without_backend()).stdout.strip()
    assert out == "svg"


def _env_without_backend():
    """The environment of a kernel Jupyter starts for a person: no backend chosen for it."""
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


@pytest.mark.slow
def test_own_plot_renders_inline_after_open_report():
    """In a kernel as Lab starts it, a plt.plot after open_report shows as an image."""
    if not (REPO / "data" / "sample" / "dataset.yaml").is_file():
        pytest.skip("data/sample has not been generated (make sample)")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from helpers.report.context import open_report\n"
                                  "rep = open_report(programme_id='lcft_cetad')"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n"
                                  "plt.show()"),
    ]
    client = NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(REPO)}})
    client.execute(env=_env_without_backend())
    outputs = nb.cells[1].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), outputs
