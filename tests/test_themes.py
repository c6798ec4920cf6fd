"""helpers.themes on a small hand-checked fixture (expected counts worked out by hand below),
and at 100,000 participants against a naive computation."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers import quotes as qu
from helpers.attribution import released_descriptors, smallest_match
from helpers import themes as th
from helpers.sample.text_bank import CONTEXTS, statement

CODES = pd.DataFrame([
    ("T1", "Restorative space", "", "A space to think"),
    ("a", "Trust", "T1", "Feeling safe"),
    ("b", "Time out", "T1", ""),
    ("T2", "Cross-speciality", "", ""),
    ("c", "Tribalism", "T2", ""),
    ("T3", "Managers", "", "Working with managers"),
], columns=["code_id", "label", "parent_id", "description"])

PARTICIPANTS = pd.DataFrame([
    ("p1", "c1", "Trust X", "medical", "Consultant"),
    ("p2", "c1", "Trust Y", "nursing", "Matron"),
    ("p3", "c2", "Trust X", "medical", "Consultant"),
], columns=["participant_id", "cohort_id", "organisation", "profession", "role"])

SEGMENTS = pd.DataFrame([
    ("s1", "src1", "interview", "p1", "baseline",
     "Write to me at jo.bloggs@nhs.net, Priya Raman said the group felt safe to speak honestly."),
    ("s2", "src1", "interview", "p1", "post", "Having a whole day away from the ward to think was precious to me."),
    ("s3", "src2", "interview", "p2", "post", "I trusted the room enough to admit what had gone wrong last winter."),
    ("s4", "src3", "interview", "p3", "post", "Surgeons and physicians finally talked, and the managers joined in too."),
    ("s5", "fg1", "focus_group", "", "post", "Everyone agreed the time out mattered more than any of the content."),
], columns=["segment_id", "source_id", "source_type", "participant_id", "wave", "text"])

CODINGS = pd.DataFrame([
    ("s1", "a", "A"), ("s1", "c", "A"), ("s2", "b", "A"), ("s3", "a", "A"),
    ("s4", "c", "A"), ("s4", "T3", "A"), ("s5", "b", "A"),
    ("s1", "a", "B"), ("s3", "b", "B"),
], columns=["segment_id", "code_id", "coder_id"])


def test_code_tree_order_depth_and_paths():
    tree = th.code_tree(CODES)
    assert list(tree["code_id"]) == ["T1", "a", "b", "T2", "c", "T3"]
    assert list(tree["depth"]) == [0, 1, 1, 0, 1, 0]
    assert tree.set_index("code_id").loc["a", "path"] == "Restorative space › Trust"
    assert tree.set_index("code_id").loc["c", "theme_id"] == "T2"
    table = th.codebook_table(CODES)
    assert table.iloc[1, 0].strip() == "– Trust" and table.iloc[0, 1] == "A space to think"


def test_primary_coder_and_selection():
    assert th.primary_coder(CODINGS) == "A"
    assert len(th.select_codings(CODINGS)) == 7
    assert len(th.select_codings(CODINGS, "all")) == 8  # (s3, b) added by coder B


def test_theme_prevalence_by_segments_sources_participants():
    prev = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS).set_index("code_id")
    # T1: segments s1 s2 s3 s5; sources src1 src2 fg1; participants p1 p2.
    assert prev.loc["T1", ["segments", "sources", "participants"]].tolist() == [4, 3, 2]
    # T2 (via code c): s1 s4; src1 src3; p1 p3.  T3 (coded directly): s4.
    assert prev.loc["T2", ["segments", "sources", "participants"]].tolist() == [2, 2, 2]
    assert prev.loc["T3", ["segments", "sources", "participants"]].tolist() == [1, 1, 1]
    assert prev["n_segments"].unique().tolist() == [5]
    assert prev["n_participants"].unique().tolist() == [3]
    assert list(prev.index) == ["T1", "T2", "T3"]
    assert prev.loc["T1", "share_participants"] == pytest.approx(2 / 3)
    # T1 and T2 tie at 2 participants: more segments do not make one "the most cited".
    assert th.most_cited(th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS)) is None


def test_prevalence_by_cohort_and_code_level():
    prev = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS, by="cohort_id")
    c1 = prev[prev["cohort_id"] == "c1"].set_index("code_id")
    assert c1.loc["T1", ["segments", "sources", "participants"]].tolist() == [3, 2, 2]
    assert c1.loc["T2", ["segments", "participants"]].tolist() == [1, 1]
    assert c1["n_participants"].unique().tolist() == [2]
    c2 = prev[prev["cohort_id"] == "c2"].set_index("code_id")
    assert sorted(c2.index) == ["T2", "T3"]
    # The focus group segment has no cohort: left out of the by-cohort table.
    assert prev["segments"].sum() == 3 + 1 + 1 + 1
    by_wave = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS, by="wave")
    assert by_wave[(by_wave["wave"] == "baseline")].set_index("code_id").loc["T1", "segments"] == 1
    codes = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS, level="code").set_index("code_id")
    assert codes.loc["a", "segments"] == 2 and codes.loc["b", "segments"] == 2
    with_all = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS, level="code", coders="all")
    assert with_all.set_index("code_id").loc["b", "segments"] == 3


def test_cooccurrence_counts_and_jaccard():
    seg = th.cooccurrence(SEGMENTS, CODINGS, CODES)
    labels = ["Restorative space", "Cross-speciality", "Managers"]
    assert list(seg.index) == labels
    # Segments: s1 {T1,T2} s2 {T1} s3 {T1} s4 {T2,T3} s5 {T1}.
    assert seg.to_numpy().tolist() == [[4, 1, 0], [1, 2, 1], [0, 1, 1]]
    jac = th.cooccurrence(SEGMENTS, CODINGS, CODES, measure="jaccard")
    assert jac.loc["Restorative space", "Cross-speciality"] == pytest.approx(1 / (4 + 2 - 1))
    assert jac.loc["Cross-speciality", "Managers"] == pytest.approx(1 / (2 + 1 - 1))
    assert np.allclose(np.diag(jac), 1)
    # Participants: p1 {T1,T2} p2 {T1} p3 {T2,T3}; the focus group has no participant.
    part = th.cooccurrence(SEGMENTS, CODINGS, CODES, unit="participant")
    assert part.to_numpy().tolist() == [[2, 1, 0], [1, 2, 1], [0, 1, 1]]
    code = th.cooccurrence(SEGMENTS, CODINGS, CODES, level="code")
    assert code.loc["Trust", "Tribalism"] == 1 and code.loc["Time out", "Tribalism"] == 0


def test_exemplar_quotes_are_redacted_and_attributed_by_role_and_cohort():
    # threshold 1: every role is "shared" by enough people, so role and cohort are shown.
    quotes = qu.exemplar_quotes(SEGMENTS, CODINGS, CODES, PARTICIPANTS, redact_names=["Priya Raman"],
                                per_theme=3, threshold=1)
    t1 = quotes[quotes["theme_id"] == "T1"]
    assert len(t1) == 3  # one per person: p1, p2 and the focus group
    text = " ".join(quotes["quote"])
    assert "jo.bloggs@nhs.net" not in text and "Priya" not in text
    assert "[email]" in text and "[name]" in text
    assert set(quotes["attribution"]) <= {"Consultant, cohort c1", "Matron, cohort c1",
                                          "Consultant, cohort c2", "Focus group"}
    for pid in ("p1", "p2", "p3", "s1", "src1"):
        assert pid not in " ".join(quotes.astype(str).to_numpy().ravel())
    one = qu.exemplar_quotes(SEGMENTS, CODINGS, CODES, PARTICIPANTS, per_theme=1, threshold=1)
    assert one.groupby("theme_id").size().max() == 1
    # Double-coded segments both coders put under Restorative space (s1, s3) come first.
    chosen = one.set_index("theme_id").loc["T1", "quote"]
    assert "safe to speak" in chosen or "trusted the room" in chosen


def test_framework_matrix_rows_are_groups_not_people():
    fm = qu.framework_matrix(SEGMENTS, CODINGS, CODES, PARTICIPANTS, redact_names=["Priya Raman"],
                             threshold=1)
    assert list(fm.columns) == ["Restorative space", "Cross-speciality", "Managers"]
    assert fm.index.name == "Group"
    assert set(fm.index) == {"Consultant, cohort c1", "Matron, cohort c1", "Consultant, cohort c2",
                             "Focus group"}
    assert not any(label.startswith("Case") for label in fm.index)
    p1 = fm.loc["Consultant, cohort c1"]
    # p1 raised Restorative space (s1, s2) and Cross-speciality (s1) but is one person: one cell.
    assert (p1 != "").sum() == 1
    assert fm.loc["Consultant, cohort c2"].tolist().count("") == 2  # p3: one of T2, T3 only
    assert "jo.bloggs" not in " ".join(fm.to_numpy().ravel())
    assert len(qu.framework_matrix(SEGMENTS, CODINGS, CODES, PARTICIPANTS, max_rows=2,
                                   threshold=1)) == 2


def test_saturation_curve():
    sat = th.saturation_curve(SEGMENTS, CODINGS, CODES)
    # src1 brings a, c, b; src2 nothing new; src3 T3; fg1 nothing new.
    assert sat["new_codes"].tolist() == [3, 0, 1, 0]
    assert sat["cumulative_codes"].tolist() == [3, 3, 4, 4]
    assert sat["share_of_codes"].iloc[-1] == 1.0
    assert "source_id" not in sat.columns


def test_large_dataset_matches_naive_counts():
    rng = np.random.default_rng(7)
    n = 100_000
    participants = pd.DataFrame({"participant_id": [f"P{i:06d}" for i in range(n)],
                                 "cohort_id": rng.choice(["c1", "c2", "c3"], n),
                                 "organisation": "X", "profession": "medical", "role": "Consultant"})
    seg_pid = rng.integers(0, n, n)
    segments = pd.DataFrame({"segment_id": [f"S{i:07d}" for i in range(n)],
                             "source_id": [f"I{p:06d}" for p in seg_pid],
                             "participant_id": participants["participant_id"].to_numpy()[seg_pid],
                             "wave": "post", "text": "x"})
    codes_pick = rng.choice(["a", "b", "c", "T3"], n)
    codings = pd.DataFrame({"segment_id": segments["segment_id"], "code_id": codes_pick, "coder_id": "A"})
    prev = th.prevalence(segments, codings, CODES, participants).set_index("code_id")
    theme = np.select([np.isin(codes_pick, ["a", "b"]), codes_pick == "c"], [0, 1], 2)
    has = np.zeros((n, 3), dtype=bool)  # participants x themes, filled by plain indexing
    has[seg_pid, theme] = True
    assert prev.loc[["T1", "T2", "T3"], "participants"].tolist() == has.sum(axis=0).tolist()
    co = th.cooccurrence(segments, codings, CODES, unit="participant")
    assert co.loc["Restorative space", "Cross-speciality"] == int((has[:, 0] & has[:, 1]).sum())
    assert co.loc["Cross-speciality", "Managers"] == int((has[:, 1] & has[:, 2]).sum())


def test_a_passage_illustrates_one_theme_only():
    quotes = qu.exemplar_quotes(SEGMENTS, CODINGS, CODES, PARTICIPANTS, per_theme=3, threshold=1)
    # s1 is coded to T1 and T2: quoted for T1, so T2 falls back to s4.
    t2 = quotes[quotes["theme_id"] == "T2"]["quote"].tolist()
    assert t2 == ["Surgeons and physicians finally talked, and the managers joined in too."]
    assert quotes["quote"].is_unique


def test_display_tables_suppress_small_counts():
    prev = th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS)
    shown = th.prevalence_table(prev, threshold=3)
    # Restorative space: 2 participants (< 3) hidden and its percentage withheld; 4 segments shown.
    row = shown.set_index("Theme or code").loc["Restorative space"]
    assert row["Participants"] == "<3" and row["% of participants"] == "–" and row["Segments"] == "4"
    grouped = th.grouped_table(th.prevalence(SEGMENTS, CODINGS, CODES, PARTICIPANTS, by="cohort_id"),
                               "cohort_id", threshold=2)
    # Row T1: c1 = 2, c2 = 0: a true zero is shown, and nothing is small, so nothing is hidden.
    assert grouped.set_index("Theme").loc["Restorative space"].tolist() == ["2", "0"]
    lines = th.overview_sentences(SEGMENTS, CODINGS, CODES, threshold=5)
    assert lines[0].startswith("5 coded segments from <5 sources (<5 participants)")


# The published themes report is checked in tests/e2e/test_notebook_reports.py.


def test_cooccurrence_figure_hides_small_counts():
    counts = th.cooccurrence(SEGMENTS, CODINGS, CODES)
    jac = th.cooccurrence(SEGMENTS, CODINGS, CODES, measure="jaccard")
    fig = th.cooccurrence_figure(counts, jac, threshold=2, title="t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    # Counts [[4,1,0],[1,2,1],[0,1,1]]: 4, 2 and the true zeros shown, the ones as <2.
    assert sorted(texts) == sorted(["4", "<2", "0", "<2", "2", "<2", "0", "<2", "<2"])
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_agreement_table_formats_and_suppresses():
    from helpers import reliability as rel

    agreement = rel.code_agreement(CODINGS, CODES, n_boot=20)
    table = th.agreement_table(agreement, threshold=5)
    # Two double-coded segments (s1, s3): fewer than 5, so shown as <5.
    assert set(table["Segments"]) == {"<5"}
    assert table["Code"].iloc[-1] == "All codes"
    assert set(table["Agreement"]) <= {"good", "tentative", "poor", "not computable"}


# --- who a quote may be attributed to -------------------------------------------------------

def _people(rows):
    """participants from (cohort, profession, role, count) rows, ids p000, p001, ..."""
    out = []
    for cohort, profession, role, n in rows:
        out += [(cohort, profession, role)] * n
    frame = pd.DataFrame(out, columns=["cohort_id", "profession", "role"])
    frame.insert(0, "participant_id", [f"p{i:03d}" for i in range(len(frame))])
    frame["speciality"] = "Haematology"
    return frame


def _one_segment_each(people):
    segments = pd.DataFrame({"segment_id": [f"s{i:03d}" for i in range(len(people))],
                             "source_id": [f"i{i:03d}" for i in range(len(people))],
                             "source_type": "interview",
                             "participant_id": people["participant_id"], "wave": "post",
                             "text": "I valued the time away from the ward to think about my team."})
    codings = pd.DataFrame({"segment_id": segments["segment_id"], "code_id": "a", "coder_id": "A"})
    return segments, codings


def test_rare_role_falls_back_to_profession_then_cohort():
    people = _people([("c1", "medical", "Consultant", 6), ("c1", "medical", "Associate Medical Director", 3),
                      ("c1", "nursing", "Matron", 2), ("c1", "nursing", "Lead Nurse", 1),
                      ("c1", "nursing", "Ward Manager", 2), ("c1", "AHP", "Lead Physiotherapist", 2)])
    out = released_descriptors(people, k=5).join(people.set_index("participant_id")["role"].rename("held"))
    by_role = out.groupby("held")["label"].agg(set).to_dict()
    assert by_role["Consultant"] == {"Consultant, cohort c1"}
    assert by_role["Lead Nurse"] == by_role["Matron"] == {"Participant (nursing), cohort c1"}
    # 3 AMDs (too few as a role, and too few medical staff left) and 2 AHPs: the cohort alone.
    assert by_role["Associate Medical Director"] == by_role["Lead Physiotherapist"] == \
        {"Participant, cohort c1"}
    assert out["label"].value_counts().min() >= 5


def test_last_few_of_a_cohort_join_the_smallest_group():
    people = _people([("c1", "medical", "Consultant", 6), ("c1", "nursing", "Matron", 5),
                      ("c1", "AHP", "Lead Audiologist", 1)])
    out = released_descriptors(people, k=5)
    # One audiologist left over could not be "Participant, cohort c1" alone: the matrons join.
    assert out["label"].value_counts().to_dict() == {"Participant, cohort c1": 6,
                                                     "Consultant, cohort c1": 6}


def test_small_cohorts_are_pooled_or_not_quoted():
    people = _people([("c1", "medical", "Consultant", 8), ("c2", "nursing", "Matron", 2),
                      ("c3", "nursing", "Matron", 3)])
    out = released_descriptors(people, k=5)
    assert set(out.loc[out["level"] == "programme", "label"]) == {"Participant"}
    assert out["quotable"].all()  # c2 + c3 = 5 people: enough to share "Participant"
    fewer = people[people["cohort_id"] != "c2"]
    out = released_descriptors(fewer, k=5)
    assert not out.loc[out["level"] == "withheld"].empty
    segments, codings = _one_segment_each(fewer)
    quotes = qu.exemplar_quotes(segments, codings, CODES, fewer, per_theme=50, threshold=5)
    assert len(quotes) == 8 and set(quotes["attribution"]) == {"Consultant, cohort c1"}


def test_scope_below_threshold_quotes_nobody_not_even_a_focus_group():
    assert qu.exemplar_quotes(SEGMENTS, CODINGS, CODES, PARTICIPANTS, threshold=5).empty
    assert qu.framework_matrix(SEGMENTS, CODINGS, CODES, PARTICIPANTS, threshold=5).empty
    assert qu.exemplar_quotes(SEGMENTS, CODINGS, CODES, None, threshold=1).empty


def test_description_does_not_depend_on_who_is_quoted():
    people = _people([("c1", "medical", "Consultant", 6), ("c1", "medical", "Registrar", 3),
                      ("c1", "nursing", "Matron", 5)])
    segments, codings = _one_segment_each(people)
    every = qu.quotable_passages(segments, codings, CODES, people, threshold=5)
    # Only the registrars spoke: they are still described as the whole scope allows.
    few = segments["participant_id"].isin(people.loc[people["role"] == "Registrar", "participant_id"])
    some = qu.quotable_passages(segments[few], codings, CODES, people, threshold=5)
    assert set(some["attribution"]) == {"Participant, cohort c1"}
    assert some.set_index("segment_id")["attribution"].equals(
        every.set_index("segment_id").loc[some["segment_id"], "attribution"])


def test_no_speciality_or_organisation_in_any_attribution():
    people = _people([("c1", "medical", "Consultant", 6)]).assign(organisation="Trust X")
    segments, codings = _one_segment_each(people)
    quotes = qu.exemplar_quotes(segments, codings, CODES, people, per_theme=9, threshold=5)
    assert len(quotes) == 6
    assert not quotes["attribution"].str.contains("Haematology|Trust X").any()


@pytest.fixture(scope="module")
def sample_scopes(sample_dataset_path):
    """(programme, cohort or None, scoped dataset) for every programme and cohort of the sample."""
    from helpers.report import open_report

    full = open_report(sample_dataset_path, "barts_kf_scl", theme=False).full
    out = []
    for pid in full.programmes["programme_id"].astype(str):
        out.append((pid, None, full.subset(programme_id=pid)))
        for cid in full.cohorts.loc[full.cohorts["programme_id"] == pid, "cohort_id"].astype(str):
            out.append((pid, cid, full.subset(programme_id=pid, cohort_id=cid)))
    return full, out


def test_sample_no_quote_descriptors_match_fewer_than_threshold(sample_scopes):
    full, scopes = sample_scopes
    k = int(full.suppress_below)
    checked = 0
    for pid, cid, d in scopes:
        quotes = qu.exemplar_quotes(d.segments, d.codings, d.codes, d.participants,
                                    full.meta.get("redact_names") or [], threshold=k)
        passages = qu.quotable_passages(d.segments, d.codings, d.codes, d.participants, k)
        people = passages[passages["participant_id"] != ""]
        for shown in (quotes, people):
            if len(shown):
                assert smallest_match(shown, d.participants).min() >= k, (pid, cid)
        fm = qu.framework_matrix(d.segments, d.codings, d.codes, d.participants, threshold=k)
        assert set(fm.index) <= set(passages["attribution"]), (pid, cid)
        if d.participants["participant_id"].nunique() < k:
            assert quotes.empty and fm.empty, (pid, cid)
        checked += len(quotes)
    assert checked > 50


def test_sample_programme_and_cohort_reports_describe_a_speaker_alike(sample_scopes):
    full, scopes = sample_scopes
    k = int(full.suppress_below)
    programme = {}
    compared = 0
    for pid, cid, d in scopes:
        passages = qu.quotable_passages(d.segments, d.codings, d.codes, d.participants, k)
        said = passages.drop_duplicates("segment_id").set_index("segment_id")["attribution"]
        if cid is None:
            programme[pid] = said
            continue
        both = said.index.intersection(programme[pid].index)
        assert said[both].tolist() == programme[pid][both].tolist(), (pid, cid)
        compared += len(both)
    assert compared > 100


def test_sample_framework_row_never_repeats_a_speaker(sample_scopes):
    full, scopes = sample_scopes
    k = int(full.suppress_below)
    pid, _, d = next(s for s in scopes if s[0] == "barts_kf_scl" and s[1] is None)
    fm = qu.framework_matrix(d.segments, d.codings, d.codes, d.participants, threshold=k)
    passages = qu.quotable_passages(d.segments, d.codings, d.codes, d.participants, k)
    passages["cell"] = [qu.shorten(t, 90) for t in passages["text"]]
    for group, row in fm.iterrows():
        mine = passages[passages["attribution"] == group]
        speakers = [set(mine.loc[mine["cell"] == cell, "speaker"]) for cell in row if cell]
        assert all(speakers)
        unique = [next(iter(s)) for s in speakers if len(s) == 1]
        assert len(unique) == len(set(unique)), group
    assert (fm != "").to_numpy().sum() >= 2 * len(fm)



def test_sample_framework_cells_show_the_point_and_never_repeat(sample_scopes):
    full, scopes = sample_scopes
    k = int(full.suppress_below)
    stock = {qu.opening_words(statement(e)[0]) for bank in CONTEXTS.values() for e in bank}
    cells = 0
    opening_with_context = 0
    for pid, cid, d in scopes:
        fm = qu.framework_matrix(d.segments, d.codings, d.codes, d.participants, threshold=k)
        for column in fm.columns:
            openings = [qu.opening_words(c) for c in fm[column] if c]
            assert len(openings) == len(set(openings)), (pid, cid, column)
            cells += len(openings)
            opening_with_context += sum(o in stock for o in openings)
    assert cells > 100
    assert opening_with_context <= 0.15 * cells, (opening_with_context, cells)


def test_framework_column_skips_a_remark_that_opens_like_one_above():
    # Six nurses (the first row) and five doctors all open with the same stock sentence; two
    # doctors also made a plain remark. The doctors' cell must be one of those two.
    people = pd.DataFrame({"participant_id": [f"p{i}" for i in range(11)],
                           "role": ["Nurse"] * 6 + ["Doctor"] * 5, "profession": "",
                           "cohort_id": "c1", "organisation": "T"})
    lead = "We were short of staff that year."
    segments = pd.DataFrame({
        "segment_id": [f"s{i}" for i in range(13)], "source_id": [f"i{i}" for i in range(13)],
        "source_type": "interview",
        "participant_id": [f"p{i}" for i in range(11)] + ["p6", "p7"], "wave": "post",
        "text": [f"{lead} Point number {i} about teams." for i in range(11)]
                + ["Teams now talk to each other.", "Teams plan together each week."]})
    codes = pd.DataFrame({"code_id": ["T"], "label": ["Teams"], "parent_id": [""],
                          "description": [""]})
    codings = pd.DataFrame({"segment_id": segments["segment_id"], "code_id": "T",
                            "coder_id": "a"})
    fm = qu.framework_matrix(segments, codings, codes, people, threshold=5)
    assert list(fm.index) == ["Nurse, cohort c1", "Doctor, cohort c1"]
    assert fm.loc["Nurse, cohort c1", "Teams"].startswith(lead)
    assert fm.loc["Doctor, cohort c1", "Teams"] in {"Teams now talk to each other.",
                                                    "Teams plan together each week."}
