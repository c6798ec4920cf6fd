"""Career events after the programme: the pipeline into more senior roles (seed 002, Barts;
seed 001, succession planning at Lancashire Care).

Time to a first new leadership role is exponential from the cohort's end date (a constant
hazard), censored at the dataset's ``observation_end``; a few people leave the NHS instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OBSERVATION_END = pd.Timestamp("2026-09-30")

# programme -> (mean years to a new role, share of people who ever move, share who leave the NHS)
HAZARD = {"barts_kf_scl": (2.5, 0.55, 0.04), "luhft_lbs": (3.0, 0.45, 0.05),
          "lcft_cetad": (3.0, 0.6, 0.0), "sath_academy": (4.0, 0.3, 0.08)}

SENIOR_ROLES = {
    "medical": ["Clinical Director", "Divisional Director", "Associate Medical Director",
                "Deputy Medical Director", "Clinical Lead"],
    "nursing": ["Head of Nursing", "Deputy Chief Nurse", "Divisional Director of Nursing"],
    "AHP": ["Head of Therapies", "AHP Lead", "Consultant Therapist"],
    "manager": ["General Manager", "Deputy Director of Operations"],
    "other": ["Library Services Manager", "Head of Knowledge Services"],
}


def build_careers(people: pd.DataFrame, rng: np.random.Generator,
                  hazard: dict[str, tuple[float, float, float]] = HAZARD) -> pd.DataFrame:
    """One row per career event (new_leadership_role, promotion, left_nhs) before observation end."""
    n = len(people)
    prog = people.programme_id.to_numpy()
    mean = np.array([hazard.get(p, (np.inf, 0, 0))[0] for p in prog])
    share = np.array([hazard.get(p, (np.inf, 0, 0))[1] for p in prog])
    leave = np.array([hazard.get(p, (np.inf, 0, 0))[2] for p in prog])
    end = people.end_date.to_numpy().astype("datetime64[D]")
    u = rng.random(n)
    movers = u < share
    leavers = (u >= share) & (u < share + leave)
    years = rng.exponential(np.where(np.isfinite(mean), mean, 1.0))
    when = end + np.round(years * 365.25).astype("timedelta64[D]")
    seen = when <= np.datetime64(OBSERVATION_END.date())
    prof = people.profession.to_numpy()
    role = np.empty(n, dtype=object)
    for p, pool in SENIOR_ROLES.items():
        mask = prof == p
        role[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), mask.sum())]
    event = np.where(movers, np.where(rng.random(n) < 0.75, "new_leadership_role", "promotion"),
                     "left_nhs")
    keep = (movers | leavers) & seen
    out = pd.DataFrame({"participant_id": people.participant_id.to_numpy()[keep],
                        "event_date": when[keep], "event": event[keep],
                        "role": np.where(event[keep] == "left_nhs", "", role[keep])})
    out["event_date"] = pd.to_datetime(out.event_date)
    return out
