"""Session fixtures for the end-to-end report tests: each dataset is published once per session.

``sample_run``   ``leadeval run`` over data/sample: every notebook for every programme, and for one
                 cohort of each programme (SAMPLE_ONLY; the smallest cohort, sath_c02 with 4
                 people, is reported only with its programme, so its jobs are not applicable). ``make reports`` publishes all 208 reports;
                 tests/test_runner_manifest.py checks that the manifest expands to all of them.
``hostile_run``  ``leadeval run`` over a small sample (``leadeval sample-data --participants 40``)
                 with a hostile string appended to every free-text value (tests/hostile);
                 every job, unless ``LEADEVAL_E2E_HOSTILE_ONLY=GLOB`` narrows it while you
                 iterate (a hostile label crashes only the notebooks that draw it, so CI runs all)

Both run the real command in a subprocess (``python -m helpers.cli run ... --jobs 2``), as a
user or the scheduler would. Set ``LEADEVAL_E2E_REPORTS=DIR`` to publish the sample run into a
persistent folder instead of a temporary one: the runner is incremental, so a second session
re-runs only what changed (useful while editing notebooks; CI leaves it unset).

The fixtures skip only when the report engine (``helpers.runner.commands``) does not exist yet.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the hostile fixture package

from hostile import HOSTILE, make_hostile_dataset  # noqa: E402

RUN_TIMEOUT = 3600  # seconds; a hung run fails the session instead of blocking it
HOSTILE_PARTICIPANTS = 40


@dataclass
class Run:
    """A finished ``leadeval run``: where it published and what it said."""

    dataset: Path
    out: Path
    returncode: int
    stdout: str
    stderr: str
    manifest: dict = field(default_factory=dict)
    injected: dict = field(default_factory=dict)  # hostile marker -> fields (hostile run only)

    @property
    def reports(self) -> list[Path]:
        """Every published HTML file (index included), in path order."""
        return sorted(self.out.rglob("*.html"))

    def describe(self) -> str:
        return f"exit {self.returncode}\nstderr (last 3000 chars):\n{self.stderr[-3000:]}"


def _engine_missing() -> bool:
    try:
        return importlib.util.find_spec("helpers.runner.commands") is None
    except ModuleNotFoundError:
        return True


def _cli(*args: str, timeout: int = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("LEADEVAL_DATASET", None)
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


# Every programme-level report, plus one cohort of each programme: the same notebooks and code
# paths as the full set at about a third of its cost, so `make test` stays near ten minutes.
SAMPLE_ONLY = ["*/all/*", "barts_kf_scl/barts_c01/*",
               "leeds_cihm/leeds_c01/*", "luhft_lbs/luhft_c02/*", "sath_academy/sath_c02/*"]


def publish(dataset: Path, out: Path, config: Path | None = None,
            only: str | list[str] | None = None) -> Run:
    """Run ``leadeval run`` on ``dataset`` into ``out`` with two jobs at once."""
    if _engine_missing():
        pytest.skip("the report engine (helpers.runner.commands) does not exist yet")
    args = ["run", "--config", str(config or REPO_ROOT / "reports.yaml"), "--dataset", str(dataset),
            "--out", str(out), "--jobs", "2"]
    for glob in ([only] if isinstance(only, str) else (only or [])):
        args += ["--only", glob]
    proc = _cli(*args)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    return Run(dataset, out, proc.returncode, proc.stdout, proc.stderr, manifest)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Run:
    """Every report of the committed sample dataset, published once per session."""
    dataset = REPO_ROOT / "data" / "sample"
    if _engine_missing():
        pytest.skip("the report engine (helpers.runner.commands) does not exist yet")
    if not (dataset / "dataset.yaml").is_file():
        pytest.fail("data/sample/dataset.yaml is missing: build it with `make sample`")
    persistent = os.environ.get("LEADEVAL_E2E_REPORTS")
    out = Path(persistent).resolve() if persistent else tmp_path_factory.mktemp("sample") / "reports"
    return publish(dataset, out, only=SAMPLE_ONLY)


@pytest.fixture(scope="session")
def sample_only() -> list[str]:
    """The ``--only`` globs of the sample run."""
    return list(SAMPLE_ONLY)


@pytest.fixture(scope="session")
def sample_ids() -> set[str]:
    """The sample dataset's participant ids (what must never appear in a report): as loaded
    (pseudonymised when the dataset asks for it) and as written in participants.csv."""
    import pandas as pd

    from helpers.data import load_dataset

    folder = REPO_ROOT / "data" / "sample"
    ids = set(load_dataset(folder).participants["participant_id"].astype(str))
    raw = folder / "participants.csv"
    if raw.is_file():
        ids |= set(pd.read_csv(raw, dtype=str, usecols=["participant_id"])["participant_id"].dropna())
    return ids


@pytest.fixture(scope="session")
def sample_threshold() -> int:
    from helpers.data import load_dataset

    return int(load_dataset(REPO_ROOT / "data" / "sample").suppress_below)


@pytest.fixture(scope="session")
def hostile_dataset(tmp_path_factory) -> tuple[Path, dict]:
    """A small valid sample with a hostile string in every free-text value.

    Returns the dataset folder and the injection log (marker -> fields).
    """
    base = tmp_path_factory.mktemp("hostile")
    clean = base / "clean"
    proc = _cli("sample-data", str(clean), "--participants", str(HOSTILE_PARTICIPANTS), timeout=600)
    assert proc.returncode == 0, f"leadeval sample-data failed:\n{proc.stderr[-3000:]}"
    target = base / "dataset"
    log = make_hostile_dataset(clean, target)
    assert set(log) == {h.marker for h in HOSTILE}, "every hostile string must be injected somewhere"
    return target, log


@pytest.fixture(scope="session")
def hostile_run(hostile_dataset, tmp_path_factory) -> Run:
    """Every report of the hostile dataset, published once per session."""
    dataset, log = hostile_dataset
    only = os.environ.get("LEADEVAL_E2E_HOSTILE_ONLY") or None
    run = publish(dataset, tmp_path_factory.mktemp("hostile-out") / "reports", only=only)
    run.injected = log
    return run


# --------------------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Visit:
    """What the browser saw on one page."""

    name: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt: script ran
    screenshot: Path | None = None
    title: str = ""


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (f"Chromium is not installed at {CHROMIUM} "
               "(apt-get install -y chromium; .ci/run does this in CI)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def offline_browser(p, bypass_csp: bool = True):
    """Headless Chromium at 1280 x 900 whose every request but ``file://`` is aborted:
    ``(browser, context)`` from a running ``sync_playwright()``."""
    browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else r.abort())
    return browser, context


def _visit(context, path: Path, name: str, screenshots: Path | None) -> Visit:
    visit = Visit(name)
    page = context.new_page()
    page.on("dialog", lambda d: (visit.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    page.on("console", lambda msg: visit.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        visit.title = page.title()
        visit.images = page.evaluate(
            "() => Array.from(document.images).map(i => ({src: i.getAttribute('src').slice(0, 48),"
            " alt: i.alt, complete: i.complete, width: i.naturalWidth}))")
        visit.links = page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
        if screenshots is not None:
            screenshots.mkdir(parents=True, exist_ok=True)
            shot = screenshots / (re.sub(r"[^\w.-]+", "__", name.removesuffix(".html")) + ".png")
            page.screenshot(path=str(shot), full_page=True)
            visit.screenshot = shot
    finally:
        page.close()
    return visit


def browse(pages: list[Path], root: Path, profile: Path, screenshots: Path | None = None) -> dict:
    """Open each page in headless Chromium with every non-file request aborted.

    Returns ``{path relative to root: Visit}``; requests that were blocked are listed in the
    visit of the page that made them.
    """
    from playwright.sync_api import sync_playwright

    blocked: list[tuple[str, str]] = []
    current = {"name": ""}

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append((current["name"], r.request.url))
            r.abort()

    results = {}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        try:
            context.route("**/*", route)
            for path in pages:
                name = path.relative_to(root).as_posix()
                current["name"] = name
                results[name] = _visit(context, path, name, screenshots)
        finally:
            context.close()
    for name, url in blocked:
        results[name].blocked.append(url)
    return results
