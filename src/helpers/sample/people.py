"""Participants and attendance for the synthetic sample.

Profession and organisation mixes follow the seeds: Barts is mostly medical with a few nursing
and AHP delegates from three trusts (seed 002); Lancashire is a cohort of doctors (001); Leeds is
700 senior clinicians and 300 directors across 65 trusts and CCGs (004).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.sample.programmes import COHORT_PLANS, largest_remainder, session_dates

PROFESSION_MIX: dict[str, dict[str, float]] = {
    "luhft_lbs": {"medical": 0.30, "nursing": 0.34, "AHP": 0.26, "manager": 0.10},
    "lcft_cetad": {"medical": 1.0},
    "barts_kf_scl": {"medical": 196 / 220, "nursing": 14 / 220, "AHP": 10 / 220},
    "leeds_cihm": {"medical": 0.588, "nursing": 0.07, "AHP": 0.042, "manager": 0.30},
    "sath_academy": {"nursing": 0.40, "AHP": 0.20, "manager": 0.25, "other": 0.15},
}

BARTS_TRUSTS = {"Barts Health NHS Trust": 0.75, "Homerton Healthcare NHS Foundation Trust": 0.12,
                "East London NHS Foundation Trust": 0.13}

SINGLE_ORG = {
    "luhft_lbs": "Liverpool University Hospitals NHS Foundation Trust",
    "lcft_cetad": "Lancashire Care NHS Foundation Trust",
    "sath_academy": "Shrewsbury and Telford Hospital NHS Trust",
}

_PLACES = ["Leeds", "Bradford", "Wakefield", "Calderdale", "Kirklees", "Harrogate", "York", "Hull",
           "Sheffield", "Rotherham", "Doncaster", "Barnsley", "Scarborough", "Airedale", "Halifax",
           "Huddersfield", "Dewsbury", "Pontefract", "Selby", "Ripon", "Northallerton", "Grimsby",
           "Scunthorpe", "Goole", "Bridlington", "Skipton", "Keighley", "Batley", "Castleford",
           "Whitby", "Beverley", "Malton", "Settle"]


def leeds_organisations() -> list[str]:
    """The 65 trusts and CCGs reached by the Leeds CIHM programmes (seed 004), fictionalised."""
    trusts = [f"{p} Teaching Hospitals NHS Trust" if i % 3 == 0 else
              f"{p} and District NHS Foundation Trust" if i % 3 == 1 else
              f"{p} Community and Mental Health NHS Trust" for i, p in enumerate(_PLACES)]
    ccgs = [f"NHS {p} Clinical Commissioning Group" for p in _PLACES[:32]]
    return trusts + ccgs


ROLES = {
    "medical": ["Consultant", "Clinical Lead", "Clinical Director", "Deputy Clinical Director",
                "Consultant and Clinical Lead", "Associate Medical Director"],
    "nursing": ["Matron", "Lead Nurse", "Nurse Consultant", "Head of Nursing", "Ward Manager"],
    "AHP": ["Lead Physiotherapist", "Head of Occupational Therapy", "Consultant Radiographer",
            "Lead Speech and Language Therapist", "Clinical Specialist Dietitian", "Lead Audiologist"],
    "manager": ["Service Manager", "General Manager", "Operations Manager", "Head of Governance"],
    "other": ["Library Services Manager", "Project Officer", "Education Coordinator"],
}
DIRECTOR_ROLES = ["Director of Operations", "Director of Finance", "Director of Strategy",
                  "Chief Operating Officer", "Director of Workforce", "Director of Commissioning",
                  "Director of Performance", "Chief Executive"]
SPECIALITIES = {
    "medical": ["Emergency Medicine", "Acute Medicine", "Cardiology", "General Surgery",
                "Trauma and Orthopaedics", "Anaesthetics", "Paediatrics", "Obstetrics and Gynaecology",
                "Radiology", "Haematology", "Oncology", "Respiratory Medicine", "Geriatric Medicine",
                "Intensive Care Medicine", "Renal Medicine", "Histopathology"],
    "psychiatry": ["General Adult Psychiatry", "Old Age Psychiatry", "Child and Adolescent Psychiatry",
                   "Forensic Psychiatry", "Learning Disability Psychiatry", "Liaison Psychiatry",
                   "Perinatal Psychiatry"],
    "nursing": ["Emergency Department", "Critical Care", "Surgery", "Medicine", "Children's Services",
                "Cancer Services", "Cancer Screening"],
    "AHP": ["Physiotherapy", "Occupational Therapy", "Radiography", "Audiology",
            "Speech and Language Therapy", "Dietetics"],
    "manager": ["Operations", "Finance", "Strategy", "Workforce", "Governance", "Commissioning"],
    "other": ["Library and knowledge services", "Corporate services", "Education"],
}


def _exact_labels(n: int, mix: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    counts = largest_remainder(n, np.array(list(mix.values())))
    return rng.permutation(np.repeat(np.array(list(mix), dtype=object), counts))


def _pick(options: dict[str, list[str]], keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(keys), dtype=object)
    for key, pool in options.items():
        mask = keys == key
        out[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), mask.sum())]
    return out


def build_participants(cohorts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per participant, with internal columns (programme_id, dates) for later steps.

    Ids are ``P`` and six digits in programme and cohort order; they carry no personal data.
    """
    frames = []
    for plan in COHORT_PLANS:
        pc = cohorts[cohorts.programme_id == plan.programme_id]
        n = int(pc["size"].sum())
        cohort_ids = np.repeat(pc.cohort_id.to_numpy(), pc["size"].to_numpy())
        prof = _exact_labels(n, PROFESSION_MIX[plan.programme_id], rng)
        if plan.programme_id == "leeds_cihm":
            orgs = np.array(leeds_organisations(), dtype=object)
            weights = 1.0 / np.arange(1, len(orgs) + 1) ** 0.6
            org_idx = rng.choice(len(orgs), n, p=weights / weights.sum())
            first = rng.permutation(n)[: min(n, len(orgs))]
            org_idx[first] = np.arange(len(first))
            org = orgs[org_idx]
        elif plan.programme_id == "barts_kf_scl":
            org = _exact_labels(n, BARTS_TRUSTS, rng)
        else:
            org = np.full(n, SINGLE_ORG[plan.programme_id], dtype=object)
        role = _pick(ROLES, prof, rng)
        spec_key = prof.copy()
        if plan.programme_id == "lcft_cetad":
            spec_key[:] = "psychiatry"
            role[:] = "Consultant Psychiatrist"
        spec = _pick(SPECIALITIES, spec_key, rng)
        if plan.programme_id == "leeds_cihm":
            directors = prof == "manager"
            role[directors] = np.array(DIRECTOR_ROLES, dtype=object)[
                rng.integers(0, len(DIRECTOR_ROLES), directors.sum())]
        if plan.programme_id == "sath_academy":  # the site librarian who ran the Leadership Zone
            prof[0], role[0], spec[0] = "other", "Site Librarian", "Library and knowledge services"
        frames.append(pd.DataFrame({
            "programme_id": plan.programme_id, "cohort_id": cohort_ids, "organisation": org,
            "profession": prof, "role": role, "speciality": spec}))
    people = pd.concat(frames, ignore_index=True)
    people.insert(0, "participant_id", [f"P{i + 1:06d}" for i in range(len(people))])
    dates = cohorts.set_index("cohort_id")[["start_date", "end_date"]]
    people = people.join(dates, on="cohort_id")
    people["engaged"] = rng.random(len(people)) > 0.07   # 7% drift away before the end
    return people


