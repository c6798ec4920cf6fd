"""Every validation rule of the dataset contract, one bad file each, with the exact place reported.

Rows are spreadsheet rows (header = 1, first data row = 2). Each case makes one mistake in a copy
of tests/data_cases/valid_minimal and asserts that exactly that (file, row, column) is reported.
"""

from __future__ import annotations

import pytest

from data_cases.builders import (copy_valid, places, private_cache, read_rows,  # noqa: F401
                                 refused_at, set_cell, update_meta, write_rows)
from helpers.cli import main
from helpers.data import DataError, load_dataset

# (rule, table, spreadsheet row, column, new value) -> the same place must be reported
CELL_RULES = [
    ("unknown cohort", "participants", 3, "cohort_id", "kf9"),
    ("unknown programme", "cohorts", 2, "programme_id", "nope"),
    ("unknown item", "responses", 4, "item_id", "isp9"),
    ("unknown instrument in responses", "responses", 4, "instrument_id", "mlq"),
    ("unknown code", "codings", 5, "code_id", "courage"),
    ("unknown segment", "codings", 2, "segment_id", "s99"),
    ("unknown project", "kpi_values", 3, "project_id", "p9"),
    ("unknown participant in responses", "responses", 11, "participant_id", "9999"),
    ("unknown participant in attendance", "attendance", 2, "participant_id", "9999"),
    ("unknown project lead", "projects", 3, "lead_participant_id", "9999"),
    ("unknown tie end", "ties", 4, "to_id", "9999"),
    ("unknown participant in careers", "careers", 2, "participant_id", "9999"),
    ("unknown participant in segments", "segments", 5, "participant_id", "9999"),
    ("unknown parent code", "codes", 3, "parent_id", "nothing"),
    ("duplicate participant id", "participants", 4, "participant_id", "1001"),
    ("Likert value above max", "responses", 3, "value", "6"),
    ("Likert value below min", "responses", 11, "value", "0"),
    ("Likert word without mapping", "responses", 2, "value", "Quite a lot"),
    ("unknown wave", "responses", 5, "wave", "midpoint"),
    ("unknown rater", "responses", 6, "rater", "mentor"),
    ("unknown profession", "participants", 6, "profession", "physician"),
    ("unknown source type", "segments", 2, "source_type", "survey"),
    ("unknown better direction", "projects", 2, "better", "higher"),
    ("unparseable date", "attendance", 4, "session_date", "next Tuesday"),
    ("impossible date", "careers", 3, "event_date", "31/02/2025"),
    ("year out of range", "careers", 2, "event_date", "9999-01-01"),
    ("ambiguous date in a mixed column", "projects", 4, "start_date", "01/02/2024"),
    ("required cell blank", "participants", 2, "profession", ""),
    ("not a whole number", "programmes", 2, "modules", "three"),
    ("not a boolean", "attendance", 3, "attended", "maybe"),
    ("scale not in the instrument", "items", 4, "scale", "courage"),
    ("items min not below max", "items", 4, "max", "1"),
    ("e-mail address as an id", "careers", 3, "participant_id", "a.person@nhs.net"),
    ("NHS number as an id", "participants", 9, "participant_id", "943 476 5919"),
    ("end date before start", "cohorts", 4, "end_date", "2023-01-01"),
    ("Excel scientific id", "participants", 9, "participant_id", "2.003E+03"),
]


@pytest.mark.parametrize("rule,table,row,column,value", CELL_RULES, ids=[r[0] for r in CELL_RULES])
def test_cell_rule_reports_the_place(rule, table, row, column, value, tmp_path):
    folder = copy_valid(tmp_path)
    set_cell(folder, table, row, column, value)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    problems = info.value.problems
    assert places(problems) == {(f"{table}.csv", row, column)}, [str(p) for p in problems]
    problem = problems[0]
    assert problem.value == value
    assert problem.expected and str(problem).startswith(f"{table}.csv:{row}:{column}: ")


@pytest.mark.parametrize("table,row,column", [
    ("items", ["hlm360", "isp2", "inspiring_shared_purpose", "Again", "1", "5", ""], "item_id"),
    ("segments", ["s1", "int09", "interview", "1002", "post", "Another answer"], "segment_id"),
    ("kpi_values", ["p1", "01/12/2023", "5.9"], "period"),
    ("codings", ["s1", "reflection", "c1"], "coder_id"),
])
def test_duplicate_key_reported_on_the_later_row(table, row, column, tmp_path):
    folder = copy_valid(tmp_path)
    rows = read_rows(folder, table)
    rows.append(row)
    write_rows(folder, table, rows)
    assert refused_at(folder) == {(f"{table}.csv", len(rows), column)}


def test_instrument_not_declared_in_dataset_yaml(tmp_path):
    folder = copy_valid(tmp_path)
    rows = read_rows(folder, "items")
    rows.append(["mlq", "m1", "", "Acts with integrity", "1", "5", "false"])   # row 6
    write_rows(folder, "items", rows)
    assert refused_at(folder) == {("items.csv", 6, "instrument_id")}


def test_missing_required_column(tmp_path):
    folder = copy_valid(tmp_path)
    rows = [r[:3] + r[4:] for r in read_rows(folder, "participants")]   # drop profession
    write_rows(folder, "participants", rows)
    assert refused_at(folder) == {("participants.csv", 1, "profession")}


