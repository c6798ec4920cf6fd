"""Progress while running and the final summary.

On a terminal one status line is redrawn in place (jobs done of total, the jobs running,
elapsed time); elsewhere (cron, CI, a log) every event is a plain line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _fmt_seconds(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Reports job starts and completions to ``stream``.

    Parameters
    ----------
    total : int
        Jobs to run in this run.
    stream : file, default sys.stderr
    tty : bool, optional
        Force terminal behaviour on or off (default: ``stream.isatty()``).
    """

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.running: dict[str, float] = {}
        self.started = time.monotonic()
        self._line = ""

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _redraw(self) -> None:
        if not self.tty:
            return
        current = ", ".join(sorted(self.running)) or "-"
        line = f"[{self.done}/{self.total}] {_fmt_seconds(self.elapsed())} running: {current}"
        width = 120
        line = line if len(line) <= width else line[: width - 1] + "…"
        self.stream.write("\r" + line.ljust(len(self._line)))
        self.stream.flush()
        self._line = line

    def _print(self, text: str) -> None:
        if self.tty and self._line:
            self.stream.write("\r" + " " * len(self._line) + "\r")
            self._line = ""
        self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, output: str) -> None:
        self.running[output] = time.monotonic()
        if self.tty:
            self._redraw()
        else:
            self._print(f"[{self.done}/{self.total}] {_fmt_seconds(self.elapsed())} start {output}")

    def finish(self, output: str, status: str, seconds: float | None, error: str | None = None) -> None:
        self.running.pop(output, None)
        self.done += 1
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        text = f"[{self.done}/{self.total}] {_fmt_seconds(self.elapsed())} {status:<6} {output}{took}"
        if error:
            text += f": {error}"
        self._print(text)
        self._redraw()

    def requeue(self, output: str) -> None:
        """``output`` stopped running without a result (its worker was lost); it may start again."""
        self.running.pop(output, None)
        self._redraw()

    def note(self, text: str) -> None:
        self._print(text)
        self._redraw()

    def tick(self) -> None:
        self._redraw()


def summary_table(published: int, up_to_date: int, failed: int, skipped: int, index_path: str,
                  elapsed: float) -> str:
    """The closing summary: counts, time, and where to find the index."""
    rows = [("published", published), ("up to date", up_to_date), ("failed", failed)]
    if skipped:
        rows.append(("skipped (notebook missing)", skipped))
    width = max(len(r[0]) for r in rows)
    lines = ["", "Summary"] + [f"  {name:<{width}}  {count:>5}" for name, count in rows]
    lines.append(f"  {'elapsed':<{width}}  {elapsed:>5.1f} s")
    lines.append(f"  index: {index_path}")
    return "\n".join(lines)
