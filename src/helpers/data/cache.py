"""A typed columnar cache of validated datasets: parquet files keyed by content hash.

``load_dataset`` stores the validated, typed tables under ``$LEADEVAL_CACHE_DIR`` (default
``~/.cache/leadeval``) in ``datasets/<key>/<table>.parquet``. The key is a SHA-256 over the
dataset's content hash, the cache format version, the code that reads and checks a dataset
(:func:`rules_fingerprint`) and a fingerprint of the pseudonymisation key, so changed content,
stricter checks (a dataset refused by a newer leadeval) or another key can never be served from
an old entry. An entry is written
to a temporary folder and renamed into place (an atomic rename on POSIX), so a reader sees a
whole entry or none. Entries hold personal data: the folders are created private (0700).
Any cache failure (unwritable folder, damaged entry) falls back to reading the files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from helpers.data.errors import Problem

FORMAT_VERSION = "1"
_DONE = "complete"
#: The date warnings found in an entry's tables (a function of the tables and their file
#: names, both covered by the key), so that a load from the cache need not look again.
_WARNINGS = "date-warnings.json"


def cache_root() -> Path:
    """``$LEADEVAL_CACHE_DIR`` or ``~/.cache/leadeval``."""
    return Path(os.environ.get("LEADEVAL_CACHE_DIR") or Path.home() / ".cache" / "leadeval")


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """SHA-256 of the source of the modules that read, type and check a dataset: this package's
    own modules, the YAML loader and the report layout whose names ids may not take."""
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + [here.parent / "safeyaml.py",
                                         here.parent / "runner" / "layout.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(content_hash: str, key_fingerprint: str) -> str:
    """The entry name for a dataset content, checking code and pseudonymisation key."""
    text = f"{FORMAT_VERSION}\0{content_hash}\0{rules_fingerprint()}\0{key_fingerprint}".encode()
    return hashlib.sha256(text).hexdigest()


def single_chunk(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every Arrow-backed column held as one contiguous chunk.

    A parquet read gives each text column in pieces of 128 Ki rows (54 for the 7 million
    answers of a national dataset). Taking a few rows out of a chunked column costs as much as
    taking them all (0.31 s for 2,000 answers, against 0.003 s from one chunk), and every
    cohort report takes its cohort's rows out of the kept dataset. So the pieces are joined
    once, when the tables are loaded. Values and dtypes are unchanged.
    """
    out = {}
    for name in df.columns:
        col = df[name]
        chunks = getattr(col.array, "_pa_array", None)
        if chunks is not None and getattr(chunks, "num_chunks", 1) > 1:
            col = pd.Series(pd.array(chunks.combine_chunks(), dtype=col.dtype), index=col.index,
                            name=name)
        out[name] = col
    return pd.DataFrame(out, index=df.index) if out else df


def read_cached(key: str) -> dict[str, pd.DataFrame] | None:
    """The cached tables for ``key``, or None when absent or unreadable."""
    folder = cache_root() / "datasets" / key
    if not (folder / _DONE).is_file():
        return None
    try:
        names = (folder / _DONE).read_text(encoding="utf-8").split()
        return {name: single_chunk(pd.read_parquet(folder / f"{name}.parquet")) for name in names}
    except Exception:  # a damaged entry is ignored and rebuilt  # noqa: BLE001
        return None


def read_warnings(key: str) -> list[Problem] | None:
    """The date warnings stored with entry ``key``; None when none were stored or unreadable."""
    try:
        rows = json.loads((cache_root() / "datasets" / key / _WARNINGS).read_text(encoding="utf-8"))
        return [Problem(*row) for row in rows]
    except (OSError, ValueError, TypeError):
        return None


def write_cached(key: str, tables: dict[str, pd.DataFrame], warnings: list[Problem] = ()) -> bool:
    """Store ``tables`` and their date ``warnings`` under ``key`` atomically; False when the
    cache cannot be written. Warnings are stored when their values are plain (text, numbers);
    otherwise the entry has none, and a load reads the files again to find them."""
    datasets = cache_root() / "datasets"
    final = datasets / key
    if final.exists():
        return True
    tmp = None
    try:
        datasets.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=datasets))
        for name, df in tables.items():
            df.reset_index(drop=True).to_parquet(tmp / f"{name}.parquet", index=False)
        try:
            rows = json.dumps([dataclasses.astuple(w) for w in warnings], allow_nan=False)
            (tmp / _WARNINGS).write_text(rows, encoding="utf-8")
        except (TypeError, ValueError):
            pass
        (tmp / _DONE).write_text("\n".join(tables), encoding="utf-8")
        os.rename(tmp, final)
        return True
    except OSError:
        return final.exists()
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
