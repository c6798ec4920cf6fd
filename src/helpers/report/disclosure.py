"""Statistical disclosure control and redaction for reports about NHS staff: the one layer
every published table, sentence, figure and alt text goes through.

Small-number suppression follows the ONS practice for aggregate tables (ONS, "Disclosure control
guidance for tables produced from administrative data", 2019; the ``[c]`` marker is the one the
ONS uses for confidential cells):

Primary suppression
    A count of 1 to ``suppress_below - 1`` (dataset.yaml, default 5) is shown as ``<5``.
    A true zero is shown as ``0``: hiding it would make every hidden cell look small.
Secondary (complementary) suppression
    Wherever totals are known (a total row, the size of the group published elsewhere, the base
    of a percentage) further cells are hidden so that no hidden count can be worked out by
    subtraction. They are shown as ``[c]`` and every table that has one carries a footnote
    saying so, so a reader who adds a column understands why it does not add up.
What a reader can infer
    The check is made with the reader's knowledge of the markers: a ``<5`` cell is 1 to 4, a
    ``[c]`` cell chosen as a complement is at least the threshold. Along every margin whose
    total is known, the hidden cells must be two or more, add up to at least the threshold,
    and leave every ``<5`` cell free to be any of 1 to 4 (not pinned to one value). When no
    visible cell is left to add, the margin's hidden cells are all shown as ``[c]`` (the reader
    can then no longer tell which is small), and a margin that still fails withholds the table.
Estimates on small or uniform groups
    A percentage is withheld when its count is hidden; a mean whose spread is zero (every
    answer the same, so the mean gives every answer) is withheld; a curve or chart over fewer
    than the threshold people, or with fewer than the threshold events, is not drawn and a
    sentence says why (:func:`curve_withheld`).

Redaction removes direct identifiers from free text before it is quoted: e-mail addresses,
UK telephone numbers, NHS numbers (ten digits, validated or not: a mistyped number is still
an identifier) and the names listed in dataset.yaml ``redact_names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.report.fmt import fmt_int, fmt_pct

SUPPRESSED_PCT = "–"
SECONDARY_MARK = "[c]"
PRIMARY, SECONDARY, MASKED = "primary", "secondary", "masked"
VIRTUAL = "virtual"  # a derived cell (base minus count) that is never shown


def primary_mark(threshold: int) -> str:
    """The marker of a count below the threshold: ``<5``."""
    return f"<{int(threshold)}"


def footnote(threshold: int | None, primary: bool = True, secondary: bool = True) -> str:
    """The footnote explaining the markers a table uses (``threshold`` None: not known)."""
    parts = []
    if threshold is None:
        return (f"{SECONDARY_MARK}: not shown so that a small count cannot be worked out by "
                "subtraction from the totals (complementary suppression).") if secondary else ""
    if primary:
        parts.append(f"{primary_mark(threshold)}: a count of 1 to {int(threshold) - 1}, not shown "
                     "so that no one can be identified.")
    if secondary:
        parts.append(f"{SECONDARY_MARK}: not shown so that a count below {int(threshold)} cannot "
                     "be worked out by subtraction from the totals (complementary suppression).")
    return " ".join(parts)


def _finite(n) -> bool:
    try:
        return n is not None and np.isfinite(float(n))
    except (TypeError, ValueError):
        return False


def is_suppressed(n, threshold: int) -> bool:
    """True when a count must not be shown: 0 < n < threshold.

    A true zero is shown (as ``0``); missing counts are not counts.

    Examples
    --------
    >>> [is_suppressed(n, 5) for n in (0, 1, 4, 5, None)]
    [False, True, True, False, False]
    """
    return bool(_finite(n) and 0 < float(n) < threshold)


def suppress_count(n, threshold: int) -> str:
    """Format a count for a report: ``<5`` for 1 to 4, ``0`` for none, else ``1,118``.

    Examples
    --------
    >>> [suppress_count(n, 5) for n in (0, 3, 5, 1118)]
    ['0', '<5', '5', '1,118']
    """
    if is_suppressed(n, threshold):
        return primary_mark(threshold)
    return fmt_int(n)


def shown_count(value, code: str, threshold: int) -> str:
    """A count as shown for its suppression ``code`` ("" shown, primary ``<5``, else ``[c]``)."""
    if code == PRIMARY:
        return primary_mark(threshold)
    if code in (SECONDARY, MASKED):
        return SECONDARY_MARK
    return fmt_int(value)


def margin_is_safe(values: Sequence[float], codes: Sequence[str], threshold: int) -> bool:
    """Whether the hidden cells of one margin (cells adding up to a known total) are protected.

    Parameters
    ----------
    values : the true counts along the margin (missing values are left out).
    codes : each cell's code: "" shown, ``"primary"`` (reader knows 1 to t-1), ``"secondary"``
        (a complement: reader knows at least t), ``"masked"`` (reader knows nothing) or
        ``"virtual"`` (a derived cell never shown, such as base minus count, not itself small).
    threshold : t.

    Notes
    -----
    Safe when nothing is hidden, or when (a) two or more cells are hidden, (b) their sum R is at
    least t (the hidden cells together are not a small group) and (c) for every primary cell
    the interval left by the total, ``[max(1, R - hi), min(t - 1, R - lo)]`` with ``lo``/``hi``
    the least/greatest the other hidden cells can add up to, still spans more than one value.

    Examples
    --------
    >>> margin_is_safe([17, 3], ["", "primary"], 5)       # 20 - 17 = 3
    False
    >>> margin_is_safe([17, 3], ["secondary", "primary"], 5)
    True
    >>> margin_is_safe([5, 1], ["secondary", "primary"], 5)  # total 6, [c] >= 5, so <5 is 1
    False
    """
    t = int(threshold)
    hidden = [(float(v), c) for v, c in zip(values, codes) if c and _finite(v)]
    if not hidden or all(c == VIRTUAL for _, c in hidden):
        return True
    total = sum(v for v, _ in hidden)
    if len(hidden) == 1 or 0 < total < t:
        return False
    n_primary = sum(1 for _, c in hidden if c == PRIMARY)
    if not n_primary:
        return True
    # every primary cell sees the same others: the other primaries and all the rest
    lo = (n_primary - 1) + t * sum(1 for _, c in hidden if c == SECONDARY)
    hi = np.inf if n_primary < len(hidden) else (t - 1) * (n_primary - 1)
    return min(t - 1, total - lo) > max(1, total - hi)


def protect(values: Sequence[float], margins: Sequence[Sequence[int]], threshold: int,
            fixed: dict[int, str] | None = None,
            candidates: Sequence[bool] | None = None) -> tuple[list[str], list[int]]:
    """Primary and complementary suppression codes for cells linked by known totals.

    Parameters
    ----------
    values : every cell's true count (NaN for a cell that is not a count).
    margins : lists of cell positions whose sum is known to a reader (a column with a total, a
        row, a count and its base); a margin given as ``(cells, total)`` names the cell holding
        its total, and is known only while that cell is shown.
    threshold : ``suppress_below``.
    fixed : codes decided elsewhere (a cohort hidden across the programme's reports).
    candidates : which cells may be hidden as complements (default every cell; a derived cell,
        such as "base minus count", is never shown so it cannot be).

    Returns
    -------
    (codes, unsafe): a code per cell ("", ``primary``, ``secondary``, ``masked``) and the
    positions in ``margins`` that no suppression could protect (the caller withholds them).

    Notes
    -----
    Greedy, smallest cell first (the least information lost, ONS 2019): while a margin fails
    :func:`margin_is_safe`, the smallest visible non-zero cell of it is hidden as a complement.
    When none is left, every hidden cell of the margin becomes ``masked`` (shown ``[c]`` too).
    Ties are broken by position, so the same counts in the same order give the same cells.
    """
    vals = [float(v) if _finite(v) else np.nan for v in values]
    cand = list(candidates) if candidates is not None else [True] * len(vals)
    codes = [PRIMARY if is_suppressed(v, threshold) else "" for v in vals]
    for i, code in (fixed or {}).items():
        if code and (not codes[i] or code != PRIMARY):
            codes[i] = code
    unsafe: set[int] = set()
    changed = True
    while changed:
        changed = False
        for k, margin in enumerate(margins):
            cells, total = margin if isinstance(margin, tuple) else (list(margin), None)
            cells = list(cells)
            if total is not None and codes[total]:
                unsafe.discard(k)  # the total is hidden itself, so nothing can be subtracted
                continue
            if margin_is_safe([vals[i] for i in cells], [codes[i] for i in cells], threshold):
                unsafe.discard(k)
                continue
            free = [i for i in cells if not codes[i] and cand[i] and vals[i] > 0]
            if free:
                pick = min(free, key=lambda i: (vals[i], cells.index(i)))
                codes[pick] = SECONDARY
                changed = True
                continue
            for i in cells:
                if codes[i] in (PRIMARY, SECONDARY):
                    codes[i] = MASKED
                    changed = True
            if not margin_is_safe([vals[i] for i in cells], [codes[i] for i in cells], threshold):
                unsafe.add(k)
    return codes, sorted(unsafe)


def own_cell_code(counts: Mapping[str, float], own: str, threshold: int,
                  fixed: Mapping[str, str] | None = None) -> str:
    """The code of one cohort's cell when a programme total is published beside every cohort's
    report: the cohorts' counts are one margin (:func:`protect`), so a cohort report never shows
    the count that would leave a hidden cohort's by subtraction.

    ``counts`` maps each cohort of the programme to its count; ``fixed`` gives codes decided
    elsewhere (a cohort withheld across the programme's reports).

    Examples
    --------
    >>> own_cell_code({"c1": 4, "c2": 5}, "c2", 5)  # 9 - 5 would give c1's 4
    'secondary'
    >>> own_cell_code({"c1": 0, "c2": 5}, "c2", 5)
    ''
    """
    cohorts = list(counts)
    fixed = fixed or {}
    got, _unsafe = protect([float(counts[c]) for c in cohorts], [list(range(len(cohorts)))],
                           threshold, fixed={i: fixed.get(c, "") for i, c in enumerate(cohorts)})
    return got[cohorts.index(own)] if own in counts else ""


def _codes_frame(counts: pd.DataFrame, threshold: int, axes: Sequence[str],
                 totals_visible: bool, fixed: pd.DataFrame | None = None,
                 parts: dict[str, str] | None = None,
                 body: Sequence[bool] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Suppression codes for a frame of counts; see :func:`suppression_codes`."""
    values = counts.apply(pd.to_numeric, errors="coerce").astype(float)
    nrow, ncol = values.shape
    cols = list(values.columns)
    flat = list(values.to_numpy().ravel())
    cand = [True] * len(flat)
    pos = lambda r, c: r * ncol + c  # noqa: E731
    body_rows = [r for r in range(nrow) if body is None or body[r]]
    margins: list[list[int]] = []
    labels: list[str] = []
    if totals_visible:
        if "columns" in axes:
            for c, name in enumerate(cols):
                totals = [r for r in range(nrow) if r not in body_rows]
                cells = [pos(r, c) for r in body_rows]
                margins.append((cells, pos(totals[0], c)) if len(totals) == 1 else cells)
                labels.append(f"column {name}")
        if "rows" in axes:
            for r in body_rows:
                margins.append([pos(r, c) for c in range(ncol)])
                labels.append(f"row {r + 1}")
    fixed_virtual: dict[int, str] = {}
    for part, base in (parts or {}).items():
        pc, bc = cols.index(part), cols.index(base)
        for r in range(nrow):
            rest = values.iat[r, bc] - values.iat[r, pc]
            flat.append(rest)
            cand.append(False)
            if _finite(rest) and not is_suppressed(rest, threshold):
                fixed_virtual[len(flat) - 1] = VIRTUAL
            margins.append(([pos(r, pc), len(flat) - 1], pos(r, bc)))
            labels.append(f"{part} of {base}, row {r + 1}")
    fixed_codes = {}
    if fixed is not None:
        for r, idx in enumerate(values.index):
            for c, name in enumerate(cols):
                if name in fixed.columns and idx in fixed.index:
                    code = fixed.at[idx, name]
                    if isinstance(code, str) and code:
                        fixed_codes[pos(r, c)] = code
    codes, unsafe = protect(flat, margins, threshold, {**fixed_codes, **fixed_virtual}, cand)
    frame = pd.DataFrame(np.array(codes[: nrow * ncol], dtype=object).reshape(nrow, ncol),
                         index=values.index, columns=cols)
    return frame, [labels[k] for k in unsafe]


def suppression_codes(counts: pd.DataFrame, threshold: int, axes: Sequence[str] = ("columns",),
                      totals_visible: bool = True, fixed: pd.DataFrame | None = None,
                      parts: dict[str, str] | None = None) -> pd.DataFrame:
    """Each cell's suppression code ("", ``primary``, ``secondary``, ``masked``).

    Parameters
    ----------
    counts : DataFrame of non-negative counts (NaN: not a count).
    threshold : the ``suppress_below`` value.
    axes : which margins a reader knows the totals of. ``"columns"``: each column adds up to a
        known total (categories of one group, whose size is published); ``"rows"``: each row's
        cells do.
    totals_visible : when False only ``parts`` margins are checked.
    fixed : codes decided elsewhere, by index and column.
    parts : ``{count column: base column}``: the count is part of the base in the same row, so
        "base minus count" is a count a reader can work out and is protected too.

    Returns
    -------
    DataFrame of codes; ``.attrs["unsafe"]`` lists margins no suppression could protect.

    Examples
    --------
    The Barts cohort of 20 from two trusts: 3 is primary, 17 its complement.

    >>> suppression_codes(pd.DataFrame({"n": [17, 3]}), 5)["n"].tolist()
    ['secondary', 'primary']

    Two small cells that add up to less than 5 need a complement too (a cohort of 23 shown as
    "12 + <5 + <5" hides a 7 by subtraction otherwise):

    >>> suppression_codes(pd.DataFrame({"n": [12, 7, 2, 2]}), 5)["n"].tolist()
    ['', 'secondary', 'primary', 'primary']
    """
    frame, unsafe = _codes_frame(counts, threshold, axes, totals_visible, fixed, parts)
    frame.attrs["unsafe"] = unsafe
    return frame


def disclosure_mask(counts: pd.DataFrame, threshold: int, axes: Sequence[str] = ("columns",),
                    totals_visible: bool = True, fixed: pd.DataFrame | None = None,
                    parts: dict[str, str] | None = None) -> pd.DataFrame:
    """Cells to hide (True), primary or complementary: :func:`suppression_codes` as booleans."""
    codes = suppression_codes(counts, threshold, axes, totals_visible, fixed, parts)
    return codes.ne("")


WITHHELD = "withheld"  # DataFrame.attrs key: why a display table must not be shown


def suppress_table(df: pd.DataFrame, count_cols: Iterable[str], threshold: int,
                   pct_cols: dict[str, str] | None = None, axes: Sequence[str] = ("columns",),
                   totals_visible: bool = True, pct_dp: int = 1,
                   parts: dict[str, str] | None = None, fixed: pd.DataFrame | None = None,
                   total_rows: Sequence[bool] | None = None,
                   hide_with: dict[str, str] | None = None) -> pd.DataFrame:
    """A display copy of ``df`` with counts formatted and small ones suppressed.

    Parameters
    ----------
    df : table with count columns (and optional proportion columns, 0 to 1).
    count_cols : columns holding counts.
    threshold : ``suppress_below``.
    pct_cols : mapping proportion column -> the count column it is built on; the proportion is
        withheld wherever that count is hidden.
    axes, totals_visible, parts, fixed : passed to :func:`suppression_codes`.
    total_rows : True for rows that are totals of the others (an "All" row): they are not part
        of the column margins, and their own small counts are primary-suppressed.
    hide_with : ``{column: count column}``: a further column (a mean, a rate) withheld wherever
        that count is hidden.

    Returns
    -------
    DataFrame of strings for display: ``<N``, ``[c]``, withheld values ``–``. When a margin
    cannot be protected, ``.attrs["withheld"]`` says why and :func:`helpers.report.display.
    table_html` shows that sentence instead of the table.

    Examples
    --------
    >>> t = pd.DataFrame({"trust": ["Barts", "Homerton"], "n": [17, 3], "share": [.85, .15]})
    >>> suppress_table(t, ["n"], 5, pct_cols={"share": "n"})[["n", "share"]].values.tolist()
    [['[c]', '–'], ['<5', '–']]
    """
    count_cols = list(count_cols)
    out = df.copy()
    body = None if total_rows is None else [not bool(x) for x in total_rows]
    frame, unsafe = _codes_frame(df[count_cols], threshold, axes, totals_visible,
                                 fixed, parts, body)
    for col in count_cols:
        out[col] = [shown_count(v, code, threshold) for v, code in zip(df[col], frame[col])]
    for pct_col, base in (pct_cols or {}).items():
        out[pct_col] = [SUPPRESSED_PCT if code else fmt_pct(p, pct_dp)
                        for p, code in zip(df[pct_col], frame[base])]
    for col, base in (hide_with or {}).items():
        out[col] = [SUPPRESSED_PCT if code else v for v, code in zip(out[col], frame[base])]
    out.attrs = {"threshold": int(threshold)}
    if unsafe:
        out.attrs[WITHHELD] = (f"Not shown: with so few people, any breakdown would let a count "
                               f"below {threshold} be worked out from the totals.")
    return out


def group_codes(sizes: pd.Series, threshold: int) -> dict:
    """Suppression code per group (a cohort) of a partition whose total is published.

    ``sizes`` is indexed by group id; the groups are taken in id order so that every report of
    a programme hides the same groups. Groups whose code is not "" must not be reported
    separately: a group of fewer than the threshold, or one whose size would give a smaller
    group's away by subtraction from the total.

    Examples
    --------
    >>> group_codes(pd.Series({"c1": 13, "c2": 4}), 5)
    {'c1': 'secondary', 'c2': 'primary'}
    >>> group_codes(pd.Series({"a": 1, "b": 3, "c": 6}), 5)
    {'a': 'primary', 'b': 'primary', 'c': 'secondary'}
    """
    s = sizes.sort_index()
    codes, _ = protect(list(s.to_numpy(dtype=float)), [list(range(len(s)))], threshold)
    return {k: ("" if c == "" else c) for k, c in zip(s.index, codes)}


def zero_spread(sd, n=None) -> bool:
    """True when a mean must be withheld because every value was the same (SD 0).

    A mean of 3.00 with SD 0.00 over five people says every one of them answered 3.
    A single value (no SD) is a group of one and already suppressed by its count.

    Examples
    --------
    >>> zero_spread(0.0), zero_spread(0.4), zero_spread(float("nan"))
    (True, False, False)
    """
    return bool(_finite(sd) and float(sd) == 0.0)


def pins_answers(level_counts: Sequence[float], threshold: int) -> bool:
    """True when a mean of answers would give away how many chose each answer.

    Over at most two distinct answers, the mean and the number of answers fix the count at
    each (mean 4.25 from 8 answers of 4 or 5 is two 5s), so the mean must be withheld when one
    of those counts is 1 to threshold - 1. One distinct answer is :func:`zero_spread`.

    Examples
    --------
    >>> pins_answers([0, 0, 0, 6, 2], 5), pins_answers([0, 0, 1, 4, 3], 5), pins_answers([0, 0, 0, 8, 0], 5)
    (True, False, True)
    """
    used = [float(c) for c in level_counts if _finite(c) and float(c) > 0]
    return len(used) <= 2 and any(c < threshold for c in used) or len(used) == 1


ZERO_SPREAD_NOTE = ("A mean is not shown (–) where the answers were all the same, or took only "
                    "two values one of which few people gave, because it would give their answers.")


def curve_withheld(n, events, threshold: int, what: str = "curve") -> str | None:
    """Why a survival or pipeline curve (or any per-person chart) must not be drawn, or None.

    A step curve over a small group shows each person's time; with fewer than the threshold
    events, each step is one identifiable person's move. Withheld when ``n`` or ``events`` is
    1 to threshold - 1 (no events at all draws a flat line, which shows nothing about anyone
    beyond the count of people, itself checked).

    Examples
    --------
    >>> curve_withheld(1, 1, 5)
    'The curve is not shown: it would be drawn from fewer than 5 people, so each step would be one person.'
    >>> curve_withheld(40, 12, 5) is None
    True
    """
    t = int(threshold)
    if _finite(n) and float(n) < t:
        return (f"The {what} is not shown: it would be drawn from fewer than {t} people, so each "
                "step would be one person.")
    if is_suppressed(events, t):
        return (f"The {what} is not shown: fewer than {t} moves were seen, so each step would be "
                "one person's move.")
    return None


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# UK numbers: +44 or 0, then 9-10 more digits, optionally grouped by spaces, dots or hyphens.
_PHONE = re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?|\(?0)(?:[\s.-]?\d){9,10}(?!\d)")
# NHS numbers: ten digits, optionally as 3-3-4 with spaces or hyphens.
_NHS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")


def nhs_number_is_valid(number: str) -> bool:
    """Modulus 11 check of an NHS number (NHS Data Dictionary, "NHS Number").

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11), 11 -> 0, 10 invalid.
    """
    digits = re.sub(r"\D", "", str(number))
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Remove direct identifiers from a quote.

    E-mail addresses become ``[email]``, NHS numbers ``[NHS number]``, UK telephone numbers
    ``[phone]`` and each listed name (whole words, any case) ``[name]``. NHS numbers are
    replaced before phone numbers because a spaced NHS number also looks like a phone number.
    """
    if text is None:
        return ""
    out = _EMAIL.sub("[email]", str(text))
    out = _NHS.sub("[NHS number]", out)
    out = _PHONE.sub("[phone]", out)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", out, flags=re.IGNORECASE)
    return out
