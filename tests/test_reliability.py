"""helpers.reliability against published values and an independent numpy computation.

Sources of the reference data (published tables, copied here):

- Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas 1960;20:37-46,
  Table 1: two judges, 200 units, three categories; p_o = .70, p_c = .41, kappa = .49 (0.4915).
- Fleiss JL. Measuring nominal scale agreement among many raters. Psychol Bull 1971;76:378-382,
  Table 1: 30 patients, 6 psychiatrists, 5 diagnoses; kappa = .430. The per-rater layout is the
  one R's irr package ships as ``diagnoses`` (irr::kappam.fleiss gives 0.43).
- Krippendorff K. Computing Krippendorff's alpha-reliability. Univ. of Pennsylvania, 2011,
  section C: four coders, twelve units with missing values; alpha nominal 0.743, ordinal 0.815,
  interval 0.849, ratio 0.797.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from helpers import reliability as rel

# Cohen (1960) Table 1 as counts: rows judge A, columns judge B.
COHEN_TABLE = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])

# Fleiss (1971) Table 1: one row per patient, the six psychiatrists' diagnoses (1..5).
FLEISS_DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])

# Krippendorff (2011): coders A-D by units 1-12, NaN = not coded.
N = np.nan
KRIPP = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
])


def _table_to_labels(table: np.ndarray) -> tuple[list[str], list[str]]:
    cats = ["a", "b", "c"]
    a, b = [], []
    for i, j in np.ndindex(table.shape):
        a += [cats[i]] * int(table[i, j])
        b += [cats[j]] * int(table[i, j])
    return a, b


def _alpha_by_hand(data: np.ndarray, level: str) -> float:
    """Krippendorff (2011) coincidence-matrix algorithm, written out independently."""
    values = np.unique(data[~np.isnan(data)])
    k = len(values)
    pos = {v: i for i, v in enumerate(values)}
    o = np.zeros((k, k))
    for u in range(data.shape[1]):
        col = data[:, u][~np.isnan(data[:, u])]
        m = len(col)
        if m < 2:
            continue
        for x, y in permutations(range(m), 2):
            o[pos[col[x]], pos[col[y]]] += 1 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    delta = np.zeros((k, k))
    for c in range(k):
        for kk in range(k):
            vc, vk = values[c], values[kk]
            if level == "nominal":
                delta[c, kk] = float(vc != vk)
            elif level == "interval":
                delta[c, kk] = (vc - vk) ** 2
            elif level == "ratio":
                delta[c, kk] = ((vc - vk) / (vc + vk)) ** 2
            elif level == "ordinal":
                lo, hi = min(c, kk), max(c, kk)
                delta[c, kk] = (n_c[lo:hi + 1].sum() - (n_c[lo] + n_c[hi]) / 2) ** 2
    d_o = (o * delta).sum() / n
    d_e = (np.outer(n_c, n_c) * delta).sum() / (n * (n - 1))
    return 1 - d_o / d_e


def test_cohen_1960_worked_example():
    a, b = _table_to_labels(COHEN_TABLE)
    kappa = rel.cohen_kappa(a, b)
    assert kappa == pytest.approx(0.4915, abs=5e-4)
    assert round(kappa, 3) == 0.492 or round(kappa, 2) == 0.49
    # Cross-check with the defining formula on the same table (no library).
    n = COHEN_TABLE.sum()
    p_o = np.trace(COHEN_TABLE) / n
    p_e = (COHEN_TABLE.sum(1) * COHEN_TABLE.sum(0)).sum() / n**2
    assert p_o == pytest.approx(0.70)
    assert p_e == pytest.approx(0.41)
    assert kappa == pytest.approx((p_o - p_e) / (1 - p_e))


def test_cohen_kappa_drops_missing_pairs_and_handles_single_category():
    assert rel.cohen_kappa(["x", "y", None, "x"], ["x", "y", "y", np.nan]) == pytest.approx(1.0)
    assert rel.cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    assert np.isnan(rel.cohen_kappa([None], ["x"]))
    with pytest.raises(ValueError, match="different numbers"):
        rel.cohen_kappa([1, 2], [1])


def test_fleiss_1971():
    assert rel.fleiss_kappa(FLEISS_DIAGNOSES.T) == pytest.approx(0.430, abs=5e-4)


@pytest.mark.parametrize("level,published", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_krippendorff_2011_all_levels(level, published):
    alpha = rel.krippendorff_alpha(KRIPP, level=level)
    assert alpha == pytest.approx(published, abs=5e-4)
    assert alpha == pytest.approx(_alpha_by_hand(KRIPP, level), abs=1e-9)


def test_krippendorff_accepts_dataframe_and_string_labels():
    labels = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    frame = pd.DataFrame(KRIPP).apply(lambda col: col.map(labels))
    assert rel.krippendorff_alpha(frame) == pytest.approx(0.743, abs=5e-4)
    with pytest.raises(ValueError, match="level must be"):
        rel.krippendorff_alpha(KRIPP, level="cardinal")


def test_alpha_not_computable_without_pairs_or_variation():
    assert np.isnan(rel.krippendorff_alpha([[1, N], [N, 2]]))
    assert np.isnan(rel.krippendorff_alpha([[1, 1], [1, 1]]))


def test_percent_agreement_counts_pairs():
    # Unit 1: 3 coders agree (3 of 3 pairs); unit 2: 2 of 3 agree (1 of 3 pairs); unit 3: one coding.
    data = np.array([[1, 1, 1], [1, 1, N], [1, 2, N]])
    assert rel.percent_agreement(data) == pytest.approx((3 + 1) / 6)
    a, b = _table_to_labels(COHEN_TABLE)
    assert rel.percent_agreement(pd.DataFrame([a, b])) == pytest.approx(0.70)


def test_bootstrap_interval_brackets_alpha_and_is_reproducible():
    lo, hi = rel.alpha_bootstrap_ci(KRIPP, n_boot=200, seed=1)
    assert lo < rel.krippendorff_alpha(KRIPP) < hi
    assert (lo, hi) == rel.alpha_bootstrap_ci(KRIPP, n_boot=200, seed=1)
    assert all(np.isnan(rel.alpha_bootstrap_ci([[1, N]], n_boot=10)))


def _codings(rows):
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "coder_id"])


def test_code_agreement_on_double_coded_subset():
    # s1..s4 coded by both ann and bob, s5 by ann only (not in the subset).
    codings = _codings([
        ("s1", "A", "ann"), ("s1", "A", "bob"),
        ("s2", "A", "ann"), ("s2", "B", "bob"),
        ("s3", "B", "ann"), ("s3", "B", "bob"),
        ("s4", "A", "ann"), ("s4", "B", "ann"), ("s4", "A", "bob"),
        ("s5", "A", "ann"),
    ])
    out = rel.code_agreement(codings, pd.DataFrame({"code_id": ["A", "B"], "label": ["Alpha", "Beta"]}),
                             n_boot=50)
    a = out.set_index("code_id").loc["A"]
    # Presence of A, ann: s1 1, s2 1, s3 0, s4 1; bob: 1, 0, 0, 1 -> agree on 3 of 4.
    assert a["n"] == 4 and a["n_coders"] == 2 and a["label"] == "Alpha"
    assert a["percent_agreement"] == pytest.approx(0.75)
    assert a["kappa"] == pytest.approx(rel.cohen_kappa([1, 1, 0, 1], [1, 0, 0, 1]))
    assert a["estimate"] == pytest.approx(rel.krippendorff_alpha([[1, 1, 0, 1], [1, 0, 0, 1]]))
    b = out.set_index("code_id").loc["B"]
    # B, ann: 0, 0, 1, 1; bob: 0, 1, 1, 0 -> 2 of 4.
    assert b["percent_agreement"] == pytest.approx(0.5)
    overall = out.set_index("code_id").loc["__overall__"]
    assert overall["percent_agreement"] == pytest.approx(5 / 8)
    assert overall["estimate"] == pytest.approx(
        rel.krippendorff_alpha([[1, 1, 0, 1, 0, 0, 1, 1], [1, 0, 0, 1, 0, 1, 1, 0]]))
    assert overall["n"] == 4
    assert set(out["rating"]) <= {"good", "tentative", "poor", "not computable"}


def test_code_agreement_without_double_coding_is_empty():
    out = rel.code_agreement(_codings([("s1", "A", "ann"), ("s2", "A", "bob")]))
    assert out.empty and "estimate" in out.columns


def test_presence_matrix_marks_uncoded_as_missing():
    m = rel.presence_matrix(_codings([("s1", "A", "ann"), ("s1", "B", "bob"), ("s1", "A", "cy"),
                                      ("s2", "A", "ann"), ("s2", "A", "bob")]), "A")
    assert m.loc["ann", "s1"] == 1 and m.loc["bob", "s1"] == 0 and np.isnan(m.loc["cy", "s2"])


def test_agreement_label_follows_krippendorff_2004():
    assert rel.agreement_label(0.85) == "good"
    assert rel.agreement_label(0.70) == "tentative"
    assert rel.agreement_label(0.5) == "poor"
    assert rel.agreement_label(float("nan")) == "not computable"


def test_vectorised_nominal_bootstrap_matches_the_package_per_resample():
    rng = np.random.default_rng(3)
    draws = [rng.integers(0, KRIPP.shape[1], KRIPP.shape[1]) for _ in range(25)]
    weights = np.array([np.bincount(d, minlength=KRIPP.shape[1]) for d in draws])
    fast = rel._nominal_alpha_weighted(KRIPP, weights)
    slow = np.array([rel.krippendorff_alpha(KRIPP[:, d]) for d in draws])
    assert np.allclose(fast, slow, equal_nan=True)
    assert rel._nominal_alpha_weighted(KRIPP, np.ones((1, 12)))[0] == pytest.approx(0.743, abs=5e-4)


def test_bootstrap_draws_come_in_bounded_chunks_with_the_sequential_stream():
    # Chunking bounds memory at national scale without changing a single draw: the chunks
    # concatenate to the n_boot successive rng.integers(0, n, n) calls of the plain bootstrap.
    n, n_boot = 37, 2 * rel.BOOT_CHUNK + 5
    chunks = list(rel._bootstrap_draws(n, n_boot, seed=11))
    assert [len(c) for c in chunks] == [rel.BOOT_CHUNK, rel.BOOT_CHUNK, 5]
    rng = np.random.default_rng(11)
    sequential = np.array([rng.integers(0, n, n) for _ in range(n_boot)])
    assert np.array_equal(np.concatenate(chunks), sequential)
    counts = rel._draw_counts(chunks[-1], n)
    expected = np.array([np.bincount(d, minlength=n) for d in chunks[-1]])
    assert np.array_equal(counts, expected) and counts.sum(axis=1).tolist() == [n] * 5


def test_cluster_resample_equals_the_package_on_the_expanded_matrix():
    # A resample that draws cluster k twice holds each of its units twice: the weighted
    # coincidence matrix must equal krippendorff.alpha on the matrix with those columns repeated.
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    rng = np.random.default_rng(7)
    draws = rng.integers(0, 6, (30, 6))
    for level in ("nominal", "interval"):
        got = rel.resample_alphas(KRIPP, draws, groups, level)
        expanded = [np.concatenate([np.flatnonzero(groups == k) for k in d]) for d in draws]
        want = np.array([rel.krippendorff_alpha(KRIPP[:, cols], level) for cols in expanded])
        assert np.allclose(got, want, equal_nan=True)


def test_singleton_clusters_are_the_unit_bootstrap():
    unit = rel.alpha_bootstrap_ci(KRIPP, n_boot=300, seed=4)
    assert rel.alpha_bootstrap_ci(KRIPP, n_boot=300, seed=4, clusters=list("abcdefghijkl")) == unit
    paired = rel.alpha_bootstrap_ci(KRIPP, n_boot=300, seed=4, clusters=np.arange(12) // 2)
    assert paired != unit
    with pytest.raises(ValueError, match="12 units"):
        rel.alpha_bootstrap_ci(KRIPP, clusters=[1, 2])
    # one cluster holding everything leaves nothing to resample
    assert all(np.isnan(rel.alpha_bootstrap_ci(KRIPP, n_boot=10, clusters=[0] * 12)))


def test_overall_interval_resamples_whole_segments():
    from pathlib import Path

    codings = pd.read_csv(Path(__file__).parent / "oracles" / "codings.csv").rename(
        columns={"segment": "segment_id"})
    out = rel.code_agreement(codings, n_boot=400, seed=3).set_index("code_id")
    overall = out.loc["__overall__"]
    matrices = [rel.presence_matrix(codings, c) for c in sorted(codings["code_id"].unique())]
    pooled = np.concatenate([m.to_numpy() for m in matrices], axis=1)
    segments = np.concatenate([m.columns.to_numpy() for m in matrices])
    by_segment = rel.alpha_bootstrap_ci(pooled, n_boot=400, seed=3, clusters=segments)
    by_unit = rel.alpha_bootstrap_ci(pooled, n_boot=400, seed=3)
    assert (overall["ci_low"], overall["ci_high"]) == pytest.approx(by_segment)
    # codes of one segment agree or disagree together, so the segment bootstrap is wider
    assert by_segment[1] - by_segment[0] > 1.1 * (by_unit[1] - by_unit[0])
    # a single code's units are its segments already
    code = sorted(codings["code_id"].unique())[0]
    assert (out.loc[code, "ci_low"], out.loc[code, "ci_high"]) == pytest.approx(
        rel.alpha_bootstrap_ci(matrices[0], n_boot=400, seed=3))
