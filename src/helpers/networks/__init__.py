"""Participant networks: structure, boundary-crossing ties, E-I index, brokerage and betweenness.

:mod:`~helpers.networks.analysis` holds the pure functions (DataFrames in, tidy DataFrames
out), :mod:`~helpers.networks.panel` the response-adjusted comparison of waves (the people who
answered every wave), :mod:`~helpers.networks.results` the section's :class:`NetworkResults` and
:func:`prepare`, and :mod:`~helpers.networks.display` the figures, tables, sentences and the
``show_*`` functions that render the results under disclosure control. Every public name is
re-exported here, so ``from helpers import networks; networks.ei_index(...)`` works.
"""

from helpers.networks.analysis import *  # noqa: F401,F403
from helpers.networks.analysis import (ATTRIBUTES, BROKERAGE_COLUMNS, WAVE_ORDER,  # noqa: F401
                                       _components, _graph)
from helpers.networks.display import *  # noqa: F401,F403
from helpers.networks.panel import *  # noqa: F401,F403
from helpers.networks.display import _pct  # noqa: F401
from helpers.networks.results import NetworkResults, compute, prepare  # noqa: F401
