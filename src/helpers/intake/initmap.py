"""``leadeval import --init-map EXPORT``: a starting map, for the user to edit.

The export is read as ``import`` would read it; the map lists every column found (as a comment
with its question text), guesses the target table and each column's role, and lists the
identifying columns under ``drop:`` (they are refused unless dropped).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from helpers.data.readers import canonical_column
from helpers.data.schema import TABLES
from helpers.data.validate import identifying
from helpers.intake.exports import Export, read_export

_ID_GUESS = ("externalreference", "externaldatareference", "record_id", "participant_id",
             "participantid", "respondent_id", "ego")
_DATE_GUESS = ("recordeddate", "enddate", "completion_time", "date_submitted", "submitdate",
               "start_time", "starttime", "timestamp", "submitted")
#: Words of the answer scales survey tools export as text (Microsoft Forms, JISC, SurveyMonkey):
#: a column holding only these is an item.
_ANSWER_WORDS = re.compile(
    r"^(strongly (dis)?agree|(dis)?agree|neither( agree)? nor( disagree)?|neutral|"
    r"somewhat (dis)?agree|never|rarely|sometimes|often|(almost )?always|not at all|"
    r"a little|moderately|quite a bit|extremely|very (poor|good|well|much)|poor|fair|good|"
    r"excellent|not applicable|n/?a|don't know)$", re.IGNORECASE)
_META = re.compile(r"^(start_?date|end_?date|status|progress|duration.*|finished|recorded_?date|"
                   r"response_?id|responseset|distribution_?channel|user_?language|"
                   r"redcap_.*|.*_timestamp|.*_complete|location_?accuracy|q_.*|id)$")
WAVE_WORDS = {"base": "baseline", "pre": "baseline", "post": "post", "end": "post",
              "follow": "follow_up", "fu": "follow_up", "retro": "retrospective_pre"}


def _guess_into(export: Export) -> str:
    names = {canonical_column(c) for c in export.frame.columns}
    if {"period"} & names or any(n.startswith("a&e") or n.startswith("org_code") for n in names):
        return "kpi_values"
    if {"ego", "alter"} <= names or {"from", "to"} <= names or any("nominat" in n for n in names):
        return "ties"
    return "responses"


def _numeric(values) -> bool:
    filled = [v for v in values if v != ""]
    return bool(filled) and all(re.fullmatch(r"-?\d+(?:\.\d+)?", v) for v in filled)


def _answers_as_words(values) -> bool:
    filled = [v.strip() for v in values if v.strip()]
    return bool(filled) and all(_ANSWER_WORDS.match(v) for v in filled)


def starting_map(export: Export) -> tuple[dict, list[str]]:
    """The map (as a dict) and comment lines describing the columns found."""
    into = _guess_into(export)
    columns = list(export.frame.columns)
    canon = {c: canonical_column(c) for c in columns}
    drop = [c for c in columns if c in export.identifiers
            or identifying(canon[c], TABLES[into])]
    rest = [c for c in columns if c not in drop]
    pid = next((c for c in rest if canon[c] in _ID_GUESS), rest[0] if rest else None)
    comments = [f"columns found in {export.label} ({export.format}, {len(export.frame)} rows):"]
    for c in columns:
        text = export.texts.get(c, "")
        role = "drop (identifies a person)" if c in drop else ""
        comments.append(f"  {c}: {text[:70]}" + (f"  [{role}]" if role else ""))
    m: dict = {"into": into, "format": export.format, "drop": drop}
    if into == "kpi_values":
        m.update({"project_id": "REPLACE_with_a_project_id", "filter": {},
                  "period": {"column": "Period", "pattern": r"(?P<month>[A-Za-z]+)-(?P<year>\d{4})"}
                  if "Period" in columns else {"from_filename": r"(?P<month>[A-Za-z]+)-(?P<year>\d{4})"},
                  "value": {"column": next((c for c in rest if _numeric(export.frame[c])), None)},
                  "numbers": {"thousands": ",", "percent": True}})
        return m, comments
    if into == "ties":
        m.update({"layout": "edges", "from": {"column": pid}, "to": {"column": rest[1] if
                                                                   len(rest) > 1 else None},
                  "wave": "baseline", "tie_type": "advice", "outside": "drop"})
        return m, comments
    date = next((c for c in rest if canon[c] in _DATE_GUESS), None)
    event = next((c for c in rest if canon[c] == "redcap_event_name"), None)
    wave: object = "REPLACE_with_baseline_post_or_follow_up"
    if event:
        events = sorted(set(export.frame[event]) - {""})
        wave = {"column": event, "map": {e: next((w for k, w in WAVE_WORDS.items()
                                                  if k in e.lower()), None) for e in events}}
    items = {c: canon[c] for c in rest if c not in (pid, date, event)
             and not _META.match(canon[c])
             and (c in export.ranges or _numeric(export.frame[c])
                  or _answers_as_words(export.frame[c]))}
    m.update({"participant_id": {"column": pid, "lookup": "ids.csv"},
              "instrument": "REPLACE_with_an_instrument_id", "wave": wave, "rater": "self"})
    if date:
        m["response_date"] = {"column": date}
    m.update({"items": items, "missing": [-99, -1, -2], "add_items": bool(export.texts)})
    return m, comments


def init_map_command(exports: list[str], out: str | None) -> int:
    """Write a starting map for the first export to ``out`` (never over a file) or stdout."""
    path = Path(exports[0])
    export, problems = read_export(path)
    if export is None:
        for p in problems:
            print(p, file=sys.stderr)
        return 2
    m, comments = starting_map(export)
    head = ["# Starting import map written by leadeval import --init-map: edit it, then run",
            f"#   leadeval import {path.name} --dataset DATASET --map THIS_FILE --dry-run",
            "# Keys are described in the README, section \"Bringing your data in\".", "#"]
    text = "\n".join(head + ["# " + c for c in comments]) + "\n" + yaml.safe_dump(
        m, sort_keys=False, allow_unicode=True, width=100)
    if out is None:
        sys.stdout.write(text)
        return 0
    target = Path(out)
    if target.exists():
        print(f"leadeval import: {target} exists; not overwritten (give another --map path)",
              file=sys.stderr)
        return 2
    target.write_text(text, encoding="utf-8")
    print(f"leadeval import: wrote a starting map for {path.name} to {target} "
          f"({len(m.get('drop', []))} identifying column(s) under drop:)", file=sys.stderr)
    return 0
