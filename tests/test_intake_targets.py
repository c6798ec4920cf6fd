"""leadeval import into every target table, REDCap events as waves, nominations, --init-map,
and an imported dataset's report published end to end."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.cli import main
from helpers.data import load_dataset

from test_intake_import import _base, _snapshot


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _redcap(tmp_path: Path) -> tuple[Path, Path]:
    data = _write(tmp_path / "redcap.csv",
                  "record_id,redcap_event_name,lead_1,lead_2,survey_timestamp\n"
                  "1,baseline_arm_1,4,5,2016-07-02 10:00\n"
                  "1,end_arm_1,5,5,2017-06-20 10:00\n"
                  "2,baseline_arm_1,3,,2016-07-03 11:00\n")
    dictionary = _write(tmp_path / "dict.csv",
                        '"Variable / Field Name","Form Name","Section Header","Field Type",'
                        '"Field Label","Choices, Calculations, OR Slider Labels","Field Note",'
                        '"Text Validation Type OR Show Slider Number","Text Validation Min",'
                        '"Text Validation Max","Identifier?"\n'
                        'record_id,survey,,text,Record ID,,,,,,\n'
                        'lead_1,survey,,radio,I listen,"1, Never | 2, Rarely | 3, Sometimes | '
                        '4, Often | 5, Always",,,,,\n'
                        'lead_2,survey,,radio,I decide,"1, Never | 2, Rarely | 3, Sometimes | '
                        '4, Often | 5, Always",,,,,\n'
                        'survey_timestamp,survey,,text,Time,,,,,,\n')
    return data, dictionary


def test_redcap_events_become_waves(tmp_path):
    d = _base(tmp_path)
    data, dictionary = _redcap(tmp_path)
    _write(tmp_path / "ids.csv", "export_id,participant_id\n1,P001\n2,P002\n")
    m = _write(tmp_path / "rc.yaml",
               f"into: responses\ndictionary: {dictionary}\n"
               "participant_id: {column: record_id, lookup: ids.csv}\ninstrument: hlm360\n"
               "wave: {column: redcap_event_name, map: {baseline_arm_1: baseline, end_arm_1: post}}\n"
               "rater: self\nresponse_date: {column: survey_timestamp}\n"
               "items: {lead_1: hlm_01, lead_2: hlm_02}\n")
    assert main(["import", str(data), "--dataset", str(d), "--map", str(m)]) == 0
    r = load_dataset(d, use_cache=False).responses
    got = {(str(p), str(w), str(i)): float(v) for p, w, i, v in
           r[["participant_id", "wave", "item_id", "value"]].dropna().itertuples(index=False)}
    assert got == {("P001", "baseline", "hlm_01"): 4.0, ("P001", "baseline", "hlm_02"): 5.0,
                   ("P001", "post", "hlm_01"): 5.0, ("P001", "post", "hlm_02"): 5.0,
                   ("P002", "baseline", "hlm_01"): 3.0}


def test_redcap_event_missing_from_the_wave_map_is_located(tmp_path, capsys):
    d = _base(tmp_path)
    data, dictionary = _redcap(tmp_path)
    _write(tmp_path / "ids.csv", "export_id,participant_id\n1,P001\n2,P002\n")
    m = _write(tmp_path / "rc.yaml",
               f"into: responses\ndictionary: {dictionary}\n"
               "participant_id: {column: record_id, lookup: ids.csv}\ninstrument: hlm360\n"
               "wave: {column: redcap_event_name, map: {baseline_arm_1: baseline}}\n"
               "rater: self\nitems: {lead_1: hlm_01, lead_2: hlm_02}\n")
    before = _snapshot(d)
    assert main(["import", str(data), "--dataset", str(d), "--map", str(m)]) == 2
    err = capsys.readouterr().err
    assert "redcap.csv:3:redcap_event_name" in err and "end_arm_1" in err
    assert _snapshot(d) == before


def test_nomination_columns_become_ties_and_outsiders_are_dropped(tmp_path):
    d = _base(tmp_path)
    export = _write(tmp_path / "nominations.csv",
                    "Respondent,Nom1,Nom2,Nom3\nP001,P002,P003,\nP002,P001,X999,\n")
    m = _write(tmp_path / "noms.yaml",
               "into: ties\nlayout: nominations\nfrom: {column: Respondent}\n"
               "to: {columns: [Nom1, Nom2, Nom3]}\nwave: baseline\ntie_type: advice\n"
               "outside: drop\n")
    assert main(["import", str(export), "--dataset", str(d), "--map", str(m)]) == 0
    ties = load_dataset(d, use_cache=False).ties
    pairs = sorted(zip(ties["from_id"].astype(str), ties["to_id"].astype(str)))
    assert pairs == [("P001", "P002"), ("P001", "P003"), ("P002", "P001")]


def test_nominee_outside_the_programme_refused_when_asked(tmp_path, capsys):
    d = _base(tmp_path)
    export = _write(tmp_path / "nominations.csv", "Respondent,Nom1,Nom2\nP001,P002,X999\n")
    m = _write(tmp_path / "noms.yaml",
               "into: ties\nlayout: nominations\nfrom: {column: Respondent}\n"
               "to: {columns: [Nom1, Nom2]}\nwave: baseline\ntie_type: advice\noutside: refuse\n")
    before = _snapshot(d)
    assert main(["import", str(export), "--dataset", str(d), "--map", str(m)]) == 2
    err = capsys.readouterr().err
    assert "nominations.csv:2:Nom2" in err and "X999" in err
    assert _snapshot(d) == before


def test_participants_attendance_and_careers_targets(tmp_path):
    d = _base(tmp_path)
    people = _write(tmp_path / "people.csv",
                    "Staff,Group,Trust,Prof,Job,Spec\nNEW1,c01,Trust,nursing,Matron,Surgery\n")
    m = _write(tmp_path / "people.yaml",
               "into: participants\nparticipant_id: {column: Staff}\ncohort_id: {column: Group}\n"
               "organisation: {column: Trust}\nprofession: {column: Prof}\nrole: {column: Job}\n"
               "speciality: {column: Spec}\n")
    assert main(["import", str(people), "--dataset", str(d), "--map", str(m)]) == 0
    register = _write(tmp_path / "register.csv",
                      "Staff,Module,Day,Present\nNEW1,1,2016-07-05,true\nP001,1,2016-07-05,false\n")
    m = _write(tmp_path / "att.yaml",
               "into: attendance\nparticipant_id: {column: Staff}\nmodule: {column: Module}\n"
               "session_date: {column: Day}\nattended: {column: Present}\n")
    assert main(["import", str(register), "--dataset", str(d), "--map", str(m)]) == 0
    moves = _write(tmp_path / "moves.csv",
                   "Staff,When,What,NewRole\nNEW1,2018-03-01,promotion,Head of Nursing\n")
    m = _write(tmp_path / "car.yaml",
               "into: careers\nparticipant_id: {column: Staff}\nevent_date: {column: When}\n"
               "event: {column: What}\nrole: {column: NewRole}\n")
    assert main(["import", str(moves), "--dataset", str(d), "--map", str(m)]) == 0
    ds = load_dataset(d, use_cache=False)
    new = ds.participants[ds.participants["role"].astype(str) == "Matron"]
    assert len(new) == 1 and str(new["cohort_id"].iloc[0]) == "c01"
    assert len(ds.attendance) == 2
    assert set(ds.careers["role"].astype(str)) == {"Head of Nursing"}


def test_attendance_of_an_unknown_person_is_located(tmp_path, capsys):
    d = _base(tmp_path)
    register = _write(tmp_path / "register.csv", "Staff,Module,Day,Present\nZZZ,1,2016-07-05,true\n")
    m = _write(tmp_path / "att.yaml",
               "into: attendance\nparticipant_id: {column: Staff}\nmodule: {column: Module}\n"
               "session_date: {column: Day}\nattended: {column: Present}\n")
    before = _snapshot(d)
    assert main(["import", str(register), "--dataset", str(d), "--map", str(m)]) == 2
    assert "register.csv:2:Staff" in capsys.readouterr().err
    assert _snapshot(d) == before


def test_init_map_lists_columns_guesses_roles_and_drops_identifiers(tmp_path, capsys):
    export = _write(tmp_path / "forms.csv",
                    "ID,Start time,Email,Name,I listen to my team,I make decisions\n"
                    "1,2017-07-01 10:00,a@nhs.net,Ann,Agree,Disagree\n")
    assert main(["import", "--init-map", str(export)]) == 0
    text = capsys.readouterr().out
    m = yaml.safe_load(text)
    assert m["into"] == "responses"
    assert {"Email", "Name"} <= set(m["drop"])
    assert set(m["items"]) == {"I listen to my team", "I make decisions"}  # answers as words
    assert m["participant_id"]["column"] == "ID"
    assert m["response_date"] == {"column": "Start time"}


@pytest.mark.slow
def test_an_imported_dataset_publishes_its_report(tmp_path):
    """Import answers into a dataset, then `leadeval run` publishes its reach report."""
    d = _base(tmp_path)
    _write(d / "attendance.csv", "participant_id,module,session_date,attended\n" + "".join(
        f"P{i:03d},1,2016-07-05,true\n" for i in range(1, 22)))
    export = _write(tmp_path / "answers.csv", "Staff,listen,decide\n" + "".join(
        f"P{i:03d},{1 + i % 5},{1 + (i * 3) % 5}\n" for i in range(1, 22)))
    m = _write(tmp_path / "ans.yaml",
               "into: responses\nparticipant_id: {column: Staff}\ninstrument: hlm360\n"
               "wave: baseline\nrater: self\nitems: {listen: hlm_01, decide: hlm_02}\n")
    assert main(["import", str(export), "--dataset", str(d), "--map", str(m)]) == 0
    assert main(["validate", str(d)]) == 0
    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "reports"
    assert main(["run", "--config", str(repo / "reports.yaml"), "--dataset", str(d), "--out",
                 str(out), "--only", "prg/all/10_*"]) == 0
    page = (out / "prg" / "all" / "10_reach_and_reaction.html").read_text(encoding="utf-8")
    assert "21" in page and "Test" in page
    jobs = pd.read_json(out / "manifest.json", typ="series")["jobs"]
    assert [j["status"] for j in jobs] == ["ok"]


def test_every_worked_map_in_the_readme_is_a_valid_map(tmp_path):
    """The README's maps are read by the same checks as a user's map file."""
    import re

    from helpers.intake.mapfile import read_map

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Bringing your data in"):readme.index("## Scheduled")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 6
    for i, block in enumerate(blocks):
        path = _write(tmp_path / f"map{i}.yaml", block)
        m, problems = read_map(path)
        assert m is not None and not problems, (block.splitlines()[0], [str(p) for p in problems])
