"""Equality descriptors and the Barts applicants: the comparison group (seed 002: waiting lists,
415 applications for 233 places over ten cohorts).

Every value here comes from its own random streams, drawn after the other tables are built, so
adding them leaves every earlier table and column byte for byte as it was.

Descriptors: ethnicity mixes follow the workforces the seeds describe (north-east London's
diverse staff at Barts, mostly white staff in Yorkshire, Lancashire, Merseyside and
Shropshire); sex by profession (most nurses and AHPs are women, about 40% of consultants);
about 4% of staff declare a disability. Selection is realistic rather than fair: as WRES data
show year after year, white applicants are more likely to be selected, so the applicants not
admitted include more Black and minority ethnic staff than those admitted.

Applicants not admitted or wait-listed build careers more slowly than participants (mean 3.5
years to a new role, 40% ever moving) and, where they answered the 360 survey at application
and again when their cohort ended, their ratings rise only a little (the secular trend the
difference-in-differences nets out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.sample.careers import build_careers
from helpers.sample.instruments import build_items
from helpers.sample.people import BARTS_TRUSTS
from helpers.sample.programmes import largest_remainder

ETHNICITY = {
    "barts_kf_scl": {"White": 0.50, "Asian": 0.30, "Black": 0.10, "Mixed": 0.04, "Other": 0.04,
                     "Not stated": 0.02},
    "default": {"White": 0.84, "Asian": 0.09, "Black": 0.02, "Mixed": 0.02, "Other": 0.01,
                "Not stated": 0.02},
}
#: applicants not selected at Barts: more Black and minority ethnic staff than among those selected
ETHNICITY_NOT_SELECTED = {"White": 0.36, "Asian": 0.37, "Black": 0.16, "Mixed": 0.04, "Other": 0.05,
                          "Not stated": 0.02}
FEMALE = {"medical": 0.42, "nursing": 0.86, "AHP": 0.74, "manager": 0.56, "other": 0.70}
DISABILITY = {"No": 0.86, "Yes": 0.04, "Not declared": 0.10}
DISABILITY_NOT_SELECTED = {"No": 0.84, "Yes": 0.06, "Not declared": 0.10}
APPLICANT_PROFESSION = {"medical": 0.88, "nursing": 0.07, "AHP": 0.05}
COMPARISON_HAZARD = {"barts_kf_scl": (3.5, 0.40, 0.05)}
#: share of wait-listed / not admitted applicants who answered the 360 at both times
RATED = {"waitlisted": 0.7, "not_admitted": 0.35}
SECULAR_CHANGE = 0.08          # scale points a comparison applicant's ratings rise anyway
EXTRA_WITHDREW = 4             # applicants who withdrew before any offer (besides unfilled places)
WAITLIST_SHARE = 0.4


def _draw(mix: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    p = np.array(list(mix.values()), dtype=float)
    return np.array(list(mix), dtype=object)[rng.choice(len(p), n, p=p / p.sum())]


def _sex(profession: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    p = np.array([FEMALE.get(str(x), 0.5) for x in profession])
    return np.where(rng.random(len(profession)) < p, "Female", "Male").astype(object)


def build_equality(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``participant_id, ethnicity, sex, disability`` for every participant."""
    prog = people["programme_id"].to_numpy()
    eth = np.empty(len(people), dtype=object)
    for p in np.unique(prog):
        mask = prog == p
        eth[mask] = _draw(ETHNICITY.get(p, ETHNICITY["default"]), int(mask.sum()), rng)
    return pd.DataFrame({"participant_id": people["participant_id"].to_numpy(), "ethnicity": eth,
                         "sex": _sex(people["profession"].to_numpy(), rng),
                         "disability": _draw(DISABILITY, len(people), rng)})


