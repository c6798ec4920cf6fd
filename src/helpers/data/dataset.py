"""The loaded dataset: typed tables plus the settings of dataset.yaml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.rowindex import TableIndexes
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

    The tables are read-only: to change one, assign a new frame to ``tables[name]``.
    """

    def __init__(self, meta: dict, path: Path, content_hash: str, tables: dict[str, pd.DataFrame],
                 files: dict[str, str] | None = None, warnings: list | None = None,
                 indexes: TableIndexes | None = None) -> None:
        self.meta = meta
        self.warnings = list(warnings or [])
        self.path = Path(path)
        self.content_hash = content_hash
        self.files = dict(files or {})
        self.tables = {name: tables[name] if name in tables else empty_frame(spec)
                       for name, spec in TABLES.items()}
        # Row indexes built when the tables were loaded; they describe these very frames, so
        # a table replaced later, or one absent at load and filled in empty here, is selected
        # by mask (see _rows).
        self._indexes = indexes
        self._indexed = ({name: self.tables[name] for name in tables if name in TABLES}
                         if indexes is not None else {})

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
        a ``cohort_id`` or ``programme_id`` column naming the selection. Rows keep their table
        order; each restricted table is numbered from 0. Same meta and content_hash.

        Raises
        ------
        ValueError
            When the programme or cohort is not in the dataset, or the cohort is not in the
            programme.
        """
        if programme_id is None and cohort_id is None:
            return self
        out = dict(self.tables)
        for name, positions in self.scope_rows(programme_id, cohort_id).items():
            out[name] = self.tables[name].take(positions).reset_index(drop=True)
        return Dataset(self.meta, self.path, self.content_hash, out, self.files)

    def scope_rows(self, programme_id: str | None = None,
                   cohort_id: str | None = None) -> dict[str, np.ndarray]:
        """Row positions, per restricted table, of :meth:`subset` (tables not named are whole).

        What a report of this scope reads from each table, so that its input hash can cover
        exactly these rows (:mod:`helpers.data.digest`). Raises as :meth:`subset` does.
        """
        t = self.tables
        cohorts = t["cohorts"]
        if programme_id is not None and not (t["programmes"]["programme_id"] == programme_id).any():
            raise ValueError(f"programme_id {programme_id!r} is not in dataset {self.name!r}")
        if cohort_id is not None:
            keep_cohorts = (cohorts["cohort_id"] == cohort_id).to_numpy(dtype=bool, na_value=False)
            chosen = cohorts[keep_cohorts]
            if chosen.empty:
                raise ValueError(f"cohort_id {cohort_id!r} is not in dataset {self.name!r}")
            if programme_id is not None and not (chosen["programme_id"] == programme_id).all():
                raise ValueError(f"cohort {cohort_id!r} is not part of programme {programme_id!r}")
        else:
            keep_cohorts = (cohorts["programme_id"] == programme_id).to_numpy(dtype=bool,
                                                                              na_value=False)
            chosen = cohorts[keep_cohorts]
        programme_ids = chosen["programme_id"].unique() if programme_id is None else [programme_id]
        cohort_ids = chosen["cohort_id"]
        rows = {"cohorts": np.flatnonzero(keep_cohorts),
                "programmes": _where(within(t["programmes"]["programme_id"], programme_ids))}
        rows["participants"] = self._rows("participants", "cohort_id", cohort_ids)
        ids = t["participants"]["participant_id"].take(rows["participants"])
        for name in ("attendance", "responses", "careers"):
            rows[name] = self._rows(name, "participant_id", ids)

        seg = t["segments"]
        rows["segments"] = self._segment_rows(ids, cohort_ids,
                                              None if cohort_id is not None else programme_ids)
        rows["codings"] = self._rows("codings", "segment_id",
                                     seg["segment_id"].take(rows["segments"]))

        ties = self._rows("ties", "from_id", ids)  # then the other end inside too
        rows["ties"] = ties[_where(within(t["ties"]["to_id"].take(ties), ids))]
        projects = t["projects"]
        if cohort_id is None:
            rows["projects"] = self._rows("projects", "programme_id", programme_ids)
        else:
            rows["projects"] = self._rows("projects", "lead_participant_id", ids)
        rows["kpi_values"] = self._rows("kpi_values", "project_id",
                                        projects["project_id"].take(rows["projects"]))
        rows["applicants"] = self._rows("applicants", "cohort_id", cohort_ids)
        applicant_ids = t["applicants"]["applicant_id"].take(rows["applicants"])
        for name in ("applicant_careers", "applicant_responses"):
            rows[name] = self._rows(name, "applicant_id", applicant_ids)
        return rows

    def _segment_rows(self, ids, cohort_ids, programme_ids) -> np.ndarray:
        """Segments of the participants ``ids``, and unattributed ones (no participant) whose
        ``cohort_id`` is in ``cohort_ids``, whose ``programme_id`` is in ``programme_ids`` (a
        programme's scope only: None for a cohort's), or whose ``source_id`` holds any of those
        segments (lines of a focus group whose members are inside)."""
        seg = self.tables["segments"]
        if "participant_id" in seg:
            person = self._rows("segments", "participant_id", ids)
            loaded = self._indexes is not None and seg is self._indexed.get("segments")
            alone = (self._indexes.unattributed if loaded
                     else _where(seg["participant_id"].isna()))
        else:  # no participant column: every segment is unattributed
            person, alone = np.empty(0, dtype=np.int64), np.arange(len(seg))
        lines = seg.take(alone)
        keep = np.zeros(len(lines), dtype=bool)
        if "cohort_id" in seg:
            keep |= within(lines["cohort_id"], cohort_ids).to_numpy(dtype=bool)
        if "programme_id" in seg and programme_ids is not None:
            keep |= within(lines["programme_id"], programme_ids).to_numpy(dtype=bool)
        if "source_id" in seg:
            kept = np.union1d(person, alone[keep])
            sources = seg["source_id"].take(kept).dropna()
            keep |= within(lines["source_id"], sources).to_numpy(dtype=bool)
        return np.union1d(person, alone[keep]).astype(np.int64, copy=False)

    def _rows(self, table: str, column: str, keys) -> np.ndarray:
        """Positions of the rows of ``table`` whose ``column`` is one of ``keys``: through the
        index built at load while the table is the one loaded, else by mask (same rows)."""
        df = self.tables[table]
        if column not in df.columns:
            return np.empty(0, dtype=np.int64)
        if self._indexes is not None and df is self._indexed.get(table):
            found = self._indexes.positions(table, column, keys)
            if found is not None:
                return found
        return _where(within(df[column], keys))


def _where(mask) -> np.ndarray:
    """Positions where a boolean mask (Series or array) is true."""
    return np.flatnonzero(np.asarray(mask, dtype=bool))
