"""Multiple testing: Holm's step-down adjustment over a stated family of tests.

A report that shows many p-values says which of them form a family, and adjusts within it:
the family-wise error rate (the chance of any false positive among the family's tests) is then
at most 0.05 whatever the dependence between the tests (Holm 1979). Which tests belong together
is a decision about the report's questions, not arithmetic, so each report states its families
in words (:func:`family_sentence`) beside the tables that use them.

Tests about fewer people than the disclosure threshold are not reported, and a test that is not
reported is not counted in a family (:func:`holm_family`); nor is a test that could not be
computed (p missing).

References
----------
Holm S (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
Statistics 6:65-70.
Bender R, Lange S (2001). Adjusting for multiple testing: when and how? Journal of Clinical
Epidemiology 54:343-349 (state the family; confirmatory and exploratory tests apart).
"""

from __future__ import annotations

import numpy as np


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values over one family.

    Parameters
    ----------
    p_values : array-like of float
        The family's p-values; NaN for a test that was not carried out.

    Returns
    -------
    ndarray
        With the m finite p-values sorted, p_(1) <= ... <= p_(m), the k-th adjusted value is
        ``min(1, max_{j <= k} (m - j + 1) p_(j))``, returned in the input order. Missing
        p-values are left out of the family (they do not count in m) and stay missing.

    Notes
    -----
    The arithmetic of statsmodels ``multipletests(method="holm")`` and R's
    ``p.adjust(method = "holm")``, without statsmodels' ``gc.collect()`` on every call (slow in
    a busy process).

    References
    ----------
    Holm S (1979). Scand J Stat 6:65-70.

    Examples
    --------
    R: ``p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")`` gives 0.03 0.06 0.06 0.02:

    >>> holm([0.01, 0.04, 0.03, 0.005]).round(6).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> holm([0.01, float("nan"), 0.04]).round(6).tolist()
    [0.02, nan, 0.04]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q = p[ok]
        order = np.argsort(q, kind="stable")
        adj = np.maximum.accumulate(q[order] * np.arange(q.size, 0, -1))
        back = np.empty_like(adj)
        back[order] = np.minimum(adj, 1.0)
        out[ok] = back
    return out


def holm_family(p_values, n=None, threshold: int = 0) -> np.ndarray:
    """Holm over the reported tests of a family: those about at least ``threshold`` people.

    Parameters
    ----------
    p_values : array-like of float
        One p-value per test (NaN: not computed).
    n : array-like of int, optional
        People behind each test; a test with ``n < threshold`` is withheld from the report
        and so left out of the family (its adjusted p is NaN).
    threshold : int, default 0
        The report's ``suppress_below``.

    Returns
    -------
    ndarray of adjusted p-values, NaN for tests outside the family.

    Examples
    --------
    The third test is about 3 people, below a threshold of 5, so the family has two tests
    (R: ``p.adjust(c(0.01, 0.04), "holm")`` gives 0.02 0.04):

    >>> holm_family([0.01, 0.04, 0.001], n=[20, 30, 3], threshold=5).round(6).tolist()
    [0.02, 0.04, nan]
    """
    p = np.asarray(p_values, dtype=float).copy()
    if n is not None:
        p[np.asarray(n, dtype=float) < threshold] = np.nan
    return holm(p)


def family_size(p_holm) -> int:
    """Tests in a family: the adjusted p-values that are not missing.

    >>> family_size([0.02, float("nan"), 0.04])
    2
    """
    return int(np.isfinite(np.asarray(p_holm, dtype=float)).sum())


def family_sentence(name: str, m: int, covers: str) -> str:
    """One sentence stating a Holm family: its name, size and the tests it covers.

    >>> family_sentence("Change between surveys", 27, "every scale at every pair of surveys")
    'Change between surveys: one Holm family of 27 tests, every scale at every pair of surveys.'
    """
    tests = "test" if m == 1 else "tests"
    return f"{name}: one Holm family of {m:,} {tests}, {covers}."
