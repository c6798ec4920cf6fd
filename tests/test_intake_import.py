"""leadeval import: real-export shapes into a small dataset; located errors leave it unchanged."""

import os
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.data import load_dataset

SHARED = Path(os.environ["LEADEVAL_SHARED_DIR"]) / "exports" if os.environ.get(
    "LEADEVAL_SHARED_DIR") else Path(__file__).resolve().parents[2] / "shared" / "exports"

META = """name: import test
synthetic: true
instruments:
- instrument_id: hlm360
  labels: {1: Strongly disagree, 2: Disagree, 3: Neither, 4: Agree, 5: Strongly agree}
  missing: [-1, -2]
"""


def _base(tmp_path: Path) -> Path:
    d = tmp_path / "ds"
    d.mkdir()
    (d / "dataset.yaml").write_text(META)
    (d / "programmes.csv").write_text("programme_id,name,provider,host_organisation,level,"
                                      "modules,days\nprg,Test,Prov,Host,Senior,3,6\n")
    (d / "cohorts.csv").write_text("cohort_id,programme_id,start_date,end_date,delivery_mode\n"
                                   "c01,prg,2016-07-01,2017-06-30,face to face\n")
    (d / "participants.csv").write_text("participant_id,cohort_id,organisation,profession,role,"
                                        "speciality\n" + "".join(
                                            f"P{i:03d},c01,Trust,medical,Lead,Surgery\n"
                                            for i in range(1, 22)))
    (d / "items.csv").write_text("instrument_id,item_id,scale,text,min,max,reverse_scored\n"
                                 "hlm360,hlm_01,,One,1,5,false\nhlm360,hlm_02,,Two,1,5,false\n")
    return d


def _snapshot(d: Path) -> dict:
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}


def _qualtrics(path: Path) -> None:
    path.write_text(
        "ResponseId,IPAddress,RecordedDate,Q1,Q2\n"
        "Response ID,IP Address,Recorded Date,I listen,I decide\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""ipAddress""}",'
        '"{""ImportId"":""recordedDate""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}"\n'
        "R_1,10.0.0.1,2017-07-18 08:28:48,4,-1\nR_2,10.0.0.2,2017-07-19 09:00:00,Agree,5\n")


def _qmap(tmp_path: Path, extra: str = "", items: str = "{Q1: hlm_01, QID2: hlm_02}") -> Path:
    (tmp_path / "ids.csv").write_text("export_id,participant_id\nR_1,P001\nR_2,P002\n")
    m = tmp_path / "map.yaml"
    m.write_text("into: responses\ndrop: [IPAddress]\nparticipant_id: {column: ResponseId, "
                 f"lookup: ids.csv}}\ninstrument: hlm360\nwave: post\nrater: self\n"
                 f"response_date: {{column: RecordedDate}}\nitems: {items}\n{extra}")
    return m


def test_qualtrics_import_adds_answers_and_twice_changes_nothing(tmp_path):
    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    m = _qmap(tmp_path)
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map", str(m)]) == 0
    ds = load_dataset(d, use_cache=False)
    assert sorted(ds.responses["value"].dropna().tolist()) == [4.0, 4.0, 5.0]   # -1 is N/A
    before = _snapshot(d)
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map", str(m)]) == 0
    assert _snapshot(d) == before


@pytest.mark.parametrize("extra, items, where", [
    ("", "{Q1: hlm_01, Q9: hlm_02}", "map.yaml:8:items.Q9"),             # unknown column
    ("", "{Q1: hlm_01, Q2: hlm_77}", "map.yaml:8:items.Q2"),             # item not in instrument
    ("", "{Q1: hlm_01}", None),                                           # wave (set below)
])
def test_wrong_map_is_located_exit_2_dataset_unchanged(tmp_path, capsys, extra, items, where):
    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    m = _qmap(tmp_path, extra, items)
    if where is None:
        m.write_text(m.read_text().replace("wave: post", "wave: pre"))
        where = "map.yaml:5:wave"
    before = _snapshot(d)
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map", str(m)]) == 2
    err = capsys.readouterr().err
    assert where in err and "The dataset was not changed." in err
    assert _snapshot(d) == before


