"""The leadership outcomes report (notebook 20): each ``show_*`` is one section's table, figure
and sentences, built from the pure functions of this package and shown through
:mod:`helpers.report.display` (escaped, suppressed below the threshold, never a participant id).

A notebook calls :func:`prepare` once, then one ``show_*`` per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import findings
from helpers.multiplicity import family_sentence, family_size, holm, holm_family
from helpers.outcomes import attrition, change, likert, mixed, rater_gap, sentences
from helpers.outcomes.attrition import COMPLETION_COLUMNS
from helpers.outcomes.mixed import EFFECT_COLUMNS
from helpers.outcomes.display import CI, format_estimates
from helpers.report.disclosure import own_cell_code, suppress_table
from helpers.report.results import Results
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_int, fmt_num
from helpers.scales import (DEFAULT_MIN_SHARE, WAVE_ORDER, reliability, scale_labels,
                            score_scales)

OUTCOME_KINDS = ("outcome", "competency", "relationship")
#: Columns of :attr:`OutcomesResults.attrition`.
ATTRITION_COLUMNS = ("by", "group", "n_baseline", "n_no_later", "share_no_later")
PEOPLE = "participants"
RATER_WORDS = {"self": "Self", "manager": "Manager", "peer": "Peers",
               "direct_report": "Direct reports"}


@dataclass
class OutcomesResults(Results):
    """Leadership outcomes of one report scope: scale scores, change, 360 gaps and models.

    Attributes
    ----------
    rep : the report scope (:func:`helpers.report.open_report`), for its data and threshold.
    instruments : the outcome-type instruments answered in scope (dataset.yaml entries).
    scores : every scale score, one row per person, instrument, scale, wave and rater
        (:func:`helpers.scales.score_scales`), not suppressed.
    labels : scale id -> label for tables and sentences.
    waves : the survey waves with self-ratings, in survey order.
    change : self-rated change per instrument, scale and pair of surveys
        (:func:`helpers.outcomes.change.scale_change`), with ``p_holm`` over the report's
        confirmatory family: every paired t-test about at least ``suppress_below`` people.
    others_change : the same for colleagues' 360 ratings (each person's raters averaged), the
        test of behaviour change (Kirkpatrick level 3); ``p_holm`` over its own family.
    gaps : self minus others per scale and wave (:func:`helpers.outcomes.rater_gap.gap_summary`)
        with ``p_holm`` over the 360 family.
    reliability : Cronbach's alpha per scale and wave, self-ratings
        (:func:`helpers.scales.reliability`).
    narrowing : change in the self-other gap per scale, start to end
        (:func:`helpers.outcomes.rater_gap.gap_narrowing`).
    then_test : traditional and retrospective pre-tests side by side
        (:func:`helpers.outcomes.rater_gap.then_test`).
    mixed : the mixed model's wave effects per scale (:func:`helpers.outcomes.mixed.all_wave_effects`),
        or None when prepared with ``models=False``.
    attrition : baseline respondents and how many gave no end-of-programme answer, long: one row
        per grouping (``by``: profession, organisation, cohort_id) and ``group``, each grouping
        ending with its ``All`` row (:func:`helpers.outcomes.attrition.attrition_by`, over the
        outcome instruments); empty without both start and end surveys.
    completion : starting scale scores of completers against non-completers, Welch's test
        (:func:`helpers.outcomes.attrition.baseline_by_completion`); empty likewise.
    item_levels : self-rated answers per instrument, wave, item and level, long
        (:func:`helpers.outcomes.likert.level_counts`), every wave answered; not suppressed.
    distributions : the same by ``(instrument_id, wave)``, wide as the diverging bar chart draws
        it (:func:`helpers.outcomes.likert.likert_distribution`).
    cache : frames computed on demand (subgroup tables), keyed by what they are.
    """

    rep: object
    instruments: list[dict]
    scores: pd.DataFrame
    labels: dict[str, str]
    waves: list[str] = field(default_factory=list)
    change: pd.DataFrame | None = None
    others_change: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    narrowing: pd.DataFrame | None = None
    then_test: pd.DataFrame | None = None
    mixed: pd.DataFrame | None = None
    attrition: pd.DataFrame | None = None
    completion: pd.DataFrame | None = None
    item_levels: pd.DataFrame | None = None
    distributions: dict | None = None
    cache: dict = field(default_factory=dict, repr=False)

    COLUMNS = {
        "scores": ("participant_id", "instrument_id", "scale", "wave", "rater", "score"),
        "change": ("instrument_id", "scale", "from_wave", "to_wave", "n", "estimate", "ci_low",
                   "ci_high", "p_value", "p_holm"),
        "others_change": ("instrument_id", "scale", "from_wave", "to_wave", "n", "estimate",
                          "ci_low", "ci_high", "p_value", "p_holm"),
        "gaps": ("scale", "wave", "n", "estimate", "ci_low", "ci_high", "p_value", "p_holm"),
        "reliability": ("scale", "wave", "n", "estimate", "low"),
        "attrition": ATTRITION_COLUMNS,
        "completion": COMPLETION_COLUMNS,
        "item_levels": ("instrument_id", "wave") + likert.LEVEL_COLUMNS,
        "narrowing": ("scale", "from_wave", "to_wave", "n", "estimate", "ci_low", "ci_high",
                      "p_value", "mean_from", "mean_to"),
        "then_test": ("scale", "comparison"),
        "mixed": tuple(EFFECT_COLUMNS),
    }

    def __post_init__(self):
        # Frames not given are computed here, once, so that an object built from scores alone
        # (a test, a researcher's own scores) holds the same tables as a prepared one.
        t = self.rep.threshold
        if self.change is None:
            self.change = change_table(self.scores, self.instruments, self.waves, t)
        if self.others_change is None:
            self.others_change = others_change_table(self.scores, self.instruments,
                                                     self.waves, t)
        if self.gaps is None:
            gs = rater_gap.gap_summary(self.scores)
            gs["p_holm"] = holm_family(gs["p_value"], gs["n"], t)
            self.gaps = gs
        if self.narrowing is None:
            self.narrowing = rater_gap.gap_narrowing(self.scores)
        if self.then_test is None:
            self.then_test = rater_gap.then_test(self.scores)
        if self.reliability is None:
            d = self.rep.data
            ids = [i["instrument_id"] for i in self.instruments]
            self.reliability = (
                reliability(d.responses, d.items, rater="self", instrument_id=ids)
                if ids and hasattr(d, "responses")
                else pd.DataFrame(columns=list(self.COLUMNS["reliability"])))
        if self.attrition is None or self.completion is None:
            self.attrition, self.completion = attrition_frames(
                self.scores, self._responses(), self.rep.data, self.waves)
        if self.item_levels is None or self.distributions is None:
            self.item_levels, self.distributions = likert_frames(
                self._responses(), getattr(self.rep.data, "items", None), self.instruments)

    def _responses(self) -> pd.DataFrame | None:
        """The answers to this section's instruments, or None when the data holds none."""
        d = self.rep.data
        if not hasattr(d, "responses"):
            return None
        ids = [i["instrument_id"] for i in self.instruments]
        return d.responses[d.responses["instrument_id"].isin(ids)]

    @property
    def threshold(self) -> int:
        return self.rep.threshold

    @property
    def data(self):
        return self.rep.data

    def label(self, scale: str) -> str:
        return self.labels.get(scale, str(scale).replace("_", " ").capitalize())


