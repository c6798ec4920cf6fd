"""Executed notebook -> one self-contained, offline HTML page, with nbconvert and our template.

nbconvert's own ``lab`` template loads require.js and MathJax from a CDN (nbconvert #754, #1770)
and ignores papermill's report mode, so leadeval renders with a template of its own
(``templates/leadeval``): no script at all, inline CSS with a print stylesheet, no code inputs,
no parameters / injected-parameters / papermill error cells, a header with the report title and
scope, and an ``id="provenance"`` block. Every output and markdown cell passes through
:func:`helpers.runner.sanitize.sanitize_html`; every string leadeval adds is escaped.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import nbformat
from nbconvert.exporters import TemplateExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from helpers.runner.params import first_heading
from helpers.runner.sanitize import escape_text, sanitize_html

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell",
               "remove_cell"}
_B64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_HEADING = re.compile(r"<h([2-4])>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _markdown(source: str) -> str:
    return markdown2html_mistune(source)


def heading_id(text: str) -> str:
    """The ``id`` a markdown heading gets in the page, for a contents list to link to.

    Lower case, runs of anything but letters and digits as one hyphen, prefixed ``sec-`` so a
    heading can never take the id of the page's own blocks (``provenance``).

    Examples
    --------
    >>> heading_id("1. Summary of findings")
    'sec-1-summary-of-findings'
    >>> heading_id("4.2 Learning (Kirkpatrick level 2)")
    'sec-4-2-learning-kirkpatrick-level-2'
    """
    return "sec-" + (_NOT_SLUG.sub("-", html.unescape(text).lower()).strip("-") or "heading")


def _with_heading_ids(fragment: str) -> str:
    """Sanitised markdown HTML with an id on each h2-h4 (the sanitiser drops every id)."""
    return _HEADING.sub(lambda m: f'<h{m[1]} id="{heading_id(_TAG.sub("", m[2]))}">{m[2]}</h{m[1]}>',
                        fragment)


def render_markdown_cell(cell) -> str:
    """A markdown cell as sanitised HTML (local and remote images are dropped), its headings
    given ids (:func:`heading_id`) so that a contents list can link to them."""
    source = _text(cell.get("source"))
    if not source.strip():
        return ""
    return _with_heading_ids(sanitize_html(_ANCHOR.sub("", _markdown(source))))


def _image(mime: str, data) -> str:
    b64 = _text(data).strip()
    if not _B64.match(b64):
        return ""
    return f'<figure class="output"><img src="data:{mime};base64,{b64.replace(chr(10), "")}" alt=""></figure>'


def render_output(output) -> str:
    """One cell output as sanitised HTML; errors and stderr are never shown.

    Priority: text/html, image/png, image/jpeg, text/markdown, text/plain. SVG is not rendered
    (it is a document format that can carry script and remote references).
    """
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") != "stdout":
            return ""
        text = _text(output.get("text"))
        return f'<pre class="output">{escape_text(text)}</pre>' if text.strip() else ""
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data", {})
    if "text/html" in data:
        return f'<div class="output">{sanitize_html(_text(data["text/html"]))}</div>'
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return _image(mime, data[mime])
    if "text/markdown" in data:
        return f'<div class="output">{sanitize_html(_ANCHOR.sub("", _markdown(_text(data["text/markdown"]))))}</div>'
    if "text/plain" in data:
        return f'<pre class="output">{escape_text(_text(data["text/plain"]))}</pre>'
    return ""


def prepare_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` without hidden cells and without the title line (shown in the header).

    A shallow copy: the cells it keeps are ``nb``'s own, but for the one whose title line goes,
    which is replaced. ``nb`` itself is left as it was; nbconvert copies the whole notebook
    before it renders, so a deep copy here would be a second one.
    """
    cells = [c for c in nb["cells"]
             if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags") or [])]
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        lines = _text(cell.get("source")).splitlines()
        for j, line in enumerate(lines):
            if line.strip().startswith("#"):
                cells[i] = nbformat.NotebookNode({**cell, "source": "\n".join(lines[:j] + lines[j + 1:])})
                break
        break
    return nbformat.NotebookNode({**nb, "cells": cells})


@lru_cache(maxsize=1)
def _exporter():
    exporter = TemplateExporter(template_name="leadeval", extra_template_basedirs=[str(TEMPLATES)],
                                exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True,
                                # the notebook is checked once, after every preprocessor, not
                                # after each of them (nbconvert runs a dozen, mostly disabled)
                                optimistic_validation=True)
    exporter.output_mimetype = "text/html"
    exporter.file_extension = ".html"
    exporter.register_filter("render_output", render_output)
    exporter.register_filter("render_markdown_cell", render_markdown_cell)
    return exporter


PROVENANCE_LABELS = [
    ("dataset", "Dataset"),
    ("dataset_hash", "Dataset content hash"),
    ("parameters", "Parameters"),
    ("version", "leadeval version"),
    ("git_commit", "Git commit"),
    ("generated_at", "Generated"),
]


def parameters_text(parameters: dict) -> str:
    """A job's parameters as a reader (and papermill) would set them; a parameter left unset,
    such as the cohort of a programme report, is said to be so rather than printed as None.

    Examples
    --------
    >>> parameters_text({"programme_id": "kf_scl", "cohort_id": None})
    'programme_id = kf_scl, cohort_id not set (all cohorts)'
    >>> parameters_text({"programme_id": "kf_scl", "cohort_id": "kf_c01"})
    'programme_id = kf_scl, cohort_id = kf_c01'
    >>> parameters_text({})
    'none'
    """
    unset = {"cohort_id": "not set (all cohorts)"}
    parts = [f"{k} {unset.get(k, 'not set')}" if v is None else f"{k} = {v}"
             for k, v in parameters.items()]
    return ", ".join(parts) or "none"


def provenance_rows(provenance: dict) -> list[tuple[str, str]]:
    """Label/value pairs for the provenance block, in a fixed order; absent values omitted."""
    rows = []
    for key, label in PROVENANCE_LABELS:
        value = provenance.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, dict):
            value = parameters_text(value)
        rows.append((label, str(value)))
    return rows


