"""The networks section's display: figures, tables and sentences, each under disclosure control.

The ``show_*`` functions take :class:`~helpers.networks.results.NetworkResults` and render one
part of the report; the figure, table and sentence builders below them take tidy frames and
return a figure with its alt text, a display-ready frame or a list of sentences.

A drawing shows each person as a point, so a drawing of fewer than ``suppress_below`` people is
withheld, and a colour group (an organisation or profession) with fewer members is pooled into
"Other" in the points, the legend and the alt text alike.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from helpers.networks.analysis import (_graph, betweenness_summary, ei_change, mixing_matrix,
                                       network_summary, pool_small_groups, roster,
                                       undirected_ties, wave_order)
from helpers.report.disclosure import SUPPRESSED_PCT, WITHHELD, own_cell_code, suppress_table
from helpers.report.display import show_callout, show_figure, show_sentences, show_table
from helpers.report.fmt import fmt_int, fmt_num, fmt_sig, fmt_signed
from helpers.report.theme import NHS_BLUE, PALETTE, apply_theme, fixed_jitter


def brokerage_sentences(roles: pd.DataFrame, within_cohorts: bool = False) -> list[str]:
    """Plain sentences on which brokerage roles are more or less common than chance, for the
    last wave of each attribute (|z| of 2 or more; :func:`brokerage_roles`); ``within_cohorts``
    when each cohort was compared with a random network of its own."""
    out = []
    for attr, g in roles.groupby("attribute", sort=False):
        last = wave_order(g["wave"])[-1]
        r = g[(g["wave"] == last) & (g["code"] != "t")]
        label = {"organisation": "organisations", "profession": "professions"}.get(attr, attr)
        high = [f"{x.role} ({fmt_num(x.z)})" for x in r.itertuples() if x.z >= 2]
        low = [f"{x.role} ({fmt_num(x.z)})" for x in r.itertuples() if x.z <= -2]
        parts = []
        if high:
            parts.append(("more common than in random networks of each cohort's density: "
                          if within_cohorts else
                          "more common than in a random network of the same density: ")
                         + ", ".join(high))
        if low:
            parts.append("less common: " + ", ".join(low))
        what = "; ".join(parts) if parts else "no role is 2 standard deviations from chance"
        out.append(f"Brokerage across {label} at {last.replace('_', ' ')} (Gould and Fernandez "
                   f"roles, z-scores): {what}.")
    return out


def draw_networks(ties: pd.DataFrame, participants: pd.DataFrame, colour_by: str = "organisation",
                  tie_type: str | None = None, max_nodes: int = 1500, seed: int = 20241125,
                  palette: list[str] | None = None, edges: pd.DataFrame | None = None):
    """One panel per wave, nodes coloured by organisation or profession; no labels on nodes.

    Node positions come from one spring layout (Fruchterman-Reingold) of all waves' ties
    together, so the same person sits in the same place in every panel and the change is
    visible. Networks larger than ``max_nodes`` are drawn as group-level networks instead
    (one circle per group sized by members, lines weighted by ties), because a hairball of
    thousands of nodes tells nothing and takes minutes to lay out.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    apply_theme()
    palette = palette or PALETTE
    ros = roster(participants)
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    waves = wave_order(e["wave"]) if len(e) else []
    groups = sorted(ros[colour_by].dropna().astype(str).unique())
    colour = {g: palette[i % len(palette)] for i, g in enumerate(groups)}
    fig, axes = plt.subplots(1, max(len(waves), 1), figsize=(5.2 * max(len(waves), 1), 5.0),
                             squeeze=False)
    nodes = ros["participant_id"].astype(str).tolist()
    group_level = len(nodes) > max_nodes
    if not waves:
        axes[0, 0].text(0.5, 0.5, "No ties recorded", ha="center", va="center")
        axes[0, 0].set_axis_off()
    if group_level:
        counts = ros[colour_by].astype(str).value_counts()
        pos = nx.circular_layout(groups)
        for ax, wave in zip(axes[0], waves):
            mm = mixing_matrix(ties, participants, colour_by, wave, tie_type, edges=e)
            g = nx.Graph()
            g.add_nodes_from(groups)
            for i, a in enumerate(groups):
                for b in groups[i + 1:]:
                    if mm.loc[a, b] > 0:
                        g.add_edge(a, b, weight=mm.loc[a, b])
            w = np.array([d["weight"] for _, _, d in g.edges(data=True)], dtype=float)
            nx.draw_networkx_edges(g, pos, ax=ax, width=(1 + 6 * w / w.max()) if len(w) else 1,
                                   edge_color="#768692", alpha=0.7)
            nx.draw_networkx_nodes(g, pos, ax=ax, node_color=[colour[x] for x in groups],
                                   node_size=[200 + 1800 * counts[x] / counts.max() for x in groups])
            ax.set_title(wave.replace("_", " ").capitalize())
            ax.set_axis_off()
    elif waves:
        union = _graph(nodes, e.drop_duplicates(["u", "v"]))
        pos = nx.spring_layout(union, seed=seed, k=1.5 / math.sqrt(max(len(nodes), 1)))
        node_colour = ros.set_index(ros["participant_id"].astype(str))[colour_by].astype(str).map(colour)
        size = max(8, min(60, 6000 / max(len(nodes), 1)))
        for ax, wave in zip(axes[0], waves):
            g = _graph(nodes, e[e["wave"] == wave])
            nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#768692", alpha=0.35, width=0.6)
            nx.draw_networkx_nodes(g, pos, ax=ax, node_size=size, linewidths=0.3,
                                   edgecolors="white", node_color=node_colour.reindex(list(g.nodes)).tolist())
            ax.set_title(wave.replace("_", " ").capitalize())
            ax.set_axis_off()
    handles = [Line2D([0], [0], marker="o", linestyle="", markerfacecolor=colour[g],
                      markeredgecolor="white", markersize=9, label=g) for g in groups]
    if handles:
        fig.legend(handles=handles, title=colour_by.capitalize(), loc="lower center",
                   ncol=min(len(handles), 5), frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    summary = network_summary(ties, participants, tie_type, edges=e)
    parts = [f"{r.wave.replace('_', ' ')}: {r.ties:,} ties, {100 * r[f'cross_{colour_by}_share']:.0f}% "
             f"across {colour_by}s" if r.ties else f"{r.wave.replace('_', ' ')}: no ties"
             for _, r in summary.iterrows()] if f"cross_{colour_by}_share" in summary else []
    kind = "group-level network (one circle per group)" if group_level else "network of participants"
    alt = (f"Drawing of the {kind} at each wave ({', '.join(waves) or 'none'}), "
           f"points coloured by {colour_by} ({', '.join(groups)}); no names or identifiers. "
           + "; ".join(parts) + ".")
    return fig, alt


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.0f}%"


