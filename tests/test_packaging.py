"""The built sdist and wheel install and run without the repository.

`python -m build` makes the sdist and then the wheel from the unpacked sdist (so a file missing
from the sdist fails here too). The wheel is installed with --no-deps into a new virtual
environment that borrows this environment's installed dependencies through a .pth line (no
network, no copy of 700 MB of libraries) but not this checkout: no PYTHONPATH, no editable
install, working directory outside the repository. There `leadeval init --from-sample` and
`leadeval run --only` one report must publish it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from helpers import __version__

pytestmark = pytest.mark.slow

pytest.importorskip("build")
pytest.importorskip("hatchling")

REPORT = "barts_kf_scl/all/00_data_quality.html"


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(repo_root)])
    return out


def test_version_has_one_source(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    changelog = (repo_root / "CHANGELOG.md").read_text()
    assert re.search(r"^## (\d+\.\d+\.\d+)", changelog, re.MULTILINE).group(1) == __version__


def test_sdist_and_wheel_carry_the_notebooks_and_manifest(dist, repo_root):
    notebooks = sorted(p.name for p in (repo_root / "notebooks").glob("*.ipynb"))
    (wheel,) = dist.glob(f"leadeval-{__version__}-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = "helpers/starter/bundled/"
    assert {f"{bundled}notebooks/{n}" for n in notebooks} <= names
    assert f"{bundled}reports.yaml" in names
    assert {"helpers/starter/templates/dataset.yaml", "helpers/starter/templates/README.md",
            "helpers/runner/templates/leadeval/report.css"} <= names
    assert not [n for n in names if n.startswith(("tests/", "data/")) or "__pycache__" in n]
    (sdist,) = dist.glob(f"leadeval-{__version__}.tar.gz")
    members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
    assert {f"notebooks/{n}" for n in notebooks} <= members
    assert {"reports.yaml", "CHANGELOG.md", "README.md", "pyproject.toml",
            "deploy/leadeval-reports.service"} <= members


def test_installed_wheel_starts_and_runs_a_project(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                     ).stdout.strip())
    # the libraries of this environment, appended after the new one's own site-packages
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "LEADEVAL_CODE_HASH", "LEADEVAL_DATASET")}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter")
    # Borrowed libraries bring their modules, not their data files: nbconvert's templates live
    # in this environment's share/jupyter, which a real install puts into the new venv.
    data = tmp_path / "borrowed-jupyter-data"
    data.mkdir()
    (data / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env["JUPYTER_PATH"] = str(data)
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
         env=env, cwd=tmp_path)
    where = _run([str(python), "-c", "import helpers; print(helpers.__file__)"], env=env,
                 cwd=tmp_path).stdout.strip()
    assert Path(where).resolve().is_relative_to(site.resolve()), where

    leadeval = str(env_dir / "bin" / "leadeval")
    assert __version__ in _run([leadeval, "--version"], env=env, cwd=tmp_path).stdout
    _run([leadeval, "init", "x", "--from-sample"], env=env, cwd=tmp_path)
    kernel = json.loads((tmp_path / "jupyter" / "kernels" / "leadeval" / "kernel.json").read_text())
    assert Path(kernel["argv"][0]) == python
    project = tmp_path / "x"
    run = subprocess.run([leadeval, "run", "--only", REPORT, "--jobs", "1"], env=env, cwd=project,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    jobs = json.loads((project / "reports" / "manifest.json").read_text())["jobs"]
    assert [(j["output"], j["status"]) for j in jobs] == [(REPORT, "ok")]
    html = (project / "reports" / REPORT).read_text()
    provenance = html[html.index('id="provenance"'):]
    assert __version__ in provenance[:3000]
