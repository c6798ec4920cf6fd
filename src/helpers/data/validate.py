"""Type each table and check it: pandera schemas per table, then checks across tables.

Per table (:func:`type_table`): each cell is typed by its column kind (:mod:`helpers.data.coerce`,
:mod:`helpers.data.dates`), then a pandera ``DataFrameSchema`` built from
:mod:`helpers.data.schema` checks, lazily (every failure collected), that required columns are
present, required cells filled, keys unique and item ranges sensible. Identifying columns
(names, e-mail, NHS number, date of birth, phone ...) are refused.

Across tables (:func:`cross_check`): every reference resolves (cohort -> programme, participant
-> cohort, response -> participant and item, coding -> segment and code, project -> programme
and lead, KPI value -> project, tie ends and career events -> participants, code parent ->
code); Likert answers are mapped through the instrument's labels and must lie inside the item's
min-max; instruments and scales of the items are those declared in dataset.yaml.

Every problem is a :class:`~helpers.data.errors.Problem` at the row a spreadsheet shows.
A column failing the same way on many rows yields the first :data:`MAX_PER_CHECK` problems and
one problem counting the rest, so a wholly wrong column does not drown the others.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from helpers.data.coerce import no_problems, to_bool, to_choice, to_id, to_number, to_text
from helpers.data.dates import parse_dates, parse_periods
from helpers.data.errors import Problem
from helpers.data.evaluation_meta import unknown_programmes
from helpers.data.readers import RawTable
from helpers.data.rowindex import distinct_keys
from helpers.data.schema import IDENTIFYING_COLUMNS, PARTICIPANT_ID_COLUMNS, Table

MAX_PER_CHECK = 100
# Parts of a canonical column name that mark it as identifying wherever they appear: survey tools
# prefix them (Qualtrics RecipientFirstName -> recipientfirstname, IPAddress -> ipaddress,
# LocationLatitude; REDCap next_of_kin_contact_name, telephone_1).
_IDENTIFYING_PARTS = ("email", "e_mail", "nhs_n", "date_of_birth", "phone", "surname",
                      "first_name", "firstname", "last_name", "lastname", "forename",
                      "full_name", "fullname", "given_name", "middle_name", "contact_name",
                      "next_of_kin", "ip_address", "ipaddress", "latitude", "longitude",
                      "address", "postcode", "post_code", "mobile")

DTYPES = {"id": "str", "text": "str", "enum": "str", "int": "Int64", "float": "float64",
          "likert": "float64", "bool": "bool", "date": "datetime64[ns]",
          "month": "datetime64[ns]"}


def within(column: pd.Series, values: pd.Series | list) -> pd.Series:
    """``column.isin(values)``, computed by Arrow's ``is_in`` for Arrow-backed text columns.

    pandas 3's ``ArrowStringArray.isin`` builds one Arrow scalar per value in Python; passing
    the distinct values to ``pyarrow.compute.is_in`` keeps a 100,000-participant subset fast.
    """
    distinct = distinct_keys(values)
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and len(column):
        arr = column.array.__arrow_array__()
        found = pc.is_in(arr, value_set=pyarrow.array([str(v) for v in distinct], type=arr.type))
        return pd.Series(np.asarray(found.fill_null(False)), index=column.index)
    return column.isin(distinct)


def add_problems(problems: list[Problem], file: str, column: str, bad: pd.Series,
                 values: pd.Series | None) -> None:
    """Append one Problem per bad row (capped), value taken from ``values`` at that row."""
    if bad.empty:
        return
    bad = bad[~bad.index.duplicated(keep="first")].sort_index()
    for row, expected in bad.iloc[:MAX_PER_CHECK].items():
        value = None if values is None else values.get(row)
        problems.append(Problem(file, int(row), column, _plain(value), str(expected)))
    rest = len(bad) - MAX_PER_CHECK
    if rest > 0:
        problems.append(Problem(file, None, column, None,
                                f"the same fix on {rest} more rows (first {MAX_PER_CHECK} listed)"))


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def identifying(name: str, table: Table) -> bool:
    """Is a column not defined by the contract named like a personal identifier?"""
    if name in table.names:
        return False
    return name in IDENTIFYING_COLUMNS or any(part in name for part in _IDENTIFYING_PARTS)


def empty_frame(table: Table) -> pd.DataFrame:
    """A zero-row frame with the table's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=DTYPES[c.kind]) for c in table.columns})


