"""The response-adjusted comparison of waves: the balanced panel of people who answered every
wave, its figures against R's sna, and its disclosure control."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers import networks as nw  # noqa: E402
from helpers.networks import display  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ORACLES = ROOT / "tests" / "oracles"
REF = json.loads((ORACLES / "network_panel.json").read_text())


def _shown(monkeypatch, fn, res):
    out = []
    monkeypatch.setattr(display, "show_callout", lambda text, kind="note": out.append(("callout", text)))
    monkeypatch.setattr(display, "show_sentences",
                        lambda s, title=None: out.append(("sentences", " ".join(s))))
    monkeypatch.setattr(display, "show_table",
                        lambda df, caption, **kw: out.append(("table", df.to_string() + " "
                                                              + caption + " " + kw.get("note", ""))))
    fn(res)
    return out


def _hand():
    """Four people; d answered only at post (the doctest network of response_adjusted)."""
    p = pd.DataFrame({"participant_id": list("abcd"), "profession": list("xxyy"),
                      "organisation": ["o"] * 4})
    t = pd.DataFrame({"wave": ["baseline"] * 3 + ["post"] * 5,
                      "from_id": list("abc") + list("abcdd"), "to_id": list("bdb") + list("bcaab"),
                      "tie_type": "advice"})
    return t, p


def _group(n: int, prefix: str = "p", cohort: str = "c1") -> pd.DataFrame:
    return pd.DataFrame({"participant_id": [f"{prefix}{i:02d}" for i in range(n)],
                         "cohort_id": cohort, "organisation": ["A", "B"] * (n // 2) + ["A"] * (n % 2),
                         "profession": ["medical", "nursing", "medical"] * (n // 3)
                         + ["medical"] * (n % 3)})


def _ties(ids, wave, step=1):
    """Each of ``ids`` names the person ``step`` places on: a ring of advice ties."""
    return pd.DataFrame({"wave": wave, "from_id": ids, "to_id": ids[step:] + ids[:step],
                         "tie_type": "advice"})


def test_a_non_respondent_and_the_ties_only_others_named_to_them_leave_the_panel():
    t, p = _hand()
    people, named = nw.balanced_panel(t, p)
    assert people["participant_id"].tolist() == ["a", "b", "c"]
    # b named d at baseline and d named a and b at post: all three drop out with d
    assert not named["from_id"].eq("d").any() and not named["to_id"].eq("d").any()
    assert len(named) == 5
    r = nw.response_adjusted(t, p).set_index(["basis", "wave"])
    assert r.loc[("all", "baseline"), "response_rate"] == 0.75
    assert r.loc[("panel", "baseline"), "ties"] == 2 and r.loc[("panel", "post"), "ties"] == 3
    assert r.loc[("panel", "post"), "density"] == 1.0
    assert (r["panel"] == 3).all()


def test_someone_who_named_only_people_outside_the_panel_still_belongs_to_it():
    p = pd.DataFrame({"participant_id": list("abc"), "profession": list("xxy")})
    t = pd.DataFrame({"wave": ["baseline", "baseline", "post", "post"],
                      "from_id": ["a", "b", "a", "b"], "to_id": ["b", "c", "b", "a"]})
    r = nw.response_adjusted(t, p).set_index(["basis", "wave"])
    # c never answered, so b's baseline tie to c leaves; b answered both waves and stays
    assert r.loc[("panel", "baseline"), "nodes"] == 2
    assert r.loc[("panel", "baseline"), "respondents"] == 2
    assert r.loc[("panel", "baseline"), "response_rate"] == 1.0


def test_with_full_response_at_every_wave_the_adjusted_figures_equal_everyone_s():
    p = _group(12)
    ids = p["participant_id"].tolist()
    t = pd.concat([_ties(ids, "baseline"), _ties(ids, "post"), _ties(ids, "post", 3)])
    r = nw.response_adjusted(t, p)
    a = r[r["basis"] == "all"].drop(columns="basis").reset_index(drop=True)
    q = r[r["basis"] == "panel"].drop(columns="basis").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, q)
    assert (r["response_rate"] == 1.0).all() and (r["panel"] == 12).all()


def test_one_wave_gives_no_comparison():
    t, p = _hand()
    assert nw.response_adjusted(t[t["wave"] == "post"], p).empty


@pytest.mark.parametrize("scope", ["hand", "all", "barts_c01", "barts_c06"])
def test_both_bases_match_r_sna_on_the_same_networks(scope):
    if scope == "hand":
        ties, people = _hand()
    else:
        nodes = pd.read_csv(ORACLES / "network_nodes.csv")
        if scope != "all":
            nodes = nodes[nodes["cohort_id"] == scope]
        people = nodes.assign(participant_id=nodes["node"].astype(str)).drop(columns="node")
        t = pd.read_csv(ORACLES / "network_ties.csv")
        ties = t.assign(from_id=t["from_node"].astype(str), to_id=t["to_node"].astype(str))
    got = nw.response_adjusted(ties, people).set_index(["basis", "wave"])
    for ref in REF[scope]:
        row = got.loc[(ref["basis"], ref["wave"])]
        assert row["panel"] == ref["panel"]
        for col in ("nodes", "ties", "components", "brokerage"):
            assert row[col] == ref[col], (scope, ref["basis"], ref["wave"], col)
        for col in ("density", "mean_degree", "ei_profession", "ei_organisation", "brokerage_z"):
            if ref[col] is None:  # no ties: NaN on both sides
                assert pd.isna(row[col])
                continue
            assert row[col] == pytest.approx(ref[col], rel=1e-9, abs=1e-12), (scope, col)


def test_the_change_table_holds_each_measure_on_each_basis():
    t, p = _hand()
    ch = nw.adjusted_change(nw.response_adjusted(t, p)).set_index(["basis", "measure"])
    assert ch.loc[("panel", "density"), "change"] == pytest.approx(1 / 3)
    assert ch.loc[("all", "mean_degree"), "change"] == pytest.approx(2.5 - 1.5)


def test_a_panel_below_the_threshold_is_withheld_with_a_sentence_saying_why(monkeypatch):
    people = _group(10)
    ids = people["participant_id"].tolist()
    # only four people answered at baseline; everyone at post
    t = pd.concat([_ties(ids[:4], "baseline"), _ties(ids, "post")])
    res = nw.compute(SimpleNamespace(ties=t, participants=people), threshold=5)
    shown = _shown(monkeypatch, display.show_response_adjusted, res)
    assert [k for k, _ in shown] == ["sentences"]
    assert "fewer than 5 people answered at every wave" in shown[0][1]
    assert "Not shown" in shown[0][1]


def test_a_panel_whose_size_and_regular_averages_give_a_few_non_respondents_is_withheld(monkeypatch):
    people = _group(40)
    ids = people["participant_id"].tolist()
    # 38 answered at baseline (2 did not), everyone at post; in rings every person has the same
    # number of ties, so the averages would give the panel's size, and 40 - 38, back
    t = pd.concat([_ties(ids[:38], "baseline"), _ties(ids[:38], "baseline", 5),
                   _ties(ids, "post"), _ties(ids, "post", 7)])
    res = nw.compute(SimpleNamespace(ties=t, participants=people), threshold=5)
    assert nw.panel_disclosure(res.adjusted, 5)[0] == "none"
    shown = _shown(monkeypatch, display.show_response_adjusted, res)
    assert [k for k, _ in shown] == ["sentences"]
    assert "38" not in shown[0][1] and "Not shown" in shown[0][1]


def test_a_panel_of_the_threshold_or_more_is_shown_with_its_size_and_the_tie_type(monkeypatch):
    people = _group(30)
    ids = people["participant_id"].tolist()
    t = pd.concat([_ties(ids[:20], "baseline"), _ties(ids, "post"), _ties(ids, "post", 4)])
    res = nw.compute(SimpleNamespace(ties=t, participants=people), threshold=5)
    shown = _shown(monkeypatch, display.show_response_adjusted, res)
    assert [k for k, _ in shown] == ["sentences", "table"]
    assert "the 20 people who answered at both waves" in shown[0][1]
    assert "response-adjusted" in shown[0][1] and "advice ties" in shown[0][1]
    assert "Answered every wave: baseline" in shown[1][1]


def test_the_evaluation_sentence_appears_only_when_response_differs_by_more_than_five_points():
    people = _group(30)
    ids = people["participant_id"].tolist()
    differs = pd.concat([_ties(ids[:20], "baseline"), _ties(ids, "post")])
    same = pd.concat([_ties(ids, "baseline"), _ties(ids, "post", 2)])
    a = nw.compute(SimpleNamespace(ties=differs, participants=people), threshold=5)
    b = nw.compute(SimpleNamespace(ties=same, participants=people), threshold=5)
    assert a.adjusted_finding.startswith("Response to the network question differed")
    assert "among the 20 people who answered at both waves" in a.adjusted_finding
    assert "caused" not in a.adjusted_finding and "because of" not in a.adjusted_finding
    assert b.adjusted_finding is None


def test_the_barts_programme_states_the_change_among_people_who_answered_both_waves():
    from helpers.report import open_report
    res = nw.prepare(open_report(ROOT / "data" / "sample", "barts_kf_scl", None))
    assert res.response_gap > 0.05
    # with its cohorts' reports beside it, even density would narrow the panel's size too far
    assert nw.panel_disclosure(res.adjusted, res.threshold, res.adjusted_cohorts)[0] == "shares"
    assert "among the people who answered at both waves" in res.adjusted_finding
    assert "3.6 to 6.5" in res.adjusted_finding and "3.7 to 7.4" in res.adjusted_finding
    # four people answered at baseline only: the panel's size would give them back
    assert "185" not in " ".join(res.adjusted_findings)


def test_a_programme_hides_its_panel_size_when_a_cohort_report_hides_its_own():
    big, small = _group(30, "a", "c1"), _group(20, "b", "c2")
    people = pd.concat([big, small], ignore_index=True)
    a, b = big["participant_id"].tolist(), small["participant_id"].tolist()
    # c1: 20 of 30 answered at baseline (10 missed it); c2: 17 of 20 (3 missed it)
    t = pd.concat([_ties(a[:20], "baseline"), _ties(a, "post"), _ties(b[:17], "baseline"),
                   _ties(b, "post")])
    res = nw.compute(SimpleNamespace(ties=t, participants=people), threshold=5)
    alone = nw.panel_disclosure(res.adjusted, 5)[0]
    together = nw.panel_disclosure(res.adjusted, 5, res.adjusted_cohorts)[0]
    # on its own the programme's 37 of 50 is safe; with c1's report showing 20, 37 - 20 = 17
    # would give c2's hidden panel and its 3 who missed baseline
    assert alone == "all" and together != "all"
    assert res.adjusted_cohorts.groupby("cohort_id")["panel"].first().to_dict() == {"c1": 20, "c2": 17}
    assert "37" not in " ".join(res.adjusted_findings)


def test_the_ei_fit_check_agrees_with_trying_every_split_of_the_ties():
    import numpy as np

    from helpers.networks.display import _ei_fits

    rng = np.random.default_rng(7)
    for _ in range(300):
        ties = rng.integers(0, 300, size=15)
        ei = round(float(rng.uniform(-1, 1)), 2)
        every_split = [m > 0 and bool(np.any(np.abs(np.round((2 * np.arange(m + 1) - m) / m, 2)
                                                    - ei) < 1e-9)) for m in ties]
        assert _ei_fits(ties, ei).tolist() == every_split
