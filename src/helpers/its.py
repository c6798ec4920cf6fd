"""Interrupted time series: segmented regression of a level and slope change.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the evaluation
of public health interventions: a tutorial. Int J Epidemiol 2017;46(1):348-355 (and its
correction: the slope change is the interaction of the intervention with time since the last
pre-intervention point).
Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D. Segmented regression analysis of interrupted time
series studies in medication use research. J Clin Pharm Ther 2002;27:299-309.
Lopez Bernal J, Cummins S, Gasparrini A. The use of controls in interrupted time series
studies of public health interventions. Int J Epidemiol 2018;47(6):2082-2093.
Linden A. Conducting interrupted time-series analysis for single- and multiple-group
comparisons. Stata J 2015;15(2):480-500 (the fully interacted model with a control series).
Newey WK, West KD. Automatic lag selection in covariance matrix estimation. Rev Econ Stud
1994;61:631-653.
Zeileis A. Econometric computing with HC and HAC covariance matrix estimators. J Stat Softw
2004;11(10):1-17 (R's sandwich::NeweyWest; lmtest::coeftest with the residual df).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

FAMILIES = ("gaussian", "poisson", "quasipoisson")
TERMS = ("pre_slope", "level_change", "slope_change")


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) rule of thumb for the HAC lag length: floor(4 (n/100)^(2/9))."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def its_method(family: str = "gaussian", lags: int | None = None, df: float | None = None) -> str:
    """The method of a :func:`segmented_regression` fit in words, for a table note."""
    if family == "gaussian":
        lag = f", {lags} lags" if lags is not None else ""
        on = f" on {df:g} residual degrees of freedom" if df is not None else \
            " on the residual degrees of freedom"
        return (f"segmented regression, least squares with Newey-West standard errors{lag}; "
                f"t intervals{on}")
    return (f"segmented {family} regression; Wald intervals (normal quantiles)")


def design_matrix(df: pd.DataFrame, time: str, intervention: str, harmonics: int = 0,
                  period: float = 12, slope_change: bool = True) -> pd.DataFrame:
    """Columns of the segmented regression: const, pre_slope (time), level_change (0/1),
    slope_change (time since the last pre-intervention point, 0 before) and Fourier pairs
    ``sin1, cos1, ...`` = sin/cos(2 pi k time / period) for k = 1..harmonics.

    A datetime ``time`` column is replaced by the position of each row (1, 2, ...), so one unit
    is one period of the series.
    """
    t = df[time]
    if pd.api.types.is_datetime64_any_dtype(t):
        t = pd.Series(np.arange(1, len(t) + 1, dtype=float), index=df.index)
    t = t.astype(float)
    x = df[intervention].astype(float)
    if not set(np.unique(x)) <= {0.0, 1.0}:
        raise ValueError(f"{intervention!r} must be a 0/1 column")
    if x.min() == x.max():
        raise ValueError("segmented regression needs points both before and after the intervention")
    X = pd.DataFrame({"const": 1.0, "pre_slope": t, "level_change": x}, index=df.index)
    if slope_change:
        last_pre = t[x == 0].max()
        X["slope_change"] = (t - last_pre) * x
    for k in range(1, harmonics + 1):
        X[f"sin{k}"] = np.sin(2 * np.pi * k * t / period)
        X[f"cos{k}"] = np.cos(2 * np.pi * k * t / period)
    return X


def segmented_regression(df: pd.DataFrame, outcome: str, time: str, intervention: str,
                         family: str = "gaussian", offset: str | None = None, harmonics: int = 0,
                         period: float = 12, slope_change: bool = True, maxlags: int | None = None,
                         alpha: float = 0.05) -> pd.DataFrame:
    """Segmented regression for an interrupted time series (Lopez Bernal et al. 2017).

    Model: g(E[y_t]) = b0 + b1 t + b2 X_t + b3 (t - T0) X_t [+ Fourier terms] [+ log(offset)],
    where X_t is 1 from the intervention on and T0 the last pre-intervention time.

    Parameters
    ----------
    df : DataFrame
        One row per time point, in time order, no gaps.
    outcome, time, intervention : str
        Columns: the outcome (counts for the count families), time (numbers, or dates: then the
        row position is used), and the 0/1 intervention indicator.
    family : {"gaussian", "poisson", "quasipoisson"}
        gaussian: least squares with Newey-West (HAC, Bartlett kernel) standard errors for
        autocorrelation and t intervals and p-values on the residual degrees of freedom
        (n - parameters); poisson: log link; quasipoisson: Poisson with scale = Pearson chi2 /
        residual df (R's quasipoisson).
    offset : str, optional
        Column of the population at risk (count families); log(offset) enters as an offset, so
        the estimates are rate ratios.
    harmonics : int, default 0
        Number of sine/cosine pairs of period ``period`` for seasonality (R's
        ``tsModel::harmonic(month, harmonics, period)``).
    period : float, default 12
        Season length in time units (12 for monthly data).
    slope_change : bool, default True
        Include the change in slope after the intervention.
    maxlags : int, optional
        HAC lag length for gaussian; default :func:`newey_west_lags` of the series length.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    DataFrame
        Indexed by term (``pre_slope``, ``level_change``, ``slope_change`` when asked), columns
        ``estimate, se, ci_low, ci_high, p_value, df, n`` (n = time points). gaussian: the
        interval and p-value use Student's t on ``df`` = n - parameters residual degrees of
        freedom, as R's ``lmtest::coeftest(fit, vcov. = NeweyWest(fit, lag, prewhite = FALSE,
        adjust = FALSE), df = fit$df.residual)``; a normal (Wald z) reference with
        Newey-West errors is too narrow in series of a few dozen points. For poisson and
        quasipoisson the estimate and interval are exponentiated: rate ratios per time unit
        (pre_slope, slope_change) and for the step (level_change), with Wald intervals from
        normal quantiles as in the tutorial's R code (``Epi::ci.exp``; ``df`` is infinite,
        ``se`` on the log scale). ``attrs["method"]`` says which.

    Notes
    -----
    The Newey-West covariance is ``(X'X)^-1 S (X'X)^-1`` with
    ``S = G_0 + sum_{l=1..L} (1 - l / (L + 1)) (G_l + G_l')``, ``G_l = sum_t x_t e_t e_{t-l}
    x_{t-l}'`` and no finite-sample factor. Missing data: rows with a missing outcome, time,
    intervention (or offset) are dropped; the series must otherwise have no gaps.

    Examples
    --------
    Two years of a monthly measure, the project starting at month 13 (2 Newey-West lags):

    >>> import pandas as pd
    >>> from helpers.its import segmented_regression
    >>> y = [12, 14, 11, 15, 13, 16, 14, 17, 15, 18, 16, 19,
    ...      24, 22, 25, 23, 26, 24, 27, 25, 28, 26, 29, 27]
    >>> df = pd.DataFrame({"y": y, "t": range(1, 25), "x": [0] * 12 + [1] * 12})
    >>> r = segmented_regression(df, "y", "t", "x")
    >>> cols = ["term", "estimate", "se", "ci_low", "ci_high", "p_value", "df"]
    >>> print(r.reset_index()[cols].round(6).to_string(index=False))
            term  estimate       se    ci_low  ci_high  p_value   df
       pre_slope  0.538462 0.053098  0.427702 0.649221 0.000000 20.0
    level_change  4.629371 0.565961  3.448797 5.809944 0.000000 20.0
    slope_change -0.090909 0.072467 -0.242073 0.060255 0.224128 20.0

    In R: ``fit <- lm(y ~ time + after + slope)``, ``V <- sandwich::NeweyWest(fit, lag = 2,
    prewhite = FALSE, adjust = FALSE)``, then ``lmtest::coeftest(fit, vcov. = V, df = 20)``
    gives level change 4.629370629 (SE 0.5659606544, p 8.26e-08) and slope change
    -0.09090909091 (SE 0.07246714766, p 0.22413), and ``coefci`` 3.448797392 to 5.809943867
    and -0.2420729121 to 0.06025473025. The tutorial's seasonally adjusted quasi-Poisson
    model of the Sicily data gives a level change of RR 0.885 (95% CI 0.839 to 0.933).
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    d = df.dropna(subset=[outcome, time, intervention] + ([offset] if offset else []))
    X = design_matrix(d, time, intervention, harmonics, period, slope_change)
    y = d[outcome].astype(float)
    n = len(d)
    if n <= X.shape[1]:
        raise ValueError(f"{n} time points are too few for {X.shape[1]} parameters")
    off = np.log(d[offset].astype(float)) if offset else None
    if family == "gaussian":
        if offset:
            raise ValueError("offset is for the count families (poisson, quasipoisson)")
        model = sm.GLM(y, X, family=sm.families.Gaussian())
        lags = newey_west_lags(n) if maxlags is None else maxlags
        fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    else:
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=off)
        fit = model.fit(scale="X2" if family == "quasipoisson" else None)
    ci = fit.conf_int(alpha=alpha)
    terms = [t for t in TERMS if t in X.columns]
    gaussian = family == "gaussian"
    out = pd.DataFrame(
        {
            "estimate": fit.params[terms],
            "se": fit.bse[terms],
            "ci_low": ci.loc[terms, 0],
            "ci_high": ci.loc[terms, 1],
            "p_value": fit.pvalues[terms],
            "df": float(fit.df_resid) if gaussian else np.inf,
            "n": n,
        }
    )
    if family != "gaussian":
        out[["estimate", "ci_low", "ci_high"]] = np.exp(out[["estimate", "ci_low", "ci_high"]])
    out.index.name = "term"
    out.attrs.update(family=family, scale=float(fit.scale), harmonics=harmonics,
                     method=its_method(family, lags if gaussian else None,
                                       float(fit.df_resid) if gaussian else None))
    return out


