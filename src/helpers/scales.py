"""Scale scores and their reliability, from the instrument definitions in dataset.yaml.

A scale score is the mean of a respondent's answered items on that scale, after reverse-scored
items are flipped (``min + max - value``), and only when enough of the scale's items were
answered (the instrument's ``min_share_answered``, default 0.5: the "half rule" for prorated
scale scores, Newman 2014). Scores are computed per participant, instrument, scale, wave and
rater type; when several raters of one type answered (peers, direct reports, told apart by
``rater_id``), each rater's scale score is computed first and the rater type's score is their
mean, so a talkative rater does not count more than a quiet one.

Everything is vectorised (one ``groupby`` over the long responses table), so 100,000
participants score in seconds.

References
----------
Newman DA (2014). Missing data: five practical guidelines. Organizational Research Methods
17(4):372-411.
Cronbach LJ (1951). Coefficient alpha and the internal structure of tests. Psychometrika
16:297-334.
Feldt LS, Woodruff DJ, Salih FA (1987). Statistical inference for coefficient alpha. Applied
Psychological Measurement 11(1):93-103.
Nunnally JC (1978). Psychometric theory, 2nd edn. New York: McGraw-Hill (alpha >= 0.7).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

DEFAULT_MIN_SHARE = 0.5
LOW_ALPHA = 0.7
WAVE_ORDER = ("baseline", "retrospective_pre", "post", "follow_up")
RATER_ORDER = ("self", "manager", "peer", "direct_report")

SCORE_COLUMNS = ["participant_id", "instrument_id", "scale", "wave", "rater", "score",
                 "n_answered", "n_items", "n_raters"]


def reverse_score(value, minimum, maximum):
    """Reverse-score a response: ``min + max - value`` (5 becomes 1 on a 1-5 scale).

    Parameters
    ----------
    value, minimum, maximum : scalars or aligned arrays.

    Returns
    -------
    The reversed value(s); missing stays missing.
    """
    return np.asarray(minimum, dtype=float) + np.asarray(maximum, dtype=float) - np.asarray(
        value, dtype=float)


def instrument_ids(instruments: Iterable[dict], kind: str | None = None) -> list[str]:
    """The ``instrument_id`` of each instrument in dataset.yaml, optionally of one ``kind``."""
    return [i["instrument_id"] for i in instruments if kind is None or i.get("kind") == kind]


def min_shares(instruments: Iterable[dict]) -> dict[str, float]:
    """``instrument_id -> min_share_answered`` (default 0.5) from the dataset.yaml instruments."""
    return {i["instrument_id"]: float(i.get("min_share_answered", DEFAULT_MIN_SHARE)
                                      if i.get("min_share_answered") is not None
                                      else DEFAULT_MIN_SHARE)
            for i in instruments}


def scale_labels(instruments: Iterable[dict], items: pd.DataFrame | None = None) -> dict[str, str]:
    """``scale_id -> human label`` from dataset.yaml; a scale without a label keeps its id,
    made readable (underscores to spaces, first letter capitalised)."""
    labels: dict[str, str] = {}
    for inst in instruments:
        for sc in inst.get("scales") or []:
            if sc.get("scale_id"):
                labels[sc["scale_id"]] = sc.get("label") or sc["scale_id"]
    if items is not None and "scale" in items:
        for s in items["scale"].dropna().unique():
            labels.setdefault(s, str(s).replace("_", " ").capitalize())
    return labels


def item_scores(responses: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Responses joined to their items, with reverse-scored items flipped.

    Parameters
    ----------
    responses : long table (participant_id, instrument_id, item_id, wave, rater, value, ...).
    items : items table (instrument_id, item_id, scale, min, max, reverse_scored).

    Returns
    -------
    The responses with columns ``scale``, ``min``, ``max`` and ``scored`` (the value, or
    ``min + max - value`` for a reverse-scored item). Responses to items not in the items
    table are dropped (validation reports them).
    """
    cols = ["instrument_id", "item_id", "scale", "min", "max", "reverse_scored"]
    it = items[cols].drop_duplicates(["instrument_id", "item_id"])
    out = responses.merge(it, on=["instrument_id", "item_id"], how="inner")
    value = pd.to_numeric(out["value"], errors="coerce").to_numpy(dtype=float)
    rev = out["reverse_scored"].fillna(False).astype(bool).to_numpy()
    flipped = reverse_score(value, out["min"].to_numpy(dtype=float), out["max"].to_numpy(dtype=float))
    out["scored"] = np.where(rev, flipped, value)
    return out.drop(columns=["reverse_scored"])


