"""Linear mixed model with random intercepts for people, optionally nested in clusters, fitted
by REML to its maximum (a variance of zero included), with Satterthwaite degrees of freedom.

Model, for observation t of person i in cluster j (lme4:
``y ~ X + (1 | cluster) + (1 | cluster:person)``, or ``y ~ X + (1 | person)``)::

    y_ijt = x_ijt' beta + u_j + v_ij + e_ijt,   u ~ N(0, s_c^2), v ~ N(0, s_p^2), e ~ N(0, s^2)

Notes
-----
**Criterion.** As lme4 (Bates et al. 2015, eqs. 34 and 41), the relative standard deviations
``theta = (s_p / s, s_c / s)`` are estimated by minimising the profiled REML deviance

    d(theta) = log|V| + log|X'V^-1 X| + (n - p) (1 + log(2 pi r^2 / (n - p)))

with ``V = I + s_p^2/s^2 ZZ' + s_c^2/s^2 WW'`` and ``r^2`` the generalised residual sum of
squares at the GLS estimate ``beta``; then ``s^2 = r^2 / (n - p)`` and the REML log-likelihood
is ``-d / 2``. With intercepts only, ``V`` is block diagonal by cluster, and within a cluster
it is a rank-one update of a block-diagonal matrix of rank-one updates, so the Woodbury
identity gives ``X'V^-1X``, ``X'V^-1y``, ``y'V^-1y`` and ``log|V|`` from per-person sums
(``n_i``, ``sum x``, ``sum y``) in time proportional to the number of people: with
``a = theta_p^2``, ``d_i = 1 / (1 + n_i a)``, ``m_j = sum_i n_i d_i`` and ``b = theta_c^2``,
``X'V^-1X = X'X - sum_i a d_i Sx_i Sx_i' - sum_j b / (1 + b m_j) Tx_j Tx_j'`` with
``Tx_j = sum_{i in j} d_i Sx_i``, and ``log|V| = sum_i log(1 + n_i a) + sum_j log(1 + b m_j)``.

**Optimum.** The deviance is minimised over ``theta >= 0`` by L-BFGS-B (central-difference
gradients) and by Powell's method from lme4's start (``theta = 1``), and on every boundary
face (each subset of the components held at zero: the variance lme4 reports as 0 when a fit is
singular); the lowest deviance is kept and its face is recorded in ``boundary``. A variance at
zero is therefore the estimate whenever the likelihood there is the highest, not a point an
optimiser may stop short of.

**Fixed effects.** ``beta`` is the GLS estimate and its covariance ``s^2 (X'V^-1X)^-1`` (Laird
& Ware 1982; lme4's ``vcov``), not the inverse observed information of all parameters.

**Degrees of freedom.** For a contrast ``L'beta`` with variance ``f(phi) = L' C(phi) L``,
``phi = (theta, s)``, Satterthwaite's ``df = 2 f^2 / (g' A g)`` with ``g`` the gradient of
``f`` and ``A = 2 H^+`` the asymptotic covariance of ``phi``, ``H`` the Hessian of the
(unprofiled) REML deviance in ``phi`` and ``^+`` the pseudo-inverse over eigenvalues above
1e-8 — lmerTest's construction (Kuznetsova et al. 2017), with the derivatives by adaptive
finite differences (:func:`scipy.differentiate.hessian` and ``jacobian``, Richardson-style as
R's numDeriv). The deviance is even in each ``theta``, so at a boundary the zero component
adds nothing to ``g' A g``.

**Missing data.** Rows with a missing outcome or covariate are the caller's to drop; people
with one observation contribute to every variance. Under REML estimates are valid when data
are missing at random given the covariates and the person's other answers.

References
----------
Laird NM, Ware JH (1982). Random-effects models for longitudinal data. Biometrics 38:963-974.
Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects models using lme4.
Journal of Statistical Software 67(1):1-48.
Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests in linear mixed
effects models. Journal of Statistical Software 82(13):1-26.
Satterthwaite FE (1946). An approximate distribution of estimates of variance components.
Biometrics Bulletin 2:110-114.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import optimize

from helpers.outcomes.contrast import Contrast, t_contrast

#: Eigenvalues of the deviance Hessian at or below this are treated as zero (lmerTest's tol).
HESSIAN_TOL = 1e-8
_LOG_2PI = float(np.log(2 * np.pi))


class LmmFitError(ValueError):
    """The mixed model cannot be fitted; ``reason`` says why in words for a report."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Sums:
    """The data reduced to what the REML criterion needs: per-person sums of ``[X, y]``, their
    outer products and the cluster each person belongs to."""

    n_obs: int
    p: int
    cross: np.ndarray          # [X y]'[X y], (p+1) x (p+1)
    n_i: np.ndarray            # observations per person
    sums: np.ndarray           # per person: column sums of [X y]
    outer: np.ndarray          # per person: vec(sums_i sums_i')
    owner: np.ndarray | None   # cluster code of each person (people sorted by it), or None
    starts: np.ndarray | None  # index of each cluster's first person

    @property
    def k(self) -> int:
        return 1 if self.owner is None else 2


