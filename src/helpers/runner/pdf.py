"""A report page printed to PDF by the system's Chromium (``leadeval run --pdf``).

The page's own print stylesheet decides everything (A4, margins, the running header with the
programme and date, page numbers in the margin boxes, tables kept whole), so the PDF is what a
reader gets from the browser's Print. Chromium is the one installed on the machine
(``$LEADEVAL_CHROMIUM``, else ``chromium``/``chromium-browser``/``google-chrome`` on the PATH);
leadeval never downloads a browser. Each print uses a throw-away profile in the job's working
directory, so parallel workers never share one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from helpers.runner.exceptions import JobError, RunnerError

ENV_CHROMIUM = "LEADEVAL_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT = 120  # seconds; a long report prints in a few


def find_chromium() -> str:
    """The Chromium executable to print with. Raises RunnerError (exit 2) when there is none."""
    named = os.environ.get(ENV_CHROMIUM)
    if named:
        if shutil.which(named):
            return shutil.which(named)
        raise RunnerError(f"--pdf: {ENV_CHROMIUM}={named} is not an executable")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RunnerError("--pdf needs Chromium and none was found (install the system package, for "
                      f"example `apt-get install chromium`, or set {ENV_CHROMIUM})")


def chromium_command(chromium: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The headless print command: no browser header or footer (the page's CSS draws its own),
    no network, nothing remembered."""
    args = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}", page.as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to start as root inside its sandbox
    return args


def print_pdf(html: str, workdir: str | os.PathLike) -> bytes:
    """Print one report page (its HTML text) to PDF; returns the PDF's bytes.

    Raises
    ------
    JobError
        Chromium failed, timed out or wrote no PDF (the job fails; its last good report stays).
    """
    folder = Path(workdir) / "print"
    folder.mkdir(parents=True, exist_ok=True)
    page, pdf = folder / "report.html", folder / "report.pdf"
    page.write_text(html, encoding="utf-8")
    try:
        proc = subprocess.run(chromium_command(find_chromium(), page, pdf, folder / "profile"),
                              capture_output=True, text=True, timeout=PRINT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise JobError("PdfError", f"Chromium did not finish printing in {PRINT_TIMEOUT} s") from exc
    except RunnerError as exc:
        raise JobError("PdfError", str(exc)) from exc
    data = pdf.read_bytes() if pdf.is_file() else b""
    if proc.returncode != 0 or not data.startswith(b"%PDF"):
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise JobError("PdfError", f"Chromium could not print the report (exit {proc.returncode}"
                       + (f": {' / '.join(tail)}" if tail else "") + ")")
    return data
