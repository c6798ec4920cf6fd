"""What one report job is and what it gives back: the values passed between the run command,
the local worker pool, the Dask backend and :func:`helpers.runner.execute.run_job`.

Both are frozen dataclasses of plain values (strings, numbers, dicts of them), so they pickle
to a spawned worker process or a Dask worker unchanged, and a job cannot be altered on its way.

Examples
--------
>>> spec = JobSpec(notebook="/nb/10_reach.ipynb", output="p1/all/10_reach.html",
...                parameters={"programme_id": "p1"})
>>> JobSpec.from_dict(spec.to_dict()) == spec
True
>>> failed = JobResult.failure(spec, "WorkerDied: the worker process ended", 1.23456)
>>> failed.status, failed.seconds, failed.ok
('failed', 1.235, False)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobSpec:
    """One notebook run for one scope, and how to publish it.

    Attributes
    ----------
    notebook : str
        Absolute path of the notebook (workers share the repository path).
    output : str
        Path of the report relative to the reports folder; the job's identity in a run.
    parameters : dict
        Values papermill injects (``dataset`` and the scope's ids).
    cell_timeout, job_timeout : float or None
        Seconds one cell, and the whole job, may run; None for no limit.
    keep_notebook : bool
        Return the executed notebook as well as the HTML.
    kernel_name : str
        Kernel spec the job's kernel is started from.
    pdf : bool
        Also print the HTML to PDF.
    title : dict
        ``heading``, ``scope`` and ``full``: the page title.
    provenance : dict
        What the page's provenance block shows (dataset, hashes, version, commit, time).
    start_timeout : float
        Seconds the kernel may take to start.
    """

    notebook: str
    output: str
    parameters: dict = field(default_factory=dict)
    cell_timeout: float | None = None
    job_timeout: float | None = None
    keep_notebook: bool = False
    kernel_name: str = "python3"
    pdf: bool = False
    title: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    start_timeout: float = 60

    @property
    def dataset(self) -> str | None:
        """The dataset folder the job opens (its ``dataset`` parameter), if any."""
        return self.parameters.get("dataset")

    def to_dict(self) -> dict:
        """The spec as a plain dict (for logs, journals or JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "JobSpec":
        """A spec from :meth:`to_dict`'s output; unknown keys are an error."""
        return cls(**data)


@dataclass(frozen=True)
class JobResult:
    """What a job gave back; a job-level failure is a result, never an exception.

    Attributes
    ----------
    output : str
        The job's :attr:`JobSpec.output`.
    status : str
        ``"ok"``, ``"failed"`` or ``"not_applicable"`` (the notebook had nothing to report).
    html : str or None
        The report page (``ok`` only).
    notebook_json : str or None
        The executed notebook, only when the spec asked to keep it.
    pdf : bytes or None
        The page printed to PDF, only when the spec asked for it.
    error : str or None
        One line: what failed.
    detail : str or None
        Traceback and kernel stderr, for the log.
    reason : str or None
        Why the report does not apply (``not_applicable`` only).
    seconds : float
        Wall time of the job, rounded to milliseconds.
    attempts : int
        Kernel starts tried (a failed start is retried once).
    worker : int or None
        Process id of the process that ran the job.
    kernel : str or None
        How its kernel started (:meth:`helpers.runner.kernels.JobKernels.describe`).
    """

    output: str
    status: str = "failed"
    html: str | None = None
    notebook_json: str | None = None
    pdf: bytes | None = None
    error: str | None = None
    detail: str | None = None
    reason: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    worker: int | None = None
    kernel: str | None = None

    @property
    def ok(self) -> bool:
        """True when the job produced a page."""
        return self.status == "ok"

    @classmethod
    def failure(cls, spec: JobSpec, error: str, seconds: float) -> "JobResult":
        """A failed result for a job that did not finish where it ran (worker lost, no worker,
        hard limit): ``error`` is both the line and the detail."""
        return cls(output=spec.output, status="failed", error=error, detail=error,
                   seconds=round(seconds, 3), attempts=1)

    def to_dict(self) -> dict[str, Any]:
        """The result as a plain dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "JobResult":
        """A result from :meth:`to_dict`'s output."""
        return cls(**data)
