"""The published reports say the same thing after a refactor: text snapshots of a few reports.

A handful of the reports of the session's sample run (tests/e2e/conftest.py), reduced
to their readable text (:mod:`report_text`: tags stripped, whitespace collapsed, figures ignored)
and compared with tests/snapshots/reports/*.txt. A failure prints a unified diff of what a reader
would see change. After a deliberate change of content, rewrite the snapshots with
``LEADEVAL_UPDATE_SNAPSHOTS=1`` and explain the difference in the commit body.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from report_text import report_text

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots" / "reports"
UPDATE = os.environ.get("LEADEVAL_UPDATE_SNAPSHOTS") == "1"

#: The reports compared: the sections of one programme (it has no improvement projects, so those
#: come from a second, with its evaluation report), equality and value of a third, and one
#: cohort's evaluation report.
REPORTS = [
    "barts_kf_scl/all/10_reach_and_reaction",
    "barts_kf_scl/all/20_leadership_outcomes",
    "barts_kf_scl/all/30_qualitative_themes",
    "barts_kf_scl/all/50_networks",
    "barts_kf_scl/all/90_evaluation_report",
    "lcft_cetad/all/90_evaluation_report",
    "lcft_cetad/all/40_improvement_projects",
    "leeds_cihm/all/60_equality_and_value",
    "barts_kf_scl/barts_c01/90_evaluation_report",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def published(sample_run) -> Path:
    """The reports above, from the session's sample run (they are among its jobs)."""
    assert sample_run.returncode == 0, sample_run.describe()
    return sample_run.out


def snapshot_name(report: str) -> str:
    return report.replace("/", "__") + ".txt"


@pytest.mark.parametrize("report", REPORTS)
def test_published_report_text_matches_its_snapshot(published, report):
    page = published / f"{report}.html"
    assert page.is_file(), f"{report}.html was not published"
    text = report_text(page.read_text(encoding="utf-8")) + "\n"
    snapshot = SNAPSHOTS / snapshot_name(report)
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
        return
    assert snapshot.is_file(), (f"no snapshot {snapshot.relative_to(REPO_ROOT)}: "
                                "make it with LEADEVAL_UPDATE_SNAPSHOTS=1")
    expected = snapshot.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            text.splitlines(keepends=True),
                                            fromfile=f"snapshot/{report}", tofile=f"now/{report}"))
        pytest.fail(f"the text of {report} changed:\n{diff}", pytrace=False)


def test_report_text_keeps_numbers_and_sentences_and_drops_markup():
    page = ("<html><head><style>p{}</style></head><body><h2>Reach</h2>"
            "<p>Of <b>120</b> invited, 96&nbsp;took part.</p><img alt='x' src='data:image/png;base64,AAAA'>"
            "<script>var x=1</script><table><tr><th>Cohort</th><th>n</th></tr>"
            "<tr><td>c01</td><td>&lt;5</td></tr></table></body></html>")
    assert report_text(page) == "Reach\nOf 120 invited, 96 took part.\nCohort | n\nc01 | <5"
