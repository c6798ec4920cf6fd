"""Qualitative segments, the codebook and two coders' codings.

Sources: the 2024 Barts evaluation interviews and focus groups (seed 002), LUHFT project focus
groups (000), Lancashire doctors' interviews (001) and end-of-programme free-text comments in
every programme. Each segment is written for one "true" code; coder A applies it with
probability 0.92 and coder B (who double-codes about a third of the segments) with 0.80,
otherwise a sibling or another code, which gives Cohen's kappa near 0.7 (Landis & Koch 1977:
"substantial"). About one segment in seven gets a second code from coder A, which coder B
usually applies too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.sample.text_bank import (CODEBOOK, CONTEXTS, CORE, FOLLOW_ONS, LEAD_INS, PII_SENTENCES,
                                     SPECIALITY_SENTENCES)

THEME_WEIGHTS = {
    "barts_kf_scl": {"restorative_space": 0.32, "cross_speciality": 0.2, "leadership_followership": 0.2,
                     "operational_managers": 0.15, "programme_design": 0.13},
    "luhft_lbs": {"improvement_projects": 0.4, "cross_speciality": 0.2, "leadership_followership": 0.15,
                  "programme_design": 0.15, "restorative_space": 0.1},
    "lcft_cetad": {"improvement_projects": 0.4, "leadership_followership": 0.3, "programme_design": 0.2,
                   "operational_managers": 0.1},
    "leeds_cihm": {"operational_managers": 0.55, "cross_speciality": 0.15, "programme_design": 0.2,
                   "leadership_followership": 0.1},
    "sath_academy": {"programme_design": 0.4, "leadership_followership": 0.3, "improvement_projects": 0.3},
}
P_KEEP = {"coder_a": 0.92, "coder_b": 0.80}
CHILDREN = [c for c in CODEBOOK if c[2]]
CHILD_IDS = np.array([c[0] for c in CHILDREN], dtype=object)
CHILD_THEME = np.array([c[2] for c in CHILDREN], dtype=object)


def build_codes() -> pd.DataFrame:
    """The codebook table: themes (blank parent_id) and their codes."""
    return pd.DataFrame(CODEBOOK, columns=["code_id", "label", "parent_id", "description"])


def _sources(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per segment-to-be: source_id, source_type, participant index (-1 none), wave."""
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
                                    "pidx": np.repeat(who, k), "wave": wave, "programme_id": programme}))

    def groups(programme, per_group, wave, tag, n_groups):
        idx = np.flatnonzero(prog == programme)
        if len(idx) == 0:
            return
        for g in range(n_groups):
            members = members_of[cohort_of[idx[int(rng.integers(len(idx)))]]]
            k = int(rng.integers(per_group - 2, per_group + 3))
            who = rng.choice(members, k)
            who[rng.random(k) < 0.2] = -1                 # unattributed group talk
            frames.append(pd.DataFrame({"source_id": f"{tag}_{g + 1:03d}", "source_type": "focus_group",
                                        "pidx": who, "wave": wave, "programme_id": programme}))

    interviews("barts_kf_scl", 0.15, 5, 9, "follow_up", "barts_int2024")
    groups("barts_kf_scl", 10, "follow_up", "barts_fg2024", max(1, round((prog == "barts_kf_scl").sum() / 75)))
    groups("luhft_lbs", 10, "post", "luhft_fg", max(1, round((prog == "luhft_lbs").sum() / 24)))
    interviews("lcft_cetad", 1.0, 2, 4, "post", "lcft_int")
    writers = np.flatnonzero(people.engaged.to_numpy() & (rng.random(len(people)) < 0.3))
    frames.append(pd.DataFrame({
        "source_id": people.cohort_id.to_numpy()[writers] + "_reaction_comments",
        "source_type": "free_text", "pidx": writers, "wave": "post", "programme_id": prog[writers]}))
    return pd.concat(frames, ignore_index=True)


