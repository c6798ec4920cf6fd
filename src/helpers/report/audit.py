"""Disclosure audit of a whole report set: each page on its own, and the pages of one programme
against each other.

:mod:`helpers.report.scan` reads one page. A reader holds the whole set, so the audit also
compares the programme's page of a notebook with its cohort pages:

``hidden_cohort_report``
    a page published for a cohort that may not be reported on its own
    (:func:`helpers.report.context.cohort_withheld`: a cohort of fewer than the threshold, its
    complement, or any cohort of a programme that has one).
``cross_report_subtraction``
    a count cell of a programme table (same caption, row and column) that the cohort pages give
    away: a hidden programme cell whose cohort cells are all shown and cover every cohort, or a
    shown programme cell minus the shown cohort cells leaving 1 to threshold - 1 for the
    cohorts without a page.

``percentage_disclosure``
    a percentage shown with its base in a sentence ("20% of 10", "an estimated 0% of the 6")
    whose count, at the precision shown, can only be 1 to threshold - 1.

``leadeval run`` applies it as a gate (:mod:`helpers.runner.gate`) before a report is published.

References
----------
ONS (2019), Disclosure control guidance for tables produced from administrative data, section
on disclosure by differencing between linked tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

import numpy as np

from helpers.report.scan import (_HIDDEN, _TOTAL, DISCLOSURE_KINDS, Cell, Finding, _count_value,
                                 _grid, _header_row, _lone_hidden, _marked, is_count_header,
                                 parse_html, scan_html)

CROSS_KINDS = frozenset({"hidden_cohort_report", "cross_report_subtraction"})
PAGE_KINDS = frozenset({"percentage_disclosure"})
AUDIT_KINDS = DISCLOSURE_KINDS | CROSS_KINDS | PAGE_KINDS

# "20% of 10", "12.5 % of the 8", "0% of all 6": a percentage and the base it is a share of.
_PCT_OF = re.compile(r"(?<![\d.])(\d+(?:\.(\d+))?)\s?% of (?:the |all |these |those )?(\d[\d,]*)\b")


def page_findings(markup: str, participant_ids: Iterable[str], threshold: int,
                  source: str) -> list[Finding]:
    """The disclosure findings of one page (identifiers, small counts, subtraction in a table,
    and subtraction between the page's breakdowns of the same people)."""
    return [f for f in scan_html(markup, participant_ids, threshold, source)
            if f.kind in DISCLOSURE_KINDS] + partition_findings(markup, threshold, source) \
        + percentage_findings(markup, threshold, source)


def percentage_counts(pct: str, decimals: str | None, base: int) -> range:
    """The whole counts out of ``base`` that round to the percentage as shown.

    Examples
    --------
    >>> list(percentage_counts("20", None, 10))
    [2]
    >>> list(percentage_counts("0", None, 6))
    [0]
    >>> list(percentage_counts("33", None, 100))
    [33]
    """
    half = 0.5 * 10 ** -len(decimals or "")
    low = max(0.0, (float(pct) - half) / 100 * base)
    high = min(float(base), (float(pct) + half) / 100 * base)
    first = int(np.ceil(low - 1e-9))
    last = int(np.floor(high + 1e-9))
    # a half-open rounding interval: the upper end belongs to the next shown value
    if last > first and abs(last - high) < 1e-9 and high < base:
        last -= 1
    return range(first, last + 1)


def percentage_findings(markup: str, threshold: int, source: str) -> list[Finding]:
    """Sentences giving a percentage with its base whose count can only be 1 to threshold - 1
    (a true 0% or 100% of a base gives nothing away beyond the base itself)."""
    doc = parse_html(markup, source)
    found = []
    for m in _PCT_OF.finditer(doc.text):
        base = int(m.group(3).replace(",", ""))
        counts = percentage_counts(m.group(1), m.group(2), base)
        small = [n for n in counts if 0 < n < threshold and n != base]
        if counts and len(small) == len(counts):
            found.append(Finding("percentage_disclosure",
                                 f"{m.group(0)!r} gives back a count of {small[0]}"
                                 + ("" if len(small) == 1 else f" to {small[-1]}"),
                                 doc.where(m.start())))
    return found


def partition_findings(markup: str, threshold: int, source: str) -> list[Finding]:
    """Breakdowns of the page's participants (``Participants by ...``, the cohorts table) all
    add up to the same total; one shown in full gives that total to every other, whose hidden
    cells are then checked against it (a table's size against the cohort table)."""
    doc = parse_html(markup)
    columns = []
    for t_index, table in enumerate(doc.tables, 1):
        caption = " ".join(table.caption.split())
        grid = _grid(table)
        header = _header_row(grid)
        if not header or not PARTITION_CAPTION.match(caption):
            continue
        j = next((k for k, h in enumerate(header) if h is not None and k > 0
                  and h.text.strip().lower() == "participants"), None)
        if j is None:
            continue
        cells = [r[j] for r in grid if r is not header and j < len(r) and r[j] is not None
                 and not (r[0] is not None and _TOTAL.match(r[0].text))]
        columns.append((t_index, caption, cells))
    totals = {sum(_count_value(c.text) for c in cells) for _, _, cells in columns
              if cells and all(not _HIDDEN.match(c.text) and _count_value(c.text) is not None
                               for c in cells)}
    found = []
    if len(totals) != 1:
        return found
    total = Cell(False, str(totals.pop()), {}, 0, 0)
    for t_index, caption, cells in columns:
        hit = _lone_hidden(cells, total, threshold)
        if hit:
            cell, value = hit
            found.append(Finding(
                "secondary_disclosure",
                f"table {t_index} ({caption}): the page's other breakdowns give {total.text} people, "
                f"which recovers the hidden {cell.text!r} {value}",
                f"{source}:{cell.line}:{cell.col + 1} <td>"))
    return found


#: Tables listing every category present (helpers.reach.participants_by): a category missing
#: from a cohort's table has no one in that cohort, so it counts as 0 there.
PARTITION_CAPTION = re.compile(r"^(?:Participants by|Cohorts\b)", re.IGNORECASE)


def count_cells(markup: str) -> dict[tuple[str, str, str], str]:
    """Count cells of a page keyed by (table caption, row label, column header) -> cell text.

    The row label is the text of the row's cells before its first count column (scale, survey
    and rater of a score table, not the scale alone).
    """
    doc = parse_html(markup)
    cells = {}
    for table in doc.tables:
        grid = _grid(table)
        header = _header_row(grid)
        if not header:
            continue
        caption = " ".join(table.caption.split())
        counted = [j for j, head in enumerate(header)
                   if head is not None and j > 0 and is_count_header(head.text)]
        for row in grid:
            if row is header or not row or row[0] is None:
                continue
            marked = [j for j, c in enumerate(row) if c is not None and j > 0 and _marked(c)]
            first = min(counted + marked, default=len(row))
            label = " | ".join(c.text for c in row[:max(first, 1)] if c is not None)
            for j, cell in enumerate(row[1:], 1):
                head = header[j] if j < len(header) else None
                if cell is None or head is None or cell.header:
                    continue
                if j in counted or _marked(cell):
                    cells[(caption, label, head.text)] = cell.text
    return cells


def _cohort_value(cells: dict, key: tuple[str, str, str]) -> str | None:
    """A cohort page's text for ``key``: "0" for a category missing from a partition table."""
    text = cells.get(key)
    if text is None and PARTITION_CAPTION.match(key[0]) and any(
            k[0] == key[0] and k[2] == key[2] for k in cells):
        return "0"
    return text


def split_output(output: str) -> tuple[str, str, str] | None:
    """``(programme_id, cohort_id or "all", notebook file)`` of a report path, or None."""
    parts = PurePosixPath(output).parts
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def cross_report_findings(pages: Mapping[str, str], cohorts: Mapping[str, Iterable[str]],
                          threshold: int,
                          withheld: Callable[[str, str], str | None] | None = None) -> list[Finding]:
    """Findings between the pages of each programme (see the module notes).

    Parameters
    ----------
    pages : report path (``<programme>/<cohort or all>/<notebook>.html``) -> page markup.
    cohorts : programme id -> every cohort id of the programme.
    threshold : ``suppress_below``.
    withheld : ``(programme, cohort) -> reason or None``; a page for a withheld cohort is a
        finding.
    """
    found: list[Finding] = []
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for output, markup in pages.items():
        where = split_output(output)
        if where is None:
            continue
        programme, cohort, notebook = where
        groups.setdefault((programme, notebook), {})[cohort] = markup
        if cohort != "all" and withheld is not None:
            why = withheld(programme, cohort)
            if why:
                found.append(Finding("hidden_cohort_report", why, output))
    for (programme, notebook), by_cohort in sorted(groups.items()):
        if "all" not in by_cohort or len(by_cohort) < 2:
            continue
        prog_cells = count_cells(by_cohort["all"])
        published = sorted(c for c in by_cohort if c != "all")
        cohort_cells = {c: count_cells(by_cohort[c]) for c in published}
        missing = set(cohorts.get(programme, ())) - set(published)
        source = f"{programme}/all/{notebook}"
        for key, text in prog_cells.items():
            texts = [_cohort_value(cohort_cells[c], key) for c in published]
            if any(t is None or _HIDDEN.match(t) for t in texts):
                continue
            values = [_count_value(t) for t in texts]
            if any(v is None for v in values):
                continue
            caption, row, column = key
            if _HIDDEN.match(text):
                if not missing:
                    found.append(Finding(
                        "cross_report_subtraction",
                        f"{caption!r}, row {row!r}, {column!r}: hidden here, but the cohort "
                        f"reports show it as {sum(values)}", source))
                continue
            total = _count_value(text)
            if total is not None and missing and 0 < total - sum(values) < threshold:
                found.append(Finding(
                    "cross_report_subtraction",
                    f"{caption!r}, row {row!r}, {column!r}: {total} minus the cohort reports "
                    f"leaves {total - sum(values)} for {', '.join(sorted(missing))}", source))
    return found


def audit_folder(folder: str | Path, dataset) -> dict[str, list[Finding]]:
    """Every finding of every report under ``folder`` (a published reports tree), by report path.

    ``dataset`` is a loaded :class:`helpers.data.Dataset` (participant ids, threshold, cohorts).
    """
    from helpers.report.context import cohort_withheld

    folder = Path(folder)
    ids = dataset.participants["participant_id"].astype(str).tolist()
    t = int(dataset.suppress_below)
    pages = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
             for p in sorted(folder.glob("*/*/*.html"))}
    out: dict[str, list[Finding]] = {k: page_findings(v, ids, t, k) for k, v in pages.items()}
    cohorts = programme_cohorts(dataset)
    for f in cross_report_findings(pages, cohorts, t,
                                   lambda p, c: cohort_withheld(dataset, p, c)):
        out.setdefault(f.location, []).append(f)
    return out


def programme_cohorts(dataset) -> dict[str, list[str]]:
    """Programme id -> its cohort ids, from a loaded dataset."""
    c = dataset.cohorts
    return {str(p): sorted(g["cohort_id"].astype(str)) for p, g in c.groupby("programme_id")}