def css_string(text: str) -> str:
    r"""``text`` as a quoted CSS string in which no character of it appears literally.

    Every character is written as a CSS hex escape, so quotes, backslashes, newlines and
    ``</style>`` from data stay text, and nothing from the data can be read (or matched) in
    the stylesheet's source.

    Examples
    --------
    >>> print(css_string('A "B" </style>'))
    "\41 \20 \22 \42 \22 \20 \3c \2f \73 \74 \79 \6c \65 \3e "
    """
    return '"' + "".join(f"\\{ord(c):x} " for c in text) + '"'


def running_header(title: dict, provenance: dict) -> str:
    """The printed pages' running header: the report's scope and the date it was generated.

    Examples
    --------
    >>> running_header({"heading": "Outcomes", "scope": "Barts (all cohorts)"},
    ...                {"generated_at": "2026-12-02T17:09:46Z"})
    'Barts (all cohorts) · 2 December 2026'
    """
    scope = title.get("scope") or title.get("heading") or "Evaluation report"
    stamp = str(provenance.get("generated_at") or "")
    try:
        when = datetime.strptime(stamp[:10], "%Y-%m-%d")
    except ValueError:
        return scope
    return f"{scope} · {when.day} {when:%B %Y}"


def notebook_to_html(nb, title: dict, provenance: dict) -> str:
    """Render an executed notebook to the report page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : dict
        ``heading`` (the notebook's first heading), ``scope`` (parameters in words) and ``full``
        (both, for the page title).
    provenance : dict
        ``dataset``, ``dataset_hash``, ``parameters`` (dict), ``version``, ``git_commit``,
        ``generated_at``.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.from_dict(nb)
    prepared = prepare_cells(nb)
    heading = title.get("heading") or first_heading(nb["cells"]) or "Report"
    full = title.get("full") or " — ".join(x for x in (heading, title.get("scope")) if x)
    resources = {"leadeval": {"title": {"heading": heading, "scope": title.get("scope"), "full": full},
                              "provenance": provenance,
                              "provenance_rows": provenance_rows(provenance),
                              "running_header": css_string(running_header(title, provenance))}}
    body, _ = _exporter().from_notebook_node(prepared, resources=resources)
    return body
