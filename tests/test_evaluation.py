"""helpers.evaluation: links, generated sentences, joint display and limitations on hand-made data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import evaluation as ev
from helpers.report.display import link_html
from helpers.runner import layout
from helpers.runner.manifest import load_manifest


def test_detail_href_programme_and_cohort():
    assert layout.detail_href("20_leadership_outcomes", None) == "20_leadership_outcomes.html"
    assert layout.detail_href("50_networks", "c1", {"50_networks"}) == "50_networks.html"
    href = layout.detail_href("20_leadership_outcomes", "c1", {"50_networks"})
    assert href == "../all/20_leadership_outcomes.html"
    assert 'href="../all/20_leadership_outcomes.html"' in link_html("Outcomes", href)


def test_per_cohort_notebooks_reads_manifest(tmp_path):
    (tmp_path / "reports.yaml").write_text(
        "reports:\n  - notebook: notebooks/20_leadership_outcomes.ipynb\n    per: programme\n"
        "  - notebook: notebooks/50_networks.ipynb\n    per: [programme, cohort]\n", encoding="utf-8")
    assert layout.per_cohort_notebooks(tmp_path / "reports.yaml") == {"50_networks"}
    assert layout.per_cohort_notebooks(tmp_path / "missing.yaml") == set()


def test_a_cohort_evaluation_links_to_the_reports_run_per_cohort_in_its_own_folder():
    rep = SimpleNamespace(cohort_id="c1")
    given = ev.Evaluation(rep, None, None, None, None, None, None, {"50_networks"})
    assert given.href("networks") == "50_networks.html"
    assert given.href("learning") == "../all/20_leadership_outcomes.html"


def test_the_project_manifest_names_the_reports_run_per_cohort():
    entries = load_manifest(layout.PROJECT_MANIFEST).entries
    assert layout.per_cohort_notebooks() == set(layout.per_cohort_reports(entries))


def _people():
    return pd.DataFrame({"participant_id": [f"p{i}" for i in range(7)],
                         "cohort_id": ["c1", "c1", "c1", "c2", "c2", "c3", "c3"],
                         "organisation": ["Barts", "Barts", "Homerton", "Barts", "Homerton", "Barts", "Barts"]})


def test_reach_sentence_counts_and_suppression():
    assert ev.reach_sentence(_people(), None, 5) == \
        "7 delegates from 2 organisations took part across 3 cohorts."
    assert ev.reach_sentence(_people(), None, 10).startswith("<10 delegates")
    assert ev.reach_sentence(_people(), "c1", 3, "Cohort one") == \
        "7 delegates from 2 organisations took part in cohort Cohort one."


def test_participant_change_and_joint_display_against_scipy():
    rng = np.random.default_rng(4)
    ids = [f"p{i}" for i in range(30)]
    rows = []
    for pid in ids:
        for scale in ("a", "b"):
            base = rng.normal(3, 0.5)
            rows += [{"participant_id": pid, "instrument_id": "hlm", "scale": scale, "rater": "self",
                      "wave": "baseline", "score": base},
                     {"participant_id": pid, "instrument_id": "hlm", "scale": scale, "rater": "self",
                      "wave": "post", "score": base + rng.normal(0.3, 0.3)}]
    scores = pd.DataFrame(rows)
    change = ev.participant_change(scores)
    wide = scores.pivot_table(index=["participant_id", "scale"], columns="wave", values="score")
    by_hand = (wide["post"] - wide["baseline"]).groupby("participant_id").mean()
    assert change.sort_index().to_numpy() == pytest.approx(by_hand.sort_index().to_numpy())

    voiced = pd.DataFrame({"participant_id": ids[:12] + ids[:3], "code_id": ["t1"] * 12 + ["t2"] * 3})
    prev = pd.DataFrame({"code_id": ["t1", "t2"], "label": ["Restorative space", "Rare theme"],
                         "participants": [12, 3]})
    jd = ev.joint_display(change, voiced, prev, threshold=5).set_index("theme")
    a, b = change[ids[:12]], change[ids[12:]]
    ref = stats.ttest_ind(a, b, equal_var=False)
    row = jd.loc["Restorative space"]
    assert row["n_voiced"] == 12 and row["n_other"] == 18
    assert row["mean_voiced"] == pytest.approx(a.mean())
    assert row["estimate"] == pytest.approx(a.mean() - b.mean())
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert row["ci_low"] == pytest.approx(ref.confidence_interval().low)
    # a group below the threshold gets no estimate and says why
    rare = jd.loc["Rare theme"]
    assert np.isnan(rare["estimate"]) and np.isnan(rare["mean_voiced"])
    assert rare["reading"].startswith("Too few")
    shown = ev.joint_display_table(jd.reset_index(), 5)
    assert shown.loc[1, "Participants voicing it"] == "<5"
    assert shown.loc[1, "Difference (95% CI)"] == "–"
    # the other group (27 people) is withheld too: with the total known it would give away 3
    assert shown.loc[1, "Change, did not"] == "–"
    assert shown.loc[0, "Change, did not"].endswith("(n 18)")


def test_projects_sentence():
    s = pd.DataFrame({"variation": ["improvement_high", "improvement_low", "common_cause",
                                    "concern_high", "no_limits"]})
    assert ev.projects_sentence(s) == ("2 of the 4 projects (of 5) that can be judged show "
                                       "special-cause improvement on their measure, 1 shows "
                                       "concern; 1 has too few points to judge.")
    assert ev.projects_sentence(s.iloc[0:0]) is None
    # an icon set against limits recalculated at the start cannot show a change: counted apart
    s["limits"] = ["baseline", "recalculated", "baseline", "baseline", "recalculated"]
    assert ev.projects_sentence(s) == ("1 of the 3 projects (of 5) that can be judged shows "
                                       "special-cause improvement on their measure, 1 shows "
                                       "concern; 1 has too few points before the start to set a "
                                       "baseline and 1 has too few points to judge.")
    all_judged = pd.DataFrame({"variation": ["improvement_high", "common_cause"]})
    assert ev.projects_sentence(all_judged) == ("1 of 2 live improvement projects shows "
                                                "special-cause improvement on their measure.")
    one = pd.DataFrame({"variation": ["common_cause"], "limits": ["recalculated"]})
    assert ev.projects_sentence(one) == ("The live improvement project cannot be judged for "
                                         "special-cause change on its measure: it has too few "
                                         "points before its start to set a baseline.")
    none = pd.DataFrame({"variation": ["no_limits", "common_cause"],
                         "limits": ["baseline", "recalculated"]})
    assert ev.projects_sentence(none) == ("None of the 2 live improvement projects can be judged "
                                          "for special-cause change on their measures: 1 has too "
                                          "few points before the start to set a baseline and 1 "
                                          "has too few points to judge.")
    single = pd.DataFrame({"variation": ["improvement_high"]})
    assert ev.projects_sentence(single) == ("1 of 1 live improvement project shows special-cause "
                                            "improvement on its measure.")


def _fake_evaluation(synthetic=True, then_test=True, cohort_sizes=(20, 3)):
    pids = [f"p{i}" for i in range(sum(cohort_sizes))]
    cohorts = [f"c{j}" for j, n in enumerate(cohort_sizes) for _ in range(n)]
    participants = pd.DataFrame({"participant_id": pids, "cohort_id": cohorts})
    waves = ["baseline"] * len(pids) + ["post"] * 15
    who = pids + pids[:15]
    if then_test:
        waves += ["retrospective_pre"] * 5
        who += pids[:5]
    responses = pd.DataFrame({"participant_id": who, "instrument_id": "hlm", "item_id": "i1",
                              "wave": waves, "rater": "self", "value": 3.0})
    rep = SimpleNamespace(data=SimpleNamespace(responses=responses, participants=participants),
                          threshold=5, synthetic=synthetic, cohort_id=None)
    outcomes = SimpleNamespace(waves=["baseline", "post"], instruments=[{"instrument_id": "hlm", "kind": "outcome"}],
                               scores=pd.DataFrame({"x": [1]}))
    return ev.Evaluation(rep=rep, outcomes=outcomes, prevalence=pd.DataFrame(), projects=pd.DataFrame(),
                         networks=SimpleNamespace(has_ties=False), pipeline=pd.DataFrame(), incidence=pd.DataFrame())


def test_limitations_generated_from_data():
    text = " ".join(ev.limitations(_fake_evaluation()))
    # 23 answered at baseline, 15 at post: 8 missing = 35%
    assert "35% of the 23 people" in text
    assert "Response shift" in text
    assert "1 of 2 cohorts had fewer than 10 participants" in text
    assert "Synthetic data" in text
    quiet = " ".join(ev.limitations(_fake_evaluation(synthetic=False, then_test=False, cohort_sizes=(20, 20))))
    assert "Synthetic" not in quiet and "Response shift" not in quiet and "Small cohorts" not in quiet


def test_methods_appendix_names_references():
    full = ev.methods_appendix()
    assert {"Method", "Used for", "Reference"} == set(full.columns)
    assert full["Reference"].str.contains("Krackhardt and Stern").any()
    assert full["Reference"].str.contains("Guetterman").any()
    fake = _fake_evaluation()
    only = ev.methods_appendix(fake)
    assert not only["Reference"].str.contains("Krackhardt").any()  # no ties in scope


def test_methods_appendix_lists_only_methods_the_report_uses():
    # The evaluation report states no mixed-model, reliability or coder-agreement result, so
    # its appendix does not list them, at any size; the full list still has them.
    from helpers.outcomes.mixed import MAX_MIXED_PEOPLE

    def with_people(n):
        fake = _fake_evaluation()
        fake.outcomes.scores = pd.DataFrame({"participant_id": [f"p{i}" for i in range(n)],
                                             "rater": "self", "wave": "baseline", "scale": "s",
                                             "score": 3.0})
        return ev.methods_appendix(fake)

    for table in (with_people(MAX_MIXED_PEOPLE), with_people(MAX_MIXED_PEOPLE + 1)):
        assert not table["Used for"].isin(ev.DETAIL_ONLY).any()
        assert (table["Used for"] == "Change per scale").sum() == 1
    full = ev.methods_appendix()
    assert full["Method"].str.startswith("Linear mixed model").sum() == 1
    assert full["Used for"].isin(["Coder agreement", "Scale reliability"]).sum() == 2


def test_learning_count_uses_the_outcomes_reports_holm_family():
    # Three scales start to end and three at follow-up, one family of six: a scale counts as
    # having risen only with a positive change and p (Holm) below 0.05, whatever its raw p.
    cf = pd.DataFrame({
        "from_wave": ["baseline"] * 3 + ["baseline"] * 3,
        "to_wave": ["post"] * 3 + ["follow_up"] * 3,
        "n": [40, 40, 40, 20, 20, 20],
        "estimate": [0.5, 0.2, -0.4, 0.3, 0.1, 0.2],
        "ci_low": [0.3, 0.01, -0.6, 0.1, -0.1, 0.0],
        "p_value": [0.0001, 0.04, 0.001, 0.01, 0.3, 0.06]})
    from helpers.multiplicity import holm

    cf["p_holm"] = holm(cf["p_value"])
    text = ev.learning_count_sentence(cf, threshold=5)
    # raw p and the CI would count two rises (0.0001 and 0.04); Holm keeps only the first
    assert text.startswith("1 of 3 scales rose")
    assert "Holm's adjustment over the outcomes report's 6 tests of change" in text
