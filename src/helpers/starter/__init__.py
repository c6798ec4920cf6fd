"""What a new evaluation project starts from, and where a project's files are.

The report notebooks and the default job manifest ship inside the wheel under
``helpers/starter/bundled/`` (copied there at build time from the repository's ``notebooks/``
and ``reports.yaml``, which stay their only source). In a source checkout or an editable install
there is no bundled copy and the repository's own files are used.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import safeyaml

ENV_DATASET = "LEADEVAL_DATASET"   # the dataset a notebook opened as it is uses
MANIFEST_NAME = "reports.yaml"
PROJECT_DATASET = "dataset"      # the dataset folder of a project made by ``leadeval init``
REPOSITORY_DATASET = Path("data") / "sample"

_HERE = Path(__file__).resolve().parent
BUNDLED = _HERE / "bundled"
REPOSITORY = _HERE.parents[2]
TEMPLATES = _HERE / "templates"


def resources() -> Path:
    """The folder holding the packaged ``reports.yaml`` and ``notebooks/``.

    Raises
    ------
    FileNotFoundError
        Neither the wheel's bundled copy nor a source checkout is there (a broken install).
    """
    for root in (BUNDLED, REPOSITORY):
        if (root / MANIFEST_NAME).is_file() and (root / "notebooks").is_dir():
            return root
    raise FileNotFoundError(f"the packaged notebooks and {MANIFEST_NAME} are missing from "
                            f"{BUNDLED}; reinstall leadeval")


def packaged_manifest() -> Path:
    """The default job manifest that ships with the package."""
    return resources() / MANIFEST_NAME


def packaged_notebooks() -> list[Path]:
    """The report notebooks that ship with the package, in manifest order (by file name)."""
    return sorted((resources() / "notebooks").glob("*.ipynb"))


def is_packaged(path: Path) -> bool:
    """Whether ``path`` lies inside the installed package (never a place to write or read data)."""
    try:
        Path(path).resolve().relative_to(_HERE.parent)
    except ValueError:
        return False
    return True


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``reports.yaml``, or None.

    A notebook opened in JupyterLab runs with its own folder as working directory, so from
    ``<project>/notebooks/`` this finds ``<project>``.
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST_NAME).is_file() and not is_packaged(folder):
            return folder
    return None


def project_dataset(project: Path) -> Path:
    """The dataset a project's notebooks use when opened as they are.

    The ``dataset:`` of the project's ``reports.yaml`` (relative to it), else its ``dataset/``
    folder (``leadeval init``), else ``data/sample`` (the repository's layout).
    """
    project = Path(project)
    try:
        raw = safeyaml.load_path(project / MANIFEST_NAME) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raw = {}
    named = raw.get("dataset") if isinstance(raw, dict) else None
    if isinstance(named, str) and named:
        return (project / named).resolve()
    if (project / PROJECT_DATASET / "dataset.yaml").is_file():
        return (project / PROJECT_DATASET).resolve()
    return (project / REPOSITORY_DATASET).resolve()
