"""Publishing: atomic writes, stale marking, and the run's records kept in step with the disk.

Every file leadeval writes into the reports folder is written to a temporary file in the same
folder, flushed and fsynced, then renamed over the target with :func:`os.replace` (atomic on
POSIX), so a reader, or a run killed at any instant, sees either the previous complete file or
the new complete one. A failed job never touches its published report; the record says ``stale``.

Records (one per job output) live in ``.leadeval/state.json``; ``manifest.json`` and
``index.html`` are derived from them. Each job's record is also appended, as it is made, to
``.leadeval/journal.jsonl`` (one fsynced line), and the three files are rewritten from the
records every :attr:`Store.SAVE_INTERVAL` seconds while records are waiting, and when the run
ends. Rewriting them after every job cost time in proportion to the number of reports, so a
run's publishing grew with its square. A run killed between rewrites loses nothing: the next
``Store`` replays the journal over the state, so reports published since the last rewrite are
recorded and listed again before anything else happens.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from helpers.runner.index import index_html, manifest_document
from helpers.runner.jobs import JobResult
from helpers.runner.layout import INDEX, MANIFEST, STATE

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


def unwritable(folder: str | Path) -> str | None:
    """Why files cannot be published into ``folder``, or None when they can.

    The folder is created when missing; then a temporary file is made and removed in it, the
    only test that answers for root, read-only mounts, immutable folders and ACLs alike
    (``os.access`` answers from the permission bits). The probe is named like
    :func:`atomic_write`'s temporary files, so one left by a crash is removed by
    :func:`remove_temp_files`.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe.", suffix=TMP_SUFFIX)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"cannot write into {folder} ({exc.strerror or exc})"
    return None


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
    save_interval : float, optional
        Seconds between rewrites during a run (default :attr:`SAVE_INTERVAL`).
    clock : callable, optional
        Monotonic seconds (tests pass their own).
    """

    #: Seconds between rewrites of state, manifest and index while a run is going.
    SAVE_INTERVAL = 10.0

    def __init__(self, out_dir: str | Path, save_interval: float | None = None, clock=time.monotonic):
        self.out = Path(out_dir)
        self.state_path = self.out / STATE / "state.json"
        self.journal_path = self.out / STATE / "journal.jsonl"
        self.records: dict[str, dict] = {}
        self.cache: dict = {}
        self.replayed = 0  # journal lines applied on load (records not yet in state.json)
        self._torn = False
        self.save_interval = self.SAVE_INTERVAL if save_interval is None else save_interval
        self._clock = clock
        self._last_save = clock()  # the run's start: the first rewrite one interval in
        self._unsaved = False  # records made since the last rewrite
        self._load()
        self._replay_journal()

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
            manifest = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
            for job in manifest.get("jobs", []):
                self.records[job["output"]] = dict(job)
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def _replay_journal(self) -> None:
        """Apply records journalled after the last state.json; a torn last line is ignored."""
        try:
            text = self.journal_path.read_text(encoding="utf-8")
        except OSError:
            return
        self._torn = bool(text) and not text.endswith("\n")  # the next line must start afresh
        for line in text.splitlines():
            try:
                entry = json.loads(line)
                self.records[entry["output"]] = entry["record"]
                self.replayed += 1
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill mid-append

    def _journal(self, output: str) -> None:
        """Append one record to the journal and fsync it (a small write, whatever the run's size).
        If the disk refuses, the record is still in memory and the next save writes it."""
        self._unsaved = True
        line = json.dumps({"output": output, "record": self.records[output]}, sort_keys=True)
        if self._torn:
            line, self._torn = "\n" + line, False
        try:
            self.journal_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.journal_path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
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

    def is_current(self, output: str, digest: str, pdf: bool = False) -> bool:
        """Whether the job's last result stands: its report (and PDF, when asked for) published
        from these inputs, or found not applicable for them."""
        rec = self.records.get(output)
        if not rec or rec.get("input_hash") != digest:
            return False
        if rec.get("status") == "not_applicable":
            return True
        target = self.report_path(output)
        return (rec.get("status") == "ok" and target.is_file()
                and (not pdf or target.with_suffix(".pdf").is_file()))

    def record_success(self, job_fields: dict, digest: str, result: JobResult,
                       keep_notebook: bool) -> None:
        """Publish a successful job's HTML (and notebook if asked), then record it."""
        output = job_fields["output"]
        target = self.report_path(output)
        notebook_path = target.with_suffix(".ipynb")
        if keep_notebook and result.notebook_json:
            atomic_write(notebook_path, result.notebook_json)
        if result.pdf:
            atomic_write(target.with_suffix(".pdf"), result.pdf)
        atomic_write(target, result.html)
        if not keep_notebook and notebook_path.exists():
            notebook_path.unlink()  # executed notebooks hold data: only kept when asked for
        self.records[output] = {**job_fields, "status": "ok", "input_hash": digest,
                                "seconds": result.seconds, "error": None,
                                "generated_at": utc_now()}
        self._journal(output)

    def record_not_applicable(self, job_fields: dict, digest: str, reason: str,
                              seconds: float | None = None) -> None:
        """Record a job with nothing to report for its scope (``reason``) and remove what it
        published before."""
        output = job_fields["output"]
        target = self.report_path(output)
        for path in (target, target.with_suffix(".pdf"), target.with_suffix(".ipynb")):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        self.records[output] = {**job_fields, "status": "not_applicable", "input_hash": digest,
                                "seconds": seconds, "error": None, "reason": reason,
                                "generated_at": utc_now()}
        self._journal(output)

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
        self._journal(output)

    def save(self, generated_at: str | None = None) -> None:
        """Write state, manifest.json and index.html (each atomically, in that order)."""
        generated_at = generated_at or utc_now()
        ordered = dict(sorted(self.records.items()))
        state = {"version": STATE_VERSION, "records": ordered, "cache": self.cache}
        # compact: json's C encoder is used only without indent (3x faster at 10,000 records)
        atomic_write(self.state_path, json.dumps(state, sort_keys=True, separators=(",", ":")))
        try:  # every journalled record is now in state.json
            os.truncate(self.journal_path, 0)
        except FileNotFoundError:
            pass
        atomic_write(self.out / MANIFEST,
                     json.dumps(manifest_document(ordered.values(), generated_at), indent=2))
        atomic_write(self.out / INDEX, index_html(ordered.values(), generated_at))
        self._last_save = self._clock()
        self._unsaved = False

    def save_if_due(self) -> bool:
        """:meth:`save` when records were made since the last one and ``save_interval`` seconds
        have passed since it; returns whether it saved. Called as a run goes."""
        if not self._unsaved or self._clock() - self._last_save < self.save_interval:
            return False
        self.save()
        return True
