"""Numbers formatted for people: thousands separators, sensible decimals, intervals and p-values.

Conventions follow the Government Analysis Function's guidance on presenting statistics
(whole numbers with thousands separators, no spurious precision) and the APA style for
p-values (``p < 0.001``; exact values to three decimals otherwise).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def fmt_int(n) -> str:
    """Whole number with thousands separators: ``1118 -> '1,118'``; missing -> en dash."""
    if _missing(n):
        return "–"
    return f"{int(round(float(n))):,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with its noun in the right number, "no" for zero: "1 cohort", "3 cohorts".

    Every generated sentence that counts something goes through this, so that no report
    says "1 groups" or "coder(s)".

    Examples
    --------
    >>> [plural(n, "cohort") for n in (0, 1, 10)]
    ['no cohorts', '1 cohort', '10 cohorts']
    >>> plural(2, "allied health professional")
    '2 allied health professionals'
    >>> plural(1, "person", "people"), plural(1200, "person", "people")
    ('1 person', '1,200 people')
    """
    many = many or one + "s"
    if n == 0:
        return f"no {many}"
    return f"{fmt_int(n)} {one if n == 1 else many}"


def fmt_num(x, dp: int = 2) -> str:
    """A number to ``dp`` decimals with thousands separators; missing -> en dash.

    Negative numbers carry the true minus sign (U+2212), as :func:`fmt_signed` does, so an
    interval such as ``−39.0 to 34.4`` matches the estimate beside it and screen readers say
    "minus". A negative zero (``-0.00``) is shown as ``0.00`` so a null change never reads as
    a fall.
    """
    if _missing(x):
        return "–"
    text = f"{float(x):,.{dp}f}"
    if text.startswith("-"):
        text = text[1:] if float(text.replace(",", "")) == 0 else "−" + text[1:]
    return text


def fmt_sig(x, sig: int = 2) -> str:
    """A small proportion to ``sig`` significant figures, written out: ``0.000213 -> '0.00021'``,
    ``0.123 -> '0.12'``; missing -> en dash. For quantities such as network density that fall
    towards zero as a network grows, where a fixed number of decimals shows ``0.000``.
    """
    if _missing(x):
        return "–"
    text = np.format_float_positional(float(x), precision=sig, unique=False, fractional=False, trim="-")
    return "−" + text[1:] if text.startswith("-") else text


def fmt_signed(x, dp: int = 2) -> str:
    """A change with its sign: ``0.42 -> '+0.42'``, ``-0.1 -> '−0.10'`` (true minus sign)."""
    if _missing(x):
        return "–"
    text = fmt_num(abs(float(x)), dp)
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if float(x) > 0 else "−") + text


def fmt_pct(proportion, dp: int = 1) -> str:
    """A proportion (0 to 1) as a percentage: ``0.497 -> '49.7%'``; missing -> en dash."""
    if _missing(proportion):
        return "–"
    return f"{fmt_num(100 * float(proportion), dp)}%"


def fmt_ci(low, high, dp: int = 2) -> str:
    """A confidence interval in words: ``(0.31, 0.53) -> '0.31 to 0.53'``.

    "to" rather than a hyphen, because a hyphen between two signed numbers misreads.
    """
    if _missing(low) or _missing(high):
        return "not estimable"
    return f"{fmt_num(low, dp)} to {fmt_num(high, dp)}"


def fmt_p(p) -> str:
    """APA-style p-value: ``p < 0.001`` below one in a thousand, else ``p = 0.032``."""
    if _missing(p):
        return "p not estimable"
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def is_number(x) -> bool:
    """True for real numbers (not bools, not missing)."""
    return isinstance(x, Real) and not isinstance(x, bool) and not _missing(x)
