"""Incremental by what each report reads: a job re-runs when the rows of its scope, the tables it
reads whole, the dataset settings, or the reports it depends on change, and not otherwise."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
import yaml

from helpers.data import Dataset, load_dataset
from helpers.data.digest import scope_digests, settings_digest
from helpers.runner import hashing, manifest as mf
from helpers.runner.commands import run_command
from helpers.runner.exceptions import ManifestError
from runner_helpers import make_project, run_args

# --------------------------------------------------------------------- digests (no kernels)


@pytest.fixture(scope="module")
def sample(sample_dataset_path):
    return load_dataset(sample_dataset_path)


def _scopes(ds):
    return ([(p, None) for p in ds.programmes["programme_id"]]
            + list(ds.cohorts[["programme_id", "cohort_id"]].itertuples(index=False, name=None)))


def _changed(ds, **tables) -> set:
    """The scopes whose digest differs once ``tables`` replace the dataset's."""
    edited = Dataset(ds.meta, ds.path, ds.content_hash, {**ds.tables, **tables}, ds.files)
    before, after = scope_digests(ds, _scopes(ds)), scope_digests(edited, _scopes(ds))
    return {s for s in before if before[s] != after[s]}


def test_one_answer_changes_its_cohort_and_its_programme_only(sample):
    responses = sample.responses.copy()
    row = len(responses) // 2
    pid = responses.loc[row, "participant_id"]
    cohort = sample.participants.set_index("participant_id").loc[pid, "cohort_id"]
    programme = sample.cohorts.set_index("cohort_id").loc[cohort, "programme_id"]
    responses.loc[row, "value"] = 1 if responses.loc[row, "value"] != 1 else 2
    assert _changed(sample, responses=responses) == {(programme, None), (programme, cohort)}


def test_a_new_answer_at_the_end_changes_only_its_cohort_and_programme(sample):
    first = sample.responses.iloc[[0]]
    cohort = sample.participants.set_index("participant_id").loc[first["participant_id"].iloc[0],
                                                                 "cohort_id"]
    programme = sample.cohorts.set_index("cohort_id").loc[cohort, "programme_id"]
    grown = pd.concat([sample.responses, first.assign(wave="endpoint")], ignore_index=True)
    assert _changed(sample, responses=grown) == {(programme, None), (programme, cohort)}


def test_a_table_read_whole_changes_every_scope(sample):
    codes = sample.codes.copy()
    codes.loc[0, "label"] = codes.loc[0, "label"] + " (renamed)"
    assert _changed(sample, codes=codes) == set(_scopes(sample))


def test_a_programme_row_changes_that_programme_and_its_cohorts(sample):
    programmes = sample.programmes.copy()
    target = programmes.loc[1, "programme_id"]
    programmes.loc[1, "name"] = "A renamed programme"
    want = {s for s in _scopes(sample) if s[0] == target}
    assert _changed(sample, programmes=programmes) == want and len(want) > 1


def test_settings_digest_follows_what_reports_read_of_dataset_yaml(sample):
    base = settings_digest(sample)

    def edited(**meta):
        return settings_digest(Dataset({**sample.meta, **meta}, sample.path, sample.content_hash,
                                       sample.tables, sample.files))

    assert edited(suppress_below=sample.suppress_below + 1) != base
    assert edited(redact_names=["Someone Else"]) != base
    assert edited(max_file_mb=999) == base  # how to read files: reaches reports via the rows
    assert edited() == base


# ------------------------------------------------------------ depends_on in reports.yaml


def _manifest(tmp_path, entries) -> mf.Manifest:
    for e in entries:
        (tmp_path / e["notebook"]).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "reports.yaml").write_text(yaml.safe_dump({"reports": entries}))
    return mf.load_manifest(tmp_path / "reports.yaml")


def test_depends_on_must_name_other_entries_without_a_cycle(tmp_path):
    with pytest.raises(ManifestError, match=r"depends_on names \['nope'\]"):
        _manifest(tmp_path, [{"notebook": "n/a.ipynb", "depends_on": ["nope"]}])
    with pytest.raises(ManifestError, match="circle: a -> b -> a"):
        _manifest(tmp_path, [{"notebook": "n/a.ipynb", "depends_on": ["b"]},
                             {"notebook": "n/b.ipynb", "depends_on": ["a"]}])
    with pytest.raises(ManifestError, match="must be a list"):
        _manifest(tmp_path, [{"notebook": "n/a.ipynb", "depends_on": [3]}])