def _compose(src: pd.DataFrame, code: np.ndarray, speciality: np.ndarray,
             rng: np.random.Generator) -> np.ndarray:
    """Segment texts: optional lead-in, a core statement for the code, optional context (the
    situation, or the speaker's speciality in spoken sources) and an optional follow-on."""
    n = len(src)
    stype = src.source_type.to_numpy()

    def draw(bank, mask):
        out = np.full(n, "", dtype=object)
        out[mask] = np.array(bank, dtype=object)[rng.integers(0, len(bank), mask.sum())]
        return out

    core = np.empty(n, dtype=object)
    for c in np.unique(code):
        core[code == c] = draw(CORE[CHILD_IDS[c]], code == c)[code == c]
    lead = np.full(n, "", dtype=object)
    for kind, bank in LEAD_INS.items():
        mask = (stype == kind) & (rng.random(n) < 0.6)
        lead[mask] = draw(bank, mask)[mask]
    context = draw(CONTEXTS, rng.random(n) < 0.35)
    spoken = (stype != "free_text") & (speciality != "") & (rng.random(n) < 0.3)
    spec = draw(SPECIALITY_SENTENCES, spoken)
    spec[spoken] = [t.format(speciality=sp) for t, sp in zip(spec[spoken], speciality[spoken])]
    follow = np.full(n, "", dtype=object)
    for theme, bank in FOLLOW_ONS.items():
        mask = (CHILD_THEME[code] == theme) & (rng.random(n) < 0.55)
        follow[mask] = draw(bank, mask)[mask]
    parts = zip(lead, core, context, spec, follow)
    return np.array([" ".join(p for p in row if p) for row in parts], dtype=object)


def _perturb(code: np.ndarray, p_keep: float, rng: np.random.Generator) -> np.ndarray:
    """Another coder's reading: the same code, else a sibling (70%) or any other code."""
    n = len(code)
    out = code.copy()
    change = rng.random(n) >= p_keep
    sibling = rng.random(n) < 0.7
    for c in np.unique(code[change]):
        sibs = np.flatnonzero((CHILD_THEME == CHILD_THEME[c]) & (np.arange(len(CHILD_IDS)) != c))
        others = np.flatnonzero(np.arange(len(CHILD_IDS)) != c)
        m1 = change & (code == c) & sibling
        m2 = change & (code == c) & ~sibling
        out[m1] = sibs[rng.integers(0, len(sibs), m1.sum())] if len(sibs) else c
        out[m2] = others[rng.integers(0, len(others), m2.sum())]
    return out


def build_qualitative(people: pd.DataFrame,
                      rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The segments, codes and codings tables."""
    src = _sources(people, rng)
    n = len(src)
    code = np.empty(n, dtype=np.int64)
    for programme, weights in THEME_WEIGHTS.items():
        mask = src.programme_id.to_numpy() == programme
        themes = rng.choice(list(weights), mask.sum(), p=np.array(list(weights.values())))
        pick = np.empty(mask.sum(), dtype=np.int64)
        for t in np.unique(themes):
            kids = np.flatnonzero(CHILD_THEME == t)
            tm = themes == t
            pick[tm] = kids[rng.integers(0, len(kids), tm.sum())]
        code[mask] = pick
    pidx = src.pidx.to_numpy()
    speciality = np.where(pidx >= 0, people.speciality.to_numpy()[np.maximum(pidx, 0)], "")
    text = _compose(src, code, speciality.astype(object), rng)
    for j, k in enumerate(rng.choice(n, min(n, len(PII_SENTENCES)), replace=False)):
        text[k] = f"{text[k]} {PII_SENTENCES[j]}"
    seg_id = np.array([f"S{i + 1:06d}" for i in range(n)], dtype=object)
    pid = np.where(pidx >= 0, people.participant_id.to_numpy()[np.maximum(pidx, 0)], "")
    segments = pd.DataFrame({"segment_id": seg_id, "source_id": src.source_id.to_numpy(),
                             "source_type": src.source_type.to_numpy(), "participant_id": pid,
                             "wave": src.wave.to_numpy(), "text": text})
    a = _perturb(code, P_KEEP["coder_a"], rng)
    second = rng.random(n) < 0.15
    a2 = rng.integers(0, len(CHILD_IDS), n)
    overlap = rng.random(n) < 0.35
    b = _perturb(code, P_KEEP["coder_b"], rng)
    b_same = second & (rng.random(n) < 0.7)          # coder B usually sees the secondary code too
    b_own = ~second & (rng.random(n) < 0.05)
    b2 = np.where(b_same, a2, rng.integers(0, len(CHILD_IDS), n))
    b_second = overlap & (b_same | b_own)
    codings = pd.concat([
        pd.DataFrame({"segment_id": seg_id, "code_id": CHILD_IDS[a], "coder_id": "coder_a"}),
        pd.DataFrame({"segment_id": seg_id[second], "code_id": CHILD_IDS[a2[second]], "coder_id": "coder_a"}),
        pd.DataFrame({"segment_id": seg_id[overlap], "code_id": CHILD_IDS[b[overlap]], "coder_id": "coder_b"}),
        pd.DataFrame({"segment_id": seg_id[b_second], "code_id": CHILD_IDS[b2[b_second]],
                      "coder_id": "coder_b"}),
    ], ignore_index=True).drop_duplicates()
    return segments, build_codes(), codings
