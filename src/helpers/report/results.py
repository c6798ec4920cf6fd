"""The base of every section's results object: tidy frames a researcher can hold, safe to show.

A section's ``prepare(rep)`` returns a dataclass that inherits :class:`Results`. Its fields are
tidy DataFrames, fitted models and plain values, computed once and not yet suppressed, so that
a researcher in JupyterLab can query, re-plot or re-model them. Typing the object in a cell
must still be safe to screenshot, so its HTML representation lists only the fields, their kind
and columns, never a cell of the data; a section may add a ``summary()`` DataFrame that it has
passed through disclosure control itself.

The documented columns of each DataFrame field are declared in ``COLUMNS`` so that a test can
check, notebook by notebook, that what the docstring promises is what the object holds.
"""

from __future__ import annotations

import dataclasses
import html
from typing import ClassVar

import pandas as pd


def _kind(value) -> str:
    """A short description of a field's value that gives away no data."""
    if isinstance(value, pd.DataFrame):
        return "DataFrame"
    if isinstance(value, pd.Series):
        return "Series"
    if value is None:
        return "None"
    return type(value).__name__


def _columns(value) -> str:
    if isinstance(value, pd.DataFrame):
        return ", ".join(str(c) for c in value.columns)
    if isinstance(value, pd.Series) and value.name is not None:
        return str(value.name)
    return ""


class Results:
    """Mixin for a section's results dataclass.

    Subclasses are ``@dataclass`` classes whose docstring lists every field (numpy style,
    ``Attributes``) and whose ``COLUMNS`` maps each DataFrame field to the columns it always has.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> import pandas as pd
    >>> @dataclass
    ... class Demo(Results):
    ...     '''Demo results.'''
    ...     scores: pd.DataFrame
    ...     COLUMNS = {"scores": ("participant_id", "score")}
    >>> res = Demo(pd.DataFrame({"participant_id": ["p1"], "score": [3.0]}))
    >>> res.missing_columns()
    {}
    >>> "p1" in res._repr_html_()
    False
    """

    COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def fields(self) -> pd.DataFrame:
        """One row per field: ``field``, ``kind`` and ``columns`` (no data values)."""
        rows = [{"field": f.name, "kind": _kind(getattr(self, f.name)),
                 "columns": _columns(getattr(self, f.name))}
                for f in dataclasses.fields(self) if not f.name.startswith("_")]
        return pd.DataFrame(rows, columns=["field", "kind", "columns"])

    def missing_columns(self) -> dict[str, list[str]]:
        """Documented columns that a DataFrame field lacks, by field (empty when all present).

        A field that is None was not computed (a ``prepare`` option left it out, as its
        docstring says), so it has no columns to lack."""
        out = {}
        for name, cols in self.COLUMNS.items():
            value = getattr(self, name)
            if value is None:
                continue
            have = set(value.columns) if isinstance(value, pd.DataFrame) else set()
            lacking = [c for c in cols if c not in have]
            if lacking:
                out[name] = lacking
        return out

    def summary(self) -> pd.DataFrame | None:
        """A suppressed overview for the cell's display; sections override it."""
        return None

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        doc = (type(self).__doc__ or "").strip().splitlines()
        lead = html.escape(doc[0]) if doc else ""
        parts = [f"<p><strong>{title}</strong>: {lead}</p>"]
        summary = self.summary()
        if summary is not None:
            parts.append(summary.to_html(index=False, escape=True))
        parts.append(self.fields().to_html(index=False, escape=True))
        return "\n".join(parts)
