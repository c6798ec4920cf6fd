"""Synthetic sample dataset faithful to the five seed programmes (``leadeval sample-data``).

``generate_sample(out_dir, participants=None, seed=None)`` writes a dataset folder in the format of
docs/architecture.md. With the defaults it reproduces every seed figure (220 Barts delegates in 10
cohorts from 3 trusts, 6 days over 3 modules, 415 applications for 233 places; 11 Lancashire
doctors with 11 projects; the 15 LUHFT project titles; 700 clinicians and 300 directors from 65
organisations at Leeds; the Shrewsbury library's 747 / 1,118 / 1,064 management-book issues).
Each programme's qualitative data is coded with its own codebook, taken from its source document,
in quotes that fit the cohort's dates; teaching follows the calendar (no bank holidays, online
under the Covid-19 restrictions). ``participants`` scales every programme in
proportion (the seed figures then no longer hold). Same seed, same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.sample.applicants import (build_applicant_careers, build_applicant_responses,
                                       build_applicants, build_equality)
from helpers.sample.careers import OBSERVATION_END, build_careers
from helpers.sample.comparison_series import add_comparison_series
from helpers.sample.evaluation_design import EVALUATION
from helpers.sample.instruments import INSTRUMENTS, build_items
from helpers.sample.networks import build_ties
from helpers.sample.people import build_attendance, build_participants
from helpers.sample.programmes import build_cohorts, build_programmes, programme_sizes
from helpers.sample.projects import build_projects
from helpers.sample.qualitative import build_qualitative
from helpers.sample.surveys import build_responses
from helpers.sample.text_bank import REDACT_NAMES
from helpers.sample.writer import write_dataset

DEFAULT_SEED = 20241125

#: dataset.yaml settings for value for money and equality. Costs are illustrative (the seeds give
#: none); the Barts figures are the DESIGN.md example. The bed-day value is an illustrative
#: unit cost of an out-of-area acute mental health bed day, with a range for sensitivity. The
#: workforce baseline is the eligible senior clinical workforce of the three north-east London
#: trusts (illustrative shares).
VALUE_AND_EQUALITY = {
    "costs": {
        "barts_kf_scl": {"currency": "GBP", "per_place": 2400, "fixed": 30000},
        "leeds_cihm": {"currency": "GBP", "per_place": 650, "fixed": 40000},
        "lcft_cetad": {"currency": "GBP", "per_place": 4200, "fixed": 8000},
    },
    "benefits": {
        "lcft_cetad": [{"project_id": "lcft_p01", "unit": "bed day", "unit_value": 420,
                        "low": 320, "high": 520, "source": "illustrative unit cost of an "
                        "out-of-area acute mental health bed day"}],
    },
    "equality": {
        "reference": {"ethnicity": "White", "sex": "Male", "disability": "No"},
        "workforce": {"barts_kf_scl": {
            "ethnicity": {"White": 0.46, "Asian": 0.33, "Black": 0.12, "Mixed": 0.04,
                          "Other": 0.04, "Not stated": 0.01},
            "sex": {"Female": 0.45, "Male": 0.55},
            "disability": {"No": 0.85, "Yes": 0.05, "Not declared": 0.10}}},
    },
}

__all__ = ["DEFAULT_SEED", "build_tables", "generate_sample", "sample_data_command"]


def _meta(seed: int, participants: int | None, n: int) -> dict:
    scaled = "" if participants is None else (
        f" Scaled to {n} participants with --participants, so the seed figures no longer hold.")
    return {
        "name": "leadeval sample dataset",
        "description": (
            "Synthetic data shaped on five published accounts of NHS clinical leadership "
            "programmes: LUHFT with Liverpool Business School, Lancashire Care with Lancaster "
            "University CETAD, Barts Health with The King's Fund, the Leeds CIHM clinician-manager "
            "programmes and the Shrewsbury and Telford library Leadership Zone. No real people. "
            "The library's six-month totals are October 2011 to March 2012, April to September "
            "2012 and November 2012 to April 2013." + scaled),
        "synthetic": True,
        "seed": int(seed),
        "suppress_below": 5,
        "observation_end": OBSERVATION_END.date().isoformat(),
        "codebook": "codes.csv",
        "tables": {},
        "sheets": {},
        "redact_names": list(REDACT_NAMES),
        "pseudonymisation": {"enabled": False, "key_env": "LEADEVAL_PSEUDONYM_KEY"},
        "instruments": INSTRUMENTS,
        **VALUE_AND_EQUALITY,
        "evaluation": EVALUATION,
    }


def build_tables(participants: int | None = None, seed: int | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the sample as DataFrames (nothing written).

    Each part draws from its own stream ``default_rng([seed, k])``, so changing one part of the
    generator does not reshuffle the others.
    """
    seed = DEFAULT_SEED if seed is None else int(seed)

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, k])

    sizes = programme_sizes(participants)
    cohorts = build_cohorts(sizes, rng(1))
    people = build_participants(cohorts, rng(2))
    projects, kpi_values = build_projects(people, rng(5))
    # Stream 14 places the context sentences in segments, added later without moving any code.
    segments, codes, codings = build_qualitative(people, rng(6), rng(14))
    tables = {
        "programmes": build_programmes(),
        "cohorts": cohorts,
        "participants": people,
        "attendance": build_attendance(people, cohorts, rng(3)),
        "items": build_items(),
        "responses": build_responses(people, rng(4)),
        "segments": segments,
        "codes": codes,
        "codings": codings,
        "projects": projects,
        "kpi_values": kpi_values,
        "ties": build_ties(people, rng(7)),
        "careers": build_careers(people, rng(8)),
    }
    # Added later, from streams of their own (9 to 12) and after every table above, so those
    # tables are unchanged by them.
    equality = build_equality(people, rng(9))
    tables["participants"] = people.merge(equality, on="participant_id", how="left")
    applicants = build_applicants(people, cohorts, equality, rng(10))
    tables["applicants"] = applicants
    tables["applicant_careers"] = build_applicant_careers(applicants, cohorts, rng(11))
    tables["applicant_responses"] = build_applicant_responses(applicants, cohorts, rng(12))
    tables["projects"], tables["kpi_values"] = add_comparison_series(projects, kpi_values, rng(13))
    return tables


def generate_sample(out_dir: str | Path, participants: int | None = None,
                    seed: int | None = None) -> list[Path]:
    """Write the synthetic dataset into ``out_dir``; returns the files written.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write (created if needed; existing table files of the same names are replaced).
    participants : int, optional
        Total participants; default is the seed documents' own numbers (1,296).
    seed : int, optional
        Random seed; default ``DEFAULT_SEED``. It is recorded in dataset.yaml.
    """
    seed = DEFAULT_SEED if seed is None else int(seed)
    tables = build_tables(participants, seed)
    return write_dataset(Path(out_dir), tables, _meta(seed, participants, len(tables["participants"])))


def sample_data_command(out_dir: str | Path, participants: int | None = None,
                        seed: int | None = None) -> int:
    """``leadeval sample-data``: write the dataset and print one line; 2 on bad arguments."""
    try:
        files = generate_sample(out_dir, participants, seed)
    except ValueError as exc:
        print(f"leadeval sample-data: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"leadeval sample-data: cannot write {exc.filename or out_dir} "
              f"({exc.strerror or exc})", file=sys.stderr)
        return 2
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files ({size / 1e6:.1f} MB) to {out_dir}")
    return 0
