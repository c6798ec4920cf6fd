"""The networks section's results: every table the report shows, computed once per report.

:func:`compute` takes a Dataset (or its subset) and returns :class:`NetworkResults`;
:func:`prepare` does the same for a report context. Nothing here is suppressed: the display
functions of :mod:`helpers.networks.display` apply disclosure control when they render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.networks.analysis import (ATTRIBUTES, betweenness_by_wave, betweenness_summary,
                                       brokerage_roles, cohort_summary, cohorts_connect, ei_by_group,
                                       ei_change, ei_index, mixing_matrices, network_summary, roster,
                                       tie_types, undirected_ties)
from helpers.networks.display import (brokerage_sentences, respondent_codes, caveats, describe_change, panel_finding,
                                      panel_sentences, summary_table)
from helpers.networks.panel import cohort_panels, response_adjusted, within_cohort_respondents
from helpers.report.results import Results


@dataclass
class NetworkResults(Results):
    """Participant networks of one programme or cohort.

    Attributes
    ----------
    roster : DataFrame
        One row per participant: ``participant_id``, ``cohort_id``, ``organisation``,
        ``profession`` (the attributes the dataset has).
    ties : DataFrame
        Undirected ties (:func:`~helpers.networks.analysis.undirected_ties`): ``wave``, ``u``,
        ``v`` and each end's attributes.
    participants : DataFrame
        The participant table in scope, as given (used for drawings).
    raw_ties : DataFrame
        The nominations in scope, as given, with their direction (``wave``, ``from_id``,
        ``to_id``, ``tie_type``).
    waves : DataFrame
        Per-wave structure (:func:`~helpers.networks.analysis.network_summary`).
    ei : DataFrame
        E-I index by wave and boundary (:func:`~helpers.networks.analysis.ei_index`).
    ei_change : DataFrame
        First-to-last-wave change in the E-I index per boundary.
    ei_groups : DataFrame
        E-I index of each group (:func:`~helpers.networks.analysis.ei_by_group`).
    brokerage : DataFrame
        Gould-Fernandez roles with expected values and z-scores.
    betweenness_values : DataFrame
        Betweenness of each participant at each wave, normalised within components.
    betweenness : DataFrame
        The distribution of betweenness per wave (median, 90th centile, ...).
    mixing : DataFrame
        Tie counts between groups, long form: ``wave``, ``attribute``, ``group_a``,
        ``group_b``, ``ties``.
    cohorts : DataFrame
        One row per cohort and wave (:func:`~helpers.networks.analysis.cohort_summary`):
        density, mean degree and E-I per cohort, for programmes whose cohorts do not connect.
    adjusted : DataFrame
        The waves compared on two bases (:func:`~helpers.networks.panel.response_adjusted`):
        ``basis`` "all" (every participant, as above) and "panel" (the people who named a
        colleague at every wave, with only the ties among them), per wave: people, response,
        panel size, ties, density, mean degree, components, boundary-crossing shares, E-I
        indices and total brokerage. Empty with fewer than two waves.
    adjusted_cohorts : DataFrame
        Each cohort's people, respondents and panel size per wave
        (:func:`~helpers.networks.panel.cohort_panels`), for the disclosure check between a
        programme report and its cohorts' reports; empty in a one-cohort report.
    adjusted_findings : list of str
        The response-adjusted comparison in words, disclosure control applied
        (:func:`~helpers.networks.display.panel_sentences`).
    adjusted_finding : str or None
        The sentence the evaluation report quotes when response differs between waves by
        more than five percentage points (:func:`~helpers.networks.display.panel_finding`).
    response_gap : float
        The largest difference in response rate between two waves (0 to 1; NaN with one wave).
    separate_cohorts : bool
        True when there is more than one cohort and no tie joins two of them, so the programme
        is a set of cohort networks rather than one network.
    tie_type : str
        What a tie means, in words ("advice", "worked with"), from the ties table.
    findings, caveats, brokerage_findings : list of str
        Plain-English sentences (not yet checked against the threshold).
    scope : str
        The programme or cohort, in words.
    has_ties : bool
        Whether any tie was recorded.
    respondent_codes : dict
        For a cohort report, each wave's suppression code for its respondents, decided across
        the programme's cohorts (:func:`~helpers.networks.display.respondent_codes`); empty
        for a programme report.
    """

    roster: pd.DataFrame
    ties: pd.DataFrame
    participants: pd.DataFrame
    raw_ties: pd.DataFrame
    waves: pd.DataFrame
    ei: pd.DataFrame
    ei_change: pd.DataFrame
    ei_groups: pd.DataFrame
    brokerage: pd.DataFrame
    betweenness_values: pd.DataFrame
    betweenness: pd.DataFrame
    mixing: pd.DataFrame
    cohorts: pd.DataFrame
    adjusted: pd.DataFrame
    separate_cohorts: bool
    tie_type: str
    adjusted_cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)
    adjusted_findings: list = field(default_factory=list)
    adjusted_finding: str | None = None
    response_gap: float = float("nan")
    findings: list = field(default_factory=list)
    caveats: list = field(default_factory=list)
    brokerage_findings: list = field(default_factory=list)
    scope: str = "this programme"
    has_ties: bool = False
    threshold: int = 5
    respondent_codes: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """The per-wave table as the report shows it, people counts suppressed (safe to show)."""
        return summary_table(self.waves, self.threshold, self.respondent_codes)

    COLUMNS = {
        "roster": ("participant_id",),
        "ties": ("wave", "u", "v"),
        "participants": ("participant_id",),
        "raw_ties": ("wave", "from_id", "to_id"),
        "ei_groups": ("wave", "attribute", "group", "members", "external", "internal",
                      "ei_index"),
        "waves": ("wave", "participants", "respondents", "response_rate", "ties", "density",
                    "mean_degree", "components", "largest_component", "isolates"),
        "ei": ("wave", "attribute", "external", "internal", "ties", "ei_index", "expected_ei"),
        "ei_change": ("attribute", "first_wave", "last_wave", "ei_first", "ei_last", "change",
                      "expected_ei"),
        "brokerage": ("wave", "attribute", "code", "role", "observed", "expected", "sd", "z"),
        "betweenness_values": ("wave", "betweenness", "method"),
        "betweenness": ("wave", "median", "p90", "max", "share_zero", "top_decile_share"),
        "mixing": ("wave", "attribute", "group_a", "group_b", "ties"),
        "cohorts": ("cohort_id", "wave", "participants", "ties", "density", "mean_degree"),
        "adjusted_cohorts": ("cohort_id", "wave", "nodes", "respondents", "panel"),
        "adjusted": ("basis", "wave", "nodes", "respondents", "response_rate", "panel", "ties",
                     "density", "mean_degree", "components", "largest_component", "isolates",
                     "brokerage", "brokerage_z"),
    }


def compute(data, tie_type: str | None = None, scope: str = "this programme",
            threshold: int = 5, respondent_codes: dict | None = None) -> NetworkResults:
    """Every network result a report shows, from a Dataset (or its subset), computed once.

    ``respondent_codes``: a cohort report's codes for each wave's respondents, decided across
    the programme's cohorts (:func:`prepare` finds them), applied to the tables and sentences.
    """
    codes = respondent_codes or {}
    ties, participants = data.ties, data.participants
    attrs = [a for a in ATTRIBUTES if a in participants.columns]
    e = undirected_ties(ties, participants, tie_type)  # once, shared by every result below
    summary = network_summary(ties, participants, tie_type, edges=e)
    ei = pd.concat([ei_index(ties, participants, a, tie_type, edges=e) for a in attrs], ignore_index=True)
    groups = pd.concat([ei_by_group(ties, participants, a, tie_type, edges=e) for a in attrs],
                       ignore_index=True)
    bc = betweenness_by_wave(ties, participants, tie_type, edges=e)
    # cohorts that never name one another are separate networks: brokerage is judged within each
    separate = cohorts_connect(e, participants) is False
    within = "cohort_id" if separate else None
    roles = brokerage_roles(ties, participants, attrs, tie_type, within=within)
    adjusted = response_adjusted(ties, participants, tie_type, attributes=attrs, within=within)
    kind = tie_types(ties, tie_type)
    # a boundary nobody in scope can cross (one profession) gets no sentence
    crossable = [a for a in attrs if participants[a].dropna().nunique() > 1]
    many = "cohort_id" in participants.columns and participants["cohort_id"].nunique() > 1
    per_cohort = cohort_panels(ties, participants, tie_type) if many else None
    rates = summary["response_rate"] if len(summary) > 1 else pd.Series(dtype=float)
    return NetworkResults(
        roster=roster(participants), ties=e, participants=participants, raw_ties=ties,
        waves=summary, ei=ei, ei_change=ei_change(ei) if len(ei) else ei_change(ei.iloc[:0]),
        ei_groups=groups, brokerage=roles, betweenness_values=bc,
        betweenness=betweenness_summary(bc), mixing=mixing_matrices(e, participants, attrs),
        cohorts=cohort_summary(e, participants, attrs), adjusted=adjusted,
        adjusted_cohorts=per_cohort if per_cohort is not None else cohort_panels(ties.iloc[:0],
                                                                                 participants),
        separate_cohorts=separate,
        tie_type=kind, adjusted_findings=panel_sentences(adjusted, kind, threshold, crossable,
                                          cohorts=per_cohort, codes=codes),
        adjusted_finding=panel_finding(adjusted, kind, threshold, crossable, cohorts=per_cohort,
                                       codes=codes),
        response_gap=float(rates.max() - rates.min()) if len(rates) else float("nan"),
        findings=describe_change(summary, ei, kind, separate, crossable),
        caveats=caveats(summary, scope, threshold, codes),
        brokerage_findings=brokerage_sentences(roles, separate),
        scope=scope, has_ties=not summary.empty and int(summary["ties"].sum()) > 0,
        threshold=threshold, respondent_codes=codes)


def prepare(rep, tie_type: str | None = None) -> NetworkResults:
    """The networks section of a report context (``open_report``), computed once.

    A cohort report's respondent counts are coded across the programme's cohorts
    (:func:`~helpers.networks.display.respondent_codes`), as the programme report shows
    their total.
    """
    codes = {}
    if getattr(rep, "cohort_id", None) is not None and len(rep.data.ties):
        prog = rep.full.subset(programme_id=rep.programme_id)
        per = within_cohort_respondents(prog.ties, prog.participants, tie_type)
        codes = respondent_codes(per, rep.cohort_id, rep.threshold, rep.cohort_codes)
    return compute(rep.data, tie_type, scope=rep.scope, threshold=rep.threshold,
                   respondent_codes=codes)
