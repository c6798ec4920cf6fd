"""Showing results in a notebook, and so in the HTML report, without ever trusting data text.

Every function here builds HTML from escaped strings (``html.escape``), so a programme name,
code label or quote that contains markup is shown as text. The runner sanitises the final HTML
again; escaping here is the first line, not the only one. Pure ``*_html`` builders are tested;
``show_*`` wrappers display them.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display

from helpers.report.disclosure import SECONDARY_MARK, WITHHELD, footnote
from helpers.report.fmt import fmt_int, fmt_num, is_number


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


#: zlib level of the reports' PNG figures. Pillow's default is 6; on charts (flat colours and
#: text) 3 encodes in about two thirds of the time for images a few per cent larger.
PNG_COMPRESS_LEVEL = 3

# Strings that read as numbers after formatting ("1,118", "<5", "49.7%", "+0.42", "−0.10").
_NUMERIC_TEXT = re.compile(r"^(?:[<+\-−]?\d[\d,]*(\.\d+)?%?|\[c\])$")
_PRIMARY_TEXT = re.compile(r"^<(\d+)$")


def marker_note(texts: Iterable[str], threshold: int | None = None) -> str | None:
    """The footnote for the suppression markers found among a table's cell texts, or None.

    Every table that shows ``<5`` or ``[c]`` says what they mean, so a column that does not
    add up is explained where it is read.
    """
    texts = set(texts)
    thresholds = {int(m.group(1)) for t in texts if (m := _PRIMARY_TEXT.match(t))}
    secondary = SECONDARY_MARK in texts
    if not thresholds and not secondary:
        return None
    return footnote(max(thresholds) if thresholds else threshold, primary=bool(thresholds),
                    secondary=secondary)


def _cell(value, dp: int) -> tuple[str, bool]:
    """Text for one table cell and whether it is numeric (right-aligned)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–", False
    if isinstance(value, bool):
        return ("Yes" if value else "No"), False
    if is_number(value):
        if float(value).is_integer() and not isinstance(value, float):
            return fmt_int(value), True
        return fmt_num(value, dp), True
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d %b %Y"), False
    return str(value), False


