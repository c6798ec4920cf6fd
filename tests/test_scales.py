"""helpers.scales: scoring rules and Cronbach's alpha against pingouin's documented examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from helpers.scales import (item_scores, reliability, reverse_score, scale_labels,
                            score_scales, wide_scores)

ITEMS = pd.DataFrame({
    "instrument_id": ["hlm"] * 5,
    "item_id": ["a1", "a2", "a3", "a4", "b1"],
    "scale": ["care", "care", "care", "care", "vision"],
    "text": ["t"] * 5,
    "min": [1.0] * 5,
    "max": [5.0] * 5,
    "reverse_scored": [False, False, True, False, False],
})
INSTRUMENTS = [{"instrument_id": "hlm", "min_share_answered": 0.5,
                "scales": [{"scale_id": "care", "label": "Leading with care"}]}]


def _responses(rows):
    return pd.DataFrame(rows, columns=["participant_id", "instrument_id", "item_id", "wave",
                                       "rater", "value"])


def test_reverse_score_is_min_plus_max_minus_value():
    assert reverse_score(5, 1, 5) == 1
    assert reverse_score(2, 1, 5) == 4
    assert reverse_score(0, 0, 10) == 10
    np.testing.assert_array_equal(reverse_score([1, 4], [1, 1], [7, 7]), [7, 4])
    assert np.isnan(reverse_score(np.nan, 1, 5))


def test_item_scores_flip_only_reverse_items():
    r = _responses([("p1", "hlm", "a1", "baseline", "self", 5),
                    ("p1", "hlm", "a3", "baseline", "self", 5)])
    s = item_scores(r, ITEMS).set_index("item_id")["scored"]
    assert s["a1"] == 5 and s["a3"] == 1


def test_score_is_mean_of_answered_items_after_reversal():
    r = _responses([("p1", "hlm", "a1", "baseline", "self", 4),
                    ("p1", "hlm", "a2", "baseline", "self", 5),
                    ("p1", "hlm", "a3", "baseline", "self", 2),   # reversed -> 4
                    ("p1", "hlm", "a4", "baseline", "self", np.nan),
                    ("p1", "hlm", "b1", "baseline", "self", 3)])
    out = score_scales(r, ITEMS, INSTRUMENTS).set_index("scale")
    assert out.loc["care", "score"] == pytest.approx((4 + 5 + 4) / 3)
    assert out.loc["care", "n_answered"] == 3 and out.loc["care", "n_items"] == 4
    # one-item scale: the item's own value
    assert out.loc["vision", "score"] == 3 and out.loc["vision", "n_items"] == 1


def test_min_share_rule_at_the_boundary():
    # 2 of 4 answered = 0.5: scored at min_share 0.5, not at 0.75
    r = _responses([("p1", "hlm", "a1", "baseline", "self", 4),
                    ("p1", "hlm", "a2", "baseline", "self", 2)])
    half = score_scales(r, ITEMS, INSTRUMENTS).set_index("scale")
    assert half.loc["care", "score"] == 3
    strict = score_scales(r, ITEMS, INSTRUMENTS, min_share=0.75).set_index("scale")
    assert np.isnan(strict.loc["care", "score"])
    inst = [{"instrument_id": "hlm", "min_share_answered": 0.75}]
    assert np.isnan(score_scales(r, ITEMS, inst).set_index("scale").loc["care", "score"])
    # default when dataset.yaml says nothing: 0.5
    assert score_scales(r, ITEMS, [{"instrument_id": "hlm"}]).set_index(
        "scale").loc["care", "score"] == 3


def test_all_missing_gives_no_score_and_empty_input_gives_empty_frame():
    r = _responses([("p1", "hlm", "a1", "baseline", "self", np.nan),
                    ("p1", "hlm", "b1", "baseline", "self", np.nan)])
    assert score_scales(r, ITEMS, INSTRUMENTS).empty
    empty = score_scales(r.iloc[0:0], ITEMS, INSTRUMENTS)
    assert empty.empty and "score" in empty.columns


def test_rater_type_score_is_mean_of_each_raters_score():
    rows = [("p1", "hlm", "b1", "baseline", "peer", 5, "r1"),
            ("p1", "hlm", "a1", "baseline", "peer", 1, "r2"),
            ("p1", "hlm", "a2", "baseline", "peer", 1, "r2"),
            ("p1", "hlm", "a4", "baseline", "peer", 3, "r2"),
            ("p1", "hlm", "a1", "baseline", "peer", 5, "r1"),
            ("p1", "hlm", "a2", "baseline", "peer", 5, "r1"),
            ("p1", "hlm", "a1", "baseline", "manager", 2, "m1"),
            ("p1", "hlm", "a2", "baseline", "manager", 2, "m1")]
    r = pd.DataFrame(rows, columns=["participant_id", "instrument_id", "item_id", "wave",
                                    "rater", "value", "rater_id"])
    out = score_scales(r, ITEMS, INSTRUMENTS).set_index(["scale", "rater"])
    # r1: (5+5)/2 = 5; r2: (1+1+3)/3 = 5/3; peer score = mean of the two raters
    assert out.loc[("care", "peer"), "score"] == pytest.approx((5 + 5 / 3) / 2)
    assert out.loc[("care", "peer"), "n_raters"] == 2
    assert out.loc[("care", "manager"), "score"] == 2


def test_vectorised_scores_match_a_per_person_loop():
    rng = np.random.default_rng(7)
    rows = []
    for p in range(40):
        for w in ("baseline", "post"):
            for item in ITEMS.itertuples():
                v = rng.integers(1, 6) if rng.random() > 0.3 else np.nan
                rows.append((f"p{p}", "hlm", item.item_id, w, "self", v))
    r = _responses(rows)
    fast = score_scales(r, ITEMS, INSTRUMENTS).set_index(["participant_id", "wave", "scale"])
    for (p, w), g in r.groupby(["participant_id", "wave"]):
        g = g.merge(ITEMS, on=["instrument_id", "item_id"])
        g["v"] = np.where(g["reverse_scored"], 6 - g["value"], g["value"])
        for scale, gs in g.groupby("scale"):
            answered = gs["v"].notna().sum()
            expected = gs["v"].mean() if answered / len(gs) >= 0.5 else np.nan
            got = fast["score"].get((p, w, scale), np.nan)
            assert (np.isnan(expected) and np.isnan(got)) or got == pytest.approx(expected)


def _reference_scores(responses, items, shares):
    """The scoring rule written plainly with pandas groupby: join the items, flip reversed
    items, one value per rater and item, each rater's mean, the half rule, the type's mean."""
    it = items.drop_duplicates(["instrument_id", "item_id"])
    g = responses.merge(it, on=["instrument_id", "item_id"], how="inner")
    g["v"] = np.where(g["reverse_scored"], g["min"] + g["max"] - g["value"], g["value"])
    g = g[np.isfinite(g["v"])].copy()
    g["rater_id"] = g["rater_id"].fillna("")
    keys = ["participant_id", "instrument_id", "scale", "wave", "rater"]
    per_item = g.groupby(keys + ["rater_id", "item_id"], sort=False)["v"].mean().reset_index()
    per_rater = (per_item.groupby(keys + ["rater_id"], sort=False)["v"].agg(["mean", "size"])
                 .reset_index())
    n_items = items.groupby(["instrument_id", "scale"]).size().rename("n_items").reset_index()
    per_rater = per_rater.merge(n_items, on=["instrument_id", "scale"], how="left")
    ok = per_rater["size"] / per_rater["n_items"] >= per_rater["instrument_id"].map(shares) - 1e-12
    per_rater["score"] = per_rater["mean"].where(ok)
    per_rater["valid"] = ok
    return (per_rater.groupby(keys, sort=False)
            .agg(score=("score", "mean"), n_answered=("size", "mean"),
                 n_items=("n_items", "first"), n_raters=("valid", "sum")).reset_index())


def test_scores_on_codes_equal_the_plain_groupby_rule_row_for_row():
    # 360-degree answers with several raters per type, duplicated answers, missing values,
    # missing keys, answers to items not in the table and a second instrument with its own
    # share: the code-based scoring gives the plain pandas rule's rows, in the same order.
    rng = np.random.default_rng(11)
    items = pd.concat([ITEMS, pd.DataFrame({
        "instrument_id": ["lead"] * 3, "item_id": ["x1", "x2", "x3"], "scale": ["vision"] * 3,
        "text": ["t"] * 3, "min": [0.0] * 3, "max": [10.0] * 3,
        "reverse_scored": [True, False, False]})], ignore_index=True)
    pool = list(items[["instrument_id", "item_id"]].itertuples(index=False)) + [("hlm", "zz")]
    rows = []
    for _ in range(3000):
        inst, item = pool[rng.integers(len(pool))]
        rater = rng.choice(["self", "peer", "manager"])
        rater_id = None if rater == "self" else f"r{rng.integers(4)}"
        value = float(rng.integers(0, 11) if inst == "lead" else rng.integers(1, 6))
        rows.append((f"p{rng.integers(60)}", inst, item, rng.choice(["baseline", "post"]),
                     rater, rater_id, np.nan if rng.random() < 0.1 else value))
    r = pd.DataFrame(rows, columns=["participant_id", "instrument_id", "item_id", "wave",
                                    "rater", "rater_id", "value"])
    r.loc[r.sample(20, random_state=1).index, "wave"] = None  # a missing key drops the answer
    shares = {"hlm": 0.5, "lead": 0.6}
    instruments = [{"instrument_id": i, "min_share_answered": v} for i, v in shares.items()]
    got = score_scales(r, items, instruments)
    expected = _reference_scores(r.dropna(subset=["wave"]), items, shares)
    assert len(got) > 500
    for col in ["participant_id", "instrument_id", "scale", "wave", "rater", "n_items",
                "n_raters"]:
        assert got[col].tolist() == expected[col].tolist(), col
    assert np.allclose(got["score"], expected["score"], equal_nan=True, rtol=1e-13, atol=0)
    assert np.allclose(got["n_answered"], expected["n_answered"], rtol=1e-13, atol=0)
    one = score_scales(r, items, instruments, instrument_id="lead")
    assert set(one["instrument_id"]) == {"lead"}
    assert one["score"].tolist() == pytest.approx(
        got.loc[got["instrument_id"] == "lead", "score"].tolist(), nan_ok=True)


def test_group_ids_number_groups_by_first_appearance_and_survive_overflow():
    from helpers.scales import _group_ids

    a = np.array([2, 0, 2, 1, 0, 2])
    b = np.array([1, 1, 1, 0, 1, 0])
    assert _group_ids([a, b], [3, 2]).tolist() == [0, 1, 0, 2, 1, 3]
    # Sizes whose product passes 2**62 force a renumbering on the way: same grouping.
    huge = [2**40, 2**40, 3]
    assert _group_ids([a, b, a % 3], huge).tolist() == _group_ids([a, b, a % 3], [3, 2, 3]).tolist()


def test_wide_scores_and_labels():
    r = _responses([("p1", "hlm", "b1", "baseline", "self", 2),
                    ("p1", "hlm", "b1", "post", "self", 4)])
    w = wide_scores(score_scales(r, ITEMS, INSTRUMENTS), ["baseline", "post", "follow_up"])
    assert w.loc[0, "post"] - w.loc[0, "baseline"] == 2 and w["follow_up"].isna().all()
    labels = scale_labels(INSTRUMENTS, ITEMS)
    assert labels["care"] == "Leading with care" and labels["vision"] == "Vision"


def _long_from_pingouin(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pingouin example as leadeval responses and items (all items on one scale, 1..7)."""
    data = pg.read_dataset(name)
    if {"Subj", "Items", "Scores"} <= set(data.columns):
        data = data.pivot(index="Subj", columns="Items", values="Scores")
    long = data.reset_index(names="participant_id").melt(id_vars="participant_id",
                                                         var_name="item_id", value_name="value")
    long["participant_id"] = long["participant_id"].astype(str)
    long["item_id"] = long["item_id"].astype(str)
    long = long.assign(instrument_id="x", wave="baseline", rater="self")
    items = pd.DataFrame({"instrument_id": "x", "item_id": [str(c) for c in data.columns],
                          "scale": "s", "text": "", "min": 0.0, "max": 7.0,
                          "reverse_scored": False})
    return long, items


