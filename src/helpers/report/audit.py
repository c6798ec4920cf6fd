"""Disclosure audit of a whole report set: each page on its own, and the pages of one programme
against each other.

:mod:`helpers.report.scan` reads one page. A reader holds the whole set, so the audit also
compares the programme's page of a notebook with its cohort pages:

``hidden_cohort_report``
    a page published for a cohort that may not be reported on its own
    (:func:`helpers.report.withheld.cohort_withheld`: a cohort of fewer than the threshold, its
    complement, or any cohort of a programme that has one).
``cross_report_subtraction``
    a count cell of a programme table (same caption without its scope, row and column) that
    the cohort pages give away: a hidden programme cell whose cohort cells are all shown and
    cover every cohort, or a shown programme cell minus the shown cohort cells leaving 1 to
    threshold - 1 for the cohorts whose cell is hidden or who have no page (one hidden cohort
    cell is then recovered). A complement (``[c]``) recovered as the threshold or more is not
    a finding by itself.

``percentage_disclosure``
    a percentage shown with its base in a sentence ("20% of 10", "an estimated 0% of the 6")
    whose count, at the precision shown, can only be 1 to threshold - 1.
``table_percentage_disclosure``
    a percentage cell of a table whose own count is not shown and whose base is published:
    in the same table (a count cell of its row, the count of a total row, or the total that
    the shown rows of a column of shares give: 13 is 13.0%, so 3.0% is 3) or as the page's
    number of participants (a ``Participants by ...`` breakdown), and whose count, at the
    precision shown, can only be 1 to threshold - 1: a share shown beside a hidden ``<5``,
    or "50%" of 6 answers (:func:`table_percentage_findings`).

``quote_descriptor``
    a quote's attribution ("Clinical Lead, cohort c03", "Participant (medical)"), or a row of
    a framework matrix, whose descriptors fewer than the threshold people of the report's
    scope share (:func:`helpers.attribution.smallest_match`).

``leadeval run`` applies it as a gate (:mod:`helpers.runner.gate`) before a report is published.

References
----------
ONS (2019), Disclosure control guidance for tables produced from administrative data, section
on disclosure by differencing between linked tables.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import numpy as np
import pandas as pd

from helpers.attribution import smallest_match
from helpers.report.withheld import cohort_withheld
from helpers.report.scan import (_HIDDEN, _TOTAL, DISCLOSURE_KINDS, Cell, Finding, _count_value,
                                 _grid, _header_row, _lone_hidden, _marked, _short,
                                 is_count_header, parse_html, scan_html)

CROSS_KINDS = frozenset({"hidden_cohort_report", "cross_report_subtraction"})
PAGE_KINDS = frozenset({"percentage_disclosure", "table_percentage_disclosure"})
QUOTE_KINDS = frozenset({"quote_descriptor"})
AUDIT_KINDS = DISCLOSURE_KINDS | CROSS_KINDS | PAGE_KINDS | QUOTE_KINDS

# "20% of 10", "12.5 % of the 8", "0% of all 6": a percentage and the base it is a share of.
_PCT_OF = re.compile(r"(?<![\d.])(\d+(?:\.(\d+))?)\s?% of (?:the |all |these |those )?(\d[\d,]*)\b")
# A table cell that is a percentage: "8%", "12.5 %", or one beside a count, "<5 (2.3%)",
# "12 (8.0%)". A range ("12% to 22%") or an estimate with its interval is not one.
_PCT_CELL = re.compile(r"^\s*(?:(?:<\s*\d+|\[c\]|\d[\d,]*)\s*\(\s*)?(\d+(?:\.(\d+))?)\s?%\s*\)?\s*$",
                       re.IGNORECASE)


def page_findings(markup: str, participant_ids: Iterable[str], threshold: int,
                  source: str) -> list[Finding]:
    """The disclosure findings of one page (identifiers, small counts, subtraction in a table,
    and subtraction between the page's breakdowns of the same people)."""
    return [f for f in scan_html(markup, participant_ids, threshold, source)
            if f.kind in DISCLOSURE_KINDS] + partition_findings(markup, threshold, source) \
        + percentage_findings(markup, threshold, source) \
        + table_percentage_findings(markup, threshold, source)


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


def implied_small_counts(pct: str, decimals: str | None, base: int, threshold: int) -> list[int]:
    """The counts out of ``base`` a percentage gives back, when every one is small.

    A percentage shown to ``decimals`` places stands for an interval of counts
    (:func:`percentage_counts`); it discloses when that interval is not empty and every count
    in it is 1 to ``threshold - 1``. A count of 0 or of the whole base tells nothing the base
    does not (a true zero is shown as 0; all of a group is the group). Otherwise ``[]``.

    Examples
    --------
    >>> implied_small_counts("8", None, 12, 5)      # 8% of 12: 0.9 to 1.0, so 1
    [1]
    >>> implied_small_counts("2", None, 200, 5)     # 1.5% to 2.5% of 200: 3 or 4
    [3, 4]
    >>> implied_small_counts("3", None, 200, 5)     # 5 or 6: not small
    []
    >>> implied_small_counts("8", None, 1000, 5)    # 75 to 85: not small
    []
    >>> implied_small_counts("30", None, 10, 5)     # 3
    [3]
    >>> implied_small_counts("100", None, 3, 5)     # all of the base
    []
    >>> implied_small_counts("27.8", "8", 5, 5)     # no whole count of 5 is 27.8%
    []
    """
    counts = percentage_counts(pct, decimals, base)
    small = [n for n in counts if 0 < n < threshold and n != base]
    return small if counts and len(small) == len(counts) else []


def percentage_findings(markup: str, threshold: int, source: str) -> list[Finding]:
    """Sentences giving a percentage with its base whose count can only be 1 to threshold - 1
    (a true 0% or 100% of a base gives nothing away beyond the base itself)."""
    doc = parse_html(markup, source)
    found = []
    for m in _PCT_OF.finditer(doc.text):
        base = int(m.group(3).replace(",", ""))
        small = implied_small_counts(m.group(1), m.group(2), base, threshold)
        if small:
            found.append(Finding("percentage_disclosure",
                                 f"{m.group(0)!r} gives back a count of {small[0]}"
                                 + ("" if len(small) == 1 else f" to {small[-1]}"),
                                 doc.where(m.start())))
    return found


def _partitions(doc) -> list[tuple[int, str, list[Cell]]]:
    """The participants column of each breakdown of the page's people: (table number, caption,
    body cells)."""
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
    return columns


def _partition_total(columns) -> int | None:
    """The page's number of participants, when the breakdowns shown in full agree on one."""
    totals = {sum(_count_value(c.text) for c in cells) for _, _, cells in columns
              if cells and all(not _HIDDEN.match(c.text) and _count_value(c.text) is not None
                               for c in cells)}
    return totals.pop() if len(totals) == 1 else None


def partition_findings(markup: str, threshold: int, source: str) -> list[Finding]:
    """Breakdowns of the page's participants (``Participants by ...``, the cohorts table) all
    add up to the same total; one shown in full gives that total to every other, whose hidden
    cells are then checked against it (a table's size against the cohort table)."""
    columns = _partitions(parse_html(markup))
    known = _partition_total(columns)
    found = []
    if known is None:
        return found
    total = Cell(False, str(known), {}, 0, 0)
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


def _headed_tables(doc):
    """``(table number, table, grid, header row)`` of each table of ``doc`` with a header row."""
    for t_index, table in enumerate(doc.tables, 1):
        grid = _grid(table)
        header = _header_row(grid)
        if header:
            yield t_index, table, grid, header


def share_totals(pairs: Iterable[tuple[int, str, str | None]], most: int = 50) -> range:
    """The whole totals ``T`` of which every pair's count is its percentage, as shown.

    A column of shares beside a column of counts ("13, 13.0%"; "10, 10.0%") gives its total to
    a reader: ``T = 100 * count / share`` within the rounding of each share, and the shares of
    the other rows are then shares of ``T``. Each pair is ``(count, percentage, decimals)``;
    pairs with a count or percentage of 0 say nothing and are left out.

    Returns
    -------
    range
        The totals every pair allows; empty when fewer than two pairs say something (one pair
        fits any column), when they disagree (the column is not a share of those counts), or
        when more than ``most`` totals fit (too loose to pin a hidden count).

    Examples
    --------
    >>> share_totals([(13, "13.0", "0"), (10, "10.0", "0"), (8, "8.0", "0")])
    range(100, 101)
    >>> share_totals([(18, "66.7", "7"), (24, "62.5", "5")])  # not shares of one total
    range(0, 0)
    >>> share_totals([(13, "13.0", "0")])
    range(0, 0)
    """
    low, high, said = 0.0, np.inf, 0
    for count, pct, decimals in pairs:
        value = float(pct)
        if count <= 0 or value <= 0:
            continue
        half = 0.5 * 10 ** -len(decimals or "")
        low = max(low, 100 * count / (value + half))
        high = min(high, 100 * count / (value - half) if value > half else np.inf)
        said += 1
    if said < 2 or not np.isfinite(high):
        return range(0)
    first, last = int(np.ceil(low - 1e-9)), int(np.floor(high + 1e-9))
    return range(first, last + 1) if 0 <= last - first < most else range(0)


#: Shares of something other than the table's people (ties, coded passages, days attended,
#: or the workforce a group is compared with): the counts of people beside them are not
#: their base.
_NOT_PEOPLE_SHARE = re.compile(r"\bties?\b|segments?|sources?|days?\b|paths?|agreement|"
                               r"centrality|\btop\b|workforce|national|benchmark", re.IGNORECASE)


def _part_cell(row: list, k: int):
    """The cell holding the count a percentage at column ``k`` is the share of: the same cell
    ("12 (8.0%)", "<5 (1.4%)") or the whole number or hidden count just before it
    ("Attended every day | Share", "Participants | Share"); None when there is none."""
    cell = row[k]
    if re.match(r"^\s*(?:<\s*\d+|\[c\]|\d[\d,]*)\s*\(", cell.text):
        return Cell(False, cell.text.split("(")[0].strip(), {}, cell.line, cell.col)
    left = row[k - 1] if k > 1 else None
    if left is not None and not left.header and (
            _HIDDEN.match(left.text) or _count_value(left.text) is not None
            and re.fullmatch(r"\s*[\d,]+\s*", left.text)):
        return left
    return None


def table_percentage_findings(markup: str, threshold: int, source: str) -> list[Finding]:
    """Percentage cells of tables whose count, out of a base the page shows, is small.

    A shown percentage cell (see ``_PCT_CELL``; a withheld one, ``–``, shows nothing) whose
    own count is not on show (the count in the same cell or just before it is hidden, or
    there is none: "Agree" beside the number of answers) is tried against every base a reader
    can pair it with:

    - the total of a column of counts it is a share of, as a total row shows it or as the
      shown rows give it (:func:`share_totals`): "1.8%" beside a hidden ``<5``, out of 220;
    - in a breakdown of the page's participants, the number of participants the page's other
      breakdowns give;
    - the other shown counts of its own row (the share of its own group: "50%" beside 6
      answers), except a column the shares are shares of.

    Shares of ties, passages or days, and shares of the workforce (``_NOT_PEOPLE_SHARE``), are
    not shares of the table's people and are left out.

    It is a finding when, for one of them, every count the percentage allows at the precision
    shown is 1 to ``threshold - 1`` (:func:`implied_small_counts`). A base the percentage is
    not a share of rarely passes that test: most allow no whole count at all (27.8% of 5), or
    a large one.

    Examples
    --------
    >>> page = ("<table><tr><th>Trust</th><th>Participants</th><th>Share</th></tr>"
    ...         "<tr><td>A</td><td>216</td><td>98.2%</td></tr>"
    ...         "<tr><td>B</td><td>&lt;5</td><td>1.8%</td></tr>"
    ...         "<tr><td>Total</td><td>220</td><td>100%</td></tr></table>")
    >>> [f.detail for f in table_percentage_findings(page, 5, "p.html")]
    ["table 1 (no caption), row 'B', 'Share': '1.8%' of 220 gives back a count of 4"]
    >>> table_percentage_findings(page.replace("1.8%", "–"), 5, "p.html")
    []
    """
    doc = parse_html(markup, source)
    known = _partition_total(_partitions(doc))
    found = []
    for t_index, table, grid, header in _headed_tables(doc):
        caption = " ".join(table.caption.split())
        body = [r for r in grid if r is not header and r and r[0] is not None]
        counted = {j for j, head in enumerate(header) if head is not None and j > 0 and (
            is_base_header(head.text) or any(j < len(r) and r[j] is not None and _marked(r[j])
                                             for r in body))}
        counts = [{j: v for j in range(1, len(r)) if r[j] is not None and (j in counted or (
                   j + 1 < len(header) and _PCT_CELL.match(r[j + 1].text if r[j + 1] else "")))
                   and (v := _count_value(r[j].text)) is not None} for r in body]
        pcts = [{j: m for j, c in enumerate(r) if j > 0 and j < len(header) and c is not None
                 and not c.header and header[j] is not None and (m := _PCT_CELL.match(c.text))}
                for r in body]
        is_total = [bool(_TOTAL.match(r[0].text)) for r in body]
        table_bases = [[v] for i, row in enumerate(counts) if is_total[i] for v in row.values()]
        if known is not None and PARTITION_CAPTION.match(caption):
            table_bases.append([known])
        for k in {k for row in pcts for k in row}:
            # the count columns column k is a share of, and the totals they give
            parts = {}
            for j in counted | {k, k - 1}:
                pairs = [(counts[i][j], pcts[i][k].group(1), pcts[i][k].group(2))
                         for i in range(len(body)) if not is_total[i]
                         and j in counts[i] and k in pcts[i]]
                totals = share_totals(pairs)
                if totals:
                    parts[j] = list(totals)
            if _NOT_PEOPLE_SHARE.search(header[k].text):
                continue
            for i, row in enumerate(body):
                m = pcts[i].get(k)
                part = _part_cell(row, k)
                if m is None or (part is not None and not _HIDDEN.match(part.text)):
                    continue  # the count the share is of is on show: it tells nothing more
                pct, decimals = m.group(1), m.group(2)
                own = [v for j, v in counts[i].items() if j not in (k, k - 1) and j not in parts]
                for bases in [*([v] for v in own), *table_bases, *parts.values()]:
                    small = [implied_small_counts(pct, decimals, b, threshold) for b in bases]
                    if all(small):
                        got = sorted({n for s in small for n in s})
                        base = bases[0] if len(bases) == 1 else f"{bases[0]} to {bases[-1]}"
                        found.append((row[k].line, row[k].col, Finding(
                            "table_percentage_disclosure",
                            f"table {t_index} ({caption or 'no caption'}), row {row[0].text!r}, "
                            f"{header[k].text!r}: {row[k].text!r} of {base} gives back a count "
                            f"of {got[0]}" + ("" if len(got) == 1 else f" to {got[-1]}"),
                            f"{source}:{row[k].line}:{row[k].col + 1} <td>")))
                        break
    return [f for _, _, f in sorted(found, key=lambda x: x[:2])]


#: Columns a percentage may be a share of besides the counts of people the scanner knows
#: (:func:`helpers.report.scan.is_count_header`): the answers to a question, the people who
#: answered a survey (named a colleague in a network survey) or were followed up.
_BASE_HEADER = re.compile(r"^\s*(?:answers?|answered|followed up|status known|named a colleague)\b",
                          re.IGNORECASE)


def is_base_header(text: str) -> bool:
    """Whether a column header names a count a percentage in the same row can be a share of.

    Examples
    --------
    >>> [is_base_header(h) for h in ("Participants", "Answers", "Answered at the start",
    ...                              "Share", "Mean", "Ties")]
    [True, True, True, False, False, False]
    """
    return is_count_header(text) or bool(_BASE_HEADER.match(text))


#: Tables listing every category present (helpers.reach.participants_by): a category missing
#: from a cohort's table has no one in that cohort, so it counts as 0 there.
PARTITION_CAPTION = re.compile(r"^(?:Participants by|Cohorts\b)", re.IGNORECASE)


#: The report's scope in a caption ("... programme (all cohorts)", "... programme, cohort c01"):
#: the same table on the programme's and a cohort's page differs only by it.
_SCOPE = re.compile(r"\s*\(all cohorts\)|,\s*cohort\s+[^,;:()]+$", re.IGNORECASE)


def scope_free(caption: str) -> str:
    """A caption without the report's scope, so a table is matched across a programme's pages.

    Examples
    --------
    >>> scope_free("The network at each wave: Barts programme (all cohorts)")
    'The network at each wave: Barts programme'
    >>> scope_free("The network at each wave: Barts programme, cohort barts_c01")
    'The network at each wave: Barts programme'
    >>> scope_free("Participants by profession")
    'Participants by profession'
    """
    return _SCOPE.sub("", " ".join(caption.split()))


@functools.lru_cache(maxsize=64)
def count_cells(markup: str) -> Mapping[tuple[str, str, str], str]:
    """Count cells of a page keyed by (table caption, row label, column header) -> cell text.

    The caption is taken without the report's scope (:func:`scope_free`); the count columns
    are those :func:`is_base_header` names, and cells marked as counts. The row label is the
    text of the row's cells before its first count column (scale, survey and rater of a score
    table, not the scale alone).

    Each page published is compared with every page of its programme already on disk, so a
    programme of many cohorts reads the same pages again and again: the answers for recent
    pages are kept, as a read-only mapping.
    """
    doc = parse_html(markup)
    cells = {}
    for table in doc.tables:
        grid = _grid(table)
        header = _header_row(grid)
        if not header:
            continue
        caption = scope_free(table.caption)
        counted = [j for j, head in enumerate(header)
                   if head is not None and j > 0 and is_base_header(head.text)]
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
    return MappingProxyType(cells)


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
            texts = dict(zip(published, (_cohort_value(cohort_cells[c], key) for c in published)))
            if any(t is None for t in texts.values()):
                continue
            hidden = sorted(c for c, t in texts.items() if _HIDDEN.match(t))
            values = [_count_value(t) for c, t in texts.items() if c not in hidden]
            if any(v is None for v in values):
                continue
            caption, row, column = key
            if _HIDDEN.match(text):
                if not missing and not hidden:
                    found.append(Finding(
                        "cross_report_subtraction",
                        f"{caption!r}, row {row!r}, {column!r}: hidden here, but the cohort "
                        f"reports show it as {sum(values)}", source))
                continue
            total = _count_value(text)
            if total is None or not (hidden or missing):
                continue
            rest = total - sum(values)
            if 0 < rest < threshold:
                who = sorted(set(hidden) | missing)
                what = (f"recovers {who[0]}'s hidden {texts[who[0]]!r} as {rest}"
                        if len(who) == 1 and who[0] in texts else f"leaves {rest} for {', '.join(who)}")
                found.append(Finding(
                    "cross_report_subtraction",
                    f"{caption!r}, row {row!r}, {column!r}: {total} minus the cohort reports "
                    f"{what}", source))
    return found


_PARTICIPANT = re.compile(r"^Participant(?: \((?P<profession>[^)]*)\))?(?:, cohort (?P<cohort>.+))?$")
_ROLE = re.compile(r"^(?P<role>.+?)(?:, cohort (?P<cohort>.+))?$")


def parse_description(text: str, roles: Iterable[str] = ()) -> dict[str, str] | None:
    """The descriptors of a quote's attribution (:func:`helpers.attribution.describe`), as
    ``{"role", "profession", "cohort_id"}`` (``""`` for one not given); None for a label that
    names no one (a role not in ``roles``, "Focus group").

    Examples
    --------
    >>> parse_description("Participant (medical), cohort c03")
    {'role': '', 'profession': 'medical', 'cohort_id': 'c03'}
    >>> parse_description("Clinical Lead, cohort c03", ["Clinical Lead"])
    {'role': 'Clinical Lead', 'cohort_id': 'c03', 'profession': ''}
    >>> parse_description("Participant")
    {'role': '', 'profession': '', 'cohort_id': ''}
    >>> parse_description("Focus group", ["Clinical Lead"]) is None
    True
    """
    text = " ".join(text.split())
    m = _PARTICIPANT.match(text)
    if m:
        return {"role": "", "profession": m.group("profession") or "",
                "cohort_id": m.group("cohort") or ""}
    m = _ROLE.match(text)
    if m and m.group("role") in set(roles):
        return {"role": m.group("role"), "cohort_id": m.group("cohort") or "", "profession": ""}
    return None


def quote_findings(markup: str, people: pd.DataFrame, threshold: int,
                   source: str) -> list[Finding]:
    """Attributions of quotes (a column headed "Attributed to") and the rows of a framework
    matrix (its first column) whose descriptors fewer than ``threshold`` of ``people`` (the
    participants of the report's scope) share."""
    doc = parse_html(markup, source)
    roles = people["role"].dropna().astype(str).str.strip().unique() if "role" in people else []
    described = []   # (table number, caption, cell, descriptors)
    for t_index, table, grid, header in _headed_tables(doc):
        heads = [h.text.strip().lower() if h is not None else "" for h in header]
        if "attributed to" in heads:
            j = heads.index("attributed to")
        elif table.caption.strip().lower().startswith("framework matrix"):
            j = 0
        else:
            continue
        for row in grid:
            cell = row[j] if row is not header and j < len(row) else None
            said = parse_description(cell.text, roles) if cell is not None else None
            if said is not None:
                described.append((t_index, table.caption, cell, said))
    if not described:
        return []
    matches = smallest_match(pd.DataFrame([d[3] for d in described]), people)
    return [Finding("quote_descriptor",
                    f"table {t_index} ({_short(caption)}): {cell.text!r} matches {n} "
                    f"of the report's participants, fewer than {threshold}",
                    f"{source}:{cell.line}:{cell.col + 1} <td>")
            for (t_index, caption, cell, _), n in zip(described, matches.astype(int)) if n < threshold]


def scope_people(dataset, output: str) -> pd.DataFrame | None:
    """The participants of the scope of the report at ``output`` (``<programme>/<cohort or
    all>/<notebook>.html``), or None for a path outside that layout."""
    where = split_output(output)
    if where is None:
        return None
    programme, cohort, _ = where
    c = dataset.cohorts
    ids = set(c.loc[c["programme_id"].astype(str) == programme, "cohort_id"].astype(str))
    if cohort != "all":
        ids &= {cohort}
    p = dataset.participants
    return p[p["cohort_id"].astype(str).isin(ids)]


def audit_folder(folder: str | Path, dataset) -> dict[str, list[Finding]]:
    """Every finding of every report under ``folder`` (a published reports tree), by report path.

    ``dataset`` is a loaded :class:`helpers.data.Dataset` (participant ids, threshold, cohorts).
    """
    folder = Path(folder)
    ids = dataset.participants["participant_id"].astype(str).tolist()
    t = int(dataset.suppress_below)
    pages = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8", errors="replace")
             for p in sorted(folder.glob("*/*/*.html"))}
    out: dict[str, list[Finding]] = {k: page_findings(v, ids, t, k) for k, v in pages.items()}
    for k, v in pages.items():
        people = scope_people(dataset, k)
        if people is not None:
            out[k] += quote_findings(v, people, t, k)
    cohorts = programme_cohorts(dataset)
    for f in cross_report_findings(pages, cohorts, t,
                                   lambda p, c: cohort_withheld(dataset, p, c)):
        out.setdefault(f.location, []).append(f)
    return out


def programme_cohorts(dataset) -> dict[str, list[str]]:
    """Programme id -> its cohort ids, from a loaded dataset."""
    c = dataset.cohorts
    return {str(p): sorted(g["cohort_id"].astype(str)) for p, g in c.groupby("programme_id")}
