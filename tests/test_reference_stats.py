"""leadeval against the R reference values in tests/oracles/reference_stats.json (see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import networks as nw
from helpers.brokerage import ROLES, gould_fernandez
from helpers.careers import aalen_johansen, pipeline_at
from helpers.its import newey_west_lags, segmented_regression
from helpers.projects import level_change_fast
from helpers.scales import _alpha

ORACLES = Path(__file__).parent / "oracles"
REF = json.loads((ORACLES / "reference_stats.json").read_text())


def test_cronbach_alpha_and_unrounded_feldt_interval_match_psych_to_4_significant_digits():
    items = pd.read_csv(ORACLES / "alpha_items.csv")
    scales = pd.read_csv(ORACLES / "alpha_item_scales.csv")
    for r in REF["alpha"]:
        d = items if r["scope"] == "all" else items[items["cohort_id"] == r["scope"]]
        cols = scales.loc[scales["scale"] == r["scale"], "item_id"].tolist()
        est, lo, hi, _ = _alpha(d.loc[d["wave"] == r["wave"], cols], 0.95)
        assert est == pytest.approx(r["alpha"], rel=1e-4)
        assert lo == pytest.approx(r["ci_low"], rel=1e-4)
        assert hi == pytest.approx(r["ci_high"], rel=1e-4)


def _scope(df: pd.DataFrame, scope: str) -> pd.DataFrame:
    return df if scope == "all" else df[df["cohort_id"] == scope]


def test_pipeline_cumulative_incidence_and_interval_match_cmprsk_to_4_significant_digits():
    pipe = pd.read_csv(ORACLES / "pipeline.csv")
    for r in REF["pipeline"]:
        d = _scope(pipe, r["scope"])
        durations = pd.DataFrame({
            "months": d["months"], "moved": d["status"] == 1,
            "censored_by": np.select([d["status"] == 1, d["status"] == 2],
                                     ["", "left the NHS"], "observation end")})
        at = pipeline_at(durations, (r["months"],)).iloc[0]
        assert at["n"] == r["n"]
        assert at["method"] == ("Aalen-Johansen" if r["n_left"] else "Kaplan-Meier")
        assert at["estimate"] == pytest.approx(r["cuminc"], rel=1e-4)
        assert at["estimate"] == pytest.approx(r["aj_survfit"], rel=1e-4)
        assert at["ci_low"] == pytest.approx(r["ci_low"], rel=1e-4)
        assert at["ci_high"] == pytest.approx(r["ci_high"], rel=1e-4)
        assert at["km_estimate"] == pytest.approx(r["km_incidence"], rel=1e-4)
        curve = aalen_johansen(d["months"], d["status"])
        var = curve.loc[curve["months"] <= r["months"], "variance"].iloc[-1]
        assert var == pytest.approx(r["cuminc_var"], rel=1e-4)


@pytest.mark.parametrize("series", ["kpi", "sicily_rate"])
def test_its_newey_west_t_intervals_match_lmtest_coeftest_to_4_significant_digits(series):
    if series == "kpi":
        d = pd.read_csv(ORACLES / "its_series.csv")
    else:
        s = pd.read_csv(ORACLES / "sicily.csv")
        d = pd.DataFrame({"time": s["time"], "value": s["aces"] / s["stdpop"] * 1e5,
                          "after": s["smokban"]})
    fit = segmented_regression(d, "value", "time", "after")
    fast = level_change_fast(d["value"].to_numpy(), d["after"].to_numpy())
    for term, ref in REF["its"][series].items():
        assert newey_west_lags(ref["n"]) == ref["lags"]
        got = fit.loc[term]
        assert got["df"] == ref["df"] and got["n"] == ref["n"]
        for col, key in (("estimate", "estimate"), ("se", "se"), ("ci_low", "ci_low"),
                         ("ci_high", "ci_high"), ("p_value", "p_value")):
            assert got[col] == pytest.approx(ref[key], rel=1e-4), (term, col)
        if term == "level_change":
            for key in ("estimate", "se", "ci_low", "ci_high", "p_value", "df"):
                assert fast[key] == pytest.approx(ref[key], rel=1e-4), key


def _network(scope: str):
    """Roster and nominations of a scope as leadeval's networks functions take them."""
    nodes = _scope(pd.read_csv(ORACLES / "network_nodes.csv"), scope)
    ties = pd.read_csv(ORACLES / "network_ties.csv")
    participants = nodes.assign(participant_id=nodes["node"].astype(str))
    ties = ties.assign(from_id=ties["from_node"].astype(str), to_id=ties["to_node"].astype(str),
                       tie_type="work_with")
    return ties, participants


def _close(got, ref):
    """Equal to 4 significant digits; R's NaN (null) must be non-finite here."""
    got = np.atleast_1d(np.asarray(got, dtype=float))
    ref = np.array([np.nan if v is None else v for v in np.atleast_1d(ref)], dtype=float)
    assert (np.isfinite(got) == np.isfinite(ref)).all()
    ok = np.isfinite(ref)
    assert got[ok] == pytest.approx(ref[ok], rel=1e-4, abs=1e-12)


def test_density_ei_and_betweenness_within_components_match_igraph():
    for r in REF["network"]:
        ties, participants = _network(r["scope"])
        s = nw.network_summary(ties, participants).set_index("wave").loc[r["wave"]]
        assert (s["participants"], s["ties"], s["components"]) == \
            (r["nodes"], r["ties"], r["components"])
        _close(s["density"], r["density"])
        for attr in ("organisation", "profession"):
            ei = nw.ei_index(ties, participants, attr).set_index("wave").loc[r["wave"]]
            _close(ei["ei_index"], r[f"ei_{attr}"])
            _close(ei["expected_ei"], r[f"expected_ei_{attr}"])
        e = nw.undirected_ties(ties, participants)
        e = e[e["wave"] == r["wave"]]
        within, method = nw.betweenness(participants["participant_id"], e)
        whole, _ = nw.betweenness(participants["participant_id"], e, normalise="network")
        assert method == "exact"
        _close(within.to_numpy(), r["betweenness_component"])
        _close(whole.to_numpy(), r["betweenness_whole"])


def test_gould_fernandez_roles_match_sna_brokerage():
    seen = set()
    for r in REF["brokerage"]:
        ties, participants = _network(r["scope"])
        roles = nw.brokerage_roles(ties, participants, (r["attribute"],))
        got = roles[roles["wave"] == r["wave"]].set_index("code")
        assert (got["ties"] == r["ties"]).all()
        for col, key in (("observed", "raw"), ("expected", "expected"), ("sd", "sd"), ("z", "z")):
            _close(got.loc[list(r[key]), col].to_numpy(), list(r[key].values()))
        seen.add((r["scope"], r["attribute"]))
    assert len(seen) == 6
    for r in REF["brokerage_nodes"]:
        ties, participants = _network(r["scope"])
        assert participants["node"].tolist() == r["node"]
        d = nw.directed_ties(ties, participants)
        d = d[d["wave"] == r["wave"]]
        gf = gould_fernandez(len(participants), d["sender"], d["receiver"],
                             participants[r["attribute"]].to_numpy())
        assert r["roles"] == list(ROLES)
        for c in range(len(r["roles"])):
            _close(gf["observed"][:, c], r["raw"][c])
            _close(gf["z"][:, c], r["z"][c])
