"""Errors raised by the report engine, each carrying what the user needs to act on it."""

from __future__ import annotations


class RunnerError(Exception):
    """Base class: a problem that stops ``leadeval run`` before any job executes (exit 2)."""


class ManifestError(RunnerError):
    """reports.yaml is missing, unreadable or names something that does not exist."""


class ParameterError(RunnerError):
    """A job's parameters do not match its notebook's ``parameters`` cell.

    Parameters
    ----------
    job : str
        The job's output path, which names it to the user.
    problems : list of str
        Every mismatch found (unknown name, missing required value, wrong type).
    """

    def __init__(self, job: str, problems: list[str]):
        self.job = job
        self.problems = list(problems)
        super().__init__(f"{job}: " + "; ".join(self.problems))


class LockHeld(RunnerError):
    """Another process holds a lock: a run publishing into the same reports folder, or an
    import changing (or a run reading) the same dataset; ``message`` says which."""

    def __init__(self, path: str, pid: int | None, message: str | None = None):
        self.path = path
        self.pid = pid
        who = f"process {pid}" if pid else "another process"
        super().__init__(message or f"another leadeval run ({who}) is writing to {path}; try again "
                         "when it has finished")


class JobError(Exception):
    """A job failed while executing or exporting; the message goes to the index and manifest.

    Parameters
    ----------
    ename, evalue : str
        Exception type name and message (from the kernel when a cell raised).
    heading : str or None
        The heading of the notebook section whose cell failed.
    """

    def __init__(self, ename: str, evalue: str, heading: str | None = None):
        self.ename = ename
        self.evalue = evalue
        self.heading = heading
        super().__init__(self.describe())

    def describe(self) -> str:
        text = f"{self.ename}: {self.evalue}".strip()
        if self.heading:
            text += f" (in section '{self.heading}')"
        return text
