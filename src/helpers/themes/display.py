"""Display of the qualitative themes section: each ``show_x(res)`` takes the
:class:`~helpers.themes.results.ThemesResults`, applies disclosure control and renders through
helpers.report.display (which escapes all text). The ``*_table`` builders are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from helpers.attribution import rule_sentences
from helpers.report.disclosure import (MASKED, SUPPRESSED_PCT, is_suppressed, shown_count,
                                       suppress_count, suppress_table)
from helpers.report.display import (longer_side_down, show_callout, show_figure, show_sentences,
                                    show_table)
from helpers.report.fmt import fmt_ci, fmt_num, fmt_pct, plural
from helpers.report.theme import NHS_BLUE
from helpers.themes.analysis import code_tree, codebook_table, most_cited, pool_small_groups
from helpers.themes.results import ThemesResults

GROUP_LABELS = {"cohort_id": "cohort", "organisation": "organisation", "profession": "profession",
                "wave": "wave"}
#: Groupings whose small groups are pooled into one "Other ..." group before display. Cohorts
#: are not pooled (their counts are tied to the programme's other reports), nor waves (few).
POOLED_GROUPS = {"organisation": "Other organisations", "profession": "Other professions"}
_SHOWN_COUNT = re.compile(r"^\d{1,3}(,\d{3})*$")


def shows_a_count(cells: Iterable) -> bool:
    """Whether any of a display table's cells shows a count above zero.

    A table whose every cell is a true zero, ``<5`` or a secondary-suppression mark compares
    nothing and is not worth a reader's time.

    Examples
    --------
    >>> shows_a_count(["<5", "[c]", "0"])
    False
    >>> shows_a_count(["<5", "1,118"])
    True
    """
    return any(_SHOWN_COUNT.match(str(c).strip()) and str(c).strip() != "0" for c in cells)


def overview_sentences(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                       threshold: int) -> list[str]:
    """One-line description of the coded material in scope, with small counts suppressed.

    ``codes`` is the codebook the material was coded against in scope
    (:func:`~helpers.themes.analysis.codes_in_scope`), not a shared codebook's every code."""
    if codings.empty or segments.empty:
        return ["No coded qualitative material in this scope."]
    coded = segments[segments["segment_id"].astype(str).isin(set(codings["segment_id"].astype(str)))]
    people = coded["participant_id"].astype("string").fillna("")
    n_themes = int((code_tree(codes)["depth"] == 0).sum())
    return [f"{suppress_count(len(coded), threshold)} coded segments from "
            f"{suppress_count(coded['source_id'].nunique(), threshold)} sources "
            f"({suppress_count(people[people != ''].nunique(), threshold)} participants), "
            f"coded by {plural(codings['coder_id'].nunique(), 'coder')} against "
            f"{plural(n_themes, 'theme')} and {plural(len(codes) - n_themes, 'code')}.",
            f"Counts below {threshold} are shown as <{threshold}."]