def build_attendance(people: pd.DataFrame, cohorts: pd.DataFrame,
                     rng: np.random.Generator) -> pd.DataFrame:
    """One row per participant and teaching day; disengaged people stop attending part-way.

    Vectorised per programme: participants are contiguous by cohort, so each person's teaching
    days are a row of the cohort's session-date matrix.
    """
    frames = []
    for plan in COHORT_PLANS:
        pc = cohorts[cohorts.programme_id == plan.programme_id]
        idx = np.flatnonzero(people.programme_id.to_numpy() == plan.programme_id)
        if len(idx) == 0:
            continue
        modules, days = session_dates(plan, pc.start_date.to_numpy())
        row_of = pd.Series(np.arange(len(pc)), index=pc.cohort_id.to_numpy())
        crow = row_of[people.cohort_id.to_numpy()[idx]].to_numpy()
        k, n = len(modules), len(idx)
        when = days[crow].ravel()
        day = np.tile(np.arange(k), n)
        stop = np.repeat(np.where(people.engaged.to_numpy()[idx], k, rng.integers(1, k + 1, n)), k)
        attended = (day < stop) & (rng.random(n * k) < 0.95)
        frames.append(pd.DataFrame({"pidx": np.repeat(idx, k), "module": np.tile(modules, n),
                                    "session_date": when.astype("datetime64[ns]"),
                                    "attended": attended}))
    att = pd.concat(frames, ignore_index=True)
    att.insert(0, "participant_id", people.participant_id.to_numpy()[att.pop("pidx").to_numpy()])
    return att
