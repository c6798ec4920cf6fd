"""Themes from coded qualitative data: codebook tree, prevalence, co-occurrence and saturation
(exemplar quotes and the framework matrix are in :mod:`helpers.quotes`).

Inputs are the dataset's ``segments``, ``codes`` and ``codings`` tables (and ``participants``
for grouping and attribution). A theme is a code without a parent; codes roll up into their
theme, so a segment coded "A container for anxiety" counts for "Restorative space" too.

Which codings count: by default those of the *primary* coder (the coder who coded the most
segments), as QDA teams report the main coding and use the second coder's double-coded subset
only for reliability (O'Connor and Joffe 2020). ``coders="all"`` counts a code on a segment when
any coder applied it.

Everything is vectorised over sparse incidence matrices (units x codes), so prevalence and
co-occurrence stay fast for 100,000 participants.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse


GROUPS = ("cohort_id", "organisation", "profession", "wave")


# --- the codebook ------------------------------------------------------------------------

def _codes(codes: pd.DataFrame) -> pd.DataFrame:
    out = codes[["code_id", "label", "parent_id"] + (["description"] if "description" in codes else [])].copy()
    out["code_id"] = out["code_id"].astype(str)
    out["parent_id"] = out["parent_id"].fillna("").astype(str)
    out.loc[out["parent_id"].isin(["nan", "None", "<NA>"]), "parent_id"] = ""
    if "description" not in out:
        out["description"] = ""
    out["description"] = out["description"].fillna("").astype(str)
    return out.drop_duplicates("code_id").reset_index(drop=True)


def ancestry(codes: pd.DataFrame) -> dict[str, list[str]]:
    """code_id -> [code_id, parent, grandparent, ..., theme] (cycles and unknown parents cut)."""
    parent = dict(zip(_codes(codes)["code_id"], _codes(codes)["parent_id"]))
    out = {}
    for code in parent:
        chain, node = [code], parent[code]
        while node and node in parent and node not in chain:
            chain.append(node)
            node = parent[node]
        out[code] = chain
    return out


def code_tree(codes: pd.DataFrame) -> pd.DataFrame:
    """The codebook in depth-first order.

    Returns
    -------
    DataFrame with code_id, label, parent_id, description, depth (0 for a theme), theme_id,
    theme (label), path (labels from the theme down, joined by " › ") and n_children.
    Siblings keep the codebook's order.
    """
    frame = _codes(codes)
    chains = ancestry(frame)
    labels = dict(zip(frame["code_id"], frame["label"].astype(str)))
    children: dict[str, list[str]] = {}
    for code, par in zip(frame["code_id"], frame["parent_id"]):
        children.setdefault(par if par in labels else "", []).append(code)
    order: list[str] = []

    def walk(node: str) -> None:
        for child in children.get(node, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk("")
    order += [c for c in frame["code_id"] if c not in order]  # codes caught in a cycle
    out = frame.set_index("code_id").loc[order].reset_index()
    out["depth"] = [len(chains[c]) - 1 for c in order]
    out["theme_id"] = [chains[c][-1] for c in order]
    out["theme"] = out["theme_id"].map(labels)
    out["path"] = [" › ".join(labels[x] for x in reversed(chains[c])) for c in order]
    out["n_children"] = [len(children.get(c, [])) for c in order]
    return out


def codebook_table(codes: pd.DataFrame) -> pd.DataFrame:
    """The codebook as a display table: indented label and definition, themes first."""
    tree = code_tree(codes)
    return pd.DataFrame({
        "Theme / code": ["    " * d + ("" if d == 0 else "– ") + lab
                         for d, lab in zip(tree["depth"], tree["label"])],
        "Definition": tree["description"],
    })


# --- which codings count ---------------------------------------------------------------

def primary_coder(codings: pd.DataFrame) -> str | None:
    """The coder who coded the most segments (ties: first in sort order)."""
    if codings.empty:
        return None
    counts = codings.groupby("coder_id")["segment_id"].nunique()
    return str(counts.sort_index().idxmax())


def select_codings(codings: pd.DataFrame, coders: str | Sequence[str] = "primary") -> pd.DataFrame:
    """Codings of the primary coder (``"primary"``), of every coder (``"all"``) or of listed coders;
    one row per (segment_id, code_id)."""
    frame = codings[["segment_id", "code_id", "coder_id"]].astype(str)
    if isinstance(coders, str) and coders == "primary":
        frame = frame[frame["coder_id"] == primary_coder(frame)] if len(frame) else frame
    elif not (isinstance(coders, str) and coders == "all"):
        frame = frame[frame["coder_id"].isin(list(coders))]
    return frame[["segment_id", "code_id"]].drop_duplicates().reset_index(drop=True)


def rolled_codings(codings: pd.DataFrame, codes: pd.DataFrame, level: str = "theme",
                   coders: str | Sequence[str] = "primary") -> pd.DataFrame:
    """(segment_id, code_id) pairs at a level of the codebook.

    ``level="theme"``: each coding counts for its theme; ``"code"``: for the code itself;
    ``"all"``: for the code and every ancestor (a theme and its codes side by side).
    """
    pairs = select_codings(codings, coders)
    chains = ancestry(codes)
    known = pairs["code_id"].isin(chains.keys())
    pairs = pairs[known]
    if level == "code":
        return pairs.reset_index(drop=True)
    if level == "theme":
        out = pairs.assign(code_id=pairs["code_id"].map(lambda c: chains[c][-1]))
    elif level == "all":
        out = pairs.assign(code_id=pairs["code_id"].map(chains)).explode("code_id")
    else:
        raise ValueError(f"level must be 'theme', 'code' or 'all', not {level!r}")
    return out.drop_duplicates().reset_index(drop=True)


def _segment_frame(segments: pd.DataFrame, participants: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["segment_id", "source_id", "participant_id", "wave", "text", "source_type"]
    seg = segments[[c for c in cols if c in segments.columns]].copy()
    for c in cols:
        if c not in seg:
            seg[c] = ""
    seg["segment_id"] = seg["segment_id"].astype(str)
    seg["participant_id"] = seg["participant_id"].astype("string").fillna("").astype(str)
    seg["wave"] = seg["wave"].astype("string").fillna("").astype(str)
    if participants is not None and not participants.empty:
        keep = ["participant_id"] + [c for c in ("cohort_id", "organisation", "profession", "role")
                                     if c in participants.columns]
        people = participants[keep].astype("string").fillna("").astype(str).drop_duplicates("participant_id")
        seg = seg.merge(people, on="participant_id", how="left")
    for c in ("cohort_id", "organisation", "profession", "role"):
        seg[c] = seg[c].fillna("").astype(str) if c in seg else ""
    return seg


# --- prevalence ---------------------------------------------------------------------------

def prevalence(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
               participants: pd.DataFrame | None = None, by: str | None = None,
               level: str = "theme", coders: str | Sequence[str] = "primary") -> pd.DataFrame:
    """How often each theme (or code) occurs, counted three ways.

    Parameters
    ----------
    segments, codings, codes : the dataset's tables.
    participants : the participants table, needed for ``by`` in cohort_id, organisation,
        profession.
    by : None or a grouping column: ``cohort_id``, ``organisation``, ``profession`` or ``wave``.
    level : ``"theme"`` (codes roll up into their theme), ``"code"`` or ``"all"``.
    coders : which codings count (see :func:`select_codings`).

    Returns
    -------
    Tidy DataFrame: [by,] code_id, label, segments, sources, participants (distinct units in
    which the theme occurs), with n_segments, n_sources, n_participants (coded units in the
    group: the denominators) and share_participants = participants / n_participants. Sorted by
    group, then participants and segments, most first.

    Notes
    -----
    Counting by participants and sources, not only by segments, keeps one talkative interviewee
    from dominating a theme (Saldaña 2021, "frequency" in qualitative reporting). Segments
    without a participant (focus groups, anonymous comments) count for segments and sources
    only.
    """
    seg = _segment_frame(segments, participants)
    pairs = rolled_codings(codings, codes, level, coders).merge(seg, on="segment_id", how="inner")
    coded = pairs.drop_duplicates("segment_id")
    keys = [by] if by else []
    if by and by not in seg.columns:
        raise ValueError(f"cannot group by {by!r}")
    if by:
        pairs = pairs[pairs[by] != ""]
        coded = coded[coded[by] != ""]

    def _people(frame: pd.DataFrame) -> pd.Series:
        return frame["participant_id"].where(frame["participant_id"] != "")

    counts = pairs.assign(pid=_people(pairs)).groupby(keys + ["code_id"], sort=False).agg(
        segments=("segment_id", "nunique"), sources=("source_id", "nunique"),
        participants=("pid", "nunique")).reset_index()
    totals = coded.assign(pid=_people(coded))
    if keys:
        denom = totals.groupby(keys).agg(n_segments=("segment_id", "nunique"),
                                         n_sources=("source_id", "nunique"),
                                         n_participants=("pid", "nunique")).reset_index()
        counts = counts.merge(denom, on=keys, how="left")
    else:
        counts["n_segments"] = totals["segment_id"].nunique()
        counts["n_sources"] = totals["source_id"].nunique()
        counts["n_participants"] = totals["pid"].nunique()
    labels = dict(zip(_codes(codes)["code_id"], _codes(codes)["label"]))
    counts.insert(len(keys) + 1, "label", counts["code_id"].map(labels))
    counts["share_participants"] = np.where(counts["n_participants"] > 0,
                                            counts["participants"] / counts["n_participants"].clip(lower=1),
                                            np.nan)
    ints = ["segments", "sources", "participants", "n_segments", "n_sources", "n_participants"]
    counts[ints] = counts[ints].astype(int)
    counts = counts.sort_values(keys + ["participants", "segments", "code_id"],
                                ascending=[True] * len(keys) + [False, False, True])
    return counts.reset_index(drop=True)


def most_cited(prev: pd.DataFrame, threshold: int | None = None,
               codes: dict[str, str] | None = None) -> str | None:
    """Label of the theme with the most participants in a prevalence table, or None when no
    theme can honestly be named.

    None when the top participant count is tied (naming one of two equal themes would be an
    arbitrary choice presented as a finding), when it is below ``threshold`` (a "most-cited"
    theme among small counts reveals a small count), or when ``codes``
    (:func:`cohort_theme_codes`) hides the top theme's count in a cohort report: naming it as
    the most cited would rank a count the table withholds.

    Examples
    --------
    >>> prev = pd.DataFrame({"label": ["A", "B", "C"], "participants": [9, 9, 2],
    ...                      "segments": [20, 11, 3]})
    >>> most_cited(prev) is None
    True
    >>> most_cited(prev.assign(participants=[9, 8, 2]))
    'A'
    >>> most_cited(prev.assign(participants=[9, 8, 2]), codes={"A": "<5"}) is None
    True
    >>> most_cited(prev.assign(participants=[4, 3, 2]), threshold=5) is None
    True
    """
    if prev.empty:
        return None
    ranked = prev.sort_values(["participants", "segments"], ascending=False)
    top = ranked.iloc[0]
    if len(ranked) > 1 and ranked["participants"].iloc[1] == top["participants"]:
        return None
    if threshold is not None and top["participants"] < threshold:
        return None
    if (codes or {}).get(str(top["label"])):
        return None
    return str(top["label"])


# --- co-occurrence ------------------------------------------------------------------------

def incidence(pairs: pd.DataFrame, unit: str, code_order: Sequence[str]) -> tuple[sparse.csr_matrix, pd.Index]:
    """Boolean sparse matrix units x codes from (unit, code_id) pairs."""
    pairs = pairs[[unit, "code_id"]].drop_duplicates()
    pairs = pairs[pairs["code_id"].isin(code_order) & (pairs[unit] != "")]
    rows, units = pd.factorize(pairs[unit])
    col_index = {c: i for i, c in enumerate(code_order)}
    cols = pairs["code_id"].map(col_index).to_numpy()
    data = np.ones(len(rows), dtype=np.int64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(units), len(code_order)))
    return matrix, pd.Index(units)


def cooccurrence(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                 unit: str = "segment", level: str = "theme", measure: str = "count",
                 coders: str | Sequence[str] = "primary") -> pd.DataFrame:
    """Co-occurrence matrix of themes or codes.

    Parameters
    ----------
    unit : ``"segment"`` (both applied to the same segment) or ``"participant"`` (both raised
        by the same participant, anywhere in their data).
    level : ``"theme"`` or ``"code"``.
    measure : ``"count"`` (units with both; the diagonal is each code's own count) or
        ``"jaccard"`` (units with both / units with either; diagonal 1).

    Returns
    -------
    Square DataFrame indexed and labelled by code label, in codebook order.

    Notes
    -----
    With X the boolean units x codes incidence matrix, counts are X'X (one sparse product);
    Jaccard is C_ij / (C_ii + C_jj - C_ij) (Jaccard 1912), the usual normalisation of code
    co-occurrence in QDA software (e.g. ATLAS.ti's c-coefficient is the same quantity).
    """
    tree = code_tree(codes)
    order = list(tree.loc[tree["depth"] == 0, "code_id"]) if level == "theme" else list(tree["code_id"])
    pairs = rolled_codings(codings, codes, level, coders)
    key = "segment_id"
    if unit == "participant":
        seg = _segment_frame(segments, None)[["segment_id", "participant_id"]]
        pairs = pairs.merge(seg, on="segment_id")
        key = "participant_id"
    elif unit != "segment":
        raise ValueError("unit must be 'segment' or 'participant'")
    x, _ = incidence(pairs, key, order)
    counts = (x.T @ x).toarray().astype(float)
    if measure == "jaccard":
        d = np.diag(counts)
        union = d[:, None] + d[None, :] - counts
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(union > 0, counts / union, 0.0)
    elif measure == "count":
        values = counts.astype(int)
    else:
        raise ValueError("measure must be 'count' or 'jaccard'")
    labels = tree.set_index("code_id").loc[order, "label"].tolist()
    return pd.DataFrame(values, index=labels, columns=labels)


# --- quotes and the framework matrix: helpers.quotes ---------------------------------------


# --- saturation -----------------------------------------------------------------------------

def saturation_curve(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                     level: str = "code", coders: str | Sequence[str] = "all",
                     order: str = "first_segment") -> pd.DataFrame:
    """New codes found as sources are added, in order.

    Parameters
    ----------
    level : ``"code"`` (default; saturation is judged on codes) or ``"theme"``.
    order : ``"first_segment"`` takes sources in the order of their first segment id (the order
        of collection, when ids are sequential), ``"source_id"`` sorts source ids.

    Returns
    -------
    DataFrame with source_number (1..n), new_codes, cumulative_codes and share_of_codes
    (cumulative / all codes found), one row per source; source ids are not included.

    Notes
    -----
    The cumulative "new codes per interview" plot of Guest, Bunce and Johnson (2006) and the
    base/run-length approach of Guest, Namey and Chen (2020): saturation is suggested where
    successive sources add few or no new codes.
    """
    seg = _segment_frame(segments, None)[["segment_id", "source_id"]]
    pairs = rolled_codings(codings, codes, level, coders).merge(seg, on="segment_id")
    if pairs.empty:
        return pd.DataFrame(columns=["source_number", "new_codes", "cumulative_codes", "share_of_codes"])
    if order == "first_segment":
        first = seg.groupby("source_id")["segment_id"].min()
        sources = list(first.sort_values(kind="stable").index)
    else:
        sources = sorted(seg["source_id"].unique())
    rank = {s: i for i, s in enumerate(sources)}
    pairs["rank"] = pairs["source_id"].map(rank)
    first_seen = pairs.groupby("code_id")["rank"].min()
    new = np.bincount(first_seen.to_numpy(), minlength=len(sources))
    coded_sources = sorted(pairs["rank"].unique())
    new = new[coded_sources]
    total = new.sum()
    return pd.DataFrame({"source_number": np.arange(1, len(new) + 1), "new_codes": new,
                         "cumulative_codes": np.cumsum(new),
                         "share_of_codes": np.cumsum(new) / total if total else 0.0})


# --- report sections: what the themes notebook shows ------------------------------------------
# Each ``show_*`` takes the notebook's ``rep`` (helpers.report.open_report), builds a table or
# figure from the pure functions above, suppresses counts below ``rep.threshold`` and displays it
# through helpers.report.display (which escapes all text). The ``*_table`` builders are pure.

GROUP_LABELS = {"cohort_id": "cohort", "organisation": "organisation", "profession": "profession",
                "wave": "wave"}


def _tables(rep):
    d = rep.data
    return d.segments, d.codings, d.codes, d.participants


def overview_sentences(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                       threshold: int) -> list[str]:
    """One-line description of the coded material in scope, with small counts suppressed."""
    from helpers.report.disclosure import suppress_count

    if codings.empty or segments.empty:
        return ["No coded qualitative material in this scope."]
    coded = segments[segments["segment_id"].astype(str).isin(set(codings["segment_id"].astype(str)))]
    people = coded["participant_id"].astype("string").fillna("")
    n_themes = int((code_tree(codes)["depth"] == 0).sum())
    return [f"{suppress_count(len(coded), threshold)} coded segments from "
            f"{suppress_count(coded['source_id'].nunique(), threshold)} sources "
            f"({suppress_count(people[people != ''].nunique(), threshold)} participants), "
            f"coded by {codings['coder_id'].nunique()} coder(s) against {n_themes} themes "
            f"and {len(codes) - n_themes} codes.",
            f"Counts below {threshold} are shown as <{threshold}."]


def cohort_theme_codes(rep, level: str = "theme") -> dict[str, str]:
    """For a cohort report: each theme's code for its participant count, decided across the
    programme's cohorts.

    The programme report shows each theme's participants, the sum over its cohorts, so a cohort
    report showing 9 of a programme's 11 gives away the other cohort's 2. The cohorts' counts
    of a theme are protected together as one margin (:func:`helpers.report.disclosure.protect`),
    and every cohort report uses the code of its own cell. Empty for a programme report.
    """
    from helpers.report.disclosure import protect

    if getattr(rep, "cohort_id", None) is None:
        return {}
    prog = rep.full.subset(programme_id=rep.programme_id)
    by = prevalence(prog.segments, prog.codings, prog.codes, prog.participants, by="cohort_id",
                    level=level)
    codes = {}
    for label, part in by.groupby("label", sort=False):
        part = part.reset_index(drop=True)
        got, _unsafe = protect(part["participants"].astype(float).tolist(),
                               [list(range(len(part)))], rep.threshold)
        mine = part.index[part["cohort_id"].astype(str) == str(rep.cohort_id)]
        if len(mine):
            codes[label] = got[mine[0]]
    return codes


def prevalence_table(prev: pd.DataFrame, threshold: int,
                     codes: dict[str, str] | None = None) -> pd.DataFrame:
    """Display copy of :func:`prevalence` (no grouping): counts suppressed, share withheld.

    ``codes`` (:func:`cohort_theme_codes`) hides a cohort's count that the programme report and
    the other cohorts' reports would give away."""
    from helpers.report.disclosure import SUPPRESSED_PCT, shown_count, suppress_table

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
    from helpers.report.disclosure import MASKED, suppress_table

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
    from helpers.report.disclosure import suppress_count
    from helpers.report.fmt import fmt_ci, fmt_num, fmt_pct

    rows = []
    for r in agreement.itertuples(index=False):
        rows.append({"Code": r.label, "Segments": suppress_count(r.n, threshold),
                     "% agreement": fmt_pct(r.percent_agreement),
                     "Cohen's kappa": fmt_num(r.kappa, 2) if not pd.isna(r.kappa) else "–",
                     "Krippendorff's alpha": fmt_num(r.estimate, 2) if not pd.isna(r.estimate) else "–",
                     "95% CI": fmt_ci(r.ci_low, r.ci_high, 2) if not pd.isna(r.ci_low) else "–",
                     "Agreement": r.rating})
    return pd.DataFrame(rows)


def show_overview(rep) -> None:
    from helpers.report.display import show_sentences

    segments, codings, codes, _ = _tables(rep)
    show_sentences(overview_sentences(segments, codings, codes, rep.threshold))


def show_codebook(rep) -> None:
    from helpers.report.display import show_table

    show_table(codebook_table(rep.data.codes), "Codebook: themes and their codes, with definitions")


def show_prevalence(rep, level: str = "theme") -> None:
    from helpers.report.display import show_callout, show_table

    prev = prevalence(*_tables(rep), level=level)
    if prev.empty:
        show_callout("No coded segments in this scope.")
        return
    what = "theme" if level == "theme" else "code"
    show_table(prevalence_table(prev, rep.threshold, cohort_theme_codes(rep, level)),
               f"How often each {what} was raised: participants, sources and segments",
               note="Participants: distinct people who raised it; sources: interviews, focus groups "
                    "or comment sets; segments: coded passages. Codes roll up into their theme.")


def show_prevalence_chart(rep) -> None:
    import matplotlib.pyplot as plt

    from helpers.report.disclosure import is_suppressed
    from helpers.report.display import show_callout, show_figure
    from helpers.report.theme import NHS_BLUE

    prev = prevalence(*_tables(rep))
    if prev.empty:
        show_callout("No coded segments in this scope.")
        return
    prev = prev.iloc[::-1]
    hidden = prev["participants"].map(lambda n: is_suppressed(n, rep.threshold))
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(prev) + 1.2))
    ax.barh(prev["label"], prev["participants"].where(~hidden, 0), color=NHS_BLUE)
    for y, (n, h) in enumerate(zip(prev["participants"], hidden)):
        ax.text(0 if h else n, y, f" <{rep.threshold}" if h else f" {n:,}", va="center", fontsize=10)
    ax.set_xlabel("Participants raising the theme")
    ax.set_ylabel("")
    top = most_cited(prevalence(*_tables(rep)))
    show_figure(fig, alt=f"Bar chart of participants raising each theme; the most cited is {top}.",
                caption=f"Themes by number of participants raising them (most cited: {top}).")