def table_html(df: pd.DataFrame, caption: str, units: str | None = None, dp: int = 2,
               index: bool = False, note: str | None = None,
               count_cols: list[str] | tuple[str, ...] = ()) -> str:
    """An accessible HTML table: caption (with units), header cells with scope, escaped cells.

    Numbers are formatted for people (thousands separators, ``dp`` decimals) and right-aligned;
    strings already formatted by the caller (such as ``<5`` or ``1,118``) are kept as they are
    and right-aligned too. Cells of ``count_cols`` (counts of people) carry ``class="num count"``
    so the disclosure scanner (:mod:`helpers.report.scan`) checks every one of them.
    """
    frame = df.reset_index() if index else df
    withheld = df.attrs.get(WITHHELD)
    if withheld:  # a table that cannot be protected is replaced by the reason, caption kept
        return (f'<div class="le-table-withheld" role="note"><p><strong>{_esc(caption)}</strong>'
                f"</p><p>{_esc(withheld)}</p></div>")
    counted = {i for i, c in enumerate(frame.columns) if c in set(count_cols)}
    cap = _esc(caption) + (f" <span class=\"units\">({_esc(units)})</span>" if units else "")
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in frame.columns)
    rows = []
    texts = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for i, value in enumerate(record):
            text, numeric = _cell(value, dp)
            texts.append(text)
            numeric = numeric or bool(_NUMERIC_TEXT.match(text))
            cls = ' class="num count"' if i in counted else (' class="num"' if numeric else "")
            cells.append(f"<td{cls}>{_esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "".join(rows) if rows else f'<tr><td colspan="{max(len(frame.columns), 1)}">No data.</td></tr>'
    notes = [n for n in (note, marker_note(texts, df.attrs.get("threshold")),
                         *df.attrs.get("notes", ())) if n]
    foot = "".join(f'<p class="table-note">{_esc(n)}</p>' for n in dict.fromkeys(notes))
    # The wrapper scrolls a table wider than the screen, so a keyboard must be able to reach it
    # (WCAG 2.1.1): focusable, a region, named by the caption.
    return (f'<div class="le-table-wrap" tabindex="0" role="region" aria-label="{_esc(caption)}">'
            f'<table class="le-table"><caption>{cap}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>")


def longer_side_down(df: pd.DataFrame, key: str, across: str) -> pd.DataFrame:
    """A cross-table with its longer list running down the page.

    ``df`` has the row labels in column ``key`` and one column per category of ``across``.
    When the categories outnumber the rows (38 organisations against 5 themes), the table is
    turned so the categories are rows, headed ``across``; a table with more columns than the
    screen or the page can hold would otherwise lose them off to the side. The cells, their
    suppression and the frame's notes are kept as they are.

    Examples
    --------
    >>> t = pd.DataFrame({"Theme": ["Voice"], "Trust A": ["<5"], "Trust B": [7]})
    >>> longer_side_down(t, "Theme", "Organisation").to_dict("records")
    [{'Organisation': 'Trust A', 'Voice': '<5'}, {'Organisation': 'Trust B', 'Voice': 7}]
    >>> longer_side_down(t.iloc[:0], "Theme", "Organisation").columns.tolist()
    ['Theme', 'Trust A', 'Trust B']
    """
    if df.empty or len(df.columns) - 1 <= len(df):
        return df
    turned = df.set_index(key).T.rename_axis(across).reset_index()
    turned.columns.name = None
    turned.attrs = dict(df.attrs)
    return turned


def figure_html(fig, alt: str, caption: str | None = None) -> str:
    """A matplotlib figure as an embedded PNG with alt text and an optional caption.

    The image is a ``data:`` URI so the report stays one self-contained file; the figure is
    closed afterwards so long notebooks do not accumulate memory.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None},
                pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    return (f'<figure class="le-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{_esc(alt)}">{cap}</figure>')


def sentences_html(sentences: Iterable[str], title: str | None = None) -> str:
    """Generated findings as an escaped bullet list (a plain paragraph when there is one)."""
    items = [s for s in sentences if s]
    head = f"<p class=\"findings-title\"><strong>{_esc(title)}</strong></p>" if title else ""
    if not items:
        return head
    if len(items) == 1:
        return f'{head}<p class="finding">{_esc(items[0])}</p>'
    return head + '<ul class="findings">' + "".join(f"<li>{_esc(s)}</li>" for s in items) + "</ul>"


def callout_html(text: str, kind: str = "note") -> str:
    """A highlighted note or warning (``kind`` is ``note``, ``warning`` or ``caveat``)."""
    kind = kind if kind in {"note", "warning", "caveat"} else "note"
    label = {"note": "Note", "warning": "Warning", "caveat": "Caveat"}[kind]
    return (f'<div class="callout callout-{kind}" role="note"><strong>{label}:</strong> '
            f"{_esc(text)}</div>")


def link_html(text: str, href: str) -> str:
    """A link to another report in the same reports tree; only relative ``.html`` targets."""
    if "://" in href or href.startswith(("/", "javascript:", "data:")) or not href.endswith(".html"):
        raise ValueError(f"only relative links to .html reports are allowed, got {href!r}")
    return f'<a href="{_esc(href)}">{_esc(text)}</a>'


def _display(markup: str) -> None:
    display(HTML(markup))


def show_table(df: pd.DataFrame, caption: str, units: str | None = None, dp: int = 2,
               index: bool = False, note: str | None = None,
               count_cols: list[str] | tuple[str, ...] = ()) -> None:
    """Display :func:`table_html`."""
    _display(table_html(df, caption, units=units, dp=dp, index=index, note=note,
                        count_cols=count_cols))


def show_figure(fig, alt: str, caption: str | None = None) -> None:
    """Display :func:`figure_html`."""
    _display(figure_html(fig, alt, caption))


def show_sentences(sentences: Iterable[str], title: str | None = None) -> None:
    """Display :func:`sentences_html`."""
    _display(sentences_html(sentences, title))


def show_callout(text: str, kind: str = "note") -> None:
    """Display :func:`callout_html`."""
    _display(callout_html(text, kind))


def show_link(text: str, href: str) -> None:
    """Display :func:`link_html` as its own paragraph."""
    _display(f"<p>{link_html(text, href)}</p>")