def test_alpha_matches_pingouin_documented_likert_example():
    # pingouin docs: cronbach_alpha(cronbach_alpha long data) -> 0.5917188485995826, [0.195, 0.84]
    resp, items = _long_from_pingouin("cronbach_alpha")
    out = reliability(resp, items).iloc[0]
    assert out["estimate"] == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((0.195, 0.84), abs=5e-4)  # published to 3 dp; ours unrounded
    assert out["low"] and out["n"] == 15 and out["n_items"] == 10


def test_alpha_matches_pingouin_documented_missing_data_example():
    # pingouin docs (R psych::alpha(use="pairwise")): 0.732660835214447, [0.435, 0.909]
    resp, items = _long_from_pingouin("cronbach_wide_missing")
    out = reliability(resp, items).iloc[0]
    assert out["estimate"] == pytest.approx(0.732660835214447, abs=1e-12)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((0.435, 0.909), abs=5e-4)  # published to 3 dp
    assert not out["low"]


def test_alpha_reverse_scores_items_first():
    rng = np.random.default_rng(3)
    trait = rng.normal(size=60)
    vals = np.clip(np.round(3 + trait[:, None] + rng.normal(scale=0.6, size=(60, 4))), 1, 5)
    vals[:, 2] = 6 - vals[:, 2]       # stored reversed, as answered
    resp = pd.DataFrame([(f"p{i}", "hlm", f"a{j + 1}", "baseline", "self", vals[i, j])
                         for i in range(60) for j in range(4)],
                        columns=["participant_id", "instrument_id", "item_id", "wave", "rater",
                                 "value"])
    out = reliability(resp, ITEMS).set_index("scale").loc["care"]
    fixed = vals.copy()
    fixed[:, 2] = 6 - fixed[:, 2]
    expected = pg.cronbach_alpha(pd.DataFrame(fixed))[0]
    assert out["estimate"] == pytest.approx(expected)


