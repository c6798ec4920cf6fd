"""Names the reports folder keeps for itself, beside ``<programme_id>/<cohort_id or all>/``.

A programme id becomes a folder at the top of the reports folder and a cohort id a folder inside
its programme's, so an id may not take one of these names (checked when a dataset is validated,
:mod:`helpers.data.ids`).
"""

from __future__ import annotations

#: The folder of a programme's own reports (all its cohorts), beside one folder per cohort.
PROGRAMME_FOLDER = "all"
#: The run's own files and folders at the top of the reports folder.
INDEX = "index.html"
MANIFEST = "manifest.json"
LOGS = "logs"
STATE = ".leadeval"
TOP_LEVEL = (INDEX, MANIFEST, LOGS, STATE)
