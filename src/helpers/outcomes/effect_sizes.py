"""Standardised effect sizes for paired (before/after) designs, with confidence intervals.

Lakens (2013) distinguishes two standardisers for a within-person change:

* ``d_z = mean(diff) / sd(diff)`` (= t / sqrt(n)): the change relative to how much people's
  changes vary; what a paired t-test "sees".
* ``d_av = mean(diff) / ((sd_before + sd_after) / 2)``: the change relative to how much people
  differ at one time; comparable with between-group d, which is why Lakens recommends it for
  reporting, with Hedges' small-sample correction ``g_av = d_av * (1 - 3 / (4 (n - 1) - 1))``
  on the paired design's n - 1 degrees of freedom.

Confidence intervals use the noncentral t distribution (Steiger & Fouladi 1997; Cumming 2012):
the interval for the noncentrality parameter of the observed t (df = n - 1) is found by
inverting the noncentral t CDF, then divided by sqrt(n) for d_z. For d_av the same interval is
rescaled by ``sd(diff) / sd_av`` (Algina & Keselman 2003's approximation, which treats the
ratio of standardisers as known).

References
----------
Lakens D (2013). Calculating and reporting effect sizes to facilitate cumulative science: a
practical primer for t-tests and ANOVAs. Frontiers in Psychology 4:863.
Steiger JH, Fouladi RT (1997). Noncentrality interval estimation and the evaluation of
statistical models. In: Harlow, Mulaik, Steiger (eds) What if there were no significance tests?
Algina J, Keselman HJ (2003). Approximate confidence intervals for effect sizes. Educational and
Psychological Measurement 63(4):537-553.
Cumming G (2012). Understanding the new statistics. New York: Routledge.
Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
estimators. Journal of Educational Statistics 6(2):107-128.
Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to meta-analysis.
Chichester: Wiley (section 4.3: J = 1 - 3 / (4 df - 1)).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats


def noncentral_t_ci(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval for the noncentrality parameter of a t statistic.

    Parameters
    ----------
    t : observed t statistic.
    df : its degrees of freedom.
    level : confidence level.

    Returns
    -------
    (lower, upper) such that ``P(T <= t | ncp=lower) = 1 - a/2`` and
    ``P(T <= t | ncp=upper) = a/2`` (Steiger & Fouladi 1997). Missing when t or df is not
    finite or df < 1.

    Notes
    -----
    Each bound solves ``nctdtr(df, ncp, t) = target`` by Brent's method to 1e-10 (the
    noncentral t CDF decreases in ncp); a negative t is solved as -t and mirrored, where
    the noncentral CDF is most accurate.

    References
    ----------
    Steiger JH, Fouladi RT (1997), in Harlow, Mulaik, Steiger (eds) What if there were no
    significance tests? Cumming G (2012). Understanding the new statistics.

    Examples
    --------
    R, ``uniroot`` on ``pt(t, df, ncp)`` (tests/oracles/reference_stats.R, ``nct_ci``), gives
    0.5568401 to 5.3337169 for t = 3 on 9 df and -4.0317763 to 0.0770823 for t = -2 on 20:

    >>> [round(v, 7) for v in noncentral_t_ci(3.0, 9)]
    [0.5568401, 5.3337169]
    >>> [round(v, 7) for v in noncentral_t_ci(-2.0, 20)]
    [-4.0317763, 0.0770823]
    """
    if not (np.isfinite(t) and np.isfinite(df)) or df < 1:
        return np.nan, np.nan
    if t < 0:   # F(t; ncp) = 1 - F(-t; -ncp): solve for |t| and mirror
        lo, hi = noncentral_t_ci(-t, df, level)
        return -hi, -lo
    a = 1 - level

    def cdf(ncp: float) -> float:
        # scipy.stats.nct.cdf evaluates exactly this (nct._cdf), after argument checks that
        # cost more than the function itself when brentq calls it hundreds of times
        value = special.nctdtr(df, ncp, t)
        if np.isnan(value):   # scipy's series fails far in the tails: the limit is known
            return 0.0 if ncp > t else 1.0
        return float(value)

    def bound(target: float) -> float:
        # cdf decreases in ncp: bracket around t generously, then solve.
        width = 10 + abs(t)
        lo, hi = t - width, t + width
        while cdf(lo) < target:
            lo -= width
        while cdf(hi) > target:
            hi += width
        return optimize.brentq(lambda ncp: cdf(ncp) - target, lo, hi, xtol=1e-10)

    return bound(1 - a / 2), bound(a / 2)