def complete_columns(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Add each optional column the file did not have, empty and typed, after the others."""
    missing = [c for c in table.columns if c.name not in frame.columns]
    if not missing:
        return frame
    extra = pd.DataFrame({c.name: pd.Series(pd.NA if c.kind == "int" else None, index=frame.index,
                                            dtype=DTYPES[c.kind]) for c in missing},
                         index=frame.index)
    return pd.concat([frame, extra], axis=1)


def _as_text(value: object) -> str:
    """One distinct cell value as stripped text ("" for missing); 1001.0 stays "1001.0"."""
    if isinstance(value, str):
        return value.strip()
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes per row and the distinct values as stripped text (the last one is "" = missing).

    Typing then runs once per distinct value: a column of millions of cells with thousands of
    distinct values (ids, waves, dates) costs thousands of checks, not millions.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = [_as_text(u) for u in uniques] + [""]
    codes = np.where(codes < 0, len(text) - 1, codes)
    return codes, pd.Series(text, dtype="object")


def expand(typed_u: pd.Series, bad_u: pd.Series, codes: np.ndarray, index: pd.Index
           ) -> tuple[pd.Series, pd.Series]:
    """Per-distinct-value results back to one value per row."""
    typed = pd.Series(typed_u.array.take(codes), index=index)
    if bad_u.empty:
        return typed, bad_u
    positions = bad_u.index.to_numpy()
    mask = np.isin(codes, positions)
    messages = bad_u.groupby(level=0).first().reindex(codes[mask]).to_numpy()
    return typed, pd.Series(messages, index=index[mask], dtype="object")


def _coerce(kind: str, col, text: pd.Series, raw: RawTable, nhs: bool):
    if kind == "id":
        return to_id(text, nhs_check=nhs)
    if kind in ("int", "float"):
        return to_number(text, raw.decimal_comma, integer=(kind == "int"))
    if kind == "bool":
        return to_bool(text, col.nullable)
    if kind == "date":
        return parse_dates(text, raw.excel_epoch)
    if kind == "month":
        return parse_periods(text, raw.excel_epoch)
    if kind == "enum":
        return to_choice(text, col.choices)
    return to_text(text)   # text, and likert (mapped and range-checked across tables)


def type_table(raw: RawTable, table: Table, problems: list[Problem],
               nhs_check: bool = True) -> pd.DataFrame:
    """Type every column of ``raw`` (index kept: spreadsheet rows); report cells, then schema.

    Blank rows are dropped first (wherever they are; other rows keep their numbers). Text is
    stripped. ``nhs_check`` refuses participant ids that are valid NHS numbers (off when the
    dataset is pseudonymised on load).
    """
    frame = raw.frame
    kinds = {}
    for name in frame.columns:
        if identifying(name, table):
            problems.append(Problem(raw.file, raw.header_row, name, name,
                                    "no column that identifies a person (names, e-mail, NHS "
                                    "number, date of birth, phone): remove it before loading"))
            continue
        col = table.col(name)
        kinds[name] = (col.kind if col else "text", col)
    encoded: dict[str, tuple[np.ndarray, pd.Series] | None] = {}
    blank = np.ones(len(frame), dtype=bool)
    for name, (kind, _) in kinds.items():
        s = frame[name]
        direct = (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                  and kind in ("int", "float", "likert")) or (
            pd.api.types.is_datetime64_any_dtype(s) and kind in ("date", "month"))
        if direct:
            encoded[name] = None
            blank &= s.isna().to_numpy()
        else:
            codes, uniq = factorize(s)
            encoded[name] = (codes, uniq)
            blank &= (uniq == "").to_numpy()[codes]
    if blank.any():
        keep = ~blank
        frame = frame[keep]
        encoded = {n: None if e is None else (e[0][keep], e[1]) for n, e in encoded.items()}
    out: dict[str, pd.Series] = {}
    refused: set[tuple[int, str]] = set()
    for name, (kind, col) in kinds.items():
        nhs = nhs_check and name in PARTICIPANT_ID_COLUMNS
        if encoded[name] is None:
            s = frame[name]
            typed, bad = (s.astype("float64"), no_problems(s.index)) if kind == "likert" else \
                _coerce(kind, col, s, raw, nhs)
        else:
            codes, uniq = encoded[name]
            typed_u, bad_u = _coerce(kind, col, uniq, raw, nhs)
            typed, bad = expand(typed_u, bad_u, codes, frame.index)
        add_problems(problems, raw.file, name, bad, frame[name])
        refused.update((int(r), name) for r in bad.index)
        out[name] = typed
    typed_frame = pd.DataFrame(out, index=frame.index)
    _check_schema(typed_frame, raw, table, refused, problems)
    return typed_frame


def _schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of a table: presence, required cells, unique keys, item ranges."""
    columns = {}
    single_keys = {k[0] for k in table.unique if len(k) == 1}
    for c in table.columns:
        columns[c.name] = pa.Column(nullable=c.nullable, required=c.required,
                                    unique=c.name in single_keys, report_duplicates="exclude_first")
    checks = []
    if table.name == "items":
        checks.append(pa.Check(lambda d: ~(d["min"] >= d["max"]), name="min_below_max",
                               ignore_na=True))
    multi = [list(k) for k in table.unique if len(k) > 1]
    return pa.DataFrameSchema(columns, checks=checks, unique=multi[0] if multi else None,
                              report_duplicates="exclude_first")


def _check_schema(frame: pd.DataFrame, raw: RawTable, table: Table,
                  refused: set[tuple[int, str]], problems: list[Problem]) -> None:
    """Run the pandera schema lazily and turn its failure cases into Problems."""
    try:
        _schema(table).validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    per_check: dict[tuple[str, str], list[Problem]] = {}
    multi = next((k for k in table.unique if len(k) > 1), ())
    for case in cases.itertuples(index=False):
        column, check, index = case.column, str(case.check), case.index
        if check == "column_in_dataframe":
            problems.append(Problem(raw.file, raw.header_row, str(case.failure_case), None,
                                    f"a column named {case.failure_case} in the header row"))
            continue
        if index is None or pd.isna(index):
            continue
        row = int(index)
        if (row, column) in refused:
            continue
        if check == "not_nullable":
            expected = "a value (this column must be filled in)"
        elif check == "field_uniqueness":
            expected = f"a {column} not used on an earlier row (each {column} once)"
        elif check == "multiple_fields_uniqueness":
            if column != multi[-1]:
                continue
            expected = f"each combination of {', '.join(multi)} once (this one repeats)"
        elif check == "min_below_max":
            if column != "max":
                continue
            expected = "a max above min"
        else:
            expected = check
        source = raw.frame if column in raw.frame.columns else frame
        value = source.at[row, column] if column in source.columns and row in source.index else None
        per_check.setdefault((column, check), []).append(
            Problem(raw.file, row, column, _plain(value), expected))
    for (column, _), found in per_check.items():
        found.sort(key=lambda p: p.row)
        problems.extend(found[:MAX_PER_CHECK])
        if len(found) > MAX_PER_CHECK:
            problems.append(Problem(raw.file, None, column, None,
                                    f"the same fix on {len(found) - MAX_PER_CHECK} more rows"))


# --------------------------------------------------------------------------- across tables

def _refs(problems: list[Problem], files: dict[str, str], tables: dict[str, pd.DataFrame],
          child: str, column: str, parent: str, key: str) -> None:
    """Every non-blank ``child.column`` value must be a ``parent.key`` value."""
    if child not in tables or parent not in tables or column not in tables[child].columns \
            or key not in tables[parent].columns:
        return
    values = tables[child][column]
    known = tables[parent][key]
    missing = values.notna() & ~within(values, known)
    bad = pd.Series(f"a {key} listed in {files[parent]}", index=values.index[missing],
                    dtype="object")
    add_problems(problems, files[child], column, bad, values)


REFERENCES = (
    ("cohorts", "programme_id", "programmes", "programme_id"),
    ("participants", "cohort_id", "cohorts", "cohort_id"),
    ("attendance", "participant_id", "participants", "participant_id"),
    ("responses", "participant_id", "participants", "participant_id"),
    ("segments", "participant_id", "participants", "participant_id"),
    ("codes", "parent_id", "codes", "code_id"),
    ("codings", "segment_id", "segments", "segment_id"),
    ("codings", "code_id", "codes", "code_id"),
    ("projects", "programme_id", "programmes", "programme_id"),
    ("projects", "lead_participant_id", "participants", "participant_id"),
    ("kpi_values", "project_id", "projects", "project_id"),
    ("ties", "from_id", "participants", "participant_id"),
    ("ties", "to_id", "participants", "participant_id"),
    ("careers", "participant_id", "participants", "participant_id"),
    ("applicants", "programme_id", "programmes", "programme_id"),
    ("applicants", "cohort_id", "cohorts", "cohort_id"),
    ("applicants", "participant_id", "participants", "participant_id"),
    ("applicant_careers", "applicant_id", "applicants", "applicant_id"),
    ("applicant_responses", "applicant_id", "applicants", "applicant_id"),
)


def _label_key(text: pd.Series) -> pd.Series:
    return text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


def cross_check(tables: dict[str, pd.DataFrame], files: dict[str, str], meta: dict,
                decimal_comma: dict[str, bool], problems: list[Problem]) -> None:
    """Checks that need more than one table; maps Likert words in ``responses.value`` in place."""
    for child, column, parent, key in REFERENCES:
        _refs(problems, files, tables, child, column, parent, key)
    if "cohorts" in tables and {"start_date", "end_date"} <= set(tables["cohorts"].columns):
        c = tables["cohorts"]
        wrong = c["end_date"] < c["start_date"]
        add_problems(problems, files["cohorts"], "end_date",
                     pd.Series("an end_date on or after the cohort's start_date",
                               index=c.index[wrong.fillna(False)], dtype="object"), c["end_date"])
    problems.extend(unknown_programmes(meta.get("evaluation") or {}, tables.get("programmes")))
    instruments = {i["instrument_id"]: i for i in meta["instruments"]}
    if "items" in tables:
        _check_items(tables["items"], files["items"], instruments, problems)
    for answers in ("responses", "applicant_responses"):
        if answers in tables:
            _check_responses(tables, files, instruments, decimal_comma.get(answers, False),
                             problems, answers)


def _check_items(items: pd.DataFrame, file: str, instruments: dict, problems: list[Problem]) -> None:
    """Items belong to instruments declared in dataset.yaml, and to one of their scales."""
    if "instrument_id" not in items.columns:
        return
    unknown = items["instrument_id"].notna() & ~within(items["instrument_id"], list(instruments))
    declared = ", ".join(instruments) or "none declared"
    add_problems(problems, file, "instrument_id", pd.Series(
        f"an instrument_id declared under instruments in dataset.yaml ({declared})",
        index=items.index[unknown], dtype="object"), items["instrument_id"])
    if "scale" not in items.columns:
        return
    for iid, inst in instruments.items():
        scales = [s["scale_id"] for s in inst["scales"]]
        if not scales:
            continue
        rows = (items["instrument_id"] == iid) & items["scale"].notna() & ~items["scale"].isin(scales)
        add_problems(problems, file, "scale", pd.Series(
            f"a scale_id of instrument {iid} in dataset.yaml ({', '.join(scales)})",
            index=items.index[rows.fillna(False)], dtype="object"), items["scale"])


def _check_responses(tables: dict[str, pd.DataFrame], files: dict[str, str], instruments: dict,
                     decimal_comma: bool, problems: list[Problem], table: str = "responses") -> None:
    """Items answered exist; answers are numbers (or mapped labels) inside the item's range."""
    resp = tables[table]
    file = files[table]
    if "items" not in tables:
        problems.append(Problem(files.get("items", "items.csv"), None, None, None,
                                "an items table describing the items answered in "
                                f"{file} (instrument_id, item_id, scale, text, min, max)"))
        return
    items = tables["items"]
    needed = {"instrument_id", "item_id"}
    if not needed <= set(resp.columns) or not (needed | {"min", "max"}) <= set(items.columns):
        return
    key_items = pd.MultiIndex.from_frame(items[["instrument_id", "item_id"]].astype("object"))
    key_resp = pd.MultiIndex.from_frame(resp[["instrument_id", "item_id"]].astype("object"))
    pos = key_items.get_indexer(key_resp) if key_items.is_unique else \
        key_items.drop_duplicates().get_indexer(key_resp)
    if not key_items.is_unique:
        items = items.loc[~key_items.duplicated()]
    known_inst = within(resp["instrument_id"], items["instrument_id"])
    unknown_inst = resp["instrument_id"].notna() & ~known_inst
    add_problems(problems, file, "instrument_id", pd.Series(
        f"an instrument_id listed in {files['items']}", index=resp.index[unknown_inst],
        dtype="object"), resp["instrument_id"])
    unknown_item = (pos < 0) & known_inst.to_numpy() & resp["item_id"].notna().to_numpy()
    add_problems(problems, file, "item_id", pd.Series(
        "an item_id listed in " + files["items"] + " for instrument " + resp["instrument_id"][unknown_item],
        dtype="object"), resp["item_id"])
    if "value" not in resp.columns:
        return
    if pd.api.types.is_numeric_dtype(resp["value"]):
        number, not_number = resp["value"].astype("float64"), no_problems(resp.index)
    else:
        codes, uniq = factorize(resp["value"])
        number, not_number = expand(*to_number(uniq, decimal_comma), codes, resp.index)
        number = number.astype("float64")
    if len(not_number):
        words = resp.loc[not_number.index, "value"].astype("object").str.strip()
        inst = resp.loc[not_number.index, "instrument_id"].astype("object").fillna("")
        item = resp.loc[not_number.index, "item_id"].astype("object").fillna("")
        lookup = {iid + "\x1f" + " ".join(str(label).lower().split()): float(k)
                  for iid, i in instruments.items() for k, label in i["labels"].items()}
        # An item's own labels (a frequency item in an agreement instrument) come first.
        item_lookup = {iid + "\x1f" + it + "\x1f" + " ".join(str(label).lower().split()): float(k)
                       for iid, i in instruments.items()
                       for it, labels in i.get("item_labels", {}).items()
                       for k, label in labels.items()}
        key = _label_key(words)
        mapped = (inst + "\x1f" + item + "\x1f" + key).map(item_lookup).astype("float64")
        mapped = mapped.fillna((inst + "\x1f" + key).map(lookup).astype("float64"))
        number.loc[mapped.index] = mapped
        unmapped = mapped.isna()
        expected = {}
        for iid, it in set(zip(inst[unmapped], item[unmapped])):
            own = instruments.get(iid, {}).get("item_labels", {}).get(it)
            labels = own or instruments.get(iid, {}).get("labels") or {}
            whose = f"item {it}" if own else f"instrument {iid}"
            expected[iid + "\x1f" + it] = (
                "a number, or one of the labels of " + whose + ": " + ", ".join(labels.values())
                if labels else "a number (instrument " + iid + " has no labels in dataset.yaml "
                "to map words to numbers)")
        add_problems(problems, file, "value",
                     (inst[unmapped] + "\x1f" + item[unmapped]).map(expected).astype("object"),
                     resp["value"])
    codes_missing = [(iid, float(c)) for iid, i in instruments.items() for c in i.get("missing", [])]
    if codes_missing:
        # Declared "not answered" codes (Qualtrics -1/-2 for N/A, SPSS 99) become missing values.
        flag = pd.MultiIndex.from_tuples(codes_missing)
        pairs = pd.MultiIndex.from_arrays([resp["instrument_id"].astype("object"),
                                           number.astype("float64").to_numpy()])
        number = number.where(~pairs.isin(flag))
    found = pos >= 0
    low = np.full(len(resp), np.nan)
    high = np.full(len(resp), np.nan)
    low[found] = items["min"].to_numpy(dtype="float64", na_value=np.nan)[pos[found]]
    high[found] = items["max"].to_numpy(dtype="float64", na_value=np.nan)[pos[found]]
    num = number.to_numpy(dtype="float64", na_value=np.nan)
    outside = (num < low) | (num > high)
    if outside.any():
        rng = pd.Series(low[outside], dtype="float64").map(_fmt) + " to " + \
            pd.Series(high[outside], dtype="float64").map(_fmt)
        bad = pd.Series(("a number from " + rng + " (the range of item "
                         + resp["item_id"][outside].to_numpy() + ")").to_numpy(),
                        index=resp.index[outside], dtype="object")
        add_problems(problems, file, "value", bad, resp["value"])
    resp["value"] = number.astype("float64")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else re.sub(r"0+$", "", f"{x:.6f}")


# --------------------------------------------------------------------------- plausibility

#: A dated row this long before its cohort started is probably a typo (2016 for 2024).
YEARS_BEFORE_PROGRAMME = 3
_DATED = (("responses", "response_date"), ("attendance", "session_date"), ("careers", "event_date"))


def date_warnings(tables: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Dates that are valid but implausible, as warnings (the dataset still loads).

    * a post, follow-up answer dated before the same participant's baseline answer to the
      same instrument (the earliest baseline date);
    * a response, session or career event dated more than :data:`YEARS_BEFORE_PROGRAMME`
      years before the participant's cohort started.

    The index of each table holds the spreadsheet rows, so each warning is located.
    """
    out: list[Problem] = []
    resp = tables.get("responses")
    if resp is not None and len(resp) and {"response_date", "wave"} <= set(resp.columns):
        dated = resp[resp["response_date"].notna()]
        base = dated[dated["wave"] == "baseline"].groupby(
            ["participant_id", "instrument_id"], observed=True)["response_date"].min()
        later = dated[dated["wave"].isin(["post", "follow_up"])]
        if len(base) and len(later):
            first = pd.MultiIndex.from_frame(later[["participant_id", "instrument_id"]]
                                             .astype("object"))
            start = base.reindex(first).to_numpy()
            early = later["response_date"].to_numpy() < start
            rows = later[early]
            for (row, r), b in zip(rows.iterrows(), start[early]):
                out.append(Problem(files["responses"], int(row), "response_date",
                                   _plain(r["response_date"]),
                                   f"a {r['wave']} answer dated on or after the participant's "
                                   f"baseline answer to {r['instrument_id']} "
                                   f"({_plain(pd.Timestamp(b))})"))
                if len(out) >= MAX_PER_CHECK:
                    break
    parts, cohorts = tables.get("participants"), tables.get("cohorts")
    if parts is None or cohorts is None or "start_date" not in cohorts.columns:
        return out
    start = parts["cohort_id"].map(cohorts.set_index("cohort_id")["start_date"]
                                   .loc[lambda s: ~s.index.duplicated()])
    start.index = parts["participant_id"].to_numpy()
    start = start[~start.index.duplicated()]
    for table, column in _DATED:
        frame = tables.get(table)
        if frame is None or not len(frame) or column not in frame.columns:
            continue
        began = frame["participant_id"].map(start)
        limit = began - pd.DateOffset(years=YEARS_BEFORE_PROGRAMME)
        early = (frame[column] < limit).fillna(False).to_numpy()
        for row, value, b in list(zip(frame.index[early], frame[column][early],
                                      began[early]))[:MAX_PER_CHECK]:
            out.append(Problem(files[table], int(row), column, _plain(value),
                               f"a date after {_plain(b - pd.DateOffset(years=YEARS_BEFORE_PROGRAMME))}"
                               f" ({YEARS_BEFORE_PROGRAMME} years before the participant's cohort "
                               f"started on {_plain(b)}): is the year right?"))
    return out
