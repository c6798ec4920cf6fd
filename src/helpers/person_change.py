"""Each participant's mean change across the outcome scales, the person-level outcome that the
joint display and the equality analysis share."""

from __future__ import annotations

import pandas as pd

from helpers.scales import wide_scores


def participant_change(scores: pd.DataFrame, from_wave: str = "baseline", to_wave: str = "post",
                       instrument_id: str | None = None) -> pd.Series:
    """Each participant's mean change across the outcome scales (self-ratings, both waves).

    The per-scale change is the one the outcomes report tests (``to - from`` on the scale
    scores of :func:`helpers.scales.score_scales`); here it is averaged over a person's scales.
    """
    s = scores if instrument_id is None else scores[scores["instrument_id"] == instrument_id]
    wide = wide_scores(s, [from_wave, to_wave], rater="self").dropna(subset=[from_wave, to_wave])
    if wide.empty:
        return pd.Series(dtype=float, name="change")
    wide["change"] = wide[to_wave] - wide[from_wave]
    return wide.groupby(wide["participant_id"].astype(str))["change"].mean()
