"""A dataset with cohorts of 1, 3 and 6 people, made from a copy of data/sample.

The Shrewsbury and Telford programme (13 + 4 in the sample) is cut to three cohorts: sath_c01
keeps 6 participants, sath_c02 keeps 3 and a new cohort sath_c03 gets 1 of them; the other
participants, and every row that refers to them, are removed. The other programmes are as in
the sample. Used by the disclosure tests and, written out by ``python tests/small_cohorts.py
DIR``, for a ``leadeval run`` over it.
"""

from __future__ import annotations

import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SIZES = {"sath_c01": 6, "sath_c02": 3, "sath_c03": 1}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def make_small_cohorts(dest: Path) -> Path:
    """Write the dataset to ``dest`` (a new folder) and return it."""
    shutil.copytree(SAMPLE, dest)
    people = _read(dest / "participants.csv")
    sath = people[people["cohort_id"].isin(["sath_c01", "sath_c02"])]
    c01 = sath[sath["cohort_id"] == "sath_c01"]["participant_id"].tolist()
    c02 = sath[sath["cohort_id"] == "sath_c02"]["participant_id"].tolist()
    new = {**{p: "sath_c01" for p in c01[:6]}, **{p: "sath_c02" for p in c02[:3]},
           c01[6]: "sath_c03"}
    drop = set(sath["participant_id"]) - set(new)
    people = people[~people["participant_id"].isin(drop)].copy()
    people["cohort_id"] = [new.get(p, c) for p, c in zip(people["participant_id"], people["cohort_id"])]
    people.to_csv(dest / "participants.csv", index=False)

    cohorts = _read(dest / "cohorts.csv")
    extra = cohorts[cohorts["cohort_id"] == "sath_c02"].copy()
    extra["cohort_id"] = "sath_c03"
    extra["start_date"], extra["end_date"] = "2012-11-12", "2013-01-07"
    pd.concat([cohorts, extra]).to_csv(dest / "cohorts.csv", index=False)

    for name, cols in {"attendance": ["participant_id"], "responses": ["participant_id"],
                       "careers": ["participant_id"], "ties": ["from_id", "to_id"],
                       "segments": ["participant_id"]}.items():
        t = _read(dest / f"{name}.csv")
        keep = ~t[cols].isin(drop).any(axis=1)
        t[keep].to_csv(dest / f"{name}.csv", index=False)
    segments = set(_read(dest / "segments.csv")["segment_id"])
    codings = _read(dest / "codings.csv")
    codings[codings["segment_id"].isin(segments)].to_csv(dest / "codings.csv", index=False)
    projects = _read(dest / "projects.csv")
    lost = projects["lead_participant_id"].isin(drop)
    projects.loc[lost, "lead_participant_id"] = c01[0]
    projects.to_csv(dest / "projects.csv", index=False)
    return dest


if __name__ == "__main__":
    print(make_small_cohorts(Path(sys.argv[1])))


@contextmanager
def displayed():
    """The HTML fragments :mod:`helpers.report.display` shows inside the block, in order."""
    import helpers.report.display as display

    parts: list[str] = []
    original = display._display
    display._display = parts.append
    try:
        yield parts
    finally:
        display._display = original


def as_page(parts: list[str]) -> str:
    """Displayed fragments as one HTML page, as the disclosure audit reads a report."""
    return "<!DOCTYPE html><html><body>" + "\n".join(parts) + "</body></html>"


def render_notebook(notebook: Path, dataset: Path, programme_id: str,
                    cohort_id: str | None = None) -> str:
    """A notebook's report as one page, run in this process: the code cells (parameters set),
    every displayed fragment and the markdown, in order. Raises NotApplicable as the notebook
    does. Faster than a kernel, and close enough for the disclosure audit (the runner adds
    only the page frame and provenance)."""
    import html as _html
    import json

    import matplotlib

    matplotlib.use("Agg")
    with displayed() as parts:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
        ns = {"dataset": str(dataset), "programme_id": programme_id, "cohort_id": cohort_id}
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                parts.append(f"<div>{_html.escape(source)}</div>")
            elif "parameters" in cell.get("metadata", {}).get("tags", []):
                # the notebook's defaults (per_cohort_reports ...), then this call's values,
                # as papermill injects them after the parameters cell
                given = dict(ns)
                exec(source, ns)  # noqa: S102 - the project's own notebooks
                ns.update(given)
            else:
                exec(source, ns)  # noqa: S102
    return as_page(parts)


def render_reports(out: Path, notebooks: Path, dataset: Path, programme_id: str,
                   names, cohorts=("all",)) -> Path:
    """Each notebook's report for the programme ("all") and each cohort given, written where
    ``leadeval run`` publishes it: ``out/<programme>/<cohort or all>/<notebook>.html``."""
    for cohort in cohorts:
        for name in names:
            page = out / programme_id / cohort / f"{name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(render_notebook(notebooks / f"{name}.ipynb", dataset, programme_id,
                                            None if cohort == "all" else cohort), encoding="utf-8")
    return out
