"""Inter-coder reliability for qualitative coding: kappa, alpha and percent agreement.

One function per statistic, each a thin, documented layer over an established implementation
(statsmodels for Cohen's and Fleiss' kappa, the ``krippendorff`` package for alpha), plus the
bookkeeping a QDA project needs: turning ``codings`` (segment, code, coder) into per-code
presence/absence data on the double-coded subset, and a bootstrap interval for alpha.

Agreement is described with the usual benchmarks (Landis and Koch 1977 for kappa; Krippendorff
2004: alpha >= 0.800 reliable, 0.667-0.800 tentative conclusions only, below 0.667 unreliable).
"""

from __future__ import annotations

import warnings
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import cohens_kappa as _sm_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as _sm_fleiss

LEVELS = ("nominal", "ordinal", "interval", "ratio")

#: Krippendorff (2004, p. 241): the smallest alpha for tentative conclusions, and for reliable data.
ALPHA_TENTATIVE = 0.667
ALPHA_RELIABLE = 0.800


def _as_codes(a, b) -> tuple[np.ndarray, np.ndarray, list]:
    """Pair two label sequences, drop pairs with a missing label, map labels to 0..k-1."""
    sa, sb = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if len(sa) != len(sb):
        raise ValueError(f"the two coders rated different numbers of units ({len(sa)} and {len(sb)})")
    keep = sa.notna() & sb.notna()
    sa, sb = sa[keep], sb[keep]
    categories = sorted(set(sa) | set(sb), key=lambda v: (str(type(v)), v))
    index = {c: i for i, c in enumerate(categories)}
    return sa.map(index).to_numpy(int), sb.map(index).to_numpy(int), categories


def contingency_table(a, b) -> pd.DataFrame:
    """Square table of coder A's labels (rows) by coder B's (columns) over the same categories."""
    ia, ib, cats = _as_codes(a, b)
    table = np.zeros((len(cats), len(cats)), dtype=int)
    np.add.at(table, (ia, ib), 1)
    return pd.DataFrame(table, index=pd.Index(cats, name="coder_a"),
                        columns=pd.Index(cats, name="coder_b"))


def cohen_kappa(a, b) -> float:
    """Cohen's kappa for two coders who labelled the same units.

    Parameters
    ----------
    a, b : sequences of labels (any hashable values), one per unit, in the same unit order.
        Units where either label is missing (None/NaN) are left out.

    Returns
    -------
    float
        kappa = (p_o - p_e) / (1 - p_e), with p_o the observed share of agreement and p_e the
        agreement expected from the two coders' marginal distributions. NaN when there are no
        paired units; 1.0 when both coders used one and the same category throughout.

    Notes
    -----
    Computed by ``statsmodels.stats.inter_rater.cohens_kappa`` on the square contingency table
    of the two coders' labels (categories: the union of labels either coder used).

    References
    ----------
    Cohen J. A coefficient of agreement for nominal scales. Educational and Psychological
    Measurement 1960;20(1):37-46.

    Examples
    --------
    Five units; R's ``psych::cohen.kappa`` gives 0.6153846:

    >>> round(cohen_kappa(["x", "y", "x", "x", "y"], ["x", "y", "y", "x", "y"]), 7)
    0.6153846
    """
    table = contingency_table(a, b).to_numpy()
    if table.sum() == 0:
        return float("nan")
    if table.shape[0] == 1:
        return 1.0
    with warnings.catch_warnings():  # its z-test divides by zero for perfect agreement
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(_sm_kappa(table, return_results=True).kappa)


