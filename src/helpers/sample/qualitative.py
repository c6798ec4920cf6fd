"""Qualitative segments, the codebooks and two coders' codings.

Sources: the 2024 Barts evaluation interviews and focus groups (seed 002), LUHFT project focus
groups (000), Lancashire doctors' interviews (001) and end-of-programme free-text comments in
every programme. Each programme has its own codebook (:data:`text_bank.CODEBOOKS`) and each
segment is written for one code of it: one statement of that code, sometimes a second statement
of a sibling code (so both are coded, within one theme), sometimes a sentence of context (most
often after the first statement). Statements and context are drawn only from those that fit the
cohort's dates, and a text is never repeated.

Coder A, the primary coder whose codings the reports count, applies the codes each segment was
written for. Coder B double-codes about 40% of the segments and keeps the written code with
probability 0.74, otherwise a sibling (70%) or another code of the same programme's codebook,
which gives Cohen's kappa near 0.7 (Landis & Koch 1977: "substantial").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.sample.text_bank import CODEBOOK, CODEBOOKS, CONTEXTS, CORE, PII_SENTENCES, statement

THEME_WEIGHTS = {
    "barts_kf_scl": {"restorative_space": 0.32, "cross_speciality": 0.2, "leadership_followership": 0.2,
                     "operational_managers": 0.15, "programme_design": 0.13},
    "luhft_lbs": {"luhft_live_projects": 0.35, "luhft_turmoil": 0.2, "luhft_networks": 0.2,
                  "luhft_confidence": 0.15, "luhft_design": 0.1},
    "lcft_cetad": {"lcft_project": 0.4, "lcft_framework": 0.2, "lcft_pathway": 0.15,
                   "lcft_talent": 0.15, "lcft_working_life": 0.1},
    "leeds_cihm": {"leeds_relationships": 0.4, "leeds_engagement": 0.25, "leeds_reform": 0.2,
                   "leeds_support": 0.15},
    "sath_academy": {"sath_resources": 0.4, "sath_practice": 0.35, "sath_design": 0.25},
}
#: Share of engaged participants who write an end-of-programme comment (fewer where a programme's
#: many voices would otherwise have to repeat the bank's statements).
COMMENT_RATE = {"leeds_cihm": 0.07, "barts_kf_scl": 0.15}
P_SECOND = 0.15         # a segment that also makes a point of a sibling code
P_CONTEXT = 0.35
#: Share of segments with context that open with it; the others make their point first, as
#: most quoted remarks do, so that a short exemplar shows the point, not the setting.
P_CONTEXT_FIRST = 0.2
P_KEEP_B = 0.74
P_B_OVERLAP = 0.4
PARENT = {c[0]: c[2] for c in CODEBOOK}
PROGRAMME_OF_CODE = {c[0]: p for p, book in CODEBOOKS.items() for c in book}


def build_codes() -> pd.DataFrame:
    """The codebook table: every programme's themes (blank parent_id) and their codes."""
    return pd.DataFrame(CODEBOOK, columns=["code_id", "label", "parent_id", "description"])


def children(theme: str) -> list[str]:
    """The codes of one theme, in codebook order."""
    return [c[0] for c in CODEBOOK if c[2] == theme]


