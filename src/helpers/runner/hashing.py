"""Input hashes that decide whether a job must run again (no papermill, nbconvert or pandas).

A job's input hash covers its notebook without outputs, its parameters, what it reads of the
dataset (the rows of its programme or cohort, the tables it reads whole and the report-facing
settings of dataset.yaml: :mod:`helpers.data.digest`), the code of the ``helpers`` package, the
leadeval version, and the input hashes of the reports it depends on (``depends_on`` in
reports.yaml). jupyter-cache and Quarto's freeze hash only the notebook, so they miss changed
data; hashing the whole dataset instead would re-run every report for one new answer.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from helpers import __version__
from helpers.runner.manifest import dependency_output

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


def data_digest(settings_digest: str, scope_digest: str) -> str:
    """What one job reads of the dataset: the report-facing settings and its scope's rows."""
    return hashlib.sha256(f"{settings_digest}\0{scope_digest}".encode()).hexdigest()


def input_hash(notebook_digest: str, parameters: dict, dataset_digest: str, code_digest: str,
               version: str = __version__, depends: list | tuple = ()) -> str:
    """The job's input hash: equal iff notebook, parameters, the data it reads (``dataset_digest``,
    from :func:`data_digest`), code, version and the reports it depends on are equal.

    ``depends`` is a list of ``[output, input hash or None]`` for the reports this one depends
    on (None when that report is not in the run's manifest)."""
    payload = {"notebook": notebook_digest, "parameters": parameters, "dataset": dataset_digest,
               "code": code_digest, "version": version}
    if depends:
        payload["depends"] = [list(d) for d in depends]
    return "sha256:" + hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def scope_key(programme_id: str, cohort_id: str | None) -> str:
    """``programme_id`` or ``programme_id/cohort_id``: how scope digests are stored."""
    return programme_id if cohort_id is None else f"{programme_id}/{cohort_id}"


def job_hashes(jobs: list, notebook_digests: dict, scopes: dict[str, str], settings: str,
               code_digest: str, version: str = __version__) -> dict[str, str]:
    """Input hashes of ``jobs`` (:class:`helpers.runner.manifest.Job`), by output.

    Each covers the job's notebook, parameters, settings and scope digest (``scopes``, keyed by
    :func:`scope_key`), the code and version, and the hashes of the jobs named by its entry's
    ``depends_on`` (:func:`helpers.runner.manifest.dependency_output`), which are computed
    first; reports.yaml is checked for cycles when it is read.
    """
    by_output = {j.output: j for j in jobs}
    entries = {j.entry.name: j.entry for j in jobs}
    out: dict[str, str] = {}

    def digest(job) -> str:
        if job.output in out:
            return out[job.output]
        depends = []
        for name in job.entry.depends_on:
            dep = entries.get(name)
            target = dependency_output(dep, job) if dep is not None else None
            depends.append([target or name, digest(by_output[target])
                            if target in by_output else None])
        data = data_digest(settings, scopes[scope_key(job.programme_id, job.cohort_id)])
        out[job.output] = input_hash(notebook_digests[job.entry.path], job.parameters, data,
                                     code_digest, version, depends)
        return out[job.output]

    for job in jobs:
        digest(job)
    return out
