"""Build the bad-input corpus: one folder per realistic export mistake, overlaid on valid_minimal.

Run ``.venv/bin/python tests/data_cases/make_corpus.py`` to rebuild the committed folders under
``tests/data_cases/corpus/``. Each folder holds only the files that differ from
``valid_minimal/`` plus ``case.yaml``:

``source``   the tool whose export produces the mistake
``mistake``  what is wrong with the file
``meta``     keys merged into valid_minimal's dataset.yaml (optional)
``remove``   files of valid_minimal to leave out (optional; e.g. the CSV an .xlsx replaces)
``expect``   ``loads`` (then ``values``: loaded cells to assert) or ``refused`` (then
             ``problems``: exactly the (file, row, column) places the loader must report)

The oversize case is not here: the test makes a sparse 200 MB file at run time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "valid_minimal"
CORPUS = HERE / "corpus"


def rows(table: str) -> list[list[str]]:
    """The base table's rows (header first) as text cells."""
    with open(BASE / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def to_csv(table_rows: list[list[object]], sep: str = ",", eol: str = "\r\n") -> str:
    """Rows as CSV text, quoted as Excel quotes them."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=eol).writerows(table_rows)
    return buf.getvalue()


def workbook(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None,
             date_cols: dict[str, list[int]] | None = None) -> bytes:
    """An .xlsx with the given sheets (cell values as given), merged ranges and date formats."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table_rows in sheets.items():
        ws = book.create_sheet(name)
        for r in table_rows:
            ws.append(r)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        for col in (date_cols or {}).get(name, []):
            for cell in list(ws.iter_cols(min_col=col, max_col=col))[0]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def numeric(cell: str) -> object:
    """A cell as Excel would store it: numbers as numbers, the rest as text."""
    try:
        value = float(cell)
    except ValueError:
        return cell if cell else None
    return int(value) if value.is_integer() else value


CASES: dict[str, dict] = {}


def case(name: str, files: dict[str, bytes | str], **spec) -> None:
    CASES[name] = {"files": files, **spec}


def build_cases() -> None:
    """Define every corpus case."""
    p = rows("participants")
    p[3][2] = "Guy\u2019s and St Thomas\u2019"
    p[4][2] = "Sainte-H\u00e9l\u00e8ne NHS Trust"
    case("windows_1252_text", {"participants.csv": to_csv(p).encode("cp1252")},
         source="Excel on Windows, Save As 'CSV (Comma delimited)'",
         mistake="Windows-1252 text with curly apostrophes and accents", expect="loads",
         values=[{"table": "participants", "row": 2, "column": "organisation",
                  "value": "Guy\u2019s and St Thomas\u2019"},
                 {"table": "participants", "row": 3, "column": "organisation",
                  "value": "Sainte-H\u00e9l\u00e8ne NHS Trust"}])

    case("utf8_with_bom", {"programmes.csv": "\ufeff" + to_csv(rows("programmes"))},
         source="Excel 'CSV UTF-8', JISC Online Surveys", mistake="byte-order mark before the header",
         expect="loads", values=[{"table": "programmes", "row": 0, "column": "programme_id",
                                  "value": "kf_scl"}])

    k = rows("kpi_values")
    k = [k[0]] + [[a, b, c.replace(".", ",")] for a, b, c in k[1:]]
    case("semicolons_decimal_commas", {"kpi_values.csv": to_csv(k, sep=";")},
         source="Excel with a European regional setting", mistake="semicolon separators, decimal commas",
         expect="loads", values=[{"table": "kpi_values", "row": 0, "column": "value", "value": 6.1},
                                 {"table": "kpi_values", "row": 4, "column": "value", "value": 31.5}])

    r = rows("responses")
    case("title_row_above_header",
         {"responses.csv": to_csv([["Leadership 360 export: all responses"], []] + r)},
         source="Qualtrics / Excel report sheet saved as CSV",
         mistake="a title row and a blank row above the header", expect="loads",
         values=[{"table": "responses", "row": 0, "column": "value", "value": 3.0}])

    r = rows("responses")
    r[4][5] = "7"
    case("title_row_bad_value", {"responses.csv": to_csv([["Leadership 360 export"]] + r)},
         source="Qualtrics export", mistake="title row above the header and an answer of 7 on a 1-5 item",
         expect="refused", problems=[{"file": "responses.csv", "row": 6, "column": "value"}])

    r = rows("responses")
    texts = ["Response ID", "Survey", "Question", "Wave", "Rater", "Answer (1-5)", "Recorded Date"]
    ids = ['{"ImportId":"_recordId"}', '{"ImportId":"surveyId"}', '{"ImportId":"QID1"}',
           '{"ImportId":"QID2"}', '{"ImportId":"QID3"}', '{"ImportId":"QID4_1"}',
           '{"ImportId":"recordedDate","timeZone":"Europe/London"}']
    case("qualtrics_header_rows", {"responses.csv": to_csv([r[0], texts[:len(r[0])], ids[:len(r[0])]] + r[1:])},
         source="Qualtrics export (CSV, new format)",
         mistake="question-text and ImportId rows under the header", expect="loads",
         values=[{"table": "responses", "row": 0, "column": "value", "value": 3.0}])

    r = rows("responses")
    r[4][5] = "7"
    case("qualtrics_header_rows_bad_value",
         {"responses.csv": to_csv([r[0], texts[:len(r[0])], ids[:len(r[0])]] + r[1:])},
         source="Qualtrics export (CSV, new format)",
         mistake="ImportId rows under the header and an answer of 7 on a 1-5 item",
         expect="refused", problems=[{"file": "responses.csv", "row": 7, "column": "value"}])

    p = rows("participants")
    group = ["Participant", None, None, "Job", None, None]
    case("merged_header_cells_xlsx",
         {"participants.xlsx": workbook({"Participants": [group] + [[numeric(c) for c in r] for r in p]},
                                        merges={"Participants": ["A1:C1", "D1:F1"]})},
         remove=["participants.csv"], source="Excel workbook laid out for printing",
         mistake="merged group-header cells above the real header", expect="loads",
         values=[{"table": "participants", "row": 0, "column": "participant_id", "value": "1001"},
                 {"table": "participants", "row": 7, "column": "profession", "value": "other"}])

    r = rows("responses")
    r[1][5], r[2][5], r[4][5] = "Strongly Agree", " neither agree nor disagree ", "DISAGREE"
    case("likert_words_mapped", {"responses.csv": to_csv(r)},
         source="Microsoft Forms / JISC Online Surveys", mistake="Likert answers exported as words",
         expect="loads", values=[{"table": "responses", "row": 0, "column": "value", "value": 5.0},
                                 {"table": "responses", "row": 1, "column": "value", "value": 3.0},
                                 {"table": "responses", "row": 3, "column": "value", "value": 2.0}])

    r = rows("responses")
    r[10][5] = "Very satisfied"
    r[2][5] = "Agree a lot"
    case("likert_words_unmapped", {"responses.csv": to_csv(r)},
         source="Microsoft Forms", mistake="words with no mapping in dataset.yaml labels",
         expect="refused", problems=[{"file": "responses.csv", "row": 3, "column": "value"},
                                     {"file": "responses.csv", "row": 11, "column": "value"}])

    c = rows("cohorts")
    serial = [c[0]] + [[a, b, (dt.date.fromisoformat(s) - dt.date(1899, 12, 30)).days
                        if "-" in s else s, e, m] for a, b, s, e, m in c[1:]]
    serial[2][3] = dt.datetime(2025, 3, 31)  # a real date cell beside the serials
    case("excel_serial_dates_xlsx",
         {"cohorts.xlsx": workbook({"cohorts": serial}, date_cols={"cohorts": [4]})},
         remove=["cohorts.csv"], source="Excel workbook with the date column formatted General",
         mistake="dates stored as Excel serial numbers", expect="loads",
         values=[{"table": "cohorts", "row": 0, "column": "start_date", "value": "2024-01-15"},
                 {"table": "cohorts", "row": 1, "column": "end_date", "value": "2025-03-31"}])

    c = rows("cohorts")
    c[1][2] = "45306"
    case("excel_serial_dates_csv", {"cohorts.csv": to_csv(c)},
         source="Excel 'Save as CSV' of a General-formatted date column",
         mistake="an Excel serial number in a CSV date column", expect="refused",
         problems=[{"file": "cohorts.csv", "row": 2, "column": "start_date"}])

    p = rows("participants")
    case("trailing_blank_rows", {"participants.csv": to_csv(p + [[""] * 6] * 3 + [[]] * 2)},
         source="Excel sheet with formatted but empty rows", mistake="trailing blank rows",
         expect="loads", values=[{"table": "participants", "row": 7, "column": "participant_id",
                                  "value": "2003"}])

    p = rows("participants")
    p[0][5] = "role"
    case("duplicate_column_names", {"participants.csv": to_csv(p)},
         source="REDCap report with a repeated field label", mistake="the same column name twice",
         expect="refused", problems=[{"file": "participants.csv", "row": 1, "column": "role"}])

    case("empty_file", {"careers.csv": b""}, source="an export that timed out",
         mistake="a zero-byte file", expect="refused",
         problems=[{"file": "careers.csv", "row": 1, "column": None}])

    p = rows("participants")
    case("wrong_sheet_name",
         {"participants.xlsx": workbook({"Participants": p, "Notes": [["exported 2024-07-01"]]})},
         remove=["participants.csv"], meta={"sheets": {"participants": "Sheet1"}},
         source="Excel workbook renamed after dataset.yaml was written",
         mistake="sheets: names a sheet the workbook does not have", expect="refused",
         problems=[{"file": "participants.xlsx", "row": None, "column": "sheets.participants"}])

    p = rows("participants")
    for r in p[1:]:
        r[0] = r[0] + ".0"
    r = rows("responses")
    for x in r[1:]:
        x[0] = x[0] + ".0"
    case("id_read_as_float", {"participants.csv": to_csv(p), "responses.csv": to_csv(r)},
         source="pandas / R round trip of a column with a blank", mistake="ids written as 1001.0",
         expect="loads", values=[{"table": "participants", "row": 0, "column": "participant_id",
                                  "value": "1001"},
                                 {"table": "responses", "row": 9, "column": "participant_id",
                                  "value": "2001"}])

    c = rows("cohorts")
    c[3][2] = "02/10/2023"
    case("ambiguous_mixed_dates", {"cohorts.csv": to_csv(c)},
         source="two exports pasted into one sheet", mistake="ISO and dd/mm dates mixed in a column",
         expect="refused", problems=[{"file": "cohorts.csv", "row": 4, "column": "start_date"}])

    r = rows("responses")
    for x in r[1:]:
        y, m, d = x[6].split("-")
        x[6] = f"{int(m)}/{int(d)}/{y}"
    case("us_month_first_dates", {"responses.csv": to_csv(r)},
         source="Microsoft Forms with a US locale", mistake="m/d/yyyy dates", expect="refused",
         problems=[{"file": "responses.csv", "row": n, "column": "response_date"}
                   for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
                   if r[n - 1][6].split("/")[0] != r[n - 1][6].split("/")[1]])

    case("utf16_tab_separated",
         {"ties.csv": to_csv(rows("ties"), sep="\t").encode("utf-16")},
         source="Excel 'Unicode Text' saved with a .csv name", mistake="UTF-16, tab separated",
         expect="loads", values=[{"table": "ties", "row": 2, "column": "to_id", "value": "2002"}])

    p = rows("participants")
    p[0].append("Email")
    for i, r in enumerate(p[1:]):
        r.append(f"person{i}@nhs.net")
    case("email_column", {"participants.csv": to_csv(p)},
         source="JISC Online Surveys with respondent e-mail collected",
         mistake="an identifying column", expect="refused",
         problems=[{"file": "participants.csv", "row": 1, "column": "email"}])

    p = rows("participants")
    p[5][0] = "1.005E+03"
    case("id_in_scientific_notation", {"participants.csv": to_csv(p)},
         source="Excel showing a long number column as General", mistake="an id shortened to 1.005E+03",
         expect="refused", problems=[{"file": "participants.csv", "row": 6, "column": "participant_id"}])

    p = rows("participants")
    text = to_csv(p[:4]).encode("utf-8").replace(b"Barts", "B\u00e5rts".encode("utf-8"), 1) + \
        to_csv(p[4:]).encode("cp1252").replace(b"Barking", "B\u00e2rking".encode("cp1252"))
    case("mixed_encodings", {"participants.csv": text},
         source="two CSV exports concatenated", mistake="UTF-8 and Windows-1252 in one file",
         expect="refused", problems=[{"file": "participants.csv", "row": 6, "column": None}])

    r = rows("responses")
    sheet = [r[0]] + [[numeric(c) for c in x] for x in r[1:]]
    sheet[3][5] = "#N/A"
    case("excel_error_value",
         {"survey.xlsx": workbook({"Responses": sheet})}, remove=["responses.csv"],
         meta={"tables": {"responses": "survey.xlsx"}, "sheets": {"responses": "Responses"}},
         source="Excel workbook with a failed lookup formula", mistake="#N/A in an answer cell",
         expect="refused", problems=[{"file": "survey.xlsx[Responses]", "row": 4, "column": "value"}])

    r = rows("responses")
    r[0] = ["Participant ID", "Instrument ID", "Item ID", "Wave", "Rater", "Value", "Response date"]
    r[9][3], r[1][4] = "Follow-up", "Self"
    case("form_style_headers", {"responses.csv": to_csv(r)},
         source="Microsoft Forms", mistake="Title Case headers with spaces, capitalised answers",
         expect="loads", values=[{"table": "responses", "row": 8, "column": "wave", "value": "follow_up"},
                                 {"table": "responses", "row": 0, "column": "rater", "value": "self"}])

    s = rows("segments")
    lines = to_csv(s).splitlines()
    lines[2] = 's2,int02,interview,1004,post,I learnt to say no, kindly, to the wrong priorities.'
    case("unquoted_comma_in_text", {"segments.csv": "\r\n".join(lines) + "\r\n"},
         source="a hand-edited CSV", mistake="a comma inside unquoted text", expect="refused",
         problems=[{"file": "segments.csv", "row": 3, "column": None}])

    a = rows("attendance")
    a[2][3], a[4][3] = "Checked", "Unchecked"
    case("redcap_checkbox_words", {"attendance.csv": to_csv(a)},
         source="REDCap report with checkbox labels", mistake="Checked/Unchecked instead of true/false",
         expect="refused", problems=[{"file": "attendance.csv", "row": 3, "column": "attended"},
                                     {"file": "attendance.csv", "row": 5, "column": "attended"}])


def main() -> None:
    build_cases()
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    for name, spec in CASES.items():
        folder = CORPUS / name
        folder.mkdir(parents=True)
        for fname, content in spec.pop("files").items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder / fname).write_bytes(data)
        with open(folder / "case.yaml", "w", encoding="utf-8") as fh:
            yaml.safe_dump(spec, fh, sort_keys=False, allow_unicode=True)
    print(f"{len(CASES)} cases written to {CORPUS}")


if __name__ == "__main__":
    main()
