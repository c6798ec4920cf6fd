"""Small-group hiding of outcomes.display.format_estimates: below suppress_below nothing is
shown, and no hidden count can be had back by subtraction."""

import pandas as pd

from helpers.outcomes.display import CI, format_estimates

LABELS = {"profession": "Profession", "scale": "Scale", "n": "People", "estimate": "Change",
          CI: "95% CI", "p_holm": "p (Holm)"}


def _groups(ns, scale="vision"):
    return pd.DataFrame({"profession": [f"g{i}" for i in range(len(ns))], "scale": scale,
                         "n": ns, "estimate": [0.3 + 0.01 * i for i in range(len(ns))],
                         "ci_low": 0.1, "ci_high": 0.5, "p_holm": 0.02})


def test_a_group_below_the_threshold_shows_its_count_as_less_than_and_no_estimate():
    out = format_estimates(_groups([20, 3]), 5, LABELS)
    small = out.iloc[1]
    assert small["People"] == "<5"
    assert small["Change"] == "–" and small["95% CI"] == "–" and small["p (Holm)"] == "–"
    assert out.iloc[0]["People"] == "20" and out.iloc[0]["Change"] == "0.30"


def test_a_group_at_the_threshold_is_shown():
    out = format_estimates(_groups([5, 30]), 5, LABELS)
    assert out.iloc[0]["People"] == "5" and out.iloc[0]["Change"] != "–"


def test_subgroups_of_one_scale_hide_a_second_count_so_the_small_one_cannot_be_subtracted():
    out = format_estimates(_groups([20, 9, 3]), 5, LABELS, partition_by="scale")
    shown = [c for c in out["People"] if c.isdigit()]
    # with the scale's total known, one visible count fewer than the groups leaves two unknowns
    assert len(shown) <= len(out) - 2
    assert "3" not in out["People"].tolist()
    hidden = out[~out["People"].str.isdigit()]
    assert (hidden["Change"] == "–").all()


def test_each_scale_is_its_own_partition():
    df = pd.concat([_groups([20, 9, 3], "vision"), _groups([20, 9, 8], "care")],
                   ignore_index=True)
    out = format_estimates(df, 5, LABELS, partition_by="scale")
    care = out[out["Scale"] == "care"]
    assert care["People"].tolist() == ["20", "9", "8"]


def test_no_small_group_means_nothing_is_hidden():
    out = format_estimates(_groups([20, 9, 8]), 5, LABELS, partition_by="scale")
    assert out["People"].tolist() == ["20", "9", "8"]
    assert "–" not in out["Change"].tolist()


def test_a_group_whose_answers_were_all_the_same_has_its_estimates_withheld():
    df = _groups([20, 9]).assign(sd=[0.4, 0.0])
    out = format_estimates(df, 5, LABELS)
    assert out.iloc[1]["Change"] == "–" and out.iloc[1]["People"] == "9"
    assert out.attrs.get("notes")
