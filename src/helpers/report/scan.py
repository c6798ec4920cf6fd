"""Scan published HTML reports for disclosure and offline-safety problems.

Disclosure control is checked, not assumed: after ``leadeval run`` every published page can be
read back and searched for what must never be in it. The scanner parses the page with the
standard library's HTML tokenizer (entities decoded as a browser decodes them) and reports
:class:`Finding` records of these kinds:

Disclosure (``DISCLOSURE_KINDS``)
    ``participant_id``  a participant id from the dataset, as a whole token, anywhere (text,
                        attributes, comments, style or script content)
    ``email``           an e-mail address
    ``phone``           a UK telephone number (Ofcom national numbering plan: 0 or +44, then a
                        9 or 10 digit national significant number)
    ``nhs_number``      ten digits (optionally 3-3-4) with a valid modulus 11 check digit
    ``small_count``     a table cell holding a count below the threshold (see "Count cells")
    ``small_count_sentence``  "3 delegates", "2 of the 40 participants": a count of people
                        below the threshold in running text or in alt/title text
    ``secondary_disclosure``  a table with a visible total whose hidden cells (``<N`` or
                        ``[c]``) along that total's row or column subtraction would give away:
                        one hidden cell, hidden cells adding up to fewer than the threshold, or
                        ``<N`` cells pinned to one value

Offline safety and active content (``OFFLINE_KINDS``, ``ACTIVE_KINDS``)
    ``remote_resource`` a URL to another host (``http:``, ``https:``, ``ftp:``, ``ws:``,
                        protocol-relative ``//host``) in any URL attribute, ``srcset``, CSS
                        ``url()`` / ``@import`` or a ``<meta http-equiv="refresh">``
    ``local_resource``  a resource load from a relative path (a stylesheet, script, frame...):
                        the page would not be self-contained
    ``non_data_image``  an image whose source is not a ``data:`` URI
    ``file_uri``        any ``file:`` URL
    ``unsafe_url``      ``javascript:``/``vbscript:`` anywhere, ``data:`` as a link target
    ``event_handler``   an ``on*=`` attribute
    ``embedded_object`` ``<iframe>``, ``<frame>``, ``<object>``, ``<embed>``, ``<applet>``,
                        ``<portal>``
    ``script``          a ``<script>`` element (a report is a static page)
    ``tex_link``        a TeX ``\\href``/``\\url`` in text of a page that loads a maths renderer

Count cells
    A ``<td>`` is a count cell when it carries the proposed markup (``data-count`` attribute,
    or a ``count`` / ``le-count`` class, which survives the runner's sanitiser), or when its
    column header (or its row's header cell) names a count: "n", "N", "Count", "Number of ...",
    "Participants", "Delegates", "Respondents", "People", "Staff", "Responses", "Leavers",
    "Eligible", "Invited", "Completers", "Responded", "Attendees".
    Its leading whole number is the count, so "3 (60.0%)" is a count of 3.

References
----------
ONS (2019), Disclosure control guidance for tables produced from administrative data
(primary and secondary suppression). NHS Data Dictionary, "NHS Number" (modulus 11 check).
OWASP Cross Site Scripting Prevention Cheat Sheet and the WHATWG HTML Living Standard
(event handler content attributes; URL parsing drops tab and newline, so ``java\\tscript:``
is ``javascript:``). CVE-2021-32862 (markup injection in nbconvert output) and CVE-2026-39378
(nbconvert embedding local files as images).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from helpers.report.disclosure import is_suppressed, nhs_number_is_valid

DISCLOSURE_KINDS = frozenset({
    "participant_id", "email", "phone", "nhs_number", "small_count", "small_count_sentence",
    "secondary_disclosure",
})
OFFLINE_KINDS = frozenset({"remote_resource", "local_resource", "non_data_image", "file_uri"})
ACTIVE_KINDS = frozenset({"unsafe_url", "event_handler", "embedded_object", "script", "tex_link"})
ALL_KINDS = DISCLOSURE_KINDS | OFFLINE_KINDS | ACTIVE_KINDS


@dataclass(frozen=True)
class Finding:
    """One problem found in a page.

    Attributes
    ----------
    kind : str
        One of ``ALL_KINDS``.
    detail : str
        What was found (the offending value, shortened).
    location : str
        ``source:line:column`` of the element or text, with the tag when known.
    """

    kind: str
    detail: str
    location: str


# --------------------------------------------------------------------------- parsing

_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "title", "tr", "ul", "body", "head", "html",
}
_RAW = {"script", "style"}


@dataclass
class Cell:
    """A table cell as a reader sees it."""

    header: bool
    text: str
    attrs: dict
    line: int
    col: int
    colspan: int = 1

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


@dataclass
class Table:
    """A table: its rows of cells (header rows included) and caption."""

    line: int
    col: int
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]]
    line: int
    col: int


@dataclass(frozen=True)
class Document:
    """A parsed page: visible text (with positions), raw text, elements and tables."""

    source: str
    text: str                 # visible text, blocks separated by newlines
    offsets: list[int]        # start offset of each text chunk in ``text``
    positions: list[tuple[int, int]]  # (line, col) of each chunk
    raw_chunks: list[tuple[str, str, int, int]]  # (context, text, line, col): script/style/comment
    elements: list[Element]
    tables: list[Table]

    def where(self, offset: int) -> str:
        """``source:line:col`` of a character of ``text``."""
        i = max(bisect.bisect_right(self.offsets, offset) - 1, 0)
        line, col = self.positions[i] if self.positions else (1, 0)
        return f"{self.source}:{line}:{col + 1}"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.offsets: list[int] = []
        self.positions: list[tuple[int, int]] = []
        self.raw: list[tuple[str, str, int, int]] = []
        self.elements: list[Element] = []
        self.tables: list[Table] = []
        self._open_tables: list[Table] = []
        self._cell: list[Cell | None] = []
        self._in_raw: str | None = None
        self._in_caption = False

    # text stream -----------------------------------------------------------
    def _emit(self, text: str) -> None:
        if not text:
            return
        line, col = self.getpos()
        self.offsets.append(self.length)
        self.positions.append((line, col))
        self.parts.append(text)
        self.length += len(text)

    def _close_cell(self) -> None:
        if self._cell and self._cell[-1] is not None:
            cell = self._cell[-1]
            cell.text = " ".join(cell.text.split())
            self._cell[-1] = None

    # parser callbacks ------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        attrs = [(k.lower(), "" if v is None else v) for k, v in attrs]
        self.elements.append(Element(tag, attrs, line, col))
        if tag in _RAW:
            self._in_raw = tag
        if tag in _BLOCK:
            self._emit("\n")
        if tag == "table":
            table = Table(line, col)
            self._open_tables.append(table)
            self._cell.append(None)
        elif self._open_tables:
            table = self._open_tables[-1]
            if tag == "tr":
                self._close_cell()
                table.rows.append([])
            elif tag in ("td", "th"):
                self._close_cell()
                if not table.rows:
                    table.rows.append([])
                d = dict(attrs)
                try:
                    span = max(int(d.get("colspan") or 1), 1)
                except ValueError:
                    span = 1
                cell = Cell(tag == "th", "", d, line, col, span)
                table.rows[-1].append(cell)
                self._cell[-1] = cell
            elif tag == "caption":
                self._in_caption = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _RAW:
            self._in_raw = None

    def handle_endtag(self, tag):
        if tag in _RAW:
            self._in_raw = None
        if tag in _BLOCK:
            self._emit("\n")
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "caption":
            self._in_caption = False
        elif tag == "table" and self._open_tables:
            self._close_cell()
            self._cell.pop()
            self.tables.append(self._open_tables.pop())

    def handle_data(self, data):
        if self._in_raw:
            line, col = self.getpos()
            self.raw.append((self._in_raw, data, line, col))
            return
        # newlines inside text are spaces to a reader; "\n" in the stream marks block edges
        self._emit(data.replace("\r", " ").replace("\n", " "))
        if self._open_tables:
            if self._cell[-1] is not None:
                self._cell[-1].text += data
            elif self._in_caption:
                self._open_tables[-1].caption += data

    def handle_comment(self, data):
        line, col = self.getpos()
        self.raw.append(("comment", data, line, col))

    def close(self):
        super().close()
        while self._open_tables:
            self._close_cell()
            self._cell.pop()
            self.tables.append(self._open_tables.pop())


def parse_html(markup: str, source: str = "<html>") -> Document:
    """Parse a page into a :class:`Document` (entities decoded, positions kept).

    The audit reads one page with several checks in turn, so the last few parses are kept and
    shared: a Document and what it holds are read, never changed, by its users.
    """
    doc = _parse(markup)
    return doc if source == doc.source else dataclasses.replace(doc, source=source)


@functools.lru_cache(maxsize=4)
def _parse(markup: str) -> Document:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return Document("<html>", "".join(collector.parts), collector.offsets, collector.positions,
                    collector.raw, collector.elements, collector.tables)


def _short(value: str, n: int = 80) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= n else value[: n - 1] + "…"


def _at(doc: Document, line: int, col: int, tag: str | None = None) -> str:
    where = f"{doc.source}:{line}:{col + 1}"
    return f"{where} <{tag}>" if tag else where


# --------------------------------------------------------------------------- identifiers

_DATA_URI = re.compile(r"data:[\w/+.-]+(?:;[\w=.+-]+)*,[A-Za-z0-9+/=%\s._-]*")
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])")
_PHONE = re.compile(
    r"(?<![\w+.,/])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d{1,5}\)?(?:[ \t-]?\d{2,4}){1,3}(?![\w])")
_NHS = re.compile(r"(?<![\w.,/])\d{3}([ -]?)\d{3}\1\d{4}(?![\w])")


def _is_uk_phone(candidate: str) -> bool:
    """A UK number: national significant number of 9-10 digits, no single-digit groups."""
    digits = re.sub(r"\D", "", candidate)
    stripped = candidate.lstrip()
    if stripped.startswith(("+", "00")):
        national = digits[4:] if digits.startswith("0044") else digits[2:]
        if "(0)" in candidate:
            national = national[1:]
    else:
        national = digits[1:]
    groups = re.findall(r"\d+", candidate)
    return (len(national) in (9, 10) and national[:1] in set("1235789")
            and all(len(g) >= 2 or g == "0" for g in groups[1:]))


def _texts(doc: Document) -> Iterable[tuple[str, int, str]]:
    """Every string a reader or a file search could see: (text, base offset or -1, location).

    Visible text keeps offsets (for precise locations); raw content, comments and attribute
    values are located by their element. ``data:`` URIs are removed first (base64 can look
    like anything).
    """
    yield doc.text, 0, ""
    for context, text, line, col in doc.raw_chunks:
        yield _DATA_URI.sub(" ", text), -1, _at(doc, line, col, context)
    for el in doc.elements:
        for name, value in el.attrs:
            if value:
                yield _DATA_URI.sub(" ", value), -1, _at(doc, el.line, el.col, el.tag) + f" [{name}]"


def _loc(doc: Document, base: int, fallback: str, start: int) -> str:
    return doc.where(start) if base >= 0 else fallback


def find_identifiers(doc: Document, participant_ids: Iterable[str] = ()) -> list[Finding]:
    """Participant ids (whole tokens), e-mail addresses, UK phone and valid NHS numbers.

    A participant id is found when it stands as a token: not preceded or followed by a letter,
    digit or underscore (``P001`` in ``P001-x`` is found; in ``XP001`` it is not).
    """
    ids = {str(i).strip() for i in participant_ids if str(i).strip()}
    word_ids = {i for i in ids if re.fullmatch(r"\w+", i)}
    other = sorted(ids - word_ids, key=len, reverse=True)
    other_re = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, other)) + r")(?!\w)")
                if other else None)
    found: list[Finding] = []
    for text, base, where in _texts(doc):
        if word_ids:
            for m in re.finditer(r"\w+", text):
                if m.group() in word_ids:
                    found.append(Finding("participant_id", m.group(), _loc(doc, base, where, m.start())))
        if other_re:
            for m in other_re.finditer(text):
                found.append(Finding("participant_id", m.group(), _loc(doc, base, where, m.start())))
        for m in _EMAIL.finditer(text):
            found.append(Finding("email", m.group(), _loc(doc, base, where, m.start())))
        nhs_spans = []
        for m in _NHS.finditer(text):
            if nhs_number_is_valid(m.group()):
                nhs_spans.append(m.span())
                found.append(Finding("nhs_number", m.group(), _loc(doc, base, where, m.start())))
        for m in _PHONE.finditer(text):
            if m.span() not in nhs_spans and _is_uk_phone(m.group()):
                found.append(Finding("phone", m.group().strip(), _loc(doc, base, where, m.start())))
    return found


# --------------------------------------------------------------------------- counts in tables

_PEOPLE_HEADS = (r"participants?|delegates?|respondents?|people|staff|responses?|leavers?|eligible|"
                 r"invited|completers?|responded|attendees?")
_COUNT_HEADER = re.compile(
    r"^\s*(?:n\b|counts?\b|headcount|(?:number|no\.)\s+(?:of\s+)?(?:" + _PEOPLE_HEADS + r")\b|"
    r"(?:" + _PEOPLE_HEADS + r")\b)", re.IGNORECASE)
_NOT_COUNT_HEADER = re.compile(r"mean|median|score|%|percent|share|rate|proportion|\bsd\b|change",
                               re.IGNORECASE)
_LEADING_COUNT = re.compile(r"^\s*(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]*\d)(?!\s*%)")
_HIDDEN = re.compile(r"^\s*(?:(?:<|&lt;|fewer than\s*)\s*\d+|\[c\])\s*$", re.IGNORECASE)
_PRIMARY = re.compile(r"^\s*(?:<|&lt;|fewer than\s*)\s*(\d+)\s*$", re.IGNORECASE)
_TOTAL = re.compile(r"^\s*(?:total|all\b|overall)", re.IGNORECASE)


def _count_value(text: str) -> int | None:
    m = _LEADING_COUNT.match(text)
    return int(m.group(1).replace(",", "")) if m else None


def _grid(table: Table) -> list[list[Cell | None]]:
    """Rows with cells placed at their column index (a colspan fills several columns)."""
    grid = []
    for row in table.rows:
        placed: list[Cell | None] = []
        for cell in row:
            placed.extend([cell] * cell.colspan)
        grid.append(placed)
    return grid


def _header_row(grid) -> list[Cell | None] | None:
    for row in grid:
        if row and all(c is not None and c.header for c in row):
            return row
    return None


def is_count_header(text: str) -> bool:
    """Whether a column (or row) header names a count of people: "n", "Delegates", "Count"."""
    return bool(_COUNT_HEADER.match(text)) and not _NOT_COUNT_HEADER.search(text)


def _marked(cell: Cell) -> bool:
    return "data-count" in cell.attrs or bool(cell.classes & {"count", "le-count"})


def find_small_counts(doc: Document, threshold: int) -> list[Finding]:
    """Count cells (see the module notes) whose count is below ``threshold``; a shown 0 is a
    true zero (:func:`~helpers.report.disclosure.is_suppressed`) and passes."""
    found = []
    for t_index, table in enumerate(doc.tables, 1):
        grid = _grid(table)
        header = _header_row(grid)
        count_cols = set()
        if header:
            count_cols = {j for j, c in enumerate(header)
                          if c is not None and (is_count_header(c.text) or _marked(c))}
        for row in grid:
            if row is header:
                continue
            row_is_count = bool(row) and row[0] is not None and row[0].header and \
                is_count_header(row[0].text)
            seen = set()
            for j, cell in enumerate(row):
                if cell is None or cell.header or id(cell) in seen:
                    continue
                seen.add(id(cell))
                if not (_marked(cell) or j in count_cols or row_is_count):
                    continue
                value = _count_value(cell.attrs.get("data-count") or cell.text)
                if value is not None and is_suppressed(value, threshold):
                    column = header[j].text if header and j < len(header) and header[j] else f"column {j + 1}"
                    found.append(Finding(
                        "small_count", f"table {t_index} ({_short(table.caption, 40) or 'no caption'}), "
                        f"{column!r}: {cell.text!r} is below {threshold}",
                        _at(doc, cell.line, cell.col, "td")))
    return found


def _lone_hidden(cells: list[Cell], total: Cell, threshold: int = 5) -> tuple[Cell, str] | None:
    """A hidden cell and what subtraction tells about it, when the margin gives one away.

    Subtraction gives the hidden cells' sum R = total - visible cells. A margin discloses when
    one cell is hidden (it is R), when R is 1 to threshold - 1 (the hidden cells together are a
    small group), or when every hidden cell is a ``<t`` cell and R pins them (R equal to their
    number, each is 1; R equal to their number times t - 1, each is t - 1). A ``[c]`` cell may
    be any count, so it is assumed nothing.
    """
    total_value = _count_value(total.text)
    if total_value is None:
        return None
    hidden = [c for c in cells if _HIDDEN.match(c.text)]
    visible = [_count_value(c.text) for c in cells if not _HIDDEN.match(c.text)]
    if not hidden or any(v is None for v in visible):
        return None
    rest = total_value - sum(visible)
    if len(hidden) == 1:
        return hidden[0], f"as {rest}"
    if 0 < rest < threshold:
        return hidden[0], f"and the other hidden cells as {rest} together"
    primaries = [c for c in hidden if _PRIMARY.match(c.text)]
    if len(primaries) == len(hidden):
        t = int(_PRIMARY.match(primaries[0].text).group(1))
        if rest in (len(hidden), len(hidden) * (t - 1)):
            return hidden[0], f"and every other hidden cell as {rest // len(hidden)}"
        if rest > len(hidden) * (t - 1):  # a complement labelled as if it were small
            return hidden[0], (f"and the other hidden cells as {rest} together, more than "
                               f"{len(hidden)} cells below {t} can hold: one is mislabelled")
    return None


def find_secondary_disclosure(doc: Document, threshold: int = 5) -> list[Finding]:
    """Tables where a visible total and the visible cells recover a single hidden cell.

    Rows and columns are checked: a row labelled "Total"/"All"/"Overall" gives each column's
    total, a column headed so gives each row's. Only rows/columns whose other cells are all
    whole numbers or hidden counts are considered (a recovery needs every term).
    """
    found = []
    for t_index, table in enumerate(doc.tables, 1):
        grid = _grid(table)
        header = _header_row(grid)
        body = [r for r in grid if r is not header and r]
        label = f"table {t_index} ({_short(table.caption, 40) or 'no caption'})"
        total_rows = [r for r in body if r[0] is not None and _TOTAL.match(r[0].text)]
        total_ids = {id(r) for r in total_rows}
        width = max((len(r) for r in body), default=0)
        for total_row in total_rows:
            for j in range(1, width):
                if j >= len(total_row) or total_row[j] is None:
                    continue
                cells = [r[j] for r in body if id(r) not in total_ids and j < len(r) and r[j] is not None]
                hit = _lone_hidden(cells, total_row[j], threshold)
                if hit:
                    cell, value = hit
                    col = header[j].text if header and j < len(header) and header[j] else f"column {j + 1}"
                    found.append(Finding(
                        "secondary_disclosure",
                        f"{label}, {col!r}: total {total_row[j].text} minus the visible cells "
                        f"recovers the hidden {cell.text!r} {value}",
                        _at(doc, cell.line, cell.col, "td")))
        if header:
            total_cols = [j for j, c in enumerate(header) if j > 0 and c is not None and _TOTAL.match(c.text)]
            for j in total_cols:
                for row in body:
                    if id(row) in total_ids or j >= len(row) or row[j] is None:
                        continue
                    cells = [c for k, c in enumerate(row) if k > 0 and k not in total_cols
                             and c is not None and not c.header]
                    hit = _lone_hidden(cells, row[j], threshold)
                    if hit:
                        cell, value = hit
                        name = row[0].text if row[0] is not None else "a row"
                        found.append(Finding(
                            "secondary_disclosure",
                            f"{label}, row {name!r}: total {row[j].text} minus the visible cells "
                            f"recovers the hidden {cell.text!r} {value}",
                            _at(doc, cell.line, cell.col, "td")))
    return found


# --------------------------------------------------------------------------- sentences

_PEOPLE = (r"delegates?|participants?|people|persons?|respondents?|leaders?|staff|members?|"
           r"clinicians?|nurses?|doctors?|managers?|leavers?|attendees?|learners?|graduates?|"
           r"colleagues?|individuals?|interviewees?|employees?|fellows?|trainees?|alumni")
_NOT_A_MODIFIER = (r"and|or|from|in|across|with|by|to|for|per|than|at|on|cohorts?|organisations?|"
                   r"trusts?|modules?|waves?|years?|months?|weeks?|days?|sessions?|professions?|"
                   r"themes?|codes?|projects?|items?|scales?|programmes?|sites?|teams?|questions?|"
                   r"segments?|quotes?|times?|points?|hours?|ties?|responses?")
_LABEL_BEFORE = re.compile(r"(?:figure|fig\.|table|module|wave|cohort|level|section|step|version|"
                           r"appendix|chapter|question|item|phase|year|day|week|no\.)\s*$",
                           re.IGNORECASE)
_SENTENCE = re.compile(
    r"(?<![\w.,<>≤%£$-])(?P<n>\d{1,3}(?:,\d{3})+|\d+)"
    r"(?P<mid>(?:[^\S\n]+(?!(?:" + _NOT_A_MODIFIER + r")\b)(?:[A-Za-z][\w'-]*|\d[\d,]*)){0,3}?)"
    r"[^\S\n]+(?P<noun>" + _PEOPLE + r")\b", re.IGNORECASE)


def find_small_count_sentences(doc: Document, threshold: int) -> list[Finding]:
    """Counts of people below the threshold in running text and alt/title/aria-label text.

    Matches a number in digits (generated sentences format numbers; words such as "two" are
    prose: "a tie between two participants") followed within three modifier words by a noun
    for people: "3 delegates", "2 nursing participants", "4 of the 40 respondents".
    """
    found = []

    def scan(text: str, base: int, where: str) -> None:
        for m in _SENTENCE.finditer(text):
            if _LABEL_BEFORE.search(text[max(m.start() - 12, 0):m.start()]):
                continue  # "Figure 2 participants ...", "Cohort 3 delegates": a label, not a count
            n = int(m.group("n").replace(",", ""))
            if is_suppressed(n, threshold):
                found.append(Finding("small_count_sentence", _short(m.group(0)),
                                     doc.where(base + m.start()) if base >= 0 else where))

    scan(doc.text, 0, "")
    for el in doc.elements:
        for name, value in el.attrs:
            if name in ("alt", "title", "aria-label") and value:
                scan(value, -1, _at(doc, el.line, el.col, el.tag) + f" [{name}]")
    return found


# --------------------------------------------------------------------------- markup and URLs

_URL_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "formaction", "background",
              "xlink:href", "lowsrc", "dynsrc", "longdesc", "ping", "manifest", "icon",
              "codebase", "archive", "profile", "cite", "imagesrcset"}
_NAVIGATION = {("a", "href"), ("area", "href"), ("blockquote", "cite"), ("q", "cite"),
               ("del", "cite"), ("ins", "cite")}
_IMAGE_TAGS = {"img", "image", "picture", "source", "input"}
_EMBEDDED = {"iframe", "frame", "frameset", "object", "embed", "applet", "portal"}
_REMOTE = re.compile(r"^(?:https?|ftp|wss?|gopher):|^[/\\]{2}", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.IGNORECASE | re.DOTALL)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)
_MATH_RENDERER = re.compile(r"mathjax|katex", re.IGNORECASE)
_TEX_LINK = re.compile(r"\\(?:href|url)\s*\{", re.IGNORECASE)


def normalise_url(value: str) -> str:
    """A URL as a browser reads its scheme: control characters and surrounding spaces
    stripped, tab/newline removed anywhere (WHATWG URL standard), lower case."""
    value = re.sub(r"[\t\n\r]", "", value)
    return value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13"
                       "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ").lower()


def classify_url(value: str, tag: str, attr: str) -> str | None:
    """The finding kind for one URL on ``<tag attr=...>``, or None when it is safe.

    Safe: ``data:`` images and resources, in-page ``#fragments``, relative links between
    reports (``<a href="../x.html">``), ``mailto:`` (its address is checked as an e-mail).
    """
    url = normalise_url(value)
    if not url or url.startswith("#"):
        return None
    if url.startswith(("javascript:", "vbscript:", "livescript:")):
        return "unsafe_url"
    if url.startswith("file:"):
        return "file_uri"
    if _REMOTE.match(url):
        return "remote_resource"
    navigation = (tag, attr) in _NAVIGATION
    if url.startswith("data:"):
        return "unsafe_url" if navigation else None
    if re.match(r"^[a-z][a-z0-9+.-]*:", url):  # some other scheme
        return None if url.startswith(("mailto:", "tel:")) and navigation else "unsafe_url"
    if navigation:
        return None
    return "non_data_image" if tag in _IMAGE_TAGS or (tag == "svg:image") else "local_resource"


def _css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _CSS_URL.finditer(css)]


def find_unsafe_markup(doc: Document) -> list[Finding]:
    """Remote or local resource loads, file: URIs, script, frames, event handlers, unsafe links."""
    found = []
    math = False
    for el in doc.elements:
        where = _at(doc, el.line, el.col, el.tag)
        attrs = dict(el.attrs)
        if el.tag in _EMBEDDED:
            found.append(Finding("embedded_object", f"<{el.tag}>", where))
        if el.tag == "script":
            found.append(Finding("script", _short(attrs.get("src") or "inline script"), where))
            math = math or bool(_MATH_RENDERER.search(attrs.get("src", "")))
        if el.tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            m = _REFRESH_URL.search(attrs.get("content", ""))
            if m:
                kind = classify_url(m.group(1), "meta", "content")
                if kind:
                    found.append(Finding(kind, _short(m.group(1)), where + " [http-equiv=refresh]"))
        for name, value in el.attrs:
            if name.startswith("on"):
                found.append(Finding("event_handler", f"{name}={_short(value, 40)!r}", where))
            elif name in _URL_ATTRS:
                urls = ([part.strip().split(" ")[0] for part in value.split(",")]
                        if name.endswith("srcset") else [value])
                for url in urls:
                    kind = classify_url(url, "svg:image" if el.tag == "image" else el.tag, name)
                    if kind:
                        found.append(Finding(kind, _short(url), f"{where} [{name}]"))
            elif name == "style":
                for url in _css_urls(value):
                    kind = classify_url(url, "style", "url")
                    if kind:
                        found.append(Finding(kind, _short(url), f"{where} [style]"))
    for context, text, line, col in doc.raw_chunks:
        where = _at(doc, line, col, context)
        if context == "style":
            for url in _css_urls(text):
                kind = classify_url(url, "style", "url")
                if kind:
                    found.append(Finding(kind, _short(url), where))
        if context == "script" and _MATH_RENDERER.search(text):
            math = True
    if math:
        for m in _TEX_LINK.finditer(doc.text):
            found.append(Finding("tex_link", _short(doc.text[m.start():m.start() + 60]),
                                 doc.where(m.start())))
    return found


# --------------------------------------------------------------------------- entry points

def scan_html(markup: str, participant_ids: Iterable[str] = (), threshold: int = 5,
              source: str = "<html>") -> list[Finding]:
    """Every finding in one page (see the module notes for the kinds).

    Parameters
    ----------
    markup : str
        The page.
    participant_ids : iterable of str
        The dataset's ``participants.participant_id`` values.
    threshold : int
        The dataset's ``suppress_below``.
    source : str
        Name used in each finding's location.
    """
    doc = parse_html(markup, source)
    return (find_identifiers(doc, participant_ids) + find_small_counts(doc, threshold)
            + find_secondary_disclosure(doc, threshold) + find_small_count_sentences(doc, threshold)
            + find_unsafe_markup(doc))


def scan_file(path: str | Path, participant_ids: Iterable[str] = (), threshold: int = 5,
              root: str | Path | None = None) -> list[Finding]:
    """:func:`scan_html` over a file (UTF-8); locations name the path relative to ``root``."""
    path = Path(path)
    source = str(path.relative_to(root)) if root else str(path)
    return scan_html(path.read_text(encoding="utf-8", errors="replace"), participant_ids,
                     threshold, source=source)


def scan_reports(folder: str | Path, participant_ids: Iterable[str] = (),
                 threshold: int = 5) -> list[Finding]:
    """Every ``*.html`` file under a reports folder, in path order."""
    folder = Path(folder)
    ids = list(participant_ids)
    findings: list[Finding] = []
    for path in sorted(folder.rglob("*.html")):
        findings.extend(scan_file(path, ids, threshold, root=folder))
    return findings
