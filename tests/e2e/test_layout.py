"""Every table of every published sample report fits a 1280 px screen without scrolling sideways.

A table wider than its page scrolls inside its region on screen, and its last columns are off
to the right where a reader who does not think to scroll never sees them. The reports reflow
or split wide tables instead (:func:`helpers.report.display.longer_side_down`, the networks'
two per-wave tables, a framework matrix of the themes in scope); this measures each table
region in headless Chromium at 1280 px: its content must be no wider than its box.

Without Chromium the tests skip with the reason, except under ``CI=true``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import helpers.runner
from helpers.report.display import table_html

from .conftest import offline_browser, require_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: The stylesheet every published report carries.
REPORT_CSS = Path(helpers.runner.__file__).parent / "templates" / "leadeval" / "report.css"

#: Table regions whose content is wider than their box: (caption, content px, box px).
OVERFLOWING = """() => [...document.querySelectorAll('.le-table-wrap')]
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => [w.getAttribute('aria-label'), w.scrollWidth, w.clientWidth])"""


def _overflowing(pages) -> dict[str, list]:
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as p:
        browser, context = offline_browser(p)
        try:
            for path in pages:
                page = context.new_page()
                page.goto(path.as_uri(), wait_until="load")
                wide = page.evaluate(OVERFLOWING)
                page.close()
                if wide:
                    found[str(path)] = wide
        finally:
            context.close()
            browser.close()
    return found


def test_the_measure_catches_a_table_too_wide_for_the_screen(tmp_path):
    """The harness is live: a published-style table of 40 columns is reported."""
    require_chromium()
    wide = pd.DataFrame({f"Organisation number {i}": ["<5"] for i in range(40)})
    page = tmp_path / "wide.html"
    page.write_text(f'<!DOCTYPE html><html lang="en"><head><title>t</title><style>'
                    f'{REPORT_CSS.read_text(encoding="utf-8")}</style></head><body><main>'
                    f'{table_html(wide, "Forty organisations")}</main></body></html>',
                    encoding="utf-8")
    found = _overflowing([page])
    assert list(found) == [str(page)]
    caption, content, box = found[str(page)][0]
    assert caption == "Forty organisations" and content > box


def test_no_table_of_any_sample_report_scrolls_sideways_at_1280_px(sample_run):
    require_chromium()
    pages = sorted(sample_run.out.glob("*/*/*.html"))
    assert len(pages) > 50, sample_run.describe()
    found = _overflowing(pages)
    assert not found, "tables wider than a 1280 px screen:\n" + "\n".join(
        f"{page}: {caption!r} is {content} px in a {box} px region"
        for page, wide in found.items() for caption, content, box in wide)
