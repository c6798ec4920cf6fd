"""Statistical disclosure control and redaction for reports about NHS staff.

Small-number suppression follows the NHS Digital / ONS practice for aggregate tables:
counts below the threshold (``suppress_below`` in dataset.yaml, default 5) are shown as
``<N``, percentages built on them are withheld, and *secondary* suppression hides a further
cell wherever a single hidden cell could be recovered by subtraction from a visible total
(ONS, "Disclosure control guidance for tables produced from administrative data", 2019).
Zero counts are suppressed too: "none of the cohort left" discloses every member's status.

Redaction removes direct identifiers from free text before it is quoted: e-mail addresses,
UK telephone numbers, NHS numbers (ten digits, validated or not: a mistyped number is still
an identifier) and the names listed in dataset.yaml ``redact_names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.report.fmt import fmt_int, fmt_pct

SUPPRESSED_PCT = "–"


def is_suppressed(n, threshold: int) -> bool:
    """True when a count must not be shown: 0 <= n < threshold (missing counts are not)."""
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return False
    return 0 <= float(n) < threshold


def suppress_count(n, threshold: int) -> str:
    """Format a count for a report: ``<5`` below the threshold, else ``1,118``."""
    if is_suppressed(n, threshold):
        return f"<{threshold}"
    return fmt_int(n)


def disclosure_mask(counts: pd.DataFrame, threshold: int, axes: Sequence[str] = ("columns",),
                    totals_visible: bool = True) -> pd.DataFrame:
    """Cells to hide: primary (count < threshold) plus secondary suppression.

    Parameters
    ----------
    counts : DataFrame of non-negative counts.
    threshold : the ``suppress_below`` value.
    axes : which margins are (or could be) published as totals. ``"columns"``: each column's
        cells add up to a visible total (a long table of categories); ``"rows"``: each row's do.
    totals_visible : when False no secondary suppression is needed.

    Returns
    -------
    Boolean DataFrame, True where the cell must be hidden.

    Notes
    -----
    Secondary suppression (ONS 2019): along a margin with a visible total, a lone hidden cell
    could be recovered by subtraction, so the smallest visible non-hidden cell of that margin is
    hidden as well. Applied along every listed axis until nothing changes.
    """
    values = counts.astype(float)
    mask = (values >= 0) & (values < threshold)
    if not totals_visible:
        return mask
    changed = True
    while changed:
        changed = False
        for axis in axes:
            frame = mask if axis == "columns" else mask.T
            vals = values if axis == "columns" else values.T
            for col in frame.columns:
                hidden = frame[col]
                candidates = vals[col][~hidden & (vals[col] >= 0)]
                if hidden.sum() == 1 and len(candidates):
                    frame.loc[candidates.idxmin(), col] = True
                    changed = True
            mask = frame if axis == "columns" else frame.T
    return mask


def suppress_table(df: pd.DataFrame, count_cols: Iterable[str], threshold: int,
                   pct_cols: dict[str, str] | None = None, axes: Sequence[str] = ("columns",),
                   totals_visible: bool = True, pct_dp: int = 1) -> pd.DataFrame:
    """A display copy of ``df`` with counts formatted and small ones suppressed.

    Parameters
    ----------
    df : table with count columns (and optional proportion columns, 0 to 1).
    count_cols : columns holding counts.
    threshold : ``suppress_below``.
    pct_cols : mapping proportion column -> the count column it is built on; the proportion is
        withheld wherever that count is hidden.
    axes, totals_visible : passed to :func:`disclosure_mask` (secondary suppression).

    Returns
    -------
    DataFrame of strings for display: hidden counts read ``<N``, withheld percentages ``–``.
    """
    count_cols = list(count_cols)
    out = df.copy()
    mask = disclosure_mask(df[count_cols].fillna(-1), threshold, axes=axes,
                           totals_visible=totals_visible)
    for col in count_cols:
        out[col] = [
            f"<{threshold}" if hidden else fmt_int(v)
            for v, hidden in zip(df[col], mask[col])
        ]
    for pct_col, base in (pct_cols or {}).items():
        out[pct_col] = [
            SUPPRESSED_PCT if hidden else fmt_pct(p, pct_dp)
            for p, hidden in zip(df[pct_col], mask[base])
        ]
    return out


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# UK numbers: +44 or 0, then 9-10 more digits, optionally grouped by spaces, dots or hyphens.
_PHONE = re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?|\(?0)(?:[\s.-]?\d){9,10}(?!\d)")
# NHS numbers: ten digits, optionally as 3-3-4 with spaces or hyphens.
_NHS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")


def nhs_number_is_valid(number: str) -> bool:
    """Modulus 11 check of an NHS number (NHS Data Dictionary, "NHS Number").

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11), 11 -> 0, 10 invalid.
    """
    digits = re.sub(r"\D", "", str(number))
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Remove direct identifiers from a quote.

    E-mail addresses become ``[email]``, NHS numbers ``[NHS number]``, UK telephone numbers
    ``[phone]`` and each listed name (whole words, any case) ``[name]``. NHS numbers are
    replaced before phone numbers because a spaced NHS number also looks like a phone number.
    """
    if text is None:
        return ""
    out = _EMAIL.sub("[email]", str(text))
    out = _NHS.sub("[NHS number]", out)
    out = _PHONE.sub("[phone]", out)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", out, flags=re.IGNORECASE)
    return out
