"""The synthetic sample (helpers.sample) reproduces every seed figure, validates, and is
byte-for-byte reproducible.

Seed figures are copied from ../shared/seeds (the tests never read that folder):
000 LUHFT / Liverpool Business School, 001 Lancashire Care / Lancaster CETAD, 002 Barts Health /
The King's Fund, 003 Shrewsbury and Telford library Leadership Zone, 004 Leeds CIHM.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from helpers.cli import main
from helpers.data import load_dataset
from helpers.runner.lock import LOCK_DIR
from helpers.sample import DEFAULT_SEED, generate_sample, writer
from helpers.sample.text_bank import CONTEXTS, CORE, statement

# Seed 000, "Live projects at LUHFT" (line breaks of the brochure joined with single spaces).
LUHFT_TITLES = {
    "Mental Health Hub in A&E",
    "Integrated recruitment and development in Physiotherapy",
    "Post Covid patient ward",
    "Integrated Haemato-Oncology Laboratory",
    "Occupational Therapy Critical Care",
    "Compliance and clear care pathways",
    "High Performance Work Processes for tender submissions",
    "Community Respiratory Team\u2019s Diagnostic MDT Clinic",
    "Introduction of Pure Tone Audiometry prior to Chemo Radiation Therapy",
    "Research Governance Protocols",
    "Asthma Pathways to increase adherence",
    "Risk Management Framework to help achieve objectives",
    "Collaborative Educational Programme for newly appointed Screening Specialist Practitioners",
    "Trauma Imaging Process Development",
    "Quality Governance for standards in Acute and Emergency Medicine",
}
# Seed 002: the three trusts and the four evaluation themes.
BARTS_TRUSTS = {"Barts Health NHS Trust", "Homerton Healthcare NHS Foundation Trust",
                "East London NHS Foundation Trust"}
BARTS_THEMES = {"restorative_space", "cross_speciality", "leadership_followership", "operational_managers"}
# NHS Leadership Academy, Healthcare Leadership Model (2013): the nine dimensions.
HLM_DIMENSIONS = ["Leading with care", "Sharing the vision", "Engaging the team",
                  "Influencing for results", "Evaluating information", "Connecting our service",
                  "Inspiring shared purpose", "Developing capability", "Holding to account"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The default sample generated afresh."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def ds(fresh):
    return load_dataset(fresh)


def _programme(ds, programme_id: str) -> pd.DataFrame:
    cohorts = ds.cohorts[ds.cohorts.programme_id == programme_id].cohort_id
    return ds.participants[ds.participants.cohort_id.isin(cohorts)]


# --- seed figures ------------------------------------------------------------------------------

def test_barts_220_delegates_in_10_cohorts_from_3_trusts(ds):
    barts = _programme(ds, "barts_kf_scl")
    assert len(barts) == 220
    assert barts.cohort_id.nunique() == 10
    assert set(barts.organisation) == BARTS_TRUSTS
    share = barts.profession.value_counts(normalize=True)
    assert share["medical"] > 0.8                              # "medical leaders" ...
    assert {"nursing", "AHP"} <= set(share.index)              # ... "a small number" of others
    assert set(share.index) <= {"medical", "nursing", "AHP"}


def test_barts_six_days_over_three_modules(ds):
    prog = ds.programmes.set_index("programme_id").loc["barts_kf_scl"]
    assert (prog["modules"], prog["days"]) == (3, 6)
    att = ds.attendance[ds.attendance.participant_id.isin(_programme(ds, "barts_kf_scl").participant_id)]
    att = att.merge(ds.participants[["participant_id", "cohort_id"]], on="participant_id")
    per_cohort = att.groupby("cohort_id").agg(days=("session_date", "nunique"), modules=("module", "nunique"))
    assert (per_cohort.days == 6).all() and (per_cohort.modules == 3).all()
    per_person = att.groupby("participant_id").size()
    assert len(per_person) == 220 and (per_person == 6).all()
    days_per_module = att.groupby(["cohort_id", "module"]).session_date.nunique()
    assert (days_per_module == 2).all()


def test_lancashire_11_doctors_with_one_project_each(ds):
    docs = _programme(ds, "lcft_cetad")
    assert len(docs) == 11 and docs.cohort_id.nunique() == 1
    assert (docs.profession == "medical").all()
    proj = ds.projects[ds.projects.programme_id == "lcft_cetad"]
    assert len(proj) == 11
    assert sorted(proj.lead_participant_id) == sorted(docs.participant_id)
    assert set(ds.kpi_values.project_id) >= set(proj.project_id)
    kinds = {i["instrument_id"]: i["kind"] for i in ds.instruments}
    competency = [i for i, k in kinds.items() if k == "competency"]
    assert len(competency) == 1
    rated = ds.responses[ds.responses.instrument_id == competency[0]]
    assert set(rated.participant_id) == set(docs.participant_id)        # each doctor benchmarked
    assert {"baseline", "post"} <= set(rated.wave)


def test_luhft_15_live_project_titles_with_kpi_series(ds):
    proj = ds.projects[ds.projects.programme_id == "luhft_lbs"]
    assert set(proj.title) == LUHFT_TITLES and len(proj) == 15
    months = ds.kpi_values.groupby("project_id").period.nunique()
    assert (months[proj.project_id] >= 24).all()


def test_luhft_ties_grow_across_professions(ds):
    luhft = _programme(ds, "luhft_lbs").set_index("participant_id").profession
    ties = ds.ties[ds.ties.from_id.isin(luhft.index)]
    cross = (ties.from_id.map(luhft) != ties.to_id.map(luhft)).groupby(ties.wave).sum()
    assert cross["post"] > 2 * cross["baseline"]
    assert (ties.wave == "post").sum() > (ties.wave == "baseline").sum()


def test_leeds_65_organisations_700_clinicians_300_directors(ds):
    leeds = _programme(ds, "leeds_cihm")
    assert leeds.organisation.nunique() == 65
    assert (leeds.profession == "manager").sum() == 300
    assert (leeds.profession != "manager").sum() == 700
    kinds = {i["instrument_id"]: i["kind"] for i in ds.instruments}
    rel = ds.responses[ds.responses.instrument_id.map(kinds) == "relationship"]
    assert set(rel.participant_id) <= set(leeds.participant_id)
    assert {"baseline", "post"} <= set(rel.wave)


def test_library_six_month_totals(ds):
    """747 (Oct 2011-Mar 2012), 1,118 (Apr-Sep 2012, +50%), 1,064 (Nov 2012-Apr 2013)."""
    proj = ds.projects[ds.projects.title.str.contains("Leadership Zone")]
    assert len(proj) == 1 and proj.programme_id.iloc[0] == "sath_academy"
    s = ds.kpi_values[ds.kpi_values.project_id == proj.project_id.iloc[0]].set_index("period").value
    before = s["2011-10-01":"2012-03-01"]
    during = s["2012-04-01":"2012-09-01"]
    after = s["2012-11-01":"2013-04-01"]
    assert (len(before), len(during), len(after)) == (6, 6, 6)
    assert (before.sum(), during.sum(), after.sum()) == (747, 1118, 1064)
    assert round(100 * (during.sum() / before.sum() - 1), 1) == 49.7


def test_restorative_space_most_cited_by_barts_participants(ds):
    barts = set(_programme(ds, "barts_kf_scl").participant_id)
    parent = ds.codes.set_index("code_id").parent_id
    seg = ds.segments[ds.segments.participant_id.isin(barts)].merge(ds.codings, on="segment_id")
    seg["theme"] = seg.code_id.map(parent)
    people = seg.groupby("theme").participant_id.nunique().sort_values(ascending=False)
    assert people.index[0] == "restorative_space"
    assert BARTS_THEMES <= set(people.index)
    themes = ds.codes[ds.codes.parent_id.isna() | (ds.codes.parent_id == "")]
    assert BARTS_THEMES <= set(themes.code_id)
    children = ds.codes.dropna(subset=["parent_id"])
    assert all((children.parent_id == t).sum() >= 3 for t in BARTS_THEMES)
    assert ds.codes.description.notna().all()


def test_barts_pipeline_into_senior_roles(ds):
    barts = set(_programme(ds, "barts_kf_scl").participant_id)
    moves = ds.careers[ds.careers.participant_id.isin(barts)
                       & ds.careers.event.isin(["new_leadership_role", "promotion"])]
    assert moves.participant_id.nunique() >= 0.2 * len(barts)
    assert (moves.event_date <= pd.Timestamp(ds.meta["observation_end"])).all()


# --- instruments, waves and realistic imperfections ---------------------------------------------

def test_hlm_nine_dimensions_self_and_360(ds):
    hlm = next(i for i in ds.instruments if i["instrument_id"] == "hlm360")
    assert [s["label"] for s in hlm["scales"]] == HLM_DIMENSIONS
    r = ds.responses[ds.responses.instrument_id == "hlm360"]
    for wave in ("baseline", "post"):
        assert set(r[r.wave == wave].rater) == {"self", "manager", "peer", "direct_report"}
    assert {"follow_up", "retrospective_pre"} <= set(r.wave)
    others = r[r.rater != "self"]
    assert others.rater_id.notna().all()
    peers = others[others.rater == "peer"].groupby("participant_id").rater_id.nunique()
    assert peers.max() >= 2                                          # rater_id tells peers apart
    assert ds.items.reverse_scored.any() and not ds.items.reverse_scored.all()
    assert {i["kind"] for i in ds.instruments} == {"outcome", "reaction", "relationship", "competency"}
    assert all(len(i["labels"]) == int(ds.items[ds.items.instrument_id == i["instrument_id"]]["max"].max())
               for i in ds.instruments)


def test_attrition_nonresponse_and_small_groups(ds):
    r = ds.responses[(ds.responses.instrument_id == "hlm360") & (ds.responses.rater == "self")]
    n = r.groupby("wave").participant_id.nunique()
    assert n["baseline"] > n["post"] > n["follow_up"]
    blank = ds.responses.value.isna().mean()
    assert 0.005 < blank < 0.1
    sizes = ds.participants.groupby("cohort_id").size()
    assert ((sizes > 0) & (sizes < ds.suppress_below)).any()


def test_effects_differ_by_dimension(ds):
    """Self-rated change from baseline to post, by HLM dimension (reverse items reflected)."""
    r = ds.responses[(ds.responses.instrument_id == "hlm360") & (ds.responses.rater == "self")
                     & ds.responses.wave.isin(["baseline", "post"])]
    items = ds.items.set_index("item_id")
    v = r.value.where(~r.item_id.map(items.reverse_scored), 6 - r.value)
    means = v.groupby([r.item_id.map(items.scale), r.wave]).mean().unstack()
    change = means["post"] - means["baseline"]
    assert change.max() > 0.3 and change.min() < 0.15


def test_relationship_change_differs_by_profession(ds):
    """Leeds: senior clinicians gain more on the relationship scale than directors (both > 0)."""
    r = ds.responses[(ds.responses.instrument_id == "cmr") & ds.responses.wave.isin(["baseline", "post"])]
    items = ds.items.set_index("item_id")
    v = r.value.where(~r.item_id.map(items.reverse_scored), 8 - r.value)
    prof = r.participant_id.map(ds.participants.set_index("participant_id").profession)
    group = np.where(prof == "manager", "director", "clinician")
    means = v.groupby([group, r.wave.to_numpy()]).mean().unstack()
    change = means["post"] - means["baseline"]
    assert change["clinician"] > change["director"] > 0


def test_kpi_shift_in_some_projects_only(ds):
    shifted = []
    for row in ds.projects[ds.projects.programme_id == "luhft_lbs"].itertuples():
        s = ds.kpi_values[ds.kpi_values.project_id == row.project_id].set_index("period").value
        pre = s[s.index < row.start_date]
        post = s[s.index >= row.start_date + pd.DateOffset(months=3)]
        d = (post.mean() - pre.mean()) / pre.std() * (1 if row.better == "up" else -1)
        shifted.append(d)
    shifted = np.array(shifted)
    assert (shifted > 1.5).sum() >= 5 and (np.abs(shifted) < 1.0).sum() >= 2


def test_two_coders_agree_substantially(ds):
    """Code-by-segment presence on the double-coded subset; Cohen's kappa from scikit-learn."""
    c = ds.codings
    both = c.groupby("segment_id").coder_id.nunique()
    both = both.index[both == 2]
    assert len(both) >= 100
    codes = ds.codes.code_id[ds.codes.parent_id.notna() & (ds.codes.parent_id != "")]
    sub = c[c.segment_id.isin(both)]

    def presence(coder):
        s = sub[sub.coder_id == coder]
        return pd.crosstab(s.segment_id, s.code_id).reindex(index=both, columns=codes, fill_value=0)

    a, b = presence("coder_a"), presence("coder_b")
    kappa = cohen_kappa_score((a.to_numpy() > 0).ravel(), (b.to_numpy() > 0).ravel())
    assert 0.6 <= kappa <= 0.8
    assert (a.to_numpy() != b.to_numpy()).any()


