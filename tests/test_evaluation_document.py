"""The evaluation report as a document: the dataset.yaml ``evaluation:`` block, the sentences
for none, one and many, the sample's evaluation questions answered with their seed figures,
the equality summary's suppression and pseudonymous applicant ids."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from data_cases.builders import copy_valid, private_cache, update_meta, write_rows  # noqa: F401
from helpers import equality_value, evaluation
from helpers import evaluation_document as ed
from helpers.cli import main
from helpers.data import load_dataset
from helpers.data.evaluation_meta import check_evaluation
from helpers.report import open_report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
KEY = "a-test-key-of-sufficient-length"


# --- the evaluation: block --------------------------------------------------------------------

def test_evaluation_block_normalised():
    problems = []
    ev = check_evaluation({"p1": {"title": " Evaluation ", "authors": "One author",
                                  "period": {"start": "2019-03-01", "end": "2024-12-31"},
                                  "questions": [{"text": "Who?", "strands": "reach"},
                                                {"id": "x", "text": "Why?"}]}}, problems)
    assert problems == []
    p1 = ev["p1"]
    assert p1["title"] == "Evaluation" and p1["authors"] == ["One author"]
    assert p1["period"]["end"].year == 2024
    assert [q["id"] for q in p1["questions"]] == ["q1", "x"]
    assert p1["questions"][0]["strands"] == ["reach"] and p1["questions"][1]["strands"] == []


@pytest.mark.parametrize("block, column, expected", [
    ({"p": {"period": {"start": "2024-01-01", "end": "2023-01-01"}}}, "evaluation.p.period.end",
     "on or after the start"),
    ({"p": {"period": {"start": "2024-13-01", "end": "2025-01-01"}}}, "evaluation.p.period.start",
     "yyyy-mm-dd"),
    ({"p": {"period": "2024"}}, "evaluation.p.period", "start and end"),
    ({"p": {"questions": [{"text": "Q", "strands": ["reech"]}]}}, "evaluation.p.questions[0].strands",
     "one of reach"),
    ({"p": {"questions": [{"id": "a", "text": "Q"}, {"id": "a", "text": "R"}]}},
     "evaluation.p.questions[1].id", "each question id once"),
    ({"p": {"questions": [{"strands": ["reach"]}]}}, "evaluation.p.questions[0]", "text"),
    ({"p": {"aims": [1, 2]}}, "evaluation.p.aims", "a list of text"),
    ({"p": {"autors": ["x"]}}, "evaluation.p.autors", "one of title"),
    ({"p": "questions"}, "evaluation.p", "a mapping"),
    (["p"], "evaluation", "a mapping of programme_id"),
])
def test_evaluation_block_problems(block, column, expected):
    problems = []
    check_evaluation(block, problems)
    assert [p.column for p in problems] == [column]
    assert expected in problems[0].expected


def test_validate_names_the_line_and_an_unknown_programme(tmp_path, capsys):
    folder = copy_valid(tmp_path)
    update_meta(folder, evaluation={"kf_scl": {"period": {"start": "2024-05-01",
                                                          "end": "2024-01-01"}}})
    assert main(["validate", str(folder)]) == 2
    text = "".join(capsys.readouterr())
    assert "dataset.yaml:" in text and "evaluation.kf_scl.period.end" in text
    assert "on or after the start" in text and "Traceback" not in text
    update_meta(folder, evaluation={"kf_sc1": {"aims": ["typo in the id"]}})
    assert main(["validate", str(folder)]) == 2
    text = "".join(capsys.readouterr())
    assert "evaluation.kf_sc1" in text and "programme_id of programmes.csv" in text


def test_sample_block_is_valid_and_answers_with_known_strands():
    from helpers.data.meta import read_meta

    meta, problems = read_meta(SAMPLE)
    assert problems == []
    programmes = set(pd.read_csv(SAMPLE / "programmes.csv")["programme_id"])
    assert set(meta["evaluation"]) == programmes
    for cfg in meta["evaluation"].values():
        assert cfg["questions"] and all(q["strands"] for q in cfg["questions"])
        assert cfg["period"]["start"] < cfg["period"]["end"]


# --- sentences: none, one, many ---------------------------------------------------------------

def _rep(participants, cohort_id=None):
    return SimpleNamespace(data=SimpleNamespace(participants=participants), threshold=5,
                           cohort_id=cohort_id, cohort_label=cohort_id)


def test_reach_sentence_single_plural_and_noun():
    one = pd.DataFrame({"participant_id": [f"p{i}" for i in range(11)], "cohort_id": "c1",
                        "organisation": "Lancashire Care NHS Foundation Trust",
                        "profession": "medical"})
    assert ed.reach_sentence(_rep(one)) == ("11 doctors from 1 trust (Lancashire Care NHS "
                                            "Foundation Trust) took part in one cohort.")
    many = one.assign(cohort_id=[f"c{i % 3}" for i in range(11)],
                      organisation=["A Trust", "B Trust", "C CCG"] * 3 + ["A Trust"] * 2,
                      profession=["medical"] * 10 + ["nursing"])
    assert ed.reach_sentence(_rep(many)) == ("11 delegates from 3 organisations (A Trust, B Trust "
                                             "and C CCG) took part across 3 cohorts.")
    small = one.iloc[:3]
    assert ed.reach_sentence(_rep(small, "c1")).startswith("<5 doctors from 1 trust")


def test_profession_sentence_withholds_small_complements():
    p = pd.DataFrame({"profession": ["medical"] * 196 + ["nursing"] * 14 + ["ahp"] * 10})
    assert ed.profession_sentence(p, 5) == "89% (196 of 220) were doctors."
    assert ed.profession_sentence(p.iloc[:199], 5) is None  # 3 not doctors would be shown
    assert ed.profession_sentence(p.iloc[:196], 5) is None  # all one profession


def test_plural_and_join_words():
    assert [ed.plural(n, "scale") for n in (0, 1, 2)] == ["no scales", "1 scale", "2 scales"]
    assert ed.join_words([]) == ""


def test_theme_sentence_names_no_theme_when_every_count_is_small():
    prev = pd.DataFrame({"code_id": ["a", "b"], "label": ["Alpha", "Beta"],
                         "participants": [4, 3], "n_participants": [9, 9],
                         "sources": [4, 3], "segments": [4, 3]})
    assert evaluation.theme_sentence(prev, 5) is None


# --- the sample's evaluation reports ----------------------------------------------------------

@pytest.fixture(scope="module")
def docs():
    out = {}
    for pid in ("barts_kf_scl", "lcft_cetad", "sath_academy"):
        rep = open_report(str(SAMPLE), pid, None)
        ev = evaluation.prepare(rep)
        eq = equality_value.prepare(rep, outcomes=ev.outcomes)
        out[pid] = ed.prepare(ev, eq)
    return out


def _said(doc):
    lead = [ed.reach_sentence(doc.rep)] + ed.programme_sentences(doc)
    return " ".join(lead + doc.answers["sentence"].tolist())


def test_every_question_is_answered(docs):
    for doc in docs.values():
        assert doc.missing_columns() == {} and doc.eq.missing_columns() == {}
        asked = [q["id"] for q in doc.design["questions"]]
        assert doc.answers["question_id"].drop_duplicates().tolist() == asked
        assert doc.answers["sentence"].str.len().gt(20).all()


def test_barts_summary_states_the_seed_figures(docs):
    text = _said(docs["barts_kf_scl"])
    assert "220 delegates from 3 trusts" in text and "across 10 cohorts" in text
    assert "The King's Fund" in text
    assert "6 days of development over 3 modules" in text
    apps = pd.read_csv(SAMPLE / "applicants.csv")
    places = pd.read_csv(SAMPLE / "cohorts.csv").query("programme_id == 'barts_kf_scl'")["places"].sum()
    n = int((apps["programme_id"] == "barts_kf_scl").sum())
    assert f"{n} applications for {places} places ({n / places:.1f} per place)" in text
    assert "1.8 per place" in text
    # who got in and who benefited, by group, with intervals; cost per participant and per move
    eq = docs["barts_kf_scl"].answers.query("strand == 'equality'")["sentence"]
    assert eq.str.contains(r"selected from applicants: .*\d\.\d\d \(\d\.\d\d to \d\.\d\d").any()
    assert "applicants not admitted" in text
    assert "Cost per participant: GBP" in text and "Cost per move into a new or more senior role" in text


def test_shrewsbury_summary_states_the_library_issues(docs):
    text = _said(docs["sath_academy"])
    assert "747" in text and "1,118" in text and "1,064" in text


def test_lcft_summary_states_eleven_doctors_one_project_each(docs):
    text = _said(docs["lcft_cetad"])
    assert "11 doctors from 1 trust" in text
    assert "Each of the 11 doctors led one improvement project (11 projects)." in text


def test_sources_table_hides_small_counts_and_their_rates(docs):
    doc = docs["sath_academy"]
    table = ed.sources_table(doc)
    small = doc.sources["people"] < doc.threshold
    assert (table.loc[small, "People"] == "<5").all() and (table.loc[small, "Response"] == "–").all()
    gap = (doc.sources["of"] - doc.sources["people"]).between(1, doc.threshold - 1)
    assert (table.loc[gap, "Response"] == "–").all()


def test_methods_appendix_lists_the_strands_stated(docs):
    barts = ed.methods(docs["barts_kf_scl"])["Used for"].tolist()
    assert "Equality of access and outcome" in barts and "Value for money" in barts
    assert "Change by wave and profession" not in barts  # no mixed-model result is stated
    sath = ed.methods(docs["sath_academy"])["Used for"].tolist()
    assert "Equality of access and outcome" not in sath and "Networks" not in sath


# --- equality summary: suppression ------------------------------------------------------------

def _lk(rows):
    cols = ["characteristic", "outcome", "reference", "group", "n", "events", "rate",
            "relative_likelihood", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=cols)


def test_equality_summary_leaves_out_small_groups():
    sel = "Selected from applicants"
    lk = _lk([["ethnicity", sel, "White", "White", 100, 60, 0.6, 1.0, None, None],
              ["ethnicity", sel, "White", "Asian", 50, 20, 0.4, 0.667, 0.46, 0.96],
              ["ethnicity", sel, "White", "Mixed", 4, 2, 0.5, 0.83, 0.3, 2.1],
              ["ethnicity", sel, "White", "Other", 30, 28, 0.93, 1.56, 1.3, 1.8]])
    res = SimpleNamespace(threshold=5, likelihoods=lk)
    [line] = equality_value.equality_summary(res)
    assert "Asian 0.67 (0.46 to 0.96, lower beyond chance)" in line
    assert "Mixed" not in line            # 4 people
    assert "Other" not in line            # 2 not selected
    res.likelihoods = lk.iloc[[0, 2]]
    assert equality_value.equality_summary(res)[0].startswith("Every group that could be compared")


# --- pseudonymous applicant ids ---------------------------------------------------------------

def test_applicant_ids_are_pseudonymised(tmp_path, monkeypatch):
    folder = copy_valid(tmp_path)
    write_rows(folder, "applicants", [
        ["applicant_id", "programme_id", "cohort_id", "outcome", "participant_id"],
        ["A1", "kf_scl", "kf1", "admitted", "1001"], ["A2", "kf_scl", "kf1", "not_admitted", ""]])
    write_rows(folder, "applicant_careers", [["applicant_id", "event_date", "event", "role"],
                                             ["A2", "2025-01-01", "promotion", "Clinical director"]])
    update_meta(folder, pseudonymisation={"enabled": True, "key_env": "TEST_PSEUDONYM_KEY"})
    monkeypatch.setenv("TEST_PSEUDONYM_KEY", KEY)
    ds = load_dataset(folder)
    ids = ds.tables["applicants"]["applicant_id"].tolist()
    expected = "A-" + hmac.new(KEY.encode(), b"applicant:A1", hashlib.sha256).hexdigest()[:16]
    assert ids[0] == expected and not set(ids) & {"A1", "A2"}
    assert ds.tables["applicant_careers"]["applicant_id"].tolist() == [ids[1]]
    assert ds.tables["applicants"]["participant_id"].iloc[0] in set(ds.participants["participant_id"])


def test_network_findings_drop_a_boundary_nobody_can_cross():
    net = SimpleNamespace(has_ties=True, findings=[
        "Between baseline and post connections rose.",
        "Ties crossing organisations became more common (10% to 20% of ties): the E-I index ...",
        "Ties crossing professions stayed at 0% to 0% of ties: the E-I index ..."])
    one_prof = pd.DataFrame({"profession": ["medical"] * 3, "organisation": ["A", "B", "B"]})
    assert evaluation.network_findings(net, one_prof) == net.findings[:2]
    assert evaluation.network_headline(net, one_prof).startswith("Ties crossing organisations")
    both = one_prof.assign(profession=["medical", "nursing", "medical"])
    assert evaluation.network_headline(net, both).startswith("Ties crossing professions")
    alone = pd.DataFrame({"profession": ["medical"] * 3, "organisation": ["A"] * 3})
    assert evaluation.network_headline(net, alone) is None


def test_evaluation_results_hold_their_documented_columns(docs):
    ev = docs["sath_academy"].ev
    assert ev.missing_columns() == {}
    assert ev.projects["project_id"].tolist() == ["sath_p01"]
    fields = set(ev.fields()["field"])
    assert {"outcomes", "prevalence", "projects", "pipeline"} <= fields
    assert "P0" not in ev._repr_html_()      # no participant id is shown


def test_limitations_name_the_comparison_group_reliability_and_follow_up(docs):
    barts = ed.limitations(docs["barts_kf_scl"])
    assert barts[0].startswith("Design:") and "applicants who were not admitted" in barts[0]
    assert "no comparison group" not in " ".join(barts)
    assert any(s.startswith("Reliability: Cronbach's alpha is below 0.7 on") for s in barts)
    follow = docs["barts_kf_scl"].sources.query("detail == 'follow-up, self-ratings'").iloc[0]
    assert f"({follow['people']} of {follow['of']}) answered the follow-up survey" in " ".join(barts)
    lcft = " ".join(ed.limitations(docs["lcft_cetad"]))
    assert "no comparison group" in lcft and "all 6 scales have only two items" in lcft
    assert "Scale reliability" in ed.methods(docs["lcft_cetad"])["Used for"].tolist()


def test_comparison_withholds_a_share_that_stands_for_few_moves():
    inc = pd.DataFrame({"group": ["Participants", "Applicants not admitted"], "months": [24, 24],
                        "estimate": [0.22, 0.30], "ci_low": [0.07, 0.1], "ci_high": [0.44, 0.5],
                        "n": [18, 40], "n_moved": [6, 12], "n_left": [0, 1]})
    res = SimpleNamespace(threshold=5, did=pd.DataFrame(), incidence=inc)
    assert equality_value.comparison_sentences(res) == []    # 22% of 18 is 4 people
    res.incidence = inc.assign(n=[40, 40], n_moved=[9, 12])
    [share, caveat] = equality_value.comparison_sentences(res)
    assert share.startswith("Within 24 months, an estimated 22% (95% CI 7% to 44%) of 40 participants")
    assert "not randomised" in caveat


def _doc(programme: dict, cohorts: pd.DataFrame, design=None, applicants=None):
    data = SimpleNamespace(cohorts=cohorts, applicants=applicants if applicants is not None
                           else pd.DataFrame(), participants=pd.DataFrame({"participant_id": []}),
                           responses=pd.DataFrame(columns=["response_date"]))
    rep = SimpleNamespace(data=data, programme=programme, programme_id="p", threshold=5)
    ev = SimpleNamespace(rep=rep, threshold=5)
    return ed.EvaluationDocument(ev, None, design or {}, ed.programme_profile(rep),
                                 pd.DataFrame(), pd.DataFrame())


def test_programme_sentences_for_one_many_and_missing():
    one = pd.DataFrame({"cohort_id": ["c1"], "start_date": ["2014-09-15"], "end_date": ["2015-03-24"],
                        "delivery_mode": ["face to face"], "places": [13], "applications": [17]})
    doc = _doc({"name": "PG Cert", "provider": "CETAD", "host_organisation": "LCFT",
                "level": "Consultants", "modules": 1, "days": 1}, one)
    assert ed.programme_sentences(doc) == [
        "The programme, PG Cert, was delivered by CETAD for LCFT.",
        "It offered 1 day of development over 1 module for consultants.",
        "In this scope one cohort ran from September 2014 to March 2015, delivered face to face."]
    assert ed.demand_sentence(doc) == "Demand: 17 applications for 13 places (1.3 per place)."
    bare = _doc({"name": "X", "provider": None, "host_organisation": None, "level": None,
                 "modules": None, "days": None}, one.assign(applications=[None], places=[None]))
    assert ed.programme_sentences(bare)[:1] == ["The programme is X."]
    assert len(ed.programme_sentences(bare)) == 2      # no design sentence from nothing
    assert ed.demand_sentence(bare) is None
    two = pd.concat([one, one.assign(cohort_id="c2", delivery_mode="virtual")])
    assert ed.programme_sentences(_doc({"name": "X"}, two))[-1].endswith(
        "delivered as face to face and virtual.")
    few = _doc({"name": "X"}, one, applicants=pd.DataFrame({"outcome": ["admitted"] * 3}))
    assert ed.demand_sentence(few) == "Demand: <5 applications for 13 places."


def test_design_sentences_with_and_without_a_design():
    import datetime as dt

    doc = _doc({"name": "X"}, pd.DataFrame(columns=["start_date", "end_date"]))
    assert ed.design_sentences(doc) == []          # nothing to say, nothing said
    doc.design = {"authors": ["A"], "period": {"start": dt.date(2019, 3, 1), "end": dt.date(2024, 12, 31)}}
    lines = ed.design_sentences(doc)
    assert "Author: A." in lines and "Evaluation period: 1 March 2019 to 31 December 2024." in lines


def test_demand_breakdown_withheld_when_one_part_would_be_given_away():
    one = pd.DataFrame({"cohort_id": ["c1"], "start_date": ["2019-09-16"], "end_date": ["2019-12-10"],
                        "delivery_mode": ["face to face"], "places": [26], "applications": [53]})
    apps = pd.DataFrame({"outcome": ["admitted"] * 24 + ["waitlisted"] * 11 + ["not_admitted"] * 16
                         + ["withdrew"] * 2})
    doc = _doc({"name": "X"}, one, applicants=apps)
    assert ed.demand_sentence(doc) == "Demand: 53 applications for 26 places (2.0 per place)."
    doc = _doc({"name": "X"}, one, applicants=apps[apps["outcome"] != "withdrew"])
    assert ed.demand_sentence(doc).endswith("; 24 admitted, 11 wait-listed and 16 not admitted.")


def test_a_cohort_without_reportable_themes_is_not_said_to_have_no_data():
    rep = open_report(str(SAMPLE), "barts_kf_scl", "barts_c02")
    ev = evaluation.prepare(rep)
    doc = ed.prepare(ev, equality_value.prepare(rep, outcomes=ev.outcomes))
    themes = doc.answers.query("strand == 'themes'")["sentence"].tolist()
    assert len(ev.prevalence) and ev.prevalence["participants"].max() < 5   # themes, all small
    assert themes == ["No theme was raised by 5 or more participants in this scope."]
    # 2 withdrew in this cohort: with the total shown, no breakdown is given at all
    assert "Demand: 53 applications for 26 places (2.0 per place)." in doc.answers["sentence"].tolist()


def test_sources_of_a_cohort_report_hide_what_the_programme_total_gives_away():
    """LUHFT's programme report shows 9 free-text contributors; luhft_c02's report showing its
    5 would leave the withheld luhft_c01's 4, so luhft_c02 shows [c] and no rate."""
    prog = open_report(str(SAMPLE), "luhft_lbs", None)
    coh = open_report(str(SAMPLE), "luhft_lbs", "luhft_c02")
    total = ed.data_sources(prog).set_index(["source", "detail"])["people"]
    mine = ed.data_sources(coh).set_index(["source", "detail"])["people"]
    key = ("Free text", "participants whose words were coded")
    assert 0 < total[key] - mine[key] < 5  # the subtraction the table must not allow
    doc = SimpleNamespace(rep=coh, threshold=5, sources=ed.data_sources(coh))
    shown = ed.sources_table(doc).set_index(["Source", "What"])
    assert shown.loc[key, "People"] == "[c]" and shown.loc[key, "Response"] == "–"
    # a row is hidden exactly when a subtraction would leave a small count: the programme's
    # total minus this cohort's, or this cohort's participants minus those who contributed
    src = ed.data_sources(coh).set_index(["source", "detail"])
    for k in mine.index:
        leaves = total[k] - mine[k]
        missing = src.loc[k, "of"] - mine[k] if pd.notna(src.loc[k, "share"]) else 0
        assert (shown.loc[k, "People"] == "[c]") == (0 < leaves < 5 or 0 < missing < 5), \
            (k, leaves, missing)
    assert ed.sources_table(SimpleNamespace(rep=prog, threshold=5, sources=ed.data_sources(prog))
                            ).set_index(["Source", "What"]).loc[key, "People"] == "9"


