"""Within-person change in scale scores between two waves (baseline -> post, -> follow-up).

Only people who answered both waves count (complete pairs). For each scale the change is
reported as a mean with its 95% confidence interval from the paired t distribution, tested with
the paired t-test and, because Likert scale scores are bounded and often skewed, the Wilcoxon
signed-rank test too; standardised as d_z and d_av with intervals (Lakens 2013). Each table's
p-values are adjusted by Holm's step-down method (:func:`helpers.multiplicity.holm`), which
controls the family-wise error rate without assuming independence (Holm 1979); a report that
puts several tables in one family adjusts again over that family (the outcomes report: every
scale at every pair of surveys).

References
----------
Student (1908). The probable error of a mean. Biometrika 6:1-25.
Wilcoxon F (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1:80-83.
Holm S (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
Statistics 6:65-70.
Lakens D (2013). Frontiers in Psychology 4:863.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.multiplicity import holm
from helpers.outcomes.effect_sizes import paired_effect_sizes
from helpers.scales import wide_scores

__all__ = ["CHANGE_COLUMNS", "RANK_DIGITS", "holm", "paired_test", "rank_rounded",
           "scale_change", "subgroup_change", "wave_pairs", "wilcoxon_method"]

CHANGE_COLUMNS = ["scale", "from_wave", "to_wave", "estimate", "ci_low", "ci_high", "p_value",
                  "n", "mean_from", "mean_to", "t", "wilcoxon_p", "d_z", "d_z_low", "d_z_high",
                  "d_av", "d_av_low", "d_av_high", "g_av", "p_holm"]


def paired_test(before, after, level: float = 0.95) -> dict[str, float]:
    """Mean paired change with its confidence interval, paired t-test and Wilcoxon test.

    Parameters
    ----------
    before, after : paired observations; pairs with a missing value are dropped.
    level : confidence level.

    Returns
    -------
    dict: ``estimate`` (mean of after - before), ``ci_low``, ``ci_high``, ``p_value``
    (two-sided paired t-test, :func:`scipy.stats.ttest_rel`), ``t``, ``wilcoxon_p``
    (two-sided signed-rank test, :func:`scipy.stats.wilcoxon`, zero differences dropped as
    Wilcoxon 1945 did, differences ranked after :func:`rank_rounded`; exact or normal
    approximation, see :func:`wilcoxon_method`), ``n``
    (complete pairs), ``mean_from``, ``mean_to`` and the effect sizes of
    :func:`helpers.outcomes.effect_sizes.paired_effect_sizes`.

    Notes
    -----
    With d = after - before, t = mean(d) / (sd(d) / sqrt(n)) on n - 1 df, and
    CI = mean(d) +/- t_{1-a/2, n-1} * sd(d) / sqrt(n). When every difference is identical the
    interval collapses to the point and no test is possible (p missing); with no pairs
    everything but ``n = 0`` is missing.

    Missing data: a pair with either value missing is dropped (complete pairs).

    References
    ----------
    Student (1908). Biometrika 6:1-25. Wilcoxon F (1945). Biometrics Bulletin 1:80-83.

    Examples
    --------
    Lakens' (2013) ten pairs; R's ``t.test(after, before, paired = TRUE)`` gives 0.5230954 to
    1.4769046, p 0.001053871, and ``wilcox.test(..., exact = FALSE, correct = FALSE)``
    (ties, so the normal approximation) p 0.008299216:

    >>> r = paired_test([9, 6, 7, 8, 7, 9, 8, 8, 8, 7], [9, 7, 8, 9, 8, 9, 9, 10, 9, 9])
    >>> [round(r[k], 7) for k in ("estimate", "ci_low", "ci_high")]
    [1.0, 0.5230954, 1.4769046]
    >>> f"{r['p_value']:.6e} {r['wilcoxon_p']:.6e}"
    '1.053871e-03 8.299216e-03'
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(x.size)
    es = paired_effect_sizes(x, y, level)
    out = {"estimate": es["mean_diff"], "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
           "n": n, "mean_from": float(x.mean()) if n else np.nan,
           "mean_to": float(y.mean()) if n else np.nan, "t": es["t"], "wilcoxon_p": np.nan}
    for k in ("d_z", "d_z_low", "d_z_high", "d_av", "d_av_low", "d_av_high", "g_av"):
        out[k] = es[k]
    if n < 2:
        return out
    diff = y - x
    sd = diff.std(ddof=1)
    if sd == 0:
        out["ci_low"] = out["ci_high"] = out["estimate"]
        return out
    half = float(stats.t.ppf(1 - (1 - level) / 2, n - 1) * sd / np.sqrt(n))
    out["ci_low"], out["ci_high"] = out["estimate"] - half, out["estimate"] + half
    with warnings.catch_warnings():
        # near-identical answers: scipy warns of precision loss; the estimate stands
        warnings.simplefilter("ignore", RuntimeWarning)
        out["p_value"] = float(stats.ttest_rel(y, x).pvalue)
        ranked = rank_rounded(diff)
        if (ranked != 0).any():
            out["wilcoxon_p"] = float(stats.wilcoxon(ranked, zero_method="wilcox",
                                                     method=wilcoxon_method(diff)).pvalue)
    return out