def test_segments_varied_and_carry_redactable_details(ds):
    text = ds.segments.text
    assert text.nunique() > 0.8 * len(text)
    assert set(ds.segments.source_type) == {"interview", "focus_group", "free_text"}
    assert text.str.contains(r"[\w.]+@[\w.]+\.\w+", regex=True).any()
    assert text.str.contains(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b", regex=True).any()
    names = ds.meta["redact_names"]
    assert names and text.apply(lambda t: any(n in t for n in names)).any()



def test_few_segments_open_with_a_stock_context_sentence(ds):
    # A short exemplar shows a segment's opening words: most make their point first.
    stock = tuple(statement(e)[0] for bank in CONTEXTS.values() for e in bank)
    text = ds.segments.text.astype(str)
    with_context = text.map(lambda t: any(c in t for c in stock))
    opening = text.map(lambda t: t.startswith(stock))
    assert with_context.mean() > 0.25
    assert opening.sum() <= 0.3 * with_context.sum()

# --- files, determinism, scaling, CLI ------------------------------------------------------------

def test_dataset_yaml_records_synthetic_and_seed(ds):
    assert ds.meta["synthetic"] is True
    assert ds.meta["seed"] == DEFAULT_SEED


def test_committed_sample_equals_fresh_generation(fresh, sample_dataset_path):
    names = sorted(p.name for p in fresh.iterdir())
    # a run reading data/sample in another test process holds its lock folder there meanwhile
    committed = [p.name for p in sample_dataset_path.iterdir() if p.name != LOCK_DIR]
    assert names == sorted(committed)
    for name in names:
        assert (fresh / name).read_bytes() == (sample_dataset_path / name).read_bytes(), name


def test_csv_format_is_fixed(fresh):
    for path in fresh.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf"), path.name
    assert re.search(rb"\n\d{4}-\d\d-\d\d,", (fresh / "careers.csv").read_bytes()) is None
    assert re.search(rb",\d{4}-\d\d-\d\d,", (fresh / "careers.csv").read_bytes())
    assert sum(p.stat().st_size for p in fresh.iterdir()) < 10e6


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert main(["sample-data", str(a), "--participants", "150", "--seed", "7"]) == 0
    assert main(["sample-data", str(b), "--participants", "150", "--seed", "7"]) == 0
    generate_sample(c, participants=150, seed=8)
    for path in sorted(a.iterdir()):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    assert (a / "responses.csv").read_bytes() != (c / "responses.csv").read_bytes()
    assert load_dataset(c).meta["seed"] == 8


def test_participants_scales_programmes_in_proportion(tmp_path):
    generate_sample(tmp_path, participants=400)
    ds = load_dataset(tmp_path)
    assert len(ds.participants) == 400
    per_programme = ds.participants.merge(ds.cohorts, on="cohort_id").programme_id.value_counts()
    seed_sizes = pd.Series({"luhft_lbs": 48, "lcft_cetad": 11, "barts_kf_scl": 220, "leeds_cihm": 1000,
                            "sath_academy": 17})
    quota = 400 * seed_sizes / seed_sizes.sum()
    assert ((per_programme.reindex(seed_sizes.index) - quota).abs() < 1).all()


@pytest.mark.parametrize("n", [5, 9])
def test_tiny_runs_keep_every_programme(tmp_path, n):
    generate_sample(tmp_path, participants=n, seed=1)
    ds = load_dataset(tmp_path)
    assert len(ds.participants) == n
    assert ds.participants.merge(ds.cohorts, on="cohort_id").programme_id.nunique() == 5


def test_large_tables_go_to_parquet_and_load(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "PARQUET_ROWS", 5_000)
    generate_sample(tmp_path / "pq", participants=120, seed=3)
    generate_sample(tmp_path / "csv", participants=120, seed=3)
    assert (tmp_path / "pq" / "responses.parquet").exists()
    assert not (tmp_path / "pq" / "responses.csv").exists()
    from_pq = load_dataset(tmp_path / "pq").responses
    from_csv = load_dataset(tmp_path / "csv").responses
    pd.testing.assert_frame_equal(from_pq.reset_index(drop=True), from_csv.reset_index(drop=True),
                                  check_dtype=False)


def test_cli_refuses_too_few_participants(tmp_path, capsys):
    assert main(["sample-data", str(tmp_path / "x"), "--participants", "2"]) == 2
    assert "at least" in capsys.readouterr().err


# --- a sample a reader believes: codebooks, quotes, dates and scales ----------------------------

# England and Wales bank holidays falling on weekdays in the programmes' years (gov.uk), and the
# days between Christmas and New Year, when no programme teaches.
BANK_HOLIDAYS = pd.to_datetime([
    "2009-12-25", "2010-04-05", "2010-05-03", "2010-05-31", "2011-04-25", "2011-04-29",
    "2011-05-02", "2011-05-30", "2012-01-02", "2012-04-09", "2012-05-07", "2012-06-04",
    "2012-06-05", "2013-05-06", "2013-05-27", "2014-05-05", "2014-05-26", "2015-04-06",
    "2019-04-22", "2019-05-06", "2019-05-27", "2020-04-13", "2020-05-08", "2020-12-28",
    "2021-04-05", "2021-05-03", "2021-05-31", "2022-04-18", "2022-05-02", "2022-06-02",
    "2022-06-03", "2022-09-19", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29"])
# Words a speaker could only use once Covid-19 or the 2022-24 industrial action had happened.
COVID_WORDS = r"covid|pandemic|lockdown|social distancing|redeploy|second wave|first wave"
STRIKE_WORDS = r"strike|industrial action"
FILLER = ("Let me give you an example.", "Building on what was just said", "Same here, really.",
          "Can I just come in on that?", "Comment:", "Main point:", "Overall:",
          "That's my main reflection.", "It's particularly true in", "Coming from ")


def _segment_cohorts(ds) -> pd.DataFrame:
    """Each segment with the programme and cohort it comes from (speaker, or the source's)."""
    seg = ds.segments.copy()
    cohort_of = ds.participants.set_index("participant_id").cohort_id
    seg["cohort_id"] = seg.participant_id.map(cohort_of)
    by_source = seg.dropna(subset=["cohort_id"]).groupby("source_id").cohort_id.first()
    seg["cohort_id"] = seg.cohort_id.fillna(seg.source_id.map(by_source))
    cohorts = ds.cohorts.set_index("cohort_id")
    seg["programme_id"] = seg.cohort_id.map(cohorts.programme_id)
    seg["start_date"] = seg.cohort_id.map(cohorts.start_date)
    assert seg.programme_id.notna().all()
    return seg


def _theme_of(ds) -> pd.Series:
    parent = ds.codes.set_index("code_id").parent_id.fillna("")
    return pd.Series({c: (p if p else c) for c, p in parent.items()})


def test_barts_415_applications_for_233_places(ds):
    barts = ds.cohorts[ds.cohorts.programme_id == "barts_kf_scl"]
    assert (barts.applications.sum(), barts.places.sum()) == (415, 233)
    assert len(ds.applicants[ds.applicants.programme_id == "barts_kf_scl"]) == 415


def test_each_programme_has_its_own_codebook(ds):
    """A code is used by one programme only, and only Barts (three trusts) compares trusts."""
    seg = _segment_cohorts(ds)
    used = ds.codings.merge(seg[["segment_id", "programme_id"]], on="segment_id")
    assert (used.groupby("code_id").programme_id.nunique() == 1).all()
    labels = ds.codes.set_index("code_id").label
    single_trust = used[used.programme_id != "barts_kf_scl"]
    assert not single_trust.code_id.map(labels).str.contains("across trusts|three trusts", case=False).any()
    # Lancashire's codebook is its own document's: the framework, the project, the pathway.
    lcft = set(used[used.programme_id == "lcft_cetad"].code_id.map(_theme_of(ds)).map(labels))
    assert {"The bespoke leadership framework", "Work-based improvement project"} <= lcft
    assert not lcft & {"Restorative space", "Cross-speciality working"}


def test_no_segment_under_two_themes(ds):
    theme = _theme_of(ds)
    primary = ds.codings[ds.codings.coder_id == "coder_a"]
    themes = primary.assign(theme=primary.code_id.map(theme)).groupby("segment_id").theme.nunique()
    assert themes.max() == 1
    assert ds.segments.text.is_unique


def test_quotes_fit_their_era(ds):
    seg = _segment_cohorts(ds)
    text = seg.text.str.lower()
    before_covid = seg.start_date < pd.Timestamp("2020-01-01")
    assert not text[before_covid].str.contains(COVID_WORDS).any()
    assert not text[seg.start_date < pd.Timestamp("2022-09-01")].str.contains(STRIKE_WORDS).any()
    # Lancashire's doctors (2014-15) and Leeds (2009-14) are all before the pandemic.
    assert before_covid[seg.programme_id.isin(["lcft_cetad", "leeds_cihm"])].all()
    assert text[seg.programme_id == "barts_kf_scl"].str.contains(COVID_WORDS).any()


def test_quotes_fit_their_code(ds):
    """Every code the primary coder applied is one the segment makes a point of: the segment
    holds one of that code's statements."""
    bank = {code: [statement(e)[0] for e in entries] for code, entries in CORE.items()}
    text = ds.segments.set_index("segment_id").text
    primary = ds.codings[ds.codings.coder_id == "coder_a"]
    fits = [any(s in text[sid] for s in bank.get(code, [])) for sid, code in
            zip(primary.segment_id, primary.code_id)]
    assert all(fits)


def test_no_template_filler(ds):
    text = ds.segments.text
    assert not text.apply(lambda t: any(f in t for f in FILLER)).any()
    assert not text.str.contains(r"[,:] [A-Z][a-z]+ [a-z]", regex=True).any()


def test_delivery_modes_follow_the_dates(ds):
    """Teaching days from the first lockdown (23 March 2020) to the end of restrictions in
    England (19 July 2021) are online; no cohort meets face to face then."""
    days = ds.attendance.merge(ds.participants[["participant_id", "cohort_id"]]).drop_duplicates(
        ["cohort_id", "session_date"])
    restricted = days.session_date.between("2020-03-23", "2021-07-19")
    share = restricted.groupby(days.cohort_id).mean()
    mode = ds.cohorts.set_index("cohort_id").delivery_mode
    assert (mode[share.index[share == 1]] == "online").all()
    assert (mode[share.index[(share > 0) & (share < 1)]] == "blended").all()
    assert (mode[share.index[share == 0]] != "online").all()
    assert mode["barts_c04"] == "online" and mode["barts_c01"] == "face to face"


def test_no_teaching_on_bank_holidays_or_at_christmas(ds):
    when = pd.to_datetime(ds.attendance.session_date)
    assert not when.isin(BANK_HOLIDAYS).any()
    assert not ((when.dt.month == 12) & (when.dt.day >= 24)).any()
    assert (when.dt.day_of_week < 5).all()
    span = ds.attendance.merge(ds.participants[["participant_id", "cohort_id"]]).merge(
        ds.cohorts[["cohort_id", "start_date", "end_date"]])
    assert (span.session_date >= span.start_date).all() and (span.session_date <= span.end_date).all()


def test_values_within_their_scales(ds):
    for table in (ds.responses, ds.tables["applicant_responses"]):
        r = table.merge(ds.items, on=["instrument_id", "item_id"])
        assert len(r) == len(table)
        answered = r[r.value.notna()]
        assert answered.value.between(answered["min"], answered["max"]).all()
    cohorts = ds.cohorts.set_index("cohort_id")
    size = ds.participants.groupby("cohort_id").size().reindex(cohorts.index).to_numpy()
    assert (cohorts.applications.to_numpy() >= size).all()   # nobody joins without applying
    assert (cohorts.places.to_numpy() >= size).all()
    kpi = ds.kpi_values.merge(ds.projects[["project_id", "unit"]])
    assert (kpi.value.dropna() >= 0).all()
    assert kpi[kpi.unit == "%"].value.dropna().between(0, 100).all()


@pytest.mark.parametrize("programme_id, theme", [("lcft_cetad", "lcft_project"),
                                                 ("luhft_lbs", "luhft_live_projects")])
def test_project_programmes_talk_most_about_their_projects(ds, programme_id, theme):
    """Seeds 000 and 001 put the work-based project at the centre: it is the most-cited theme."""
    seg = _segment_cohorts(ds)
    seg = seg[(seg.programme_id == programme_id) & (seg.participant_id.fillna("") != "")]
    primary = ds.codings[ds.codings.coder_id == "coder_a"].merge(seg, on="segment_id")
    people = primary.assign(theme=primary.code_id.map(_theme_of(ds))).groupby(
        "theme").participant_id.nunique().sort_values(ascending=False, kind="stable")
    assert people.index[0] == theme
