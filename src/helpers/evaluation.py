"""The headline evaluation report (notebook 90): summary, Kirkpatrick sections, joint display,
limitations and methods, built only from the other helpers' results.

Nothing here re-estimates what a detailed report estimates: reach counts come from
:mod:`helpers.reach`, outcome change and its sentences from :mod:`helpers.outcomes`, themes from
:mod:`helpers.themes`, projects from :mod:`helpers.projects`, the pipeline from
:mod:`helpers.careers` and networks from :mod:`helpers.networks`, each called the way its own
report calls it. The one new analysis is the joint display, which sets each theme beside the
outcome change (scale scores from :func:`helpers.scales.score_scales`, compared with
:func:`helpers.outcomes.attrition.welch_test`).

References
----------
Kirkpatrick DL, Kirkpatrick JD (2006). Evaluating training programs: the four levels, 3rd edn.
Berrett-Koehler.
Guetterman TC, Fetters MD, Creswell JW (2015). Integrating quantitative and qualitative results
in health science mixed methods research through joint displays. Annals of Family Medicine
13(6):554-561.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import careers, networks, projects, reach, themes
from helpers.multiplicity import family_size
from helpers.outcomes import attrition
from helpers.outcomes import report as outcomes_report
from helpers.outcomes.attrition import welch_test
from helpers.outcomes.mixed import MAX_MIXED_PEOPLE
from helpers.outcomes.rater_gap import RESPONSE_SHIFT_CAVEAT
from helpers.person_change import participant_change  # noqa: F401  (public here too)
from helpers.report.disclosure import (is_suppressed, shown_count, suppress_count, suppress_table,
                                       zero_spread)
from helpers.report.display import show_callout, show_figure, show_link, show_sentences, show_table
from helpers.report.fmt import fmt_ci, fmt_num, fmt_pct, fmt_signed
from helpers.report.results import Results
from helpers.runner.layout import detail_href, per_cohort_notebooks

#: the detailed report behind each section (notebook names as published)
DETAIL = {
    "reach": "10_reach_and_reaction",
    "learning": "20_leadership_outcomes",
    "behaviour": "20_leadership_outcomes",
    "pipeline": "20_leadership_outcomes",
    "themes": "30_qualitative_themes",
    "results": "40_improvement_projects",
    "networks": "50_networks",
    "equality": "60_equality_and_value",
    "comparison": "60_equality_and_value",
    "value": "60_equality_and_value",
    "benchmarking": "60_equality_and_value",
}
PEOPLE = "delegates"
HORIZONS = (12, 24)


# --- gathering every module's results once -----------------------------------------------

@dataclass
class Evaluation(Results):
    """Each detailed report's results for one scope, computed once (nothing suppressed yet).

    Attributes
    ----------
    rep : helpers.report.context.Report
        The report scope (data, threshold, programme and cohort).
    outcomes : helpers.outcomes.report.Outcomes
        Scale scores and the outcomes report's shared results.
    prevalence : DataFrame
        ``themes.prevalence``: :func:`helpers.themes.prevalence` (themes, primary coder).
    projects : DataFrame
        :func:`helpers.projects.project_summary`.
    networks : NetworkResults
        :func:`helpers.networks.prepare` (``has_ties``, ``findings``, ``ei``, ``caveats`` ...).
    pipeline : DataFrame
        :func:`helpers.careers.pipeline_at` at :data:`HORIZONS` months.
    incidence : DataFrame
        The cumulative incidence curve (empty when nobody can be followed).
    per_cohort : set
        Notebook names that run per cohort (for links).
    themes : helpers.themes.ThemesResults
        The themes section's counts (:func:`helpers.themes.prepare` with ``detail=False``):
        ``prevalence`` and ``theme_codes``, each theme's disclosure code across the programme's
        cohort reports, computed once for every sentence and table that cites them.
    """

    rep: object
    outcomes: object
    prevalence: pd.DataFrame
    projects: pd.DataFrame
    networks: "NetworkResults"
    pipeline: pd.DataFrame
    incidence: pd.DataFrame
    per_cohort: set = field(default_factory=set)
    themes: "ThemesResults | None" = None

    COLUMNS = {
        "prevalence": ("code_id", "label", "participants", "n_participants"),
        "projects": ("project_id", "title", "limits", "variation", "assurance"),
        "pipeline": ("months", "estimate", "ci_low", "ci_high", "n", "n_moved", "n_followed"),
        "incidence": careers.INCIDENCE_COLUMNS,
    }

    @property
    def threshold(self) -> int:
        return self.rep.threshold

    def href(self, section: str) -> str:
        return detail_href(DETAIL[section], self.rep.cohort_id, self.per_cohort)


def prepare(rep, per_cohort_reports: list[str] | None = None) -> Evaluation:
    """Compute every strand's results for the report's scope with the strands' own functions.

    ``per_cohort_reports`` names the reports that run per cohort (for links), as the runner
    passes them; None takes them from the project's ``reports.yaml`` through the layout.
    """

    d = rep.data
    o = outcomes_report.prepare(rep, models=False)
    th = themes.prepare(rep, detail=False)
    proj = projects.project_summary(d)
    net = networks.prepare(rep)  # as the networks report: cohort counts coded across cohorts
    pipe, inc = _pipeline(rep)
    per_cohort = per_cohort_notebooks() if per_cohort_reports is None else set(per_cohort_reports)
    return Evaluation(rep, o, th.prevalence, proj, net, pipe, inc, per_cohort, th)


def _no_incidence() -> pd.DataFrame:
    return pd.DataFrame(columns=list(careers.INCIDENCE_COLUMNS))


def _pipeline(rep) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pipeline_at table, incidence curve) exactly as the outcomes report's pipeline section
    makes them (:func:`helpers.careers.prepare`); empty when it cannot be estimated."""

    try:
        res = careers.prepare(rep, HORIZONS)
    except ValueError:  # no observation_end and no dates in the data
        return careers.pipeline_at(pd.DataFrame(), HORIZONS), _no_incidence()
    if res.durations.empty:
        return res.at, _no_incidence()
    return res.at, res.incidence