def test_lcft_one_doctor_sentences_give_no_small_count():
    """A programme of fewer than 5 says "fewer than 5 participants" and drops the per-person
    project count, since one project each makes the project count a head count."""
    p = pd.DataFrame({"participant_id": ["p1"], "profession": ["medical"]})
    rep = SimpleNamespace(data=SimpleNamespace(participants=p, projects=pd.DataFrame(
        {"lead_participant_id": ["p1"]})), threshold=5)
    assert ed.projects_lead_sentence(rep) == "Each of the doctors led one improvement project."
    assert ed.people_count(1, "participant", None, 5) == "fewer than 5 participants"


def test_a_source_count_whose_non_responders_are_few_is_hidden_beside_the_participants():
    """Barts' 216 of the 220 participants naming ties at the end would give the 4 who did not
    back, with the 220 stated beside the table."""
    rep = open_report(str(SAMPLE), "barts_kf_scl", None)
    doc = SimpleNamespace(rep=rep, threshold=5, sources=ed.data_sources(rep))
    src = doc.sources.set_index(["source", "detail"])
    key = ("Network survey", "end of the programme, participants naming ties")
    assert 0 < src.loc[key, "of"] - src.loc[key, "people"] < 5
    shown = ed.sources_table(doc).set_index(["Source", "What"])
    assert shown.loc[key, "People"] == "[c]" and shown.loc[key, "Response"] == "–"
    start = ("Network survey", "start of the programme, participants naming ties")
    assert shown.loc[start, "People"] == str(src.loc[start, "people"])  # 189 of 220: 31 left