def _sums(X: np.ndarray, y: np.ndarray, person: np.ndarray, cluster: np.ndarray | None) -> _Sums:
    Xy = np.column_stack([X, y])
    key = person if cluster is None else pd.MultiIndex.from_arrays([cluster, person])
    # sorted codes: with clusters, people come in cluster order, for per-cluster sums by
    # np.add.reduceat
    codes, uniques = pd.factorize(key, sort=True)
    n_people = len(uniques)
    n_i = np.bincount(codes, minlength=n_people).astype(float)
    sums = np.zeros((n_people, Xy.shape[1]))
    np.add.at(sums, codes, Xy)
    outer = np.einsum("ia,ib->iab", sums, sums).reshape(n_people, -1)
    owner = starts = None
    if cluster is not None:
        owner = pd.factorize(uniques.get_level_values(0), sort=True)[0]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    return _Sums(len(y), X.shape[1], Xy.T @ Xy, n_i, sums, outer, owner, starts)


@dataclass(frozen=True)
class _State:
    """``[X y]'V^-1[X y]`` at one theta, its GLS solution and, with ``grad``, the derivatives
    of it and of ``log|V|`` with respect to each variance ratio ``theta^2``."""

    XVX: np.ndarray
    inv: np.ndarray
    beta: np.ndarray
    r2: float
    logdet_v: float
    logdet_x: float
    dC: list[np.ndarray]
    dlogdet_v: np.ndarray


def _state(theta: np.ndarray, s: _Sums, grad: bool = True) -> _State:
    """Woodbury sums of the module docstring. Raises LinAlgError where X'V^-1X is not
    positive definite."""
    p, q = s.p, s.p + 1
    a = theta[0] ** 2
    d = 1.0 / (1.0 + a * s.n_i)
    C = s.cross - ((a * d) @ s.outer).reshape(q, q)
    logdet_v = float(np.log1p(a * s.n_i).sum())
    dC, dlog = [], []
    if s.owner is None:
        if grad:
            g = d[:, None] * s.sums
            dC.append(-(g.T @ g))
            dlog.append(float((s.n_i * d).sum()))
    else:
        b = theta[1] ** 2
        m = np.add.reduceat(s.n_i * d, s.starts)
        T = np.add.reduceat(d[:, None] * s.sums, s.starts, axis=0)
        c = b / (1.0 + b * m)
        C = C - (T * c[:, None]).T @ T
        logdet_v += float(np.log1p(b * m).sum())
        if grad:
            g = d[:, None] * (s.sums - (s.n_i * c[s.owner])[:, None] * T[s.owner])
            h = T / (1.0 + b * m)[:, None]
            dC += [-(g.T @ g), -(h.T @ h)]
            dlog += [float((s.n_i * d - (s.n_i * d) ** 2 * c[s.owner]).sum()),
                     float((m / (1.0 + b * m)).sum())]
    XVX, XVy = C[:p, :p], C[:p, p]
    chol = np.linalg.cholesky(XVX)
    inv = np.linalg.inv(XVX)
    beta = inv @ XVy
    return _State(XVX, inv, beta, float(C[p, p] - XVy @ beta), logdet_v,
                  float(2 * np.log(np.diag(chol)).sum()), dC, np.asarray(dlog))


