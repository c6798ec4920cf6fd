"""The loaded dataset: typed tables plus the settings of dataset.yaml."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.data.schema import TABLES
from helpers.data.validate import empty_frame, within


class Dataset:
    """A validated, typed dataset (see docs/architecture.md, "Python names").

    Attributes
    ----------
    meta : dict
        dataset.yaml with defaults filled in.
    name, path, content_hash : str, Path, str
    suppress_below : int
    tables : dict of str to DataFrame
        Every table of the contract; an absent optional table is an empty typed frame.
    files : dict of str to str
        The file each present table was read from.
    instruments : list of dict
    warnings : list of Problem
        What loads but looks wrong: files in the folder that are not read, implausible dates.
    """

    def __init__(self, meta: dict, path: Path, content_hash: str, tables: dict[str, pd.DataFrame],
                 files: dict[str, str] | None = None, warnings: list | None = None) -> None:
        self.meta = meta
        self.warnings = list(warnings or [])
        self.path = Path(path)
        self.content_hash = content_hash
        self.files = dict(files or {})
        self.tables = {name: tables[name] if name in tables else empty_frame(spec)
                       for name, spec in TABLES.items()}

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def suppress_below(self) -> int:
        return int(self.meta["suppress_below"])

    @property
    def instruments(self) -> list[dict]:
        return self.meta["instruments"]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__} has no table or attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items() if len(v))
        return f"<Dataset {self.name!r} {self.content_hash[:12]} {rows}>"

    def subset(self, programme_id: str | None = None, cohort_id: str | None = None) -> Dataset:
        """The rows that belong to one programme and/or cohort, in every table.

        Participants of the selected cohort(s) and their responses, attendance, segments,
        careers; codings of those segments; ties with both ends inside; projects of the
        programme (for a cohort: those its participants lead) and their KPI values; codes and
        items whole; applicants for the selected cohort(s) with their careers and answers.
        A segment without a participant (an unattributed focus-group line) is kept
        when its ``source_id`` also holds segments of selected participants, or when it carries
        a ``cohort_id`` or ``programme_id`` column naming the selection. Same meta and
        content_hash.

        Raises
        ------
        ValueError
            When the programme or cohort is not in the dataset, or the cohort is not in the
            programme.
        """
        if programme_id is None and cohort_id is None:
            return self
        t = self.tables
        cohorts = t["cohorts"]
        if programme_id is not None and not (t["programmes"]["programme_id"] == programme_id).any():
            raise ValueError(f"programme_id {programme_id!r} is not in dataset {self.name!r}")
        if cohort_id is not None:
            cohorts = cohorts[cohorts["cohort_id"] == cohort_id]
            if cohorts.empty:
                raise ValueError(f"cohort_id {cohort_id!r} is not in dataset {self.name!r}")
            if programme_id is not None and not (cohorts["programme_id"] == programme_id).all():
                raise ValueError(f"cohort {cohort_id!r} is not part of programme {programme_id!r}")
        else:
            cohorts = cohorts[cohorts["programme_id"] == programme_id]
        programme_ids = cohorts["programme_id"].unique() if programme_id is None else [programme_id]
        programmes = t["programmes"][within(t["programmes"]["programme_id"], programme_ids)]
        people = t["participants"][within(t["participants"]["cohort_id"], cohorts["cohort_id"])]
        ids = people["participant_id"]

        def of_people(df: pd.DataFrame, column: str = "participant_id") -> pd.DataFrame:
            return rows_in(df, column, ids) if column in df.columns else df.iloc[:0]

        seg = t["segments"]
        keep = within(seg["participant_id"], ids) if "participant_id" in seg else pd.Series(
            False, index=seg.index)
        no_person = seg["participant_id"].isna() if "participant_id" in seg else ~keep
        if "cohort_id" in seg:
            keep |= no_person & within(seg["cohort_id"], cohorts["cohort_id"])
        if "programme_id" in seg and cohort_id is None:
            keep |= no_person & within(seg["programme_id"], programme_ids)
        if "source_id" in seg:   # unattributed lines of a focus group whose members are inside
            keep |= no_person & within(seg["source_id"], seg.loc[keep, "source_id"].dropna())
        segments = seg[keep]
        ties = t["ties"]
        projects = t["projects"]
        if cohort_id is None:
            projects = projects[within(projects["programme_id"], programme_ids)]
        else:
            projects = projects[within(projects["lead_participant_id"], ids)]
        applicants = t["applicants"][within(t["applicants"]["cohort_id"], cohorts["cohort_id"])]
        out = dict(t)
        out.update(
            applicants=applicants,
            applicant_careers=rows_in(t["applicant_careers"], "applicant_id",
                                      applicants["applicant_id"]),
            applicant_responses=rows_in(t["applicant_responses"], "applicant_id",
                                        applicants["applicant_id"]),
            programmes=programmes, cohorts=cohorts, participants=people,
            attendance=of_people(t["attendance"]), responses=of_people(t["responses"]),
            segments=segments,
            codings=rows_in(t["codings"], "segment_id", segments["segment_id"]),
            careers=of_people(t["careers"]),
            ties=_both_ends_in(ties, ids),
            projects=projects,
            kpi_values=rows_in(t["kpi_values"], "project_id", projects["project_id"]),
        )
        return Dataset(self.meta, self.path, self.content_hash, out, self.files)


def rows_in(df: pd.DataFrame, column: str, keys) -> pd.DataFrame:
    """The rows of ``df`` whose ``column`` is one of ``keys``, in table order: the same frame as
    ``df[within(df[column], keys)]``, taken through a kept row index when the column has one
    (:mod:`helpers.data.rowindex`)."""
    from helpers.data import memo

    # A kernel kept from before this module existed holds an older memo: fall back to the mask.
    indexes = getattr(memo, "INDEXES", None)
    positions = None if indexes is None else indexes.positions(df[column], keys)
    if positions is None:
        return df[within(df[column], keys)]
    return df.take(positions)


def _both_ends_in(ties: pd.DataFrame, ids) -> pd.DataFrame:
    """Ties with both ends among ``ids``, in table order."""
    out = rows_in(ties, "from_id", ids)
    return out[within(out["to_id"], ids)]