def hedges_correction(df: float) -> float:
    """Hedges' small-sample correction factor for a standardised mean difference.

    Parameters
    ----------
    df : float
        Degrees of freedom of the standardiser: n - 1 for a paired design of n pairs
        (n1 + n2 - 2 for two independent groups).

    Returns
    -------
    float
        ``J = 1 - 3 / (4 df - 1)``, Hedges' (1981) approximation to the exact
        ``Gamma(df/2) / (sqrt(df/2) Gamma((df - 1)/2))`` (within 0.0005 of it from df = 9 on);
        NaN when df < 1.

    Notes
    -----
    For two independent groups ``4 (n1 + n2 - 2) - 1 = 4 N - 9``, the form of Lakens (2013,
    equation 4). His worked paired example (g_av = 1.08 for ten pairs) put N = 2n there, as
    if the two measurements came from twenty different people; the paired standardiser is
    estimated from the n people, so df = n - 1 (Borenstein et al. 2009 use the df of the
    standardiser in every design).

    References
    ----------
    Hedges LV (1981). J Educ Stat 6(2):107-128. Borenstein M et al. (2009). Introduction to
    meta-analysis, section 4.3. Lakens D (2013). Front Psychol 4:863.

    Examples
    --------
    Ten pairs (df = 9); R: ``1 - 3 / (4 * (10 - 1) - 1)`` is 0.9142857:

    >>> round(hedges_correction(9), 7)
    0.9142857
    """
    if not np.isfinite(df) or df < 1:
        return float("nan")
    return 1 - 3 / (4 * df - 1)


def paired_effect_sizes(before, after, level: float = 0.95) -> dict[str, float]:
    """Effect sizes for a paired change ``after - before`` (Lakens 2013).

    Parameters
    ----------
    before, after : paired observations (pairs with a missing value are dropped).
    level : confidence level for the intervals.

    Returns
    -------
    dict with ``n, mean_diff, sd_diff, sd_before, sd_after, r, t, d_z, d_z_low, d_z_high,
    d_av, d_av_low, d_av_high, g_av``. Everything standardised is missing when the standardiser
    is zero (everyone changed by the same amount, or nobody varied) or n < 2.

    Notes
    -----
    d_z = M_diff / SD_diff (Lakens 2013, eq. 6); d_av = M_diff / ((SD_1 + SD_2) / 2) (eq.
    9); g_av = d_av * (1 - 3 / (4 (n - 1) - 1)) (:func:`hedges_correction` with df = n - 1).
    Intervals by noncentral t inversion for t = d_z * sqrt(n), df = n - 1
    (:func:`noncentral_t_ci`); the d_av interval is the d_z interval times SD_diff / SD_av
    (Algina & Keselman 2003). No interval is given for g_av.

    Missing data: a pair with either value missing is dropped (complete pairs only); SDs are
    sample SDs (ddof = 1) of the complete pairs.

    References
    ----------
    Lakens D (2013). Front Psychol 4:863. Algina J, Keselman HJ (2003). Educ Psychol Meas
    63(4):537-553. Hedges LV (1981). J Educ Stat 6(2):107-128.

    Examples
    --------
    Lakens' (2013) Table 1: ten people rate two films. R (``t.test(paired = TRUE)``, the
    oracle's ``nct_ci`` by ``uniroot`` on ``pt(t, df, ncp)``) gives t 4.743416, d_z 1.5
    (0.5605142 to 2.403436), d_av 1.128696 (0.4217668 to 1.8085) and g_av 1.031951:

    >>> es = paired_effect_sizes([9, 6, 7, 8, 7, 9, 8, 8, 8, 7], [9, 7, 8, 9, 8, 9, 9, 10, 9, 9])
    >>> {k: round(es[k], 6) for k in ("t", "d_z", "d_z_low", "d_z_high")}
    {'t': 4.743416, 'd_z': 1.5, 'd_z_low': 0.560514, 'd_z_high': 2.403436}
    >>> {k: round(es[k], 6) for k in ("d_av", "d_av_low", "d_av_high", "g_av")}
    {'d_av': 1.128696, 'd_av_low': 0.421767, 'd_av_high': 1.8085, 'g_av': 1.031951}
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(x.size)
    out = dict.fromkeys(["mean_diff", "sd_diff", "sd_before", "sd_after", "r", "t", "d_z",
                         "d_z_low", "d_z_high", "d_av", "d_av_low", "d_av_high", "g_av"], np.nan)
    out["n"] = n
    if n == 0:
        return out
    diff = y - x
    out["mean_diff"] = float(diff.mean())
    if n < 2:
        return out
    sd_diff = float(diff.std(ddof=1))
    sd1, sd2 = float(x.std(ddof=1)), float(y.std(ddof=1))
    out.update(sd_diff=sd_diff, sd_before=sd1, sd_after=sd2)
    if sd1 > 0 and sd2 > 0:
        out["r"] = float(np.corrcoef(x, y)[0, 1])
    sd_av = (sd1 + sd2) / 2
    if sd_diff > 0:
        d_z = out["mean_diff"] / sd_diff
        t = d_z * np.sqrt(n)
        lo, hi = noncentral_t_ci(t, n - 1, level)
        root = float(np.sqrt(n))
        out.update(t=float(t), d_z=d_z, d_z_low=float(lo) / root, d_z_high=float(hi) / root)
        if sd_av > 0:
            scale = sd_diff / sd_av
            out.update(d_av_low=out["d_z_low"] * scale, d_av_high=out["d_z_high"] * scale)
    if sd_av > 0:
        out["d_av"] = out["mean_diff"] / sd_av
        out["g_av"] = out["d_av"] * hedges_correction(n - 1)
    return out
