"""REFI-QDA projects (``.qdpx``, ``.qde``) and codebooks (``.qdc``).

The REFI-QDA standard (Rotterdam Exchange Format Initiative, Project.xsd of 18 March 2019,
namespace ``urn:QDA-XML:project:1.0``; Codebook.xsd, ``urn:QDA-XML:codebook:1.0``) is what NVivo,
ATLAS.ti, MAXQDA, QualCoder, Transana and Taguette export. What is read:

- ``Users/User`` (guid, name, id): the coder of each ``Coding`` is its ``creatingUser``, shown
  as the user's ``id``, else ``name``, else the GUID;
- ``CodeBook/Codes/Code`` nested to any depth (codebook namespace ``urn:QDA-XML:codebook:1.0``,
  or ``urn:QDA-XML:codebook:1:0`` as NVivo 12 for Mac writes it) (``Description`` kept); ATLAS.ti writes a flat
  list with ``Group::Code`` names, turned back into a hierarchy here (Taguette's codebook does
  the same with dots);
- ``Sources/TextSource`` (and a ``PDFSource``'s text ``Representation``) with ``PlainTextContent``
  or ``plainTextPath``: ``internal://`` inside the ``.qdpx``, whose folder and file names are
  matched case-insensitively; ``relative://`` inside the archive too, or, for a bare ``.qde``,
  inside its own folder; ``absolute://`` and anything leading out are refused (:class:`_Files`);
- ``PlainTextSelection`` (``startPosition``/``endPosition``) with its ``Coding/CodeRef``; the
  segment text is cut from the source text; a ``Coding`` directly on a source codes all of it.
  Selections of exactly the same span (two coders each selecting the passage, as NVivo and
  MAXQDA export them) become one segment, so double coding is seen by the reliability
  statistics; overlapping selections with different ends stay separate segments;
- ``Cases`` (``SourceRef``, ``SelectionRef``, ``VariableValue``) and ``Variables``: a case's
  ``participant_id`` variable (else its name) becomes the segments' participant_id, and
  variables called ``wave`` or ``source_type`` fill those columns.

Selection offsets are character positions in the plain text, but tools count characters
differently. NVivo (a .NET program) counts UTF-16 code units on the text with its byte order
mark removed, so every character outside the Basic Multilingual Plane (an emoji) counts twice;
QualCoder and most others count Unicode code points. The unit is chosen per source from the
file's ``origin`` (NVivo: UTF-16) and then checked against the selections' ``name`` attributes,
which most tools fill with the start of the selected text: the unit under which the most names
match the cut text wins. Line ends are never normalised before counting (a CRLF is two
characters), unless that check shows the tool counted it as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pandas as pd

from helpers.data.codebook import MAX_DEPTH
from helpers.qda.model import (CODING_COLUMNS, SEGMENT_COLUMNS, CodeTree, QdaData,
                               normalise_guid, short_hash, split_path)
from helpers.qda.safety import MAX_MEMBER_BYTES, QdaError, SafeZip, member_escapes, parse_xml

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
#: NVivo 12 for Mac (and programs that copied it) write the codebook namespace with a colon.
NS_CODEBOOK_COLON = "urn:QDA-XML:codebook:1:0"
UNITS = ("codepoint", "utf16", "codepoint_lf", "codepoint_crlf", "utf8")
SOURCE_TYPES = ("interview", "focus_group", "free_text")
WAVES = ("baseline", "post", "follow_up", "retrospective_pre")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _child(el, name: str):
    found = _children(el, name)
    return found[0] if found else None


def _text(el) -> str:
    return "" if el is None else "".join(el.itertext())


# --- offsets ------------------------------------------------------------------------------

def decode_text(data: bytes, what: str) -> str:
    """Decode a source's plain text, dropping the byte order mark (it is not text)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise QdaError(f"{what}: the text is neither UTF-8, UTF-16 nor Windows-1252") from err