# --- executive summary ---------------------------------------------------------------------

def _count(n: int, threshold: int) -> str:

    return suppress_count(n, threshold) if n else "no"


def reach_sentence(participants: pd.DataFrame, cohort_id: str | None, threshold: int,
                   cohort_label: str | None = None) -> str:
    """"220 delegates from 3 organisations took part across 10 cohorts" (helpers.reach counts)."""

    orgs = reach.participants_by(participants, "organisation")
    cohorts = reach.participants_by(participants, "cohort_id")
    n = int(orgs["n"].sum())
    n_org = int((orgs["organisation"] != reach.NOT_RECORDED).sum())
    people = _count(n, threshold)
    org_words = f"{n_org} organisation{'s' if n_org != 1 else ''}"
    if cohort_id is not None:
        return f"{people} {PEOPLE} from {org_words} took part in cohort {cohort_label or cohort_id}."
    k = len(cohorts)
    return f"{people} {PEOPLE} from {org_words} took part across {k} cohort{'s' if k != 1 else ''}."


def theme_sentence(prev: pd.DataFrame, threshold: int,
                   codes: dict[str, str] | None = None) -> str | None:
    """The most-cited theme (helpers.themes.most_cited) with how many raised it; ``codes``
    (helpers.themes.cohort_theme_codes) keeps a cohort report from naming a hidden count."""

    top = themes.most_cited(prev, threshold, codes)
    if top is None:
        return None
    row = prev[prev["label"] == top].iloc[0]
    n, base = int(row["participants"]), int(row["n_participants"])
    if n < threshold:  # a "most-cited" theme among counts all below the threshold means nothing
        return None
    if 0 < base - n < threshold:  # "18 of the 20" names 2 who did not
        return f"The most-cited theme in interviews and comments was {top.lower()}."
    return (f"The most-cited theme in interviews and comments was {top.lower()}, raised by "
            f"{n:,} of the {base:,} participants whose words were coded.")