#: The name callers used before the results object was documented.
Outcomes = OutcomesResults


def attrition_frames(scores: pd.DataFrame, responses: pd.DataFrame | None, data,
                     waves: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:attr:`OutcomesResults.attrition` and :attr:`~OutcomesResults.completion`: attrition
    by every grouping the participants table holds, stacked long, and the starting scores of
    completers against non-completers; both empty unless ``waves`` has start and end."""
    empty = (pd.DataFrame(columns=list(ATTRITION_COLUMNS)),
             pd.DataFrame(columns=list(COMPLETION_COLUMNS)))
    if responses is None or not {"baseline", "post"} <= set(waves):
        return empty
    tables = attrition.attrition_tables(responses, data.participants)
    stacked = [t.rename(columns={by: "group"}).assign(by=by)[list(ATTRITION_COLUMNS)]
               for by, t in tables.items()]
    long = (pd.concat(stacked, ignore_index=True) if stacked else empty[0])
    return long, attrition.baseline_by_completion(scores, responses)


def attrition_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """One grouping of :attr:`OutcomesResults.attrition`, its groups in a column named
    ``by`` (:func:`helpers.outcomes.attrition.attrition_by`'s own shape)."""
    t = frame[frame["by"] == by].drop(columns="by").rename(columns={"group": by})
    return t.reset_index(drop=True)


def likert_frames(responses: pd.DataFrame | None, items: pd.DataFrame | None,
                  instruments: list[dict]) -> tuple[pd.DataFrame, dict]:
    """:attr:`OutcomesResults.item_levels` and :attr:`~OutcomesResults.distributions`: the
    self-rated answers of every instrument at every wave it was answered, in survey order."""
    cols = ["instrument_id", "wave", *likert.LEVEL_COLUMNS]
    if responses is None or items is None:
        return pd.DataFrame(columns=cols), {}
    self_r = responses[responses["rater"] == "self"]
    answered = list(dict.fromkeys(self_r["wave"].astype(str)))
    waves = ([w for w in WAVE_ORDER if w in answered]
             + [w for w in answered if w not in WAVE_ORDER])
    dists, frames = {}, []
    for inst in instruments:
        iid = inst["instrument_id"]
        for wave in waves:
            dist = likert.likert_distribution(responses, items, iid, wave=wave)
            dists[(iid, wave)] = dist
            frames.append(likert.level_counts(dist).assign(instrument_id=iid, wave=wave))
    long = (pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols))
    return long, dists


def prepare(rep, models: bool = True) -> OutcomesResults:
    """Score every outcome-type instrument answered in the report's scope and compute the
    section's frames once; ``models=False`` leaves the mixed models out (``mixed`` is None
    and :func:`mixed_frame` fits them when asked)."""
    d = rep.data
    answered = set(d.responses["instrument_id"].astype(str)) if len(d.responses) else set()
    insts = [i for i in d.instruments
             if i.get("kind", "outcome") in OUTCOME_KINDS and i["instrument_id"] in answered]
    ids = [i["instrument_id"] for i in insts]
    scores = (score_scales(d.responses, d.items, insts, instrument_id=ids) if ids
              else score_scales(d.responses.iloc[0:0], d.items))
    present = set(scores.loc[scores["rater"] == "self", "wave"].astype(str))
    waves = [w for w in WAVE_ORDER if w in present]
    o = OutcomesResults(rep, insts, scores, scale_labels(d.instruments, d.items), waves)
    if models:
        o.mixed = mixed_frame(o)
    return o


def _no_data(o: Outcomes) -> bool:
    if not o.instruments or o.scores.empty:
        show_callout("No leadership outcome survey answers are recorded for this scope.")
        return True
    return False


def _instrument_scores(o: Outcomes, inst: dict) -> pd.DataFrame:
    return o.scores[o.scores["instrument_id"] == inst["instrument_id"]]


def _wave_label(wave: str) -> str:
    return sentences.wave_words(wave).capitalize()


# --- scoring and reliability ---------------------------------------------------------------

def scoring_sentences(o: Outcomes) -> list[str]:
    """How scale scores were made, per instrument, in words."""
    out = []
    items = o.data.items
    for inst in o.instruments:
        it = items[items["instrument_id"] == inst["instrument_id"]]
        share = float(inst.get("min_share_answered") or DEFAULT_MIN_SHARE)
        n_rev = int(it["reverse_scored"].fillna(False).astype(bool).sum())
        out.append(
            f"{inst.get('name', inst['instrument_id'])}: {it['scale'].nunique()} scales from "
            f"{len(it)} items, {n_rev} of them reverse-scored (turned round as lowest + highest "
            f"- answer). A scale score is the mean of a person's answered items when at least "
            f"{share:.0%} of the scale's items were answered, otherwise it is left out; "
            "where several colleagues of one type rated a person, each colleague's score is "
            "worked out first and then averaged.")
    return out


def score_table(o: Outcomes) -> pd.DataFrame:
    """Mean scale score per instrument, scale, wave and rater type, with respondents."""
    s = o.scores.dropna(subset=["score"])
    t = (s.groupby(["instrument_id", "scale", "wave", "rater"], sort=False)["score"]
         .agg(["mean", "std", "size"]).reset_index()
         .rename(columns={"mean": "estimate", "std": "sd", "size": "n"}))
    t["_w"] = t["wave"].map({w: i for i, w in enumerate(WAVE_ORDER)})
    t["_r"] = t["rater"].map({r: i for i, r in enumerate(RATER_WORDS)})
    return t.sort_values(["instrument_id", "scale", "_w", "_r"]).drop(columns=["_w", "_r"])


def show_scoring(o: Outcomes) -> None:
    """Section: scale scoring rules and the mean score per scale, wave and rater."""
    if _no_data(o):
        return
    show_sentences(scoring_sentences(o), title="How scale scores are made")
    t = score_table(o)
    t = t.assign(scale=t["scale"].map(o.label), wave=t["wave"].map(_wave_label),
                 rater=t["rater"].map(lambda r: RATER_WORDS.get(r, r)))
    show_table(format_estimates(t, o.threshold, {"scale": "Scale", "wave": "Survey",
                                                 "rater": "Rated by", "n": "People",
                                                 "estimate": "Mean score", "sd": "SD"}),
               caption="Mean scale scores by survey and rater", units="scale points")


def show_reliability(o: Outcomes) -> None:
    """Section: Cronbach's alpha per scale and wave (self-ratings), low values flagged."""
    if _no_data(o):
        return
    rel = o.reliability
    if rel.empty:
        show_callout("Not enough self-ratings to estimate reliability.")
        return
    shown = rel.assign(scale=rel["scale"].map(o.label), wave=rel["wave"].map(_wave_label),
                       flag=np.where(rel["low"], "below 0.7", ""))
    show_table(format_estimates(shown, o.threshold,
                                {"scale": "Scale", "wave": "Survey", "n": "Respondents",
                                 "n_items": "Items", "estimate": "Cronbach's alpha",
                                 CI: "95% CI", "flag": "Flag", "note": "Note"},
                                n_cols=("n",), int_cols=("n_items",)),
               caption="Internal consistency of each scale (self-ratings)",
               note="Alpha from pingouin with Feldt's confidence interval; 0.7 or more is "
                    "usually taken as adequate for group comparisons (Nunnally 1978).")
    low = rel[rel["low"] & (rel["n"] >= o.threshold)]
    if len(low):
        parts = [f"{o.label(scale)} ({', '.join(sentences.wave_words(w) for w in g['wave'])})"
                 for scale, g in low.groupby("scale", sort=False)]
        show_callout("Cronbach's alpha is below 0.7 for " + "; ".join(parts) + ". Scores on "
                     "these scales are less precise, so treat their changes with caution.",
                     kind="caveat")


# --- change --------------------------------------------------------------------------------

def change_table(scores: pd.DataFrame, instruments: list[dict], waves: list[str],
                 threshold: int, rater: str = "self") -> pd.DataFrame:
    """:func:`helpers.outcomes.change.scale_change` for every instrument and wave pair.

    ``p_holm`` is over the report's confirmatory family: every paired t-test in the frame
    (every scale of every instrument at every pair of surveys) about at least ``threshold``
    people (:func:`helpers.multiplicity.holm_family`)."""
    frames = []
    for inst in instruments:
        s = scores[scores["instrument_id"] == inst["instrument_id"]]
        for a, b in change.wave_pairs(waves):
            res = change.scale_change(s, a, b, rater=rater)
            if len(res):
                res.insert(0, "instrument_id", inst["instrument_id"])
                frames.append(res)
    if not frames:
        return pd.DataFrame(columns=["instrument_id"] + change.CHANGE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["p_holm"] = holm_family(out["p_value"], out["n"], threshold)
    return out


def others_change_table(scores: pd.DataFrame, instruments: list[dict], waves: list[str],
                        threshold: int) -> pd.DataFrame:
    """Change in colleagues' 360 ratings: each person's managers', peers' and direct reports'
    scores averaged per scale and wave (every rater type weighted equally), then
    :func:`change_table` on those averages, as its own family.

    Missing data: a person counts for a scale when colleagues rated them at both surveys."""
    others = scores[scores["rater"].isin(rater_gap.OTHER_RATERS)].dropna(subset=["score"])
    if others.empty:
        return pd.DataFrame(columns=["instrument_id"] + change.CHANGE_COLUMNS)
    by_type = (others.groupby(["participant_id", "instrument_id", "scale", "wave", "rater"],
                              sort=False)["score"].mean().reset_index())
    avg = (by_type.groupby(["participant_id", "instrument_id", "scale", "wave"], sort=False)
           ["score"].mean().reset_index().assign(rater="others"))
    present = [w for w in waves if w in set(avg["wave"].astype(str))]
    return change_table(avg, instruments, present, threshold, rater="others")


def change_frame(o: OutcomesResults) -> pd.DataFrame:
    """The self-rated change table of ``o`` (:attr:`OutcomesResults.change`)."""
    return o.change


def gap_frame(o: OutcomesResults) -> pd.DataFrame:
    """The 360 gap table of ``o`` (:attr:`OutcomesResults.gaps`)."""
    return o.gaps


def subgroup_frame(o: Outcomes, by: str) -> pd.DataFrame:
    """:func:`helpers.outcomes.change.subgroup_change` (start to end) for every instrument,
    computed once per ``by``, with ``p_holm`` over one family per table: every subgroup shown
    by every scale of every instrument."""
    key = ("subgroups", by)
    if key not in o.cache:
        frames = [change.subgroup_change(_instrument_scores(o, inst), o.data.participants, by,
                                         threshold=o.threshold) for inst in o.instruments]
        sg = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(sg):
            sg["p_holm"] = holm(sg["p_value"])
        o.cache[key] = sg
    return o.cache[key]


def subgroups_compared(sg: pd.DataFrame, by: str, threshold: int) -> bool:
    """Whether a subgroup table compares anything: two or more groups with ``threshold`` or
    more people on some scale (:func:`helpers.findings.meaningful`)."""
    return findings.meaningful(sg.groupby(by)["n"].max(), threshold)


#: Subgroup tables of the report (notebook 20), in order.
SUBGROUPS = ("profession", "organisation")

#: What each table's p-values are for, when they are not adjusted.
UNADJUSTED = ("Not adjusted, and not in any family: the Wilcoxon signed-rank tests (a check on "
              "the t-tests, with the same hypotheses), the mixed model's p-values (a second "
              "estimate of the same changes), and the retrospective pre-test and attrition "
              "comparisons (checks on bias in the change, not tests of the programme).")


def multiplicity_sentences(o: Outcomes) -> list[str]:
    """The report's Holm families in words, each with its number of tests (Bender and Lange
    2001: state the family; keep confirmatory and exploratory tests apart)."""
    cf = change_frame(o)
    pairs = [f"{sentences.wave_words(a)} to {sentences.wave_words(b)}"
             for a, b in dict.fromkeys(zip(cf["from_wave"], cf["to_wave"]))]
    names = [i.get("name", i["instrument_id"]) for i in o.instruments
             if i["instrument_id"] in set(cf["instrument_id"])]
    out = [family_sentence(
        "Change between surveys (the main tests)", family_size(cf["p_holm"]),
        f"the paired t-tests of every scale of {', '.join(names) or 'the survey'} at every pair "
        f"of surveys ({'; '.join(pairs) or 'none'}); p (Holm) in the change table, and any "
        "statement elsewhere that a change is significant, use this family")]
    if o.scores["rater"].isin(rater_gap.OTHER_RATERS).any():
        out.append(family_sentence(
            "360 feedback", family_size(gap_frame(o)["p_holm"]),
            "the tests of the self-other gap of every scale at every survey: a question about "
            "how people see themselves, not about change, so a family of its own"))
    if len(o.others_change):
        out.append(family_sentence(
            "Change in colleagues' ratings", family_size(o.others_change["p_holm"]),
            "the paired t-tests of colleagues' averaged 360 ratings of every scale at every pair "
            "of surveys: the test of behaviour change, a family of its own"))
    if {"baseline", "post"} <= set(o.waves):
        for by in SUBGROUPS:
            sg = subgroup_frame(o, by)
            if sg.empty or not subgroups_compared(sg, by, o.threshold):
                continue   # the table is not shown, so neither is its family
            m = family_size(sg["p_holm"])
            out.append(family_sentence(
                f"Change by {by}", m, f"every {by} shown by every scale, start to end; "
                "exploratory, so kept apart from the main tests"))
    out.append(f"Tests about fewer than {o.threshold} people are not reported and not counted "
               "in a family. " + UNADJUSTED)
    return out


def change_sentences(o: Outcomes, frame: pd.DataFrame) -> list[str]:
    """One sentence per row of :func:`change_frame`."""
    return [sentences.change_sentence(r, o.label(r["scale"]), o.threshold, PEOPLE)
            for _, r in frame.iterrows()]


def show_change(o: Outcomes) -> None:
    """Section: change per scale between waves, paired tests, effect sizes, Holm."""
    if _no_data(o):
        return
    cf = change_frame(o)
    if cf.empty:
        show_callout("Nobody answered the self-assessment at two waves, so change cannot be "
                     "measured.")
        return
    shown = cf.assign(scale=cf["scale"].map(o.label),
                      comparison=[f"{_wave_label(a)} to {sentences.wave_words(b)}"
                                  for a, b in zip(cf["from_wave"], cf["to_wave"])],
                      d_av_ci=[f"{fmt_num(lo)} to {fmt_num(hi)}" if np.isfinite(lo) else "–"
                               for lo, hi in zip(cf["d_av_low"], cf["d_av_high"])])
    table = format_estimates(shown, o.threshold, {
        "scale": "Scale", "comparison": "Comparison", "n": "People (both surveys)",
        "mean_from": "Mean before", "mean_to": "Mean after", "estimate": "Change",
        CI: "95% CI", "p_value": "p (paired t)", "wilcoxon_p": "p (Wilcoxon)",
        "d_z": "d_z", "d_av": "d_av", "d_av_ci": "d_av 95% CI", "p_holm": "p (Holm)"})
    m = family_size(cf["p_holm"])
    show_table(table, caption="Change in self-rated leadership per scale", units="scale points",
               note="Paired t-test and Wilcoxon signed-rank test; d_z and d_av as Lakens (2013) "
                    f"with noncentral-t intervals; p (Holm) adjusts over all {m:,} paired t-tests "
                    "in this table, every scale at every pair of surveys (Holm 1979).")
    show_sentences(multiplicity_sentences(o), title="Multiple testing")
    first = cf[(cf["from_wave"] == "baseline") & (cf["to_wave"] == "post")]
    show_sentences(change_sentences(o, first if len(first) else cf), title="In words")


def show_forest(o: Outcomes) -> None:
    """Section figure: change per dimension with 95% CIs (baseline to post, or the first pair)."""
    if _no_data(o):
        return
    cf = change_frame(o)
    if cf.empty:
        return
    a, b = cf.iloc[0]["from_wave"], cf.iloc[0]["to_wave"]
    f = cf[(cf["from_wave"] == a) & (cf["to_wave"] == b) & (cf["n"] >= o.threshold)].copy()
    f["label"] = f["scale"].map(o.label)
    fig = likert.forest_figure(f, xlabel=f"Change in mean score (points), {sentences.wave_words(a)}"
                               f" to {sentences.wave_words(b)}")
    if fig is None:
        show_callout("Too few people answered both surveys to plot the change.")
        return
    top = f.sort_values("estimate", ascending=False).iloc[0]
    alt = (f"Forest plot of the change in {len(f)} scales from {sentences.wave_words(a)} to "
           f"{sentences.wave_words(b)}. The largest change was {top['label']} "
           f"({fmt_num(top['estimate'])} points, 95% CI {fmt_num(top['ci_low'])} to "
           f"{fmt_num(top['ci_high'])}).")
    show_figure(fig, alt=alt, caption="Change per dimension with 95% confidence intervals; the "
                "dashed line is no change.")


def mixed_frame(o: Outcomes) -> pd.DataFrame:
    """:func:`helpers.outcomes.mixed.all_wave_effects` for every instrument (self-ratings);
    the prepared :attr:`OutcomesResults.mixed` when there is one."""
    if o.mixed is not None:
        return o.mixed
    if "baseline" not in o.waves or len(o.waves) < 2:
        return pd.DataFrame(columns=mixed.EFFECT_COLUMNS)
    waves = ["baseline"] + [w for w in o.waves if w in ("post", "follow_up")]
    frames = [mixed.all_wave_effects(_instrument_scores(o, inst), o.data.participants,
                                     waves=waves, threshold=o.threshold)
              for inst in o.instruments]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=mixed.EFFECT_COLUMNS)


def show_mixed(o: Outcomes) -> None:
    """Section: the mixed model's wave effect per scale, overall and by profession."""
    if _no_data(o):
        return
    mf = mixed_frame(o)
    if mf.empty or len(o.waves) < 2:
        show_callout("The model needs answers at the start and at a later survey.")
        return
    # A cohort's change by profession, beside the programme's, would let a reader subtract one
    # cohort's profession count from the others': cohort reports show all professions together.
    by_cohort = getattr(o.rep, "cohort_id", None) is not None
    table = mf[mf["profession"] == "all"] if by_cohort else mf
    shown = table.assign(scale=table["scale"].map(o.label), wave=table["wave"].map(_wave_label),
                         profession=table["profession"].replace({"all": "All professions"}))
    columns = {"scale": "Scale", "wave": "Compared with the start", "profession": "Profession",
               "n": "People", "estimate": "Change", CI: "95% CI", "p_value": "p", "df": "df"}
    methods = sorted(set(mf["method"]))
    if len(methods) > 1:
        columns["method"] = "Method"   # say which rows came from a fallback
    show_table(format_estimates(shown, o.threshold, columns, dp=2),
               caption="Change from the start of the programme, from "
                       + (f"a {methods[0]}" if len(methods) == 1 else "the models named in "
                          "the Method column"),
               units="scale points")
    models = sorted(set(mf["model"]))
    show_callout("Model: score by survey, profession and their interaction; " + "; ".join(models)
                 + ". Intervals and p-values are from t tests on the degrees of freedom shown. "
                   "'All professions' averages the professions' changes, weighted by how many "
                   "people each has."
                 + (" The change by profession is given in the programme report only, so that "
                    "no profession's count in one cohort can be worked out from it."
                    if by_cohort else ""))
    overall = mf[mf["profession"] == "all"]
    show_sentences([sentences.model_sentence(r, o.label(r["scale"]), "baseline", o.threshold,
                                             PEOPLE) for _, r in overall.iterrows()],
                   title="In words")


# --- 360 and then-test ---------------------------------------------------------------------

def show_360(o: Outcomes) -> None:
    """Section: self against others per scale and wave, and whether the gap narrowed."""
    if _no_data(o):
        return
    if not o.scores["rater"].isin(rater_gap.OTHER_RATERS).any():
        show_callout("No 360 ratings from managers, peers or direct reports are recorded for "
                     "this scope.")
        return
    gs = gap_frame(o).copy()
    if gs.empty:
        show_callout("Nobody has both a self-rating and others' ratings at the same survey.")
        return
    gs["_w"] = gs["wave"].map({w: i for i, w in enumerate(WAVE_ORDER)})
    gs = gs.sort_values(["_w", "scale"])
    shown = gs.assign(scale=gs["scale"].map(o.label), wave=gs["wave"].map(_wave_label))
    show_table(format_estimates(shown, o.threshold, {
        "scale": "Scale", "wave": "Survey", "n": "People", "mean_self": "Self",
        "mean_others": "Others", "estimate": "Gap (self - others)", CI: "95% CI",
        "p_holm": "p (Holm)", "n_blind_spot": "Blind spots",
        "n_hidden_strength": "Hidden strengths"},
        n_cols=("n",), count_cols=("n_blind_spot", "n_hidden_strength")),
        caption="Self-ratings against others' ratings", units="scale points",
        note=f"A blind spot: self-rating at least {rater_gap.GAP_THRESHOLD} points above "
             "others'; a hidden strength: at least that much below (Fleenor et al. 2010). "
             "p (Holm): paired t-test of the gap, adjusted over the "
             f"{family_size(gs['p_holm']):,} gap tests in this table (every scale at every "
             "survey), a family apart from the tests of change.")
    narrowing = o.narrowing
    lines = [sentences.gap_sentence(r, o.label(r["scale"]), o.threshold)
             for _, r in gs[gs["wave"] == gs["wave"].iloc[0]].iterrows()]
    lines += [sentences.narrowing_sentence(r, o.label(r["scale"]), o.threshold)
              for _, r in narrowing.iterrows()]
    show_sentences(lines, title="In words")


def show_then_test(o: Outcomes) -> None:
    """Section: the retrospective pre-test beside the traditional pre-test."""
    if _no_data(o):
        return
    tt = o.then_test
    if tt.empty:
        show_callout("No retrospective ('then') ratings were collected for this scope.")
        return
    shown = tt.assign(scale=tt["scale"].map(o.label), comparison=tt["comparison"].map({
        "traditional": "Start to end (traditional)",
        "retrospective": "Then-rating to end (retrospective)",
        "response shift": "Start to then-rating (response shift)"}))
    show_table(format_estimates(shown, o.threshold, {
        "scale": "Scale", "comparison": "Comparison", "n": "People", "estimate": "Change",
        CI: "95% CI", "p_value": "p"}),
        caption="Traditional and retrospective pre-tests side by side", units="scale points",
        note="p: paired t-test, not adjusted for multiple testing (a check on response "
             "shift, not a test of the programme).")
    show_callout(rater_gap.RESPONSE_SHIFT_CAVEAT, kind="caveat")


# --- attrition, Likert items, subgroups ----------------------------------------------------

def show_attrition(o: Outcomes) -> None:
    """Section: who answered at the start but not at the end, and how they started."""
    if _no_data(o):
        return
    if "baseline" not in o.waves or "post" not in o.waves:
        show_callout("Attrition needs start and end-of-programme surveys.")
        return
    names = {"profession": "Profession", "organisation": "Organisation", "cohort_id": "Cohort"}
    for by in dict.fromkeys(o.attrition["by"]):
        if by == "cohort_id" and o.rep.cohort_id is not None:
            continue
        t = attrition_table(o.attrition, by)
        # groups add up to the All row; leavers are part of each group's starters
        fixed = (o.rep.cohort_fixed(t, by, "n_baseline", ("n_no_later",))
                 if by == "cohort_id" else attrition_cohort_fixed(o, t, by))
        shown = suppress_table(t, ["n_baseline", "n_no_later"], o.threshold,
                               pct_cols={"share_no_later": "n_no_later"},
                               parts={"n_no_later": "n_baseline"}, fixed=fixed,
                               total_rows=(t[by] == "All").tolist())
        shown = shown.rename(columns={by: names[by], "n_baseline": "Answered at the start",
                                      "n_no_later": "No end-of-programme answer",
                                      "share_no_later": "Share"})
        show_table(shown, caption=f"Attrition by {names[by].lower()}")
    comp = o.completion
    if len(comp):
        shown = comp.assign(scale=comp["scale"].map(o.label))
        show_table(format_estimates(shown, o.threshold, {
            "scale": "Scale", "n_completers": "Completers", "n_non_completers": "Non-completers",
            "mean_completers": "Start mean, completers",
            "mean_non_completers": "Start mean, non-completers",
            "estimate": "Difference", CI: "95% CI", "p_value": "p (Welch)"},
            n_cols=("n_completers", "n_non_completers")),
            caption="Starting scores of people who did and did not answer again",
            units="scale points")
        show_sentences([sentences.attrition_sentence(r, o.label(r["scale"]), o.threshold)
                        for _, r in comp.iterrows()], title="In words")


def attrition_cohort_fixed(o: Outcomes, table: pd.DataFrame, by: str) -> pd.DataFrame | None:
    """Fixed codes (``suppress_table(fixed=...)``) for a cohort report's attrition ``table`` by
    ``by``, decided across the programme's cohorts; None for a programme report.

    The programme report shows each group's starters and leavers, the sums over its cohorts,
    so a cohort report showing 72 of a programme's 76 starters from one trust, beside cohort
    reports showing the rest, gives away the last cohort's 4. Each group's cohort counts are
    protected together as one margin (:func:`helpers.report.disclosure.own_cell_code`), the
    starters and the leavers each.
    """
    rep = o.rep
    if getattr(rep, "cohort_id", None) is None:
        return None
    prog = rep.full.subset(programme_id=rep.programme_id)
    ids = [i["instrument_id"] for i in o.instruments]
    resp = prog.responses[prog.responses["instrument_id"].isin(ids)]
    per = attrition.attrition_by_cohort(resp, prog.participants, by)
    out = pd.DataFrame("", index=table.index, columns=["n_baseline", "n_no_later"], dtype=object)
    for idx, group in table[by].items():
        cells = per[per[by] == group]
        if group == "All" or cells.empty:
            continue
        for col in ("n_baseline", "n_no_later"):
            out.at[idx, col] = own_cell_code(dict(zip(cells["cohort_id"], cells[col])),
                                             str(rep.cohort_id), rep.threshold, rep.cohort_codes)
    return out


def show_likert(o: Outcomes, waves: tuple[str, ...] = ("baseline", "post")) -> None:
    """Section figures: diverging stacked bars of every item, per instrument and wave."""
    if _no_data(o):
        return
    shown_any = False
    for inst in o.instruments:
        for wave in waves:
            dist = o.distributions.get((inst["instrument_id"], wave))
            if dist is None:
                continue   # nobody answered at this survey
            fig = likert.diverging_likert_figure(dist, inst.get("labels"), o.threshold)
            if fig is None:
                continue
            shown_any = True
            kept = likert.chartable_items(dist, o.threshold)
            _, left = likert.diverging_shares(kept)
            agree = (1 + left).idxmax()
            alt = (f"Diverging bar chart of {len(kept)} items of "
                   f"{inst.get('name', inst['instrument_id'])} at {sentences.wave_words(wave)}"
                   f" (self-ratings). Most agreement: '{kept.loc[agree, 'text']}'.")
            show_figure(fig, alt=alt, caption=f"{inst.get('name', inst['instrument_id'])}: "
                        f"answers at {sentences.wave_words(wave)} (self-ratings; items with "
                        f"fewer than {o.threshold} answers, or an answer given by fewer than "
                        f"{o.threshold} people, left out)")
    if not shown_any:
        show_callout("Too few answers to chart the items.")


def show_subgroups(o: Outcomes, by: str) -> None:
    """Section: change from start to end by profession or organisation, small groups withheld."""
    if _no_data(o):
        return
    if not {"baseline", "post"} <= set(o.waves):
        show_callout("Subgroup change needs start and end-of-programme surveys.")
        return
    sg = subgroup_frame(o, by)
    if sg.empty:
        show_callout("No subgroup has people who answered both surveys.")
        return
    name = {"profession": "Profession", "organisation": "Organisation"}.get(by, by)
    if not subgroups_compared(sg, by, o.threshold):
        show_callout(f"Fewer than two {name.lower()}s have {o.threshold} or more people who "
                     "answered both surveys, so there is no comparison between them.")
        return
    shown = sg.assign(scale=sg["scale"].map(o.label))
    show_table(format_estimates(shown, o.threshold, {
        by: name, "scale": "Scale", "n": "People (both surveys)", "estimate": "Change",
        CI: "95% CI", "p_holm": "p (Holm)"}, partition_by="scale"),
        caption=f"Change from the start to the end of the programme by {name.lower()}",
        units="scale points",
        note="A group whose count is hidden has no estimate. p (Holm): paired t-test adjusted "
             f"over the {family_size(sg['p_holm']):,} tests in this table (every "
             f"{name.lower()} shown by every scale), an exploratory family apart from the main "
             "tests of change.")


def change_findings(o: OutcomesResults) -> list[str]:
    """The learning claim with the caveats that qualify it (:mod:`helpers.findings`): the
    typical self-rated change from start to end with its range and Holm-adjusted count, what
    happened by follow-up and how many answered it, and low reliability."""
    cf = o.change
    head = findings.change_headline(cf, o.threshold, people=PEOPLE)
    if head is None:
        return []
    self_s = o.scores[o.scores["rater"] == "self"].dropna(subset=["score"])
    started = self_s.loc[self_s["wave"] == "baseline", "participant_id"].nunique()
    followed = self_s.loc[self_s["wave"] == "follow_up", "participant_id"].nunique()
    caveats = [findings.decay_caveat(cf, o.threshold, followed, started),
               findings.reliability_caveat(o.reliability, o.threshold)]
    return [head] + [c for c in caveats if c]


def behaviour_findings(o: OutcomesResults) -> list[str]:
    """Behaviour (Kirkpatrick level 3): the change in colleagues' 360 ratings, start to end."""
    s = findings.behaviour_headline(o.others_change, o.threshold)
    return [s] if s else []


def headline(o: Outcomes) -> list[str]:
    """The headline: scope and how many answered, then :func:`change_findings` and
    :func:`behaviour_findings`."""
    if not o.instruments or o.scores.empty:
        return ["No leadership outcome survey answers are recorded for this scope."]
    s = o.scores[(o.scores["rater"] == "self")].dropna(subset=["score"])
    n_any = s["participant_id"].nunique()
    lines = [f"{fmt_int(n_any) if n_any >= o.threshold else f'Fewer than {o.threshold}'} "
             f"{PEOPLE} in {o.rep.scope} gave at least one self-assessment."]
    return lines + change_findings(o) + behaviour_findings(o)