def describe_change(summary: pd.DataFrame, ei: pd.DataFrame, kind: str = "advice",
                    separate_cohorts: bool = False, crossable=None) -> list[str]:
    """Plain-English sentences on what changed in the network between the first and last wave.

    Parameters
    ----------
    summary : :func:`network_summary`.
    ei : :func:`ei_index` rows for organisation and/or profession, concatenated.
    kind : the tie in words (:func:`tie_types`), named in the sentences.
    separate_cohorts : no tie joins two cohorts, so the programme's density and its count of
        separate parts mostly count the cohorts: they are left to the cohort-by-cohort figures.
    crossable : the boundaries someone in scope can cross (more than one group); None: all.
        A boundary nobody can cross (one profession) gets no sentence.

    Examples
    --------
    >>> s = pd.DataFrame({"wave": ["baseline", "post"], "ties": [4, 6], "participants": [5, 5],
    ...                   "mean_degree": [1.6, 2.4], "density": [0.4, 0.6], "components": [1, 1]})
    >>> describe_change(s, pd.DataFrame(columns=["wave", "attribute", "ei_index"]))[0]
    "Between baseline and post the average participant's number of advice ties rose from 1.6 to 2.4 (density 0.4 to 0.6); the network stayed in one connected part."
    """
    if summary.empty:
        return ["No network ties were recorded for this group, so connectedness cannot be described."]
    first, last = summary.iloc[0], summary.iloc[-1]
    fw, lw = first["wave"].replace("_", " "), last["wave"].replace("_", " ")
    out = []
    if len(summary) == 1:
        out.append(f"Ties ({kind}) were recorded at one wave only ({fw}): {first['ties']:,} ties "
                   f"among {first['participants']:,} participants, an average of "
                   f"{first['mean_degree']:.1f} colleagues each; change over time cannot be "
                   "described.")
    else:
        verb = "rose" if last["mean_degree"] > first["mean_degree"] else (
            "fell" if last["mean_degree"] < first["mean_degree"] else "stayed")
        degree = (f"Between {fw} and {lw} the average participant's number of {kind} ties {verb} "
                  f"from {first['mean_degree']:.1f} to {last['mean_degree']:.1f}")
        if separate_cohorts:
            out.append(degree + "; no tie joins two cohorts, so density is given cohort by "
                       "cohort rather than for the programme as one network.")
        else:
            a, b = int(first["components"]), int(last["components"])
            parts = ("the network stayed in one connected part" if a == b == 1 else
                     f"the network stayed in {a:,} separate parts" if a == b else
                     f"the network went from {a:,} separate part{'s' if a != 1 else ''} to "
                     f"{b:,}" + ("" if b != 1 else " (one connected network)"))
            out.append(f"{degree} (density {fmt_sig(first['density'])} to "
                       f"{fmt_sig(last['density'])}); {parts}.")
    if crossable is not None:
        ei = ei[ei["attribute"].isin(list(crossable))]
    for _, r in ei_change(ei).iterrows():
        label = {"organisation": "organisations", "profession": "professions"}.get(r["attribute"], r["attribute"])
        share = f"cross_{r['attribute']}_share"
        shares = (f" ({_pct(first[share])} to {_pct(last[share])} of ties)" if share in summary else "")
        if pd.isna(r["change"]):
            out.append(f"The E-I index across {label} was {fmt_num(r['ei_first'])} at {fw} "
                       f"(−1 means every tie stays inside a group, +1 every tie crosses; "
                       f"{fmt_num(r['expected_ei'])} would be expected if ties ignored {r['attribute']}).")
            continue
        direction = ("more common" if r["change"] > 0.005 else
                     "less common" if r["change"] < -0.005 else "about as common")
        out.append(f"Ties crossing {label} became {direction}{shares}: the E-I index moved from "
                   f"{fmt_num(r['ei_first'])} to {fmt_num(r['ei_last'])} (change "
                   f"{fmt_signed(r['change'])}; −1 means every tie stays inside a group, +1 every "
                   f"tie crosses, and {fmt_num(r['expected_ei'])} is what random mixing would give).")
    return out


def caveats(summary: pd.DataFrame, scope: str = "this programme", threshold: int = 5,
            codes: dict[str, str] | None = None) -> list[str]:
    """The caveats every network finding carries: response rates (as :func:`response_words`,
    so a rate the summary table withholds is not quoted) and boundary specification."""
    out = []
    if not summary.empty:
        rates = response_words(summary, threshold, codes=codes)
        out.append(f"Response: the share of participants who named at least one colleague was {rates}. "
                   "A missing respondent's ties appear only when someone else named them, so density "
                   "and brokerage are understated where response is low, and a change between waves "
                   "can partly reflect a change in who answered.")
    out.append(f"Boundary: the network holds only participants of {scope}; ties to colleagues "
               "outside it were not asked about, so brokerage here means brokerage within the "
               "programme, not across the wider organisation (Laumann, Marsden and Prensky 1983 "
               "on the boundary specification problem).")
    out.append("Nominations are treated as mutual (a tie named by either person counts), and "
               "the E-I index depends on group sizes: compare it with the value random mixing "
               "would give, not with zero.")
    return out


def _axes(width: float, height: float):
    """A themed figure with one axes (the report's fonts and colours)."""
    apply_theme()
    return plt.subplots(figsize=(width, height))


