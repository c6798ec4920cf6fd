"""The disclosure audit as a gate before publishing: a report that fails is not published.

``leadeval run`` asks :meth:`AuditGate.check` about each report a job produced before it writes
the file. The page is audited on its own and against the pages of its programme already in the
reports folder (:mod:`helpers.report.audit`): whichever of two pages that give each other away is
published second is refused, so every pair on disk was checked when the later one arrived. A
refused report is recorded as failed with the reason (manifest and index), and the last good
copy, if there is one, stays in place (marked stale).
"""

from __future__ import annotations

from pathlib import Path

from helpers.report.audit import (cross_report_findings, page_findings, programme_cohorts,
                                  quote_findings, scope_people, split_output)
from helpers.report.withheld import cohort_withheld
from helpers.report.fmt import plural

#: Findings listed in a refusal's reason; the rest are counted.
SHOWN = 3


class AuditGate:
    """Audit each report before it is published.

    Parameters
    ----------
    out : the reports folder (counterpart pages are read from it).
    dataset : a loaded :class:`helpers.data.Dataset` (participant ids, threshold, cohorts).
    cohort_pages : also refuse any page for a cohort that may not be reported on its own
        (:func:`helpers.report.withheld.cohort_withheld`). Off by default: the report notebooks
        never produce one (``open_report`` stops them as not applicable), while notebooks that
        do not open a report context, such as the runner's own fixtures, have no cohort data
        to give away; :func:`helpers.report.audit.audit_folder` always checks it.
    """

    def __init__(self, out: str | Path, dataset, cohort_pages: bool = False):
        self.out = Path(out)
        self.cohort_pages = cohort_pages
        self.dataset = dataset
        self.ids = dataset.participants["participant_id"].astype(str).tolist()
        self.threshold = int(dataset.suppress_below)
        self.cohorts = programme_cohorts(dataset)
        self._withheld = lambda p, c: cohort_withheld(dataset, p, c)

    def _counterparts(self, output: str) -> dict[str, str]:
        where = split_output(output)
        if where is None:
            return {}
        programme, _, notebook = where
        pages = {}
        for path in sorted((self.out / programme).glob(f"*/{notebook}")):
            key = path.relative_to(self.out).as_posix()
            if key != output:
                try:
                    pages[key] = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
        return pages

    def findings(self, output: str, html: str) -> list:
        """Every audit finding for ``html`` about to be published at ``output``."""
        found = page_findings(html, self.ids, self.threshold, output)
        people = scope_people(self.dataset, output)
        if people is not None:  # quotes are described by what people of the scope share
            found += quote_findings(html, people, self.threshold, output)
        pages = {**self._counterparts(output), output: html}
        withheld = self._withheld if self.cohort_pages else None
        cross = cross_report_findings(pages, self.cohorts, self.threshold, withheld)
        # a hidden cohort's old page is not this page's fault; a subtraction across the
        # programme's pages involves every one of them, this one included
        mine = [f for f in cross if f.location == output or f.kind == "cross_report_subtraction"]
        return found + mine

    def check(self, output: str, html: str) -> str | None:
        """None when ``html`` may be published at ``output``, else the reason it may not."""
        found = self.findings(output, html)
        if not found:
            return None
        listed = "; ".join(f"{f.kind}: {f.detail} ({f.location})" for f in found[:SHOWN])
        more = f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        return (f"not published: the disclosure audit found {plural(len(found), 'problem')}: "
                f"{listed}{more}")
