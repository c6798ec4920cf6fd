"""The disclosure and offline-safety scanner (helpers.report.scan) on hand-made pages.

Each finding kind has a page that must produce it and the clean page must produce none. The
clean page is built with the report helpers themselves (display.table_html, suppress_table),
so the scanner and the helpers agree on what a safe page looks like.
"""

import pandas as pd
import pytest

from helpers.report.disclosure import nhs_number_is_valid, suppress_table
from helpers.report.display import callout_html, sentences_html, table_html
from helpers.report.scan import (
    ALL_KINDS,
    Finding,
    classify_url,
    is_count_header,
    parse_html,
    scan_file,
    scan_html,
    scan_reports,
)

IDS = ["P0001", "P0002", "bh-c01-017"]
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
       "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">{head}'
            f"<title>Report</title><style>body {{ font: 16px sans-serif; }}</style></head>"
            f"<body>{body}</body></html>")


def kinds(markup: str, threshold: int = 5, ids=IDS) -> list[str]:
    return [f.kind for f in scan_html(markup, ids, threshold)]


def clean_page() -> str:
    counts = pd.DataFrame({"Organisation": ["Barts Health", "Royal London", "Whipps Cross", "Total"],
                           "Delegates": [3, 120, 97, 220], "Share": [3 / 220, 120 / 220, 97 / 220, 1.0]})
    shown = suppress_table(counts.iloc[:3], ["Delegates"], 5, pct_cols={"Share": "Delegates"})
    shown = pd.concat([shown, pd.DataFrame([{"Organisation": "Total", "Delegates": "220",
                                             "Share": "100.0%"}])])
    sentences = ["220 delegates from 3 organisations took part across 10 cohorts.",
                 "Figure 2 participants by profession; cohort 3 delegates rated the programme highly.",
                 "Fewer than 5 delegates left the NHS; <5 participants were promoted.",
                 "One participant said the action learning sets mattered most."]
    return page(
        table_html(shown, "Delegates by organisation", units="people")
        + sentences_html(sentences, title="Summary")
        + callout_html("Synthetic data: <script>alert(1)</script> is shown as text", "caveat")
        + f'<figure><img src="{PNG}" alt="Mean score rose from 3.1 to 3.8 among 220 delegates"></figure>'
        + '<p><a href="#provenance">About this report</a> <a href="../all/10_reach.html">Reach</a></p>'
        + '<section id="provenance"><dl><dt>Dataset content hash</dt>'
          '<dd>0207946095812345678901234567890123456789012345678901234567890123</dd>'
          "<dt>Generated</dt><dd>2026-11-25T01:46:12+00:00</dd></dl></section>")


def test_clean_page_built_with_the_report_helpers_has_no_findings():
    assert scan_html(clean_page(), IDS, 5) == []


def test_every_finding_has_a_known_kind_and_a_location():
    findings = scan_html(page('<p>P0001 wrote to a@b.org</p><img src="http://x.invalid/a.png">'), IDS)
    assert findings and all(isinstance(f, Finding) and f.kind in ALL_KINDS for f in findings)
    assert all(f.location.startswith("<html>:") for f in findings)


# --------------------------------------------------------------------------- identifiers

@pytest.mark.parametrize("body", [
    "<p>Quote from P0001 at baseline</p>",
    "<p>(P0002)</p>",
    '<td title="P0001">x</td>',
    '<div data-participant="bh-c01-017"></div>',
    "<!-- left over: P0002 -->",
    '<script type="application/json">{"id": "P0001"}</script>',
    "<p>P&#48;001</p>",  # an entity a reader sees as P0001
    "<p>P00<b>01</b></p>",  # split by inline markup, still read as one token
])
def test_participant_id_found_anywhere(body):
    assert "participant_id" in kinds(page(body))


@pytest.mark.parametrize("body", ["<p>XP0001 and P00011</p>", "<p>code P0001_extra</p>",
                                  f'<img src="{PNG[:-4]}P0001==" alt="">'])
def test_participant_id_only_as_a_whole_token_and_not_inside_data_uris(body):
    assert "participant_id" not in kinds(page(body))


@pytest.mark.parametrize("text", ["jane.doe@nhs.net", "a.b+c@bartshealth.nhs.uk", "X'Y@example.co.uk"])
def test_email(text):
    assert kinds(page(f"<p>Contact {text} today</p>")) == ["email"]


@pytest.mark.parametrize("text", ["020 7946 0958", "07700 900123", "+44 7700 900123",
                                  "+44 (0)20 7946 0958", "(020) 7946 0958", "0161-496-0000",
                                  "01632960001"])