def build_applicants(people: pd.DataFrame, cohorts: pd.DataFrame, equality: pd.DataFrame,
                     rng: np.random.Generator, programme_id: str = "barts_kf_scl") -> pd.DataFrame:
    """One row per application to ``programme_id``: each participant as ``admitted`` (with their
    descriptors), the cohort's unfilled places and a few more as ``withdrew``, and the rest of
    the cohort's ``applications`` split between ``waitlisted`` and ``not_admitted``."""
    frames = []
    eq = people.merge(equality, on="participant_id")
    for c in cohorts[cohorts["programme_id"] == programme_id].itertuples(index=False):
        admitted = eq[eq["cohort_id"] == c.cohort_id]
        rest = max(int(c.applications) - len(admitted), 0)
        unfilled = max(int(c.places) - len(admitted), 0)
        withdrew = min(rest, unfilled + int(rng.random() < EXTRA_WITHDREW / 10))
        waitlisted = int(round(WAITLIST_SHARE * (rest - withdrew)))
        outcome = np.repeat(np.array(["withdrew", "waitlisted", "not_admitted"], dtype=object),
                            [withdrew, waitlisted, rest - withdrew - waitlisted])
        prof = rng.permutation(np.repeat(np.array(list(APPLICANT_PROFESSION), dtype=object),
                                         largest_remainder(rest, np.array(list(
                                             APPLICANT_PROFESSION.values())))))
        others = pd.DataFrame({
            "cohort_id": c.cohort_id, "outcome": outcome, "participant_id": None,
            "organisation": _draw(BARTS_TRUSTS, rest, rng), "profession": prof,
            "ethnicity": _draw(ETHNICITY_NOT_SELECTED, rest, rng), "sex": _sex(prof, rng),
            "disability": _draw(DISABILITY_NOT_SELECTED, rest, rng)})
        mine = admitted[["cohort_id", "participant_id", "organisation", "profession", "ethnicity",
                         "sex", "disability"]].assign(outcome="admitted")
        both = pd.concat([mine, others], ignore_index=True)
        frames.append(both.iloc[rng.permutation(len(both))])
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "programme_id", programme_id)
    out.insert(0, "applicant_id", [f"A{i + 1:06d}" for i in range(len(out))])
    return out


def comparison_people(applicants: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """The applicants not admitted or wait-listed, with their cohort's dates."""
    c = applicants[applicants["outcome"].isin(["waitlisted", "not_admitted"])]
    return c.merge(cohorts[["cohort_id", "start_date", "end_date"]], on="cohort_id")


def build_applicant_careers(applicants: pd.DataFrame, cohorts: pd.DataFrame,
                            rng: np.random.Generator) -> pd.DataFrame:
    """Career events of the comparison applicants (the participants' generator, a slower hazard)."""
    c = comparison_people(applicants, cohorts).drop(columns="participant_id")
    c = c.rename(columns={"applicant_id": "participant_id"})
    ev = build_careers(c, rng, COMPARISON_HAZARD)
    return ev.rename(columns={"participant_id": "applicant_id"})


def build_applicant_responses(applicants: pd.DataFrame, cohorts: pd.DataFrame,
                              rng: np.random.Generator) -> pd.DataFrame:
    """hlm360 self and manager ratings at application (baseline) and when the cohort ended
    (post) for the comparison applicants who answered both times."""
    c = comparison_people(applicants, cohorts)
    c = c[rng.random(len(c)) < c["outcome"].map(RATED).to_numpy()].reset_index(drop=True)
    items = build_items()
    items = items[items["instrument_id"] == "hlm360"].reset_index(drop=True)
    scales = items["scale"].unique()
    level = rng.normal(0, 0.45, len(c))
    person_scale = rng.normal(0, 0.25, (len(c), len(scales)))
    sidx = pd.Index(scales).get_indexer(items["scale"])
    rows = []
    for wave, anchor, days, shift in (("baseline", "start_date", (-28, -3), 0.0),
                                      ("post", "end_date", (10, 50), SECULAR_CHANGE)):
        for rater, bias in (("self", 0.15), ("manager", 0.0)):
            latent = (3.45 + level[:, None] + person_scale[:, sidx] + bias + shift
                      + rng.normal(0, 0.6, (len(c), len(items))))
            value = np.clip(np.round(latent), items["min"].to_numpy(), items["max"].to_numpy())
            rev = items["reverse_scored"].to_numpy(dtype=bool)
            value[:, rev] = (items["min"].to_numpy() + items["max"].to_numpy())[rev] - value[:, rev]
            when = (pd.to_datetime(c[anchor]).to_numpy().astype("datetime64[D]")
                    + rng.integers(days[0], days[1], len(c)).astype("timedelta64[D]"))
            rows.append(pd.DataFrame({
                "applicant_id": np.repeat(c["applicant_id"].to_numpy(), len(items)),
                "instrument_id": "hlm360", "item_id": np.tile(items["item_id"].to_numpy(), len(c)),
                "wave": wave, "rater": rater,
                "rater_id": None,
                "value": value.ravel().astype(int),
                "response_date": np.repeat(when, len(items)).astype("datetime64[ns]")}))
    return pd.concat(rows, ignore_index=True)
