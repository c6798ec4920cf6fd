"""Ordinary least squares with CR2 cluster-robust standard errors and Satterthwaite degrees of
freedom (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), as R's clubSandwich computes them
for ``lm()``: the fallback of :mod:`helpers.outcomes.mixed` when a mixed model cannot be fitted.

Notes
-----
With ``M = (X'X)^-1``, residuals ``e`` and ``H_gg = X_g M X_g'`` the hat-matrix block of
cluster ``g``, the bias-reduced (CR2) estimator is

    V = M [sum_g X_g' A_g e_g e_g' A_g X_g] M,    A_g = (I - H_gg)^(-1/2)

(the symmetric inverse square root; eigenvalues below 1e-12 are treated as zero, as
clubSandwich does), exactly unbiased when the errors are independent and homoscedastic (the
working model). The Satterthwaite df of a contrast ``c'beta`` matches the first two moments of
``c'Vc`` under that working model: with ``u_g = A_g X_g M c`` and ``w_g = X_g' u_g``,
``c'Vc = sum_g (p_g'y)^2`` for vectors ``p_g`` whose cross-products are
``Omega_gh = [g = h] u_g'u_g - w_g' M w_h``, so

    df = (sum_g Omega_gg)^2 / sum_{g,h} Omega_gh^2

computed from p x p products without forming the G x G matrix. Tests use Student's t on that
df. With few clusters CR1 with a normal reference is anti-conservative; CR2 with Satterthwaite
df keeps the nominal level closely even with a handful of clusters (Pustejovsky & Tipton 2018).

Missing data: rows with a missing outcome or covariate are the caller's to drop; a person with
one answer is a cluster of one.

References
----------
Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression with
multi-stage samples. Survey Methodology 28:169-181.
Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance estimation
and hypothesis testing in fixed effects models. Journal of Business & Economic Statistics
36:672-683.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.outcomes.contrast import Contrast, t_contrast

#: Eigenvalues of I - H_gg at or below this count as zero (clubSandwich's Sym_power tolerance).
EIGEN_TOL = 1e-12
#: A CR2 variance below this share of the homoscedastic one is taken as zero.
DEGENERATE = 1e-10


def _inverse_sqrt(blocks: np.ndarray) -> np.ndarray:
    """Symmetric (pseudo-)inverse square roots of a stack of symmetric matrices."""
    vals, vecs = np.linalg.eigh(blocks)
    inv = np.where(vals > EIGEN_TOL, 1.0 / np.sqrt(np.where(vals > EIGEN_TOL, vals, 1.0)), 0.0)
    return np.einsum("gij,gj,gkj->gik", vecs, inv, vecs)


@dataclass(frozen=True)
class Cr2Fit:
    """OLS coefficients with their CR2 covariance; :meth:`contrast` adds Satterthwaite df."""

    params: pd.Series
    covariance: pd.DataFrame
    nobs: int
    n_clusters: int
    _bread: np.ndarray = field(repr=False)      # (X'X)^-1
    _X: np.ndarray = field(repr=False)
    _AX: np.ndarray = field(repr=False)         # rows of A_g X_g, in data order
    _codes: np.ndarray = field(repr=False)
    _model_cov: np.ndarray = field(repr=False)  # s^2 (X'X)^-1, the homoscedastic covariance

    def cov_params(self) -> pd.DataFrame:
        return self.covariance

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.covariance.to_numpy())), index=self.params.index)

    def satterthwaite_df(self, L: Sequence[float]) -> float:
        """clubSandwich's Satterthwaite df for ``L'beta`` (module docstring)."""
        Mc = self._bread @ np.asarray(L, dtype=float)
        u = self._AX @ Mc
        uu = np.bincount(self._codes, weights=u**2, minlength=self.n_clusters)
        W = np.column_stack([np.bincount(self._codes, weights=self._X[:, j] * u,
                                         minlength=self.n_clusters)
                             for j in range(self._X.shape[1])])
        wMw = np.einsum("ga,ab,gb->g", W, self._bread, W)
        MS = self._bread @ (W.T @ W)
        total = uu.sum() - wMw.sum()
        squares = (uu**2).sum() - 2 * (uu * wMw).sum() + np.sum(MS * MS.T)
        return float(total**2 / squares) if squares > 0 else np.nan

    def contrast(self, L: Sequence[float]) -> Contrast:
        """``L'beta`` with its CR2 standard error, Satterthwaite df, t, p and 95% interval."""
        L = np.asarray(L, dtype=float)
        est = float(L @ self.params.to_numpy())
        var = float(L @ self.covariance.to_numpy() @ L)
        if not var > DEGENERATE * float(L @ self._model_cov @ L):
            # Every cluster behind this contrast is fitted exactly (leverage one): the robust
            # variance is rounding noise, and no interval can be given.
            return t_contrast(est, np.nan, np.nan)
        return t_contrast(est, float(np.sqrt(var)), self.satterthwaite_df(L))


def fit_ols_cr2(X: np.ndarray | pd.DataFrame, y: Sequence[float], cluster: Sequence) -> Cr2Fit:
    """OLS of ``y`` on ``X`` with CR2 standard errors clustered by ``cluster``.

    Parameters
    ----------
    X : design (n x p, full column rank; a DataFrame's columns name the coefficients).
    y : outcome (n), no missing values.
    cluster : cluster of each row (participant).

    Returns
    -------
    :class:`Cr2Fit`.

    Examples
    --------
    >>> X = np.column_stack([np.ones(10), [0, 1] * 5])
    >>> y = [2.9, 3.6, 3.8, 4.1, 3.1, 3.7, 3.5, 4.0, 3.4, 3.9]
    >>> c = fit_ols_cr2(X, y, cluster=list("aabbccddef")).contrast([0, 1])
    >>> round(c.estimate, 6), round(c.se, 6), round(c.df, 4), round(c.p_value, 7)
    (0.52, 0.068118, 4.5455, 0.0009302)

    In R (clubSandwich 0.5.8), ``linear_contrast(lm(y ~ w), vcov = "CR2", cluster = p,
    contrasts = matrix(c(0, 1), 1), test = "Satterthwaite", p_values = TRUE)``: estimate 0.52,
    SE 0.0681, df 4.55, 95% CI 0.339 to 0.701, p 0.0009301996.
    """
    names = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in
                                                                  range(np.shape(X)[1])]
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    codes = pd.factorize(np.asarray(cluster))[0]
    n_clusters = int(codes.max()) + 1
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ (X.T @ y)
    resid = y - X @ beta
    AX = np.empty_like(X)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=n_clusters)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for size in np.unique(sizes):
        # every cluster of this size at once: rows (clusters, size) into the sorted order
        rows = order[starts[sizes == size][:, None] + np.arange(size)[None, :]]
        Xg = X[rows]                                           # (clusters, size, p)
        H = np.einsum("gia,ab,gjb->gij", Xg, bread, Xg)
        A = _inverse_sqrt(np.eye(size)[None] - H)
        AX[rows] = np.einsum("gij,gja->gia", A, Xg)
    score = AX * resid[:, None]
    S = np.column_stack([np.bincount(codes, weights=score[:, j], minlength=n_clusters)
                         for j in range(X.shape[1])])
    cov = bread @ (S.T @ S) @ bread
    return Cr2Fit(params=pd.Series(beta, index=names),
                  covariance=pd.DataFrame(cov, index=names, columns=names), nobs=len(y),
                  n_clusters=n_clusters, _bread=bread, _X=X, _AX=AX, _codes=codes,
                  _model_cov=bread * float(resid @ resid) / (len(y) - X.shape[1]))
