"""`leadeval run --pdf`: an A4 PDF beside each report, with no table column off the page."""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.runner.commands import run_command
from runner_helpers import make_project, run_args

pytestmark = [pytest.mark.slow, pytest.mark.browser]
needs = pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("pdftotext")),
                           reason="needs Debian's chromium and poppler-utils (.ci/run installs both)")
A4_PT = (595.0, 842.0)
# As many columns as the widest report table (the programme change table), and cells of its width
COLUMNS = [f"Holm{i:02d}" for i in range(13)]


def _wide_table_notebook(path):
    params = 'dataset: str | None = None\nprogramme_id: str = "kf_scl"\ncohort_id: str | None = None'
    show = ("import pandas as pd\nfrom helpers.report.display import show_table\n"
            f"cols = {COLUMNS!r}\n"
            "show_table(pd.DataFrame([['0.41 to 0.56'] * len(cols)] * 150, columns=cols), 'A wide table')")
    nb = new_notebook(cells=[new_markdown_cell("# Wide table"),
                             new_code_cell(params, metadata={"tags": ["parameters"]}),
                             new_markdown_cell("## Every column"), new_code_cell(show)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, path)


@needs
def test_pdf_is_a4_with_page_numbers_and_every_column_inside_the_printable_width(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADEVAL_CODE_HASH", "pinned-for-tests")
    root = make_project(tmp_path, [{"notebook": "wide", "per": "programme"}])
    _wide_table_notebook(root / "notebooks" / "wide.ipynb")
    assert run_command(run_args(root, only=["kf_scl/*"], pdf=True)) == 0
    pdf = root / "reports/kf_scl/all/wide.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width), round(height)) == tuple(round(v) for v in A4_PT)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2  # 150 rows do not fit one page: the header must repeat, not vanish

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    # a running header on every page: the report's scope and the date it was generated
    printed = text.split("\f")[:pages]
    assert all(re.search(r"\(all cohorts\) · \d{1,2} [A-Z][a-z]+ 20\d\d", p) for p in printed), \
        [p[:200] for p in printed]

    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = [(m.group(5), float(m.group(1)), float(m.group(3)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                  r'yMax="([\d.]+)">([^<]+)</word>', bbox)]
    words = {text: (x_min, x_max) for text, x_min, x_max in found}
    margin = 12 / 25.4 * 72  # the stylesheet's 12 mm side margins
    for name in COLUMNS:  # clipped text is still in a PDF's text: check where it is drawn
        assert name in words, name
        x_min, x_max = words[name]
        assert margin - 1 <= x_min and x_max <= width - margin + 1, (name, words[name])
    outside = [w for w in found if w[1] < margin - 1 or w[2] > width - margin + 1]
    assert not outside, outside[:5]  # nothing on any page drawn into the margin or off the paper


@needs
def test_pdf_without_chromium_exits_2_before_running_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEADEVAL_CHROMIUM", str(tmp_path / "no-such-browser"))
    root = make_project(tmp_path / "p", [{"notebook": "ok", "per": "programme"}])
    assert run_command(run_args(root, pdf=True)) == 2
    assert "LEADEVAL_CHROMIUM" in capsys.readouterr().err
    assert not (root / "reports" / "kf_scl").exists()
