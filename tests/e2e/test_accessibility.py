"""WCAG 2.2 AA in a real browser: axe-core (from npm) on every kind of published report.

axe-core is installed from the npm registry into tests/e2e/axe/node_modules (``make test`` and
``.ci/run`` run ``npm ci`` there) and injected into each page in headless Chromium with its
Content-Security-Policy bypassed (the reports forbid scripts, so nothing of theirs runs).
One report of each notebook, programme level, is checked, plus the index. The first screen at
1280 px and the first printed page (A4) of each evaluation report are kept in
tests/artifacts/screenshots/ for a reviewer.

Without Chromium or axe-core the tests skip with the reason, except under ``CI=true``, where
either missing is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import offline_browser, require_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NOTEBOOKS = ["00_data_quality", "10_reach_and_reaction", "20_leadership_outcomes",
             "30_qualitative_themes", "40_improvement_projects", "50_networks",
             "60_equality_and_value", "90_evaluation_report"]


def require_axe() -> None:
    if AXE.is_file():
        return
    message = f"axe-core is not installed at {AXE} (npm ci --prefix tests/e2e/axe)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _one_of_each_kind(out: Path) -> list[Path]:
    """The index and, per notebook, the first published programme-level report."""
    pages = [out / "index.html"]
    for stem in NOTEBOOKS:
        found = sorted(out.glob(f"*/all/{stem}.html"))
        assert found, f"no programme-level {stem}.html was published under {out}"
        pages.append(found[0])
    return pages


def _artifact_name(out: Path, page: Path, suffix: str) -> Path:
    stem = re.sub(r"[^\w.-]+", "__", page.relative_to(out).as_posix().removesuffix(".html"))
    return ARTIFACTS / f"{stem}{suffix}"


def _axe_violations(context, url: str, axe_source: str) -> list[dict]:
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.add_script_tag(content=axe_source)
        report = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    finally:
        page.close()
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]} for v in report["violations"]]


@pytest.fixture(scope="module")
def audits(sample_run, tmp_path_factory) -> dict[str, list[dict]]:
    """axe-core's WCAG 2.2 AA violations on each kind of page, and the reviewer's screenshots."""
    require_chromium()
    require_axe()
    from playwright.sync_api import sync_playwright

    out = sample_run.out
    pages = _one_of_each_kind(out)
    evaluation_reports = sorted(out.glob("*/all/90_evaluation_report.html"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe_source = AXE.read_text(encoding="utf-8")
    results: dict[str, list[dict]] = {}
    with sync_playwright() as p:
        browser, context = offline_browser(p)
        try:
            for path in pages:
                results[path.relative_to(out).as_posix()] = _axe_violations(
                    context, path.as_uri(), axe_source)
            for path in evaluation_reports:
                page = context.new_page()
                page.goto(path.as_uri(), wait_until="load")
                page.screenshot(path=str(_artifact_name(out, path, "-first-screen.png")))
                page.pdf(path=str(_artifact_name(out, path, ".pdf")), prefer_css_page_size=True,
                         display_header_footer=False, print_background=True)
                page.close()
        finally:
            context.close()
            browser.close()
    if shutil.which("pdftoppm"):
        for pdf in ARTIFACTS.glob("*.pdf"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(pdf), str(pdf.with_name(pdf.stem + "-first-printed-page"))],
                           check=True)
    (ARTIFACTS / "axe-violations.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def test_the_audit_finds_violations_in_a_page_built_to_fail(tmp_path):
    """The harness is live: an unlabelled image, grey-on-white text and an unnamed scrolling
    region are reported."""
    require_chromium()
    require_axe()
    from playwright.sync_api import sync_playwright

    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
                   '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                   '<p style="color:#bbb;background:#fff">faint text</p>'
                   '<div style="overflow:auto;height:40px"><p>a</p><p>b</p><p>c</p><p>d</p>'
                   '</div></main></body></html>', encoding="utf-8")
    with sync_playwright() as p:
        browser, context = offline_browser(p)
        try:
            found = {v["id"] for v in _axe_violations(context, bad.as_uri(),
                                                      AXE.read_text(encoding="utf-8"))}
        finally:
            context.close()
            browser.close()
    assert {"image-alt", "color-contrast", "scrollable-region-focusable"} <= found, found


def test_axe_checked_every_kind_of_report(audits):
    assert len(audits) == 1 + len(NOTEBOOKS), sorted(audits)


@pytest.mark.parametrize("kind", ["index"] + NOTEBOOKS)
def test_no_wcag_22_aa_violation(audits, kind):
    name = next(n for n in audits if n.endswith(f"/{kind}.html") or n == f"{kind}.html")
    assert audits[name] == [], json.dumps(audits[name], indent=2)


def test_first_screen_and_printed_page_of_each_evaluation_report_are_kept(audits, sample_run):
    reports = sorted(sample_run.out.glob("*/all/90_evaluation_report.html"))
    assert reports
    for path in reports:
        shot = _artifact_name(sample_run.out, path, "-first-screen.png")
        assert shot.is_file() and shot.stat().st_size > 10_000, shot
        pdf = _artifact_name(sample_run.out, path, ".pdf")
        assert pdf.read_bytes().startswith(b"%PDF"), pdf
        if shutil.which("pdftoppm"):
            printed = pdf.with_name(pdf.stem + "-first-printed-page.png")
            assert printed.is_file() and printed.stat().st_size > 5_000, printed
