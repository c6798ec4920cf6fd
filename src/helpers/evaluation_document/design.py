"""Evaluation design and data: who, when, and each source's response."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import (RATER_WORDS, WAVE_WORDS, join_words,
                                               people_count)
from helpers.report.disclosure import is_suppressed, own_cell_code, shown_count, suppress_count
from helpers.report.fmt import fmt_pct


def data_sources(rep) -> pd.DataFrame:
    """Each source of data in scope with how many participants it covers.

    Surveys: participants with at least one answer, per instrument, wave and rater, against the
    participants in scope (a response rate). Interviews and comments: participants whose words
    were coded, by source type. Networks: participants naming ties, per wave. Careers:
    participants with a recorded event. Attendance: participants with a register entry.
    """
    d = rep.data
    of = int(d.participants["participant_id"].nunique())
    rows = []

    def add(source, detail, people, rate=True):
        rows.append({"source": source, "detail": detail, "people": int(people), "of": of,
                     "share": (people / of) if rate and of else float("nan")})

    if len(d.attendance):
        add("Attendance registers", "participants with a register entry",
            d.attendance["participant_id"].nunique())
    names = {i["instrument_id"]: i.get("name") or i["instrument_id"] for i in d.instruments}
    r = d.responses
    if len(r):
        g = r.groupby(["instrument_id", "wave", "rater"], sort=False)["participant_id"].nunique()
        order = list(WAVE_WORDS)
        for (inst, wave, rater), n in sorted(g.items(), key=lambda kv: (
                str(kv[0][0]), order.index(kv[0][1]) if kv[0][1] in order else 9,
                kv[0][2] != "self", str(kv[0][2]))):
            add(names.get(inst, inst), f"{WAVE_WORDS.get(wave, wave)}, "
                f"{RATER_WORDS.get(rater, rater + ' ratings')}", n)
    if len(d.segments):
        seg = d.segments.dropna(subset=["participant_id"])
        for kind, part in seg.groupby("source_type"):
            add(str(kind).replace("_", " ").capitalize(), "participants whose words were coded",
                part["participant_id"].nunique())
    if len(d.ties):
        for wave, part in d.ties.groupby("wave"):
            add("Network survey", f"{WAVE_WORDS.get(wave, wave)}, participants naming ties",
                part["from_id"].nunique())
    if len(d.careers):
        add("Career records", "participants with a recorded move or exit",
            d.careers["participant_id"].nunique(), rate=False)
    if len(getattr(d, "projects", ())):
        add("Improvement project measures", "projects with a measure", len(d.projects), rate=False)
    return pd.DataFrame(rows, columns=EvaluationDocument.COLUMNS["sources"])


def cohort_source_codes(rep) -> dict[tuple[str, str], str]:
    """For a cohort report: each source row's code for its people count, decided across the
    programme's cohorts; empty for a programme report.

    The programme report shows each source's people, the sum over its cohorts, so cohort
    reports showing 5 of a programme's 9 interviewees give away a withheld cohort's 4. Each
    row's cohort counts are protected together as one margin
    (:func:`helpers.report.disclosure.protect`), a withheld cohort's cell hidden whatever its
    count, and every cohort report uses the code of its own cell.
    """
    if getattr(rep, "cohort_id", None) is None:
        return {}
    c = rep.full.cohorts
    ids = c.loc[c["programme_id"].astype(str) == str(rep.programme_id), "cohort_id"].astype(str)
    by_cohort = {cid: data_sources(SimpleNamespace(data=rep.full.subset(rep.programme_id, cid)))
                 for cid in ids}
    people = {cid: s.set_index(["source", "detail"])["people"] for cid, s in by_cohort.items()}
    keys = {key for p in people.values() for key in p.index}
    return {key: own_cell_code({cid: int(p.get(key, 0)) for cid, p in people.items()},
                               str(rep.cohort_id), rep.threshold, rep.cohort_codes)
            for key in keys}


def sources_table(doc: EvaluationDocument) -> pd.DataFrame:
    """:attr:`EvaluationDocument.sources` for display: counts below the threshold as ``<t``
    and their rates withheld, as are rates whose non-responders would be below it."""
    t = doc.threshold
    s = doc.sources

    def rate(people, of, share):
        if pd.isna(share) or is_suppressed(people, t) or is_suppressed(of - people, t):
            return "–"
        return fmt_pct(share, 0)

    codes = cohort_source_codes(doc.rep)
    keyed = [codes.get((src, what), "") for src, what in zip(s["source"], s["detail"])]
    return pd.DataFrame({"Source": s["source"], "What": s["detail"],
                         "People": [shown_count(n, code, t) if code else suppress_count(n, t)
                                    for n, code in zip(s["people"], keyed)],
                         "Response": ["–" if code else rate(p, o, sh) for p, o, sh, code in
                                      zip(s["people"], s["of"], s["share"], keyed)]})


def design_sentences(doc: EvaluationDocument) -> list[str]:
    """Who commissioned and carried out the evaluation, its period and the data's own span."""
    d, out = doc.design, []
    if d.get("title"):
        out.append(f"Evaluation: {d['title']}.")
    if d.get("commissioned_by"):
        out.append(f"Commissioned by {d['commissioned_by']}.")
    if d.get("authors"):
        out.append(f"Author{'s' if len(d['authors']) != 1 else ''}: {join_words(d['authors'])}.")
    if d.get("team"):
        out.append(f"Evaluation team: {'; '.join(d['team'])}.")
    if d.get("period"):
        p = d["period"]
        out.append(f"Evaluation period: {p['start']:%-d %B %Y} to {p['end']:%-d %B %Y}.")
    dates = pd.to_datetime(doc.rep.data.responses.get("response_date", pd.Series(dtype=str)),
                           errors="coerce").dropna()
    if len(dates):
        out.append(f"Survey answers in this report were given between {dates.min():%B %Y} and "
                   f"{dates.max():%B %Y}.")
    n = len(doc.rep.data.participants)
    if n:
        out.append(f"Response rates below are the share of the "
                   f"{people_count(n, 'participant', None, doc.threshold)} in scope who "
                   "contributed to each source.")
    return out
