"""One linear contrast of fixed effects with a t reference: the shape every change model in
:mod:`helpers.outcomes.mixed` returns, whatever produced the standard error and the degrees of
freedom (Satterthwaite for the mixed model and for CR2, G - 1 for CR1 clustered errors)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Contrast:
    """Estimate, standard error, degrees of freedom, t, two-sided p and 95% interval."""

    estimate: float
    se: float
    df: float
    t: float
    p_value: float
    ci_low: float
    ci_high: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def t_contrast(estimate: float, se: float, df: float, level: float = 0.95) -> Contrast:
    """A contrast tested against Student's t on ``df`` degrees of freedom.

    ``t = estimate / se``, ``p = 2 P(T_df > |t|)``, interval ``estimate +/- t_{df, (1+level)/2}
    se`` (as lmerTest's ``contest1D`` and clubSandwich's ``linear_contrast``). A missing, zero
    or infinite standard error, or missing or non-positive df, gives missing t, p and interval.

    Examples
    --------
    >>> c = t_contrast(0.5, 0.2, 10)
    >>> round(c.t, 4), round(c.p_value, 6), round(c.ci_low, 6), round(c.ci_high, 6)
    (2.5, 0.031447, 0.054372, 0.945628)

    In R: ``2 * pt(-2.5, 10)`` is 0.03144684 and ``0.5 + c(-1, 1) * qt(0.975, 10) * 0.2`` is
    0.05437223 0.94562777.
    """
    est, se, df = float(estimate), float(se), float(df)
    if not (np.isfinite(se) and se > 0 and np.isfinite(df) and df > 0):
        return Contrast(est, se, df, np.nan, np.nan, np.nan, np.nan)
    t = est / se
    q = float(stats.t.ppf(0.5 + level / 2, df))
    return Contrast(est, se, df, t, float(2 * stats.t.sf(abs(t), df)), est - q * se,
                    est + q * se)
