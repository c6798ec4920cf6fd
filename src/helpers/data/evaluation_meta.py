"""The optional ``evaluation:`` block of dataset.yaml: what each programme's evaluation set out
to answer, by whom, over which period and from which sources.

One entry per programme_id::

    evaluation:
      barts_kf_scl:
        title: Evaluation of the senior clinical leaders programme
        commissioned_by: Barts Health NHS Trust
        authors: [The King's Fund leadership team]
        team: [Lead facilitator, The King's Fund]
        period: {start: 2019-03-01, end: 2024-12-31}
        aims: [Increase the impact and collective capability of clinical leaders]
        questions:
          - id: q1
            text: Who took part, and did they complete the programme?
            strands: [reach]
        data_sources: [Attendance registers, 360 surveys at the start and end]

Every key is optional. The report answers each question with the findings of the strands it
names; a strand without data in scope is said to be so, never filled in.
"""

from __future__ import annotations

import datetime as dt

from helpers.data.errors import Problem

#: The parts of the evaluation report a question can be answered by.
STRANDS = ("reach", "reaction", "learning", "behaviour", "results", "networks", "pipeline",
           "themes", "equality", "comparison", "value", "benchmarking")
TEXT_KEYS = ("title", "commissioned_by")
LIST_KEYS = ("authors", "team", "aims", "data_sources")
KEYS = TEXT_KEYS + LIST_KEYS + ("period", "questions")
FILE = "dataset.yaml"


def _p(column: str, value: object, expected: str) -> Problem:
    return Problem(FILE, None, column, value, expected)


def _text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _date(value: object, where: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(_p(where, value, "a date as yyyy-mm-dd"))
    return None


def _period(value: object, where: str, problems: list[Problem]) -> dict | None:
    if not isinstance(value, dict) or not {"start", "end"} <= set(value) or set(value) - {"start", "end"}:
        problems.append(_p(where, value, "a mapping with start and end dates "
                                         "({start: 2019-03-01, end: 2024-12-31})"))
        return None
    start = _date(value["start"], f"{where}.start", problems)
    end = _date(value["end"], f"{where}.end", problems)
    if start is None or end is None:
        return None
    if end < start:
        problems.append(_p(f"{where}.end", end.isoformat(), f"a date on or after the start "
                                                            f"({start.isoformat()})"))
        return None
    return {"start": start, "end": end}


def _questions(value: object, where: str, problems: list[Problem]) -> list[dict]:
    if not isinstance(value, list):
        problems.append(_p(where, value, "a list of {id, text, strands}"))
        return []
    out, seen = [], set()
    for i, q in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(q, dict) or not _text(q.get("text")):
            problems.append(_p(at, q, "a mapping with the question's text (text: Who took part?)"))
            continue
        unknown = set(q) - {"id", "text", "strands"}
        if unknown:
            problems.append(_p(f"{at}.{sorted(unknown)[0]}", sorted(unknown)[0], "one of id, text, strands"))
        qid = str(q.get("id", f"q{i + 1}"))
        if qid in seen:
            problems.append(_p(f"{at}.id", qid, "each question id once"))
        seen.add(qid)
        strands = q.get("strands") or []
        strands = [strands] if isinstance(strands, str) else strands
        if not isinstance(strands, list):
            problems.append(_p(f"{at}.strands", strands, "a list of: " + ", ".join(STRANDS)))
            strands = []
        bad = [s for s in strands if s not in STRANDS]
        for s in bad:
            problems.append(_p(f"{at}.strands", s, "one of " + ", ".join(STRANDS)))
        out.append({"id": qid, "text": q["text"].strip(),
                    "strands": [s for s in strands if s in STRANDS]})
    return out


def check_evaluation(value: object, problems: list[Problem]) -> dict:
    """The ``evaluation:`` block checked and normalised: programme_id -> settings.

    Problems name the setting (``evaluation.barts_kf_scl.period.end``) and what was expected;
    settings with a problem are left out of the result, the rest kept.

    Examples
    --------
    >>> problems = []
    >>> ev = check_evaluation({"p1": {"questions": [{"text": "Who took part?",
    ...                                               "strands": ["reach", "reech"]}]}}, problems)
    >>> ev["p1"]["questions"][0]["strands"], problems[0].column
    (['reach'], 'evaluation.p1.questions[0].strands')
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(_p("evaluation", value, "a mapping of programme_id to its evaluation "
                                                "(questions, aims, period, team, data_sources)"))
        return {}
    out = {}
    for prog, cfg in value.items():
        where = f"evaluation.{prog}"
        if not isinstance(cfg, dict):
            problems.append(_p(where, cfg, "a mapping with questions, aims, period, team ..."))
            continue
        clean: dict = {}
        for key, v in cfg.items():
            at = f"{where}.{key}"
            if key in TEXT_KEYS:
                if _text(v):
                    clean[key] = v.strip()
                else:
                    problems.append(_p(at, v, "text"))
            elif key in LIST_KEYS:
                items = [v] if isinstance(v, str) else v
                if isinstance(items, list) and all(_text(x) for x in items):
                    clean[key] = [x.strip() for x in items]
                else:
                    problems.append(_p(at, v, "a list of text"))
            elif key == "period":
                period = _period(v, at, problems)
                if period:
                    clean[key] = period
            elif key == "questions":
                clean[key] = _questions(v, at, problems)
            else:
                problems.append(_p(at, key, "one of " + ", ".join(KEYS)))
        out[str(prog)] = clean
    return out


def unknown_programmes(evaluation: dict, programmes) -> list[Problem]:
    """A problem for each ``evaluation:`` entry whose programme_id the programmes table lacks
    (a misspelt id would otherwise leave that programme's report without its questions)."""
    if programmes is None or "programme_id" not in getattr(programmes, "columns", ()):
        return []
    known = set(programmes["programme_id"].astype(str))
    return [_p(f"evaluation.{prog}", prog, "a programme_id of programmes.csv ("
               + ", ".join(sorted(known)[:10]) + ")")
            for prog in evaluation if prog not in known]