def test_uk_phone_numbers(text):
    assert kinds(page(f"<p>Ring {text} please</p>")) == ["phone"]


@pytest.mark.parametrize("text", ["0 1 2 3 4 5 6 7 8 9 10", "0.1234567890", "2026-11-25",
                                  "01/02/2026", "p = 0.032", "1,118 delegates"])
def test_numbers_that_are_not_phone_numbers(text):
    assert kinds(page(f"<p>{text}</p>")) == []


def test_nhs_number_only_with_a_valid_check_digit():
    valid, invalid = "943 476 5919", "943 476 5918"
    assert nhs_number_is_valid(valid) and not nhs_number_is_valid(invalid)
    assert kinds(page(f"<p>NHS number {valid}</p>")) == ["nhs_number"]
    assert kinds(page("<p>NHS number 9434765919</p>")) == ["nhs_number"]
    assert kinds(page("<p>NHS number 943-476-5919</p>")) == ["nhs_number"]
    assert kinds(page(f"<p>NHS number {invalid}</p>")) == []


# --------------------------------------------------------------------------- counts in tables

def test_small_count_under_a_count_header():
    table = ("<table><caption>Delegates by organisation</caption><thead><tr><th>Organisation</th>"
             "<th>n</th><th>Mean score</th></tr></thead><tbody>"
             "<tr><td>Barts Health</td><td>3</td><td>2.5</td></tr>"
             "<tr><td>Royal London</td><td>120</td><td>4.0</td></tr></tbody></table>")
    findings = scan_html(page(table), IDS, 5)
    assert [f.kind for f in findings] == ["small_count"]
    assert "'3'" in findings[0].detail and ":1:" in findings[0].location


def test_true_zero_is_not_a_small_count_and_the_threshold_is_the_datasets():
    table = ("<table><tr><th>Cohort</th><th>Participants</th></tr>"
             "<tr><td>C1</td><td>0</td></tr><tr><td>C2</td><td>8</td></tr>"
             "<tr><td>C3</td><td>3</td></tr></table>")
    assert kinds(page(table), threshold=5) == ["small_count"]
    assert kinds(page(table), threshold=10) == ["small_count", "small_count"]
    assert kinds(page(table), threshold=0) == []


def test_count_with_percentage_and_thousands_separator():
    table = ("<table><tr><th>Profession</th><th>Count</th></tr>"
             "<tr><td>Nursing</td><td>3 (60.0%)</td></tr><tr><td>Medical</td><td>1,118 (40%)</td></tr></table>")
    assert kinds(page(table)) == ["small_count"]


def test_count_cells_marked_by_markup_whatever_the_header():
    table = ('<table><tr><th>Wave</th><th>Answered</th><th>Answered</th></tr>'
             '<tr><td>Post</td><td class="num count">4</td><td data-count="2">&lt;5</td></tr></table>')
    assert kinds(page(table)) == ["small_count", "small_count"]


def test_row_headed_n_is_a_count_row():
    table = ('<table><tr><th></th><th>Baseline</th><th>Post</th></tr>'
             '<tr><th scope="row">Mean</th><td>3.1</td><td>3.8</td></tr>'
             '<tr><th scope="row">n</th><td>40</td><td>4</td></tr></table>')
    assert kinds(page(table)) == ["small_count"]


@pytest.mark.parametrize("header", ["Name", "Mean score", "Participants' mean score", "Share (%)",
                                    "Number of modules", "Change"])
def test_not_count_headers(header):
    assert not is_count_header(header)
    table = f"<table><tr><th>Group</th><th>{header}</th></tr><tr><td>A</td><td>3</td></tr></table>"
    assert kinds(page(table)) == []


@pytest.mark.parametrize("header", ["n", "N (baseline)", "Count", "Delegates", "Number of participants",
                                    "Respondents", "Leavers", "Eligible", "Attendees"])
def test_count_headers(header):
    assert is_count_header(header)


def test_suppressed_table_from_the_helpers_passes_and_unsuppressed_fails():
    counts = pd.DataFrame({"Profession": ["medical", "nursing", "AHP", "manager"], "n": [40, 3, 12, 25]})
    assert kinds(page(table_html(counts, "Delegates by profession"))) == ["small_count"]
    shown = suppress_table(counts, ["n"], 5)
    assert kinds(page(table_html(shown, "Delegates by profession"))) == []


# --------------------------------------------------------------------------- secondary suppression