def projects_sentence(summary: pd.DataFrame) -> str | None:
    """How many improvement projects show special-cause improvement (Making Data Count icons),
    judged against the months before each started; projects whose baseline was too short for
    limits (``limits`` = "recalculated" in :func:`helpers.projects.project_summary`) or whose
    series is too short for any limits are counted apart, since their icon cannot show a change
    at the start."""
    if summary.empty:
        return None
    k = len(summary)
    variation = summary["variation"].astype(str)
    limits = summary["limits"] if "limits" in summary.columns else pd.Series("baseline", index=summary.index)
    too_short = variation == "no_limits"
    no_baseline = (limits == "recalculated").to_numpy() & ~too_short.to_numpy()
    judged = ~too_short.to_numpy() & ~no_baseline
    better = int((judged & variation.str.startswith("improvement").to_numpy()).sum())
    worse = int((judged & variation.str.startswith("concern").to_numpy()).sum())

    n_base, n_short, judged_n = int(no_baseline.sum()), int(too_short.sum()), int(judged.sum())

    def has(n):
        return "has" if n == 1 else "have"

    unjudged = []
    if n_base:
        unjudged.append(f"{n_base} {has(n_base)} too few points before the start to set a baseline")
    if n_short:
        unjudged.append(f"{n_short} {has(n_short)} too few points to judge")
    noun = "live improvement project" if k == 1 else "live improvement projects"
    if judged_n == 0:
        if k == 1:
            why = ("it has too few points before its start to set a baseline" if n_base
                   else "its series has too few points to judge")
            return f"The {noun} cannot be judged for special-cause change on its measure: {why}."
        return (f"None of the {k} {noun} can be judged for special-cause change on their "
                f"measures: " + " and ".join(unjudged) + ".")
    of = f"{better} of {k} {noun}" if judged_n == k else \
        f"{better} of the {judged_n} {'project' if judged_n == 1 else 'projects'} (of {k}) that can be judged"
    text = (f"{of} {'shows' if better == 1 else 'show'} special-cause improvement on "
            f"{'its' if judged_n == 1 else 'their'} measure")
    text += f", {worse} {'shows' if worse == 1 else 'show'} concern" if worse else ""
    text += ("; " + " and ".join(unjudged)) if unjudged else ""
    return text + "."


def pipeline_headline(pipeline: pd.DataFrame, threshold: int) -> str | None:
    """The pipeline at the longest horizon with people followed (helpers.careers sentence)."""

    rows = pipeline[pipeline["n"] > 0] if len(pipeline) else pipeline
    if rows.empty:
        return None
    ok = rows[rows["n_followed"] >= threshold]
    row = (ok if len(ok) else rows).iloc[-1]
    return careers.pipeline_sentence(row, threshold, PEOPLE)


def network_findings(net, participants: pd.DataFrame | None = None) -> list[str]:
    """helpers.networks' findings without those about a boundary nobody in scope can cross
    (ties "crossing professions" in a cohort of one profession are 0% to 0% by construction)."""
    findings = list(net.findings)
    if participants is not None:
        for column, word in (("profession", "professions"), ("organisation", "organisations")):
            if column in participants and participants[column].dropna().nunique() < 2:
                findings = [f for f in findings if f"crossing {word}" not in f]
    # response differing between waves: the change among those who answered both goes with it
    adjusted = getattr(net, "adjusted_finding", None)
    return findings + [adjusted] if adjusted else findings


def network_headline(net, participants: pd.DataFrame | None = None) -> str | None:
    """The E-I change across professions (or organisations) from helpers.networks, among
    :func:`network_findings`, with the response-adjusted change when response differed
    between waves."""
    if not net.has_ties:
        return None
    ei = [f for f in network_findings(net, participants) if "E-I index" in f]
    prof = [f for f in ei if "professions" in f]
    pick = prof or ei[-1:]
    adjusted = getattr(net, "adjusted_finding", None)
    if pick and adjusted:
        return f"{pick[0]} {adjusted}"
    return pick[0] if pick else None


def executive_summary(ev: Evaluation) -> list[str]:
    """Number-bearing sentences, one per strand that has data in scope."""

    rep = ev.rep
    lines = [reach_sentence(rep.data.participants, rep.cohort_id, ev.threshold,
                            getattr(rep, "cohort_label", None))]
    lines.append(theme_sentence(ev.prevalence, ev.threshold, ev.themes.theme_codes))
    lines += outcomes_report.change_findings(ev.outcomes)
    lines += outcomes_report.behaviour_findings(ev.outcomes)
    lines.append(projects_sentence(ev.projects))
    lines.append(network_headline(ev.networks, rep.data.participants))
    lines.append(pipeline_headline(ev.pipeline, ev.threshold))
    return [s for s in lines if s]


# --- joint display -------------------------------------------------------------------------

