"""The networks section as results a researcher can hold, cohort-by-cohort description of
programmes whose cohorts do not connect, and disclosure control of network drawings."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers import networks as nw  # noqa: E402
from helpers.networks import display  # noqa: E402
from helpers.report import open_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _people(sizes: dict[str, int], professions=("medical", "nursing")) -> pd.DataFrame:
    rows = []
    for cohort, n in sizes.items():
        for i in range(n):
            rows.append({"participant_id": f"{cohort}_{i}", "cohort_id": cohort,
                         "organisation": "Trust A" if i % 2 else "Trust B",
                         "profession": professions[i % len(professions)]})
    return pd.DataFrame(rows)


def _ring_ties(people: pd.DataFrame, waves=("baseline", "post")) -> pd.DataFrame:
    """Each person names the next one in their own cohort: ties never cross cohorts."""
    rows = []
    for _, g in people.groupby("cohort_id"):
        ids = g["participant_id"].tolist()
        for wave in waves:
            for a, b in zip(ids, ids[1:] + ids[:1]):
                if a != b:
                    rows.append({"wave": wave, "from_id": a, "to_id": b, "tie_type": "worked_with"})
    return pd.DataFrame(rows, columns=["wave", "from_id", "to_id", "tie_type"])


def _shown(monkeypatch, fn, res, *args):
    """What a show_* function renders: a list of (kind, text) pairs."""
    out = []
    monkeypatch.setattr(display, "show_callout", lambda text, kind="note": out.append(("callout", text)))
    monkeypatch.setattr(display, "show_sentences",
                        lambda s, title=None: out.append(("sentences", " ".join(s))))
    monkeypatch.setattr(display, "show_table",
                        lambda df, caption, **kw: out.append(("table", df.to_string())))
    monkeypatch.setattr(display, "show_figure",
                        lambda fig, alt, caption=None: out.append(("figure", f"{alt} {caption}")))
    fn(res, *args)
    return out


@pytest.fixture(scope="module")
def barts():
    return nw.prepare(open_report(SAMPLE, "barts_kf_scl", None))


def test_prepare_returns_documented_results_without_writing_on_the_report():
    rep = open_report(SAMPLE, "barts_kf_scl", None)
    before = set(vars(rep)) if hasattr(rep, "__dict__") else set()
    res = nw.prepare(rep)
    assert isinstance(res, nw.NetworkResults)
    assert res.missing_columns() == {}
    assert (set(vars(rep)) if hasattr(rep, "__dict__") else set()) == before
    for name in res.COLUMNS:
        assert f"{name} :" in nw.NetworkResults.__doc__


def test_results_html_shows_no_participant_id(barts):
    html = barts._repr_html_()
    assert "P000" not in html and "waves" in html


def test_barts_cohorts_are_separate_networks_described_one_by_one(barts):
    assert barts.separate_cohorts
    assert barts.cohorts["cohort_id"].nunique() == 10
    assert set(barts.cohorts["wave"]) == set(barts.waves["wave"])
    assert barts.cohorts["density"].between(0, 1).all()


def test_cohort_density_is_ties_over_possible_pairs():
    people = _people({"c1": 6, "c2": 5})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people))
    c1 = res.cohorts[(res.cohorts.cohort_id == "c1") & (res.cohorts.wave == "baseline")].iloc[0]
    assert c1["ties"] == 6 and c1["density"] == pytest.approx(6 / 15)
    assert res.separate_cohorts


def test_a_tie_between_cohorts_makes_one_programme_network():
    people = _people({"c1": 6, "c2": 5})
    ties = pd.concat([_ring_ties(people), pd.DataFrame(
        [{"wave": "baseline", "from_id": "c1_0", "to_id": "c2_0", "tie_type": "worked_with"}])])
    assert not nw.compute(SimpleNamespace(ties=ties, participants=people)).separate_cohorts


def test_the_programme_figure_is_the_distribution_over_cohorts_and_names_the_tie_type(
        barts, monkeypatch):
    shown = _shown(monkeypatch, display.show_cohorts, barts)
    kinds = [k for k, _ in shown]
    assert "sentences" in kinds and "figure" in kinds
    text = " ".join(t for _, t in shown)
    assert "10 cohorts" in text and "advice" in text and "one point per cohort" in text


def test_tie_type_is_named_in_words():
    people = _people({"c1": 6})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people))
    assert res.tie_type == "worked with"


def test_drawing_of_a_cohort_of_three_is_withheld_with_a_reason(monkeypatch):
    people = _people({"sath_c02": 3})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people), threshold=5)
    shown = _shown(monkeypatch, display.show_drawings, res, "profession")
    assert [k for k, _ in shown] == ["callout"]
    assert "fewer than 5 people" in shown[0][1]


def test_a_colour_group_below_the_threshold_is_pooled_as_other_in_legend_and_alt_text(monkeypatch):
    people = _people({"c1": 12}, professions=("medical",) * 11 + ("pharmacy",))
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people), threshold=5)
    shown = _shown(monkeypatch, display.show_drawings, res, "profession")
    (kind, text), = shown
    assert kind == "figure"
    assert "pharmacy" not in text and "Other" in text


def test_cohorts_below_the_threshold_are_left_out_of_the_cohort_figures(monkeypatch):
    people = _people({"sath_c01": 6, "sath_c02": 3, "sath_c03": 1, "sath_c04": 7})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people), threshold=5)
    shown = _shown(monkeypatch, display.show_cohorts, res)
    text = " ".join(t for _, t in shown)
    assert "fewer than 5 people are left out" in text
    fig_alt = [t for k, t in shown if k == "figure"][0]
    # two cohorts shown at each wave: density 6/15 and 7/21, not the small cohorts' 1.0
    assert "range 0.33 to 0.4" in fig_alt


def test_no_people_count_below_the_threshold_in_the_summary_table():
    people = _people({"c1": 6})
    ties = _ring_ties(people)
    ties = ties[ties["from_id"].isin(["c1_0", "c1_1"])]  # two respondents
    res = nw.compute(SimpleNamespace(ties=ties, participants=people), threshold=5)
    table = res.summary()
    assert "2" not in table["Named a colleague"].astype(str).tolist()


def test_pooling_leaves_no_label_below_the_threshold():
    pooled = nw.pool_small_groups(pd.Series(list("aaaaabbbbbcd") + ["e"] * 7), 5)
    assert pooled.value_counts().min() >= 5


@pytest.mark.parametrize("module", ["analysis.py", "panel.py"])
def test_analysis_module_draws_nothing_and_knows_no_report(module):
    tree = ast.parse((ROOT / "src" / "helpers" / "networks" / module).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.startswith(("matplotlib", "seaborn", "helpers.report", "IPython"))
                   for m in imported)
    assert "rep" not in {a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                         for a in n.args.args}


@pytest.mark.parametrize("show", [display.show_summary, display.show_findings, display.show_ei,
                                  display.show_brokerage, display.show_betweenness,
                                  display.show_response_adjusted])
def test_every_network_figure_of_a_cohort_of_three_is_withheld(monkeypatch, show):
    people = _people({"sath_c02": 3})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people), threshold=5)
    shown = _shown(monkeypatch, show, res)
    assert [k for k, _ in shown] == ["callout"] and "fewer than 5 people" in shown[0][1]


def test_a_network_without_ties_still_has_every_documented_column():
    """A researcher's ``net.waves.query(...)`` must not fail with a KeyError on a programme
    whose network questionnaire was never returned."""
    ties = pd.DataFrame(columns=["wave", "from_id", "to_id", "tie_type"])
    res = nw.compute(SimpleNamespace(ties=ties, participants=_people({"c1": 6})))
    assert not res.has_ties
    assert res.missing_columns() == {}
    assert res.waves.empty and res.betweenness.empty


def test_separate_cohorts_show_no_pooled_density_or_parts(monkeypatch):
    """Cohorts that never name one another are not one network: the programme's tables give
    the share of ties crossing boundaries, and leave density and parts to the cohort figures."""
    people = _people({"c1": 6, "c2": 7})
    res = nw.compute(SimpleNamespace(ties=_ring_ties(people), participants=people), threshold=5)
    assert res.separate_cohorts
    tables = [t for k, t in _shown(monkeypatch, display.show_summary, res) if k == "table"]
    assert len(tables) == 2
    assert "Named a colleague" in tables[0] and "Response" in tables[0]
    assert "Density" not in tables[1] and "Separate parts" not in tables[1]
    assert "Ties across organisations" in tables[1]


def test_one_connected_network_shows_its_density_and_parts(monkeypatch):
    people = _people({"c1": 6, "c2": 7})
    ties = _ring_ties(people)
    bridge = pd.DataFrame([{"wave": w, "from_id": "c1_0", "to_id": "c2_0", "tie_type": "worked_with"}
                           for w in ("baseline", "post")])
    res = nw.compute(SimpleNamespace(ties=pd.concat([ties, bridge], ignore_index=True),
                                     participants=people), threshold=5)
    assert not res.separate_cohorts
    tables = [t for k, t in _shown(monkeypatch, display.show_summary, res) if k == "table"]
    assert len(tables) == 2
    assert all(col in tables[1] for col in ("Density", "Separate parts", "Largest part (people)"))
