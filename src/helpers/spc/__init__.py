"""Statistical process control the NHS "Making Data Count" way (XmR charts, rules, icons).

Modules: :mod:`.limits` (XmR limits), :mod:`.rules` (special-cause rules), :mod:`.xmr` (the
per-point chart table), :mod:`.icons` (variation and assurance icons), :mod:`.charts` (figures).
Tested against the published values of the NHSRplotthedots R package.
"""

from .charts import spc_chart
from .icons import ASSURANCE_LABELS, VARIATION_LABELS, assurance_icon, variation_icon
from .xmr import MIN_BASELINE, MIN_POINTS, xmr

__all__ = [
    "xmr",
    "variation_icon",
    "assurance_icon",
    "spc_chart",
    "VARIATION_LABELS",
    "ASSURANCE_LABELS",
    "MIN_POINTS",
    "MIN_BASELINE",
]

