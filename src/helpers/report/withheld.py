"""Which cohorts may be reported on their own: the rule the report context applies when a
notebook opens a cohort, and the disclosure audit applies to the pages it is given.

Kept apart from :mod:`helpers.report.context` so that the audit, which the runner's main
process runs on every page, does not import the plotting theme the context sets up.
"""

from __future__ import annotations

import pandas as pd

from helpers.report.disclosure import PRIMARY, group_codes


def programme_cohort_codes(full, programme_id: str) -> dict[str, str]:
    """Cohort id -> suppression code ("" shown) for one programme of a loaded dataset."""
    cohorts = full.cohorts.loc[full.cohorts["programme_id"] == programme_id, "cohort_id"].astype(str)
    counts = full.participants["cohort_id"].astype(str).value_counts()
    sizes = pd.Series({c: int(counts.get(c, 0)) for c in cohorts}, dtype=float)
    return group_codes(sizes, int(full.suppress_below)) if len(sizes) else {}


def cohort_withheld(full, programme_id: str, cohort_id: str) -> str | None:
    """Why a cohort's own reports must not be published, or None.

    A cohort is reported on its own only when no cohort of its programme is hidden: a hidden
    cohort's figures are the programme's minus the other cohorts', so with one hidden every
    cohort-level report would help give it away. The programme report covers everyone.
    """
    codes = programme_cohort_codes(full, programme_id)
    t = int(full.suppress_below)
    own = codes.get(str(cohort_id), "")
    if own == PRIMARY:
        return (f"This cohort has fewer than {t} participants, so it is reported only as part "
                "of its programme.")
    if own:
        return ("This cohort is reported only as part of its programme: the programme has a "
                f"cohort of fewer than {t}, and this cohort's size would let that one's be "
                "worked out from the programme total.")
    if any(codes.values()):
        return ("Cohorts of this programme are reported only together, in the programme's "
                f"reports: one cohort has fewer than {t} participants, and its figures would be "
                "the programme's minus the other cohorts'.")
    return None
