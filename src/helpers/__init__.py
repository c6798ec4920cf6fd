"""leadeval: evaluation helpers for clinical leadership development programmes.

All analysis logic lives in this package; notebooks only call it.
"""

__version__ = "0.2.0"