@pytest.mark.parametrize("column", ["Date of Birth", "NHS Number", "manager_email"])
def test_identifying_column_refused(column, tmp_path):
    folder = copy_valid(tmp_path)
    rows = read_rows(folder, "careers")
    rows[0].append(column)
    for r in rows[1:]:
        r.append("x")
    write_rows(folder, "careers", rows)
    canonical = column.lower().replace(" ", "_")
    assert refused_at(folder) == {("careers.csv", 1, canonical)}


def test_missing_required_table(tmp_path):
    folder = copy_valid(tmp_path)
    (folder / "programmes.csv").unlink()
    assert refused_at(folder) == {("programmes.csv", None, None)}


def test_required_table_without_rows(tmp_path):
    folder = copy_valid(tmp_path)
    write_rows(folder, "cohorts", read_rows(folder, "cohorts")[:1])
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    found = places(info.value.problems)
    assert ("cohorts.csv", 2, None) in found
    # and every participant now points at an unknown cohort
    assert {p for p in found if p[0] == "participants.csv"} == {
        ("participants.csv", r, "cohort_id") for r in range(2, 10)}


def test_responses_without_items(tmp_path):
    folder = copy_valid(tmp_path)
    (folder / "items.csv").unlink()
    assert refused_at(folder) == {("items.csv", None, None)}


def test_optional_tables_absent_give_empty_typed_frames(tmp_path):
    folder = copy_valid(tmp_path)
    for table in ("careers", "ties", "kpi_values"):
        (folder / f"{table}.csv").unlink()
    ds = load_dataset(folder)
    assert ds.careers.empty and list(ds.careers.columns) == ["participant_id", "event_date",
                                                              "event", "role"]
    assert str(ds.careers["event_date"].dtype) == "datetime64[ns]"
    assert str(ds.kpi_values["value"].dtype) == "float64"


@pytest.mark.parametrize("key,value,column", [
    ("suppress_below", 0, "suppress_below"),
    ("suppress_below", "five", "suppress_below"),
    ("max_file_mb", -1, "max_file_mb"),
    ("observation_end", "30/09/2026", "observation_end"),
    ("tables", {"responses": "../outside.csv"}, "tables.responses"),
    ("tables", {"answers": "responses.csv"}, "tables.answers"),
    ("sheets", {"participants": "P"}, None),   # a sheet for a CSV table is ignored
])
def test_dataset_yaml_settings(key, value, column, tmp_path):
    folder = copy_valid(tmp_path)
    update_meta(folder, **{key: value})
    if column is None:
        assert load_dataset(folder).participants.shape[0] == 8
        return
    (found,) = refused_at(folder)
    assert (found[0], found[2]) == ("dataset.yaml", column)
    lines = (folder / "dataset.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith(f"{key}:"))
    assert found[1] in (line, line + 1)  # the key's line, or its sub-key's on the next


def test_bad_yaml_reports_its_line(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    text = (folder / "dataset.yaml").read_text().replace("suppress_below: 5", "suppress_below: [5")
    (folder / "dataset.yaml").write_text(text)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    (problem,) = info.value.problems
    assert problem.file == "dataset.yaml" and problem.row is not None
    assert main(["validate", str(folder)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("make", ["no_folder", "no_yaml", "yaml_list", "not_utf8"])
def test_unreadable_dataset_exits_2(make, tmp_path, capsys):
    folder = copy_valid(tmp_path)
    if make == "no_folder":
        folder = tmp_path / "missing"
    elif make == "no_yaml":
        (folder / "dataset.yaml").unlink()
    elif make == "yaml_list":
        (folder / "dataset.yaml").write_text("- just\n- a list\n")
    else:
        (folder / "dataset.yaml").write_bytes(b"name: caf\xe9\n")
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("dataset.yaml" in err or "missing" in err)


def test_valid_dataset_summary(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "2 programmes, 3 cohorts, 8 participants" in out
    assert "waves: baseline, follow_up, post" in out
    assert "responses (10 rows)" in out


TEN_MISTAKES = [
    ("participants", 3, "cohort_id", "kf9"),             # unknown cohort
    ("participants", 6, "profession", "surgeon"),        # unknown profession
    ("responses", 3, "value", "9"),                      # outside 1-5
    ("responses", 5, "wave", "mid"),                     # unknown wave
    ("responses", 8, "value", "Loads"),                  # word without a mapping
    ("cohorts", 3, "start_date", "2024-13-01"),          # unparseable date
    ("codings", 4, "code_id", "grit"),                   # unknown code
    ("kpi_values", 2, "project_id", "p7"),               # unknown project
    ("programmes", 3, "days", "eight"),                  # not a whole number
    ("attendance", 5, "attended", "perhaps"),            # not a boolean
]


def test_ten_mistakes_all_reported(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    for table, row, column, value in TEN_MISTAKES:
        set_cell(folder, table, row, column, value)
    want = {(f"{t}.csv", r, c) for t, r, c, _ in TEN_MISTAKES}
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert places(info.value.problems) == want
    assert len(info.value.problems) == 10
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 11 and err[-1].startswith("10 problem(s)")
    for (table, row, column, value), line in zip(sorted(TEN_MISTAKES), sorted(err[:-1]), strict=True):
        assert line.startswith(f"{table}.csv:{row}:{column}: found {value!r}, expected ")
