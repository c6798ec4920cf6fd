"""360-degree feedback: self-ratings against others' ratings, and the retrospective pre-test.

Self-other agreement. For each participant, scale and wave the *gap* is the self score minus the
mean of the others' scores (manager, peers, direct reports: each rater type's score counts
once, so a crowd of peers does not outweigh the one manager). A participant whose self-rating
exceeds others' by at least ``threshold`` points has a *blind spot* (an over-estimator); one
rated higher by others by at least ``threshold`` has a *hidden strength* (an under-estimator);
the rest are in agreement (Atwater & Yammarino 1992; Fleenor et al. 2010). The default
threshold of 0.5 scale points is a convention of 360 feedback reports, not a statistical test.
Whether the gap *narrowed* is the paired change in the absolute gap between two waves: a fall
means self-perception moved towards how others see the person.

Retrospective pre-test ("then-test"). At the end of a programme people rate how they were
*before* it. Comparing that with the traditional baseline estimates the response shift: people
often rate themselves lower in hindsight because the programme changed their yardstick
(Howard 1980; Sprangers & Schwartz 1999). The then-test -> post change is then larger than the
baseline -> post change; neither is free of bias (the then-test is prone to recall and
effort-justification bias, Hill & Betz 2005), so both are shown side by side.

References
----------
Atwater LE, Yammarino FJ (1992). Does self-other agreement on leadership perceptions moderate
the validity of leadership and performance predictions? Personnel Psychology 45:141-164.
Fleenor JW, Smither JW, Atwater LE, Braddy PW, Sturm RE (2010). Self-other rating agreement in
leadership: a review. The Leadership Quarterly 21:1005-1034.
Howard GS (1980). Response-shift bias: a problem in evaluating interventions with pre/post
self-reports. Evaluation Review 4:93-106.
Sprangers MAG, Schwartz CE (1999). Integrating response shift into health-related quality of
life research. Social Science & Medicine 48:1507-1515.
Hill LG, Betz DL (2005). Revisiting the retrospective pretest. American Journal of Evaluation
26:501-517.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.multiplicity import holm
from helpers.outcomes.change import paired_test, scale_change

OTHER_RATERS = ("manager", "peer", "direct_report")
GAP_THRESHOLD = 0.5
RESPONSE_SHIFT_CAVEAT = (
    "The retrospective ('then') ratings were given at the end of the programme about how people "
    "saw themselves before it. They often come out lower than the ratings given at the start, "
    "because the programme changed what people think good leadership looks like (response "
    "shift). They can also be biased by memory and by wanting the programme to have worked, so "
    "read the two estimates of change side by side rather than trusting either alone.")


def participant_gaps(scores: pd.DataFrame, others: Sequence[str] = OTHER_RATERS,
                     threshold: float = GAP_THRESHOLD) -> pd.DataFrame:
    """Self and others' scores per participant, scale and wave, with the gap and its class.

    Returns
    -------
    DataFrame ``participant_id, scale, wave, self, others, n_other_types, gap, category``
    (``category`` one of ``blind spot``, ``hidden strength``, ``in agreement``) for rows with
    both a self score and at least one other rater type's score.
    """
    keys = ["participant_id", "scale", "wave"]
    s = scores.dropna(subset=["score"])
    self_ = s[s["rater"] == "self"].groupby(keys)["score"].mean().rename("self")
    oth = s[s["rater"].isin(list(others))].groupby(keys + ["rater"])["score"].mean()
    oth = oth.groupby(level=keys).agg(["mean", "size"]).rename(
        columns={"mean": "others", "size": "n_other_types"})
    out = pd.concat([self_, oth], axis=1, join="inner").reset_index()
    out["gap"] = out["self"] - out["others"]
    out["category"] = np.select([out["gap"] >= threshold - 1e-12,
                                 out["gap"] <= -threshold + 1e-12],
                                ["blind spot", "hidden strength"], "in agreement")
    return out


def gap_summary(scores: pd.DataFrame, others: Sequence[str] = OTHER_RATERS,
                threshold: float = GAP_THRESHOLD, level: float = 0.95) -> pd.DataFrame:
    """Self-other gap per scale and wave.

    Returns
    -------
    Tidy DataFrame ``scale, wave, estimate, ci_low, ci_high, p_value, n, mean_self,
    mean_others, n_blind_spot, n_hidden_strength, n_agree, p_holm``: ``estimate`` is the mean
    of self - others (positive: people rate themselves higher than others do), with the
    paired t interval and test of :func:`helpers.outcomes.change.paired_test`; ``p_holm``
    adjusts over every row of the table (every scale at every wave, Holm 1979), the family
    R's oracle uses too.

    Notes
    -----
    Per participant, scale and wave: gap = self - mean over rater types of each type's mean
    score; the test is the paired t-test of self against that mean (H0: mean gap 0).

    Missing data: a participant counts at a wave when they have a self score and at least one
    other rater type's score there; a scale and wave with fewer than two such people has no
    test (p missing, outside the Holm family).

    Examples
    --------
    Three people, one scale, one wave. R: ``t.test(c(4, 3.5, 5), c(3, 3.5, 4), paired =
    TRUE)`` gives a mean gap of 0.6666667, 95% CI -0.7675509 to 2.1008842, p 0.1835034:

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"participant_id": list("abcabc"), "scale": "vision",
    ...                        "wave": "baseline", "rater": ["self"] * 3 + ["manager"] * 3,
    ...                        "score": [4, 3.5, 5, 3, 3.5, 4]})
    >>> r = gap_summary(scores).iloc[0]
    >>> [round(float(r[k]), 7) for k in ("estimate", "ci_low", "ci_high", "p_value", "p_holm")]
    [0.6666667, -0.7675509, 2.1008842, 0.1835034, 0.1835034]
    """
    g = participant_gaps(scores, others, threshold)
    rows = []
    for (scale, wave), d in g.groupby(["scale", "wave"], sort=False):
        res = paired_test(d["others"], d["self"], level)
        cats = d["category"].value_counts()
        rows.append({"scale": scale, "wave": wave, "estimate": res["estimate"],
                     "ci_low": res["ci_low"], "ci_high": res["ci_high"],
                     "p_value": res["p_value"], "n": res["n"], "mean_self": res["mean_to"],
                     "mean_others": res["mean_from"],
                     "n_blind_spot": int(cats.get("blind spot", 0)),
                     "n_hidden_strength": int(cats.get("hidden strength", 0)),
                     "n_agree": int(cats.get("in agreement", 0))})
    cols = ["scale", "wave", "estimate", "ci_low", "ci_high", "p_value", "n", "mean_self",
            "mean_others", "n_blind_spot", "n_hidden_strength", "n_agree"]
    out = pd.DataFrame(rows, columns=cols)
    out["p_holm"] = holm(out["p_value"]) if len(out) else pd.Series(dtype=float)
    return out


def gap_narrowing(scores: pd.DataFrame, from_wave: str = "baseline", to_wave: str = "post",
                  others: Sequence[str] = OTHER_RATERS, level: float = 0.95) -> pd.DataFrame:
    """Did the self-other gap narrow? Paired change in |self - others| per scale.

    Returns
    -------
    Tidy DataFrame ``scale, from_wave, to_wave, estimate, ci_low, ci_high, p_value, n,
    mean_from, mean_to``: ``estimate`` is the mean change in the absolute gap (negative:
    narrowed) among participants with a gap at both waves.
    """
    g = participant_gaps(scores, others)
    g["abs_gap"] = g["gap"].abs()
    wide = g.pivot_table(index=["participant_id", "scale"], columns="wave", values="abs_gap")
    rows = []
    cols = ["scale", "from_wave", "to_wave", "estimate", "ci_low", "ci_high", "p_value", "n",
            "mean_from", "mean_to"]
    if from_wave not in wide or to_wave not in wide:
        return pd.DataFrame(columns=cols)
    wide = wide.reset_index()
    for scale, d in wide.groupby("scale", sort=False):
        res = paired_test(d[from_wave], d[to_wave], level)
        rows.append({"scale": scale, "from_wave": from_wave, "to_wave": to_wave,
                     **{k: res[k] for k in cols[3:]}})
    return pd.DataFrame(rows, columns=cols)


def then_test(scores: pd.DataFrame, rater: str = "self", instrument_id: str | None = None,
              level: float = 0.95) -> pd.DataFrame:
    """The traditional pre-test and the retrospective pre-test side by side.

    Among participants with baseline, retrospective_pre and post scores on a scale, three
    paired comparisons per scale (column ``comparison``): ``traditional`` (baseline -> post),
    ``retrospective`` (retrospective_pre -> post) and ``response shift`` (baseline ->
    retrospective_pre; negative: people rated their starting point lower in hindsight).
    Columns as :func:`helpers.outcomes.change.scale_change` plus ``comparison``. Empty when
    there is no retrospective wave.
    """
    s = scores[scores["rater"] == rater]
    if instrument_id is not None:
        s = s[s["instrument_id"] == instrument_id]
    waves = ["baseline", "retrospective_pre", "post"]
    have = s.dropna(subset=["score"])
    have = have[have["wave"].isin(waves)]
    counts = have.groupby(["participant_id", "scale"])["wave"].nunique()
    complete = counts[counts == 3].reset_index()[["participant_id", "scale"]]
    s = s.merge(complete, on=["participant_id", "scale"], how="inner")
    if s.empty:
        return pd.DataFrame(columns=["comparison", "scale"])
    frames = []
    for label, a, b in [("traditional", "baseline", "post"),
                        ("retrospective", "retrospective_pre", "post"),
                        ("response shift", "baseline", "retrospective_pre")]:
        res = scale_change(s, a, b, rater=rater, level=level)
        res.insert(0, "comparison", label)
        frames.append(res)
    return pd.concat(frames, ignore_index=True)
