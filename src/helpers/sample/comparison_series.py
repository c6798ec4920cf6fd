"""A comparison series for one sample project, so the sample shows a controlled interrupted
time series (improvement projects notebook).

Lancashire Care's out-of-area placements project is compared with the national figure: out-of-area
placement bed days in England, scaled to a trust of Lancashire Care's size. The national count
rose over 2014-2016 (NHS England's out-of-area placements data, first published in 2016), so the
synthetic comparison drifts upward with no step at the project's start. Values are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: project id -> name of its comparison series
COMPARISONS = {"lcft_p01": "England, scaled to the trust's size (synthetic national figure)"}


def add_comparison_series(projects: pd.DataFrame, kpi_values: pd.DataFrame,
                          rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``projects`` with a ``comparison`` name and ``kpi_values`` with the comparison's value
    in the same months, for the projects of :data:`COMPARISONS` (blank for the others)."""
    projects = projects.assign(comparison=projects["project_id"].map(COMPARISONS))
    kpi_values = kpi_values.assign(comparison=np.nan)
    for pid in COMPARISONS:
        rows = kpi_values.index[kpi_values["project_id"] == pid]
        if not len(rows):
            continue
        first = kpi_values.loc[rows, "value"].iloc[:6].mean()
        months = np.arange(len(rows))
        values = first + 0.8 * months + rng.normal(0, 12, len(rows))
        kpi_values.loc[rows, "comparison"] = np.round(values)
    return projects, kpi_values
