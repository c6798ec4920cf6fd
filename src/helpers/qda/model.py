"""What every QDA reader returns: the segments, codes and codings tables of a dataset.

Ids are derived from the file's own content, never from the time or a counter, so reading the
same export twice gives the same rows and an import is idempotent:

- ``code_id``: the code's path in the hierarchy, each label slugged and joined with ``.``
  (``restorative_space.container``), so the same codebook exported by two tools (or Taguette's
  highlights and its codebook) lands on the same ids;
- ``segment_id``: the selection's GUID in REFI-QDA files, else a short hash of what identifies
  the segment in the source format.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

SEGMENT_COLUMNS = ["segment_id", "source_id", "source_type", "participant_id", "wave", "text"]
CODE_COLUMNS = ["code_id", "label", "parent_id", "description"]
CODING_COLUMNS = ["segment_id", "code_id", "coder_id"]


@dataclass
class QdaData:
    """The tables read from one QDA file, plus what the import should tell the user."""

    segments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SEGMENT_COLUMNS))
    codes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CODE_COLUMNS))
    codings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CODING_COLUMNS))
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)
    users: pd.DataFrame = field(default_factory=pd.DataFrame)
    origin: str = ""
    kind: str = ""
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.kind} ({self.origin or 'unknown software'}): {len(self.codes)} codes, "
                f"{len(self.segments)} segments, {len(self.codings)} codings")


def slug(label: str) -> str:
    """A code label as an id part: lower case ASCII letters, digits and underscores."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    return text or "code"


def short_hash(*parts: object, length: int = 12) -> str:
    """A stable short hex digest of the parts (sha256), for ids of rows without a GUID."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


def normalise_guid(guid: str | None) -> str:
    """A REFI-QDA GUID in one spelling: lower case, without braces."""
    return str(guid or "").strip().strip("{}").lower()


class CodeTree:
    """Builds the codes table from labels and paths, giving each code its path id."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def add(self, path: list[str], description: str = "") -> str:
        """Add a code by its label path (parents first, created as needed); returns its id."""
        parent_id = ""
        code_id = ""
        for depth, label in enumerate(path):
            label = str(label).strip()
            code_id = f"{parent_id}.{slug(label)}" if parent_id else slug(label)
            if code_id not in self.rows:
                self.rows[code_id] = {"code_id": code_id, "label": label, "parent_id": parent_id,
                                      "description": ""}
            parent_id = code_id
        if description and not self.rows[code_id]["description"]:
            self.rows[code_id]["description"] = str(description).strip()
        return code_id

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows.values()), columns=CODE_COLUMNS)


def split_path(name: str, separators: tuple[str, ...]) -> list[str]:
    """Split a flattened code name (ATLAS.ti ``Group::Code``, Taguette ``a.b``) into labels."""
    parts = [str(name)]
    for sep in separators:
        parts = [p for part in parts for p in part.split(sep)]
    parts = [p.strip() for p in parts]
    return [p for p in parts if p] or [str(name).strip()]
