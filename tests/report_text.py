"""The readable text of a published report, for comparing report content before and after a change.

Tags, scripts, styles and embedded figures are dropped and whitespace is collapsed, so that a
change of markup or of a figure's pixels does not count as a change of content, while every
number and sentence a reader sees does.
"""

from __future__ import annotations

import html
import re

_DROP = re.compile(r"<(script|style|svg|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK = re.compile(r"</?(p|div|h[1-6]|li|tr|table|section|figure|figcaption|br|caption|ul|ol|dt|dd)\b[^>]*>",
                    re.IGNORECASE)
_CELL = re.compile(r"</?(td|th)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
#: Values that differ from one run to the next without the content changing.
_VOLATILE = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}| UTC)?"),
     "<timestamp>"),
    (re.compile(r"\b[0-9a-f]{12,64}\b"), "<hash>"),
]


def report_text(page: str) -> str:
    """The text of an HTML report: one block per line, cells separated by `` | ``.

    Examples
    --------
    >>> report_text("<h1>Reach</h1><p>12 &amp; <b>more</b></p><img src='data:x'><table><tr><td>a</td><td>1</td></tr></table>")
    'Reach\\n12 & more\\na | 1'
    """
    text = _COMMENT.sub(" ", _DROP.sub(" ", page))
    text = _CELL.sub(" | ", text)
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    lines = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip().strip("|").strip()
        line = re.sub(r"\s*\|\s*(\|\s*)*", " | ", line)
        if line:
            lines.append(line)
    return "\n".join(lines)
