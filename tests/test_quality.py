"""helpers.quality: table sizes, cohorts, response rates (AAPOR RR2), missingness, coders."""

import numpy as np
import pandas as pd
import pytest

from helpers import quality


def test_response_rates_count_distinct_self_respondents_with_an_answer():
    participants = pd.DataFrame({"participant_id": ["a", "b", "c", "d"]})
    responses = pd.DataFrame({
        "participant_id": ["a", "a", "b", "c", "c", "d", "x"],
        "instrument_id": ["i"] * 7,
        "item_id": ["q1", "q2", "q1", "q1", "q1", "q1", "q1"],
        "wave": ["baseline", "baseline", "baseline", "post", "baseline", "baseline", "baseline"],
        "rater": ["self", "self", "self", "self", "self", "manager", "self"],
        "value": [4, 5, np.nan, 3, 2, 5, 1],
    })
    rates = quality.response_rates(participants, responses)
    # baseline: a (answered), c (answered); b left the item blank, d only as manager's subject,
    # x is not a participant in scope. post: c.
    expected = {"baseline": 2, "post": 1}
    assert list(rates["wave"]) == ["baseline", "post"]
    for _, row in rates.iterrows():
        assert row["respondents"] == expected[row["wave"]]
        assert row["eligible"] == 4
        assert row["rate"] == pytest.approx(expected[row["wave"]] / 4)


def test_missingness_counts_blank_text_and_nan():
    tables = {"t": pd.DataFrame({"a": ["x", "", None, " "], "b": [1.0, np.nan, 3.0, 4.0], "c": [1, 2, 3, 4]})}
    miss = quality.missingness(tables)
    got = dict(zip(miss["column"], miss["missing"]))
    assert got == {"a": int(tables["t"]["a"].isna().sum() + (tables["t"]["a"].str.strip() == "").sum()),
                   "b": int(tables["t"]["b"].isna().sum())}
    assert "c" not in got
    assert miss.loc[miss["column"] == "a", "share"].item() == pytest.approx(3 / 4)
    assert len(quality.missingness(tables, only_missing=False)) == 3


def test_codings_per_coder_and_overview():
    codings = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s3"], "code_id": ["k1", "k2", "k1", "k1"],
                            "coder_id": ["c1", "c1", "c1", "c2"]})
    out = quality.codings_per_coder(codings)
    assert out.to_dict("records") == [{"coder_id": "c1", "codings": 3, "segments": 2, "codes": 2},
                                      {"coder_id": "c2", "codings": 1, "segments": 1, "codes": 1}]
    assert quality.codings_per_coder(codings.iloc[0:0]).empty
    over = quality.table_overview({"codings": codings}, {"codings": "codings.csv"})
    assert over.to_dict("records") == [{"table": "codings", "file": "codings.csv", "rows": 4, "columns": 3}]


def test_on_the_fixture_dataset(repo_root):
    from helpers.data import load_dataset

    ds = load_dataset(repo_root / "tests/runner_fixtures/dataset")
    cohorts = quality.cohort_overview(ds.cohorts, ds.participants)
    assert cohorts["participants"].sum() == len(ds.participants)
    assert quality.validation_summary(ds.path).empty
    assert "passed every validation check" in quality.validation_sentences(quality.validation_summary(ds.path), ds.name)[0]


def test_validation_summary_counts_problems_without_values(tmp_path, repo_root):
    import shutil

    shutil.copytree(repo_root / "tests/runner_fixtures/dataset", tmp_path / "d")
    path = tmp_path / "d" / "participants.csv"
    lines = path.read_text().splitlines()
    lines.append("SECRET-ID,nowhere,Org,astronaut,Role,Spec")
    path.write_text("\n".join(lines) + "\n")
    summary = quality.validation_summary(tmp_path / "d")
    assert summary["problems"].sum() >= 1
    assert "SECRET-ID" not in summary.to_string()
