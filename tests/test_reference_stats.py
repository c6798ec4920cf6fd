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


# --- paired change, 360 gaps and inter-coder agreement ---------------------------------------
#
# R's families: per scope, Holm over every scale at every wave pair (change) and over every
# scale at every wave (gaps), the outcomes report's families. The tests build the report's
# frames (helpers.outcomes.report.change_frame and gap_frame) from the oracle's inputs, so the
# family as the report forms it is what is compared.

CHANGE_KEYS = ["n", "estimate", "ci_low", "ci_high", "t", "p_value", "wilcoxon_p", "d_z",
               "d_z_low", "d_z_high", "d_av", "d_av_low", "d_av_high", "g_av", "p_holm"]
GAP_KEYS = ["n", "estimate", "ci_low", "ci_high", "p_value", "p_holm"]
THRESHOLD = 5   # the sample dataset's suppress_below; every oracle test has n >= 7


def _scope(df: pd.DataFrame, scope: str) -> pd.DataFrame:
    return df if scope == "all" else df[df["cohort_id"] == scope]


def _outcomes(scores: pd.DataFrame):
    from types import SimpleNamespace

    from helpers.outcomes.report import Outcomes

    rep = SimpleNamespace(threshold=THRESHOLD, data=SimpleNamespace())
    waves = [w for w in ("baseline", "post", "follow_up") if w in set(scores["wave"])]
    return Outcomes(rep, [{"instrument_id": "hlm360", "name": "HLM"}], scores, {}, waves)


def _change_scores(scope: str) -> pd.DataFrame:
    wide = _scope(pd.read_csv(ORACLES / "change_scores.csv"), scope)
    long = wide.melt(id_vars=["cohort_id", "person", "scale"], var_name="wave", value_name="score")
    return long.assign(participant_id=long["person"].astype(str), instrument_id="hlm360",
                       rater="self").dropna(subset=["score"])


def _gap_scores(scope: str) -> pd.DataFrame:
    g = _scope(pd.read_csv(ORACLES / "gap_scores.csv"), scope)
    # others' mean as one rater type: participant_gaps averages rater types, so gap = self - others
    long = g.melt(id_vars=["cohort_id", "person", "scale", "wave"], value_vars=["self", "others"],
                  var_name="rater", value_name="score")
    long["rater"] = long["rater"].replace({"others": "manager"})
    return long.assign(participant_id=long["person"].astype(str), instrument_id="hlm360")


def _check(got: pd.Series, want: dict, keys: list[str], where: str) -> None:
    """4 significant digits; a change of exactly zero (both programs give rounding noise,
    about 1e-17) has no significant digits, so estimates, intervals, t and effect sizes also
    pass within 1e-12 absolute. P-values are compared relatively only, however small."""
    for k in keys:
        noise = 0.0 if k.startswith("p_") or k.endswith("_p") else 1e-12
        assert float(got[k]) == pytest.approx(want[k], rel=1e-4, abs=noise), f"{where} {k}"


@pytest.mark.parametrize("scope", ["all", "barts_c01", "barts_c05"])
def test_paired_change_effect_sizes_and_holm_family_match_r(scope):
    from helpers.outcomes.report import change_frame

    cf = change_frame(_outcomes(_change_scores(scope))).set_index(["scale", "from_wave", "to_wave"])
    rows = [r for r in REF["change"] if r["scope"] == scope]
    assert len(rows) == 27 and len(cf) == 27   # 9 scales x 3 wave pairs: one family
    for r in rows:
        _check(cf.loc[(r["scale"], r["from_wave"], r["to_wave"])], r, CHANGE_KEYS,
               f"{scope} {r['scale']} {r['from_wave']}->{r['to_wave']}")


@pytest.mark.parametrize("scope", ["all", "barts_c01", "barts_c05"])
def test_360_gaps_and_their_holm_family_match_r(scope):
    from helpers.outcomes.report import gap_frame

    gf = gap_frame(_outcomes(_gap_scores(scope))).set_index(["scale", "wave"])
    rows = [r for r in REF["gaps"] if r["scope"] == scope]
    assert len(rows) == 18 and len(gf) == 18   # 9 scales x 2 waves: one family
    for r in rows:
        _check(gf.loc[(r["scale"], r["wave"])], r, GAP_KEYS, f"{scope} {r['scale']} {r['wave']}")


def test_cohen_kappa_and_krippendorff_alpha_per_code_and_overall_match_r():
    from helpers.reliability import code_agreement

    codings = pd.read_csv(ORACLES / "codings.csv").rename(columns={"segment": "segment_id"})
    got = code_agreement(codings, n_boot=0).set_index("code_id")
    assert len(got) == len(REF["agreement"]) == 20
    for r in REF["agreement"]:
        row = got.loc[r["code_id"]]
        assert row["n"] == r["n"]
        assert row["kappa"] == pytest.approx(r["kappa"], rel=1e-4), r["code_id"]
        assert row["estimate"] == pytest.approx(r["alpha"], rel=1e-4), r["code_id"]


def test_segment_bootstrap_of_overall_alpha_matches_r_on_rs_resamples():
    # R drew 200 resamples of the 123 segments (its RNG); leadeval's resample_alphas on the
    # same draws must give R's alpha for each, and the same percentile interval.
    import numpy as np

    from helpers.reliability import presence_matrix, resample_alphas

    boot = REF["agreement_bootstrap"]
    codings = pd.read_csv(ORACLES / "codings.csv").rename(columns={"segment": "segment_id"})
    matrices = [presence_matrix(codings, c) for c in sorted(codings["code_id"].unique())]
    pooled = np.concatenate([m.to_numpy() for m in matrices], axis=1)
    segment = np.concatenate([m.columns.to_numpy() for m in matrices])   # numbered 1..123
    assert pooled.shape[1] == boot["units"] and segment.max() == boot["segments"]
    draws = np.array([[int(k) - 1 for k in d.split()] for d in boot["draws"]])
    alphas = resample_alphas(pooled, draws, segment - 1)
    assert alphas == pytest.approx(boot["alpha"], rel=1e-4)
    assert list(np.quantile(alphas, [0.025, 0.975])) == pytest.approx(boot["ci"], rel=1e-4)


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
