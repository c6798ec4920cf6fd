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

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from .conftest import Visit, browse, require_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def visits(sample_run, tmp_path_factory) -> dict[str, Visit]:
    """Open index.html and every evaluation report once; record what happened."""
    require_chromium()
    pages = [sample_run.out / "index.html"] + sorted(sample_run.out.rglob("90_evaluation_report.html"))
    assert pages[0].is_file(), f"no index.html:\n{sample_run.describe()}"
    assert len(pages) > 1, f"no evaluation report was published:\n{sample_run.describe()}"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    return browse(pages, sample_run.out, tmp_path_factory.mktemp("chromium-profile"), SCREENSHOTS)


def test_no_console_or_page_errors(visits):
    errors = {n: v.console_errors + v.page_errors + v.dialogs for n, v in visits.items()
              if v.console_errors or v.page_errors or v.dialogs}
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


def broken_links(page: Path, links: list[str], root: Path) -> list[str]:
    """Links of ``page`` that are not relative, or whose target is not a file under ``root``."""
    broken = []
    for href in links:
        url = urlparse(href)
        if url.scheme or url.netloc:
            broken.append(f"{href} (not a relative link)")
            continue
        if not url.path:
            continue  # an in-page #fragment
        target = (page.parent / unquote(url.path)).resolve()
        if not target.is_file() or root.resolve() not in target.parents:
            broken.append(href)
    return broken


def test_every_link_from_the_index_resolves(visits, sample_run):
    index = visits["index.html"]
    assert index.links, "the index links to nothing"
    assert not broken_links(sample_run.out / "index.html", index.links, sample_run.out)
    evaluation = [h for h in index.links if h.endswith("90_evaluation_report.html")]
    assert evaluation, "the index does not link to the evaluation reports"


def test_links_from_the_evaluation_reports_resolve(visits, sample_run):
    """"Detailed report" links point at reports that were published beside them."""
    broken = {name: broken_links(sample_run.out / name, v.links, sample_run.out)
              for name, v in visits.items() if name != "index.html"}
    broken = {n: b for n, b in broken.items() if b}
    assert not broken, broken


def test_a_screenshot_of_each_page_is_kept(visits):
    for name, visit in visits.items():
        assert visit.screenshot is not None and visit.screenshot.stat().st_size > 0, name
        assert visit.title.strip(), f"{name} has no title"