def _sources(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per segment-to-be: source_id, source_type, participant index (-1 none), wave,
    programme_id and cohort_id."""
    prog = people.programme_id.to_numpy()
    cohort_of = people.cohort_id.to_numpy()
    members_of = pd.Series(cohort_of).groupby(cohort_of, sort=False).indices
    frames = []

    def interviews(programme, share, lo, hi, wave, tag):
        idx = np.flatnonzero(prog == programme)
        if len(idx) == 0:
            return
        who = np.sort(rng.choice(idx, max(1, min(len(idx), round(share * len(idx)))), replace=False))
        k = rng.integers(lo, hi + 1, len(who))
        src = np.array([f"{tag}_{j + 1:04d}" for j in range(len(who))], dtype=object)
        frames.append(pd.DataFrame({"source_id": np.repeat(src, k), "source_type": "interview",
                                    "pidx": np.repeat(who, k), "wave": wave, "programme_id": programme,
                                    "cohort_id": cohort_of[np.repeat(who, k)]}))

    def groups(programme, per_group, wave, tag, n_groups):
        idx = np.flatnonzero(prog == programme)
        if len(idx) == 0:
            return
        for g in range(n_groups):
            cohort = cohort_of[idx[int(rng.integers(len(idx)))]]
            k = int(rng.integers(per_group - 2, per_group + 3))
            who = rng.choice(members_of[cohort], k)
            who[rng.random(k) < 0.2] = -1                 # unattributed group talk
            frames.append(pd.DataFrame({"source_id": f"{tag}_{g + 1:03d}", "source_type": "focus_group",
                                        "pidx": who, "wave": wave, "programme_id": programme,
                                        "cohort_id": cohort}))

    interviews("barts_kf_scl", 0.15, 2, 4, "follow_up", "barts_int2024")
    groups("barts_kf_scl", 10, "follow_up", "barts_fg2024", max(1, round((prog == "barts_kf_scl").sum() / 75)))
    groups("luhft_lbs", 10, "post", "luhft_fg", max(1, round((prog == "luhft_lbs").sum() / 24)))
    interviews("lcft_cetad", 1.0, 2, 4, "post", "lcft_int")
    rate = np.array([COMMENT_RATE.get(p, 0.3) for p in prog])
    writers = np.flatnonzero(people.engaged.to_numpy() & (rng.random(len(people)) < rate))
    frames.append(pd.DataFrame({
        "source_id": cohort_of[writers] + "_reaction_comments",
        "source_type": "free_text", "pidx": writers, "wave": "post", "programme_id": prog[writers],
        "cohort_id": cohort_of[writers]}))
    return pd.concat(frames, ignore_index=True)


def fits(entry, start: str) -> bool:
    """Whether a bank entry fits a cohort that started on ``start`` (ISO date)."""
    _, lo, hi = statement(entry)
    return lo <= start <= hi


class _Drawer:
    """Statements of each code for one cohort start, dealt from shuffled decks so that a
    statement comes round again only after all the others."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.decks: dict[tuple[str, str], list[str]] = {}

    def draw(self, bank: list, key: str, start: str) -> str:
        deck = self.decks.get((key, start))
        if not deck:
            pool = [statement(e)[0] for e in bank if fits(e, start)]
            if not pool:
                raise ValueError(f"no statement of {key!r} fits a cohort starting {start}")
            deck = [pool[i] for i in self.rng.permutation(len(pool))]
            self.decks[(key, start)] = deck
        return deck.pop()


def _arranged(parts: list[str], has_context: bool, context_first: bool) -> str:
    """The segment's text: its statements with the context sentence (``parts[0]`` when
    ``has_context``) first or after the first statement.

    Examples
    --------
    >>> _arranged(["Before.", "Point.", "More."], True, False)
    'Point. Before. More.'
    >>> _arranged(["Before.", "Point."], True, True)
    'Before. Point.'
    """
    parts = list(dict.fromkeys(parts))
    if has_context and not context_first and len(parts) > 1:
        parts = [parts[1], parts[0], *parts[2:]]
    return " ".join(parts)


def _compose(src: pd.DataFrame, starts: np.ndarray, rng: np.random.Generator,
             placement: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Written code, optional second code ("" for none) and text of every segment.

    What is said and coded is drawn from ``rng``; where a context sentence goes, from
    ``placement``, so that moving it leaves the codes and codings as they were: uniqueness is
    judged on the context-first text, as it always was."""
    n = len(src)
    drawer = _Drawer(rng)
    programmes = src.programme_id.to_numpy()
    code1 = np.empty(n, dtype=object)
    code2 = np.full(n, "", dtype=object)
    text = np.empty(n, dtype=object)
    seen: set[str] = set()
    for programme, weights in THEME_WEIGHTS.items():
        rows = np.flatnonzero(programmes == programme)
        themes = rng.choice(list(weights), len(rows), p=np.array(list(weights.values())))
        for i, theme in zip(rows, themes):
            kids = children(theme)
            code = kids[int(rng.integers(len(kids)))]
            start = starts[i]
            parts = [drawer.draw(CORE[code], code, start)]
            code1[i] = code
            if rng.random() < P_SECOND:
                sibling = [k for k in kids if k != code][int(rng.integers(len(kids) - 1))]
                parts.append(drawer.draw(CORE[sibling], sibling, start))
                code2[i] = sibling
            has_context = rng.random() < P_CONTEXT
            if has_context:
                parts.insert(0, drawer.draw(CONTEXTS[programme], programme, start))
            candidate = " ".join(parts)
            for _ in range(3):                # a text someone else wrote: say where you were, or more
                if candidate not in seen:
                    break
                if not has_context:
                    parts.insert(0, drawer.draw(CONTEXTS[programme], programme, start))
                    has_context = True
                else:
                    parts.append(drawer.draw(CORE[code], code, start))
                candidate = " ".join(dict.fromkeys(parts))
            text[i] = _arranged(parts, has_context, placement.random() < P_CONTEXT_FIRST)
            seen.add(candidate)
    return code1, code2, text


def _other_reading(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Coder B's reading: the written code with probability ``P_KEEP_B``, else a sibling (70%)
    or another code of the same programme's codebook."""
    out = code.copy()
    for i in np.flatnonzero(rng.random(len(code)) >= P_KEEP_B):
        c = code[i]
        programme = PROGRAMME_OF_CODE[c]
        sibs = [k for k in children(PARENT[c]) if k != c]
        others = [k[0] for k in CODEBOOKS[programme] if k[2] and k[0] != c]
        pool = sibs if (sibs and rng.random() < 0.7) else others
        out[i] = pool[int(rng.integers(len(pool)))]
    return out


def build_qualitative(people: pd.DataFrame, rng: np.random.Generator,
                      placement: np.random.Generator | None = None,
                      ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The segments, codes and codings tables; ``placement`` places the context sentences
    (see :func:`_compose`)."""
    placement = np.random.default_rng(0) if placement is None else placement
    src = _sources(people, rng)
    n = len(src)
    pidx = src.pidx.to_numpy()
    start_of = people.drop_duplicates("cohort_id").set_index("cohort_id").start_date
    starts = start_of.reindex(src.cohort_id).dt.strftime("%Y-%m-%d").to_numpy()
    code1, code2, text = _compose(src, starts, rng, placement)
    barts = np.flatnonzero(src.programme_id.to_numpy() == "barts_kf_scl")
    for j, k in enumerate(rng.choice(barts, min(len(barts), len(PII_SENTENCES)), replace=False)):
        text[k] = f"{text[k]} {PII_SENTENCES[j]}"
    seg_id = np.array([f"S{i + 1:06d}" for i in range(n)], dtype=object)
    pid = np.where(pidx >= 0, people.participant_id.to_numpy()[np.maximum(pidx, 0)], "")
    segments = pd.DataFrame({"segment_id": seg_id, "source_id": src.source_id.to_numpy(),
                             "source_type": src.source_type.to_numpy(), "participant_id": pid,
                             "wave": src.wave.to_numpy(), "text": text})
    second = code2 != ""
    overlap = rng.random(n) < P_B_OVERLAP
    b1 = _other_reading(code1, rng)
    b_second = overlap & second & (rng.random(n) < 0.7)   # coder B usually sees the second point
    codings = pd.concat([
        pd.DataFrame({"segment_id": seg_id, "code_id": code1, "coder_id": "coder_a"}),
        pd.DataFrame({"segment_id": seg_id[second], "code_id": code2[second], "coder_id": "coder_a"}),
        pd.DataFrame({"segment_id": seg_id[overlap], "code_id": b1[overlap], "coder_id": "coder_b"}),
        pd.DataFrame({"segment_id": seg_id[b_second], "code_id": code2[b_second], "coder_id": "coder_b"}),
    ], ignore_index=True).drop_duplicates()
    return segments, build_codes(), codings