def score_scales(responses: pd.DataFrame, items: pd.DataFrame,
                 instruments: Iterable[dict] = (), min_share: float | None = None,
                 instrument_id: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Scale scores per participant, instrument, scale, wave and rater type.

    Parameters
    ----------
    responses, items : the dataset tables.
    instruments : dataset.yaml instruments; each one's ``min_share_answered`` applies to its
        scales (default 0.5).
    min_share : overrides every instrument's ``min_share_answered`` when given.
    instrument_id : keep only this instrument (or these instruments).

    Returns
    -------
    DataFrame with columns ``participant_id, instrument_id, scale, wave, rater, score,
    n_answered, n_items, n_raters``: ``score`` is missing where no rater of that type answered
    enough items. ``n_answered`` is the mean number of items answered per rater.

    Notes
    -----
    Rule (Newman 2014, "half rule"): a rater's scale score is the mean of the answered items
    (after reverse scoring) when ``answered / items on the scale >= min_share``; otherwise it
    is missing. Items on the scale are counted from the items table, so an item nobody
    answered still counts in the denominator. A rater type's score is the mean of its raters'
    valid scores (raters told apart by ``rater_id`` when present; otherwise all answers of that
    type are pooled as one rater). Everyone answering identically is fine (the score is that
    value); a one-item scale needs that item answered.
    """
    resp = responses
    if instrument_id is not None:
        wanted = [instrument_id] if isinstance(instrument_id, str) else list(instrument_id)
        resp = resp[resp["instrument_id"].isin(wanted)]
    if resp.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("score", "n_answered") else object)
                             for c in SCORE_COLUMNS})
    scored = item_scores(resp, items)
    scored = scored[np.isfinite(scored["scored"].to_numpy(dtype=float))]
    if "rater_id" in scored:
        rater_id = scored["rater_id"].astype(object).where(scored["rater_id"].notna(), "")
    else:
        rater_id = pd.Series("", index=scored.index, dtype=object)
    keys = ["participant_id", "instrument_id", "scale", "wave", "rater"]
    frame = scored[keys + ["item_id", "scored"]].copy()
    frame["rater_id"] = rater_id.astype(str)
    for k in keys + ["rater_id"]:
        frame[k] = frame[k].astype("category")
    # One value per rater and item (a duplicated answer is averaged, not double counted).
    per_item = (frame.groupby(keys + ["rater_id", "item_id"], observed=True, sort=False)["scored"]
                .mean().reset_index())
    per_rater = (per_item.groupby(keys + ["rater_id"], observed=True, sort=False)["scored"]
                 .agg(["mean", "size"]).reset_index()
                 .rename(columns={"mean": "score", "size": "n_answered"}))
    n_items = items.groupby(["instrument_id", "scale"]).size().rename("n_items").reset_index()
    per_rater = per_rater.astype({k: object for k in keys + ["rater_id"]}).merge(
        n_items, on=["instrument_id", "scale"], how="left")
    shares = min_shares(instruments)
    need = (per_rater["instrument_id"].map(shares).fillna(DEFAULT_MIN_SHARE).astype(float)
            if min_share is None else pd.Series(float(min_share), index=per_rater.index))
    ok = per_rater["n_answered"] / per_rater["n_items"] >= need - 1e-12
    per_rater["score"] = per_rater["score"].where(ok)
    per_rater["valid"] = ok
    out = (per_rater.groupby(keys, sort=False)
           .agg(score=("score", "mean"), n_answered=("n_answered", "mean"),
                n_items=("n_items", "first"), n_raters=("valid", "sum"))
           .reset_index())
    out["n_raters"] = out["n_raters"].astype(int)
    return out[SCORE_COLUMNS]


def wide_scores(scores: pd.DataFrame, waves: Sequence[str], rater: str = "self",
                scale: str | None = None) -> pd.DataFrame:
    """Scores of one rater type as a wide table: one row per participant and scale, one column
    per wave (only the waves asked for). Handy for paired comparisons."""
    s = scores[(scores["rater"] == rater) & scores["wave"].isin(waves)]
    if scale is not None:
        s = s[s["scale"] == scale]
    wide = s.pivot_table(index=["participant_id", "scale"], columns="wave", values="score",
                         aggfunc="mean", observed=True)
    wide.columns = [str(c) for c in wide.columns]
    for w in waves:
        if w not in wide:
            wide[w] = np.nan
    return wide.reset_index()


def _alpha(wide: pd.DataFrame, ci: float) -> tuple[float, float, float, str]:
    """Cronbach's alpha of a respondents x items table (pingouin), with the reason when it
    cannot be estimated."""
    import pingouin as pg

    wide = wide.dropna(axis=1, how="all").dropna(axis=0, how="all")
    n, k = wide.shape
    if k < 2:
        return np.nan, np.nan, np.nan, "one item: alpha needs at least two"
    if n < 3:
        return np.nan, np.nan, np.nan, "fewer than three respondents"
    total_var = wide.cov().to_numpy().sum()
    if not np.isfinite(total_var) or total_var <= 0:
        return np.nan, np.nan, np.nan, "no variation in answers"
    est, bounds = pg.cronbach_alpha(data=wide.astype(float), nan_policy="pairwise", ci=ci)
    return float(est), float(bounds[0]), float(bounds[1]), ""


def reliability(responses: pd.DataFrame, items: pd.DataFrame, rater: str | None = "self",
                instrument_id: str | Sequence[str] | None = None, ci: float = 0.95,
                low: float = LOW_ALPHA) -> pd.DataFrame:
    """Cronbach's alpha per instrument, scale and wave, with its confidence interval.

    Parameters
    ----------
    responses, items : the dataset tables.
    rater : rater type whose answers are used (``None``: all raters, one row per rater).
    instrument_id : restrict to this instrument (or these).
    ci : confidence level of the interval (Feldt et al. 1987, as pingouin computes it).
    low : alpha below this is flagged (Nunnally 1978: 0.7).

    Returns
    -------
    Tidy DataFrame: ``instrument_id, scale, wave, estimate, ci_low, ci_high, p_value, n,
    n_items, low, note``; ``estimate`` is alpha, ``p_value`` is missing (no test), ``n`` the
    respondents, ``low`` True when alpha < ``low``, ``note`` why alpha is missing (one item,
    no variation, too few respondents).

    Notes
    -----
    alpha = k/(k-1) * (1 - sum of item variances / variance of the total), computed by
    :func:`pingouin.cronbach_alpha` from the pairwise item covariance matrix of reverse-scored
    items (missing answers handled pairwise, as ``psych::alpha(use="pairwise")`` in R).
    """
    resp = responses if rater is None else responses[responses["rater"] == rater]
    if instrument_id is not None:
        wanted = [instrument_id] if isinstance(instrument_id, str) else list(instrument_id)
        resp = resp[resp["instrument_id"].isin(wanted)]
    cols = ["instrument_id", "scale", "wave", "estimate", "ci_low", "ci_high", "p_value", "n",
            "n_items", "low", "note"]
    if resp.empty:
        return pd.DataFrame(columns=cols)
    scored = item_scores(resp, items)
    row_key = ["participant_id", "rater"] + (["rater_id"] if "rater_id" in scored else [])
    scored = scored.copy()
    if "rater_id" in scored:
        scored["rater_id"] = scored["rater_id"].astype(object).where(scored["rater_id"].notna(), "")
    key = ["instrument_id", "scale", "wave"]
    # one pivot for every scale and wave (a pivot per group cost more than the alphas); each
    # group's slice, once _alpha drops the other scales' all-missing columns, is the table a
    # per-group pivot gives (same rows and columns, same order)
    big = scored.pivot_table(index=key + row_key, columns="item_id", values="scored",
                             aggfunc="mean", observed=True)
    slices = {k: g.droplevel([0, 1, 2]) for k, g in big.groupby(level=[0, 1, 2], sort=False)}
    empty = big.iloc[0:0].droplevel([0, 1, 2])
    rows = []
    for inst, scale, wave in scored[key].dropna().drop_duplicates().sort_values(key).itertuples(
            index=False):
        wide = slices.get((inst, scale, wave), empty)
        est, lo, hi, note = _alpha(wide, ci)
        n_items = int(((items["instrument_id"] == inst) & (items["scale"] == scale)).sum())
        n = int(wide.dropna(how="all").shape[0])
        rows.append({"instrument_id": inst, "scale": scale, "wave": wave, "estimate": est,
                     "ci_low": lo, "ci_high": hi, "p_value": np.nan, "n": n, "n_items": n_items,
                     "low": bool(np.isfinite(est) and est < low), "note": note})
    out = pd.DataFrame(rows, columns=cols)
    order = {w: i for i, w in enumerate(WAVE_ORDER)}
    out["_w"] = out["wave"].map(order).fillna(len(order))
    return out.sort_values(["instrument_id", "scale", "_w"]).drop(columns="_w").reset_index(
        drop=True)
