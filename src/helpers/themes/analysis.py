"""Themes from coded qualitative data, the pure analysis: codebook tree, prevalence, co-occurrence and saturation
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
    seen: set[str] = set()
    # Depth first with an explicit stack: a pure function may be handed a codebook deeper than
    # the loader allows, and it must not exhaust Python's recursion limit.
    stack = list(reversed(children.get("", [])))
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        order.append(code)
        stack.extend(reversed(children.get(code, [])))
    order += [c for c in frame["code_id"] if c not in order]  # codes caught in a cycle
    out = frame.set_index("code_id").loc[order].reset_index()
    out["depth"] = [len(chains[c]) - 1 for c in order]
    out["theme_id"] = [chains[c][-1] for c in order]
    out["theme"] = out["theme_id"].map(labels)
    out["path"] = [" › ".join(labels[x] for x in reversed(chains[c])) for c in order]
    out["n_children"] = [len(children.get(c, [])) for c in order]
    return out


def codes_in_scope(codes: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """The codes applied in scope, with the themes and codes above them, in codebook order.

    A shared codebook lists every programme's codes; a programme's report describes only the
    codes its own material was coded with (and their ancestors, so the tree stays whole).

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["T", "a", "b", "U"], "label": ["T", "A", "B", "U"],
    ...                       "parent_id": ["", "T", "T", ""]})
    >>> codes_in_scope(codes, pd.DataFrame({"segment_id": ["s1"], "code_id": ["a"]}))["code_id"].tolist()
    ['T', 'a']
    """
    chains = ancestry(codes)
    used = set(codings["code_id"].astype(str)) if "code_id" in codings else set()
    keep = {c for code in used for c in chains.get(code, [])}
    return codes[codes["code_id"].astype(str).isin(keep)].reset_index(drop=True)


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


def pool_small_groups(prev: pd.DataFrame, by: str, threshold: int,
                      other: str = "Other") -> pd.DataFrame:
    """Pool the groups of a grouped :func:`prevalence` that are too small to show into one.

    A group is small when fewer than ``threshold`` of its participants have coded material
    (``n_participants``). Two or more small groups are pooled into one group named ``other``
    (a single small group is left as it is: pooling it alone would only rename it); a theme's
    counts in the pooled group are the sums over its parts. So that a report can still compare
    something, the 34 organisations of one or two people each become "Other organisations".

    Parameters
    ----------
    prev : ``prevalence(..., by=by)``.
    by : the grouping column.
    threshold : dataset.yaml ``suppress_below``.
    other : the pooled group's name.

    Returns
    -------
    DataFrame like ``prev``, sorted the same way, with the pooled groups' rows replaced by rows of
    ``other``; ``attrs["pooled"]`` lists the groups pooled (empty when none were).

    Notes
    -----
    Participants, segments and their denominators add up exactly, since every coded segment
    counted by group belongs to one participant and every participant to one group. A source
    (a focus group) can hold people of several groups, so a pooled group's ``sources`` and
    ``n_sources`` are the largest of its parts': a lower bound. share_participants is
    recomputed from the pooled counts.

    Examples
    --------
    >>> prev = pd.DataFrame({"org": ["A", "B", "C"], "code_id": "t1", "label": "Voice",
    ...     "segments": [9, 2, 1], "sources": [6, 2, 1], "participants": [6, 2, 1],
    ...     "n_segments": [20, 3, 2], "n_sources": [9, 3, 2], "n_participants": [8, 3, 2],
    ...     "share_participants": [0.75, 2 / 3, 0.5]})
    >>> out = pool_small_groups(prev, "org", 5, other="Other")
    >>> out[["org", "participants", "n_participants", "share_participants"]].to_dict("records")
    [{'org': 'A', 'participants': 6, 'n_participants': 8, 'share_participants': 0.75}, \
{'org': 'Other', 'participants': 3, 'n_participants': 5, 'share_participants': 0.6}]
    >>> out.attrs["pooled"]
    ['B', 'C']
    """
    sizes = prev.drop_duplicates(by).set_index(by)["n_participants"]
    small = [g for g, n in sizes.items() if n < threshold]
    if len(small) < 2:
        out = prev.copy()
        out.attrs["pooled"] = []
        return out
    rest = prev[~prev[by].isin(small)]
    part = prev[prev[by].isin(small)]
    sums = ["segments", "participants"]
    denominators = {"n_segments": "sum", "n_participants": "sum", "n_sources": "max"}
    group_totals = part.drop_duplicates(by).agg(denominators)
    pooled = part.groupby(["code_id", "label"], sort=False).agg(
        {**{c: "sum" for c in sums}, "sources": "max"}).reset_index()
    for col in denominators:
        pooled[col] = int(group_totals[col])
    pooled.insert(0, by, other)
    pooled["share_participants"] = pooled["participants"] / pooled["n_participants"].clip(lower=1)
    out = pd.concat([rest, pooled[prev.columns]], ignore_index=True)
    keys = [by, "participants", "segments", "code_id"]
    order = out[by].map({g: i for i, g in enumerate(list(rest[by].unique()) + [other])})
    out = out.assign(_g=order).sort_values(["_g"] + keys[1:], ascending=[True, False, False, True])
    out = out.drop(columns="_g").reset_index(drop=True)
    out.attrs["pooled"] = small
    return out


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
