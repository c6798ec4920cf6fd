"""End to end: notebooks 10 (reach and reaction) and 20 (leadership outcomes) executed by
Papermill for every programme of the sample dataset and one cohort, rendered to HTML by the
report engine, checked for their sections, privacy rules and sentences that match the helpers."""

from __future__ import annotations

import html as htmllib
import re

import pandas as pd
import pytest

NB10 = "notebooks/10_reach_and_reaction.ipynb"
NB20 = "notebooks/20_leadership_outcomes.ipynb"
HEADINGS_10 = ["# Reach and reaction", "## Summary", "## Participants by cohort",
               "## Participants by organisation", "## Participants by profession",
               "## Participants by role", "## Attendance and completion",
               "## Reaction to the programme", "## Demand"]
HEADINGS_20 = ["# Leadership outcomes", "## Summary", "## Scale scores", "## Reliability",
               "## Change between surveys", "## Change by dimension", "## Mixed model",
               "## 360 feedback: self and others", "## Retrospective pre-test", "## Attrition",
               "## Item responses", "## Change by profession", "## Change by organisation",
               "## Leadership pipeline"]


@pytest.fixture(scope="module")
def dataset(sample_dataset_path, tmp_path_factory):
    if (sample_dataset_path / "dataset.yaml").exists():
        return sample_dataset_path
    from helpers.data.sample import generate_sample

    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


def _jobs(dataset):
    programmes = pd.read_csv(dataset / "programmes.csv")["programme_id"].astype(str).tolist()
    cohorts = pd.read_csv(dataset / "cohorts.csv")
    lcft = str(cohorts.loc[cohorts["programme_id"] == "lcft_cetad", "cohort_id"].iloc[0]) \
        if (cohorts["programme_id"] == "lcft_cetad").any() else None
    jobs = [(p, None) for p in programmes]
    barts = cohorts.loc[cohorts["programme_id"] == "barts_kf_scl", "cohort_id"]
    if len(barts):
        jobs.append(("barts_kf_scl", str(barts.iloc[0])))
    if lcft:
        jobs.append(("lcft_cetad", lcft))
    return jobs


def _run(repo_root, notebook, dataset, out, programme_id, cohort_id):
    import nbformat
    import papermill as pm

    from helpers.runner.export import notebook_to_html

    params = {"dataset": str(dataset), "programme_id": programme_id, "cohort_id": cohort_id}
    pm.execute_notebook(str(repo_root / notebook), str(out), cwd=str(repo_root / "notebooks"),
                        parameters=params, progress_bar=False, kernel_name="python3")
    nb = nbformat.read(str(out), as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", (notebook, params, o.get("evalue"))
    page = notebook_to_html(nb, {"heading": None, "scope": programme_id},
                            {"dataset": "sample", "dataset_hash": "x", "parameters": params,
                             "version": "test", "git_commit": "", "generated_at": "now"})
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    return headings, page


@pytest.fixture(scope="module")
def reports(repo_root, dataset, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb")
    out = {}
    for programme_id, cohort_id in _jobs(dataset):
        for nb in (NB10, NB20):
            key = (nb, programme_id, cohort_id)
            out[key] = _run(repo_root, nb, dataset, tmp / f"{len(out)}.ipynb", programme_id,
                            cohort_id)
    return out


def _text(page: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", page)))


@pytest.mark.slow
def test_every_report_has_its_sections_and_no_code(reports):
    for (nb, programme_id, cohort_id), (headings, page) in reports.items():
        expected = HEADINGS_10 if nb == NB10 else HEADINGS_20
        assert headings == expected, (nb, programme_id, cohort_id)
        text = _text(page)
        for h in expected[1:]:
            assert h.lstrip("# ") in text, (nb, programme_id, h)
        assert "open_report(" not in page and "outcomes.show_" not in page


@pytest.mark.slow
def test_no_participant_id_and_no_small_count_shown(reports, dataset):
    ids = set(pd.read_csv(dataset / "participants.csv")["participant_id"].astype(str))
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b")
    for key, (_, page) in reports.items():
        assert not pattern.search(_text(page)), key
        # counts in participant tables: a cell holding 1..4 alone would be a small count
        for table in re.findall(r"<table.*?</table>", page, flags=re.S):
            if "Participants" not in table and "People" not in table:
                continue
            heads = [htmllib.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
                cells = [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                for head, cell in zip(heads, cells):
                    if head in ("Participants", "People", "People (both surveys)",
                                "Respondents"):
                        assert cell not in {"1", "2", "3", "4"}, (key, head, cell)


@pytest.mark.slow
def test_sentences_match_the_helpers(reports, dataset):
    from helpers.outcomes import sentences
    from helpers.outcomes.change import scale_change
    from helpers.report import open_report
    from helpers.scales import scale_labels, score_scales

    rep = open_report(dataset, "barts_kf_scl", None, theme=False)
    d = rep.data
    scores = score_scales(d.responses, d.items, d.instruments, instrument_id="hlm360")
    change = scale_change(scores, "baseline", "post")
    labels = scale_labels(d.instruments, d.items)
    _, page = reports[(NB20, "barts_kf_scl", None)]
    text = " ".join(_text(page).split())
    for _, row in change.iterrows():
        assert sentences.change_sentence(row, labels[row["scale"]], rep.threshold,
                                         "participants") in text
    _, page10 = reports[(NB10, "barts_kf_scl", None)]
    assert f"{len(d.participants)} participants in" in _text(page10)
