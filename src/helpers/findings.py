"""Findings rules: how a number becomes a claim a reader can sign.

Every headline and bullet of the outcomes and evaluation reports is written through these
functions, so that the same rules hold everywhere:

- a headline states the typical effect (the median across scales) and the range, with the
  count that survives the multiple-testing adjustment ("6 of 9 scales after Holm adjustment"),
  never the largest change alone;
- caveats that qualify a claim (decay from the end of the programme to follow-up, response
  rates, low reliability) are written beside it;
- behaviour (Kirkpatrick level 3) is judged from change in colleagues' ratings, not
  self-ratings;
- a bullet is only written when its comparison means something: enough people, more than one
  group, not every group suppressed (:func:`meaningful`);
- percentages carry their n ("49% (108 of 220)") and differences of percentages are
  "percentage points";
- the design is an uncontrolled before-after comparison, so sentences say "self-rated ...
  rose", never that the programme caused it.

References: Kirkpatrick & Kirkpatrick (2006) on the four levels; Holm (1979); GOV.UK
Government Analysis Function, "Communicating uncertainty" (2023); ONS disclosure guidance (2019).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.report.fmt import fmt_int, fmt_num, fmt_signed, plural

WAVE_WORDS = {"baseline": "the start of the programme", "post": "the end of the programme",
              "follow_up": "follow-up"}
PERIODS = {("baseline", "post"): "between the start and the end of the programme",
           ("baseline", "follow_up"): "between the start of the programme and follow-up",
           ("post", "follow_up"): "between the end of the programme and follow-up"}



def pct_of(k: int, n: int, threshold: int = 5, dp: int = 0) -> str:
    """A percentage with its numerator and denominator: "49% (108 of 220)".

    Disclosure: a count between 1 and ``threshold - 1`` (of ``k`` or of ``n - k``, which a
    reader could subtract) is not given; the phrase then says "fewer than 5 of 220" or "all but
    fewer than 5 of 220". An ``n`` of zero has no percentage.

    Examples
    --------
    >>> pct_of(108, 220)
    '49% (108 of 220)'
    >>> pct_of(3, 220), pct_of(218, 220), pct_of(0, 0)
    ('fewer than 5 of 220', 'all but fewer than 5 of 220', 'none of 0')
    >>> pct_of(1, 1, threshold=1)
    '100% (1 of 1)'
    """
    if n <= 0:
        return "none of 0"
    if 0 < k < threshold:
        return f"fewer than {threshold} of {fmt_int(n)}"
    if 0 < n - k < threshold:
        return f"all but fewer than {threshold} of {fmt_int(n)}"
    return f"{fmt_num(100 * k / n, dp)}% ({fmt_int(k)} of {fmt_int(n)})"


def points_pp(diff: float, dp: int = 0) -> str:
    """A difference between two proportions (0 to 1) in percentage points.

    Examples
    --------
    >>> points_pp(0.12), points_pp(-0.013, dp=1), points_pp(0.01)
    ('12 percentage points', '1.3 percentage points', '1 percentage point')
    """
    text = fmt_num(abs(100 * float(diff)), dp)
    return f"{text} percentage point{'' if text == '1' else 's'}"


def meaningful(counts: Iterable[int], threshold: int, min_groups: int = 2) -> bool:
    """Whether a comparison between groups is worth a sentence: at least ``min_groups`` groups
    with ``threshold`` or more people each (so more than one group, and not all suppressed).

    Examples
    --------
    >>> meaningful([220], 5), meaningful([3, 4], 5), meaningful([12, 9, 2], 5)
    (False, False, True)
    >>> meaningful([30], 5, min_groups=1)
    True
    """
    return sum(1 for c in counts if c is not None and c >= threshold) >= min_groups


def _shown(cf: pd.DataFrame, a: str, b: str, threshold: int) -> pd.DataFrame:
    return cf[(cf["from_wave"] == a) & (cf["to_wave"] == b) & (cf["n"] >= threshold)
              & np.isfinite(cf["estimate"].astype(float))]


def change_headline(cf: pd.DataFrame, threshold: int, alpha: float = 0.05,
                    from_wave: str = "baseline", to_wave: str = "post",
                    subject: str = "Self-rated scores", people: str = "participants",
                    answered: str = "who answered both surveys") -> str | None:
    """The headline of a table of change: typical effect, range and the adjusted count.

    ``cf`` has one row per scale and pair of surveys, with ``from_wave, to_wave, n, estimate``
    and ``p_holm`` (:func:`helpers.outcomes.change.scale_change`, adjusted over the report's
    family). The typical change is the median across scales of the change among the people
    who answered both surveys; a scale counts as risen after adjustment when its Holm p is
    below ``alpha`` and its change is positive. Scales about fewer than ``threshold`` people are
    left out. Returns None when no scale can be shown.

    Examples
    --------
    >>> import pandas as pd
    >>> cf = pd.DataFrame({"from_wave": "baseline", "to_wave": "post", "n": [40, 40, 38],
    ...                    "estimate": [0.1, 0.3, 0.5], "p_holm": [0.2, 0.01, 0.001]})
    >>> change_headline(cf, 5)
    'Self-rated scores rose on 3 of 3 scales between the start and the end of the programme, 2 of 3 scales after Holm adjustment (p below 0.05); the typical (median) change was +0.30 points (range +0.10 to +0.50), among 38 to 40 participants who answered both surveys.'
    >>> change_headline(cf.iloc[:1], 5)
    'Self-rated scores rose on the 1 scale between the start and the end of the programme, not beyond chance after Holm adjustment (p below 0.05): +0.10 points, among 40 participants who answered both surveys.'
    >>> change_headline(cf.assign(n=3), 5) is None
    True
    """
    f = _shown(cf, from_wave, to_wave, threshold)
    if f.empty:
        return None
    k = len(f)
    est = f["estimate"].astype(float)
    up, down = int((est > 0).sum()), int((est < 0).sum())
    adj = int(((f["p_holm"] < alpha) & (est > 0)).sum())
    period = PERIODS.get((from_wave, to_wave), f"between {WAVE_WORDS.get(from_wave, from_wave)} "
                         f"and {WAVE_WORDS.get(to_wave, to_wave)}")
    lo, hi = int(f["n"].min()), int(f["n"].max())
    who = f"{fmt_int(lo)} {people}" if lo == hi else f"{fmt_int(lo)} to {fmt_int(hi)} {people}"
    if up >= down:
        verb, moved = "rose", up
    else:
        verb, moved = "fell", down
    if k == 1:
        count = "the 1 scale"
        test = ("after Holm adjustment" if adj else "not beyond chance after Holm adjustment")
        return (f"{subject} {verb} on {count} {period}, {test} (p below {alpha:g}): "
                f"{fmt_signed(est.iloc[0])} points, among {who} {answered}.")
    return (f"{subject} {verb} on {moved} of {k} scales {period}, "
            f"{'none' if adj == 0 else adj} of {k} scales after Holm adjustment "
            f"(p below {alpha:g}); the typical (median) change was "
            f"{fmt_signed(float(est.median()))} points (range {fmt_signed(float(est.min()))} "
            f"to {fmt_signed(float(est.max()))}), among {who} {answered}.")


def decay_caveat(cf: pd.DataFrame, threshold: int, n_follow_up: int | None = None,
                 n_start: int | None = None) -> str | None:
    """What happened after the programme, to travel with a headline of change: how many scales
    fell from the end of the programme to follow-up, and how many answered the follow-up.

    Examples
    --------
    >>> import pandas as pd
    >>> cf = pd.DataFrame({"from_wave": "post", "to_wave": "follow_up", "n": [90, 90],
    ...                    "estimate": [-0.1, 0.05], "p_holm": [0.3, 0.6]})
    >>> decay_caveat(cf, 5, 108, 220)
    'From the end of the programme to follow-up, 1 of 2 scales fell; 49% (108 of 220) answered the follow-up survey, so this is about those who did.'
    >>> decay_caveat(cf.assign(estimate=[0.1, 0.2]), 5) is None
    True
    """
    f = _shown(cf, "post", "follow_up", threshold)
    if f.empty:
        return None
    fell = int((f["estimate"].astype(float) < 0).sum())
    if fell == 0:
        return None
    text = (f"From the end of the programme to follow-up, "
            f"{'the 1 scale' if len(f) == 1 else f'{fell} of {len(f)} scales'} fell")
    if n_follow_up is not None and n_start:
        text += (f"; {pct_of(n_follow_up, n_start, threshold)} answered the follow-up survey, "
                 "so this is about those who did")
    return text + "."


def reliability_caveat(rel: pd.DataFrame, threshold: int, low: float = 0.7) -> str | None:
    """A caveat when scales are measured unreliably: how many scales have Cronbach's alpha
    below ``low`` at any survey (``rel`` has ``scale, n, estimate``; rows about fewer than
    ``threshold`` respondents are ignored).

    Examples
    --------
    >>> import pandas as pd
    >>> rel = pd.DataFrame({"scale": ["a", "a", "b", "c"], "n": [50, 50, 50, 3],
    ...                     "estimate": [0.6, 0.8, 0.75, 0.2]})
    >>> reliability_caveat(rel, 5)
    "Cronbach's alpha is below 0.7 on 1 of 2 scales at one survey or more, so changes on it are measured imprecisely."
    >>> reliability_caveat(rel.assign(estimate=0.9), 5) is None
    True
    """
    r = rel[(rel["n"] >= threshold) & np.isfinite(rel["estimate"].astype(float))]
    if r.empty:
        return None
    weak = r.groupby("scale")["estimate"].min() < low
    k, m = int(weak.sum()), len(weak)
    if k == 0:
        return None
    which = "it" if k == 1 else "them"
    return (f"Cronbach's alpha is below {low:g} on {k} of {plural(m, 'scale')} at one survey or "
            f"more, so changes on {which} are measured imprecisely.")


def behaviour_headline(others_cf: pd.DataFrame, threshold: int, alpha: float = 0.05) -> str | None:
    """Kirkpatrick level 3 from colleagues' ratings: :func:`change_headline` of the change in
    others' (360) ratings, which is what behaviour change means; self-ratings are learning.

    Examples
    --------
    >>> import pandas as pd
    >>> cf = pd.DataFrame({"from_wave": "baseline", "to_wave": "post", "n": [20, 20],
    ...                    "estimate": [0.2, -0.1], "p_holm": [0.04, 0.5]})
    >>> behaviour_headline(cf, 5)
    "Colleagues' 360 ratings of participants rose on 1 of 2 scales between the start and the end of the programme, 1 of 2 scales after Holm adjustment (p below 0.05); the typical (median) change was +0.05 points (range −0.10 to +0.20), among 20 participants rated by colleagues at both surveys."
    >>> behaviour_headline(cf.iloc[0:0], 5) is None
    True
    """
    if others_cf.empty:
        return None
    return change_headline(others_cf, threshold, alpha,
                           subject="Colleagues' 360 ratings of participants",
                           people="participants",
                           answered="rated by colleagues at both surveys")