def show_prevalence_by(rep, by: str) -> None:
    from helpers.report.display import show_callout, show_table

    prev = prevalence(*_tables(rep), by=by)
    label = GROUP_LABELS.get(by, by)
    if prev.empty or prev[by].nunique() < 2:
        show_callout(f"Only one {label} in this scope: no comparison by {label}.")
        return
    hidden = rep.cohort_codes if by == "cohort_id" else None
    show_table(grouped_table(prev, by, rep.threshold, hidden),
               f"Participants raising each theme, by {label}",
               note="A participant counts once per theme.")


def cooccurrence_figure(counts: pd.DataFrame, jaccard: pd.DataFrame, threshold: int, title: str):
    """Heatmap of co-occurrence: off-diagonal cells shaded by Jaccard similarity, every cell
    labelled with its count (``<N`` below the threshold, unshaded); the diagonal (each theme's
    own count) is labelled but not shaded, so it does not swamp the scale."""
    import matplotlib.pyplot as plt
    import seaborn as sns

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


def show_cooccurrence(rep, unit: str = "segment") -> None:
    from helpers.report.display import show_callout, show_figure

    segments, codings, codes, _ = _tables(rep)
    counts = cooccurrence(segments, codings, codes, unit=unit)
    if counts.empty or counts.to_numpy().sum() == 0:
        show_callout("No coded segments in this scope.")
        return
    jac = cooccurrence(segments, codings, codes, unit=unit, measure="jaccard")
    where = "the same segment" if unit == "segment" else "the same participant's material"
    fig = cooccurrence_figure(counts, jac, rep.threshold, f"Themes occurring together in {where}")
    show_figure(fig, alt=f"Heatmap of theme co-occurrence within {where}: numbers are counts, "
                         "shading is Jaccard similarity.",
                caption=f"Co-occurrence of themes ({unit} level). Diagonal (bold): {unit}s with the "
                        "theme; off-diagonal: with both, shaded by Jaccard similarity.")