def cut(text: str, start: int, end: int, unit: str) -> str | None:
    """The text between two positions counted in ``unit``; None when out of range.

    ``codepoint``: Unicode code points (Python indices); ``utf16``: UTF-16 code units (NVivo);
    ``codepoint_lf``: code points after CRLF -> LF; ``codepoint_crlf``: code points with every
    line end counted as CRLF (inline text whose CRLF the XML parser normalised to LF);
    ``utf8``: UTF-8 bytes (Taguette's own).
    """
    if start < 0 or end < start:
        return None
    if unit == "codepoint":
        return text[start:end] if end <= len(text) else None
    if unit == "codepoint_lf":
        flat = text.replace("\r\n", "\n")
        return flat[start:end] if end <= len(flat) else None
    if unit == "codepoint_crlf":  # the tool counted CRLF line ends the XML parser turned into LF
        wide = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return wide[start:end].replace("\r\n", "\n") if end <= len(wide) else None
    if unit == "utf16":
        data = text.encode("utf-16-le")
        if 2 * end > len(data):
            return None
        return data[2 * start:2 * end].decode("utf-16-le", errors="replace")
    if unit == "utf8":
        data = text.encode("utf-8")
        if end > len(data):
            return None
        return data[start:end].decode("utf-8", errors="replace")
    raise ValueError(f"unknown offset unit {unit!r}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _name_matches(name: str, piece: str | None) -> bool:
    if piece is None:
        return False
    a, b = _squash(name).rstrip(".…"), _squash(piece)
    if not a or not b:
        return False
    n = min(len(a), len(b), 40)
    return n >= 3 and a[:n] == b[:n]


def choose_unit(text: str, selections: list[tuple[int, int, str]], origin: str) -> str:
    """Pick how a tool counted positions in one source.

    Parameters
    ----------
    text : the source's plain text (BOM removed, line ends as stored).
    selections : (start, end, name) of the source's selections.
    origin : the project's ``origin`` attribute (the exporting software).

    Returns
    -------
    One of :data:`UNITS`: the tool's default (UTF-16 for NVivo, else code points) unless the
    selections' names match the cut text better under another unit.
    """
    primary = "utf16" if "nvivo" in origin.lower() else "codepoint"
    order = [primary] + [u for u in UNITS if u != primary]
    named = [(s, e, n) for s, e, n in selections if n and not re.fullmatch(r"[\d\s,.:;-]*", n)]
    scores = {}
    for unit in order:
        pieces = [cut(text, s, e, unit) for s, e, _ in selections]
        if any(p is None for p in pieces):
            scores[unit] = -1
            continue
        scores[unit] = sum(_name_matches(n, cut(text, s, e, unit)) for s, e, n in named)
    best = max(order, key=lambda u: (scores[u], -order.index(u)))
    return best if scores[best] > scores[primary] else primary


# --- files --------------------------------------------------------------------------------

def _base_escapes(base_path: str) -> bool:
    """True when a project's basePath is absolute (any OS, or a ``//host`` or ``file:`` URL)
    or climbs with ``..``: a base outside the project, never resolved on this machine."""
    if not base_path:
        return False
    text = unquote(base_path.split("://", 1)[-1]) if "://" in base_path else base_path
    if text.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", text):
        return True
    return member_escapes(text.replace("\\", "/"))


class _Files:
    """Where ``plainTextPath`` URLs may point: the archive's members, or (for a bare ``.qde``)
    files in the project's own folder. Nothing else on this machine is ever read.

    A received project is untrusted: ``absolute:///home/x/notes.txt`` or a ``relative://`` path
    under ``basePath="/etc"`` would copy a local file into the dataset and then into published
    reports. So ``absolute://`` is refused; ``relative://`` is looked up inside the archive
    (its basePath names a folder on the exporter's machine), or for a bare ``.qde`` inside its
    folder when basePath is empty or relative and inside that folder; a path that climbs out,
    or a symbolic link leading out, is refused. Every refusal names the source, its
    plainTextPath and the line of the project file.
    """

    def __init__(self, zipped: SafeZip | None, base_dir: Path, base_path: str, xml: bytes = b""):
        self.zip = zipped
        self.base_dir = base_dir
        self.base_path = base_path
        self.xml = xml

    def where(self, url: str, what: str) -> str:
        """``what`` with the line of the project file that holds ``url``, when it can be found."""
        for needle in (url, url.replace("&", "&amp;")):
            at = self.xml.find(needle.encode("utf-8"))
            if at >= 0:
                line = self.xml.count(b"\n", 0, at) + 1
                return f"{what} (line {line})"
        return what

    def refuse(self, url: str, what: str, why: str) -> QdaError:
        return QdaError(f"{self.where(url, what)}: plainTextPath {url!r} refused: {why}; a source "
                        "must be inside the .qdpx archive (export the project as .qdpx with its "
                        "sources embedded)")

    def read(self, url: str, what: str) -> bytes:
        scheme, _, rest = url.partition("://")
        scheme = scheme.lower()
        rest = unquote(rest)
        if scheme == "internal":
            if self.zip is None:
                raise QdaError(f"{self.where(url, what)}: internal:// path {url!r} needs the .qdpx "
                               "archive, not a bare .qde file")
            name = self.zip.find_basename(rest.lstrip("/"))
            if name is None:
                raise QdaError(f"{self.where(url, what)}: {url!r} is not in the archive")
            return self.zip.read(name)
        if scheme == "absolute":
            raise self.refuse(url, what, "absolute:// names a file on this machine, outside the "
                                         "archive")
        if scheme != "relative":
            raise QdaError(f"{self.where(url, what)}: unknown path scheme in {url!r} "
                           "(internal://, relative://, absolute://)")
        rel = rest.replace("\\", "/").lstrip("/")
        if not rel or member_escapes(rel):
            raise self.refuse(url, what, "the path climbs out of the project")
        if self.zip is not None:
            base = "" if _base_escapes(self.base_path) else self.base_path.strip("/")
            name = (self.zip.find(f"{base}/{rel}") if base else None) or self.zip.find(rel) \
                or self.zip.find_basename(PurePosixPath(rel).name)
            if name is None:
                raise self.refuse(url, what, "no such file in the archive, and files outside it are "
                                             "never read")
            return self.zip.read(name)
        if _base_escapes(self.base_path):
            raise self.refuse(url, what, f"basePath {self.base_path!r} lies outside the project "
                                         "folder")
        root = self.base_dir.resolve()
        path = (root / self.base_path.strip("/") / rel) if self.base_path else root / rel
        if not path.resolve().is_relative_to(root):
            raise self.refuse(url, what, "it leads out of the project folder (a symbolic link)")
        if not path.is_file():
            raise QdaError(f"{self.where(url, what)}: source text {url!r} not found at {path}")
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise QdaError(f"{what}: source text {path} is too large")
        return path.read_bytes()


# --- reading ------------------------------------------------------------------------------

def _codes(parent, tree: CodeTree, guid_to_id: dict, path: list[str], flat_separators: tuple[str, ...],
           what: str = "codebook"):
    """Add the nested <Code> elements under ``parent`` to ``tree``, depth first and in document
    order, with an explicit stack: a received file nested thousands deep must give a clear
    refusal, not exhaust Python's recursion limit. A code more than
    :data:`helpers.data.codebook.MAX_DEPTH` levels below its theme is refused, as in codes.csv."""
    stack = [(code, path) for code in reversed(_children(parent, "Code"))]
    while stack:
        code, above = stack.pop()
        name = code.get("name") or code.get("guid") or "code"
        labels = split_path(name, flat_separators) if not above else [name]
        here = above + labels
        if len(here) - 1 > MAX_DEPTH:
            raise QdaError(f"{what}: <Code name={name!r}> is {len(here) - 1} levels below its theme "
                           f"{here[0]!r}; expected a code at most {MAX_DEPTH} levels below its theme")
        description = _text(_child(code, "Description")).strip()
        code_id = tree.add(here, description)
        if code.get("guid"):
            guid_to_id[normalise_guid(code.get("guid"))] = code_id
        stack.extend((child, here) for child in reversed(_children(code, "Code")))


def _separators(origin: str) -> tuple[str, ...]:
    return ("::", ".") if origin.lower().startswith("taguette") else ("::",)


def read_codebook_root(root, what: str) -> QdaData:
    """Codes from a ``CodeBook`` root (``.qdc``)."""
    origin = root.get("origin", "")
    codes_el = _child(root, "Codes")
    if codes_el is None:
        raise QdaError(f"{what}: a REFI-QDA codebook needs a <Codes> element")
    tree, guids = CodeTree(), {}
    _codes(codes_el, tree, guids, [], _separators(origin), what)
    return QdaData(codes=tree.frame(), origin=origin, kind="REFI-QDA codebook")


def _variables(root) -> dict[str, str]:
    variables = _child(root, "Variables")
    if variables is None:
        return {}
    return {normalise_guid(v.get("guid")): v.get("name", "") for v in _children(variables, "Variable")}


def _variable_values(el, names: dict[str, str]) -> dict[str, str]:
    out = {}
    for vv in _children(el, "VariableValue"):
        ref = _child(vv, "VariableRef")
        name = names.get(normalise_guid(ref.get("targetGUID") if ref is not None else ""), "")
        values = [c for c in vv if _local(c.tag) != "VariableRef"]
        if name and values:
            out[name.strip().lower()] = _text(values[0]).strip()
    return out


def _choice(value: str | None, choices: tuple[str, ...]) -> str:
    key = re.sub(r"[\s-]+", "_", str(value or "").strip().lower())
    for c in choices:
        if c.lower() == key:
            return c
    return ""


#: Two coders' selections of one source are one unit when they overlap by at least this share
#: of the text either covers (intersection over union of their character spans).
DEFAULT_MIN_OVERLAP = 0.9


@dataclass
class Unit:
    """A segment kept for a source: its span, id and the coders who coded it."""

    start: int
    end: int
    segment_id: str
    coders: set


def span_overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character spans ``[start, end)``: 1 for the same span,
    0 for spans that do not meet."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return max(inter, 0) / union if union > 0 else float(a == b)


def coding_user(coding, fallback_user: str | None) -> str:
    """The user who made a Coding: its own creatingUser, else the selection's (normalised)."""
    return normalise_guid(coding.get("creatingUser") or fallback_user)


def selection_coders(sel) -> set:
    """The users who coded a selection (each Coding's creatingUser, else the selection's)."""
    return {coding_user(c, sel.get("creatingUser")) for c in _children(sel, "Coding")}


def matching_unit(units: list[Unit], start: int, end: int, coders: set,
                  min_overlap: float = DEFAULT_MIN_OVERLAP) -> Unit | None:
    """The kept unit a new selection belongs to, or None when it starts a unit of its own.

    Two coders rarely select exactly the same characters, so a double-coded passage exported by
    NVivo, ATLAS.ti or MAXQDA is often two selections a few characters apart. Kappa and alpha on
    codes (:mod:`helpers.reliability`) need units that both coders coded, so near-identical
    selections are paired into one unit, as MAXQDA's segment-level intercoder agreement pairs
    segments that overlap by at least a set percentage (VERBI, MAXQDA manual, "Intercoder
    agreement"). Agreement on the boundaries themselves is a different question (Krippendorff's
    unitizing alpha, Krippendorff 2019 ch. 12) that this does not answer. Rules:
    the same span is always the same unit; otherwise the unit with the largest overlap
    (intersection over union, :func:`span_overlap`) of at least ``min_overlap``, provided none
    of the new selection's coders already coded it (one coder's two selections are two units).
    """
    best, best_overlap = None, 0.0
    for unit in units:
        if (unit.start, unit.end) == (start, end):
            return unit
        share = span_overlap((unit.start, unit.end), (start, end))
        if share >= min_overlap and share > best_overlap and not (coders & unit.coders):
            best, best_overlap = unit, share
    return best


def read_project_root(root, what: str, files: _Files,
                      min_overlap: float = DEFAULT_MIN_OVERLAP) -> QdaData:
    """Segments, codes and codings from a ``Project`` root (``.qde`` / inside ``.qdpx``);
    selections are grouped into units by :func:`matching_unit`."""
    origin = root.get("origin", "")
    data = QdaData(origin=origin, kind="REFI-QDA project")
    users = {}
    for u in _children(_child(root, "Users") if _child(root, "Users") is not None else [], "User"):
        users[normalise_guid(u.get("guid"))] = u.get("id") or u.get("name") or normalise_guid(u.get("guid"))
    data.users = pd.DataFrame({"guid": list(users), "coder_id": list(users.values())})

    tree, guid_to_code = CodeTree(), {}
    book = _child(root, "CodeBook")
    if book is not None and _child(book, "Codes") is not None:
        _codes(_child(book, "Codes"), tree, guid_to_code, [], _separators(origin), what)
    data.codes = tree.frame()

    var_names = _variables(root)
    case_rows, source_case, selection_case = [], {}, {}
    cases_el = _child(root, "Cases")
    for case in _children(cases_el, "Case") if cases_el is not None else []:
        values = _variable_values(case, var_names)
        name = case.get("name") or normalise_guid(case.get("guid"))
        row = {"case_guid": normalise_guid(case.get("guid")), "name": name,
               "participant_id": values.get("participant_id") or name,
               "wave": _choice(values.get("wave"), WAVES),
               "source_type": _choice(values.get("source_type"), SOURCE_TYPES),
               "variables": values}
        case_rows.append(row)
        for ref in _children(case, "SourceRef"):
            source_case.setdefault(normalise_guid(ref.get("targetGUID")), []).append(row)
        for ref in _children(case, "SelectionRef"):
            selection_case[normalise_guid(ref.get("targetGUID"))] = row
    data.cases = pd.DataFrame(case_rows)

    segments, codings, seen_names = [], [], set()
    sources = _child(root, "Sources")
    for el in list(sources) if sources is not None else []:
        kind = _local(el.tag)
        if kind == "PDFSource" and _child(el, "Representation") is not None:
            rep = _child(el, "Representation")  # the PDF's text, a TextSourceType
            rep.set("name", el.get("name") or rep.get("name") or "")
            rep.set("guid", rep.get("guid") or el.get("guid") or "")
            el = rep
        elif kind != "TextSource":
            data.warnings.append(f"{kind} {el.get('name', '')!r} skipped: only text sources are imported")
            continue
        guid = normalise_guid(el.get("guid"))
        label = el.get("name") or guid
        source_id = label if label not in seen_names else f"{label} ({guid[:8]})"
        seen_names.add(label)
        content = _child(el, "PlainTextContent")
        if content is not None:
            text = _text(content).lstrip("\ufeff")
        elif el.get("plainTextPath"):
            text = decode_text(files.read(el.get("plainTextPath"), f"{what}: source {label!r}"),
                               f"{what}: source {label!r}")
        else:
            data.warnings.append(f"source {label!r} has no plain text: skipped")
            continue
        src_vars = _variable_values(el, var_names)
        src_cases = source_case.get(guid, [])
        src_case = src_cases[0] if len(src_cases) == 1 else None
        selections = _children(el, "PlainTextSelection")
        spans = []
        for sel in selections:
            try:
                spans.append((int(sel.get("startPosition")), int(sel.get("endPosition")),
                              sel.get("name") or ""))
            except (TypeError, ValueError) as err:
                raise QdaError(f"{what}: selection {sel.get('guid')!r} in {label!r} has no valid "
                               "startPosition/endPosition") from err
        unit = choose_unit(text, spans, origin)

        def _segment(seg_id, seg_text, case_row):
            row = case_row or src_case or {}
            segments.append({
                "segment_id": seg_id, "source_id": source_id,
                "source_type": (_choice(src_vars.get("source_type"), SOURCE_TYPES)
                                or row.get("source_type") or
                                ("focus_group" if "focus" in label.lower() else "interview")),
                "participant_id": row.get("participant_id", "") if (case_row or src_case) else "",
                "wave": _choice(src_vars.get("wave"), WAVES) or row.get("wave", ""),
                "text": seg_text})

        def _codings(seg_id, parent_el, fallback_user):
            for coding in _children(parent_el, "Coding"):
                ref = _child(coding, "CodeRef")
                code_guid = normalise_guid(ref.get("targetGUID") if ref is not None else "")
                code_id = guid_to_code.get(code_guid)
                if code_id is None:
                    data.warnings.append(f"coding of an unknown code {code_guid!r} skipped")
                    continue
                user = coding_user(coding, fallback_user)
                codings.append({"segment_id": seg_id, "code_id": code_id,
                                "coder_id": users.get(user, user or "unknown")})

        units: list[Unit] = []  # the segments kept for this source, with their coders
        for sel, (start, end, _) in zip(selections, spans):
            seg_id = normalise_guid(sel.get("guid")) or short_hash(guid, start, end)
            coders = selection_coders(sel)
            match = matching_unit(units, start, end, coders, min_overlap)
            if match is not None:  # another coder's selection of the same passage
                _codings(match.segment_id, sel, sel.get("creatingUser"))
                match.coders |= coders
                continue
            units.append(Unit(start, end, seg_id, set(coders)))
            piece = cut(text, start, end, unit)
            if piece is None:
                raise QdaError(f"{what}: selection {start}-{end} lies outside source {label!r} "
                               f"({len(text)} characters)")
            _segment(seg_id, piece, selection_case.get(normalise_guid(sel.get("guid"))))
            _codings(seg_id, sel, sel.get("creatingUser"))
        if _children(el, "Coding"):
            seg_id = f"{guid}-all"
            _segment(seg_id, text, None)
            _codings(seg_id, el, el.get("creatingUser"))
    data.segments = pd.DataFrame(segments, columns=SEGMENT_COLUMNS)
    data.codings = pd.DataFrame(codings, columns=CODING_COLUMNS).drop_duplicates()
    return data


def _root(data: bytes, what: str):
    root = parse_xml(data, what)
    name, ns = _local(root.tag), _ns(root.tag)
    expected = {"Project": NS_PROJECT, "CodeBook": NS_CODEBOOK}
    if name not in expected:
        raise QdaError(f"{what}: not a REFI-QDA file (root element <{name}>, expected <Project> "
                       "or <CodeBook>)")
    if ns not in ("", expected[name], NS_PROJECT, NS_CODEBOOK, NS_CODEBOOK_COLON):
        raise QdaError(f"{what}: unknown namespace {ns!r} (expected {expected[name]})")
    return root


def read_refi(path: str | Path, min_overlap: float = DEFAULT_MIN_OVERLAP) -> QdaData:
    """Read a REFI-QDA ``.qdpx`` archive, ``.qde`` project or ``.qdc`` codebook.

    ``min_overlap``: two coders' selections overlapping by at least this share of their joint
    span are one double-coded segment (see :func:`matching_unit`).

    Raises
    ------
    QdaError
        for a malformed or hostile file, with a message naming the file and the problem.
    """
    path = Path(path)
    what = path.name
    zipped = None
    if path.suffix.lower() == ".qdpx":
        zipped = SafeZip(path, what)
        names = [n for n in zipped.names() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
        name = zipped.find("project.qde") or (sorted(names)[0] if names else None)
        if name is None:
            raise QdaError(f"{what}: no project.qde inside the .qdpx archive")
        data = zipped.read(name)
        what = f"{path.name}:{name}"
    else:
        data = path.read_bytes()
    root = _root(data, what)
    if _local(root.tag) == "CodeBook":
        return read_codebook_root(root, what)
    files = _Files(zipped, path.parent, root.get("basePath", ""), data)
    return read_project_root(root, what, files, min_overlap)
