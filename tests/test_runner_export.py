"""HTML export: our template, no code, no remote or local references, sanitised outputs."""

import json
import re
from html import unescape
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.runner.export import first_heading, notebook_to_html, render_markdown_cell
from helpers.runner.sanitize import sanitize_html

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<img src="file:///etc/passwd">',
    '<img src="https://tracker.example.org/p.png">',
    '<link rel="stylesheet" href="https://cdn.example.org/x.css">',
    '<iframe src="https://example.org"></iframe>',
    '<svg onload="alert(1)"><image href="file:///etc/passwd"/></svg>',
    '<div style="background:url(https://example.org/x)">s</div>',
    '<form action="https://example.org"><input name=q></form>',
    '<p id="provenance">forged provenance</p>',
    '<meta http-equiv="refresh" content="0;url=https://example.org">',
    '<object data="file:///etc/passwd"></object>',
    '<a href="//example.org/x">protocol-relative</a>',
    '<a href="/etc/passwd.html">absolute path</a>',
    '<a href="file:///x.html">file link</a>',
]


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.tags, self.ids = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "srcset", "poster"):
                self.refs.append((tag, name, value))
            if name == "id":
                self.ids.append(value)
            assert not name.startswith("on"), (tag, name)


def _refs(html):
    parser = _Refs()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("fragment", HOSTILE)
def test_sanitiser_removes_active_and_remote_content(fragment):
    clean = sanitize_html(fragment)
    parser = _refs(clean)
    assert not {"script", "iframe", "svg", "link", "form", "input", "object", "meta", "style"} & set(parser.tags)
    for _tag, _name, value in parser.refs:
        assert value.startswith(("data:image/png;base64,", "#")), value
    assert parser.ids == []


def test_links_between_reports_are_kept():
    assert 'href="../all/20_outcomes.html"' in sanitize_html('<a href="../all/20_outcomes.html">x</a>')


def _executed_notebook():
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells = [
        new_markdown_cell("# Data quality\nWhat the dataset holds."),
        new_code_cell("programme_id = 'x'", metadata={"tags": ["parameters"]}),
        new_code_cell("programme_id = 'SECRET_INJECTED'", metadata={"tags": ["injected-parameters"]},
                      outputs=[new_output("stream", name="stdout", text="INJECTED_OUTPUT")]),
        new_markdown_cell("## Tables\n" + HOSTILE[4] + " ![x](/etc/hostname)"),
        new_code_cell("show_table(SECRET_CODE_INPUT)", outputs=[
            new_output("display_data", data={"text/html": "".join(HOSTILE) + "<table><tr><td>42</td></tr></table>",
                                             "text/plain": "table"}),
            new_output("display_data", data={"image/png": PNG, "image/svg+xml": "<svg/>"}),
            new_output("display_data", data={"image/svg+xml": "<svg><script>alert(1)</script></svg>",
                                             "text/plain": "<Figure size 10x10>"}),
            new_output("stream", name="stdout", text="<b>participant text</b> & co"),
            new_output("stream", name="stderr", text="WARNING_TEXT"),
            new_output("error", ename="ValueError", evalue="TRACEBACK_TEXT", traceback=["TRACEBACK_TEXT"]),
        ]),
        new_markdown_cell("An Exception was encountered", metadata={"tags": ["papermill-error-cell-tag"]}),
    ]
    return nb


def test_report_page_is_offline_codeless_and_has_provenance():
    nb = _executed_notebook()
    prov = {"dataset": "sample <dataset>", "dataset_hash": "abc123", "version": "0.1.0",
            "parameters": {"programme_id": "kf_scl", "cohort_id": None},
            "git_commit": "deadbeef", "generated_at": "2026-11-25T00:00:00Z"}
    html = notebook_to_html(nb, {"heading": first_heading(nb.cells), "scope": "King's Fund (all cohorts)"}, prov)
    parser = _refs(html)
    for _tag, _name, value in parser.refs:
        assert value.startswith(("data:image/png;base64,", "#")), value
    assert "script" not in parser.tags and "link" not in parser.tags
    for hidden in ("SECRET_CODE_INPUT", "SECRET_INJECTED", "INJECTED_OUTPUT", "WARNING_TEXT",
                   "TRACEBACK_TEXT", "An Exception was encountered", "/etc/", "tracker.example"):
        assert hidden not in html, hidden
    # the page's own block, and the markdown headings' ids for a contents list (never an output's)
    assert [i for i in parser.ids if not i.startswith("sec-")] == ["provenance"]
    assert "<td>42</td>" in html
    assert "&lt;b&gt;participant text&lt;/b&gt; &amp; co" in html
    assert html.count("<img") == 1 and f"data:image/png;base64,{PNG}" in html
    title = re.search(r"<title>(.*)</title>", html).group(1)
    assert unescape(title) == "Data quality — King's Fund (all cohorts)" and "'" not in title
    assert "sample &lt;dataset&gt;" in html and "abc123" in html and "deadbeef" in html
    assert "programme_id = kf_scl, cohort_id not set (all cohorts)" in html
    assert "@media print" in html and "<style>" in html
    assert 'name="viewport"' in html


def test_markdown_headings_get_ids_a_contents_list_can_link_to_but_outputs_do_not():
    cell = {"cell_type": "markdown", "source": "## 1. Summary of findings\n\n[go](#sec-1-summary-of-findings)"}
    rendered = render_markdown_cell(cell)
    assert '<h2 id="sec-1-summary-of-findings">1. Summary of findings</h2>' in rendered
    assert 'href="#sec-1-summary-of-findings"' in rendered
    # a heading cannot take the page's provenance id, and output HTML keeps no id at all
    assert 'id="sec-provenance"' in render_markdown_cell({"cell_type": "markdown", "source": "## provenance"})
    assert "id=" not in sanitize_html('<h2 id="provenance">forged</h2>')


def test_export_leaves_the_executed_notebook_as_it_was_and_drops_only_the_title_line():
    nb = _executed_notebook()
    before = nbformat.writes(nb)
    prov = {"generated_at": "2026-11-25T00:00:00Z"}
    first = notebook_to_html(nb, {"heading": first_heading(nb.cells)}, prov)
    assert nbformat.writes(nb) == before  # the kept notebook (--keep-notebooks) keeps its title
    # the same page from a plain dict, and again from the same notebook
    assert notebook_to_html(json.loads(before),
                            {"heading": first_heading(nb.cells)}, prov) == first
    assert notebook_to_html(nb, {"heading": first_heading(nb.cells)}, prov) == first
    title_line = next(line for line in nb.cells[0].source.splitlines() if line.startswith("#"))
    assert first.count(unescape(title_line.lstrip("# ").strip())) == 2  # <title> and <h1> only
