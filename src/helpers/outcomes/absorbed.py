"""Least squares with one set of group fixed effects absorbed, and standard errors clustered by
a second grouping: the national-scale fallback of :mod:`helpers.outcomes.mixed`.

At national scale a programme family has hundreds of cohorts. Entering each as a dummy column
(``score ~ ... + C(cohort_id)``) makes the design dense and hundreds of columns wide (250,000 x
800 for 100,000 participants), which took minutes and gigabytes in patsy and in the SVD behind
statsmodels' least squares. By the Frisch-Waugh-Lovell theorem the other coefficients of that
regression are exactly those of a regression of the within-cohort deviations of the outcome on
the within-cohort deviations of the other columns (Frisch & Waugh 1933; Lovell 1963), and the
residuals are the same. The cluster-robust sandwich of those coefficients is also unchanged:
the rows of the inverse cross-product matrix that belong to them, applied to the full design,
give the demeaned design. So only the small-sample factor needs the full model's size.

We apply the factor statsmodels (and Stata's ``regress, vce(cluster)``) applies to the dummy
regression, ``G/(G-1) * (N-1)/(N-K)`` with ``K`` counting the absorbed columns (an intercept and
one per cohort but the first) — Stata's ``areg`` convention, so results equal the dummy fit to
rounding. Cameron & Miller (2015, section IIIB) note that when the fixed effects are nested in
the clusters they need not be counted; counting them is the conservative choice and keeps the
fallback identical to the model its docstring names.

Contrasts are tested against Student's t on ``G - 1`` degrees of freedom (``G`` clusters), as
Stata does after ``vce(cluster)`` and as Cameron & Miller (2015, section VIC) recommend, not
against the normal distribution: with few clusters the Wald z is anti-conservative. This
fallback is used only for programmes of more than a thousand people, where ``G - 1`` is large
and the two references nearly coincide; the small-sample fallback of
:mod:`helpers.outcomes.mixed` is CR2 (:mod:`helpers.outcomes.cr2`).

References
----------
Frisch R, Waugh FV (1933). Partial time regressions as compared with individual trends.
Econometrica 1:387-401.
Lovell MC (1963). Seasonal adjustment of economic time series and multiple regression analysis.
JASA 58:993-1010.
Cameron AC, Miller DL (2015). A practitioner's guide to cluster-robust inference. Journal of
Human Resources 50:317-372.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.sandwich_covariance import cov_cluster

from helpers.outcomes.contrast import Contrast, t_contrast


def demean_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each column of ``values`` (n x k, or n) minus its mean within its group.

    ``groups`` are integer codes 0..G-1 (``pandas.factorize``). Vectorised with ``np.bincount``:
    one pass per column, no loop over groups.
    """
    arr = np.asarray(values, dtype=float)
    flat = arr.ndim == 1
    cols = arr.reshape(len(arr), -1)
    counts = np.bincount(groups)
    means = np.column_stack([np.bincount(groups, weights=cols[:, j], minlength=len(counts))
                             for j in range(cols.shape[1])]) / counts[:, None]
    out = cols - means[groups]
    return out[:, 0] if flat else out


@dataclass(frozen=True)
class AbsorbedFit:
    """The coefficients and their cluster-robust covariance (the parts :mod:`mixed` reads).

    ``params`` and ``cov_params()`` are labelled like a statsmodels result of the dummy-variable
    regression, without its intercept and cohort terms."""

    params: pd.Series
    covariance: pd.DataFrame
    nobs: int
    n_clusters: int
    n_absorbed: int

    def cov_params(self) -> pd.DataFrame:
        return self.covariance

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.covariance.to_numpy())), index=self.params.index)

    @property
    def df(self) -> int:
        """Degrees of freedom of the t reference: clusters - 1."""
        return self.n_clusters - 1

    def contrast(self, L) -> Contrast:
        """``L'beta`` with its clustered standard error and a t reference on G - 1 df.

        Examples
        --------
        >>> fit = AbsorbedFit(pd.Series([0.5], index=["b"]), pd.DataFrame([[0.04]]), 40, 11, 2)
        >>> c = fit.contrast([1.0])
        >>> c.df, round(c.p_value, 6), round(c.ci_low, 6)
        (10.0, 0.031447, 0.054372)

        In R: ``2 * pt(-0.5 / 0.2, 10)`` is 0.03144684 and ``0.5 - qt(0.975, 10) * 0.2``
        0.05437223.
        """
        L = np.asarray(L, dtype=float)
        se = float(np.sqrt(L @ self.covariance.to_numpy() @ L))
        return t_contrast(float(L @ self.params.to_numpy()), se, self.df)


def fit_absorbed_ols(df: pd.DataFrame, formula: str, absorb: str, cluster: str) -> AbsorbedFit:
    """OLS of ``formula`` plus fixed effects for ``absorb``, errors clustered by ``cluster``.

    Equal (to rounding) to ``smf.ols(formula + " + C(absorb)", df).fit(cov_type="cluster",
    cov_kwds={"groups": codes of cluster})`` without building the dummy columns; see the
    module docstring for why that holds. The formula is expanded by patsy (through
    statsmodels) on its own terms only, which stays narrow however many groups there are.
    """
    design = smf.ols(formula, df)
    names = [n for n in design.exog_names if n != "Intercept"]
    keep = [i for i, n in enumerate(design.exog_names) if n != "Intercept"]
    absorbed = pd.factorize(df[absorb])[0]
    y = demean_within(design.endog, absorbed)
    x = demean_within(design.exog[:, keep], absorbed)
    fit = sm.OLS(y, x).fit()
    clusters = pd.factorize(df[cluster])[0]
    cov = cov_cluster(fit, clusters, use_correction=False)
    n_obs, n_groups = len(y), int(clusters.max()) + 1
    # Columns of the dummy regression: ours, an intercept, and one per absorbed group but the first.
    n_absorbed = int(absorbed.max()) + 1
    k_full = len(names) + n_absorbed
    cov = cov * (n_groups / (n_groups - 1.0)) * ((n_obs - 1.0) / (n_obs - k_full))
    return AbsorbedFit(params=pd.Series(fit.params, index=names),
                       covariance=pd.DataFrame(cov, index=names, columns=names),
                       nobs=n_obs, n_clusters=n_groups, n_absorbed=n_absorbed)