def test_identifier_column_not_dropped_is_refused_at_its_header(tmp_path, capsys):
    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    m = _qmap(tmp_path)
    m.write_text(m.read_text().replace("drop: [IPAddress]", "drop: []"))
    before = _snapshot(d)
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map", str(m)]) == 2
    assert "q.csv:1:IPAddress" in capsys.readouterr().err
    assert _snapshot(d) == before


def test_dry_run_writes_nothing(tmp_path, capsys):
    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    before = _snapshot(d)
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map",
                 str(_qmap(tmp_path)), "--dry-run"]) == 0
    assert "would go from 0 to 3 rows" in capsys.readouterr().out
    assert _snapshot(d) == before and not (d / ".leadeval").exists()


def test_spss_sav_with_value_labels_and_user_missing(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    import pandas as pd

    d = _base(tmp_path)
    df = pd.DataFrame({"case": [1.0, 2.0], "q1": [12.0, 99.0], "q2": [11.0, 15.0]})
    pyreadstat.write_sav(df, str(tmp_path / "s.sav"), column_labels=["Case", "I listen", "I decide"],
                         variable_value_labels={"q1": {11: "Agree strongly", 15: "Disagree strongly"}},
                         missing_ranges={"q1": [99]})
    (tmp_path / "ids.csv").write_text("export_id,participant_id\n1,P001\n2,P002\n")
    m = tmp_path / "map.yaml"
    m.write_text("into: responses\nparticipant_id: {column: case, lookup: ids.csv}\n"
                 "instrument: hlm360\nwave: baseline\nrater: self\nitems: {q1: hlm_01, q2: hlm_02}\n"
                 "recode: {11: 5, 12: 4, 13: 3, 14: 2, 15: 1}\n")
    assert main(["import", str(tmp_path / "s.sav"), "--dataset", str(d), "--map", str(m)]) == 0
    ds = load_dataset(d, use_cache=False)
    assert sorted(ds.responses["value"].tolist()) == [1.0, 4.0, 5.0]   # 99 user-missing


def test_monthly_kpi_files_month_in_name_changing_headers(tmp_path):
    d = _base(tmp_path)
    (d / "projects.csv").write_text("project_id,programme_id,lead_participant_id,title,area,kpi,"
                                    "unit,better,start_date,status\nae,prg,P001,Flow,ED,Att,n,"
                                    "down,2025-01-01,ongoing\n")
    (tmp_path / "AE-October-2025.csv").write_text('Org Code,Total attendances\nRLQ,"16,769"\nX,1\n')
    (tmp_path / "AE-November-2025.csv").write_text('Org code,Total Attendances \nRLQ,"17,001"\n')
    m = tmp_path / "kpi.yaml"
    m.write_text("into: kpi_values\nfilter: {Org Code: RLQ}\nproject_id: ae\n"
                 "period: {from_filename: '(?P<month>[A-Za-z]+)-(?P<year>\\d{4})'}\n"
                 "value: {column: Total attendances}\nnumbers: {thousands: ','}\n")
    files = [str(tmp_path / "AE-October-2025.csv"), str(tmp_path / "AE-November-2025.csv")]
    assert main(["import", *files, "--dataset", str(d), "--map", str(m)]) == 0
    kv = load_dataset(d, use_cache=False).kpi_values
    assert kv["value"].tolist() == [16769.0, 17001.0]
    assert kv["period"].dt.strftime("%Y-%m").tolist() == ["2025-10", "2025-11"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared exports not present")
def test_real_krackhardt_edge_list_gives_190_advice_ties(tmp_path):
    d = _base(tmp_path)
    (tmp_path / "ids.csv").write_text("export_id,participant_id\n" + "".join(
        f"{i},P{i:03d}\n" for i in range(1, 22)))
    m = tmp_path / "ties.yaml"
    m.write_text("into: ties\nfrom: {column: ego, lookup: ids.csv}\nto: {column: alter, lookup: "
                 "ids.csv}\nfilter: {advice_tie: 1}\nwave: baseline\ntie_type: advice\n")
    assert main(["import", str(SHARED / "ins_krackhardt_advice.csv"), "--dataset", str(d),
                 "--map", str(m)]) == 0
    assert len(load_dataset(d, use_cache=False).ties) == 190


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared exports not present")
def test_real_redcap_identifier_flags_refused_unless_dropped(tmp_path, capsys):
    d = _base(tmp_path)
    m = tmp_path / "rc.yaml"
    m.write_text(f"into: responses\ndictionary: {SHARED / 'redcapr_survey_dictionary.csv'}\n"
                 "participant_id: {column: participant_id}\ninstrument: hlm360\nwave: baseline\n"
                 "rater: self\nitems: {pmq1: hlm_01}\n")
    assert main(["import", str(SHARED / "redcapr_survey_data.csv"), "--dataset", str(d),
                 "--map", str(m)]) == 2
    err = capsys.readouterr().err
    for column in ("email", "first_name", "last_name", "address", "telephone_1", "dob"):
        assert f"redcapr_survey_data.csv:1:{column}" in err


# --- the dataset lock, paths outside the dataset, tables in any form the loader reads ----------

CLI = "import sys; from helpers.cli import main; sys.exit(main(sys.argv[1:]))"


def test_three_concurrent_leadeval_imports_none_lost(tmp_path):
    import subprocess
    import sys
    import time

    from helpers.runner.lock import DatasetLock

    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    maps = []
    for wave in ("baseline", "post", "follow_up"):
        m = _qmap(tmp_path)
        maps.append(m.rename(tmp_path / f"map_{wave}.yaml"))
        maps[-1].write_text(maps[-1].read_text().replace("wave: post", f"wave: {wave}"))
    reader = DatasetLock(d, shared=True).acquire()  # as a run would: all three must wait
    errs = [tmp_path / f"err{i}.txt" for i in range(3)]
    procs = [subprocess.Popen([sys.executable, "-c", CLI, "import", str(tmp_path / "q.csv"),
                               "--dataset", str(d), "--map", str(m)],
                              stdout=subprocess.DEVNULL, stderr=e.open("w"))
             for m, e in zip(maps, errs)]
    try:
        deadline = time.monotonic() + 60
        while not all("waiting" in e.read_text() for e in errs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all("waiting" in e.read_text() for e in errs), [e.read_text() for e in errs]
    finally:
        reader.release()
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0], [e.read_text() for e in errs]
    ds = load_dataset(d, use_cache=False)
    assert ds.responses.groupby("wave", observed=True)["value"].count().to_dict() == \
        {"baseline": 3, "post": 3, "follow_up": 3}
    assert [p.name for p in d.iterdir() if p.name.startswith(".")] == []


def test_import_tables_path_outside_the_dataset_refused_nothing_written(tmp_path, capsys):
    d = _base(tmp_path)
    _qualtrics(tmp_path / "q.csv")
    (d / "dataset.yaml").write_text(META + "tables: {responses: ../responses.csv}\n")
    before, around = _snapshot(d), sorted(p.name for p in tmp_path.iterdir())
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map",
                 str(_qmap(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "tables.responses" in err and "inside the dataset folder" in err
    assert "The dataset was not changed." in err
    assert _snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(around + ["map.yaml", "ids.csv"])
    assert not (tmp_path / "responses.csv").exists()


def test_import_into_a_utf16_semicolon_table_with_a_title_row(tmp_path, capsys):
    d = _base(tmp_path)
    text = (d / "participants.csv").read_text()
    (d / "participants.csv").write_bytes(
        ("Participants, exported 2017\n" + text.replace(",", ";")).encode("utf-16"))
    (d / "responses.csv").write_bytes(
        ("Responses, exported 2017\nparticipant_id;instrument_id;item_id;wave;rater;response_date;value\n"
         "P003;hlm360;hlm_01;post;self;2017-07-20;3\n").encode("utf-16"))
    load_dataset(d, use_cache=False)
    _qualtrics(tmp_path / "q.csv")
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map",
                 str(_qmap(tmp_path))]) == 0, capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err
    responses = load_dataset(d, use_cache=False).responses
    assert sorted(responses["value"].dropna().tolist()) == [3.0, 4.0, 4.0, 5.0]


def test_import_removes_left_over_staging_folders(tmp_path, capsys):
    from helpers.data.staging import STAGING_PREFIX

    d = _base(tmp_path)
    (d / f"{STAGING_PREFIX}killed").mkdir()
    _qualtrics(tmp_path / "q.csv")
    assert main(["import", str(tmp_path / "q.csv"), "--dataset", str(d), "--map",
                 str(_qmap(tmp_path))]) == 0
    assert [p.name for p in d.iterdir() if p.name.startswith(".")] == []
    assert "removed 1 staging folder(s)" in capsys.readouterr().err
