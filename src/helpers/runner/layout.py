"""Where reports live: the names the reports folder keeps for itself, beside
``<programme_id>/<cohort_id or all>/``, the links between reports and the per-cohort report set.

A programme id becomes a folder at the top of the reports folder and a cohort id a folder inside
its programme's, so an id may not take one of these names (checked when a dataset is validated,
:mod:`helpers.data.ids`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import safeyaml

#: The folder of a programme's own reports (all its cohorts), beside one folder per cohort.
PROGRAMME_FOLDER = "all"
#: The run's own files and folders at the top of the reports folder.
INDEX = "index.html"
MANIFEST = "manifest.json"
LOGS = "logs"
STATE = ".leadeval"
TOP_LEVEL = (INDEX, MANIFEST, LOGS, STATE)
#: The parameter through which the runner gives a notebook the reports it runs per cohort.
PER_COHORT_PARAMETER = "per_cohort_reports"
#: The repository's own manifest: what a notebook opened in JupyterLab reports against.
PROJECT_MANIFEST = Path(__file__).resolve().parents[3] / "reports.yaml"


def per_cohort_reports(entries) -> list[str]:
    """Names of the notebooks that the manifest runs per cohort, sorted.

    Parameters
    ----------
    entries : iterable of helpers.runner.manifest.Entry
        The manifest's entries (``name`` and ``per``).

    Examples
    --------
    >>> from types import SimpleNamespace as E
    >>> per_cohort_reports([E(name="50_networks", per=("programme", "cohort")),
    ...                     E(name="10_reach", per=("programme",))])
    ['50_networks']
    """
    return sorted({e.name for e in entries if "cohort" in e.per})


def per_cohort_notebooks(manifest: str | Path | None = None) -> set[str]:
    """Notebook names that ``reports.yaml`` runs per cohort (empty when it cannot be read).

    For a notebook opened as it is (no runner to pass :data:`PER_COHORT_PARAMETER`); ``manifest``
    defaults to :data:`PROJECT_MANIFEST`.
    """
    path = Path(manifest) if manifest else PROJECT_MANIFEST
    try:
        entries = safeyaml.load_path(path).get("reports", [])
    except (OSError, AttributeError, yaml.YAMLError):
        return set()
    out = set()
    for e in entries:
        per = e.get("per", "programme")
        per = [per] if isinstance(per, str) else list(per or [])
        if "cohort" in per:
            out.add(Path(str(e.get("notebook", ""))).stem)
    return out


def detail_href(notebook: str, cohort_id: str | None, per_cohort: set[str] | frozenset = frozenset()) -> str:
    """Relative link from one report to another report of the same programme.

    Reports live at ``reports/<programme_id>/<cohort_id or all>/<notebook>.html``: from a
    programme report, or a cohort report whose detail also runs per cohort, the link is the file
    name; otherwise a cohort report links to the programme's ``../all/`` report.

    Examples
    --------
    >>> detail_href("50_networks", "c1", {"50_networks"})
    '50_networks.html'
    >>> detail_href("20_leadership_outcomes", "c1", {"50_networks"})
    '../all/20_leadership_outcomes.html'
    """
    if cohort_id is None or notebook in per_cohort:
        return f"{notebook}.html"
    return f"../{PROGRAMME_FOLDER}/{notebook}.html"
