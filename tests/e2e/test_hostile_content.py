"""Hostile content end to end: data text that tries to become markup is shown as text.

The hostile run (conftest ``hostile_run``) publishes every report of a small sample whose
free-text values each carry one of tests/hostile's strings (script, event handlers,
javascript: links, remote images and stylesheets, Jupyter display maths, entities, template
expressions, local file references). Every published page must show each string as a reader
would type it, run nothing and fetch nothing. A separate one-job run checks that a notebook's
own markdown and outputs cannot pull a local file into the page (nbconvert CVE-2026-39378).
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest

from helpers.report.scan import ACTIVE_KINDS, OFFLINE_KINDS, parse_html, scan_file
from hostile import HOSTILE

from .conftest import publish

pytestmark = pytest.mark.slow

MARKERS = re.compile(r"HX\d\d")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_pages(hostile_run):
    assert hostile_run.reports, f"the hostile run published nothing:\n{hostile_run.describe()}"
    return {p.relative_to(hostile_run.out).as_posix(): p.read_text(encoding="utf-8")
            for p in hostile_run.reports}


def test_hostile_run_publishes_every_job(hostile_run):
    """Markup, dollar signs or braces in a label must not crash a notebook (no lost report)."""
    jobs = hostile_run.manifest.get("jobs", [])
    not_ok = [(j["output"], j["status"], j.get("error")) for j in jobs
              if j["status"] not in ("ok", "not_applicable")]
    assert jobs and not not_ok, not_ok
    assert hostile_run.returncode == 0, hostile_run.describe()


def test_no_script_handler_frame_or_remote_reference(hostile_run):
    findings = [f for p in hostile_run.reports for f in scan_file(p, root=hostile_run.out)
                if f.kind in ACTIVE_KINDS | OFFLINE_KINDS]
    assert not findings, "\n".join(f"{f.kind}: {f.detail} at {f.location}" for f in findings[:60])


def _occurrences(text: str, hostile) -> tuple[int, list[str]]:
    """How often ``hostile`` is shown whole, and the occurrences of its marker that are
    neither whole nor a visibly shortened prefix (``HX01 <scr…``)."""
    whole, bad, done = 0, [], 0
    for m in re.finditer(re.escape(hostile.marker), text):
        if m.start() < done:
            continue  # the marker repeated inside the string itself
        rest = text[m.start():]
        if rest.startswith(hostile.text):
            whole += 1
            done = m.start() + len(hostile.text)
            continue
        cut = re.match(r"(.{4,}?)\s*(?:…|\.\.\.)", rest[: len(hostile.text) + 3])
        if not (cut and hostile.text.startswith(cut.group(1))):
            bad.append(rest[: len(hostile.text) + 10])
    return whole, bad


def test_every_hostile_string_is_shown_as_text(hostile_pages):
    """Each string appears, whole and as typed, in the visible text of some published page,
    and wherever its marker appears the string is whole (or visibly shortened with an
    ellipsis): nothing was stripped, mangled or rendered."""
    visible = {name: _squash(parse_html(markup).text) for name, markup in hostile_pages.items()}
    never, mangled = [], {}
    for h in HOSTILE:
        h = type(h)(h.marker, h.kind, _squash(h.text))
        total = 0
        for name, text in visible.items():
            whole, bad = _occurrences(text, h)
            total += whole
            if bad:
                mangled.setdefault(f"{h.marker} {h.kind}", []).append((name, bad[:2]))
        if not total:
            never.append(f"{h.marker} {h.kind}")
    assert not never, f"never shown verbatim as text in any report: {never}"
    assert not mangled, f"shown altered (stripped or rendered) somewhere: {mangled}"


def test_markup_from_data_stays_escaped_in_the_source(hostile_pages):
    joined = "\n".join(hostile_pages.values())
    assert "&lt;script&gt;alert(" in joined
    assert "&amp;lt;b&amp;gt;" in joined  # an entity in the data is shown as the entity
    assert not re.search(r"<script\b", joined, re.IGNORECASE)
    assert "49" not in re.findall(r"HX14 (\S+)", joined)  # "{{ 7*7 }}" was never evaluated


def test_data_never_reaches_a_tag_attribute_script_or_style(hostile_pages):
    """A marker may sit in text or in alt/title/aria-label text, never in a URL, a style, an
    event handler, a tag name or inside <script>/<style>/comments."""
    misplaced = []
    for name, markup in hostile_pages.items():
        # base64 in data: URIs can spell anything, markers included
        doc = parse_html(DATA_URI.sub("data:", markup), name)
        for context, text, line, _ in doc.raw_chunks:
            if MARKERS.search(text):
                misplaced.append(f"{name}:{line} inside <{context}>")
        for el in doc.elements:
            if MARKERS.search(el.tag):
                misplaced.append(f"{name}:{el.line} tag {el.tag}")
            for attr, value in el.attrs:
                if MARKERS.search(attr) or (MARKERS.search(value)
                                            and attr not in ("alt", "title", "aria-label")):
                    misplaced.append(f"{name}:{el.line} <{el.tag} {attr}={value[:60]!r}>")
    assert not misplaced, misplaced[:40]


# --------------------------------------------------------------------------- local files

SECRET_NAME = "secret.png"


def _leaky_notebook(path: Path, refs: str) -> None:
    """A notebook whose markdown and outputs point at local files in every way we know."""
    params = 'dataset: str | None = None\nprogramme_id: str = "barts_kf_scl"\ncohort_id: str | None = None'
    code = ("from IPython.display import HTML, Markdown, display\n"
            f"refs = {refs!r}\n"
            "display(Markdown(refs))\n"
            "display(HTML(refs))\n"
            "display({'text/html': refs, 'text/markdown': refs, 'text/plain': 'refs'}, raw=True)")
    cells = [
        {"cell_type": "markdown", "id": "c0", "metadata": {}, "source": "# Local file probe"},
        {"cell_type": "code", "id": "c1", "metadata": {"tags": ["parameters"]}, "source": params,
         "outputs": [], "execution_count": None},
        {"cell_type": "markdown", "id": "c2", "metadata": {}, "source": "## Markdown cell\n" + refs},
        {"cell_type": "code", "id": "c3", "metadata": {}, "source": code, "outputs": [],
         "execution_count": None},
    ]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}, "language_info": {"name": "python"}}}
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_notebook_output_cannot_embed_a_local_file(hostile_dataset, tmp_path):
    """Markdown images, <img>, file: URLs and relative paths to a secret file are never
    inlined as data (the embed-images route of CVE-2026-39378) nor left as references."""
    dataset, _ = hostile_dataset
    secret = b"\x89PNG\r\n\x1a\n" + os.urandom(48)
    work = tmp_path / "a" / "b"
    (work / "notebooks").mkdir(parents=True)
    for folder in (work / "notebooks", work, work.parent, tmp_path):
        (folder / SECRET_NAME).write_bytes(secret)
    refs = (f"![s1]({SECRET_NAME}) ![s2](../{SECRET_NAME}) ![s3](../../{SECRET_NAME}) "
            f'<img src="../../../{SECRET_NAME}"> <img src="{tmp_path / SECRET_NAME}"> '
            f"![s4](file://{tmp_path / SECRET_NAME}) ![p](file:///etc/passwd) "
            '<img src="file:///etc/passwd"> <img src="/etc/passwd"> '
            f'<object data="{SECRET_NAME}"></object> <embed src="{SECRET_NAME}">')
    _leaky_notebook(work / "notebooks" / "probe.ipynb", refs)
    (work / "reports.yaml").write_text(
        "reports:\n  - notebook: notebooks/probe.ipynb\n    per: programme\n", encoding="utf-8")
    run = publish(dataset, tmp_path / "out", config=work / "reports.yaml", only="barts_kf_scl/*")
    assert run.returncode == 0, run.describe()
    page = tmp_path / "out" / "barts_kf_scl" / "all" / "probe.html"
    markup = page.read_text(encoding="utf-8")
    assert "Local file probe" in markup  # the job really ran and published

    secrets = [secret]
    if Path("/etc/passwd").is_file():
        secrets.append(Path("/etc/passwd").read_bytes())
    for blob in secrets:
        encoded = base64.b64encode(blob).decode()
        assert encoded[:40] not in markup.replace("\n", "")
        assert blob[:20].decode("latin-1") not in markup
    assert "root:x:0:0" not in markup
    unsafe = [f for f in scan_file(page) if f.kind in ACTIVE_KINDS | OFFLINE_KINDS]
    assert not unsafe, unsafe


@pytest.mark.browser
def test_hostile_reports_open_in_a_browser_without_running_or_fetching_anything(hostile_run,
                                                                                tmp_path_factory):
    """Chromium, network blocked: no dialog (no alert ran), no request, no console error."""
    from .conftest import browse, require_chromium

    require_chromium()
    visits = browse(hostile_run.reports, hostile_run.out, tmp_path_factory.mktemp("hostile-profile"))
    problems = {name: v.dialogs + v.blocked + v.console_errors + v.page_errors
                for name, v in visits.items()
                if v.dialogs or v.blocked or v.console_errors or v.page_errors}
    assert not problems, problems