def test_secondary_disclosure_by_a_total_row():
    table = ("<table><tr><th>Profession</th><th>n</th></tr>"
             "<tr><td>Medical</td><td>40</td></tr><tr><td>Nursing</td><td>&lt;5</td></tr>"
             "<tr><td>AHP</td><td>12</td></tr><tr><td>Total</td><td>55</td></tr></table>")
    findings = scan_html(page(table), IDS, 5)
    assert [f.kind for f in findings] == ["secondary_disclosure"]
    assert "as 3" in findings[0].detail


def test_secondary_disclosure_by_a_total_column():
    table = ("<table><tr><th>Cohort</th><th>Medical</th><th>Nursing</th><th>Total</th></tr>"
             "<tr><td>C1</td><td>&lt;5</td><td>14</td><td>16</td></tr></table>")
    findings = scan_html(page(table), IDS, 5)
    assert [f.kind for f in findings] == ["secondary_disclosure"] and "as 2" in findings[0].detail


def test_two_hidden_cells_or_no_total_are_safe():
    two_hidden = ("<table><tr><th>Profession</th><th>n</th></tr>"
                  "<tr><td>Medical</td><td>40</td></tr><tr><td>Nursing</td><td>&lt;5</td></tr>"
                  "<tr><td>AHP</td><td>&lt;5</td></tr><tr><td>Total</td><td>46</td></tr></table>")
    no_total = ("<table><tr><th>Profession</th><th>n</th></tr>"
                "<tr><td>Medical</td><td>40</td></tr><tr><td>Nursing</td><td>&lt;5</td></tr></table>")
    assert kinds(page(two_hidden)) == [] and kinds(page(no_total)) == []


def test_helpers_secondary_suppression_leaves_nothing_to_recover():
    counts = pd.DataFrame({"Profession": ["Medical", "Nursing", "AHP"], "n": [40, 3, 12]})
    shown = suppress_table(counts, ["n"], 5)
    total = pd.DataFrame([{"Profession": "Total", "n": "55"}])
    assert kinds(page(table_html(pd.concat([shown, total]), "By profession"))) == []
    naive = counts.assign(n=[str(v) if v >= 5 else "<5" for v in counts["n"]])
    assert kinds(page(table_html(pd.concat([naive, total]), "By profession"))) == ["secondary_disclosure"]


def test_hidden_cells_adding_up_to_a_small_count_are_a_secondary_disclosure():
    # "12 + <5 + <5 = 23" hides a 7 in plain sight only if the hidden pair cannot be told: here
    # 23 - 12 - 8 = 3 leaves two small cells that add up to 3, a group of fewer than 5.
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in
                   [("A", "12"), ("B", "8"), ("C", "<5"), ("D", "<5"), ("Total", "23")])
    table = f"<table><tr><th>Trust</th><th>Participants</th></tr>{rows}</table>"
    found = scan_html(page(table), IDS, 5)
    assert [f.kind for f in found] == ["secondary_disclosure"]
    assert "as 3 together" in found[0].detail


def test_a_complement_labelled_as_small_is_a_secondary_disclosure():
    # The measured example: "12 + <5 + <5 = 23" hides a 7 under "<5".
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in
                   [("A", "12"), ("B", "<5"), ("C", "<5"), ("Total", "23")])
    table = f"<table><tr><th>Trust</th><th>Participants</th></tr>{rows}</table>"
    found = scan_html(page(table), IDS, 5)
    assert [f.kind for f in found] == ["secondary_disclosure"] and "mislabelled" in found[0].detail


def test_complement_marker_with_enough_left_to_hide_passes():
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in
                   [("Barts Health", "[c]"), ("East London", "<5"), ("Total", "20")])
    table = f"<table><tr><th>Trust</th><th>Participants</th></tr>{rows}</table>"
    assert kinds(page(table)) == []


def test_lone_complement_marker_is_recovered_by_subtraction():
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in
                   [("A", "12"), ("B", "[c]"), ("Total", "20")])
    table = f"<table><tr><th>Trust</th><th>Participants</th></tr>{rows}</table>"
    assert kinds(page(table)) == ["secondary_disclosure"]


# --------------------------------------------------------------------------- sentences

@pytest.mark.parametrize("text", ["3 delegates left the NHS.", "Only 2 nursing participants replied.",
                                  "4 of the 40 respondents disagreed.", "2 people were promoted",
                                  "1 delegate"])
def test_small_count_sentences(text):
    assert kinds(page(f"<p>{text}</p>")) == ["small_count_sentence"]


def test_small_count_in_alt_text():
    assert kinds(page(f'<img src="{PNG}" alt="Bar chart: 3 delegates at follow-up">')) == [
        "small_count_sentence"]