#: Significant digits differences are rounded to before they are ranked, as R's
#: ``wilcox.test(digits.rank = 7)``: scale scores are means of a few items, so differences
#: such as 8/6 - 7/6 and 9/6 - 8/6 are equal, but not in floating point.
RANK_DIGITS = 7


#: A difference this small is rounding noise (the same mean of items summed in another
#: order), a zero: scale scores differ by at least a fraction of a point.
ZERO_DIFFERENCE = 1e-9


def rank_rounded(diffs) -> np.ndarray:
    """Differences rounded to :data:`RANK_DIGITS` significant digits, so that differences
    equal in exact arithmetic tie when ranked; those within :data:`ZERO_DIFFERENCE` of zero
    are zeros.

    >>> d = np.array([8 / 6 - 7 / 6, 9 / 6 - 8 / 6, 0.1 + 0.2 - 0.3, -1.0])
    >>> bool(d[0] == d[1]), bool(rank_rounded(d)[0] == rank_rounded(d)[1])   # a sixth each
    (False, True)
    >>> float(d[2]), float(rank_rounded(d)[2])
    (5.551115123125783e-17, 0.0)
    """
    d = np.asarray(diffs, dtype=float)
    out = np.zeros_like(d)
    nz = np.abs(d) > ZERO_DIFFERENCE
    scale = 10.0 ** (np.floor(np.log10(np.abs(d[nz]))) - (RANK_DIGITS - 1))
    out[nz] = np.round(d[nz] / scale) * scale
    return out


def wilcoxon_method(diffs) -> str:
    """How the signed-rank p-value is computed, by R's rule (``wilcox.test``).

    ``"exact"`` for up to 50 non-zero differences with no zero difference and no ties among
    the absolute differences (after :func:`rank_rounded`); otherwise ``"asymptotic"``: the
    normal approximation with the tie-corrected variance and no continuity correction.
    R's ``wilcox.test`` declines the exact distribution when there are zeros; scipy's
    ``"auto"`` would run a permutation test for small samples with ties, slow for Likert
    scores and no more useful.

    Examples
    --------
    >>> wilcoxon_method([0.5, -1.0, 2.0]), wilcoxon_method([0.5, 0.0, 2.0])
    ('exact', 'asymptotic')
    >>> wilcoxon_method([8 / 6 - 7 / 6, 9 / 6 - 8 / 6, 1.0])   # a tie in exact arithmetic
    'asymptotic'
    """
    d = rank_rounded(diffs)
    a = np.abs(d[d != 0])
    exact = a.size <= 50 and a.size == d.size and np.unique(a).size == a.size
    return "exact" if exact else "asymptotic"