def ei_figure(ei: pd.DataFrame):
    """E-I index by wave for each attribute, with the random-mixing value dashed.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    fig, ax = _axes(7.5, 3.8)
    parts = []
    for i, (attribute, g) in enumerate(ei.groupby("attribute", sort=False)):
        order = wave_order(g["wave"])
        g = g.set_index("wave").loc[order]
        labels = [w.replace("_", " ") for w in order]
        ax.plot(labels, g["ei_index"], marker="o", color=PALETTE[i], label=f"By {attribute}")
        ax.axhline(g["expected_ei"].iloc[0], color=PALETTE[i], linestyle="--", linewidth=1,
                   label=f"Random mixing ({attribute})")
        parts.append(f"by {attribute} " + " then ".join(fmt_num(v) for v in g["ei_index"]))
    ax.axhline(0, color="#425563", linewidth=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("E-I index (-1 inside groups, +1 across)")
    ax.set_xlabel("Wave")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    alt = ("Line chart of the E-I index at each wave, " + "; ".join(parts)
           + "; dashed lines show the value expected under random mixing.")
    return fig, alt


def betweenness_figure(bc: pd.DataFrame):
    """Distribution of betweenness (within components) at each wave as box plots with points.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    fig, ax = _axes(7.5, 3.6)
    frame = bc.assign(Wave=bc["wave"].str.replace("_", " "))
    sns.boxplot(data=frame, x="betweenness", y="Wave", color="#DDE6F0", fliersize=0, ax=ax)
    if len(frame) <= 5000:
        with fixed_jitter():  # the same points in the same places on every run
            sns.stripplot(data=frame, x="betweenness", y="Wave", color=NHS_BLUE, size=2.5,
                          alpha=0.5, jitter=0.25, ax=ax)
    ax.set_xlabel("Betweenness centrality (share of shortest paths in a person's part of the "
                  "network that pass through them)")
    ax.set_ylabel("")
    fig.tight_layout()
    s = betweenness_summary(bc)
    alt = ("Box plots of betweenness centrality by wave: " + "; ".join(
        f"{r.wave.replace('_', ' ')} median {r.median:.3f}, 90th centile {r.p90:.3f}, "
        f"{100 * r.share_zero:.0f}% with none" for r in s.itertuples()) + ".")
    return fig, alt


def respondent_codes(per_cohort: pd.DataFrame, cohort_id: str, threshold: int,
                     cohort_codes: dict | None = None) -> dict[str, str]:
    """For a cohort report: each wave's code for its "Named a colleague" count, decided across
    the programme's cohorts.

    The programme report shows each wave's respondents, and where cohorts do not connect that
    is the sum of the cohorts' own, so a cohort report showing 20 of a programme's 23 gives
    away the other cohort's hidden 3. Each wave's cohort counts (``per_cohort``:
    :func:`helpers.networks.panel.within_cohort_respondents`) are protected together as one
    margin (:func:`helpers.report.disclosure.own_cell_code`).

    Examples
    --------
    >>> per = pd.DataFrame({"cohort_id": ["c1", "c2"], "wave": ["baseline"] * 2,
    ...                     "respondents": [20, 3]})
    >>> respondent_codes(per, "c1", 5)  # 23 - 20 would give c2's 3
    {'baseline': 'secondary'}
    """
    out = {}
    for wave, g in per_cohort.groupby("wave", sort=False):
        counts = dict(zip(g["cohort_id"].astype(str), g["respondents"].astype(int)))
        if str(cohort_id) in counts:
            out[str(wave)] = own_cell_code(counts, str(cohort_id), threshold, cohort_codes)
    return out


def _respondents_fixed(summary: pd.DataFrame, codes: dict[str, str] | None) -> pd.DataFrame | None:
    """``suppress_table(fixed=...)`` for the respondents of each wave under ``codes``."""
    if not codes:
        return None
    fixed = pd.DataFrame("", index=summary.index, columns=["respondents"], dtype=object)
    fixed["respondents"] = [codes.get(str(w), "") for w in summary["wave"]]
    return fixed


#: The per-wave summary is shown as two tables of at most seven columns, so that no column is
#: lost off the side of a 1280 px screen or an A4 page: its size and response (each share
#: beside the count it is a share of), then how it held together.
SUMMARY_PARTS = (("Wave", "Participants", "Named a colleague", "Response", "Ties",
                  "Mean ties per person", "Unconnected people"),
                 ("Wave", "Density", "Separate parts", "Largest part (people)",
                  "Ties across organisations", "Ties across professions"))
#: Figures of one connected network, not of cohorts that never name one another.
POOLED_ONLY = ("Density", "Separate parts", "Largest part (people)")


def summary_table(summary: pd.DataFrame, threshold: int,
                  codes: dict[str, str] | None = None) -> pd.DataFrame:
    """The per-wave summary ready for display: people counts suppressed below the threshold,
    and each wave's respondents under ``codes`` (:func:`respondent_codes`) in a cohort report."""
    cols = {"wave": "Wave", "participants": "Participants", "respondents": "Named a colleague",
            "response_rate": "Response", "ties": "Ties", "density": "Density",
            "mean_degree": "Mean ties per person", "components": "Separate parts",
            "largest_component": "Largest part (people)", "isolates": "Unconnected people",
            "cross_organisation_share": "Ties across organisations",
            "cross_profession_share": "Ties across professions"}
    t = summary.copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    # respondents, the largest part and the unconnected are each part of the participants, so
    # the rest of each (non-respondents, people outside it) is protected too
    fixed = _respondents_fixed(summary, codes)
    shown = suppress_table(t, ["participants", "respondents", "largest_component", "isolates"],
                           threshold, pct_cols={"response_rate": "respondents"}, totals_visible=False,
                           parts={"respondents": "participants", "isolates": "participants"},
                           fixed=fixed)
    for c in ("cross_organisation_share", "cross_profession_share"):
        if c in shown:
            shown[c] = [_pct(x) for x in t[c]]
    if "density" in shown:  # tiny in a large network: significant figures, not 0.00
        shown["density"] = [fmt_sig(x) for x in t["density"]]
    return shown[[c for c in cols if c in shown]].rename(columns=cols)