def test_alpha_edge_cases_one_item_identical_answers_single_wave_per_row():
    rows = [(f"p{i}", "hlm", it, "baseline", "self", 3) for i in range(6)
            for it in ("a1", "a2", "a3", "a4", "b1")]
    out = reliability(_responses(rows), ITEMS).set_index("scale")
    assert np.isnan(out.loc["vision", "estimate"]) and "one item" in out.loc["vision", "note"]
    assert np.isnan(out.loc["care", "estimate"]) and "no variation" in out.loc["care", "note"]
    assert not out["low"].any()
    assert reliability(_responses([]), ITEMS).empty


def test_alpha_per_scale_and_wave_equals_pingouin_on_each_table_alone():
    """reliability() pivots every scale and wave at once; each row must equal pingouin on that
    scale's and wave's own respondents x items table (some answers missing, a wave where one
    scale has nobody answering)."""
    rng = np.random.default_rng(11)
    rows = []
    for w, shift in (("baseline", 0.0), ("post", 0.4)):
        trait = rng.normal(size=40)
        for i in range(40):
            for it in ("a1", "a2", "a3", "a4", "b1"):
                if w == "post" and it == "b1":
                    continue
                v = float(np.clip(np.round(3 + shift + trait[i] + rng.normal(scale=0.7)), 1, 5))
                rows.append((f"p{i}", "hlm", it, w, "self", np.nan if rng.random() < 0.08 else v))
    resp = _responses(rows)
    out = reliability(resp, ITEMS).set_index(["scale", "wave"])
    scored = item_scores(resp, ITEMS)
    for (scale, wave), g in scored.groupby(["scale", "wave"]):
        wide = g.pivot_table(index="participant_id", columns="item_id", values="scored")
        row = out.loc[(scale, wave)]
        if wide.shape[1] < 2:
            assert np.isnan(row["estimate"]) and "one item" in row["note"]
            continue
        est, (lo, hi) = pg.cronbach_alpha(wide, nan_policy="pairwise")
        assert row["estimate"] == pytest.approx(est, abs=1e-12)
        # pingouin rounds its Feldt bounds to 3 dp; ours are the same bounds unrounded
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=5e-4)
        assert row["n"] == wide.dropna(how="all").shape[0]
    assert set(out.index) == {("care", "baseline"), ("care", "post"), ("vision", "baseline")}