def _quad_r2(st: _State, dC: np.ndarray) -> float:
    """d r^2 from dC: r^2 = u'Cu at u = (-beta, 1), and the beta-derivative vanishes."""
    u = np.append(-st.beta, 1.0)
    return float(u @ dC @ u)


def _profiled(ratio: np.ndarray, s: _Sums) -> tuple[float, np.ndarray]:
    """Profiled REML deviance (lme4's REML criterion) at variance ratios ``theta^2`` and its
    gradient in them; inf where it is not defined. In the ratios the gradient at zero is the
    one-sided slope there (in theta it would vanish), so a bounded search can leave the
    boundary when the likelihood rises away from it."""
    ratio = np.asarray(ratio, dtype=float)
    try:
        st = _state(np.sqrt(np.abs(ratio)), s)
    except np.linalg.LinAlgError:
        return np.inf, np.zeros_like(ratio)
    dof = s.n_obs - s.p
    if not st.r2 > 0:
        return np.inf, np.zeros_like(ratio)
    dev = st.logdet_v + st.logdet_x + dof * (1 + _LOG_2PI + np.log(st.r2 / dof))
    grad = np.array([st.dlogdet_v[j] + np.sum(st.inv * st.dC[j][: s.p, : s.p])
                     + dof * _quad_r2(st, st.dC[j]) / st.r2 for j in range(len(ratio))])
    return float(dev), grad


def _gradient_vp(varpar: np.ndarray, s: _Sums) -> np.ndarray:
    """Gradient of the REML deviance at (theta, sigma), not profiled: lmerTest's
    ``devfun_vp``, ``log|V| + log|X'V^-1X| + r^2/sigma^2 + (n-p) log(2 pi sigma^2)``."""
    theta, sigma = varpar[:-1], varpar[-1]
    st = _state(theta, s)
    d_theta = [2 * theta[j] * (st.dlogdet_v[j] + np.sum(st.inv * st.dC[j][: s.p, : s.p])
                               + _quad_r2(st, st.dC[j]) / sigma**2) for j in range(len(theta))]
    d_sigma = -2 * st.r2 / sigma**3 + 2 * (s.n_obs - s.p) / sigma
    return np.array(d_theta + [d_sigma])


def _cov_beta(varpar: np.ndarray, s: _Sums) -> np.ndarray:
    """sigma^2 (X'V^-1X)^-1 at (theta, sigma): lmerTest's ``get_covbeta``."""
    return varpar[-1] ** 2 * _state(varpar[:-1], s, grad=False).inv


def _jacobian(fun, x: np.ndarray, s: _Sums, levels: int = 4) -> np.ndarray:
    """Jacobian of ``fun`` at ``x`` (output shape + (len(x),)) by central differences with
    Richardson extrapolation over ``levels`` halvings of the step, the scheme of R's numDeriv
    (first step 1e-4 |x|, or 1e-4 at zero), which lmerTest uses. Hand-written because
    scipy.differentiate's adaptive loop took twenty times as long for these few dozen
    evaluations."""
    cols = []
    for j in range(len(x)):
        h = 1e-4 * abs(x[j]) if abs(x[j]) > 1e-5 else 1e-4
        est = []
        for _ in range(levels):
            e = np.zeros(len(x))
            e[j] = h
            est.append((np.asarray(fun(x + e, s)) - np.asarray(fun(x - e, s))) / (2 * h))
            h /= 2
        for m in range(1, levels):
            est = [(4**m * est[i + 1] - est[i]) / (4**m - 1) for i in range(len(est) - 1)]
        cols.append(est[0])
    return np.stack(cols, axis=-1)