def _reliability_matrix(data) -> np.ndarray:
    """Coders x units as float with NaN for missing; non-numeric labels are mapped to integers."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "fiub":
        return data.astype(float)
    frame = pd.DataFrame(data)
    try:
        return frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        pass
    stacked = frame.stack().dropna()
    codes, _ = pd.factorize(stacked.astype(str), sort=True)
    numeric = pd.Series(codes.astype(float), index=stacked.index).unstack().reindex(
        index=frame.index, columns=frame.columns)
    return numeric.to_numpy(dtype=float)


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing data.

    Parameters
    ----------
    data : array-like or DataFrame, coders x units
        One row per coder, one column per unit; NaN (or None) where a coder did not code a unit.
        Labels may be numbers or, for the nominal level, any strings.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement: it sets the difference function (Krippendorff 2011).

    Returns
    -------
    float
        alpha = 1 - D_o / D_e, observed over expected disagreement in the coincidence matrix of
        pairable values (units coded by at least two coders). NaN when fewer than two pairable
        values exist or there is no variation at all.

    Notes
    -----
    Computed by ``krippendorff.alpha`` (Castro 2017), which reproduces Krippendorff's published
    four-coder example: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.

    Missing data: a unit coded by fewer than two coders is not pairable and is left out; the
    others count with all their codings, however many coders each has.

    References
    ----------
    Krippendorff K. Computing Krippendorff's alpha-reliability. University of Pennsylvania,
    2011. Hayes AF, Krippendorff K. Answering the call for a standard reliability measure for
    coding data. Communication Methods and Measures 2007;1(1):77-89.

    Examples
    --------
    Krippendorff's (2011) example, coders x units with missing values (the R oracle's
    coincidence-matrix code, tests/oracles/reference_stats.R, gives 0.7434211 nominal):

    >>> import numpy as np
    >>> N = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    ...         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]
    >>> round(krippendorff_alpha(data), 7)
    0.7434211
    >>> round(krippendorff_alpha(data, "interval"), 3)  # Krippendorff (2011) publishes 0.849
    0.849
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    matrix = _reliability_matrix(data)
    pairable = (np.sum(~np.isnan(matrix), axis=0) >= 2).sum() if matrix.size else 0
    if pairable == 0:
        return float("nan")
    values = matrix[~np.isnan(matrix)]
    if np.unique(values).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))


def percent_agreement(data) -> float:
    """Share of agreeing coder pairs, over all pairs of codings of the same unit.

    Parameters
    ----------
    data : coders x units (array or DataFrame), NaN missing.

    Returns
    -------
    float
        For each unit with m >= 2 codings, the pairs that agree out of m(m-1)/2; summed over
        units and divided by all pairs. For two coders this is the share of units on which
        they agree. NaN when no unit has two codings.

    Notes
    -----
    Percent agreement ignores agreement by chance, so it is reported beside kappa or alpha,
    never instead of them (Hallgren 2012; O'Connor and Joffe 2020).
    """
    matrix = _reliability_matrix(data)
    agree = pairs = 0
    for i, j in combinations(range(matrix.shape[0]), 2):
        both = ~np.isnan(matrix[i]) & ~np.isnan(matrix[j])
        pairs += int(both.sum())
        agree += int((matrix[i][both] == matrix[j][both]).sum())
    return agree / pairs if pairs else float("nan")


def fleiss_kappa(data) -> float:
    """Fleiss' kappa for a fixed number of raters per subject.

    Parameters
    ----------
    data : coders x units (array or DataFrame) of category labels, every unit rated by the
        same number of coders (units with a missing label are dropped).

    Returns
    -------
    float
        Fleiss' kappa computed by ``statsmodels.stats.inter_rater.fleiss_kappa`` on the units x
        categories count table (``aggregate_raters``).

    References
    ----------
    Fleiss JL. Measuring nominal scale agreement among many raters. Psychological Bulletin
    1971;76(5):378-382.
    """
    matrix = _reliability_matrix(data)
    complete = ~np.isnan(matrix).any(axis=0)
    if complete.sum() == 0:
        return float("nan")
    counts, _ = aggregate_raters(matrix[:, complete].T.astype(int))
    return float(_sm_fleiss(counts, method="fleiss"))


def alpha_bootstrap_ci(data, level: str = "nominal", n_boot: int = 1000, ci: float = 0.95,
                       seed: int | None = 20241125, clusters=None) -> tuple[float, float]:
    """Percentile bootstrap interval for Krippendorff's alpha, resampling units or clusters.

    Parameters
    ----------
    data : array-like or DataFrame, coders x units
        NaN (or None) where a coder did not code a unit, as :func:`krippendorff_alpha`.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, as :func:`krippendorff_alpha`.
    n_boot : int, default 1000
        Bootstrap resamples.
    ci : float, default 0.95
        Coverage of the interval.
    seed : int or None, default 20241125
        Seed of ``numpy.random.default_rng``, so a report regenerates identically.
    clusters : sequence, optional
        One label per unit (column) naming the cluster it belongs to, such as the segment of
        each code-by-segment judgement. Whole clusters are resampled. By default every unit
        is its own cluster.

    Returns
    -------
    (ci_low, ci_high) : floats
        NaN when alpha cannot be computed on the data or there are fewer than two clusters.

    Notes
    -----
    Each resample draws G clusters with replacement out of the G in the data (Davison and
    Hinkley 1997, section 3.8, the cluster or "case" bootstrap) and keeps every unit of each
    drawn cluster, as often as the cluster was drawn; alpha is recomputed from the coincidence
    matrix of the resample. The interval is the (1 - ci)/2 and (1 + ci)/2 quantiles (numpy's
    linear interpolation, R's ``quantile`` type 7) of the resampled alphas; resamples where
    alpha is undefined are skipped.

    Judgements of one segment are not independent (the same coder read the same passage for
    every code), so when a reliability matrix pools the codes of a coding scheme its clusters
    are the segments: resampling the code-by-segment units as if independent understates the
    sampling error. Hayes and Krippendorff (2007) resample pairs of judgements instead, which
    treats them as independent in the same way.

    Missing data: a unit with fewer than two codings adds nothing to alpha (it is not
    pairable) but is still drawn with its cluster.

    References
    ----------
    Davison AC, Hinkley DV. Bootstrap methods and their application. Cambridge University
    Press, 1997. Field CA, Welsh AH. Bootstrapping clustered data. Journal of the Royal
    Statistical Society B 2007;69(3):369-390. Hayes AF, Krippendorff K. Answering the call for
    a standard reliability measure for coding data. Communication Methods and Measures
    2007;1(1):77-89.

    Examples
    --------
    Krippendorff's (2011) four coders and twelve units, alpha 0.743 (the oracle's R
    coincidence-matrix code gives 0.7434211); every unit its own cluster, and then the
    units in pairs:

    >>> import numpy as np
    >>> N = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    ...         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]
    >>> round(krippendorff_alpha(data), 4)
    0.7434
    >>> [round(v, 3) for v in alpha_bootstrap_ci(data, n_boot=2000, seed=1)]
    [0.399, 1.0]
    >>> [round(v, 3) for v in alpha_bootstrap_ci(data, n_boot=2000, seed=1,
    ...                                            clusters=[1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])]
    [0.485, 0.929]
    """
    matrix = _reliability_matrix(data)
    n_units = matrix.shape[1] if matrix.ndim == 2 else 0
    groups = _cluster_codes(clusters, n_units)
    n_groups = int(groups.max()) + 1 if n_units else 0
    if n_groups < 2 or np.isnan(krippendorff_alpha(matrix, level)):
        return float("nan"), float("nan")
    parts = [resample_alphas(matrix, draws, groups, level)
             for draws in _bootstrap_draws(n_groups, n_boot, seed)]
    alphas = np.concatenate(parts) if parts else np.array([])
    alphas = alphas[~np.isnan(alphas)]
    if not alphas.size:
        return float("nan"), float("nan")
    lo, hi = np.quantile(alphas, [(1 - ci) / 2, (1 + ci) / 2])
    return float(lo), float(hi)


def _cluster_codes(clusters, n_units: int) -> np.ndarray:
    """Cluster number 0..G-1 of each unit (each unit its own cluster when ``clusters`` is None)."""
    if clusters is None:
        return np.arange(n_units)
    labels = pd.Series(list(clusters), dtype=object)
    if len(labels) != n_units:
        raise ValueError(f"clusters has {len(labels)} labels for {n_units} units")
    if labels.isna().any():
        raise ValueError("clusters has a missing label")
    codes, _ = pd.factorize(labels)
    return codes.astype(int)


def resample_alphas(matrix: np.ndarray, draws: np.ndarray, groups: np.ndarray | None = None,
                    level: str = "nominal") -> np.ndarray:
    """Krippendorff's alpha of each bootstrap resample given by the clusters it drew.

    Parameters
    ----------
    matrix : ndarray, coders x units
        Float, NaN missing (see :func:`krippendorff_alpha`).
    draws : ndarray of int, resamples x G
        Each row: the cluster numbers (0..G-1) drawn for one resample, with replacement.
    groups : ndarray of int, optional
        Cluster number of each unit (column); default: every unit its own cluster.
    level : level of measurement.

    Returns
    -------
    ndarray, one alpha per resample (NaN where undefined).

    Notes
    -----
    A resample holds each unit as many times as its cluster was drawn. For the nominal level
    this is a weighted coincidence matrix (:func:`_nominal_alpha_weighted`, no copy of the
    data); other levels expand the columns and call ``krippendorff.alpha``.

    Examples
    --------
    Two resamples of three clusters of two units each (the R oracle's ``kripp_nominal`` on
    the expanded matrices gives 0.5925926 and -0.2222222):

    >>> import numpy as np
    >>> m = np.array([[1, 1, 2, 2, 1, 2], [1, 2, 2, 2, 1, 1]], dtype=float)
    >>> resample_alphas(m, np.array([[0, 1, 1], [2, 2, 0]]), np.array([0, 0, 1, 1, 2, 2])).round(7)
    array([ 0.5925926, -0.2222222])
    """
    n_units = matrix.shape[1]
    groups = np.arange(n_units) if groups is None else np.asarray(groups, dtype=int)
    weights = _draw_counts(np.asarray(draws, dtype=int), int(groups.max()) + 1)[:, groups]
    if level == "nominal":
        return _nominal_alpha_weighted(matrix, weights)
    columns = np.arange(n_units)
    return np.array([krippendorff_alpha(matrix[:, np.repeat(columns, w)], level) for w in weights])


#: Resamples drawn at a time: memory stays at about BOOT_CHUNK x units x 16 bytes (a national
#: programme's pooled codes are 176,000 units; all 1,000 resamples at once took 4 GB).
BOOT_CHUNK = 64


def _bootstrap_draws(n_units: int, n_boot: int, seed: int | None):
    """Unit (or cluster) indices of each resample, ``BOOT_CHUNK`` resamples (rows) at a time.
    The stream is that of ``n_boot`` successive ``rng.integers(0, n_units, n_units)`` calls:
    numpy's Generator fills a 2-D request in the same order, so chunking does not change the
    draws."""
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, BOOT_CHUNK):
        yield rng.integers(0, n_units, (min(BOOT_CHUNK, n_boot - start), n_units))


def _draw_counts(draws: np.ndarray, n_units: int) -> np.ndarray:
    """How often each unit appears in each resample (rows of ``draws``), in one bincount."""
    rows = draws.shape[0]
    flat = (draws + (np.arange(rows) * n_units)[:, None]).ravel()
    return np.bincount(flat, minlength=rows * n_units).reshape(rows, n_units)


def _nominal_alpha_weighted(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Nominal alpha for many resamples at once; ``weights`` (resamples x units) counts how often
    each unit is drawn.

    With N the units x values count matrix and m_u the codings of unit u (pairable when >= 2),
    the coincidence-matrix formula (Krippendorff 2011) reduces to
    alpha = 1 - (n - 1) * sum_u w_u (m_u^2 - sum_c N_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2),
    with n_c = sum_u w_u N_uc over pairable units and n = sum_c n_c.
    """
    values = np.unique(matrix[~np.isnan(matrix)])
    counts = np.stack([(matrix == v).sum(axis=0) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts[~pairable] = 0.0
    disagree = np.zeros_like(m)
    disagree[pairable] = (m[pairable] ** 2 - (counts[pairable] ** 2).sum(axis=1)) / (m[pairable] - 1)
    n_c = weights @ counts
    n = n_c.sum(axis=1)
    expected = n ** 2 - (n_c ** 2).sum(axis=1)
    observed = weights @ disagree
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def agreement_label(alpha: float) -> str:
    """Plain words for an alpha (or kappa) value, after Krippendorff (2004)."""
    if alpha is None or np.isnan(alpha):
        return "not computable"
    if alpha >= ALPHA_RELIABLE:
        return "good"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "poor"


def double_coded(codings: pd.DataFrame) -> pd.DataFrame:
    """The codings of segments coded by two or more coders (the reliability subset)."""
    if codings.empty:
        return codings.copy()
    coders = codings.groupby("segment_id")["coder_id"].nunique()
    keep = coders.index[coders >= 2]
    return codings[codings["segment_id"].isin(keep)].copy()


def presence_matrix(codings: pd.DataFrame, code_id: str) -> pd.DataFrame:
    """Coders x segments: 1 where the coder applied ``code_id``, 0 where they coded the segment
    without it, NaN where they did not code the segment at all (double-coded subset only)."""
    sub = double_coded(codings)
    if sub.empty:
        return pd.DataFrame(dtype=float)
    coded = sub[["coder_id", "segment_id"]].drop_duplicates().assign(v=0.0)
    frame = coded.pivot(index="coder_id", columns="segment_id", values="v")
    hits = sub.loc[sub["code_id"] == code_id, ["coder_id", "segment_id"]].drop_duplicates()
    for coder, segment in hits.itertuples(index=False, name=None):
        frame.loc[coder, segment] = 1.0
    return frame


def code_agreement(codings: pd.DataFrame, codes: pd.DataFrame | None = None, n_boot: int = 500,
                   seed: int | None = 20241125) -> pd.DataFrame:
    """Agreement per code, and overall, on the double-coded segments.

    Parameters
    ----------
    codings : DataFrame with segment_id, code_id, coder_id.
    codes : optional codes table (code_id, label) for labels.
    n_boot : bootstrap resamples for the alpha interval.
    seed : random seed of the bootstrap.

    Returns
    -------
    DataFrame, one row per code plus a last row ``code_id == "__overall__"``, with columns
    code_id, label, n (double-coded segments), n_coders, applied (codings of the code in the
    subset), percent_agreement, kappa (two coders only, else NaN), estimate (alpha, nominal),
    ci_low, ci_high (bootstrap), p_value (always NaN: no test is implied), rating.

    Notes
    -----
    Each code is treated as a presence/absence judgement on every double-coded segment, the
    usual unit of agreement in QDA software ("code-by-segment", O'Connor and Joffe 2020). The
    overall row pools all code-by-segment judgements into one reliability matrix (units are
    segment x code pairs), which is Krippendorff's alpha for the whole coding scheme treated as
    binary decisions. Every interval resamples segments (:func:`alpha_bootstrap_ci`): a code's
    units are its segments, and the overall row draws whole segments with all their codes,
    since the judgements on one segment are made together.

    Missing data: a coder who did not code a segment leaves it missing for every code (not
    "absent"); segments coded by one coder only are not in the subset.

    References
    ----------
    O'Connor C, Joffe H. Intercoder reliability in qualitative research: debates and practical
    guidelines. International Journal of Qualitative Methods 2020;19:1-13. Krippendorff K.
    Computing Krippendorff's alpha-reliability. University of Pennsylvania, 2011.

    Examples
    --------
    Two coders, four segments, codes A and B; psych::cohen.kappa gives kappa 0.5, 0 and
    0.25 and the oracle's R coincidence-matrix code alpha 0.5333333, 0.125 and 0.2857143:

    >>> import pandas as pd
    >>> codings = pd.DataFrame(
    ...     [("s1", "A", "ann"), ("s1", "A", "bob"), ("s2", "A", "ann"), ("s2", "B", "bob"),
    ...      ("s3", "B", "ann"), ("s3", "B", "bob"), ("s4", "A", "ann"), ("s4", "B", "ann"),
    ...      ("s4", "A", "bob")], columns=["segment_id", "code_id", "coder_id"])
    >>> out = code_agreement(codings, n_boot=0)
    >>> print(out[["code_id", "n", "kappa", "estimate"]].round(4).to_string(index=False))
        code_id  n  kappa  estimate
              A  4   0.50    0.5333
              B  4   0.00    0.1250
    __overall__  4   0.25    0.2857
    """
    columns = ["code_id", "label", "n", "n_coders", "applied", "percent_agreement", "kappa",
               "estimate", "ci_low", "ci_high", "p_value", "rating"]
    sub = double_coded(codings)
    if sub.empty:
        return pd.DataFrame(columns=columns)
    labels = {}
    if codes is not None and not codes.empty:
        labels = dict(zip(codes["code_id"].astype(str), codes["label"].astype(str)))
    coded = sub[["coder_id", "segment_id"]].drop_duplicates().assign(v=0.0)
    base = coded.pivot(index="coder_id", columns="segment_id", values="v")
    coder_pos = {c: i for i, c in enumerate(base.index)}
    seg_pos = {s: j for j, s in enumerate(base.columns)}
    base_arr = base.to_numpy()
    rows, pooled = [], []
    for code_id in sorted(sub["code_id"].astype(str).unique()):
        hits = sub[sub["code_id"].astype(str) == code_id]
        arr = base_arr.copy()
        arr[hits["coder_id"].map(coder_pos).to_numpy(), hits["segment_id"].map(seg_pos).to_numpy()] = 1.0
        pooled.append(arr)
        rows.append(_agreement_row(arr, code_id, labels.get(code_id, code_id), int(len(hits)),
                                   n_boot, seed))
    overall = np.concatenate(pooled, axis=1)
    segment_of = np.tile(np.arange(base_arr.shape[1]), len(pooled))
    row = _agreement_row(overall, "__overall__", "All codes", int(len(sub)), n_boot, seed,
                         clusters=segment_of)
    row["n"] = base_arr.shape[1]
    rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _agreement_row(arr: np.ndarray, code_id: str, label: str, applied: int, n_boot: int,
                   seed: int | None, clusters=None) -> dict:
    alpha = krippendorff_alpha(arr, "nominal")
    lo, hi = (alpha_bootstrap_ci(arr, "nominal", n_boot=n_boot, seed=seed, clusters=clusters)
              if n_boot else (np.nan, np.nan))
    kappa = cohen_kappa(arr[0], arr[1]) if arr.shape[0] == 2 else float("nan")
    return {"code_id": code_id, "label": label, "n": int(arr.shape[1]), "n_coders": int(arr.shape[0]),
            "applied": applied, "percent_agreement": percent_agreement(arr), "kappa": kappa,
            "estimate": alpha, "ci_low": lo, "ci_high": hi, "p_value": float("nan"),
            "rating": agreement_label(alpha)}