def voiced_by(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """(participant_id, code_id, label) for each theme a participant voiced (primary coder,
    codes rolled up into themes, as the themes report counts them)."""

    pairs = themes.rolled_codings(codings, codes, "theme")
    seg = segments[["segment_id", "participant_id"]].dropna().astype(str)
    out = pairs.merge(seg, on="segment_id")[["participant_id", "code_id"]].drop_duplicates()
    labels = dict(zip(codes["code_id"].astype(str), codes["label"].astype(str)))
    return out.assign(label=out["code_id"].map(labels)).reset_index(drop=True)


def joint_display(change: pd.Series, voiced: pd.DataFrame, prev: pd.DataFrame,
                  threshold: int) -> pd.DataFrame:
    """Theme by theme: outcome change among participants who voiced it and those who did not.

    Parameters
    ----------
    change : :func:`participant_change` (index participant_id).
    voiced : :func:`voiced_by`.
    prev : :func:`helpers.themes.prevalence` (theme order and participant counts).
    threshold : suppress_below; a group smaller than this gets no estimate.

    Returns
    -------
    One row per theme: ``theme, participants`` (who voiced it), ``n_voiced, mean_voiced``,
    ``n_other, mean_other`` (people with both surveys who did not voice it), ``estimate,
    ci_low, ci_high, p_value`` (difference voiced minus other, Welch), ``reading``.

    Notes
    -----
    A joint display (Guetterman, Fetters and Creswell 2015) sets the qualitative finding beside
    the quantitative one so that each can be read against the other ("statistics by themes").
    The comparison is descriptive: people chose what to say, so it shows association, not effect.
    """

    rows = []
    for _, t in prev.iterrows():
        who = set(voiced.loc[voiced["code_id"] == t["code_id"], "participant_id"])
        inside = change.index.isin(list(who))
        res = welch_test(change[inside], change[~inside])
        small = min(res["n_a"], res["n_b"]) < threshold
        rows.append({
            "theme": t["label"], "participants": int(t["participants"]),
            "n_voiced": res["n_a"], "mean_voiced": np.nan if res["n_a"] < threshold else float(change[inside].mean()),
            "n_other": res["n_b"], "mean_other": np.nan if res["n_b"] < threshold else float(change[~inside].mean()),
            "estimate": np.nan if small else res["estimate"],
            "ci_low": np.nan if small else res["ci_low"], "ci_high": np.nan if small else res["ci_high"],
            "p_value": np.nan if small else res["p_value"],
            "reading": _reading(res, small),
        })
    return pd.DataFrame(rows, columns=["theme", "participants", "n_voiced", "mean_voiced", "n_other",
                                       "mean_other", "estimate", "ci_low", "ci_high", "p_value", "reading"])


def _reading(res: dict, small: bool) -> str:
    if small:
        return "Too few people in one group to compare"
    if not np.isfinite(res["ci_low"]):
        return "Not estimable"
    if res["ci_low"] > 0:
        return "Larger gains among those who voiced it"
    if res["ci_high"] < 0:
        return "Smaller gains among those who voiced it"
    return "Similar gains whether or not they voiced it"


def joint_display_table(jd: pd.DataFrame, threshold: int,
                        codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Display copy of :func:`joint_display`: counts suppressed, changes signed, CI in words.

    When either group is below the threshold both groups' cells are withheld: the two counts
    add up to the number who answered both surveys, which other sections show, so one visible
    count would give the hidden one away (secondary suppression, ONS 2019).
    """

    small = (jd["n_voiced"] < threshold) | (jd["n_other"] < threshold)
    codes = codes or {}

    def cell(mean, n, hide):
        return "–" if hide else f"{fmt_signed(mean)} (n {suppress_count(n, threshold)})"

    return pd.DataFrame({
        "Theme (qualitative)": jd["theme"],
        "Participants voicing it": [shown_count(n, codes[t], threshold) if codes.get(t)
                                    else suppress_count(n, threshold)
                                    for t, n in zip(jd["theme"], jd["participants"])],
        "Change, voiced it": [cell(m, n, h) for m, n, h in zip(jd["mean_voiced"], jd["n_voiced"], small)],
        "Change, did not": [cell(m, n, h) for m, n, h in zip(jd["mean_other"], jd["n_other"], small)],
        "Difference (95% CI)": [("–" if pd.isna(e) else f"{fmt_signed(e)} ({fmt_ci(lo, hi)})")
                                for e, lo, hi in zip(jd["estimate"], jd["ci_low"], jd["ci_high"])],
        "Reading": jd["reading"],
    })


def evaluation_joint_display(ev: Evaluation) -> pd.DataFrame:
    """:func:`joint_display` for the scope, on the first outcome instrument with change."""
    o = ev.outcomes
    d = ev.rep.data
    if o.scores.empty or ev.prevalence.empty:
        return joint_display(pd.Series(dtype=float), pd.DataFrame(columns=["participant_id", "code_id"]),
                             ev.prevalence.iloc[0:0], ev.threshold)
    change = participant_change(o.scores, instrument_id=_main_instrument(o))
    return joint_display(change, voiced_by(d.segments, d.codings, d.codes), ev.prevalence, ev.threshold)


def _main_instrument(o) -> str | None:
    for inst in o.instruments:
        if inst.get("kind", "outcome") == "outcome":
            return inst["instrument_id"]
    return o.instruments[0]["instrument_id"] if o.instruments else None


# --- limitations and methods ---------------------------------------------------------------

def limitations(ev: Evaluation) -> list[str]:
    """Limitations generated from the data in scope."""

    rep, d, thr = ev.rep, ev.rep.data, ev.threshold
    out = ["Design: participants were compared with themselves before and after the programme, "
           "with no comparison group, so changes cannot be attributed to the programme alone "
           "(other training, promotion and time all play a part)."]
    inst = _main_instrument(ev.outcomes)
    if inst is not None and {"baseline", "post"} <= set(ev.outcomes.waves):
        resp = d.responses[d.responses["instrument_id"] == inst]
        a = attrition.attrition_by(resp, d.participants, "cohort_id").iloc[-1]
        if a["n_baseline"] >= thr and a["n_no_later"] >= thr:
            out.append(f"Attrition: {fmt_pct(a['share_no_later'], 0)} of the {int(a['n_baseline']):,} "
                       "people who answered the first survey did not answer the end-of-programme "
                       "survey; if those who left differ from those who stayed, the change is biased "
                       "(the outcomes report compares their starting scores).")
        elif a["n_baseline"] >= thr:
            out.append(f"Attrition: fewer than {thr} of the people who answered the first survey "
                       "missed the end-of-programme survey.")
    if "retrospective_pre" in set(d.responses["wave"].astype(str)):
        out.append("Response shift: " + RESPONSE_SHIFT_CAVEAT)
    sizes = d.participants.groupby("cohort_id").size()
    small = int((sizes < 2 * thr).sum())
    if small:
        out.append(f"Small cohorts: {small} of {len(sizes)} cohort{'s' if len(sizes) != 1 else ''} had "
                   f"fewer than {2 * thr} participants, so cohort-level figures are imprecise and "
                   f"counts below {thr} are shown as <{thr}.")
    if len(ev.prevalence):
        out.append("Qualitative material: themes come from the people who were interviewed or "
                   "wrote comments, who may be the most engaged; how often a theme was raised is "
                   "not how many people hold the view.")
    if ev.networks.has_ties:
        out.append(ev.networks.caveats[0])
    if getattr(rep, "synthetic", False):
        out.append("Synthetic data: this dataset is generated (dataset.yaml says synthetic: true). "
                   "Its figures illustrate the method and must not be read as findings about any "
                   "real programme or person.")
    return out


METHODS = [
    ("reach", "Counts and completion of every day of every module", "Reach and reaction",
     "Kirkpatrick and Kirkpatrick (2006), Evaluating training programs"),
    ("reach", "Mean reaction score with a t interval; top-two-box share", "Reaction",
     "Norman (2010), Adv Health Sci Educ 15:625-632"),
    ("learning", "Scale scores with reverse-scored items and a minimum share answered", "Learning",
     "Instrument definitions in dataset.yaml"),
    ("learning", "Cronbach's alpha with confidence interval", "Scale reliability",
     "Cronbach (1951), Psychometrika 16:297-334; pingouin"),
    ("learning", "Paired t-test and Wilcoxon signed-rank test; Holm's adjustment over one family "
     "of every scale at every pair of surveys (360 gaps, and each subgroup table, are families of "
     "their own; Wilcoxon, mixed-model and bias checks unadjusted)", "Change per scale",
     "Wilcoxon (1945); Holm (1979), Scand J Stat 6:65-70"),
    ("learning", "Effect sizes d_z and d_av with noncentral-t intervals; g_av with Hedges' "
     "correction on n - 1 df", "Size of change",
     "Lakens (2013), Front Psychol 4:863; Hedges (1981), J Educ Stat 6:107-128"),
    ("learning", "Linear mixed model (REML), random intercepts for participants within cohorts, "
     "Satterthwaite degrees of freedom; where it cannot be fitted, linear regression with CR2 "
     "standard errors clustered by participant",
     "Change by wave and profession",
     "Laird and Ware (1982), Biometrics 38:963-974; Bates et al. (2015), J Stat Softw 67(1); "
     "Kuznetsova et al. (2017), J Stat Softw 82(13); Pustejovsky and Tipton (2018), "
     "J Bus Econ Stat 36:672-683"),
    ("behaviour", "Self versus others' 360 ratings; retrospective pre-test", "Behaviour",
     "Howard (1980), Appl Psychol Meas 4:93-106 (response shift)"),
    ("pipeline", "Aalen-Johansen cumulative incidence with leaving the NHS as a competing event "
     "(Kaplan-Meier where nobody left), log(-log) intervals", "Leadership pipeline",
     "Aalen and Johansen (1978), Scand J Stat 5:141-150; Gray (1988), Ann Stat 16:1141-1154"),
    ("themes", "Theme prevalence by participants, sources and segments; Framework Method",
     "Qualitative themes", "Gale et al. (2013), BMC Med Res Methodol 13:117"),
    ("themes", "Cohen's kappa and Krippendorff's alpha, bootstrap interval resampling segments",
     "Coder agreement", "Cohen (1960), Educ Psychol Meas 20:37-46; Krippendorff (2011); "
     "Davison and Hinkley (1997)"),
    ("themes", "Quotes attributed only by descriptors (role, profession, cohort) that at least "
     "suppress_below people in scope share, else broader or none; no per-person case labels",
     "Quote attribution", "Sweeney (2002), Int J Uncertain Fuzziness Knowl-Based Syst 10:557-570"),
    ("themes", "Joint display: statistics by themes, Welch difference in means", "Mixed methods",
     "Guetterman, Fetters and Creswell (2015), Ann Fam Med 13:554-561"),
    ("results", "XmR statistical process control charts and Making Data Count icons",
     "Improvement projects", "NHS England, Making Data Count (2019); NHSRplotthedots"),
    ("results", "Segmented regression of interrupted time series: least squares, Newey-West "
     "errors, t intervals on the residual degrees of freedom; Holm's adjustment over one family "
     "of the level-change tests of every project in the report", "Level change at project start",
     "Bernal, Cummins and Gasparrini (2017), Int J Epidemiol 46:348-355; Newey and West (1987), "
     "Econometrica 55:703-708; Holm (1979)"),
    ("networks", "Density, components and Krackhardt-Stern E-I index", "Networks",
     "Krackhardt and Stern (1988), Soc Psychol Q 51:123-140"),
    ("networks", "Gould-Fernandez brokerage roles with expected values and z-scores under a random "
     "network", "Brokerage", "Gould and Fernandez (1989), Sociol Methodol 19:89-126; R sna"),
    ("networks", "Betweenness centrality normalised within each connected component (Brandes; "
     "sampled sources for large networks)", "Betweenness",
     "Brandes (2001), J Math Sociol 25:163-177; Brandes and Pich (2007)"),
    ("reach", "Counts below {t} shown as <{t}, true zeros as 0; complementary cells hidden as [c] "
     "wherever a total, a group's size or a percentage's base would give a hidden count back; "
     "means that fix the answers and curves over fewer than {t} people or moves withheld; "
     "cohorts of fewer than {t} reported only with their programme; every report audited "
     "before it is published",
     "Disclosure control", "ONS (2019), disclosure control guidance for tables"),
]


#: The model row at national scale: what :func:`helpers.outcomes.mixed.fit_wave_model` fits
#: instead of the mixed model above ``MAX_MIXED_PEOPLE`` people.
LARGE_MODEL_METHOD = ("learning", "Linear regression with cohorts as fixed effects and standard errors "
                      "clustered by participant, t on participants - 1 degrees of freedom (more "
                      "people than a mixed model fits in reasonable time)",
                      "Change by wave and profession",
                      "Liang and Zeger (1986), Biometrika 73:13-22; Cameron and Miller (2015), "
                      "J Hum Resour 50:317-372")


def model_people(ev: Evaluation) -> int | None:
    """People with a self-rating at the start or end: the size that decides the change model."""
    s = ev.outcomes.scores
    if not {"participant_id", "rater", "wave"} <= set(s.columns):
        return None
    s = s[(s["rater"] == "self") & s["wave"].isin(["baseline", "post"])]
    return int(s["participant_id"].nunique())


#: Methods of the detailed reports whose results the evaluation report does not state (scale
#: reliability, the mixed model, effect sizes, coder agreement, quotes, level-change tests,
#: brokerage and betweenness): listed there, not here.
DETAIL_ONLY = {"Scale reliability", "Size of change", "Change by wave and profession",
               "Coder agreement", "Quote attribution", "Level change at project start",
               "Brokerage", "Betweenness"}


def methods_appendix(ev: Evaluation | None = None) -> pd.DataFrame:
    """The statistical methods behind what the evaluation report states, each with its
    reference: with an evaluation, only the strands with data in scope and only the methods
    whose results this report shows (:data:`DETAIL_ONLY` are the detailed reports'); without
    one, every method of every strand (the change model above
    :data:`helpers.outcomes.mixed.MAX_MIXED_PEOPLE` people listed as the regression fitted)."""

    present = None if ev is None else _strands(ev)
    large = ev is not None and (model_people(ev) or 0) > MAX_MIXED_PEOPLE
    methods = [LARGE_MODEL_METHOD if large and m.startswith("Linear mixed model") else (s, m, u, r)
               for s, m, u, r in METHODS]
    t = str(ev.threshold) if ev is not None else "5"
    rows = [{"Method": m.replace("{t}", t), "Used for": u, "Reference": r}
            for s, m, u, r in methods
            if present is None or (s in present and u not in DETAIL_ONLY)]
    return pd.DataFrame(rows)


def _strands(ev: Evaluation) -> set[str]:
    s = {"reach"}
    if not ev.outcomes.scores.empty:
        s |= {"learning", "behaviour"}
    if len(ev.prevalence):
        s.add("themes")
    if len(ev.projects):
        s.add("results")
    if ev.networks.has_ties:
        s.add("networks")
    if len(ev.incidence):
        s.add("pipeline")
    return s


# --- report sections -------------------------------------------------------------------------

SECTION_TITLES = {
    "reach": "Reach and reaction (Kirkpatrick level 1)",
    "learning": "Learning (level 2)",
    "behaviour": "Behaviour (level 3)",
    "results": "Results (level 4): improvement projects",
    "networks": "Networks: connectedness across boundaries",
    "pipeline": "The leadership pipeline",
    "themes": "What participants said, beside what changed",
}
LINK_TEXT = {
    "10_reach_and_reaction": "reach and reaction",
    "20_leadership_outcomes": "leadership outcomes",
    "30_qualitative_themes": "qualitative themes",
    "40_improvement_projects": "improvement projects",
    "50_networks": "networks",
    "60_equality_and_value": "equality and value",
}


def show_summary(ev: Evaluation) -> None:
    """The executive summary as generated sentences."""

    show_sentences(executive_summary(ev), title=f"Summary: {ev.rep.scope}")
    if getattr(ev.rep, "synthetic", False):
        show_callout("These figures come from synthetic data and describe no real people.", "caveat")


def show_section(ev: Evaluation, section: str) -> None:
    """One Kirkpatrick (or networks, pipeline, themes) section: sentences, a key figure or table,
    and the link to the detailed report."""

    fn = {"reach": _reach, "learning": _learning, "behaviour": _behaviour, "results": _results,
          "networks": _networks, "pipeline": _pipeline_section, "themes": _themes}[section]
    if fn(ev) is False:
        show_callout("No data for this part of the evaluation in this scope.")
    missing = getattr(ev.rep, "missing", None)
    if missing is not None and missing(DETAIL[section]):
        return  # that detailed report is not applicable here, so it is not published
    show_link(f"Detailed report: {LINK_TEXT[DETAIL[section]]}", ev.href(section))


def _reach(ev: Evaluation):

    d = ev.rep.data
    lines = [reach_sentence(d.participants, ev.rep.cohort_id, ev.threshold,
                            getattr(ev.rep, "cohort_label", None))]
    comp = reach.completion_by(d.attendance, d.participants)
    total = comp.iloc[-1]
    rest = total["n"] - total["n_completed"]
    if total["n"] >= ev.threshold and total["n_completed"] >= ev.threshold and \
            not is_suppressed(rest, ev.threshold):  # "97%" of 30 would give away 1 non-completer
        lines.append(f"{fmt_pct(total['share_completed'], 0)} ({int(total['n_completed']):,} of "
                     f"{int(total['n']):,}) attended every day of every module.")
    for inst in d.instruments:
        if inst.get("kind") == "reaction" and (d.responses["instrument_id"] == inst["instrument_id"]).any():
            rs = reach.reaction_summary(d.responses, d.items, inst["instrument_id"])
            rs = rs[(rs["n"] >= ev.threshold) & ~rs["sd"].map(zero_spread)
                    & ~(rs["n"] - rs["n_top2"]).map(lambda k: is_suppressed(k, ev.threshold))]
            if len(rs):
                top = rs.sort_values("share_top2", ascending=False).iloc[0]
                lines.append(f"Reaction: '{top['text']}' drew the most agreement: "
                             f"{fmt_pct(top['share_top2'], 0)} of the {int(top['n']):,} who answered "
                             f"agreed (mean {fmt_num(top['estimate'], 1)} of {fmt_num(top['max'], 0)}).")
    show_sentences(lines)
    orgs = reach.participants_by(d.participants, "organisation")
    rep = ev.rep
    fixed = reach.cohort_breakdown_fixed(
        orgs, "organisation", rep.full.subset(programme_id=rep.programme_id).participants,
        rep.cohort_id, ev.threshold, rep.cohort_codes)
    show_table(suppress_table(orgs, ["n"], ev.threshold, pct_cols={"share": "n"}, fixed=fixed)
               .rename(columns={"organisation": "Organisation", "n": "Participants", "share": "Share"}),
               caption="Participants by organisation")


def _learning(ev: Evaluation):

    o = ev.outcomes
    if o.scores.empty:
        return False
    show_sentences(outcomes_report.headline(o)[:1] + outcomes_report.change_findings(o))
    outcomes_report.show_forest(o)


def learning_count_sentence(cf: pd.DataFrame, threshold: int, alpha: float = 0.05) -> str:
    """How many scales rose from the start to the end of the programme, judged as the outcomes
    report judges them: Holm-adjusted p (``p_holm`` of
    :func:`helpers.outcomes.report.change_frame`, one family of every scale at every pair of
    surveys) below ``alpha`` with a positive change."""

    first = cf[(cf["from_wave"] == "baseline") & (cf["to_wave"] == "post") & (cf["n"] >= threshold)]
    better = int(((first["p_holm"] < alpha) & (first["estimate"] > 0)).sum())
    m = family_size(cf["p_holm"])
    return (f"{better} of {len(first)} scales rose between the start and the end of the programme "
            f"with p below {alpha:g} after Holm's adjustment over the outcomes report's {m:,} "
            f"test{'s' if m != 1 else ''} of change (every scale at every pair of surveys).")


def _behaviour(ev: Evaluation):

    o = ev.outcomes
    if o.scores.empty or set(o.scores["rater"].astype(str)) <= {"self"}:
        return False
    lines = outcomes_report.behaviour_findings(o)
    if not lines:
        return False
    show_sentences(lines)


def _results(ev: Evaluation):

    if ev.projects.empty:
        return False
    show_sentences([projects_sentence(ev.projects)])
    show_table(projects.mdc_matrix(ev.projects), caption="Making Data Count summary: projects by "
               "variation (rows) and assurance (columns)")


def _networks(ev: Evaluation):

    net = ev.networks
    if not net.has_ties:
        return False
    show_sentences(network_findings(net, ev.rep.data.participants))
    fig, alt = networks.ei_figure(net.ei)
    show_figure(fig, alt, caption="E-I index by wave (dashed: random mixing)")


def _pipeline_section(ev: Evaluation):

    if ev.incidence.empty:
        return False
    show_sentences([careers.pipeline_sentence(r, ev.threshold, PEOPLE) for _, r in ev.pipeline.iterrows()])
    why = careers.pipeline_withheld(ev.pipeline, ev.threshold)
    if why:  # the chart and its alt text would show what the sentences withhold
        show_callout(why)
        return None
    fig = careers.pipeline_figure(ev.incidence, HORIZONS)
    if fig is not None:
        last = ev.pipeline.iloc[-1]
        show_figure(fig, f"Step chart of the share of {PEOPLE} who took a new or more senior "
                    f"leadership role by months after their cohort ended; about "
                    f"{100 * last['estimate']:.0f}% by {int(last['months'])} months.",
                    caption="Cumulative share moving into a new or more senior leadership role")


def _themes(ev: Evaluation):

    if ev.prevalence.empty:
        return False
    show_sentences([theme_sentence(ev.prevalence, ev.threshold, ev.themes.theme_codes)
                    or f"No theme was raised by {ev.threshold} or more participants."])
    jd = evaluation_joint_display(ev)
    if jd.empty or jd["n_voiced"].sum() == 0:
        show_callout("No outcome survey answers can be matched to the people quoted, so no joint "
                     "display can be drawn.")
        return None

    show_table(joint_display_table(jd, ev.threshold, ev.themes.theme_codes),
               caption="Joint display: each theme beside the mean change in self-rated "
                       "leadership among participants who voiced it and those who did not",
               units="scale points, start to end of programme",
               note="Guetterman, Fetters and Creswell (2015). Mean change across the outcome "
                    "scales per person; difference and 95% CI by Welch's t-test. People chose "
                    "what to say, so this shows association, not effect.")


def show_limitations(ev: Evaluation) -> None:

    show_sentences(limitations(ev))


def show_methods(ev: Evaluation) -> None:

    show_table(methods_appendix(ev), caption="Statistical methods and their references")