def ei_table(ei: pd.DataFrame) -> pd.DataFrame:
    """E-I index per attribute and wave for display (no people counts: tie counts only)."""
    t = ei.copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    t["attribute"] = t["attribute"].str.capitalize()
    return t.rename(columns={"wave": "Wave", "attribute": "Boundary", "external": "Ties across",
                             "internal": "Ties within", "ties": "Ties", "ei_index": "E-I index",
                             "expected_ei": "E-I under random mixing"})


def brokerage_table(roles: pd.DataFrame) -> pd.DataFrame:
    """Gould-Fernandez roles for display: one row per wave, boundary and role."""
    t = roles[["wave", "attribute", "role", "observed", "expected", "z"]].copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    t["attribute"] = t["attribute"].str.capitalize()
    t["role"] = t["role"].str.capitalize()
    t["observed"] = t["observed"].astype(int)
    return t.rename(columns={"wave": "Wave", "attribute": "Groups", "role": "Role",
                             "observed": "Paths brokered", "expected": "Expected by chance",
                             "z": "z"})




def _no_ties() -> None:
    show_callout("Not shown: no network ties were recorded.", "note")


def _too_few(res) -> bool:
    """Withhold a network of fewer than ``threshold`` people, saying why.

    Density, mean degree and tie counts together give the number of people back (n = 2 ties /
    mean degree), so for a small group every network figure is withheld, not only its counts.
    """
    if len(res.roster) >= res.threshold:
        return False
    show_callout(f"Not shown: this network has fewer than {res.threshold} people, and its "
                 "figures would let their number, and their ties, be worked out.", "note")
    return True


def show_summary(res) -> None:
    """The per-wave tables (size and response, then structure), people counts suppressed below
    the threshold; for cohorts that never name one another, no pooled density or parts."""
    if not res.has_ties:
        show_callout("No network ties were recorded for this programme or cohort, so its "
                     "connectedness cannot be described.", "note")
        return
    if _too_few(res):
        return
    table = summary_table(res.waves, res.threshold, res.respondent_codes)
    size, shape = (table[[c for c in cols if c in table]] for cols in SUMMARY_PARTS)
    show_table(size, caption=f"The network at each wave: {res.scope}", dp=3,
               note=f"A tie ({res.tie_type}) is a nomination in either direction between two "
                    "participants.")
    if res.separate_cohorts:  # density and parts of islands pooled would only count cohorts
        show_table(shape.drop(columns=list(POOLED_ONLY), errors="ignore"),
                   caption=f"Ties crossing boundaries at each wave: {res.scope}",
                   note="No tie joins two cohorts, so the density and separate parts of the "
                        "programme as one network would only count its cohorts: they are given "
                        "cohort by cohort below.")
        return
    show_table(shape, caption=f"How the network held together at each wave: {res.scope}", dp=3,
               note="A separate part is a group of people joined by ties to one another and to "
                    "nobody outside it.")


def show_findings(res) -> None:
    """What changed between the first and last wave, and the caveats every finding carries."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    show_sentences(res.findings, title="What changed")
    show_sentences(res.caveats, title="Caveats")


def drawing_withheld(n_people: int, threshold: int) -> str | None:
    """Why a drawing of ``n_people`` is withheld, or None when it may be shown.

    Examples
    --------
    >>> drawing_withheld(3, 5)
    'Not shown: the drawing would show fewer than 5 people, each as a point, so it is withheld.'
    >>> drawing_withheld(6, 5) is None
    True
    """
    if n_people < threshold:
        return (f"Not shown: the drawing would show fewer than {threshold} people, each as a "
                "point, so it is withheld.")
    return None


def show_drawings(res, colour_by: str = "organisation") -> None:
    """One drawing per wave, points coloured by ``colour_by``, small groups pooled as "Other"."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    withheld = drawing_withheld(len(res.roster), res.threshold)
    if withheld:
        show_callout(withheld, "note")
        return
    p = res.participants.drop_duplicates("participant_id").copy()
    pooled = pool_small_groups(p[colour_by], res.threshold)
    p[colour_by] = pooled
    fig, alt = draw_networks(res.raw_ties, p, colour_by)
    note = ""
    if (pooled == "Other").any() and not (p[colour_by].astype(str) == res.participants
                                          .drop_duplicates("participant_id")[colour_by].astype(str)).all():
        note = (f" Groups of fewer than {res.threshold} people are drawn together as "
                "\u201cOther\u201d so that no one can be picked out.")
    show_figure(fig, alt, caption=f"Ties ({res.tie_type}) at each wave, coloured by {colour_by}; "
                "each point is a participant (no names or identifiers)." + note)


def show_ei(res) -> None:
    """The E-I index table, its change and its chart."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    show_table(ei_table(res.ei), caption="Krackhardt and Stern's E-I index", units="ties", dp=2)
    ch = res.ei_change
    if len(ch) and ch["change"].notna().any():
        show_table(ch.assign(attribute=ch["attribute"].str.capitalize(),
                             first_wave=ch["first_wave"].str.replace("_", " "),
                             last_wave=ch["last_wave"].str.replace("_", " "))
                   .rename(columns={"attribute": "Boundary", "first_wave": "From", "last_wave": "To",
                                    "ei_first": "E-I before", "ei_last": "E-I after",
                                    "change": "Change", "expected_ei": "E-I under random mixing"}),
                   caption="Change in the E-I index (positive: more ties across the boundary)", dp=2)
    fig, alt = ei_figure(res.ei)
    show_figure(fig, alt, caption="E-I index by wave (dashed: random mixing)")


def show_brokerage(res) -> None:
    """Gould-Fernandez roles with expected counts, and the roles far from chance."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    paths = ("Open two-paths i \u2192 j \u2192 k on the nominations as named (i names j, j "
             "names k, i does not name k), counted by the groups of the three people; ")
    if res.separate_cohorts:
        caption = "Brokerage roles (Gould and Fernandez) within the cohorts, summed"
        baseline = ("expected: each cohort a random network with its own density and group "
                    "sizes (sna::brokerage per cohort), the counts, expectations and variances "
                    "summed over the cohorts, since no tie joins two of them. ")
    else:
        caption = "Brokerage roles (Gould and Fernandez) in the whole network"
        baseline = ("expected: a random network with the same density and group sizes "
                    "(sna::brokerage), ties between cohorts included, so where cohorts "
                    "rarely name one another roles across groups look rarer than chance. ")
    show_table(brokerage_table(res.brokerage), caption=caption, dp=2,
               note=paths + baseline + "Counts of paths, not of people.")
    show_sentences(res.brokerage_findings)