def prevalence_table(prev: pd.DataFrame, threshold: int,
                     codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Display copy of :func:`prevalence` (no grouping): counts suppressed, share withheld.

    ``codes`` (:func:`cohort_theme_codes`) hides a cohort's count that the programme report and
    the other cohorts' reports would give away."""
    shown = prev[["label", "participants", "share_participants", "sources", "segments"]].rename(
        columns={"label": "Theme or code"})
    out = suppress_table(shown, ["participants", "sources", "segments"], threshold,
                         pct_cols={"share_participants": "participants"}, totals_visible=False)
    for i, label in enumerate(prev["label"]):
        code = (codes or {}).get(label, "")
        if code:
            out.iloc[i, out.columns.get_loc("participants")] = shown_count(
                prev["participants"].iloc[i], code, threshold)
            out.iloc[i, out.columns.get_loc("share_participants")] = SUPPRESSED_PCT
    return out.rename(columns={"participants": "Participants", "share_participants": "% of participants",
                               "sources": "Sources", "segments": "Segments"})


def grouped_table(prev: pd.DataFrame, by: str, threshold: int,
                  hidden_groups: dict[str, str] | None = None) -> pd.DataFrame:
    """Themes (rows) by group (columns), participants raising each theme; small counts hidden with
    secondary suppression along each row (whose total is the theme's overall count).

    ``hidden_groups`` maps a group (a cohort hidden across the programme's reports) to its code:
    that group's whole column is hidden, since its counts are parts of a size that is not shown.
    """
    wide = prev.pivot_table(index="label", columns=by, values="participants", aggfunc="sum",
                            fill_value=0, sort=False)
    order = prev.groupby("label", sort=False)["participants"].sum().sort_values(ascending=False).index
    wide = wide.reindex(order)
    hidden = {str(c).replace("_", " ") for c, code in (hidden_groups or {}).items() if code}
    wide.columns = [str(c).replace("_", " ") for c in wide.columns]
    cols = list(wide.columns)
    flat = wide.reset_index()
    fixed = pd.DataFrame({c: [MASKED if c in hidden else ""] * len(flat) for c in cols},
                         index=flat.index)
    out = suppress_table(flat, cols, threshold, axes=("rows",), fixed=fixed)
    return out.rename(columns={"label": "Theme"})


def agreement_table(agreement: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Display copy of :func:`helpers.reliability.code_agreement`."""
    rows = []
    for r in agreement.itertuples(index=False):
        rows.append({"Code": r.label, "Segments": suppress_count(r.n, threshold),
                     "% agreement": fmt_pct(r.percent_agreement),
                     "Cohen's kappa": fmt_num(r.kappa, 2) if not pd.isna(r.kappa) else "–",
                     "Krippendorff's alpha": fmt_num(r.estimate, 2) if not pd.isna(r.estimate) else "–",
                     "95% CI": fmt_ci(r.ci_low, r.ci_high, 2) if not pd.isna(r.ci_low) else "–",
                     "Agreement": r.rating})
    return pd.DataFrame(rows)


def show_overview(res: ThemesResults) -> None:
    show_sentences(overview_sentences(res.segments, res.codings, res.codebook, res.threshold))


def show_codebook(res: ThemesResults) -> None:
    show_table(codebook_table(res.codebook), "Codebook: themes and their codes, with definitions")


def show_prevalence(res: ThemesResults, level: str = "theme") -> None:
    prev = res.prevalence if level == "theme" else res.code_prevalence
    if prev.empty:
        show_callout("No coded segments in this scope.")
        return
    what = "theme" if level == "theme" else "code"
    show_table(prevalence_table(prev, res.threshold, res.theme_codes if level == "theme" else res.code_codes),
               f"How often each {what} was raised: participants, sources and segments",
               note="Participants: distinct people who raised it; sources: interviews, focus groups "
                    "or comment sets; segments: coded passages. Codes roll up into their theme.")


def show_prevalence_chart(res: ThemesResults) -> None:
    prev = res.prevalence
    if prev.empty:
        show_callout("No coded segments in this scope.")
        return
    prev = prev.iloc[::-1]
    hidden = prev["participants"].map(lambda n: is_suppressed(n, res.threshold))
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(prev) + 1.2))
    ax.barh(prev["label"], prev["participants"].where(~hidden, 0), color=NHS_BLUE)
    for y, (n, h) in enumerate(zip(prev["participants"], hidden)):
        ax.text(0 if h else n, y, f" <{res.threshold}" if h else f" {n:,}", va="center", fontsize=10)
    ax.set_xlabel("Participants raising the theme")
    ax.set_ylabel("")
    top = most_cited(res.prevalence, res.threshold, res.theme_codes)
    if top is None:
        named, cited = ("no one theme can be named as the most cited (tied, or counts too small "
                        "to rank)"), ""
    else:
        named, cited = f"the most cited is {top}", f" (most cited: {top})"
    show_figure(fig, alt=f"Bar chart of participants raising each theme; {named}.",
                caption=f"Themes by number of participants raising them{cited}.")


def show_prevalence_by(res: ThemesResults, by: str) -> None:
    """Themes by group; small organisations or professions pooled (:data:`POOLED_GROUPS`), and
    no table when it would show no count (every one below the threshold or hiding one that is)."""
    prev = res.by_group[by]
    label = GROUP_LABELS.get(by, by)
    if prev.empty or prev[by].nunique() < 2:
        show_callout(f"Only one {label} in this scope: no comparison by {label}.")
        return
    if by in POOLED_GROUPS:
        prev = pool_small_groups(prev, by, res.threshold, POOLED_GROUPS[by])
    sizes = prev.drop_duplicates(by)["n_participants"]
    if len(sizes) < 2 or (sizes < res.threshold).all():
        show_callout(f"No {label} has {res.threshold} or more participants with coded material: "
                     f"no comparison by {label}.")
        return
    hidden = res.cohort_codes if by == "cohort_id" else None
    wide = grouped_table(prev, by, res.threshold, hidden)
    if not shows_a_count(wide.iloc[:, 1:].to_numpy().ravel()):
        show_callout(f"Every count by {label} is below {res.threshold} or would reveal one that "
                     f"is: no comparison by {label}.")
        return
    table = longer_side_down(wide, "Theme", label.capitalize())
    pooled = prev.attrs.get("pooled", [])
    note = "A participant counts once per theme."
    if pooled:
        note += (f" {POOLED_GROUPS[by]}: the {len(pooled)} {label}s with fewer than "
                 f"{res.threshold} participants with coded material, counted together.")
    show_table(table, f"Participants raising each theme, by {label}", note=note,
               count_cols=list(table.columns[1:]))


def cooccurrence_figure(counts: pd.DataFrame, jaccard: pd.DataFrame, threshold: int, title: str):
    """Heatmap of co-occurrence: off-diagonal cells shaded by Jaccard similarity, every cell
    labelled with its count (``<N`` below the threshold, unshaded); the diagonal (each theme's
    own count) is labelled but not shaded, so it does not swamp the scale."""
    values = counts.to_numpy()
    hide = (values > 0) & (values < threshold)  # a true zero is shown as 0
    diag = np.eye(len(counts), dtype=bool)
    labels = np.where(hide, f"<{threshold}", values.astype(int).astype(str))
    shade = jaccard.to_numpy().copy()
    shade[hide | diag] = np.nan
    top = np.nanmax(shade) if np.isfinite(shade).any() else 1.0
    size = max(4.5, 0.9 * len(counts) + 2.5)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    short = [lab if len(lab) <= 28 else lab[:27] + "…" for lab in counts.index]
    sns.heatmap(pd.DataFrame(shade), mask=np.isnan(shade), cmap="Blues", vmin=0, vmax=max(top, 0.05),
                cbar_kws={"label": "Jaccard similarity (both / either)"}, xticklabels=short,
                yticklabels=short, linewidths=0.5, linecolor="#E8EDEE", ax=ax)
    ax.grid(False)
    ax.set_facecolor("white")
    for (i, j), text in np.ndenumerate(labels):
        dark = np.isfinite(shade[i, j]) and shade[i, j] > 0.6 * max(top, 0.05)
        ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=10,
                fontweight="bold" if diag[i, j] else "normal",
                color="white" if dark else "#231F20")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return fig


def show_cooccurrence(res: ThemesResults, unit: str = "segment") -> None:
    counts = res.cooccurrence[unit]
    if counts.empty or counts.to_numpy().sum() == 0:
        show_callout("No coded segments in this scope.")
        return
    jac = res.cooccurrence[f"{unit}_jaccard"]
    where = "the same segment" if unit == "segment" else "the same participant's material"
    fig = cooccurrence_figure(counts, jac, res.threshold, f"Themes occurring together in {where}")
    show_figure(fig, alt=f"Heatmap of theme co-occurrence within {where}: numbers are counts, "
                         "shading is Jaccard similarity.",
                caption=f"Co-occurrence of themes ({unit} level). Diagonal (bold): {unit}s with the "
                        "theme; off-diagonal: with both, shaded by Jaccard similarity.")


def show_framework(res: ThemesResults) -> None:
    if res.quotes_withheld is not None:
        show_callout(res.quotes_withheld)
        return
    fm = res.framework
    if fm.empty:
        show_callout("No coded segments that can be quoted in this scope.")
        return
    show_table(fm.reset_index(), "Framework matrix: themes by group of participants "
               f"({plural(len(fm), 'group')} with the most people with coded material)",
               note=f"Each row is a group of at least {res.threshold} people in scope who share the "
                    "description; each cell a short redacted exemplar, every one in a row from a "
                    "different person, so an empty cell does not mean nobody in the group raised "
                    "the theme (Gale et al. 2013, charted by group). See Methods.")


def show_quotes(res: ThemesResults) -> None:
    if res.quotes_withheld is not None:
        show_callout(res.quotes_withheld)
        return
    quotes, per_theme = res.quotes, res.per_theme
    if quotes.empty:
        show_callout("No quotes long enough to illustrate the themes in this scope.")
        return
    show_table(quotes[["theme", "quote", "attribution"]].rename(
        columns={"theme": "Theme", "quote": "Quote", "attribution": "Attributed to"}),
        f"Exemplar quotes (up to {per_theme} per theme)",
        note=f"Each quote is attributed only by descriptors at least {res.threshold} people in "
             "scope share; e-mail addresses, phone numbers, NHS numbers and listed names are "
             "redacted. See Methods.")


def show_methods(res: ThemesResults) -> None:
    """The methods text: what is counted, and how quotes are chosen and attributed."""
    show_sentences([
        "Prevalence counts the codings of the primary coder (the one who coded the most "
        "segments); codes roll up into their theme. Agreement is measured on the segments two "
        "coders both coded.",
        "Exemplar quotes are chosen without looking at their content: passages of at least eight "
        "words coded to the theme, those every coder put under it first, then in an order fixed "
        "by a hash of the passage, one per person per theme.",
        *rule_sentences(res.threshold)])


def show_agreement(res: ThemesResults) -> None:
    agreement, codes = res.agreement, res.codes
    if agreement.empty:
        show_callout("No segment was coded by two coders in this scope, so agreement cannot be "
                     "assessed.", kind="caveat")
        return
    rank = {c: i for i, c in enumerate(code_tree(codes)["code_id"])}
    agreement = agreement.sort_values("code_id", key=lambda s: s.map(rank).fillna(len(rank)),
                                      kind="stable")
    overall = agreement.iloc[-1]
    show_table(agreement_table(agreement, res.threshold),
               "Inter-coder agreement per code and overall, on the double-coded segments",
               note="Each code is a yes/no judgement per segment. Kappa: Cohen (two coders); alpha: "
                    "Krippendorff, nominal, 95% bootstrap interval resampling segments (for all codes, whole "
                    "segments with every code on them). Alpha of 0.80 or more "
                    "is good, 0.667 to 0.80 tentative, below 0.667 poor (Krippendorff 2004).")
    poor = agreement.iloc[:-1]
    poor = poor[poor["rating"] == "poor"]["label"].tolist()
    if overall["rating"] == "poor":
        show_callout(f"Overall agreement is poor (alpha {overall['estimate']:.2f}): the coding should "
                     "be reviewed before the themes are relied on.", kind="warning")
    if poor:
        show_callout("Agreement is poor for " + ", ".join(poor) + ": refine these code definitions "
                     "and recode before drawing conclusions from them.", kind="warning")
    if pd.isna(overall["estimate"]):
        show_callout("Agreement cannot be estimated overall: on the double-coded segments the "
                     "codes do not vary, so Krippendorff's alpha is undefined.", kind="caveat")
    elif overall["rating"] != "poor" and not poor:
        show_callout(f"Agreement is {overall['rating']} overall (alpha {overall['estimate']:.2f}).")


def show_saturation(res: ThemesResults) -> None:
    sat = res.saturation
    if sat.empty:
        show_callout("No coded segments in this scope.")
        return
    fig, ax = plt.subplots()
    ax.step(sat["source_number"], sat["cumulative_codes"], where="post", color=NHS_BLUE)
    ax.set_xlabel("Sources analysed, in order of collection")
    ax.set_ylabel("Distinct codes found")
    ax.set_ylim(0, sat["cumulative_codes"].max() * 1.1 + 1)
    last_new = int(sat.loc[sat["new_codes"] > 0, "source_number"].max())
    show_figure(fig, alt=f"Step chart: distinct codes found rise to {int(sat['cumulative_codes'].iloc[-1])} "
                         f"and stop growing after source {last_new} of {len(sat)}.",
                caption=f"Saturation: no new code appeared after source {last_new} of {len(sat)}.")