def _minimise(s: _Sums) -> list[tuple[float, np.ndarray, str]]:
    """Candidate optima of the profiled deviance over variance ratios ``theta^2 >= 0``: the
    optimum on every boundary face (each subset of the components held at zero), L-BFGS-B
    over all components from lme4's start (theta = 1), and a second optimiser (truncated
    Newton, TNC) from the best of those, which leaves a boundary if the likelihood rises
    inside. Returns (deviance, theta, how found) for each."""
    k = s.k
    found = []
    everything = list(range(k))

    def search(start, method, label, free):
        def on_face(r):
            full = np.zeros(k)
            full[free] = r
            dev, grad = _profiled(full, s)
            return dev, grad[free]

        opts = ({"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000} if method == "L-BFGS-B"
                else {"ftol": 1e-14, "gtol": 1e-10, "xtol": 1e-12, "maxfun": 1000})
        res = optimize.minimize(on_face, start, method=method, jac=True,
                                bounds=[(0, None)] * len(free), options=opts)
        full = np.zeros(k)
        full[free] = np.sqrt(np.maximum(res.x, 0.0))
        found.append((float(res.fun), full, label))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        found.append((_profiled(np.zeros(k), s)[0], np.zeros(k), "boundary"))
        for n_zero in range(1, k):
            for zero in combinations(everything, n_zero):
                free = [j for j in everything if j not in zero]
                search(np.ones(len(free)), "L-BFGS-B", "L-BFGS-B on the boundary", free)
        search(np.ones(k), "L-BFGS-B", "L-BFGS-B", everything)
        best = min(found, key=lambda f: f[0])[1]
        search(np.maximum(best**2, 1e-4), "TNC", "truncated Newton", everything)
    return found


@dataclass(frozen=True)
class LmmFit:
    """A REML fit: what lme4's ``lmer`` and lmerTest report.

    ``params`` and ``cov_params()`` are the fixed effects and ``s^2 (X'V^-1X)^-1``; ``theta``
    the relative standard deviations (participant first, as lme4 orders the nested terms);
    ``variances`` the variance components; ``boundary`` the components estimated as zero;
    ``optimiser`` which search found the optimum. :meth:`contrast` tests ``L'beta`` with
    Satterthwaite df."""

    params: pd.Series
    covariance: pd.DataFrame
    theta: np.ndarray
    sigma: float
    variances: dict[str, float]
    reml_loglik: float
    nobs: int
    boundary: tuple[str, ...]
    optimiser: str
    vcov_varpar: np.ndarray = field(repr=False)
    jacobian: np.ndarray = field(repr=False)      # (k + 1, p, p): d cov(beta) / d varpar

    def cov_params(self) -> pd.DataFrame:
        return self.covariance

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.covariance.to_numpy())), index=self.params.index)

    def satterthwaite_df(self, L: Sequence[float]) -> float:
        """Satterthwaite df of ``L'beta`` (lmerTest's ``contest1D``)."""
        L = np.asarray(L, dtype=float)
        var = float(L @ self.covariance.to_numpy() @ L)
        grad = np.einsum("a,kab,b->k", L, self.jacobian, L)
        denom = float(grad @ self.vcov_varpar @ grad)
        return 2 * var**2 / denom if denom > 0 else np.nan

    def contrast(self, L: Sequence[float]) -> Contrast:
        """``L'beta`` with its standard error, Satterthwaite df, t, p and 95% interval."""
        L = np.asarray(L, dtype=float)
        se = float(np.sqrt(L @ self.covariance.to_numpy() @ L))
        return t_contrast(float(L @ self.params.to_numpy()), se, self.satterthwaite_df(L))