def show_betweenness(res) -> None:
    """The distribution of betweenness per wave: table and box plots, no one named."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    b = res.betweenness.copy()
    b["wave"] = b["wave"].str.replace("_", " ").str.capitalize()
    b["share_zero"] = [_pct(x) for x in b["share_zero"]]
    b["top_decile_share"] = [_pct(x) for x in b["top_decile_share"]]
    b = b.drop(columns="participants").rename(columns={
        "wave": "Wave", "median": "Median", "p90": "90th centile", "max": "Maximum",
        "share_zero": "On no shortest path", "top_decile_share": "Held by top 10%",
        "method": "Method"})
    show_table(b, caption="Betweenness centrality, normalised within each connected part", dp=3)
    fig, alt = betweenness_figure(res.betweenness_values)
    show_figure(fig, alt, caption="Betweenness at each wave")


def cohorts_figure(cohorts: pd.DataFrame):
    """Each cohort's density and E-I index at each wave as strip plots over box plots.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    apply_theme()
    measures = [c for c in ("density", "ei_organisation", "ei_profession") if c in cohorts]
    labels = {"density": "Density", "ei_organisation": "E-I across organisations",
              "ei_profession": "E-I across professions"}
    fig, axes = plt.subplots(1, len(measures), figsize=(3.6 * len(measures), 3.6), squeeze=False)
    frame = cohorts.assign(Wave=cohorts["wave"].str.replace("_", " "))
    parts = []
    for ax, m in zip(axes[0], measures):
        sns.boxplot(data=frame, x="Wave", y=m, color="#DDE6F0", fliersize=0, ax=ax)
        with fixed_jitter():  # the same points in the same places on every run
            sns.stripplot(data=frame, x="Wave", y=m, color=NHS_BLUE, size=4, jitter=0.15, ax=ax)
        ax.set_ylabel(labels[m])
        ax.set_xlabel("")
        if m != "density":
            ax.set_ylim(-1.05, 1.05)
        per = frame.groupby("Wave", sort=False)[m]
        parts.append(f"{labels[m]}: " + "; ".join(
            f"{w} median {fmt_sig(g.median())} (range {fmt_sig(g.min())} to {fmt_sig(g.max())})"
            for w, g in per))
    fig.tight_layout()
    alt = ("Strip plots of each cohort's network, one point per cohort at each wave; "
           + "; ".join(parts) + ".")
    return fig, alt


def cohort_sentences(res) -> list[str]:
    """Why the programme is described cohort by cohort, with the median density over cohorts."""
    c = res.cohorts
    n_cohorts = c["cohort_id"].nunique()
    shown = c[c["participants"] >= res.threshold]
    out = [f"No tie ({res.tie_type}) joins two of the {n_cohorts} cohorts: each cohort is a "
           "network of its own, so the programme is described by the spread of the cohorts' "
           "figures rather than as one network (whose density would mostly count the cohorts)."]
    if len(shown):
        per = shown.groupby("wave", sort=False)["density"]
        out.append("Density within a cohort: " + "; ".join(
            f"median {fmt_sig(g.median())} at {w.replace('_', ' ')} (cohorts ranging from "
            f"{fmt_sig(g.min())} to {fmt_sig(g.max())})" for w, g in per) + ".")
    if shown["cohort_id"].nunique() < n_cohorts:
        out.append(f"Cohorts of fewer than {res.threshold} people are left out of these "
                   "figures, so that no one can be picked out.")
    return out


def show_cohorts(res) -> None:
    """The programme as the distribution over its cohorts, where the cohorts do not connect."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    if not res.separate_cohorts:
        show_callout("Not needed here: this report covers one cohort, or ties join its cohorts, "
                     "so it is described as one network above.", "note")
        return
    show_sentences(cohort_sentences(res))
    shown = res.cohorts[res.cohorts["participants"] >= res.threshold]
    if shown["cohort_id"].nunique() < 2:
        return
    fig, alt = cohorts_figure(shown)
    show_figure(fig, alt, caption=f"Each cohort's network ({res.tie_type} ties): one point per "
                "cohort at each wave")


# --- response-adjusted comparison: the people who answered every wave ------------------------

_PANEL_MEASURES = {"nodes": "People in the network", "respondents": "Named a colleague",
                   "response_rate": "Response", "ties": "Ties", "mean_degree": "Mean ties per person",
                   "density": "Density", "components": "Separate parts",
                   "cross_organisation_share": "Ties across organisations",
                   "cross_profession_share": "Ties across professions",
                   "ei_organisation": "E-I index, organisations",
                   "ei_profession": "E-I index, professions",
                   "brokerage": "Brokerage (open two-paths)", "brokerage_z": "Brokerage z-score"}
#: shown even when the panel's size is not: they do not give the number of people back
_RATIO_MEASURES = ("mean_degree", "density", "cross_organisation_share", "cross_profession_share",
                   "ei_organisation", "ei_profession")
_BASIS_WORDS = {"all": "Everyone", "panel": "Answered every wave"}


def _complements(adjusted: pd.DataFrame) -> list[tuple[int, int]]:
    """``(base, count)`` pairs a reader could work out from the panel's size ``n``: everyone
    minus ``n`` (people who missed a wave), and each wave's respondents minus ``n`` (people who
    answered that wave but missed another)."""
    a = adjusted[adjusted["basis"] == "all"]
    n = int(adjusted["panel"].iloc[0])
    bases = [int(a["nodes"].iloc[0])] + [int(r) for r in a["respondents"]]
    return [(b, b - n) for b in bases]


def _shown_ratios(adjusted: pd.DataFrame) -> pd.DataFrame:
    """The panel's ratio measures at the precision a reader sees them."""
    p = adjusted[adjusted["basis"] == "panel"]
    out = pd.DataFrame({"wave": p["wave"].to_numpy()})
    out["mean_degree"] = [float(fmt_num(x, 1).replace(",", "")) for x in p["mean_degree"]]
    out["density"] = [float(fmt_sig(x).replace("−", "-")) if pd.notna(x) else np.nan
                      for x in p["density"]]
    for c in ("ei_organisation", "ei_profession"):
        if c in p:
            out[c] = [float(fmt_num(x, 2).replace("−", "-")) if pd.notna(x) else np.nan
                      for x in p[c]]
    return out


