"""The report context: which dataset, which programme or cohort, which disclosure threshold.

``open_report`` is the first call in every notebook. It resolves the dataset folder (the
``dataset`` parameter, else ``$LEADEVAL_DATASET``, else the dataset of the project the notebook
sits in: see :func:`default_dataset_path`),
loads and validates it once (``load_dataset`` caches typed tables), checks that the programme
and cohort exist, restricts every table to them and applies the figure theme.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pandas as pd

from helpers.data import load_dataset
from helpers.report.theme import apply_theme
from helpers.report.withheld import cohort_withheld, programme_cohort_codes
from helpers.starter import ENV_DATASET, find_project, project_dataset

#: What a detailed report needs in its scope: the table that must have rows, and what those rows
#: are, in words. Without them the report has nothing to say, so it is not published (the runner
#: records it as ``not_applicable``) and the evaluation report does not link to it.
NEEDS = {
    "30_qualitative_themes": ("codings", "coded interviews or comments"),
    "40_improvement_projects": ("projects", "improvement projects"),
    "50_networks": ("ties", "network ties"),
}


class NotApplicable(Exception):
    """The notebook has nothing to report for its scope; the message says why.

    Raised by :meth:`Report.not_applicable`. ``leadeval run`` records the job as
    ``not_applicable`` with this reason instead of publishing an empty page; in JupyterLab the
    cell shows the reason alone, without a traceback.
    """

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [f"Not applicable: {self}"]


def default_dataset_path(start: str | os.PathLike | None = None) -> Path:
    """The dataset used when a notebook is opened as it is.

    ``$LEADEVAL_DATASET`` when set; else the dataset named by the ``reports.yaml`` of the
    project at or above ``start`` (default: the working directory, which JupyterLab sets to the
    notebook's folder); else that project's ``dataset/`` or ``data/sample``. Never a folder inside
    the installed package.

    Raises
    ------
    FileNotFoundError
        No dataset could be found that way; the message says how to name one.
    """
    env = os.environ.get(ENV_DATASET)
    if env:
        return Path(env)
    project = find_project(Path(start) if start is not None else Path.cwd())
    if project is not None:
        return project_dataset(project)
    raise FileNotFoundError(
        "no dataset given: pass dataset='path/to/dataset', set $LEADEVAL_DATASET, or open the "
        "notebook inside a project made by `leadeval init` (it finds the project's reports.yaml)")


@dataclass
class Report:
    """What a notebook needs to know about the scope it reports on."""

    full: object  # helpers.data.Dataset: the whole dataset
    data: object  # helpers.data.Dataset: restricted to the programme / cohort
    programme_id: str
    cohort_id: str | None
    programme: dict = field(default_factory=dict)
    cohort: dict | None = None

    @property
    def threshold(self) -> int:
        """Counts below this are suppressed (dataset.yaml ``suppress_below``)."""
        return int(self.full.suppress_below)

    @property
    def cohort_codes(self) -> dict[str, str]:
        """Suppression code of each cohort of the programme (:func:`~helpers.report.disclosure.
        group_codes` over cohort sizes): the same in every report of the programme, so no two
        reports hide different cohorts and no cohort is recoverable from the programme total."""
        return programme_cohort_codes(self.full, self.programme_id)

    def cohort_fixed(self, frame, id_col: str, size_col: str, other_cols=()):
        """Fixed codes for a table with one row per cohort (for ``suppress_table(fixed=...)``):
        a hidden cohort's size keeps its programme-wide code and its other counts are hidden."""
        codes = self.cohort_codes
        out = pd.DataFrame("", index=frame.index, columns=[size_col, *other_cols], dtype=object)
        for idx, cid in frame[id_col].items():
            code = codes.get(str(cid), "")
            if code:
                out.at[idx, size_col] = code
                for c in other_cols:
                    out.at[idx, c] = "masked"
        return out

    @property
    def redact_names(self) -> list[str]:
        """Names to redact from quotes (dataset.yaml ``redact_names``)."""
        return list(self.full.meta.get("redact_names") or [])

    @property
    def scope(self) -> str:
        """The programme (and cohort) in words, for headings and sentences."""
        name = str(self.programme.get("name", self.programme_id))
        if self.cohort_id is None:
            return f"{name} (all cohorts)"
        return f"{name}, cohort {self.cohort_label}"

    @property
    def cohort_label(self) -> str:
        """A readable cohort label: its ``name`` column when present, else its id."""
        if self.cohort is None:
            return "all cohorts"
        return str(self.cohort.get("name") or self.cohort_id)

    @property
    def level(self) -> str:
        """``"programme"`` or ``"cohort"``: the kind of scope, for sentences."""
        return "programme" if self.cohort_id is None else "cohort"

    def not_applicable(self, reason: str) -> NoReturn:
        """Stop the notebook: it has nothing to report for this scope, for ``reason``.

        Call it before any output. The runner then records the job as ``not_applicable`` with
        the reason and removes any page published for it earlier; nothing is published.
        """
        raise NotApplicable(reason)

    def missing(self, notebook: str) -> str | None:
        """Why ``notebook`` (a name in :data:`NEEDS`) has nothing to report here, or None."""
        need = NEEDS.get(notebook)
        if need is None or len(getattr(self.data, need[0])) > 0:
            return None
        return f"This {self.level} has no {need[1]}."

    def require(self, notebook: str) -> None:
        """:meth:`not_applicable` when the scope lacks what ``notebook`` needs (:data:`NEEDS`)."""
        reason = self.missing(notebook)
        if reason:
            self.not_applicable(reason)

    @property
    def synthetic(self) -> bool:
        """True when dataset.yaml says the data are synthetic."""
        return bool(self.full.meta.get("synthetic", False))


def open_report(dataset: str | os.PathLike | None = None, programme_id: str | None = None,
                cohort_id: str | None = None, theme: bool = True) -> Report:
    """Load the dataset and restrict it to one programme (and optionally one cohort).

    Raises
    ------
    helpers.data.DataError
        The dataset is invalid (every problem listed).
    ValueError
        The programme or cohort does not exist, or the cohort belongs to another programme;
        the message lists the valid ids.
    NotApplicable
        The cohort may not be reported on its own (:func:`cohort_withheld`).
    """
    path = Path(dataset) if dataset else default_dataset_path()
    full = load_dataset(path)
    programmes = full.programmes
    if programme_id is None:
        if len(programmes) != 1:
            raise ValueError("programme_id is required: choose one of "
                             + ", ".join(sorted(programmes["programme_id"].astype(str))))
        programme_id = str(programmes["programme_id"].iloc[0])
    match = programmes[programmes["programme_id"] == programme_id]
    if match.empty:
        raise ValueError(f"programme_id {programme_id!r} is not in {path}: choose one of "
                         + ", ".join(sorted(programmes["programme_id"].astype(str))))
    cohort = None
    if cohort_id is not None:
        cohorts = full.cohorts
        crow = cohorts[cohorts["cohort_id"] == cohort_id]
        if crow.empty or str(crow["programme_id"].iloc[0]) != programme_id:
            valid = cohorts.loc[cohorts["programme_id"] == programme_id, "cohort_id"].astype(str)
            raise ValueError(f"cohort_id {cohort_id!r} is not a cohort of {programme_id!r}: "
                             "choose one of " + ", ".join(sorted(valid)))
        cohort = crow.iloc[0].to_dict()
        withheld = cohort_withheld(full, programme_id, cohort_id)
        if withheld:
            raise NotApplicable(withheld)
    if theme:
        apply_theme()
    data = full.subset(programme_id=programme_id, cohort_id=cohort_id)
    return Report(full=full, data=data, programme_id=programme_id, cohort_id=cohort_id,
                  programme=match.iloc[0].to_dict(), cohort=cohort)
