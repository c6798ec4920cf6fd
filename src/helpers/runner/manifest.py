"""The job manifest, ``reports.yaml``: which notebook runs for which parameter sets.

Format::

    dataset: data/sample          # default dataset folder (relative to this file)
    out: reports                  # default reports folder
    cell_timeout: 600             # seconds per cell (optional)
    job_timeout: 1800             # seconds per job (optional)
    reports:
      - notebook: notebooks/00_data_quality.ipynb
        per: programme            # one job per programme -> reports/<programme_id>/all/
      - notebook: notebooks/50_networks.ipynb
        per: [programme, cohort]  # one per programme and one per cohort -> .../<cohort_id>/
        parameters: {}            # optional fixed extra parameters
        job_timeout: 3600         # optional per-entry timeouts
      - notebook: notebooks/90_evaluation_report.ipynb
        per: [programme, cohort]
        depends_on: [50_networks] # reports it links to: their input hashes are part of its own

Every job receives ``dataset``, ``programme_id`` and ``cohort_id`` (None for programme jobs).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import safeyaml
from helpers.runner.exceptions import ManifestError
from helpers.safeyaml import LimitError
from helpers.runner.layout import PER_COHORT_PARAMETER, PROGRAMME_FOLDER, per_cohort_reports

PER_VALUES = ("programme", "cohort")
DEFAULT_CELL_TIMEOUT = 600
DEFAULT_JOB_TIMEOUT = 1800


@dataclass(frozen=True)
class Entry:
    """One reports.yaml entry."""

    notebook: str          # as written, relative to the manifest's folder
    path: Path             # absolute
    per: tuple[str, ...]
    parameters: dict = field(default_factory=dict)
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    job_timeout: float | None = DEFAULT_JOB_TIMEOUT
    depends_on: tuple[str, ...] = ()  # notebook names (file stems) of other entries

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Manifest:
    path: Path
    dataset: Path | None
    out: Path
    entries: tuple[Entry, ...]


@dataclass
class Job:
    """One notebook run for one parameter set; identified by its output path."""

    entry: Entry
    programme_id: str
    cohort_id: str | None
    parameters: dict          # what the notebook receives, without ``dataset``
    output: str               # relative to the reports folder, posix

    @property
    def notebook(self) -> str:
        return self.entry.notebook


def _load_yaml(path: Path) -> Any:
    return safeyaml.load_path(path)


def _timeout(value: Any, where: str, default):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ManifestError(f"{where}: a timeout must be a positive number of seconds, got {value!r}")
    return value


def load_manifest(path: str | Path) -> Manifest:
    """Read and check reports.yaml.

    Raises
    ------
    ManifestError
        When the file is missing or malformed; the message names the entry.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ManifestError(f"job manifest {path} not found (pass --config FILE)")
    try:
        raw = _load_yaml(path) or {}
    except LimitError as exc:
        mark = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        raise ManifestError(f"{path}: {mark}expected {exc.problem}") from exc
    except Exception as exc:  # noqa: BLE001 - yaml raises several types
        raise ManifestError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("reports"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'reports' list")
    base = path.parent
    cell_default = _timeout(raw.get("cell_timeout"), str(path), DEFAULT_CELL_TIMEOUT)
    job_default = _timeout(raw.get("job_timeout"), str(path), DEFAULT_JOB_TIMEOUT)
    entries = []
    for i, item in enumerate(raw["reports"], start=1):
        where = f"{path.name} entry {i}"
        if not isinstance(item, dict) or not isinstance(item.get("notebook"), str):
            raise ManifestError(f"{where}: each entry needs 'notebook: path/to/notebook.ipynb'")
        unknown = set(item) - {"notebook", "per", "parameters", "cell_timeout", "job_timeout",
                               "depends_on"}
        if unknown:
            raise ManifestError(f"{where} ({item['notebook']}): unknown keys {sorted(unknown)}")
        per = item.get("per", "programme")
        per = (per,) if isinstance(per, str) else tuple(per or ())
        if not per or any(p not in PER_VALUES for p in per):
            raise ManifestError(f"{where} ({item['notebook']}): 'per' must be programme, cohort "
                                f"or a list of them, got {item.get('per')!r}")
        params = item.get("parameters") or {}
        if not isinstance(params, dict):
            raise ManifestError(f"{where} ({item['notebook']}): 'parameters' must be a mapping")
        reserved = {"dataset", "programme_id", "cohort_id"} & set(params)
        if reserved:
            raise ManifestError(f"{where} ({item['notebook']}): {sorted(reserved)} are set by the runner")
        depends = item.get("depends_on") or []
        depends = [depends] if isinstance(depends, str) else depends
        if not isinstance(depends, list) or not all(isinstance(d, str) and d for d in depends):
            raise ManifestError(f"{where} ({item['notebook']}): 'depends_on' must be a list of "
                                f"notebook names, got {item.get('depends_on')!r}")
        entries.append(Entry(
            notebook=item["notebook"], path=(base / item["notebook"]).resolve(),
            per=tuple(dict.fromkeys(per)), parameters=dict(params),
            cell_timeout=_timeout(item.get("cell_timeout"), where, cell_default),
            job_timeout=_timeout(item.get("job_timeout"), where, job_default),
            depends_on=tuple(dict.fromkeys(depends)),
        ))
    _check_depends(path, entries)
    dataset = raw.get("dataset")
    return Manifest(path=path, dataset=(base / dataset).resolve() if dataset else None,
                    out=(base / raw.get("out", "reports")).resolve(), entries=tuple(entries))


def _check_depends(path: Path, entries: list[Entry]) -> None:
    """Every ``depends_on`` name is another entry's notebook, and no report depends on itself
    through others."""
    names = {e.name for e in entries}
    for i, e in enumerate(entries, start=1):
        unknown = [d for d in e.depends_on if d not in names or d == e.name]
        if unknown:
            raise ManifestError(f"{path.name} entry {i} ({e.notebook}): depends_on names "
                                f"{unknown}, which must be other entries' notebook names "
                                f"(one of {sorted(names - {e.name})})")
    graph = {e.name: set(e.depends_on) for e in entries}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = " -> ".join(trail[trail.index(name):] + [name])
            raise ManifestError(f"{path.name}: depends_on goes round in a circle: {cycle}")
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, trail + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def dependency_output(dep: Entry, job: Job) -> str | None:
    """The output of ``dep``'s job that ``job`` depends on: the same cohort's when ``dep`` runs per
    cohort, else the programme's; None when ``dep`` has no such job."""
    if job.cohort_id is not None and "cohort" in dep.per:
        return output_path(job.programme_id, job.cohort_id, dep.name)
    if "programme" in dep.per:
        return output_path(job.programme_id, None, dep.name)
    return None


def output_path(programme_id: str, cohort_id: str | None, notebook_name: str) -> str:
    """``<programme_id>/<cohort_id or all>/<notebook name>.html`` (DESIGN.md)."""
    for part in (programme_id, cohort_id):
        if part is not None and (not part or "/" in part or "\\" in part or part in (".", "..")
                                 or "\0" in part):
            raise ManifestError(f"identifier {part!r} cannot be used as a folder name")
    return f"{programme_id}/{cohort_id or PROGRAMME_FOLDER}/{notebook_name}.html"


def expand(entries: tuple[Entry, ...] | list[Entry], units: dict) -> list[Job]:
    """Jobs for every entry against the dataset's programmes and cohorts.

    Parameters
    ----------
    units : dict
        ``{"programmes": [{"programme_id", "name"}, ...],
        "cohorts": [{"cohort_id", "programme_id"}, ...]}``, in dataset order.

    A programme with a single cohort gets no per-cohort copy of a report that also runs per
    programme: its cohort's content is the programme report (:func:`single_cohort_programmes`
    lets the index say so).
    """
    jobs = []
    single = single_cohort_programmes(units)
    for entry in entries:
        for programme in units["programmes"]:
            pid = programme["programme_id"]
            if "programme" in entry.per:
                params = {"programme_id": pid, "cohort_id": None, **entry.parameters}
                jobs.append(Job(entry, pid, None, params, output_path(pid, None, entry.name)))
            if "cohort" in entry.per and not ("programme" in entry.per and pid in single):
                for cohort in units["cohorts"]:
                    if cohort["programme_id"] != pid:
                        continue
                    cid = cohort["cohort_id"]
                    params = {"programme_id": pid, "cohort_id": cid, **entry.parameters}
                    jobs.append(Job(entry, pid, cid, params, output_path(pid, cid, entry.name)))
    return jobs


def give_per_cohort_reports(jobs: list[Job], entries, declaring: set[Path]) -> list[Job]:
    """Pass the manifest's per-cohort report set to each job whose notebook declares it.

    A report that links to others (the evaluation report) must know which of them exist for
    its own cohort; the manifest knows, so the report never reads ``reports.yaml`` itself.
    ``declaring`` holds the paths of the notebooks whose parameters cell has
    :data:`~helpers.runner.layout.PER_COHORT_PARAMETER`; other jobs are left as they are.
    """
    reports = per_cohort_reports(entries)
    for job in jobs:
        if job.entry.path in declaring:
            job.parameters = {**job.parameters, PER_COHORT_PARAMETER: list(reports)}
    return jobs


def single_cohort_programmes(units: dict) -> dict[str, str]:
    """``{programme_id: its only cohort_id}`` for programmes with exactly one cohort.

    Examples
    --------
    >>> single_cohort_programmes({"programmes": [{"programme_id": "a"}, {"programme_id": "b"}],
    ...     "cohorts": [{"cohort_id": "a1", "programme_id": "a"},
    ...                 {"cohort_id": "b1", "programme_id": "b"},
    ...                 {"cohort_id": "b2", "programme_id": "b"}]})
    {'a': 'a1'}
    """
    by_programme: dict[str, list[str]] = {}
    for cohort in units["cohorts"]:
        by_programme.setdefault(cohort["programme_id"], []).append(cohort["cohort_id"])
    return {pid: cids[0] for pid, cids in by_programme.items() if len(cids) == 1}


def select(jobs: list[Job], pattern: str | list[str] | None) -> list[Job]:
    """Jobs whose output path matches the glob, or any of the globs (``--only``, repeatable);
    all jobs when no pattern."""
    if not pattern:
        return list(jobs)
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    return [j for j in jobs if any(fnmatch.fnmatchcase(j.output, p) for p in patterns)]


def _text(value) -> str:
    """A table cell as text; a missing value (None, NaN, pandas NA) as ""."""
    text = "" if value is None else str(value)
    return "" if text in ("nan", "NaN", "<NA>", "None") else text


def units_from_dataset(ds) -> dict:
    """Programme and cohort identifiers (and names) of a loaded Dataset, for :func:`expand`."""
    programmes = ds.tables.get("programmes") if hasattr(ds, "tables") else ds.programmes
    cohorts = ds.tables.get("cohorts") if hasattr(ds, "tables") else ds.cohorts
    progs = [{"programme_id": str(r["programme_id"]), "name": _text(r.get("name")) or str(r["programme_id"]),
              "provider": _text(r.get("provider")), "host_organisation": _text(r.get("host_organisation"))}
             for r in programmes.to_dict("records")]
    cohs = [{"cohort_id": str(r["cohort_id"]), "programme_id": str(r["programme_id"])}
            for r in cohorts.to_dict("records")]
    return {"programmes": progs, "cohorts": cohs}
