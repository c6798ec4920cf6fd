"""``leadeval validate DATASET``: list every problem (exit 2) or summarise the dataset (exit 0)."""

from __future__ import annotations

import sys
from typing import TextIO

from helpers.data.dataset import Dataset
from helpers.data.errors import DataError
from helpers.data.loader import load_dataset


def summary(ds: Dataset) -> str:
    """One paragraph: tables and rows, programmes, cohorts, participants, waves."""
    present = [f"{name} ({len(df):,} rows)" for name, df in ds.tables.items() if len(df)]
    waves = sorted(set(ds.responses["wave"].dropna()) | set(ds.segments["wave"].dropna())
                   | set(ds.ties["wave"].dropna()))
    synthetic = " It is synthetic data." if ds.meta.get("synthetic") else ""
    return (f"Dataset {ds.name!r} is valid (content hash {ds.content_hash[:12]}). "
            f"{len(present)} tables: {', '.join(present)}. "
            f"{ds.programmes['programme_id'].nunique():,} programmes, "
            f"{ds.cohorts['cohort_id'].nunique():,} cohorts, "
            f"{ds.participants['participant_id'].nunique():,} participants; waves: "
            f"{', '.join(waves) if waves else 'none'}.{synthetic}")


def validate_command(path: str, out: TextIO | None = None, err: TextIO | None = None,
                     strict: bool = False) -> int:
    """Validate a dataset folder; 0 when valid, 2 when not (problems on stderr, one a line).

    Warnings (files not read, implausible dates) go to stderr; ``strict`` refuses unread files.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        ds = load_dataset(path, strict=strict)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        print(f"{len(exc.problems)} problem(s): {path} is not a valid leadeval dataset.", file=err)
        return 2
    except OSError as exc:
        print(f"{path}: cannot read the dataset ({exc.strerror or exc})", file=err)
        return 2
    except Exception as exc:  # a loader bug must still not show a traceback to the user
        print(f"{path}: the dataset could not be checked ({type(exc).__name__}: {exc}); "
              "please report this as a leadeval bug", file=err)
        return 2
    for warning in ds.warnings:
        print(f"warning: {warning}", file=err)
    print(summary(ds), file=out)
    return 0
