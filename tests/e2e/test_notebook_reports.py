"""What each published report says, checked on the one session run of the sample dataset.

Every notebook is executed once per programme and cohort by ``leadeval run`` (the ``sample_run``
fixture); these tests read the published HTML, as a reader would, instead of executing the
notebooks again. Figures quoted from the seed documents must appear where the issues say.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from report_text import report_text

pytestmark = pytest.mark.slow

PROGRAMMES = ["barts_kf_scl", "lcft_cetad", "leeds_cihm", "luhft_lbs", "sath_academy"]
BARTS_THEMES = ("Restorative space", "Cross-speciality working",
                "New perspectives on leadership and followership", "Working with operational managers")


def _page(run, output: str) -> str:
    path = run.out / output
    assert path.is_file(), f"{output} was not published: {run.describe()}"
    return path.read_text(encoding="utf-8")


def _not_applicable(run, output: str) -> str | None:
    """The reason the run recorded ``output`` as not applicable (and published no page), or None."""
    job = next((j for j in run.manifest["jobs"] if j["output"] == output), None)
    if job is None or job["status"] != "not_applicable":
        return None
    assert not (run.out / output).exists(), f"{output} is not applicable yet was published"
    return job["reason"]


def _headings(page: str) -> list[str]:
    return re.findall(r"<h[12][^>]*>([^<]+)</h[12]>", page)


@pytest.fixture(scope="module")
def tables(sample_dataset_path):
    read = lambda name: pd.read_csv(sample_dataset_path / f"{name}.csv", dtype=str)  # noqa: E731
    return {name: read(name) for name in ("programmes", "cohorts", "projects", "participants", "ties")}


def test_every_programme_and_sampled_cohort_has_every_report(sample_run, sample_only, repo_root):
    import fnmatch

    import yaml

    config = yaml.safe_load((repo_root / "reports.yaml").read_text())
    outputs = {j["output"] for j in sample_run.manifest["jobs"] if j["status"] in ("ok", "not_applicable")}
    cohort_globs = [g for g in sample_only if not g.startswith("*/")]
    for entry in config["reports"]:
        name = entry["notebook"].rsplit("/", 1)[-1].removesuffix(".ipynb")
        per = entry["per"] if isinstance(entry["per"], list) else [entry["per"]]
        for pid in PROGRAMMES:
            assert f"{pid}/all/{name}.html" in outputs
        if "cohort" in per:
            for glob in cohort_globs:
                assert any(fnmatch.fnmatch(o, glob) and o.endswith(f"/{name}.html") for o in outputs), \
                    (glob, name)


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_improvement_projects_report(sample_run, tables, pid):
    projects = tables["projects"]
    mine = projects[projects["programme_id"] == pid]
    if mine.empty:  # nothing to report: recorded with its reason, no empty page
        assert _not_applicable(sample_run, f"{pid}/all/40_improvement_projects.html") == \
            "This programme has no improvement projects."
        return
    page = _page(sample_run, f"{pid}/all/40_improvement_projects.html")
    # the findings in words come first, then the portfolio and the charts they rest on
    assert _headings(page)[:4] == ["Improvement projects and service impact", "Findings",
                                   "Project portfolio", "Making Data Count summary"]
    assert {"Before and after the start", "SPC charts"} <= set(_headings(page))
    assert "Making Data Count summary matrix" in page
    assert len(re.findall(r'<img [^>]*alt="SPC chart of', page)) >= 1
    if pid == "luhft_lbs":
        for title in mine["title"]:
            assert title.replace("&", "&amp;").replace("’", "’") in page, title
    if pid == "sath_academy":
        for figure in ("747", "1,118", "1,064", "+49.7%"):
            assert figure in page


def test_themes_report_barts(sample_run):
    page = _page(sample_run, "barts_kf_scl/all/30_qualitative_themes.html")
    assert {"Codebook", "Theme prevalence", "Themes that occur together", "Framework matrix",
            "Exemplar quotes", "Inter-coder reliability", "Saturation"} <= set(_headings(page))
    for theme in BARTS_THEMES:
        assert theme in page
    first = re.search(r"How often each theme was raised.*?<tbody>\s*<tr>\s*<td>([^<]+)</td>", page, re.S)
    assert first and first.group(1) == "Restorative space"
    assert "Krippendorff" in page
    assert re.search(r"[\w.+-]+@[\w-]+\.(?:nhs|net|com|org|uk)\b", page) is None


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_networks_report(sample_run, tables, pid):
    participants = tables["participants"]
    cohorts = tables["cohorts"].set_index("cohort_id")["programme_id"]
    with_ties = set(participants.loc[participants["participant_id"].isin(tables["ties"]["from_id"]),
                                     "cohort_id"].map(cohorts))
    if pid not in with_ties:  # nothing to report: recorded with its reason, no empty page
        assert _not_applicable(sample_run, f"{pid}/all/50_networks.html") == \
            "This programme has no network ties."
        return
    page = _page(sample_run, f"{pid}/all/50_networks.html")
    assert {"The network at each wave", "Crossing boundaries: the E-I index", "Brokerage"} <= set(_headings(page))
    assert "E-I index" in page and "Krackhardt" in page
    assert len(re.findall(r'<img [^>]*alt="Drawing of the', page)) >= 2


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_evaluation_report_sections(sample_run, pid):
    page = _page(sample_run, f"{pid}/all/90_evaluation_report.html")
    heads = re.findall(r"<h[1-3][^>]*>([^<]+)</h[1-3]>", page)
    order = ["Contents", "1. Summary of findings", "2. The programme",
             "3. Evaluation design and data", "4. Findings",
             "4.1 Reach and reaction (Kirkpatrick level 1)", "4.2 Learning (Kirkpatrick level 2)",
             "4.3 Behaviour (Kirkpatrick level 3)",
             "4.4 Results (Kirkpatrick level 4): improvement projects", "4.5 Networks",
             "4.6 The leadership pipeline", "4.7 What participants said, beside what changed",
             "4.8 Equality of access and outcome",
             "4.9 Participants against applicants not admitted", "4.10 Value for money",
             "4.11 Benchmarking organisations", "5. Limitations", "6. Methods appendix"]
    assert [h for h in heads if h in order] == order
    assert 'href="10_reach_and_reaction.html"' in page
    assert 'id="provenance"' in page
    # the contents list links to every numbered section, and every in-page link lands
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"
    fragments = re.findall(r'href="#([^"]+)"', page)
    assert len(fragments) >= len(order) - 1 and set(fragments) <= set(ids), set(fragments) - set(ids)


def test_barts_evaluation_report_states_the_seed_figures(sample_run):
    page = _page(sample_run, "barts_kf_scl/all/90_evaluation_report.html")
    assert "220 delegates from 3 trusts (" in page and "took part across 10 cohorts." in page
    assert "delivered by The King's Fund" in page
    assert "Who got in and who benefited, by group?" in page
    assert "The most-cited theme in interviews and comments was restorative space" in page
    assert "Joint display" in page
    for theme in BARTS_THEMES[:2]:
        assert f"<td>{theme}</td>" in page
    assert "synthetic" in page.lower()


def test_lcft_and_shrewsbury_evaluation_reports_state_their_seed_figures(sample_run):
    lcft = _page(sample_run, "lcft_cetad/all/90_evaluation_report.html")
    summary = lcft.split('id="sec-2-the-programme"')[0]
    assert "11 doctors from 1 trust" in summary
    assert "Each of the 11 doctors led one improvement project (11 projects)." in summary
    sath = _page(sample_run, "sath_academy/all/90_evaluation_report.html").split('id="sec-2-the-programme"')[0]
    assert all(n in sath for n in ("747", "1,118", "1,064"))


def test_cohort_evaluation_report_links_resolve(sample_run):
    page = _page(sample_run, "barts_kf_scl/barts_c01/90_evaluation_report.html")
    assert "took part in cohort" in page
    folder = sample_run.out / "barts_kf_scl" / "barts_c01"
    for href in re.findall(r'<a href="([^"#]+\.html)"', page):
        assert (folder / href).resolve().is_file(), href


HEADINGS_10 = ["Reach and reaction", "Summary", "Participants by cohort", "Participants by organisation",
               "Participants by profession", "Participants by role", "Attendance and completion",
               "Reaction to the programme", "Demand"]
HEADINGS_20 = ["Leadership outcomes", "Summary", "Scale scores", "Reliability", "Change between surveys",
               "Change by dimension", "Mixed model", "360 feedback: self and others",
               "Retrospective pre-test", "Attrition", "Item responses", "Change by profession",
               "Change by organisation", "Leadership pipeline"]


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_reach_and_outcomes_reports_have_their_sections(sample_run, pid):
    assert _headings(_page(sample_run, f"{pid}/all/10_reach_and_reaction.html"))[:9] == HEADINGS_10
    assert _headings(_page(sample_run, f"{pid}/all/20_leadership_outcomes.html"))[:14] == HEADINGS_20


def test_outcome_sentences_match_the_helpers(sample_run, sample_dataset_path):
    """The generated change sentences carry exactly the helpers' numbers."""
    import html as htmllib

    from helpers.outcomes import sentences
    from helpers.outcomes.change import scale_change
    from helpers.report import open_report
    from helpers.scales import scale_labels, score_scales

    rep = open_report(sample_dataset_path, "barts_kf_scl", None, theme=False)
    d = rep.data
    scores = score_scales(d.responses, d.items, d.instruments, instrument_id="hlm360")
    change = scale_change(scores, "baseline", "post")
    labels = scale_labels(d.instruments, d.items)
    page = _page(sample_run, "barts_kf_scl/all/20_leadership_outcomes.html")
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert len(change) == 9
    for _, row in change.iterrows():
        assert sentences.change_sentence(row, labels[row["scale"]], rep.threshold, "participants") in text
    reach = htmllib.unescape(_page(sample_run, "barts_kf_scl/all/10_reach_and_reaction.html"))
    assert "220 participants in" in reach


# What a sentence template prints when it meets a case it was not written for.
PLACEHOLDERS = {"a hedged plural": r"\w\(s\)", "a missing value": r"\b(?:None|nan|NaN|NaT)\b",
                "an unset parameter": r"= none\b", "an interval with no width": r"\b0% to 0%"}


def test_no_report_prints_a_template_placeholder(sample_run):
    found = []
    for path in sample_run.reports:
        text = report_text(path.read_text(encoding="utf-8"))
        for what, pattern in PLACEHOLDERS.items():
            for m in re.finditer(pattern, text):
                found.append(f"{path.relative_to(sample_run.out)}: {what}: "
                             f"{text[max(0, m.start() - 50):m.end() + 30]!r}")
    assert len(sample_run.reports) > 40
    assert found == []
