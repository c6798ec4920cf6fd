"""``leadeval init DIR [--from-sample]``: a new evaluation project that ``leadeval run`` works in.

The project is assembled in a hidden folder beside DIR and renamed into place, so a failure
leaves nothing half-made. Then the ``leadeval`` Jupyter kernel (this interpreter) is installed
for the user, so the notebooks open in JupyterLab with the environment that has leadeval.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
from pathlib import Path
from string import Template

from helpers import __version__
from helpers.sample import generate_sample
from helpers.starter import (MANIFEST_NAME, PROJECT_DATASET, TEMPLATES, packaged_manifest,
                             packaged_notebooks)

KERNEL_NAME = "leadeval"
KERNEL_DISPLAY_NAME = "Python (leadeval)"

#: The tables of DESIGN.md's dataset contract: a template project gets one header-only CSV each.
TEMPLATE_TABLES = ("programmes", "cohorts", "participants", "attendance", "items", "responses",
                   "segments", "codes", "codings", "projects", "kpi_values", "ties", "careers")

_DATASET_LINE = re.compile(r"^dataset:.*$", re.MULTILINE)


def project_manifest(text: str) -> str:
    """The packaged manifest's text with its ``dataset:`` pointed at the project's ``dataset/``.

    Comments and layout are kept (a text edit, not a YAML round trip).

    Examples
    --------
    >>> project_manifest("# jobs\\ndataset: data/sample\\nout: reports\\n")
    '# jobs\\ndataset: dataset\\nout: reports\\n'
    >>> project_manifest("out: reports\\n")
    'dataset: dataset\\nout: reports\\n'
    """
    line = f"dataset: {PROJECT_DATASET}"
    if _DATASET_LINE.search(text):
        return _DATASET_LINE.sub(line, text, count=1)
    return f"{line}\n{text}"


def _template_dataset(folder: Path) -> None:
    """dataset.yaml with comments and a header-only CSV per table (the required columns)."""
    from helpers.data.schema import TABLES

    folder.mkdir()
    shutil.copyfile(TEMPLATES / "dataset.yaml", folder / "dataset.yaml")
    for name in TEMPLATE_TABLES:
        columns = [c.name for c in TABLES[name].columns if c.required]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(columns)


def _assemble(root: Path, from_sample: bool, title: str) -> None:
    if from_sample:
        generate_sample(root / PROJECT_DATASET)
        note = "the synthetic sample: replace it with your own"
    else:
        _template_dataset(root / PROJECT_DATASET)
        note = "a template: fill it in"
    (root / "notebooks").mkdir()
    notebooks = packaged_notebooks()
    for path in notebooks:
        shutil.copyfile(path, root / "notebooks" / path.name)
    manifest = project_manifest(packaged_manifest().read_text(encoding="utf-8"))
    (root / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
    readme = Template((TEMPLATES / "README.md").read_text(encoding="utf-8"))
    (root / "README.md").write_text(readme.substitute(title=title, version=__version__,
                                                      dataset_note=note), encoding="utf-8")


def install_kernel() -> str:
    """Install the ``leadeval`` kernelspec (this interpreter) for the user; returns its folder.

    ``$JUPYTER_DATA_DIR`` moves the user's kernels folder, as for every Jupyter tool.
    """
    from ipykernel.kernelspec import install

    return install(user=True, kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME)


def init_command(target: str | Path, from_sample: bool = False, kernel: bool = True) -> int:
    """Entry point of ``leadeval init``; returns 0, 1 (project made, kernel not installed) or 2."""
    err = sys.stderr
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"leadeval init: {target} already exists and is not an empty folder; "
              "nothing was written", file=err)
        return 2
    parent = target.resolve().parent
    if not parent.is_dir():
        print(f"leadeval init: the folder {parent} does not exist; nothing was written", file=err)
        return 2
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".leadeval-tmp",
                                        dir=parent))
    except OSError as exc:
        print(f"leadeval init: cannot write in {parent}: {exc}; nothing was written", file=err)
        return 2
    try:
        _assemble(staging, from_sample, title=target.resolve().name)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"leadeval init: could not create {target}: {exc}; nothing was written", file=err)
        return 2
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"created {target}: dataset/ ({'the sample' if from_sample else 'a template'}), "
          f"{MANIFEST_NAME}, notebooks/, README.md")
    if kernel:
        try:
            where = install_kernel()
        except Exception as exc:  # noqa: BLE001 - the project is usable without JupyterLab
            print(f"leadeval init: the project is ready but the {KERNEL_NAME} kernel could not "
                  f"be installed ({type(exc).__name__}: {exc}); run `{sys.executable} -m "
                  f"ipykernel install --user --name {KERNEL_NAME}`", file=err)
            return 1
        print(f"installed the Jupyter kernel '{KERNEL_NAME}' ({sys.executable}) in {where}")
    step = "" if from_sample else "fill in dataset/, then "
    print(f"next: cd {target} && {step}leadeval run")
    return 0