@pytest.mark.parametrize("text", ["220 delegates from 3 organisations across 10 cohorts",
                                  "<5 delegates", "fewer than 5 participants", "Figure 2 participants",
                                  "Cohort 3 delegates", "One participant said", "4% of participants",
                                  "3 cohorts and 40 participants", "2024 delegates",
                                  "A tie is a nomination between two participants."])
def test_not_small_count_sentences(text):
    assert kinds(page(f"<p>{text}</p>".replace("<5", "&lt;5"))) == []


# --------------------------------------------------------------------------- markup and URLs

@pytest.mark.parametrize("body, kind", [
    ('<img src="https://tracker.invalid/p.png" alt="">', "remote_resource"),
    ('<img src="//tracker.invalid/p.png" alt="">', "remote_resource"),
    ('<img srcset="a.png 1x, http://x.invalid/b.png 2x" alt="">', "remote_resource"),
    ('<script src="https://cdn.invalid/require.js"></script>', "remote_resource"),
    ('<div style="background: url(http://x.invalid/bg.png)">x</div>', "remote_resource"),
    ("<style>@import url('https://fonts.invalid/css');</style>", "remote_resource"),
    ('<style>@import "http://x.invalid/a.css";</style>', "remote_resource"),
    ('<a href="https://doi.org/10.1037/0033-2909.86.2.420">Shrout</a>', "remote_resource"),
    ('<a href=" HTTP://x.invalid">x</a>', "remote_resource"),
    ('<form action="http://x.invalid/post"></form>', "remote_resource"),
    ('<svg><image href="http://x.invalid/i.png"/></svg>', "remote_resource"),
    ('<meta http-equiv="refresh" content="0; url=http://x.invalid/">', "remote_resource"),
    ('<link rel="stylesheet" href="theme.css">', "local_resource"),
    ('<img src="../../secret.png" alt="">', "non_data_image"),
    ('<img src="figure.png" alt="">', "non_data_image"),
    ('<img src="file:///etc/passwd" alt="">', "file_uri"),
    ('<a href="file:///C:/Users/x/data.xlsx">data</a>', "file_uri"),
    ('<a href="javascript:alert(1)">x</a>', "unsafe_url"),
    ('<a href="java&#9;script:alert(1)">x</a>', "unsafe_url"),
    ('<a href="  JaVaScRiPt:alert(1)">x</a>', "unsafe_url"),
    ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', "unsafe_url"),
    ("<iframe srcdoc='hi'></iframe>", "embedded_object"),
    ("<embed type='image/svg+xml'>", "embedded_object"),
    ("<object></object>", "embedded_object"),
    ("<p><script>alert(1)</script></p>", "script"),
])
def test_unsafe_markup(body, kind):
    assert kind in kinds(page(body))


@pytest.mark.parametrize("attr", ["onerror", "onload", "onclick", "ONMOUSEOVER", "ontoggle"])
def test_event_handler_attributes(attr):
    assert kinds(page(f'<details {attr}="alert(1)"><summary>x</summary></details>')) == ["event_handler"]


def test_tex_links_matter_only_when_a_maths_renderer_is_loaded():
    body = r"<p>$$\href{http://x.invalid}{y}$$</p>"
    assert kinds(page(body)) == []
    head = '<script src="mathjax/tex-chtml.js"></script>'
    assert sorted(kinds(page(body, head))) == ["local_resource", "script", "tex_link"]


@pytest.mark.parametrize("url, tag, attr", [
    ("#provenance", "a", "href"), ("../all/90_evaluation_report.html", "a", "href"),
    (PNG, "img", "src"), ("mailto:team@example.org", "a", "href"), ("", "img", "src"),
])
def test_safe_urls(url, tag, attr):
    assert classify_url(url, tag, attr) is None


def test_escaped_markup_is_text_not_markup():
    hostile = '<script>alert("x")</script><img src=http://x.invalid onerror=alert(1)>'
    assert kinds(page(callout_html(hostile))) == []
    doc = parse_html(page(callout_html(hostile)))
    assert hostile in doc.text


# --------------------------------------------------------------------------- files and folders

def test_scan_file_and_reports_folder(tmp_path):
    (tmp_path / "prog" / "all").mkdir(parents=True)
    (tmp_path / "index.html").write_text(clean_page(), encoding="utf-8")
    bad = tmp_path / "prog" / "all" / "10_reach.html"
    bad.write_text(page("<p>P0001</p>"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("P0002", encoding="utf-8")
    assert [f.kind for f in scan_file(bad, IDS)] == ["participant_id"]
    findings = scan_reports(tmp_path, IDS, 5)
    assert [(f.kind, f.location.split(":")[0]) for f in findings] == [
        ("participant_id", "prog/all/10_reach.html")]