def _no_quotes(rep) -> str | None:
    """Why nothing may be quoted in this scope, or None."""
    n = rep.data.participants["participant_id"].nunique()
    if n < rep.threshold:
        return (f"Quotes are not shown: this {rep.level} has fewer than {rep.threshold} "
                "participants, so any quote could be traced to the person who said it.")
    return None


def show_framework(rep, max_rows: int = 12, exemplar_chars: int = 90) -> None:
    from helpers.quotes import framework_matrix
    from helpers.report.display import show_callout, show_table

    segments, codings, codes, people = _tables(rep)
    if (why := _no_quotes(rep)) is not None:
        show_callout(why)
        return
    fm = framework_matrix(segments, codings, codes, people, rep.redact_names,
                          exemplar_chars=exemplar_chars, max_rows=max_rows,
                          threshold=rep.threshold)
    if fm.empty:
        show_callout("No coded segments that can be quoted in this scope.")
        return
    show_table(fm.reset_index(), f"Framework matrix: themes by group of participants ({len(fm)} "
               "groups with the most people with coded material)",
               note=f"Each row is a group of at least {rep.threshold} people in scope who share the "
                    "description; each cell a short redacted exemplar, every one in a row from a "
                    "different person, so an empty cell does not mean nobody in the group raised "
                    "the theme (Gale et al. 2013, charted by group). See Methods.")


