"""Input hashes that decide whether a job must run again (no papermill, nbconvert or pandas).

A job's input hash covers its notebook without outputs, its parameters, the dataset's content,
the code of the ``helpers`` package and the leadeval version. jupyter-cache and Quarto's freeze
hash only the notebook, so they miss changed data; this hash does not.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from helpers import __version__

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def notebook_hash(nb: dict) -> str:
    """Hash of a notebook's cell types, sources and tags: outputs, counts and metadata ignored."""
    cells = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        cells.append([cell.get("cell_type"), "".join(source) if isinstance(source, list) else source,
                      sorted(cell.get("metadata", {}).get("tags") or [])])
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return hashlib.sha256(canonical_json([kernel, cells]).encode()).hexdigest()


def _files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Regular files under ``root``. A FIFO or device (or a link to one, such as /dev/zero)
    would never finish reading, and a link out of ``root`` is not part of it (the loader
    refuses a table that is one), so both are left out."""
    out = []
    inside = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        for name in filenames:
            if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                continue
            path = Path(dirpath) / name
            if path.is_file() and path.resolve().is_relative_to(inside):
                out.append(path)
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def tree_hash(root: str | Path, suffixes: tuple[str, ...] | None = None,
              cache: dict | None = None) -> str:
    """Hash of every non-hidden file under ``root`` (relative path and content), sorted by path.

    Parameters
    ----------
    root : path
    suffixes : tuple of str, optional
        Only files ending with one of these.
    cache : dict, optional
        ``{absolute path: [size, mtime_ns, sha256]}``, read and updated, so unchanged large files
        are not read again (the same rule as make and rsync's quick check: size and mtime).
    """
    root = Path(root)
    h = hashlib.sha256()
    for path in _files(root, suffixes):
        st = path.stat()
        key = str(path)
        entry = cache.get(key) if cache is not None else None
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            digest = entry[2]
        else:
            digest = sha256_file(path)
            if cache is not None:
                cache[key] = [st.st_size, st.st_mtime_ns, digest]
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + digest.encode() + b"\n")
    return h.hexdigest()


def dataset_hash(path: str | Path, cache: dict | None = None) -> str:
    """Content hash of a dataset folder: dataset.yaml and every table file, sorted by name."""
    return tree_hash(path, None, cache)


def code_hash() -> str:
    """Hash of the ``helpers`` package's code and templates (any change re-runs every job).

    ``$LEADEVAL_CODE_HASH``, when set, is used instead: it pins the code's identity while the
    package is being edited (tests, development), so only notebook and data changes re-run jobs.
    """
    pinned = os.environ.get("LEADEVAL_CODE_HASH")
    if pinned:
        return pinned
    root = Path(__file__).resolve().parents[1]
    return tree_hash(root, (".py", ".j2", ".css", ".json", ".yaml", ".txt"))


def input_hash(notebook_digest: str, parameters: dict, dataset_digest: str, code_digest: str,
               version: str = __version__) -> str:
    """The job's input hash: equal iff notebook, parameters, dataset, code and version are equal."""
    payload = canonical_json({"notebook": notebook_digest, "parameters": parameters,
                              "dataset": dataset_digest, "code": code_digest, "version": version})
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