def test_a_dependent_job_hash_follows_the_jobs_it_depends_on(tmp_path):
    m = _manifest(tmp_path, [
        {"notebook": "n/detail.ipynb", "per": ["programme", "cohort"]},
        {"notebook": "n/overview.ipynb", "per": "programme"},
        {"notebook": "n/eval.ipynb", "per": ["programme", "cohort"],
         "depends_on": ["detail", "overview"]}])
    units = {"programmes": [{"programme_id": "p", "name": "P"}],
             "cohorts": [{"cohort_id": "c1", "programme_id": "p"},
                         {"cohort_id": "c2", "programme_id": "p"}]}
    jobs = mf.expand(m.entries, units)
    notebooks = {e.path: e.name for e in m.entries}
    scopes = {"p": "P", "p/c1": "C1", "p/c2": "C2"}
    base = hashing.job_hashes(jobs, notebooks, scopes, "s", "code")

    def changed(**kw) -> set:
        args = {"notebook_digests": notebooks, "scopes": scopes, **kw}
        after = hashing.job_hashes(jobs, args["notebook_digests"], args["scopes"], "s", "code")
        return {o for o in base if base[o] != after[o]}

    assert changed(scopes={**scopes, "p/c1": "C1'"}) == {"p/c1/detail.html", "p/c1/eval.html"}
    overview = next(e.path for e in m.entries if e.name == "overview")
    # a cohort's evaluation links to the programme's overview (it does not run per cohort)
    assert changed(notebook_digests={**notebooks, overview: "edited"}) == {
        "p/all/overview.html", "p/all/eval.html", "p/c1/eval.html", "p/c2/eval.html"}


def test_reports_yaml_evaluation_depends_on_every_report_it_links_to(repo_root):
    from helpers.evaluation import DETAIL

    m = mf.load_manifest(repo_root / "reports.yaml")
    evaluation = next(e for e in m.entries if e.name == "90_evaluation_report")
    assert set(evaluation.depends_on) == set(DETAIL.values())


# ------------------------------------------------------------ what `leadeval run` re-runs


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    saved = os.environ.get("LEADEVAL_CODE_HASH")
    os.environ["LEADEVAL_CODE_HASH"] = "pinned-for-tests"
    root = make_project(tmp_path_factory.mktemp("incremental"), [
        {"notebook": "ok", "per": ["programme", "cohort"]},
        {"notebook": "summary", "per": ["programme", "cohort"], "depends_on": ["ok"]},
    ], notebooks={"summary": "ok"})
    yield root
    shutil.rmtree(root / "reports", ignore_errors=True)
    if saved is None:
        os.environ.pop("LEADEVAL_CODE_HASH", None)
    else:
        os.environ["LEADEVAL_CODE_HASH"] = saved


def _started(root, capsys) -> list[str]:
    rc = run_command(run_args(root))
    err = capsys.readouterr().err
    assert rc == 0, err
    return sorted(line.split()[-1] for line in err.splitlines() if " start " in line)


def _edit_csv(path, row, column, value):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


BOTH = ["ok.html", "summary.html"]


@pytest.mark.slow
def test_each_kind_of_change_reruns_exactly_what_reads_it(project, capsys):
    data = project / "data"
    everything = _started(project, capsys)
    # two notebooks for kf_scl and its cohorts kf1, kf2, and for lbs_live (its one cohort's
    # reports are the programme's: helpers.runner.manifest.expand)
    assert len(everything) == 8
    assert _started(project, capsys) == []

    # one answer of participant 1001 (cohort kf1 of kf_scl)
    responses = pd.read_csv(data / "responses.csv", dtype=str)
    row = responses.index[responses["participant_id"] == "1001"][0]
    _edit_csv(data / "responses.csv", row, "value",
              "2" if responses.loc[row, "value"] != "2" else "3")
    assert _started(project, capsys) == sorted(f"kf_scl/{s}/{n}" for s in ("all", "kf1")
                                               for n in BOTH)

    # one code label: the codebook is read whole by every report
    codes = pd.read_csv(data / "codes.csv", dtype=str)
    _edit_csv(data / "codes.csv", 0, "label", codes.loc[0, "label"] + " (renamed)")
    assert _started(project, capsys) == everything

    # one programme row: that programme's reports, its cohorts' too (they show its name)
    _edit_csv(data / "programmes.csv", 0, "name", "Senior clinical leaders, renamed")
    assert _started(project, capsys) == sorted(f"kf_scl/{s}/{n}" for s in ("all", "kf1", "kf2")
                                               for n in BOTH)

    # the disclosure threshold in dataset.yaml: every report applies it
    meta = data / "dataset.yaml"
    meta.write_text(meta.read_text().replace("suppress_below: 5", "suppress_below: 6"))
    assert _started(project, capsys) == everything
    assert _started(project, capsys) == []
