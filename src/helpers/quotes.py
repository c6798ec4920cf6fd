"""Quotes from coded qualitative data: exemplar quotes per theme and the framework matrix.

Every quote is redacted (:func:`helpers.report.disclosure.redact`: e-mail addresses, phone
numbers, NHS numbers, dataset.yaml ``redact_names``) and described only as
:func:`helpers.attribution.released_descriptors` allows: by descriptors that at least ``k``
people in the report's scope share, ``k`` being dataset.yaml ``suppress_below``. People who
cannot be described so are not quoted. Nothing here carries a participant, segment or source
id, and no label follows one person from quote to quote: the framework matrix has a row per
described group, not per person, and within a row every exemplar comes from a different person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from helpers.attribution import describe, released_descriptors
from helpers.report.disclosure import redact
from helpers.themes.analysis import (_codes, _segment_frame, ancestry, code_tree, codes_in_scope,
                                     rolled_codings)

#: How a passage without a participant (a focus group, a set of comments) is described.
SOURCE_LABELS = {"focus_group": "Focus group", "free_text": "Free-text comment",
                 "interview": "Interview"}
SHOWN = ["role", "profession", "cohort_id"]


def shorten(text: str, max_chars: int) -> str:
    """Whitespace squeezed, cut at a word boundary to at most ``max_chars`` (plus "…").

    Examples
    --------
    >>> shorten("It made me  realise that leadership is shared.", 24)
    'It made me realise that…'
    """
    text = re.sub(r"\s+", " ", str(text)).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def quotable_passages(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                      participants: pd.DataFrame | None, threshold: int,
                      coders: str | Sequence[str] = "primary") -> pd.DataFrame:
    """(segment, theme) pairs that may be quoted, each with its speaker's released description.

    Returns
    -------
    DataFrame with segment_id, code_id (the theme), text, speaker (a key for "the same person
    or source", never shown), agreed (2: every coder of a double-coded segment put it under the
    theme; 1: coded once; 0: disputed), order (a hash of the segment id, so the choice does not
    follow file order), the released role, profession and cohort_id, and attribution.

    Passages of participants whose description is withheld, or who are not in the participants
    table, are left out; so is everything when the scope holds fewer than ``threshold``
    participants (any passage, even a focus group's, would then point to one of a few people)
    or ``participants`` is None (nothing to count). Passages without a participant are
    described by their kind of source.
    """
    seg = _segment_frame(segments, None)
    if participants is None or participants["participant_id"].nunique() < threshold:
        return pd.DataFrame(columns=list(seg.columns) + ["code_id", "agreed", "order", "speaker"]
                            + SHOWN + ["attribution"])
    pairs = rolled_codings(codings, codes, "theme", coders).merge(seg, on="segment_id")
    theme_of = {k: v[-1] for k, v in ancestry(codes).items()}
    raw = codings[["segment_id", "code_id", "coder_id"]].astype(str)
    n_coders = raw.groupby("segment_id")["coder_id"].nunique().rename("n_coders")
    n_agree = (raw.assign(code_id=raw["code_id"].map(theme_of)).dropna()
               .groupby(["segment_id", "code_id"])["coder_id"].nunique().rename("n_agree"))
    pairs = pairs.merge(n_coders, left_on="segment_id", right_index=True, how="left").merge(
        n_agree, left_on=["segment_id", "code_id"], right_index=True, how="left")
    pairs["agreed"] = np.where(pairs["n_agree"].fillna(0) < pairs["n_coders"].fillna(1), 0,
                               np.where(pairs["n_coders"] >= 2, 2, 1))
    pairs["order"] = pd.util.hash_pandas_object(pairs["segment_id"], index=False).to_numpy()
    person = pairs["participant_id"] != ""
    pairs["speaker"] = np.where(person, "p:" + pairs["participant_id"], "s:" + pairs["source_id"])
    released = released_descriptors(participants, threshold)
    released = released[released["quotable"]]
    who = released.reindex(pairs["participant_id"])
    ok = ~person | who["quotable"].fillna(False).astype(bool).to_numpy()
    for col in SHOWN:
        pairs[col] = who[col].fillna("").to_numpy()
    kinds = pairs["source_type"].astype("string").fillna("").astype(str)
    pairs["attribution"] = np.where(
        person, who["label"].fillna("").to_numpy(),
        [SOURCE_LABELS.get(k, k.replace("_", " ").capitalize() or "Source") for k in kinds])
    return pairs[ok].reset_index(drop=True)


def exemplar_quotes(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                    participants: pd.DataFrame | None = None, redact_names: Iterable[str] = (),
                    per_theme: int = 3, min_words: int = 8, max_chars: int = 300,
                    coders: str | Sequence[str] = "primary", threshold: int = 5) -> pd.DataFrame:
    """Up to ``per_theme`` quotes for each theme, redacted and described by shared descriptors.

    Parameters
    ----------
    participants : the scope's participants; descriptions are chosen among them (see
        :func:`helpers.attribution.released_descriptors`).
    threshold : dataset.yaml ``suppress_below``: every description shown is shared by at least
        this many people in scope.

    Selection is deterministic: quotable segments (:func:`quotable_passages`) coded to the
    theme, not already quoted for an earlier theme, of at least ``min_words`` words, preferring
    double-coded segments that every coder put under the theme, then single-coded ones, then
    disputed ones; one per person (or source) per theme, then by a hash of the segment id.
    Each quote is redacted and shortened to ``max_chars`` at a word boundary.

    Returns
    -------
    DataFrame with theme_id, theme, quote, attribution and the descriptors it shows (role,
    profession, cohort_id; ``""`` where withheld). No participant, segment or source ids.
    """
    names = list(redact_names)
    cols = ["theme_id", "theme", "quote", "attribution"] + SHOWN
    pairs = quotable_passages(segments, codings, codes, participants, threshold, coders)
    pairs = pairs[pairs["text"].astype(str).str.split().str.len() >= min_words]
    labels = dict(zip(_codes(codes)["code_id"], _codes(codes)["label"]))
    themes = code_tree(codes)
    rows, used = [], set()  # a passage coded to two themes illustrates only the first
    for theme_id in themes.loc[themes["depth"] == 0, "code_id"]:
        cand = pairs[(pairs["code_id"] == theme_id) & ~pairs["segment_id"].isin(used)]
        cand = cand.sort_values(["agreed", "order"], ascending=[False, True])
        cand = cand.drop_duplicates("speaker").head(per_theme)
        used.update(cand["segment_id"])
        for r in cand.itertuples(index=False):
            rows.append({"theme_id": theme_id, "theme": labels[theme_id],
                         "quote": shorten(redact(r.text, names), max_chars),
                         "attribution": r.attribution,
                         **{c: getattr(r, c) for c in SHOWN}})
    return pd.DataFrame(rows, columns=cols)


def opening_words(text: str, n: int = 5) -> str:
    """The first ``n`` words of a text, lower case and without punctuation: what a reader
    scanning a column of exemplars sees first.

    Examples
    --------
    >>> opening_words("We were two consultants down while I was on the programme.")
    'we were two consultants down'
    """
    return " ".join(re.findall(r"[\w']+", str(text).lower())[:n])


def distinct_speakers(options: dict[str, list[str]]) -> dict[str, str]:
    """Give each theme a different speaker, filling as many themes as possible.

    ``options`` maps a theme to the speakers who raised it, most preferred first; returns
    theme -> speaker. Among the matchings that fill the most themes (so no two exemplars in a
    framework-matrix row are from the same person), the one that best keeps each theme's
    preference order: a maximum-weight matching of maximum cardinality (Edmonds' blossom
    algorithm, networkx ``max_weight_matching``), the weight of a speaker for a theme falling
    with its rank in the list.

    Examples
    --------
    >>> distinct_speakers({"T1": ["a", "b"], "T2": ["a"]})
    {'T1': 'b', 'T2': 'a'}
    >>> distinct_speakers({"T1": ["a", "b"], "T2": ["b", "a"]})
    {'T1': 'a', 'T2': 'b'}
    """
    graph = nx.Graph()
    for t, speakers in options.items():
        for rank, s in enumerate(speakers):
            graph.add_edge(("t", t), ("s", s), weight=1.0 / (1 + rank))
    match = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = dict(sorted((a, b) if a[0] == "t" else (b, a) for a, b in match))
    return {t: pairs[("t", t)][1] for t in options if ("t", t) in pairs}


def framework_matrix(segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame,
                     participants: pd.DataFrame | None = None, redact_names: Iterable[str] = (),
                     exemplar_chars: int = 90, coders: str | Sequence[str] = "primary",
                     max_rows: int | None = None, threshold: int = 5) -> pd.DataFrame:
    """Framework Method matrix by described group: groups (rows) by themes, each cell an exemplar.

    Parameters
    ----------
    participants : the scope's participants, to describe each row (see
        :func:`helpers.attribution.released_descriptors`).
    exemplar_chars : length of the exemplar kept in each cell (redacted, cut at a word).
    max_rows : keep the groups with the most people (or sources) with coded material.
    threshold : dataset.yaml ``suppress_below``.

    Returns
    -------
    DataFrame indexed by the group's description ("Clinical Lead, cohort c03", "Focus group"),
    one column per theme applied in scope (a shared codebook's other themes are not columns);
    a cell is a short exemplar or empty.

    Notes
    -----
    Gale et al. (2013) chart one row per case (participant); a published row per person links
    all of that person's views together, so that a single recognisable remark identifies every
    other. Here a row is a group of people who share the description (at least ``threshold`` of
    them in scope) and, within a row, each exemplar comes from a different person
    (:func:`distinct_speakers`). An empty cell therefore does not say that nobody in the group
    raised the theme. Nor does a column repeat the opening words of a cell above it
    (:func:`opening_words`): a reader scanning a theme sees a different remark in every row,
    not the same stock phrase of context. Gale NK, Heath G, Cameron E, Rashid S, Redwood S. Using the framework
    method for the analysis of qualitative data in multi-disciplinary health research. BMC Med
    Res Methodol 2013;13:117.
    """
    names = list(redact_names)
    pairs = quotable_passages(segments, codings, codes, participants, threshold, coders)
    themes = code_tree(codes_in_scope(codes, codings))
    theme_ids = list(themes.loc[themes["depth"] == 0, "code_id"])
    theme_labels = dict(zip(themes["code_id"], themes["label"]))
    if pairs.empty:
        return pd.DataFrame(columns=[theme_labels[t] for t in theme_ids])
    size = pairs.groupby("attribution")["speaker"].nunique()
    groups = sorted(size.index, key=lambda g: (-size[g], g))
    if max_rows is not None:
        groups = groups[:max_rows]
    pairs = pairs.sort_values(["agreed", "order"], ascending=[False, True])
    pairs["cell"] = [shorten(redact(t, names), exemplar_chars) for t in pairs["text"]]
    pairs["opening"] = pairs["cell"].map(opening_words)
    rows, used = {}, {t: set() for t in theme_ids}
    for group in groups:
        mine = pairs[(pairs["attribution"] == group) & pairs["code_id"].isin(theme_ids)]
        mine = mine[[o not in used[t] for t, o in zip(mine["code_id"], mine["opening"])]]
        options = {t: list(dict.fromkeys(mine.loc[mine["code_id"] == t, "speaker"]))
                   for t in theme_ids if (mine["code_id"] == t).any()}
        cells = {}
        for t, speaker in distinct_speakers(options).items():
            pick = mine[(mine["code_id"] == t) & (mine["speaker"] == speaker)].iloc[0]
            cells[theme_labels[t]] = pick["cell"]
            used[t].add(pick["opening"])
        rows[group] = cells
    columns = [theme_labels[t] for t in theme_ids]
    out = pd.DataFrame([[rows[g].get(c, "") for c in columns] for g in groups],
                       index=groups, columns=columns, dtype=object)
    out.index.name = "Group"
    return out


__all__ = ["describe", "distinct_speakers", "exemplar_quotes", "framework_matrix",
           "opening_words", "quotable_passages", "shorten"]
