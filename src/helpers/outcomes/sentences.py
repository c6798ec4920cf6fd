"""Plain-English findings generated from the tidy result frames.

Every number in a sentence is read from a row of a result frame and formatted by
:mod:`helpers.report.fmt`, so a sentence can never disagree with its table. Wording follows the
GOV.UK / Government Analysis Function guidance on communicating uncertainty: the estimate,
then its 95% confidence interval, then the number of people behind it; "could be chance" when
the interval includes no change. Groups smaller than the disclosure threshold get a sentence
saying so, never a number.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.outcomes.mixed import MODEL_NESTED, MODEL_OLS_LARGE, MODEL_PARTICIPANT
from helpers.report.fmt import fmt_ci, fmt_int, fmt_num, fmt_p

WAVE_WORDS = {
    "baseline": "the start of the programme",
    "post": "the end of the programme",
    "follow_up": "follow-up",
    "retrospective_pre": "the retrospective ('then') rating",
}
SURVEY_WORDS = {
    ("baseline", "post"): "both the start and end-of-programme surveys",
    ("baseline", "follow_up"): "both the start and follow-up surveys",
    ("post", "follow_up"): "both the end-of-programme and follow-up surveys",
}


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def wave_words(wave: str) -> str:
    """A wave id in words (``post`` -> "the end of the programme")."""
    return WAVE_WORDS.get(wave, str(wave).replace("_", " "))


def _uncertain(low, high) -> bool:
    return _finite(low) and _finite(high) and float(low) <= 0 <= float(high)


def _core(est: float, dp: int, same: str, up: str, down: str) -> tuple[str, bool]:
    """The words for a signed estimate: ``same`` when it rounds to zero, else ``up`` or
    ``down`` with ``{v}`` replaced by its rounded size. Also returns whether it was zero."""
    rounded = fmt_num(abs(float(est)), dp)
    if float(rounded.replace(",", "")) == 0:
        return same, True
    return (up if est > 0 else down).format(v=rounded), False


def change_sentence(row: pd.Series | dict, label: str, threshold: int = 5,
                    people: str = "delegates", dp: int = 2) -> str:
    """One sentence for a :func:`helpers.outcomes.change.scale_change` row.

    Example: "Inspiring shared purpose rose by 0.42 points (95% CI 0.31 to 0.53) among the 171
    delegates who answered both the start and end-of-programme surveys."
    """
    n = int(row["n"])
    surveys = SURVEY_WORDS.get((row["from_wave"], row["to_wave"]),
                               f"at both {wave_words(row['from_wave'])} and "
                               f"{wave_words(row['to_wave'])}")
    if n < threshold:
        return (f"{label}: fewer than {threshold} {people} answered {surveys}, so the change is "
                "not reported.")
    est = row["estimate"]
    if not _finite(est):
        return f"{label}: the change could not be estimated."
    rounded = fmt_num(abs(float(est)), dp)
    if float(rounded) == 0:
        verb = "did not change on average"
        amount = ""
    else:
        verb = "rose" if est > 0 else "fell"
        amount = f" by {rounded} points"
    ci = (f" (95% CI {fmt_ci(row['ci_low'], row['ci_high'], dp)})"
          if _finite(row.get("ci_low")) else "")
    text = f"{label} {verb}{amount}{ci} among the {fmt_int(n)} {people} who answered {surveys}."
    if _uncertain(row.get("ci_low"), row.get("ci_high")) and float(rounded) != 0:
        text += " The interval includes no change, so this could be chance."
    return text


#: How each change model allows for who answered, as the sentence opens.
ALLOWING = {
    MODEL_NESTED: "Allowing for differences between cohorts and between individuals",
    MODEL_PARTICIPANT: "Allowing for differences between individuals",
    MODEL_OLS_LARGE: "Allowing for differences between cohorts",
}
#: The opening for the CR2 regression fitted when the mixed model cannot be.
ALLOWING_FALLBACK = "Comparing the surveys' means, with errors allowing for repeated answers"


def _df_words(df) -> str:
    """Degrees of freedom of a t test in words: one decimal below 100, whole above."""
    if not _finite(df):
        return ""
    return f" on {fmt_num(float(df), 1 if float(df) < 100 else 0)} degrees of freedom"


def model_sentence(row: pd.Series | dict, label: str, reference_wave: str = "baseline",
                   threshold: int = 5, people: str = "delegates", dp: int = 2) -> str:
    """One sentence for a :func:`helpers.outcomes.mixed.wave_effects` row (profession "all"),
    naming the model that produced it and the degrees of freedom of its t test.

    Example: "Allowing for differences between cohorts and between individuals, Inspiring
    shared purpose scores were 0.54 points higher at the end of the programme than at the start
    of the programme (95% CI 0.48 to 0.60, p < 0.001 on 292 degrees of freedom; 200 delegates;
    REML mixed model ...)."
    """
    n = int(row["n"])
    if n < threshold:
        return (f"{label}: fewer than {threshold} {people} answered at "
                f"{wave_words(row['wave'])}, so the model is not reported.")
    est = row["estimate"]
    if not _finite(est):
        return f"{label}: {row['model']}."
    rounded = fmt_num(abs(float(est)), dp)
    direction = "higher" if est > 0 else "lower"
    what = (f"were {rounded} points {direction}" if float(rounded) != 0
            else "were unchanged on average")
    allowing = ALLOWING.get(row["model"], ALLOWING_FALLBACK)
    return (f"{allowing}, {label} scores {what} at {wave_words(row['wave'])} than at "
            f"{wave_words(reference_wave)} (95% CI {fmt_ci(row['ci_low'], row['ci_high'], dp)}, "
            f"{fmt_p(row['p_value'])}{_df_words(row.get('df'))}; {fmt_int(n)} {people}; "
            f"{row['model']}).")


def gap_sentence(row: pd.Series | dict, label: str, threshold: int = 5, dp: int = 2) -> str:
    """One sentence for a :func:`helpers.outcomes.rater_gap.gap_summary` row."""
    n = int(row["n"])
    when = wave_words(row["wave"])
    if n < threshold:
        return (f"{label} at {when}: fewer than {threshold} people had both self and others' "
                "ratings, so the comparison is not reported.")
    core, _ = _core(row["estimate"], dp,
                    "people rated themselves the same as others rated them on average",
                    "people rated themselves {v} points higher than others rated them",
                    "people rated themselves {v} points lower than others rated them")
    ci = fmt_ci(row["ci_low"], row["ci_high"], dp)
    return f"{label} at {when}: {core} (95% CI {ci}; {fmt_int(n)} people with both ratings)."


def narrowing_sentence(row: pd.Series | dict, label: str, threshold: int = 5, dp: int = 2) -> str:
    """One sentence for a :func:`helpers.outcomes.rater_gap.gap_narrowing` row."""
    n = int(row["n"])
    if n < threshold:
        return (f"{label}: fewer than {threshold} people had self and others' ratings at both "
                "waves, so any narrowing of the gap is not reported.")
    core, zero = _core(row["estimate"], dp,
                       "the gap between self and others' ratings did not change on average",
                       "the gap between self and others' ratings widened by {v} points",
                       "the gap between self and others' ratings narrowed by {v} points")
    text = (f"{label}: {core} between {wave_words(row['from_wave'])} and "
            f"{wave_words(row['to_wave'])} (95% CI {fmt_ci(row['ci_low'], row['ci_high'], dp)};"
            f" {fmt_int(n)} people).")
    if _uncertain(row["ci_low"], row["ci_high"]) and not zero:
        text += " The interval includes no change."
    return text


def attrition_sentence(row: pd.Series | dict, label: str, threshold: int = 5, dp: int = 2) -> str:
    """One sentence for a :func:`helpers.outcomes.attrition.baseline_by_completion` row."""
    if min(int(row["n_completers"]), int(row["n_non_completers"])) < threshold:
        return (f"{label}: fewer than {threshold} people in one of the groups, so completers "
                "and non-completers are not compared.")
    core, _ = _core(row["estimate"], dp,
                    "completers and non-completers started at the same level on average",
                    "people who answered again started {v} points higher than those who did not",
                    "people who answered again started {v} points lower than those who did not")
    return (f"{label}: {core} (95% CI {fmt_ci(row['ci_low'], row['ci_high'], dp)}, "
            f"{fmt_p(row['p_value'])}).")


def alpha_sentence(row: pd.Series | dict, label: str, dp: int = 2) -> str:
    """One sentence for a :func:`helpers.scales.reliability` row."""
    when = wave_words(row["wave"])
    if not _finite(row["estimate"]):
        return f"{label} at {when}: reliability not estimable ({row.get('note') or 'no data'})."
    text = (f"{label} at {when}: Cronbach's alpha {fmt_num(row['estimate'], dp)} "
            f"(95% CI {fmt_ci(row['ci_low'], row['ci_high'], dp)}, {fmt_int(row['n'])} "
            "respondents)")
    if row.get("low"):
        text += ", below the usual 0.7: treat this scale's score with caution"
    return text + "."
