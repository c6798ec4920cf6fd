"""helpers.networks against hand-worked values and networkx itself (R's igraph and sna on the
sample programme: test_reference_stats.py)."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from helpers import networks as nw


@pytest.fixture
def small():
    """Five participants in two organisations; worked by hand below.

    Organisation X = {A, B, C}, Y = {D, E}.
    baseline ties: A-B, B-C, A-C (inside X), D-E (inside Y), C-D (across): E = 1, I = 4,
        E-I = (1 - 4) / 5 = -0.6.  Also B->A (duplicate of A-B), A->A (self), A->Z (outside roster).
    post ties: A-B, B-C, D-E, C-D, A-D, B-E: E = 3, I = 3, E-I = 0.
    Expected E-I under random mixing: 1 - 2 (3*2 + 2*1) / (5*4) = 0.2.
    """
    participants = pd.DataFrame({
        "participant_id": list("ABCDE"),
        "cohort_id": ["c1"] * 5,
        "organisation": ["X", "X", "X", "Y", "Y"],
        "profession": ["medical", "nursing", "manager", "medical", "nursing"],
    })
    base = [("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("C", "D"), ("B", "A"), ("A", "A"), ("A", "Z")]
    post = [("A", "B"), ("B", "C"), ("D", "E"), ("C", "D"), ("A", "D"), ("B", "E")]
    ties = pd.DataFrame(
        [("post", a, b, "work_with") for a, b in post] + [("baseline", a, b, "work_with") for a, b in base],
        columns=["wave", "from_id", "to_id", "tie_type"])
    return ties, participants


def test_undirected_ties_dedupes_and_applies_boundary(small):
    ties, participants = small
    e = nw.undirected_ties(ties, participants)
    assert len(e[e.wave == "baseline"]) == 5
    assert len(e[e.wave == "post"]) == 6
    assert (e.u != e.v).all()


def test_ei_index_hand_worked(small):
    ties, participants = small
    ei = nw.ei_index(ties, participants, "organisation").set_index("wave")
    assert list(ei.index) == ["baseline", "post"]
    assert ei.loc["baseline", ["external", "internal"]].tolist() == [1, 4]
    assert ei.loc["baseline", "ei_index"] == pytest.approx(-0.6)
    assert ei.loc["post", "ei_index"] == pytest.approx(0.0)
    assert ei.loc["post", "expected_ei"] == pytest.approx(0.2)
    change = nw.ei_change(ei.reset_index()).iloc[0]
    assert change["change"] == pytest.approx(0.6)
    # every baseline tie joins different professions
    prof = nw.ei_index(ties, participants, "profession").set_index("wave")
    assert prof.loc["baseline", "ei_index"] == pytest.approx(1.0)


def test_ei_by_group_hand_worked(small):
    ties, participants = small
    g = nw.ei_by_group(ties, participants, "organisation").set_index(["wave", "group"])
    # baseline X: I = 3 (A-B, B-C, A-C), E = 1 (C-D): (1 - 3) / 4 = -0.5; Y: I = 1, E = 1 -> 0
    assert g.loc[("baseline", "X"), ["internal", "external"]].tolist() == [3, 1]
    assert g.loc[("baseline", "X"), "ei_index"] == pytest.approx(-0.5)
    assert g.loc[("baseline", "Y"), "ei_index"] == pytest.approx(0.0)
    # post Y: I = 1 (D-E), E = 3 (C-D, A-D, B-E): (3 - 1) / 4 = 0.5
    assert g.loc[("post", "Y"), "ei_index"] == pytest.approx(0.5)


def _nx_graph(ties, participants, wave):
    g = nx.Graph()
    g.add_nodes_from(participants.participant_id)
    for a, b in ties.loc[ties.wave == wave, ["from_id", "to_id"]].itertuples(index=False):
        if a != b and a in g and b in g:
            g.add_edge(a, b)
    return g


def _random_network(n=300, m=500, seed=3):
    rng = np.random.default_rng(seed)
    ids = [f"p{i:04d}" for i in range(n)]
    participants = pd.DataFrame({"participant_id": ids,
                                 "organisation": rng.choice(["Barts", "Homerton", "ELFT"], n),
                                 "profession": rng.choice(["medical", "nursing", "AHP"], n)})
    rows = [(w, ids[a], ids[b], "advice") for w, mm in (("baseline", m), ("post", 2 * m))
            for a, b in zip(rng.integers(0, n, mm), rng.integers(0, n, mm))]
    return pd.DataFrame(rows, columns=["wave", "from_id", "to_id", "tie_type"]), participants


def test_summary_matches_networkx():
    ties, participants = _random_network()
    s = nw.network_summary(ties, participants).set_index("wave")
    for wave in ("baseline", "post"):
        g = _nx_graph(ties, participants, wave)
        assert s.loc[wave, "participants"] == g.number_of_nodes()
        assert s.loc[wave, "ties"] == g.number_of_edges()
        assert s.loc[wave, "density"] == pytest.approx(nx.density(g))
        assert s.loc[wave, "components"] == nx.number_connected_components(g)
        assert s.loc[wave, "largest_component"] == max(len(c) for c in nx.connected_components(g))
        assert s.loc[wave, "isolates"] == nx.number_of_isolates(g)
        assert s.loc[wave, "mean_degree"] == pytest.approx(np.mean([d for _, d in g.degree()]))
        lookup = participants.set_index("participant_id")["organisation"]
        cross = np.mean([lookup[a] != lookup[b] for a, b in g.edges()])
        assert s.loc[wave, "cross_organisation_share"] == pytest.approx(cross)


def test_summary_small(small):
    ties, participants = small
    s = nw.network_summary(ties, participants).set_index("wave")
    assert s.loc["baseline", "respondents"] == 4  # A, B, C, D named someone
    assert s.loc["baseline", "response_rate"] == pytest.approx(0.8)
    assert s.loc["post", "cross_organisation_share"] == pytest.approx(0.5)


def _islands():
    """Two random networks side by side that never name each other (two cohorts)."""
    t1, p1 = _random_network(n=120, m=110, seed=3)
    t2, p2 = _random_network(n=80, m=90, seed=4)
    rename = lambda x: x.str.replace("p", "q")  # noqa: E731
    t2 = t2.assign(from_id=rename(t2.from_id), to_id=rename(t2.to_id))
    return (pd.concat([t1, t2], ignore_index=True),
            pd.concat([p1, p2.assign(participant_id=rename(p2.participant_id))], ignore_index=True))


def test_betweenness_exact_matches_networkx():
    ties, participants = _islands()  # two islands, several components each, some isolates
    e = nw.undirected_ties(ties, participants)
    for wave in ("baseline", "post"):
        g = _nx_graph(ties, participants, wave)
        bc, method = nw.betweenness(participants.participant_id, e[e.wave == wave],
                                    normalise="network")
        assert method == "exact"
        assert bc.to_dict() == pytest.approx(nx.betweenness_centrality(g))
        # within components: networkx on each component's own subgraph
        within, _ = nw.betweenness(participants.participant_id, e[e.wave == wave])
        ref = {}
        for c in nx.connected_components(g):
            ref.update(nx.betweenness_centrality(g.subgraph(c)) if len(c) > 2 else dict.fromkeys(c, 0.0))
        assert within.to_dict() == pytest.approx(ref)
        assert len([c for c in nx.connected_components(g) if len(c) > 20]) == 2
    with pytest.raises(ValueError, match="normalise"):
        nw.betweenness(participants.participant_id, e, normalise="whole")


def test_betweenness_approximation_above_threshold():
    # a connected network (a ring plus random chords), so it is one component above the limit
    n = 400
    ties, participants = _random_network(n=n, m=600, seed=5)
    ids = participants.participant_id.tolist()
    ring = pd.DataFrame({"wave": "baseline", "from_id": ids, "to_id": ids[1:] + ids[:1], "tie_type": "advice"})
    ties = pd.concat([ties[ties.wave == "baseline"], ring], ignore_index=True)
    e = nw.undirected_ties(ties, participants)
    approx, method = nw.betweenness(participants.participant_id, e, exact_max_nodes=50, budget=100_000,
                                    normalise="network")
    k = max(nw.MIN_SOURCES, 100_000 // (n + 2 * len(e)))
    assert method == f"approximate ({k} of {n} sources)"
    g = nx.Graph()  # networkx samples sources from the node order: the same roster order here
    g.add_nodes_from(range(n))
    pos = {p: i for i, p in enumerate(ids)}
    g.add_edges_from((pos[a], pos[b]) for a, b in zip(e.u, e.v))
    ref = nx.betweenness_centrality(g, k=k, seed=20241125)
    assert approx.to_numpy() == pytest.approx([ref[i] for i in range(n)])
    g = nx.relabel_nodes(g, dict(enumerate(ids)))
    # and the estimate tracks the exact values
    exact = pd.Series(nx.betweenness_centrality(g))
    assert np.corrcoef(approx[exact.index], exact)[0, 1] > 0.7


def test_betweenness_has_no_identifiers(small):
    ties, participants = small
    b = nw.betweenness_by_wave(ties, participants)
    assert "participant_id" not in b.columns
    assert len(b) == 10
    summ = nw.betweenness_summary(b).set_index("wave")
    # baseline: C is the only cut point (between the X triangle and D-E): C lies on paths
    # A-D, A-E, B-D, B-E (4 pairs) and D on A-E, B-E, C-E (3 pairs); normalised by 6 pairs
    assert summ.loc["baseline", "max"] == pytest.approx(4 / 6)
    assert summ.loc["baseline", "share_zero"] == pytest.approx(0.6)


def test_mixing_matrix(small):
    ties, participants = small
    m = nw.mixing_matrix(ties, participants, "organisation", "post")
    assert m.loc["X", "X"] == 2 and m.loc["Y", "Y"] == 1
    assert m.loc["X", "Y"] == 3 and m.loc["Y", "X"] == 3


def test_describe_change_and_caveats(small):
    ties, participants = small
    s = nw.network_summary(ties, participants)
    ei = pd.concat([nw.ei_index(ties, participants, a) for a in ("organisation", "profession")])
    text = " ".join(nw.describe_change(s, ei))
    assert "−0.60 to 0.00" in text and "+0.60" in text
    assert f"density {s['density'].iloc[0]:.1f}" in text  # 0.4 on five people; 0.00021 at scale
    cav = " ".join(nw.caveats(s, "the test cohort", threshold=1))
    assert "80% at baseline" in cav and "the test cohort" in cav
    # one of five did not answer: at the usual threshold the rate would give that 1 back
    held = " ".join(nw.caveats(s, "the test cohort", threshold=5))
    assert "80%" not in held and "all but fewer than 5 of the 5 participants at baseline" in held


def test_describe_change_names_the_tie_and_skips_what_means_nothing(small):
    ties, participants = small
    s = nw.network_summary(ties, participants)
    ei = pd.concat([nw.ei_index(ties, participants, a) for a in ("organisation", "profession")])
    text = " ".join(nw.describe_change(s, ei, "work with", crossable=["organisation"]))
    assert "number of work with ties" in text
    assert "professions" not in text and "organisations" in text  # only boundaries one can cross
    assert "stayed in one connected part" in text  # one part at both waves: not "from 1 to 1"
    apart = " ".join(nw.describe_change(s, ei, "advice", separate_cohorts=True))
    assert "density" in apart and "cohort by cohort" in apart and "0.4" not in apart


def test_brokerage_within_separate_cohorts_sums_each_cohorts_own_baseline(small):
    """Two copies of the small network as two cohorts: every count, expectation and variance
    is twice one copy's, and the z-score is sqrt(2) times one copy's (a pooled baseline over
    ten people, half of whose pairs could never be tied, would give other expectations)."""
    ties, participants = small
    other = participants.assign(participant_id=participants["participant_id"] + "2", cohort_id="c2")
    both_p = pd.concat([participants, other], ignore_index=True)
    both_t = pd.concat([ties, ties.assign(from_id=ties["from_id"] + "2", to_id=ties["to_id"] + "2")],
                       ignore_index=True)
    one = nw.brokerage_roles(ties, participants, ("organisation",))
    two = nw.brokerage_roles(both_t, both_p, ("organisation",), within="cohort_id")
    pooled = nw.brokerage_roles(both_t, both_p, ("organisation",))
    np.testing.assert_allclose(two["observed"], 2 * one["observed"])
    np.testing.assert_allclose(two["expected"], 2 * one["expected"])
    np.testing.assert_allclose(two["sd"], np.sqrt(2) * one["sd"])
    np.testing.assert_allclose(two["density"], one["density"])
    assert (two["ties"] == 2 * one["ties"]).all()
    assert not np.allclose(pooled["expected"], two["expected"])


def test_empty_ties():
    participants = pd.DataFrame({"participant_id": ["a", "b"], "organisation": ["X", "Y"],
                                 "profession": ["AHP", "AHP"]})
    ties = pd.DataFrame(columns=["wave", "from_id", "to_id", "tie_type"])
    assert nw.network_summary(ties, participants).empty
    assert nw.ei_index(ties, participants).empty
    assert nw.betweenness_by_wave(ties, participants).empty
    assert nw.brokerage_roles(ties, participants).empty
    assert "cannot" in nw.describe_change(nw.network_summary(ties, participants), nw.ei_index(ties, participants))[0]


def test_draw_networks_alt_text(small):
    ties, participants = small
    fig, alt = nw.draw_networks(ties, participants, "profession")
    assert len(fig.axes[0].texts) == 0  # no labels on nodes
    assert "A" not in alt.split() and "coloured by profession" in alt
    fig2, alt2 = nw.draw_networks(ties, participants, "organisation", max_nodes=3)
    assert "group-level" in alt2
    import matplotlib.pyplot as plt
    plt.close(fig)
    plt.close(fig2)


def test_betweenness_figure_is_the_same_on_every_run_and_leaves_numpy_alone(small):
    """seaborn's stripplot jitter comes from numpy's global generator, which every new kernel
    seeds from the OS: the figure must not depend on it, nor change it."""
    import io

    import matplotlib.pyplot as plt

    ties, participants = small
    b = nw.betweenness_by_wave(ties, participants)

    def png(global_seed):
        np.random.seed(global_seed)
        fig, _ = nw.betweenness_figure(b)
        after = np.random.random()  # the next draw from the caller's generator
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        np.random.seed(global_seed)
        return buf.getvalue(), after == np.random.random()

    first, untouched = png(1)
    second, _ = png(2)
    assert untouched  # the jitter's draws did not advance the caller's generator
    assert first == second


def test_brokerage_roles_hand_worked(small):
    """Baseline nominations as named: A->B, B->C, A->C, D->E, C->D, B->A (A->A and A->Z
    dropped). Open two-paths i -> j -> k (i does not name k): B->A->C? B names C, so closed;
    A->B->C closed (A names C); C->D->E open; A->C->D, B->C->D open; B->A->B is no path.
    By organisation (X = A, B, C; Y = D, E): C->D->E has the broker in the receiver's group
    (gatekeeper); A->C->D and B->C->D have the broker in the sender's group (representative).
    """
    ties, participants = small
    roles = nw.brokerage_roles(ties, participants, ("organisation",)).set_index(["wave", "code"])
    base = roles.loc["baseline"]
    assert base["observed"].to_dict() == {"w_I": 0, "w_O": 0, "b_IO": 2, "b_OI": 1, "b_O": 0,
                                          "t": 3}
    assert (base["ties"] == 6).all() and base["density"].iloc[0] == pytest.approx(6 / 20)
    assert base.loc["b_IO", "role"] == "representative" and base.loc["b_OI", "role"] == "gatekeeper"
    d = nw.directed_ties(ties, participants)
    assert len(d[d.wave == "baseline"]) == 6
    text = " ".join(nw.brokerage_sentences(nw.brokerage_roles(ties, participants)))
    assert "Brokerage across organisations at post" in text and "professions" in text


def test_compute_reports_roles_and_betweenness_apart(small):
    ties, participants = small
    res = nw.compute(SimpleNamespace(ties=ties, participants=participants))
    assert set(res.brokerage["attribute"]) == {"organisation", "profession"}
    assert list(res.betweenness["wave"]) == ["baseline", "post"]
    table = nw.brokerage_table(res.brokerage)
    assert {"Role", "Paths brokered", "Expected by chance", "z"} <= set(table.columns)
