"""Publishing: atomic writes, stale marking, and the run's records kept in step with the disk.

Every file leadeval writes into the reports folder is written to a temporary file in the same
folder, flushed and fsynced, then renamed over the target with :func:`os.replace` (atomic on
POSIX), so a reader, or a run killed at any instant, sees either the previous complete file or
the new complete one. A failed job never touches its published report; the record says ``stale``.

Records (one per job output) live in ``.leadeval/state.json``; ``manifest.json`` and
``index.html`` are derived from them and rewritten after every job.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

TMP_SUFFIX = ".leadeval-tmp"
STATE_VERSION = 1


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that the file is never seen half-written.

    On any error (for example ENOSPC, disk full) the temporary file is removed, the previous
    content of ``path`` is untouched, and the error is raised.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}{TMP_SUFFIX}"
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def remove_temp_files(out_dir: str | Path) -> list[Path]:
    """Delete temporary files left by a run that was killed mid-write; returns what was removed."""
    removed = []
    for path in Path(out_dir).rglob(f"*{TMP_SUFFIX}"):
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


class Store:
    """The records of every report in a reports folder, and the cached facts of the last run.

    Parameters
    ----------
    out_dir : path
        The reports folder.
    """

    def __init__(self, out_dir: str | Path):
        self.out = Path(out_dir)
        self.state_path = self.out / ".leadeval" / "state.json"
        self.records: dict[str, dict] = {}
        self.cache: dict = {}
        self._load()

    def _load(self) -> None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            if state.get("version") == STATE_VERSION:
                self.records = state.get("records", {})
                self.cache = state.get("cache", {})
                return
        except (OSError, ValueError):
            pass
        try:  # no state: rebuild the records from the published manifest
            manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
            for job in manifest.get("jobs", []):
                self.records[job["output"]] = dict(job)
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def report_path(self, output: str) -> Path:
        return self.out / output

    def reconcile(self) -> list[str]:
        """Make every record agree with the disk; returns a note for each correction.

        A report recorded as present but missing becomes ``failed`` (and will re-run); a report
        present but recorded as ``failed`` (a run killed between rename and record) becomes
        ``stale`` with no input hash, so it is kept and re-run.
        """
        notes = []
        for output, rec in self.records.items():
            exists = self.report_path(output).is_file()
            if rec.get("status") in ("ok", "stale") and not exists:
                rec.update(status="failed", input_hash=None,
                           error=rec.get("error") or "report file was missing; it will be rebuilt")
                notes.append(f"{output}: report file missing, marked failed")
            elif rec.get("status") == "failed" and exists:
                rec.update(status="stale", input_hash=None)
                notes.append(f"{output}: report present but recorded as failed, marked stale")
        return notes

    def is_current(self, output: str, digest: str) -> bool:
        rec = self.records.get(output)
        return bool(rec and rec.get("status") == "ok" and rec.get("input_hash") == digest
                    and self.report_path(output).is_file())

    def record_success(self, job_fields: dict, digest: str, result: dict, keep_notebook: bool) -> None:
        """Publish a successful job's HTML (and notebook if asked), then record it."""
        output = job_fields["output"]
        target = self.report_path(output)
        notebook_path = target.with_suffix(".ipynb")
        if keep_notebook and result.get("notebook_json"):
            atomic_write(notebook_path, result["notebook_json"])
        atomic_write(target, result["html"])
        if not keep_notebook and notebook_path.exists():
            notebook_path.unlink()  # executed notebooks hold data: only kept when asked for
        self.records[output] = {**job_fields, "status": "ok", "input_hash": digest,
                                "seconds": result.get("seconds"), "error": None,
                                "generated_at": utc_now()}

    def record_failure(self, job_fields: dict, digest: str, error: str, seconds: float | None) -> None:
        """Record a failed job; its last good report (if any) stays in place, marked stale."""
        output = job_fields["output"]
        previous = self.records.get(output, {})
        if self.report_path(output).is_file():
            self.records[output] = {**job_fields, "status": "stale",
                                    "input_hash": previous.get("input_hash"),
                                    "seconds": seconds, "error": error,
                                    "generated_at": previous.get("generated_at")}
        else:
            self.records[output] = {**job_fields, "status": "failed", "input_hash": digest,
                                    "seconds": seconds, "error": error, "generated_at": None}

    def save(self, generated_at: str | None = None) -> None:
        """Write state, manifest.json and index.html (each atomically, in that order)."""
        from helpers.runner.index import index_html, manifest_document

        generated_at = generated_at or utc_now()
        ordered = dict(sorted(self.records.items()))
        state = {"version": STATE_VERSION, "records": ordered, "cache": self.cache}
        atomic_write(self.state_path, json.dumps(state, indent=1, sort_keys=True))
        atomic_write(self.out / "manifest.json",
                     json.dumps(manifest_document(ordered.values(), generated_at), indent=2))
        atomic_write(self.out / "index.html", index_html(ordered.values(), generated_at))
