"""Programme and cohort ids become folder names: they must be safe as one path segment.

Reports are published as ``<reports>/<programme_id>/<cohort_id or all>/<notebook>.html``
(:mod:`helpers.runner.layout`). A cohort ``2011/12`` would make two folders, a cohort ``all``
would overwrite its programme's own reports, a programme ``index.html`` or ``logs`` would take
the place of the run's index or logs, and ``..`` would write outside the reports folder; each
breaks every later run. So, at validation, each programme_id and cohort_id must be:

* 1 to :data:`MAX_LENGTH` characters from the POSIX portable file-name set (ASCII letters,
  digits, ``.``, ``_``, ``-``) and the space, so no ``/``, ``\\``, ``:``, control character or
  right-to-left mark;
* not starting with ``.``, ``-`` or a space (hidden files, command-line options), nor ending with
  ``.`` or a space (Windows drops them, so ``c1.`` and ``c1`` would be one folder);
* not a Windows device name (``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM1``-``COM9``,
  ``LPT1``-``LPT9``, alone or before a dot), since reports are often copied to Windows shares;
* not a name the reports folder keeps: a programme not ``index.html``, ``manifest.json``,
  ``logs``; a cohort not ``all`` (compared ignoring case);
* different, ignoring case, from every other programme id (and a cohort from the other cohorts
  of its programme): Windows and macOS file systems fold case, so ``KF1`` and ``kf1`` would
  share a folder.

References: POSIX.1-2017 section 3.282, "Portable Filename Character Set"; Microsoft, "Naming
Files, Paths, and Namespaces" (reserved device names, trailing dots and spaces).
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.data.errors import Problem
from helpers.data.validate import add_problems
from helpers.runner.layout import PROGRAMME_FOLDER, TOP_LEVEL

MAX_LENGTH = 64
_ALLOWED = re.compile(r"[A-Za-z0-9._\- ]+")
_DEVICE = re.compile(r"(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\..*)?", re.IGNORECASE)
_RULE = (f"an id of 1 to {MAX_LENGTH} letters, digits, spaces, '.', '_' or '-' (not starting "
         "with '.', '-' or a space, nor ending with '.' or a space)")


def segment_problem(value: str, reserved: tuple[str, ...] = ()) -> str | None:
    """Why ``value`` cannot be one folder name of the reports (an "expected ..." text), or None.

    Examples
    --------
    >>> segment_problem("barts_c01") is None, segment_problem("2011-12") is None
    (True, True)
    >>> print(segment_problem("2011/12"))
    an id without '/' or '\\' (it would make two folders: write 2011-12)
    >>> segment_problem("ALL", reserved=("all",))
    "an id other than 'all', which the reports folder keeps for its own files and folders"
    >>> segment_problem("..")
    "an id of 1 to 64 letters, digits, spaces, '.', '_' or '-' (not starting with '.', '-' or a space, nor ending with '.' or a space)"
    >>> segment_problem("nul.txt")
    'an id that is not a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)'
    """
    if "/" in value or "\\" in value:
        fixed = re.sub(r"[/\\]+", "-", value)
        return f"an id without '/' or '\\' (it would make two folders: write {fixed})"
    if (len(value) > MAX_LENGTH or not _ALLOWED.fullmatch(value) or value[0] in ".- "
            or value[-1] in ". "):
        return _RULE
    if _DEVICE.fullmatch(value):
        return "an id that is not a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)"
    if value.lower() in {r.lower() for r in reserved}:
        match = next(r for r in reserved if r.lower() == value.lower())
        return (f"an id other than {match!r}, which the reports folder keeps for its own files "
                "and folders")
    return None


def _case_clashes(ids: pd.Series, groups: pd.Series | None, what: str) -> pd.Series:
    """Rows whose id equals, ignoring case but not exactly, an id on an earlier row (of the same
    group): "expected ..." texts indexed by row."""
    out = {}
    first: dict[tuple, tuple[str, int]] = {}
    keys = groups if groups is not None else pd.Series("", index=ids.index)
    for row, value, group in zip(ids.index, ids, keys):
        if not isinstance(value, str) or not value:
            continue
        seen = first.setdefault((group, value.lower()), (value, row))
        if seen[0] != value:
            out[row] = (f"a {what} that differs from {seen[0]!r} (row {seen[1]}) by more than "
                        "upper and lower case (Windows and macOS would give both one folder)")
    return pd.Series(out, dtype="object")


def check_ids(tables: dict[str, pd.DataFrame], files: dict[str, str],
              problems: list[Problem]) -> None:
    """Append a Problem for each programme_id and cohort_id that is not a safe folder name."""
    checks = (("programmes", "programme_id", TOP_LEVEL, None),
              ("cohorts", "cohort_id", (PROGRAMME_FOLDER,), "programme_id"))
    for table, column, reserved, group in checks:
        frame = tables.get(table)
        if frame is None or column not in frame.columns:
            continue
        ids = frame[column]
        verdict = {v: segment_problem(v, reserved) for v in pd.unique(ids.dropna()) if v}
        bad = ids.map({v: why for v, why in verdict.items() if why}).dropna().astype("object")
        add_problems(problems, files[table], column, bad, ids)
        groups = frame[group] if group and group in frame.columns else None
        add_problems(problems, files[table], column, _case_clashes(ids, groups, column), ids)
