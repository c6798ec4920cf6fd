"""Taguette exports: highlights (CSV or XLSX) and the codebook (CSV; the ``.qdc`` is REFI-QDA).

Taguette (taguette.org, versions 1.x) exports all highlights as a table with the columns
``id, document, tag, content``: one row per highlight and tag, so a highlight with two tags is
two rows with the same ``id``; a highlight without tags is left out. Tags are paths whose dots
make the hierarchy (``restorative_space.container`` is a child of ``restorative_space``). The
codebook CSV has ``tag, description, number of highlights, number of documents``. Taguette
records no coder in these exports: codings get the coder ``taguette`` unless the caller names one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException

from helpers.qda.model import CODING_COLUMNS, SEGMENT_COLUMNS, CodeTree, QdaData, short_hash, split_path
from helpers.qda.safety import QdaError, check_zip_file

HIGHLIGHT_COLUMNS = ("id", "document", "tag", "content")
CODEBOOK_COLUMNS = ("tag", "description")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8, BOM allowed, separator sniffed) or the first sheet of an XLSX, as text.

    An XLSX is a zip of XML: it passes the zip guards of :mod:`helpers.qda.safety` first, and
    openpyxl then parses its XML through defusedxml (which it uses whenever it is installed).
    """
    if path.suffix.lower() == ".xlsx":
        check_zip_file(path, path.name)
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as err:  # openpyxl raises many types for a broken workbook
            cause = err
            while cause is not None and not isinstance(cause, DefusedXmlException):
                cause = cause.__cause__ or cause.__context__
            if cause is not None:
                raise QdaError(f"{path.name}: refused, the workbook's XML declares a DTD, entities "
                               f"or external references ({type(cause).__name__})") from err
            raise QdaError(f"{path.name}: cannot read the workbook ({err})") from err
    else:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                                encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            raise QdaError(f"{path.name}: not UTF-8 text ({err})") from err
        except (pd.errors.ParserError, ValueError) as err:
            raise QdaError(f"{path.name}: not a readable CSV table ({err})") from err
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def is_highlights(frame: pd.DataFrame) -> bool:
    return set(HIGHLIGHT_COLUMNS) <= set(frame.columns)


def is_codebook(frame: pd.DataFrame) -> bool:
    return set(CODEBOOK_COLUMNS) <= set(frame.columns) and "content" not in frame.columns


def read_highlights(frame: pd.DataFrame, coder_id: str = "taguette") -> QdaData:
    """Segments, codes and codings from Taguette's highlight table.

    Segment ids hash the document name, highlight id and text, so they are stable across
    re-exports of the same project.
    """
    tree = CodeTree()
    segments, codings = {}, []
    for row in frame.itertuples(index=False):
        rec = row._asdict()
        hid, doc, tag, content = (str(rec[c]).strip() for c in HIGHLIGHT_COLUMNS)
        if not hid or not doc:
            continue
        seg_id = "tg-" + short_hash(doc, hid, content)
        segments.setdefault(seg_id, {"segment_id": seg_id, "source_id": doc,
                                     "source_type": "interview", "participant_id": "",
                                     "wave": "", "text": str(rec["content"])})
        if tag:
            code_id = tree.add(split_path(tag, (".",)))
            codings.append({"segment_id": seg_id, "code_id": code_id, "coder_id": coder_id})
    return QdaData(segments=pd.DataFrame(list(segments.values()), columns=SEGMENT_COLUMNS),
                   codes=tree.frame(),
                   codings=pd.DataFrame(codings, columns=CODING_COLUMNS).drop_duplicates(),
                   origin="Taguette", kind="Taguette highlights")


def read_codebook_table(frame: pd.DataFrame) -> QdaData:
    """Codes (with descriptions) from Taguette's codebook CSV/XLSX."""
    tree = CodeTree()
    for tag, description in zip(frame["tag"], frame["description"]):
        if str(tag).strip():
            tree.add(split_path(str(tag), (".",)), str(description or ""))
    return QdaData(codes=tree.frame(), origin="Taguette", kind="Taguette codebook")
