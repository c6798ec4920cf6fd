"""Advice networks before and after the programme (seed 000: "founded on connectedness and the
development of social networks"; seed 002: cross-speciality working across three trusts).

Each participant names colleagues in their cohort they turn to for advice. Before the programme
ties stay inside a profession and speciality; afterwards people name more colleagues and many
more across professions and specialities (homophily relaxing; McPherson, Smith-Lovin & Cook 2001,
*Annual Review of Sociology* 27:415-444). Sampling is vectorised: candidates are drawn per person,
accepted with a homophily probability, and the first k accepted are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NETWORK_PROGRAMMES = ("luhft_lbs", "barts_kf_scl")
# wave -> (mean ties named, accept same profession & speciality, accept across professions)
WAVE_SPEC = {"baseline": (2.0, 0.9, 0.12), "post": (4.0, 0.9, 0.6)}


def build_ties(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The ties table (wave, from_id, to_id, tie_type) for the network programmes."""
    sel = np.flatnonzero(np.isin(people.programme_id.to_numpy(), NETWORK_PROGRAMMES))
    cohort = people.cohort_id.to_numpy()[sel]
    starts = {c: i for i, c in reversed(list(enumerate(cohort)))}
    first = np.array([starts[c] for c in cohort])
    size = pd.Series(cohort).map(pd.Series(cohort).value_counts()).to_numpy()
    prof = people.profession.to_numpy()[sel]
    spec = people.speciality.to_numpy()[sel]
    frames = []
    for wave, (mean_k, p_same, p_cross) in WAVE_SPEC.items():
        k = rng.poisson(mean_k, len(sel))
        m = 12
        who = np.repeat(np.arange(len(sel)), m)
        cand = first[who] + rng.integers(0, 1 << 30, len(who)) % size[who]
        same = (prof[who] == prof[cand]) & (spec[who] == spec[cand])
        near = (prof[who] == prof[cand]) | (spec[who] == spec[cand])
        p = np.where(same, p_same, np.where(near, (p_same + p_cross) / 2, p_cross))
        ok = (cand != who) & (rng.random(len(who)) < p)
        pair = pd.DataFrame({"who": who[ok], "cand": cand[ok]}).drop_duplicates()
        rank = pair.groupby("who").cumcount().to_numpy()
        pair = pair[rank < k[pair.who.to_numpy()]]
        ids = people.participant_id.to_numpy()[sel]
        frames.append(pd.DataFrame({"wave": wave, "from_id": ids[pair.who.to_numpy()],
                                    "to_id": ids[pair.cand.to_numpy()], "tie_type": "advice"}))
    return pd.concat(frames, ignore_index=True)