def scale_change(scores: pd.DataFrame, from_wave: str = "baseline", to_wave: str = "post",
                 rater: str = "self", instrument_id: str | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Change in every scale between two waves, for the people who answered both.

    Parameters
    ----------
    scores : output of :func:`helpers.scales.score_scales`.
    from_wave, to_wave : the waves compared (``to - from``).
    rater : rater type (``"self"`` for self-assessment).
    instrument_id : restrict to one instrument.
    level : confidence level.

    Returns
    -------
    Tidy DataFrame, one row per scale, columns ``scale, from_wave, to_wave, estimate, ci_low,
    ci_high, p_value, n, mean_from, mean_to, t, wilcoxon_p, d_z, d_z_low, d_z_high, d_av,
    d_av_low, d_av_high, g_av, p_holm`` (see :func:`paired_test`); ``p_holm`` is the Holm
    adjustment across the scales in the table (Holm 1979). A report whose family is wider
    (several wave pairs or instruments) adjusts ``p_value`` again over it.

    Missing data: complete pairs per scale (a person can count for one scale and not another).

    Examples
    --------
    Two scales, three people. R: ``t.test(c(4, 5, 4.5), c(3, 4, 4), paired = TRUE)`` gives
    p 0.03774955 for vision, ``t.test(c(3, 4, 4), c(3, 3, 4), paired = TRUE)`` 0.4226497 for
    team, and ``p.adjust(c(0.03774955, 0.4226497), "holm")`` 0.0754991 0.4226497:

    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "participant_id": ["a", "b", "c"] * 4, "rater": "self",
    ...     "scale": ["vision"] * 6 + ["team"] * 6,
    ...     "wave": (["baseline"] * 3 + ["post"] * 3) * 2,
    ...     "score": [3, 4, 4, 4, 5, 4.5, 3, 3, 4, 3, 4, 4]})
    >>> out = scale_change(scores)
    >>> print(out[["scale", "n", "estimate", "p_value", "p_holm"]].to_string(index=False))
     scale  n  estimate  p_value   p_holm
      team  3  0.333333  0.42265 0.422650
    vision  3  0.833333  0.03775 0.075499
    """
    return _change_from_wide(_paired_wide(scores, from_wave, to_wave, rater, instrument_id),
                             from_wave, to_wave, level)


def _paired_wide(scores: pd.DataFrame, from_wave: str, to_wave: str, rater: str,
                 instrument_id: str | None) -> pd.DataFrame:
    """One row per participant and scale, a column per wave compared."""
    s = scores if instrument_id is None else scores[scores["instrument_id"] == instrument_id]
    return wide_scores(s, [from_wave, to_wave], rater=rater)


def _change_from_wide(wide: pd.DataFrame, from_wave: str, to_wave: str,
                      level: float) -> pd.DataFrame:
    """:func:`scale_change` of an already-pivoted table (see :func:`_paired_wide`)."""
    rows = []
    for scale, g in wide.groupby("scale", sort=False):
        res = paired_test(g[from_wave], g[to_wave], level)
        rows.append({"scale": scale, "from_wave": from_wave, "to_wave": to_wave, **res})
    out = pd.DataFrame(rows, columns=[c for c in CHANGE_COLUMNS if c != "p_holm"])
    out["p_holm"] = holm(out["p_value"]) if len(out) else pd.Series(dtype=float)
    return out[CHANGE_COLUMNS].reset_index(drop=True)


def subgroup_change(scores: pd.DataFrame, participants: pd.DataFrame, by: str,
                    from_wave: str = "baseline", to_wave: str = "post", rater: str = "self",
                    instrument_id: str | None = None, threshold: int = 5,
                    level: float = 0.95) -> pd.DataFrame:
    """:func:`scale_change` within each subgroup (profession, organisation, cohort...).

    Parameters
    ----------
    scores : scale scores; participants : the participants table (holds ``by``).
    by : participants column defining the subgroups.
    threshold : ``suppress_below``: a subgroup with fewer complete pairs has its estimates
        withheld (set missing) and ``suppressed`` True, so nothing about fewer than
        ``threshold`` people is published.

    Returns
    -------
    The :func:`scale_change` columns plus ``by`` (the subgroup value) and ``suppressed``.
    ``p_holm`` adjusts over one family: every subgroup shown by every scale of the table
    (subgroup comparisons are exploratory, so they are a family of their own, apart from the
    overall change). Withheld subgroups are not in the family.

    Missing data: complete pairs only, as :func:`scale_change`; participants with no value of
    ``by`` are in no subgroup.

    Examples
    --------
    Two professions, one scale. R: ``t.test(paired = TRUE)`` gives p 0.03774955 (medical,
    3 people) and 0.07960498 (nursing, 4); ``p.adjust(c(0.03774955, 0.07960498), "holm")``
    0.0754991 0.07960498. With a threshold of 4 the medical group is withheld and the family
    is nursing's one test:

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"participant_id": list("abcdefg") * 2, "rater": "self",
    ...                        "scale": "vision", "wave": ["baseline"] * 7 + ["post"] * 7,
    ...                        "score": [3, 4, 4, 3, 2, 3, 4, 4, 5, 4.5, 3.5, 3, 3, 5]})
    >>> people = pd.DataFrame({"participant_id": list("abcdefg"),
    ...                        "profession": ["medical"] * 3 + ["nursing"] * 4})
    >>> cols = ["profession", "n", "p_value", "p_holm", "suppressed"]
    >>> print(subgroup_change(scores, people, "profession", threshold=3)[cols].to_string(index=False))
    profession  n  p_value   p_holm  suppressed
       medical  3 0.037750 0.075499       False
       nursing  4 0.079605 0.079605       False
    >>> print(subgroup_change(scores, people, "profession", threshold=4)[cols].to_string(index=False))
    profession  n  p_value   p_holm  suppressed
       medical  3      NaN      NaN        True
       nursing  4 0.079605 0.079605       False
    """
    # Pivot once and split the wide table: pivoting each subgroup's scores again cost more
    # than the tests themselves. An inner merge keeps the wide table's (participant, scale)
    # order, so each subgroup's table is the one its own pivot would give.
    wide = _paired_wide(scores, from_wave, to_wave, rater, instrument_id)
    merged = wide.merge(participants[["participant_id", by]], on="participant_id", how="inner")
    frames = []
    for value, g in merged.groupby(by, sort=True):
        res = _change_from_wide(g, from_wave, to_wave, level)
        res.insert(0, by, value)
        frames.append(res)
    if not frames:
        return pd.DataFrame(columns=[by] + CHANGE_COLUMNS + ["suppressed"])
    out = pd.concat(frames, ignore_index=True)
    out["suppressed"] = out["n"] < threshold
    stat_cols = [c for c in CHANGE_COLUMNS if c not in ("scale", "from_wave", "to_wave", "n")]
    out.loc[out["suppressed"], stat_cols] = np.nan
    out["p_holm"] = holm(out["p_value"])
    return out


def wave_pairs(waves_present: Sequence[str]) -> list[tuple[str, str]]:
    """The comparisons worth making from the waves in the data: baseline -> post, baseline ->
    follow-up, post -> follow-up (in that order, when both waves exist)."""
    present = set(waves_present)
    pairs = [("baseline", "post"), ("baseline", "follow_up"), ("post", "follow_up")]
    return [p for p in pairs if p[0] in present and p[1] in present]
