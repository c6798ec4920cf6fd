"""Problems found in a dataset, and the one exception that carries them.

Every check in :mod:`helpers.data` reports a :class:`Problem` instead of raising, so that a user
sees every mistake in one pass (the "collect all errors" style of pandera's lazy validation and of
the Frictionless Data validator) and :func:`helpers.data.load_dataset` raises a single
:class:`DataError` at the end. Rows are numbered as a spreadsheet shows them: the header is row 1
and the first data row is row 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SHOWN_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset.

    Parameters
    ----------
    file : str
        File name relative to the dataset folder (``survey.xlsx[Sheet1]`` for a workbook sheet).
    row : int or None
        Spreadsheet row (header = 1, first data row = 2); None when the problem is not in a row.
    column : str or None
        Column name (canonical, lower case) or a dataset.yaml key; None for a whole file.
    value : object
        The offending value as read (None when something is missing).
    expected : str
        What was expected instead, phrased to complete "expected ...".
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    @property
    def message(self) -> str:
        """A sentence naming the bad value and what was expected."""
        if self.value is None:
            return f"expected {self.expected}"
        shown = str(self.value)
        if len(shown) > _SHOWN_CHARS:
            shown = shown[: _SHOWN_CHARS - 1] + "…"
        return f"found {shown!r}, expected {self.expected}"

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        column = self.column or "-"
        return f"{self.file}:{row}:{column}: {self.message}"


@dataclass
class DataError(Exception):
    """The dataset is invalid; ``problems`` lists every problem found, in file/row order."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        """First few problems as text, for the exception message."""
        head = "\n".join(str(p) for p in self.problems[:10])
        more = len(self.problems) - 10
        tail = f"\n... and {more} more" if more > 0 else ""
        return f"{len(self.problems)} problem(s) in the dataset:\n{head}{tail}"

    def __str__(self) -> str:
        return self.summary()