def panel_sizes_consistent(shown: pd.DataFrame, sizes) -> list[int]:
    """The panel sizes that fit the rounded figures a reader sees (mean ties per person to one
    decimal, density to two significant figures, E-I indices to two decimals, every wave).

    A size fits when some whole number of ties ``m`` gives ``2 m / n`` and ``m / (n (n - 1) /
    2)`` that round to the shown values, and for each E-I index some whole number of
    crossing ties ``x <= m`` gives ``(2 x - m) / m`` that rounds to it.

    Examples
    --------
    >>> shown = pd.DataFrame({"mean_degree": [2.0], "density": [0.5]})
    >>> panel_sizes_consistent(shown, range(2, 10))  # 2 m / n = 2 and m / C(n, 2) = 0.5: n = 5
    [5]
    """
    ok = []
    for n in sizes:
        if n < 2:
            continue
        fits = True
        for r in shown.itertuples(index=False):
            r = r._asdict()
            md = r["mean_degree"]
            ms = np.arange(max(0, int(np.floor((md - 0.05) * n / 2)) - 1),
                           int(np.ceil((md + 0.05) * n / 2)) + 2)
            ms = ms[np.abs(np.round(2 * ms / n, 1) - md) < 1e-9]
            d = r.get("density")
            if d is not None and pd.notna(d) and d > 0:
                unit = 10.0 ** (np.floor(np.log10(d)) - 1)
                dens = ms / (n * (n - 1) / 2)
                ms = ms[np.abs(dens - d) <= unit / 2 + 1e-12]
            for c in ("ei_organisation", "ei_profession"):
                v = r.get(c)
                if v is None or pd.isna(v):
                    continue
                ms = ms[_ei_fits(ms, v)]
            if not len(ms):
                fits = False
                break
        if fits:
            ok.append(int(n))
    return ok


