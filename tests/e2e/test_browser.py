"""A real browser opens the published sample reports with every network request blocked.

Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``; Playwright never downloads
its own) is driven headless by Playwright with a fresh profile. Every request is routed:
``file://`` continues, anything else is aborted and recorded. index.html and every evaluation
report (``90_evaluation_report.html``) must open with no console error and no page error, make
no request outside the file system, decode every image, and (for the index) link only to
files that exist. A full-page screenshot of each is kept under tests/artifacts/screenshots/.

Without Chromium the tests skip with the reason, except under ``CI=true``, where a missing
browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@dataclass
class Visit:
    """What the browser saw on one page."""

    name: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    title: str = ""


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (f"Chromium is not installed at {CHROMIUM} "
               "(apt-get install -y chromium; .ci/run does this in CI)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _visit(context, path: Path, name: str) -> Visit:
    visit = Visit(name)
    page = context.new_page()
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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / (re.sub(r"[^\w.-]+", "__", name.removesuffix(".html")) + ".png")
        page.screenshot(path=str(shot), full_page=True)
        visit.screenshot = shot
    finally:
        page.close()
    return visit


@pytest.fixture(scope="module")
def visits(sample_run, tmp_path_factory) -> dict[str, Visit]:
    """Open index.html and every evaluation report once; record what happened."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    pages = [sample_run.out / "index.html"] + sorted(sample_run.out.rglob("90_evaluation_report.html"))
    assert pages[0].is_file(), f"no index.html:\n{sample_run.describe()}"
    assert len(pages) > 1, f"no evaluation report was published:\n{sample_run.describe()}"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
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
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=ARGS, viewport={"width": 1280, "height": 900})
        try:
            context.route("**/*", route)
            for path in pages:
                name = path.relative_to(sample_run.out).as_posix()
                current["name"] = name
                results[name] = _visit(context, path, name)
        finally:
            context.close()
    for name, url in blocked:
        results[name].blocked.append(url)
    return results


def test_no_console_or_page_errors(visits):
    errors = {n: v.console_errors + v.page_errors for n, v in visits.items() if v.console_errors or v.page_errors}
    assert not errors, errors


def test_no_request_leaves_the_file_system(visits):
    leaks = {n: v.blocked for n, v in visits.items() if v.blocked}
    assert not leaks, leaks


def test_every_image_decodes(visits):
    broken = {n: [i for i in v.images if not (i["complete"] and i["width"] > 0)]
              for n, v in visits.items()}
    broken = {n: b for n, b in broken.items() if b}
    assert not broken, broken
    reports = [v for n, v in visits.items() if n != "index.html"]
    assert all(v.images for v in reports), "an evaluation report without a single figure"
    assert all(i["alt"].strip() for v in reports for i in v.images), "a figure without alt text"


def test_every_link_from_the_index_resolves(visits, sample_run):
    index = visits["index.html"]
    assert index.links, "the index links to nothing"
    missing = []
    for href in index.links:
        url = urlparse(href)
        if url.scheme or url.netloc:
            missing.append(f"{href} (not a relative link)")
            continue
        if not url.path:
            continue  # an in-page #fragment
        target = (sample_run.out / unquote(url.path)).resolve()
        if not target.is_file() or sample_run.out.resolve() not in target.parents:
            missing.append(href)
    assert not missing, missing
    evaluation = [h for h in index.links if h.endswith("90_evaluation_report.html")]
    assert evaluation, "the index does not link to the evaluation reports"


def test_a_screenshot_of_each_page_is_kept(visits):
    for name, visit in visits.items():
        assert visit.screenshot is not None and visit.screenshot.stat().st_size > 0, name
        assert visit.title.strip(), f"{name} has no title"
