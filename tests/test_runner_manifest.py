"""reports.yaml: loading, checks and expansion against programmes and cohorts."""

import pytest

from helpers.runner.exceptions import ManifestError
from helpers.runner.manifest import expand, give_per_cohort_reports, load_manifest, output_path, select

UNITS = {"programmes": [{"programme_id": "p1", "name": "One"}, {"programme_id": "p2", "name": "Two"}],
         "cohorts": [{"cohort_id": "c1", "programme_id": "p1"}, {"cohort_id": "c2", "programme_id": "p1"},
                     {"cohort_id": "c3", "programme_id": "p2"}]}


def _write(tmp_path, text):
    path = tmp_path / "reports.yaml"
    path.write_text(text)
    return path


def test_expansion_per_programme_and_cohort(tmp_path):
    m = load_manifest(_write(tmp_path, """
dataset: data
reports:
  - notebook: nb/00_dq.ipynb
    per: programme
  - notebook: nb/50_net.ipynb
    per: [programme, cohort]
    parameters: {level: 2}
    job_timeout: 30
"""))
    assert m.dataset == (tmp_path / "data").resolve() and m.out == (tmp_path / "reports").resolve()
    jobs = expand(m.entries, UNITS)
    outputs = [j.output for j in jobs]
    # p2 has one cohort: its programme report is that cohort's, so no copy per cohort
    assert outputs == ["p1/all/00_dq.html", "p2/all/00_dq.html",
                       "p1/all/50_net.html", "p1/c1/50_net.html", "p1/c2/50_net.html",
                       "p2/all/50_net.html"]
    c1 = jobs[3]
    assert c1.parameters == {"programme_id": "p1", "cohort_id": "c1", "level": 2}
    assert c1.entry.job_timeout == 30
    assert jobs[0].parameters == {"programme_id": "p1", "cohort_id": None}
    assert [j.output for j in select(jobs, "p1/*/50_*")] == outputs[2:5]
    # --only may be repeated: a job runs when any glob matches
    assert [j.output for j in select(jobs, ["*/all/*", "p1/c2/*"])] == \
        ["p1/all/00_dq.html", "p2/all/00_dq.html", "p1/all/50_net.html", "p1/c2/50_net.html",
         "p2/all/50_net.html"]


def test_only_notebooks_that_declare_it_receive_the_per_cohort_report_set(tmp_path):
    m = load_manifest(_write(tmp_path, """
reports:
  - notebook: nb/20_out.ipynb
    per: programme
  - notebook: nb/50_net.ipynb
    per: [programme, cohort]
  - notebook: nb/90_eval.ipynb
    per: [programme, cohort]
"""))
    evaluation = m.entries[2].path
    jobs = give_per_cohort_reports(expand(m.entries, UNITS), m.entries, {evaluation})
    given = {j.output: j.parameters.get("per_cohort_reports") for j in jobs}
    assert given["p1/c1/90_eval.html"] == ["50_net", "90_eval"]
    assert given["p1/all/90_eval.html"] == ["50_net", "90_eval"]
    assert given["p1/c1/50_net.html"] is None and given["p1/all/20_out.html"] is None


def test_repository_manifest_runs_every_analysis_per_programme_and_cohort(repo_root, sample_dataset_path):
    """reports.yaml: data quality per programme; every analysis per programme and per cohort
    (but no per-cohort copy for a programme with one cohort)."""
    from helpers.data import load_dataset
    from helpers.runner.manifest import load_manifest, single_cohort_programmes, units_from_dataset

    m = load_manifest(repo_root / "reports.yaml")
    units = units_from_dataset(load_dataset(sample_dataset_path))
    outputs = {j.output for j in expand(m.entries, units)}
    names = [e.name for e in m.entries]
    assert names[0] == "00_data_quality"
    single = single_cohort_programmes(units)
    assert single == {"lcft_cetad": "lcft_c01"}  # the sample's one-cohort programme
    cohorts = [(c["programme_id"], c["cohort_id"]) for c in units["cohorts"]
               if c["programme_id"] not in single]
    for p in units["programmes"]:
        assert f"{p['programme_id']}/all/00_data_quality.html" in outputs
    for name in names[1:]:
        assert not any(o.startswith("lcft_cetad/lcft_c01/") for o in outputs)
        for pid, cid in cohorts:
            assert f"{pid}/all/{name}.html" in outputs and f"{pid}/{cid}/{name}.html" in outputs
    assert len(outputs) == len(units["programmes"]) * len(names) + len(cohorts) * (len(names) - 1)
    assert len(outputs) == 208


@pytest.mark.parametrize("text, message", [
    ("reports: [{notebook: a.ipynb, per: week}]", "'per' must be"),
    ("reports: [{notebook: a.ipynb, colour: red}]", "unknown keys"),
    ("reports: [{notebook: a.ipynb, parameters: {cohort_id: x}}]", "set by the runner"),
    ("reports: [{notebook: a.ipynb, job_timeout: -1}]", "positive number"),
    ("jobs: []", "'reports' list"),
    ("reports: [", "not valid YAML"),
])
def test_bad_manifests_are_refused(tmp_path, text, message):
    with pytest.raises(ManifestError, match=message):
        load_manifest(_write(tmp_path, text))


def test_identifiers_that_escape_the_folder_are_refused():
    assert output_path("p", None, "nb") == "p/all/nb.html"
    for bad in ("..", "a/b", ""):
        with pytest.raises(ManifestError):
            output_path("p", bad, "nb")


def test_repository_manifest_lists_every_notebook(repo_root):
    m = load_manifest(repo_root / "reports.yaml")
    names = [e.name for e in m.entries]
    assert names == ["00_data_quality", "10_reach_and_reaction", "20_leadership_outcomes",
                     "30_qualitative_themes", "40_improvement_projects", "50_networks",
                     "60_equality_and_value",
                     "90_evaluation_report"]
    per = {e.name: e.per for e in m.entries}
    assert per["50_networks"] == per["90_evaluation_report"] == ("programme", "cohort")
    assert per["00_data_quality"] == ("programme",)
