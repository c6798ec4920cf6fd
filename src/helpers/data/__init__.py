"""The dataset contract: ``load_dataset`` returns a validated, typed :class:`Dataset`.

See docs/architecture.md ("The dataset folder", "Python names"). Invalid data raises
:class:`DataError`, whose ``problems`` list every :class:`Problem` found.
"""

from helpers.data.dataset import Dataset
from helpers.data.errors import DataError, Problem
from helpers.data.loader import load_dataset

__all__ = ["Dataset", "DataError", "Problem", "load_dataset"]