def show_quotes(rep, per_theme: int = 3) -> None:
    from helpers.quotes import exemplar_quotes
    from helpers.report.display import show_callout, show_table

    segments, codings, codes, people = _tables(rep)
    if (why := _no_quotes(rep)) is not None:
        show_callout(why)
        return
    quotes = exemplar_quotes(segments, codings, codes, people, rep.redact_names, per_theme=per_theme,
                             threshold=rep.threshold)
    if quotes.empty:
        show_callout("No quotes long enough to illustrate the themes in this scope.")
        return
    show_table(quotes[["theme", "quote", "attribution"]].rename(
        columns={"theme": "Theme", "quote": "Quote", "attribution": "Attributed to"}),
        f"Exemplar quotes (up to {per_theme} per theme)",
        note=f"Each quote is attributed only by descriptors at least {rep.threshold} people in "
             "scope share; e-mail addresses, phone numbers, NHS numbers and listed names are "
             "redacted. See Methods.")


def show_methods(rep) -> None:
    """The methods text: what is counted, and how quotes are chosen and attributed."""
    from helpers.attribution import rule_sentences
    from helpers.report.display import show_sentences

    show_sentences([
        "Prevalence counts the codings of the primary coder (the one who coded the most "
        "segments); codes roll up into their theme. Agreement is measured on the segments two "
        "coders both coded.",
        "Exemplar quotes are chosen without looking at their content: passages of at least eight "
        "words coded to the theme, those every coder put under it first, then in an order fixed "
        "by a hash of the passage, one per person per theme.",
        *rule_sentences(rep.threshold)])


def show_agreement(rep, n_boot: int = 1000) -> None:
    from helpers import reliability as rel
    from helpers.report.display import show_callout, show_table

    _, codings, codes, _ = _tables(rep)
    agreement = rel.code_agreement(codings, codes, n_boot=n_boot)
    if agreement.empty:
        show_callout("No segment was coded by two coders in this scope, so agreement cannot be "
                     "assessed.", kind="caveat")
        return
    rank = {c: i for i, c in enumerate(code_tree(codes)["code_id"])}
    agreement = agreement.sort_values("code_id", key=lambda s: s.map(rank).fillna(len(rank)),
                                      kind="stable")
    overall = agreement.iloc[-1]
    show_table(agreement_table(agreement, rep.threshold),
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
    if overall["rating"] != "poor" and not poor:
        show_callout(f"Agreement is {overall['rating']} overall (alpha {overall['estimate']:.2f}).")


def show_saturation(rep) -> None:
    import matplotlib.pyplot as plt

    from helpers.report.display import show_callout, show_figure
    from helpers.report.theme import NHS_BLUE

    segments, codings, codes, _ = _tables(rep)
    sat = saturation_curve(segments, codings, codes)
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
