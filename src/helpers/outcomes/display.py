"""Result frames made ready for a report table: counts suppressed, estimates on small groups
withheld, intervals in words, p-values in APA style.

The statistics stay in the tidy frames; this only decides what a reader may see. A row whose
count (any of ``n_cols``) is below the threshold shows that count as ``<N`` and every estimate,
interval and p-value on it as a dash, so nothing is published about fewer than ``suppress_below``
people (ONS 2019 disclosure guidance, as :mod:`helpers.report.disclosure` applies it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.report.disclosure import (ZERO_SPREAD_NOTE, SUPPRESSED_PCT, shown_count,
                                       suppression_codes, zero_spread)
from helpers.report.fmt import fmt_ci, fmt_int, fmt_num, fmt_pct

CI = "ci"          # pseudo-column: ci_low and ci_high as "0.31 to 0.53"
P_COLUMNS = ("p_value", "p_holm", "wilcoxon_p")


def fmt_p_short(p) -> str:
    """A p-value for a table cell: ``<0.001`` or three decimals; missing -> dash."""
    if p is None or not np.isfinite(float(p)):
        return SUPPRESSED_PCT
    return "<0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def format_estimates(df: pd.DataFrame, threshold: int, labels: Mapping[str, str],
                     n_cols: Sequence[str] = ("n",), pct_cols: Sequence[str] = (),
                     count_cols: Sequence[str] = (), int_cols: Sequence[str] = (),
                     dp: int = 2, partition_by: str | Sequence[str] | None = None,
                     spread_col: str = "sd") -> pd.DataFrame:
    """A display copy of a tidy result frame.

    Parameters
    ----------
    df : tidy result frame.
    threshold : ``suppress_below``.
    labels : source column -> display heading, in display order; the key ``"ci"`` makes a
        "95% CI" column from ``ci_low`` and ``ci_high``.
    n_cols : count columns; a row with any of them below the threshold has its counts shown as
        ``<N`` and all its estimates withheld.
    pct_cols : proportion columns (0 to 1) shown as percentages.
    count_cols : further counts, each shown as ``<N`` when small without withholding the row.
    int_cols : whole numbers that are not people counts (items, months), shown without decimals.
    dp : decimals for estimates.
    partition_by : column(s) whose values split the rows into groups whose first ``n_cols``
        column adds up to a known total (subgroups of one scale: the people who answered it),
        so complementary suppression is applied within each group (``[c]``).
    spread_col : the standard deviation column; a row whose spread is zero has its estimates
        withheld (every answer was the same, so the mean gives every answer) and the table's
        footnote says so.

    Returns
    -------
    DataFrame of strings with the display headings.
    """
    n_present = [c for c in n_cols if c in df.columns]
    counts = [c for c in dict.fromkeys([*n_present, *(c for c in count_cols if c in df.columns)])]
    codes = pd.DataFrame("", index=df.index, columns=counts, dtype=object)
    if counts and len(df):
        if partition_by is not None and n_present:
            for _, g in df.groupby(list(np.atleast_1d(partition_by)), sort=False):
                codes.loc[g.index, counts] = suppression_codes(g[counts], threshold).to_numpy()
        else:
            codes = suppression_codes(df[counts], threshold, totals_visible=False)
    rows = []
    uniform_any = False
    for i, r in df.iterrows():
        small = any(codes.at[i, c] for c in n_present)
        uniform = spread_col in r and zero_spread(r[spread_col])
        uniform_any |= bool(uniform and not small)
        small = small or uniform
        row = {}
        for src, label in labels.items():
            if src == CI:
                row[label] = SUPPRESSED_PCT if small else fmt_ci(r["ci_low"], r["ci_high"], dp)
            elif src in codes.columns:
                row[label] = shown_count(r[src], codes.at[i, src], threshold)
            elif src in int_cols:
                row[label] = fmt_int(r[src])
            elif src in P_COLUMNS:
                row[label] = SUPPRESSED_PCT if small else fmt_p_short(r[src])
            elif src in pct_cols:
                row[label] = SUPPRESSED_PCT if small else fmt_pct(r[src])
            elif isinstance(r[src], (int, float, np.integer, np.floating)) and not isinstance(
                    r[src], bool):
                row[label] = SUPPRESSED_PCT if small else fmt_num(r[src], dp)
            else:
                row[label] = "" if r[src] is None or (isinstance(r[src], float)
                                                      and np.isnan(r[src])) else str(r[src])
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(labels.values()))
    if uniform_any:
        out.attrs["notes"] = [ZERO_SPREAD_NOTE]
    return out