def fit_lmm(X: np.ndarray | pd.DataFrame, y: Sequence[float], person: Sequence,
            cluster: Sequence | None = None) -> LmmFit:
    """Fit ``y ~ X + (1 | cluster) + (1 | cluster:person)`` (or ``+ (1 | person)`` without
    ``cluster``) by REML to its maximum, as lme4 + lmerTest.

    Parameters
    ----------
    X : fixed-effect design (n x p, full column rank; a DataFrame's columns name the effects).
    y : outcome (n), no missing values.
    person : person of each row; with ``cluster``, people are ``cluster:person`` pairs, as in
        lme4, so the same id in two clusters is two people.
    cluster : cluster of each row (cohort), or None for a person intercept only.

    Returns
    -------
    :class:`LmmFit`. Raises :class:`LmmFitError` when the model cannot be fitted: no person
    with more than one observation (lme4 refuses such a model: the person variance cannot be
    told apart from the residual), no residual degrees of freedom, a design not of full rank,
    or no finite optimum.

    Examples
    --------
    Six people in three cohorts at two waves, four answering twice:

    >>> X = np.column_stack([np.ones(10), [0, 1] * 5])
    >>> y = [2.9, 3.6, 3.8, 4.1, 3.1, 3.7, 3.5, 4.0, 3.4, 3.9]
    >>> fit = fit_lmm(X, y, person=list("aabbccddef"), cluster=list("xxxxyyyyzz"))
    >>> round(fit.reml_loglik, 6), fit.boundary
    (-0.815427, ('cohort',))
    >>> {k: round(v, 6) for k, v in fit.variances.items()}
    {'cohort': 0.0, 'participant': 0.058113, 'residual': 0.013686}
    >>> c = fit.contrast([0, 1])
    >>> round(c.estimate, 6), round(c.se, 6), round(c.df, 4), round(c.p_value, 6)
    (0.523863, 0.08082, 3.6452, 0.004003)
    >>> round(c.ci_low, 5), round(c.ci_high, 5)
    (0.29059, 0.75714)

    In R (lme4 1.1-31, lmerTest 3.1-3), ``fit <- lmer(y ~ w + (1 | g) + (1 | g:p), REML =
    TRUE)``: logLik -0.8154270, variances 0 (cohort, a singular fit), 0.05811320 and
    0.01368640; ``contest1D(fit, c(0, 1), confint = TRUE)``: estimate 0.5238628, SE
    0.08082032, df 3.645190, p 0.004002599, 95% CI 0.2905876 to 0.7571381.
    """
    names = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in
                                                                  range(np.shape(X)[1])]
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    person = np.asarray(person)
    cluster = None if cluster is None else np.asarray(cluster)
    n, p = X.shape
    if n - p <= 0:
        raise LmmFitError("there are no more answers than model terms")
    if np.linalg.matrix_rank(X) < p:
        raise LmmFitError("the fixed-effect design is not of full rank")
    s = _sums(X, y, person, cluster)
    if len(s.n_i) >= n:
        raise LmmFitError("nobody answered more than once, so differences between "
                          "participants cannot be told apart from other variation")
    k = s.k
    found = [f for f in _minimise(s) if np.isfinite(f[0])]
    if not found:
        raise LmmFitError("the REML criterion has no finite optimum")
    dev, theta, how = min(found, key=lambda f: f[0])
    # Prefer the boundary when its deviance ties (a search can stop a hair inside it).
    faces = [f for f in found if f[0] <= dev + 1e-9 and np.sum(f[1] == 0) > np.sum(theta == 0)]
    if faces:
        dev, theta, how = max(faces, key=lambda f: np.sum(f[1] == 0))
    st = _state(theta, s, grad=False)
    dev = _profiled(theta**2, s)[0]
    sigma = float(np.sqrt(st.r2 / (n - p)))
    cov = sigma**2 * np.linalg.inv(st.XVX)
    varpar = np.append(theta, sigma)
    hess = _jacobian(_gradient_vp, varpar, s)
    jac = _jacobian(_cov_beta, varpar, s)            # (p, p, k + 1)
    vals, vecs = np.linalg.eigh((hess + hess.T) / 2)
    pos = vals > HESSIAN_TOL
    vcov_varpar = 2 * (vecs[:, pos] / vals[pos]) @ vecs[:, pos].T
    labels = ("participant", "cohort")[:k]
    variances = {lab: float((t * sigma) ** 2) for lab, t in zip(labels, theta, strict=True)}
    variances = {**({"cohort": variances["cohort"]} if k == 2 else {}),
                 "participant": variances["participant"], "residual": sigma**2}
    return LmmFit(params=pd.Series(st.beta, index=names),
                  covariance=pd.DataFrame(cov, index=names, columns=names),
                  theta=theta, sigma=sigma, variances=variances, reml_loglik=-dev / 2,
                  nobs=n, boundary=tuple(lab for lab, t in zip(labels, theta, strict=True)
                                         if t == 0),
                  optimiser=how, vcov_varpar=vcov_varpar,
                  jacobian=np.moveaxis(jac, -1, 0))
