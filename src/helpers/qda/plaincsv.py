"""A plain table of coded segments, for tools without REFI-QDA export (or for hand coding).

One row per segment and coder (CSV or XLSX), columns:

=================  ===========================================================================
``text``           the segment text (required)
``source_id``      interview or document id (required)
``code``           code label(s): several separated by ``;``; a hierarchy written
                   ``Theme::Code`` (or give the theme in a ``theme`` column)
``segment_id``     optional: stable id; else a hash of source, text and position in the file
``participant_id`` ``source_type`` ``wave``  optional, as in the segments table
``coder_id``       optional, default ``coder1``
``description``    optional description of the (single) code
=================  ===========================================================================

A segment coded by two coders is two rows with the same ``segment_id`` (or the same source and
text), one per coder: that is how the double-coded subset for reliability is supplied.
"""

from __future__ import annotations

import pandas as pd

from helpers.qda.model import CODING_COLUMNS, SEGMENT_COLUMNS, CodeTree, QdaData, short_hash, split_path
from helpers.qda.safety import QdaError

REQUIRED = ("text", "source_id", "code")


def is_plain(frame: pd.DataFrame) -> bool:
    return set(REQUIRED) <= set(frame.columns)


def read_plain(frame: pd.DataFrame) -> QdaData:
    """Segments, codes and codings from a plain segments table (see the module docstring)."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise QdaError(f"the segments table lacks the column(s) {', '.join(missing)}")
    tree = CodeTree()
    segments, codings = {}, []
    get = lambda rec, col, default="": str(rec.get(col, default) or default).strip()  # noqa: E731
    for rec in frame.to_dict("records"):
        text = str(rec.get("text", "") or "")
        source = get(rec, "source_id")
        if not text.strip() or not source:
            continue
        seg_id = get(rec, "segment_id") or "seg-" + short_hash(source, text)
        segments.setdefault(seg_id, {
            "segment_id": seg_id, "source_id": source,
            "source_type": get(rec, "source_type", "interview") or "interview",
            "participant_id": get(rec, "participant_id"), "wave": get(rec, "wave"), "text": text})
        theme = get(rec, "theme")
        labels = [c for c in get(rec, "code").split(";") if c.strip()]
        for label in labels:
            path = ([theme] if theme else []) + split_path(label, ("::",))
            code_id = tree.add(path, get(rec, "description") if len(labels) == 1 else "")
            codings.append({"segment_id": seg_id, "code_id": code_id,
                            "coder_id": get(rec, "coder_id", "coder1") or "coder1"})
    return QdaData(segments=pd.DataFrame(list(segments.values()), columns=SEGMENT_COLUMNS),
                   codes=tree.frame(),
                   codings=pd.DataFrame(codings, columns=CODING_COLUMNS).drop_duplicates(),
                   origin="plain table", kind="segments table")