def _ei_fits(ties: np.ndarray, ei: float) -> np.ndarray:
    """Whether some split of each number of ties into inside and crossing ties gives the E-I
    index ``ei`` once rounded to two places: (crossing - inside) / ties = (2k - m) / m.

    The splits that round to ``ei`` lie in an interval around k = m (ei + 1) / 2, so if any
    does, the whole number nearest to it or one either side does (ties in rounding included).
    """
    m = np.asarray(ties, dtype=float)
    k = np.clip(np.rint(m * (ei + 1) / 2)[:, None] + np.array([-1.0, 0.0, 1.0]), 0, m[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        fits = np.abs(np.round((2 * k - m[:, None]) / m[:, None], 2) - ei) < 1e-9
    return (m > 0) & fits.any(axis=1)


def _cohort_needs(cohorts: pd.DataFrame | None, n: int, threshold: int) -> list[int]:
    """Programme panel sizes a reader must not be able to rule out, so that a cohort whose own
    report hides its panel's size cannot have it back as the programme's minus the others'."""
    if cohorts is None or not len(cohorts):
        return []
    needed = []
    per = {c: g for c, g in cohorts.groupby("cohort_id", sort=False)}
    for c, g in per.items():
        nc = int(g["panel"].iloc[0])
        small = [(b, b - nc) for b in [int(g["nodes"].iloc[0]), *g["respondents"].astype(int)]
                 if 0 < b - nc < threshold]
        if not (0 < nc < threshold or small):
            continue
        others = n - nc  # known to a reader when every other cohort's size is shown
        if 0 < nc < threshold:
            needed += [others + j for j in range(1, threshold)]
        needed += [b + others - j for b, _ in small for j in range(1, threshold)]
    return needed


def panel_disclosure(adjusted: pd.DataFrame, threshold: int,
                     cohorts: pd.DataFrame | None = None) -> tuple[str, str | None]:
    """How much of the response-adjusted comparison may be shown, and why not all of it.

    The panel's size ``n``, with the all-participants figures, gives the number who missed a
    wave (:func:`_complements`); in a programme report, minus the sizes its cohorts' reports
    show, it also gives a cohort's that its own report hides (``cohorts``:
    :func:`~helpers.networks.panel.cohort_panels`). When either would be 1 to
    ``threshold - 1``, ``n`` is withheld, and so is every figure that gives it back (people
    and tie counts, brokerage); the averages and shares are shown only if every panel size
    that would make those counts any of 1 to ``threshold - 1`` also fits them
    (:func:`panel_sizes_consistent`), first with density, then without it.

    Returns
    -------
    (mode, why): ``"all"`` (why None): the panel's size and every figure; ``"ratios"``: mean
    ties per person, density, shares and E-I only; ``"shares"``: the same without density;
    ``"none"``: nothing (the panel smaller than ``threshold``, or its size recoverable even
    from the shares). ``why`` is the sentence a reader is shown.

    Examples
    --------
    >>> a = pd.DataFrame({"basis": ["all"] * 2 + ["panel"] * 2, "wave": ["baseline", "post"] * 2,
    ...                   "nodes": [9, 9, 3, 3], "respondents": [5, 7, 3, 3], "panel": 3,
    ...                   "mean_degree": [1.0, 1.5, 1.3, 2.0], "density": [.1, .2, .67, 1.0]})
    >>> panel_disclosure(a, 5)[0]
    'none'
    """
    if adjusted.empty:
        return "none", None
    n = int(adjusted["panel"].iloc[0])
    if n < threshold:
        return "none", (f"Not shown: fewer than {threshold} people answered at every wave, so a "
                        "comparison among them would let them and their ties be picked out.")
    small = [(b, k) for b, k in _complements(adjusted) if 0 < k < threshold]
    from_cohorts = _cohort_needs(cohorts, n, threshold)
    if not small and not from_cohorts:
        return "all", None
    why = (f"fewer than {threshold} people answered at one wave but not another"
           + (" (here or in a cohort)" if from_cohorts else "")
           + ", and the number who answered every wave would let that number be worked out")
    # every size that would make a small count 1 to threshold - 1 must fit what is shown
    needed = sorted({b - j for b, _ in small for j in range(1, threshold)} | set(from_cohorts))
    shown = _shown_ratios(adjusted)
    for mode, frame in (("ratios", shown), ("shares", shown.drop(columns="density"))):
        if set(needed) <= set(panel_sizes_consistent(frame, needed)):
            left_out = "their ties and brokerage" if mode == "ratios" else \
                "their ties, density and brokerage"
            return mode, (f"The number who answered every wave, {left_out} are not shown: "
                          f"{why}.")
    return "none", f"Not shown: {why}, even from the averages and shares."


def panel_table(adjusted: pd.DataFrame, threshold: int,
                cohorts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The response-adjusted comparison for display: one row per measure, one column per basis
    and wave with the change on each basis, under :func:`panel_disclosure`.

    People counts of the whole roster carry the same suppression as :func:`summary_table`.
    """
    mode, _ = panel_disclosure(adjusted, threshold, cohorts)
    if mode == "none":
        return pd.DataFrame()
    full = adjusted.copy()
    shown = suppress_table(full, ["nodes", "respondents"], threshold,
                           pct_cols={"response_rate": "respondents"}, totals_visible=False,
                           parts={"respondents": "nodes"})
    shown["ties"] = [fmt_int(x) for x in full["ties"]]
    shown["components"] = [fmt_int(x) for x in full["components"]]
    shown["brokerage"] = [fmt_int(x) for x in full["brokerage"]]
    shown["brokerage_z"] = [fmt_num(x, 2) for x in full["brokerage_z"]]
    shown["mean_degree"] = [fmt_num(x, 1) for x in full["mean_degree"]]
    shown["density"] = [fmt_sig(x) for x in full["density"]]
    for c in ("cross_organisation_share", "cross_profession_share"):
        if c in full:
            shown[c] = [_pct(x) for x in full[c]]
    for c in ("ei_organisation", "ei_profession"):
        if c in full:
            shown[c] = [fmt_num(x, 2) for x in full[c]]
    panel = full["basis"] == "panel"
    if mode in ("ratios", "shares"):
        hidden = ["nodes", "respondents", "response_rate", "ties", "components", "brokerage",
                  "brokerage_z"] + (["density"] if mode == "shares" else [])
        for c in hidden:
            shown.loc[panel, c] = "–"
    measures = [m for m in _PANEL_MEASURES if m in shown]
    cols, changes = {}, {}
    for basis in ("all", "panel"):
        rows = full[full["basis"] == basis]
        for i, w in zip(rows.index, rows["wave"]):
            cols[f"{_BASIS_WORDS[basis]}: {w.replace('_', ' ')}"] = [shown.loc[i, m] for m in measures]
        first, last = rows.index[0], rows.index[-1]
        ch = []
        for m in measures:
            visible = shown.loc[first, m] != "–" and shown.loc[last, m] != "–"
            if m in ("mean_degree",) and visible:
                ch.append(fmt_signed(full.loc[last, m] - full.loc[first, m], 1))
            elif m in ("ties", "components", "brokerage") and visible:
                ch.append(fmt_signed(full.loc[last, m] - full.loc[first, m], 0))
            elif m == "density" and visible:
                d = full.loc[last, m] - full.loc[first, m]
                ch.append(("+" if d > 0 else "") + fmt_sig(d))
            elif m in ("cross_organisation_share", "cross_profession_share") and visible:
                pts = fmt_signed(100 * (full.loc[last, m] - full.loc[first, m]), 0)
                ch.append(pts + (" point" if pts.lstrip("+−") == "1" else " points"))
            elif m in ("ei_organisation", "ei_profession") and visible:
                ch.append(fmt_signed(full.loc[last, m] - full.loc[first, m], 2))
            else:
                ch.append("")
        cols[f"{_BASIS_WORDS[basis]}: change"] = ch
    out = pd.DataFrame({"Measure": [_PANEL_MEASURES[m] for m in measures], **cols})
    if shown.attrs.get(WITHHELD):
        out.attrs[WITHHELD] = shown.attrs[WITHHELD]
    out.attrs["threshold"] = int(threshold)
    return out


def response_words(summary: pd.DataFrame, threshold: int, people: str = "participants",
                   codes: dict[str, str] | None = None) -> str:
    """Each wave's response rate in words, under the summary table's suppression (``codes``:
    :func:`respondent_codes` in a cohort report): where the count who answered is hidden, the
    sentence says which side is small instead.

    ``summary`` has ``wave, respondents, response_rate`` and the people count ``people``.

    Examples
    --------
    >>> s = pd.DataFrame({"wave": ["baseline", "post"], "participants": [220, 220],
    ...                   "respondents": [189, 216], "response_rate": [189 / 220, 216 / 220]})
    >>> response_words(s, 5)
    '86% at baseline, and all but fewer than 5 of the 220 participants at post'
    """
    shown = suppress_table(summary, [people, "respondents"], threshold,
                           pct_cols={"response_rate": "respondents"}, totals_visible=False,
                           parts={"respondents": people}, fixed=_respondents_fixed(summary, codes))
    parts = []
    for r, s, w in zip(summary.itertuples(index=False), shown["response_rate"], summary["wave"]):
        w = w.replace("_", " ")
        n, k = int(getattr(r, people)), int(r.respondents)
        if s != SUPPRESSED_PCT:
            parts.append(f"{_pct(r.response_rate)} at {w}")
        elif 0 < n - k < threshold and str(shown.loc[shown.index[len(parts)], people]) == fmt_int(n):
            parts.append(f"all but fewer than {threshold} of the {fmt_int(n)} participants at {w}")
        elif 0 < k < threshold and not (codes or {}).get(str(r.wave)):
            parts.append(f"fewer than {threshold} participants at {w}")
        else:
            parts.append(f"not shown at {w}")
    return ", and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def _response_words(adjusted: pd.DataFrame, threshold: int,
                    codes: dict[str, str] | None = None) -> str:
    return response_words(adjusted[adjusted["basis"] == "all"].reset_index(drop=True),
                          threshold, "nodes", codes)


def _panel_words(adjusted: pd.DataFrame, mode: str) -> str:
    every = "both waves" if adjusted["wave"].nunique() == 2 else "every wave"
    if mode == "all":
        return f"the {fmt_int(adjusted['panel'].iloc[0])} people who answered at {every}"
    return f"the people who answered at {every}"


def _from_to(rows: pd.DataFrame, col: str) -> str:
    f, l = rows[col].iloc[0], rows[col].iloc[-1]
    if col.startswith("cross_"):
        return f"{_pct(f)} to {_pct(l)}"
    return f"{fmt_num(f, 1)} to {fmt_num(l, 1)}"


def panel_sentences(adjusted: pd.DataFrame, tie_type: str, threshold: int,
                    boundaries=("profession",), cohorts: pd.DataFrame | None = None,
                    codes: dict[str, str] | None = None) -> list[str]:
    """The response-adjusted comparison in words, beside everyone's figures, with each wave's
    response; or why it is not shown. Empty without two waves.

    Quotes only what :func:`panel_table` shows (disclosure control applied). ``boundaries``:
    the attributes whose crossing share is worth a sentence (two or more groups in scope). The
    wording describes and does not explain: a difference between the two bases is what a
    change in response can produce, not a measured effect of it.
    """
    if adjusted.empty:
        return []
    mode, why = panel_disclosure(adjusted, threshold, cohorts)
    rates = _response_words(adjusted, threshold, codes)
    if mode == "none":
        return [f"Response to the network question: {rates}. {why}"]
    a = adjusted[adjusted["basis"] == "all"]
    p = adjusted[adjusted["basis"] == "panel"]
    who, tie = _panel_words(adjusted, mode), f"{tie_type} ties"
    out = [f"Response to the network question: {rates}. Because a change in who answers "
           f"changes the network, the waves are also compared among {who} (the balanced "
           "panel): this is the response-adjusted comparison, holding only the ties among "
           "them, as they named them."]
    density = ("" if mode == "shares" else
               f" (density {fmt_sig(p['density'].iloc[0])} to {fmt_sig(p['density'].iloc[-1])})")
    out.append(f"Response-adjusted: mean {tie} per person went from {_from_to(p, 'mean_degree')} "
               f"among {who}{density}; among all participants, where a non-respondent's ties "
               f"are those others named, it went from {_from_to(a, 'mean_degree')}.")
    for attr in boundaries:
        col = f"cross_{attr}_share"
        if col in adjusted:
            out.append(f"Response-adjusted: the share of {tie} crossing {attr}s went from "
                       f"{_from_to(p, col)} among {who}, against {_from_to(a, col)} among all "
                       "participants.")
    return out


def panel_finding(adjusted: pd.DataFrame, tie_type: str, threshold: int,
                  boundaries=("profession",), min_gap: float = 0.05,
                  cohorts: pd.DataFrame | None = None,
                  codes: dict[str, str] | None = None) -> str | None:
    """One sentence for the evaluation report when response differs between waves by more than
    ``min_gap`` (0.05: five percentage points): the change among the people who answered every
    wave beside everyone's, or why that comparison is not shown. None otherwise.

    Examples
    --------
    >>> a = pd.DataFrame({"basis": ["all"] * 2, "wave": ["baseline", "post"],
    ...                   "response_rate": [0.9, 0.92]})
    >>> panel_finding(a, "advice", 5) is None  # two points apart: the figures stand as they are
    True
    """
    if adjusted.empty:
        return None
    rates = adjusted.loc[adjusted["basis"] == "all", "response_rate"]
    if not rates.max() - rates.min() > min_gap:
        return None
    mode, why = panel_disclosure(adjusted, threshold, cohorts)
    lead = (f"Response to the network question differed between waves "
            f"({_response_words(adjusted, threshold, codes)}), so part of the change in {tie_type} ties "
            "may reflect who answered")
    if mode == "none":
        return (f"{lead}; the comparison among the people who answered at every wave is not "
                f"shown ({why[len('Not shown: '):].rstrip('.')}).")
    a = adjusted[adjusted["basis"] == "all"]
    p = adjusted[adjusted["basis"] == "panel"]
    parts = [f"mean ties per person went from {_from_to(p, 'mean_degree')} "
             f"(all participants: {_from_to(a, 'mean_degree')})"]
    # one boundary: professions where they can be crossed, else organisations
    for attr in sorted(boundaries, key=lambda b: b != "profession")[:1]:
        col = f"cross_{attr}_share"
        if col in adjusted:
            parts.append(f"the share crossing {attr}s from {_from_to(p, col)} "
                         f"(all participants: {_from_to(a, col)})")
    return f"{lead}: among {_panel_words(adjusted, mode)}, " + " and ".join(parts) + "."


def show_response_adjusted(res) -> None:
    """The waves compared among everyone and among the people who answered every wave."""
    if not res.has_ties:
        return _no_ties()
    if _too_few(res):
        return
    if res.adjusted.empty:
        show_callout("Not needed here: ties were recorded at one wave only.", "note")
        return
    show_sentences(res.adjusted_findings)
    table = panel_table(res.adjusted, res.threshold, res.adjusted_cohorts)
    if table.empty:
        return
    mode, why = panel_disclosure(res.adjusted, res.threshold, res.adjusted_cohorts)
    note = (f"Everyone: every participant of {res.scope}, their ties as anyone named them. "
            "Answered every wave: only the people who named a colleague at every wave, and only "
            "the ties among them (response-adjusted).") + (f" {why}" if why else "")
    show_table(table, caption=f"Response-adjusted comparison of the waves ({res.tie_type} ties)",
               note=note)