#: Terms of :func:`controlled_segmented_regression`: the studied series' own changes, then the
#: differences from the comparison series.
CONTROLLED_TERMS = ("level_change", "slope_change", "level_change_vs_control",
                    "slope_change_vs_control")


def controlled_segmented_regression(y, control, intervention, alpha: float = 0.05) -> pd.DataFrame:
    """Controlled interrupted time series: level and slope change against a comparison series.

    Both series are observed at the same time points 1..n. Stacked (2n rows, ``g`` = 1 for the
    studied series, 0 for the comparison), the model is

    y = b0 + b1 t + b2 X + b3 (t - T0) X + b4 g + b5 g t + b6 g X + b7 g (t - T0) X + e,

    X = 1 from the intervention on and T0 the last time before it (Linden 2015; Lopez Bernal et
    al. 2018). b6 is the difference in level change and b7 the difference in slope change of the
    studied series against the comparison, which removes what both series share (a change
    across the whole service or the country at the same time); b2 + b6 and b3 + b7 are the
    studied series' own level and slope change. Least squares with the usual (iid) errors; the
    intervals and p-values use Student's t on the 2n - 8 residual degrees of freedom, as R's
    ``lm`` and ``confint`` (so the test needs no large-sample approximation, but it assumes
    errors independent over time: read it with the SPC chart, which shows runs).

    Parameters
    ----------
    y, control : array-like of float
        The studied and the comparison series, in time order, the same length.
    intervention : array-like of 0/1
        1 from the intervention on; both values must occur.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    DataFrame indexed by ``term`` (:data:`CONTROLLED_TERMS`) with ``estimate, se, ci_low,
    ci_high, p_value, df, n`` (n time points per series).

    Missing data: a time point missing in either series is dropped from both.

    Examples
    --------
    A comparison series that rises by 2 at the start, a studied series that rises by 5:

    >>> import numpy as np
    >>> t = np.arange(1, 25)
    >>> x = (t > 12).astype(int)
    >>> control = 10 + 0.5 * t + 2 * x
    >>> y = 12 + 0.5 * t + 5 * x + 0.25 * (t - 12) * x
    >>> r = controlled_segmented_regression(y, control, x)
    >>> print(r["estimate"].round(6).to_string())
    term
    level_change               5.00
    slope_change               0.25
    level_change_vs_control    3.00
    slope_change_vs_control    0.25
    """
    y = np.asarray(y, dtype=float)
    c = np.asarray(control, dtype=float)
    x = np.asarray(intervention, dtype=float)
    if not (len(y) == len(c) == len(x)):
        raise ValueError("the studied series, the comparison and the intervention must have "
                         "the same length")
    keep = np.isfinite(y) & np.isfinite(c) & np.isfinite(x)
    y, c, x = y[keep], c[keep], x[keep]
    if not set(np.unique(x)) <= {0.0, 1.0} or x.min() == x.max():
        raise ValueError("intervention must be 0/1 with points both before and after it")
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)
    slope = (t - t[x == 0].max()) * x
    base = np.column_stack([np.ones(n), t, x, slope])
    stacked = np.vstack([np.hstack([base, np.zeros_like(base)]), np.hstack([base, base])])
    names = ["const", "time", "after", "slope", "g", "g_time", "g_after", "g_slope"]
    X = pd.DataFrame(stacked, columns=names)
    if 2 * n <= X.shape[1]:
        raise ValueError(f"{n} time points are too few for a controlled segmented regression")
    fit = sm.OLS(np.r_[c, y], X).fit()
    contrasts = {"level_change": [0, 0, 1, 0, 0, 0, 1, 0],
                 "slope_change": [0, 0, 0, 1, 0, 0, 0, 1],
                 "level_change_vs_control": [0, 0, 0, 0, 0, 0, 1, 0],
                 "slope_change_vs_control": [0, 0, 0, 0, 0, 0, 0, 1]}
    rows = []
    for term, w in contrasts.items():
        test = fit.t_test(np.asarray(w, dtype=float))
        ci = np.asarray(test.conf_int(alpha=alpha)).ravel()
        rows.append({"term": term, "estimate": float(np.ravel(test.effect)[0]),
                     "se": float(np.ravel(test.sd)[0]), "ci_low": float(ci[0]),
                     "ci_high": float(ci[1]), "p_value": float(np.ravel(test.pvalue)[0]),
                     "df": float(fit.df_resid), "n": n})
    out = pd.DataFrame(rows).set_index("term")
    out.attrs["method"] = ("controlled segmented regression (studied and comparison series "
                           f"stacked), least squares; t intervals on {fit.df_resid:g} residual "
                           "degrees of freedom")
    return out
