"""Evaluation design and data: who, when, and each source's response."""

from __future__ import annotations

import pandas as pd

from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import (RATER_WORDS, WAVE_WORDS, join_words,
                                               people_count)
from helpers.report.disclosure import (SECONDARY, is_suppressed, own_cell_code, shown_count,
                                       suppress_count)
from helpers.report.fmt import fmt_pct


def _people(frame: pd.DataFrame, column: str, cohort_of: pd.Series | None):
    """Distinct people in ``frame[column]``: a count, or per cohort with ``cohort_of``."""
    if cohort_of is None:
        return int(frame[column].nunique())
    return frame[column].groupby(frame[column].map(cohort_of)).nunique()


def _people_by(frame: pd.DataFrame, keys: list[str], column: str,
               cohort_of: pd.Series | None) -> dict:
    """:func:`_people` for each group of ``keys``, in one grouping over the needed columns."""
    cols = frame[keys + [column]]
    if cohort_of is None:
        return cols.groupby(keys, observed=True, sort=False)[column].nunique().to_dict()
    g = cols.assign(_cohort=cols[column].map(cohort_of)).groupby(
        keys + ["_cohort"], observed=True, sort=False)[column].nunique()
    out: dict = {}
    for key, n in g.items():
        out.setdefault(key[:-1] if len(keys) > 1 else key[0], {})[key[-1]] = n
    return {k: pd.Series(v) for k, v in out.items()}


def source_counts(d, cohort_of: pd.Series | None = None) -> list[tuple]:
    """``(source, detail, rate, people)`` for each source of data in ``d`` (a Dataset).

    ``people`` is the number of participants the source covers, or, given ``cohort_of``
    (participant id -> cohort id), a Series of that number per cohort, counted as each cohort's
    own subset would count it (ties only between two members of the same cohort, projects by
    their lead's cohort): one pass over a programme instead of one subset per cohort. ``rate``
    says whether a response rate against the participants in scope means anything.
    """
    out = []
    if len(d.attendance):
        out.append(("Attendance registers", "participants with a register entry", True,
                    _people(d.attendance, "participant_id", cohort_of)))
    names = {i["instrument_id"]: i.get("name") or i["instrument_id"] for i in d.instruments}
    r = d.responses
    if len(r):
        order = list(WAVE_WORDS)
        groups = sorted(_people_by(r, ["instrument_id", "wave", "rater"], "participant_id",
                                   cohort_of).items(),
                        key=lambda kv: (str(kv[0][0]),
                                        order.index(kv[0][1]) if kv[0][1] in order else 9,
                                        kv[0][2] != "self", str(kv[0][2])))
        for (inst, wave, rater), n in groups:
            out.append((names.get(inst, inst), f"{WAVE_WORDS.get(wave, wave)}, "
                        f"{RATER_WORDS.get(rater, rater + ' ratings')}", True, n))
    if len(d.segments):
        seg = d.segments.dropna(subset=["participant_id"])
        for kind, n in sorted(_people_by(seg, ["source_type"], "participant_id",
                                         cohort_of).items(), key=lambda kv: kv[0]):
            out.append((str(kind).replace("_", " ").capitalize(),
                        "participants whose words were coded", True, n))
    if len(d.ties):
        ties = d.ties
        if cohort_of is not None:  # a cohort's subset keeps ties with both ends inside it
            ties = ties[(ties["from_id"].map(cohort_of) == ties["to_id"].map(cohort_of))
                        .to_numpy(dtype=bool, na_value=False)]
        for wave, n in sorted(_people_by(ties, ["wave"], "from_id", cohort_of).items(),
                              key=lambda kv: kv[0]):
            out.append(("Network survey", f"{WAVE_WORDS.get(wave, wave)}, participants naming ties",
                        True, n))
    if len(d.careers):
        out.append(("Career records", "participants with a recorded move or exit", False,
                    _people(d.careers, "participant_id", cohort_of)))
    projects = getattr(d, "projects", ())
    if len(projects):
        n = (len(projects) if cohort_of is None else
             projects.groupby(projects["lead_participant_id"].map(cohort_of)).size())
        out.append(("Improvement project measures", "projects with a measure", False, n))
    return out


def data_sources(rep) -> pd.DataFrame:
    """Each source of data in scope with how many participants it covers.

    Surveys: participants with at least one answer, per instrument, wave and rater, against the
    participants in scope (a response rate). Interviews and comments: participants whose words
    were coded, by source type. Networks: participants naming ties, per wave. Careers:
    participants with a recorded event. Attendance: participants with a register entry.
    """
    d = rep.data
    of = int(d.participants["participant_id"].nunique())
    rows = [{"source": source, "detail": detail, "people": int(people), "of": of,
             "share": (people / of) if rate and of else float("nan")}
            for source, detail, rate, people in source_counts(d)]
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
    prog = rep.full.subset(programme_id=rep.programme_id)
    ids = prog.cohorts["cohort_id"].astype(str).tolist()
    people = prog.participants
    cohort_of = pd.Series(people["cohort_id"].astype(str).to_numpy(),
                          index=people["participant_id"].to_numpy())
    codes = {}
    for source, detail, _rate, counts in source_counts(prog, cohort_of):
        counts = counts.rename(index=str)
        codes[(source, detail)] = own_cell_code({cid: int(counts.get(cid, 0)) for cid in ids},
                                                str(rep.cohort_id), rep.threshold,
                                                rep.cohort_codes)
    return codes


def sources_table(doc: EvaluationDocument) -> pd.DataFrame:
    """:attr:`EvaluationDocument.sources` for display: counts below the threshold as ``<t``
    and their rates withheld, as are rates whose non-responders would be below it; a count
    whose non-responders would be below it is hidden too (``[c]``), since the participants in
    scope are stated and their difference would give those people back."""
    t = doc.threshold
    s = doc.sources

    def rate(people, of, share):
        if pd.isna(share) or is_suppressed(people, t) or is_suppressed(of - people, t):
            return "–"
        return fmt_pct(share, 0)

    codes = cohort_source_codes(doc.rep)
    keyed = [codes.get((src, what), "") or
             (SECONDARY if pd.notna(share) and is_suppressed(of - n, t) and n >= t else "")
             for src, what, n, of, share in zip(s["source"], s["detail"], s["people"], s["of"],
                                                s["share"])]
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
