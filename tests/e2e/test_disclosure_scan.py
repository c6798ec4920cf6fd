"""Disclosure control checked, not assumed: scan every published report of the sample run.

The scanner (helpers.report.scan) reads each HTML page back and looks for participant ids,
e-mail addresses, UK phone numbers, NHS numbers with a valid check digit, counts below the
dataset's ``suppress_below`` in count cells, generated sentences and alt text, a total that
recovers a single hidden cell, and anything that would make the page fetch or run something.
"""

from __future__ import annotations

import pytest

from helpers.report.scan import ACTIVE_KINDS, DISCLOSURE_KINDS, OFFLINE_KINDS, scan_file

pytestmark = pytest.mark.slow


def _listing(findings, limit: int = 60) -> str:
    lines = [f"{f.kind}: {f.detail} at {f.location}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def sample_findings(sample_run, sample_ids, sample_threshold):
    """Findings of every published page of the sample run (index included)."""
    assert sample_run.reports, f"the sample run published nothing:\n{sample_run.describe()}"
    return [f for path in sample_run.reports
            for f in scan_file(path, sample_ids, sample_threshold, root=sample_run.out)]


def test_sample_run_publishes_every_job(sample_run):
    jobs = sample_run.manifest.get("jobs", [])
    assert jobs, f"manifest.json lists no jobs:\n{sample_run.describe()}"
    not_ok = [(j["output"], j["status"], j.get("error")) for j in jobs
              if j["status"] not in ("ok", "not_applicable")]
    assert not not_ok, not_ok
    assert sample_run.returncode == 0, sample_run.describe()
    published = {p.relative_to(sample_run.out).as_posix() for p in sample_run.reports}
    ok = {j["output"] for j in jobs if j["status"] == "ok"}
    assert ok | {"index.html"} <= published
    assert not published & {j["output"] for j in jobs if j["status"] == "not_applicable"}


def test_no_identifier_or_small_count_in_any_report(sample_findings):
    leaks = [f for f in sample_findings if f.kind in DISCLOSURE_KINDS]
    assert not leaks, "disclosure findings:\n" + _listing(leaks)


def test_no_remote_resource_or_active_content_in_any_report(sample_findings):
    unsafe = [f for f in sample_findings if f.kind in OFFLINE_KINDS | ACTIVE_KINDS]
    assert not unsafe, "offline-safety findings:\n" + _listing(unsafe)


def test_scanner_sees_the_reports_it_passes(sample_run, sample_ids, sample_threshold):
    """Guard against a vacuous pass: the pages hold tables, figures and the sample's own
    organisations, and a participant id planted in a copy of one page is found."""
    from helpers.report.scan import parse_html

    pages = sorted(sample_run.reports, key=lambda p: p.name != "90_evaluation_report.html")
    page = pages[0] if pages[0].name != "index.html" else pages[1]
    markup = page.read_text(encoding="utf-8")
    doc = parse_html(markup)
    assert doc.tables and any(e.tag == "img" for e in doc.elements), page
    planted = markup.replace("</main>", f"<p>{sorted(sample_ids)[0]}</p></main>", 1)
    from helpers.report.scan import scan_html

    assert "participant_id" in {f.kind for f in scan_html(planted, sample_ids, sample_threshold)}
