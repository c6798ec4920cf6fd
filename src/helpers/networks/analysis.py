"""Participant networks, the pure analysis: structure, boundary-crossing ties, E-I index, brokerage and betweenness.

The ties table holds nominations (``wave, from_id, to_id, tie_type``: "who do you go to / work
with"). Throughout, a nomination in either direction makes one undirected tie between two
participants (the union rule, Wasserman and Faust 1994, ch. 4), self-nominations are dropped,
and the network's boundary is the participant roster of the programme or cohort in scope:
every rostered participant is a node (so isolates count), and a tie to anyone outside the
roster is not part of the network.

Vectorised: tie ends are looked up against the roster in one hash join (``Index.get_indexer``)
and kept as categoricals, E-I and boundary-crossing shares are column comparisons and group-bys,
components come from ``scipy.sparse.csgraph``; networkx computes betweenness and layouts.
Brokerage in Gould and Fernandez's sense (coordinator, itinerant, representative, gatekeeper,
liaison) is counted on the nominations as named, which keep their direction
(:func:`brokerage_roles`, :mod:`helpers.brokerage`); betweenness, on the undirected network, is
a different measure (the share of shortest paths through a person) and is reported as such.
Functions taking ``ties, participants`` also accept ``edges=`` (the result of
:func:`undirected_ties`) so that :func:`helpers.networks.prepare` looks the ties up once.

References
----------
Krackhardt D, Stern RN (1988). Informal networks and organizational crises: an experimental
simulation. Social Psychology Quarterly 51(2):123-140.
Brandes U (2001). A faster algorithm for betweenness centrality. J Math Sociol 25(2):163-177.
Gould RV, Fernandez RM (1989). Structures of mediation: a formal approach to brokerage in
transaction networks. Sociological Methodology 19:89-126.
Brandes U, Pich C (2007). Centrality estimation in large networks. Int J Bifurcation and Chaos
17(7):2303-2318.
Wasserman S, Faust K (1994). Social Network Analysis. Cambridge University Press.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from helpers.brokerage import ROLE_CODES, ROLES, gould_fernandez, z_score

WAVE_ORDER = ["baseline", "post", "follow_up"]
ATTRIBUTES = ("organisation", "profession")
#: networks with more participants than this use networkx's k-source approximation of betweenness
EXACT_BETWEENNESS_MAX_NODES = 2000
#: sources sampled in all when approximating (spread over components in proportion to size)
MAX_SOURCES = 2000
#: one graph handed to networkx gets at most budget / (nodes + 2 ties) sources (at least MIN_SOURCES)
BETWEENNESS_BUDGET = 2_000_000
MIN_SOURCES = 16


def wave_order(waves) -> list[str]:
    """Waves in study order: baseline, post, follow_up, then any others alphabetically."""
    present = [str(w) for w in pd.unique(pd.Series(waves, dtype="str"))]
    known = [w for w in WAVE_ORDER if w in present]
    return known + sorted(w for w in present if w not in WAVE_ORDER)


def roster(participants: pd.DataFrame) -> pd.DataFrame:
    """One row per participant with the attributes used here (duplicates dropped)."""
    cols = ["participant_id"] + [a for a in ATTRIBUTES if a in participants.columns]
    return participants[cols].drop_duplicates("participant_id").reset_index(drop=True)


def undirected_ties(ties: pd.DataFrame, participants: pd.DataFrame,
                    tie_type: str | None = None) -> pd.DataFrame:
    """Unique undirected ties per wave, both ends inside the roster, with both ends' attributes.

    Parameters
    ----------
    ties : the ties table (wave, from_id, to_id, tie_type).
    participants : the roster (participant_id, organisation, profession).
    tie_type : keep only this tie type (None: all types; a pair tied in two ways is one tie).

    Returns
    -------
    DataFrame with columns wave, u, v (u < v) and ``<attribute>_u``, ``<attribute>_v`` for
    organisation and profession.
    """
    cols = ["wave", "u", "v"]
    ros = roster(participants)
    t = ties
    if tie_type is not None and "tie_type" in t.columns:
        t = t[t["tie_type"] == tie_type]
    if t.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="str") for c in cols})
        for a in ATTRIBUTES:
            if a in ros.columns:
                empty[f"{a}_u"] = pd.Series(dtype="str")
                empty[f"{a}_v"] = pd.Series(dtype="str")
        return empty
    ids = pd.Index(ros["participant_id"].astype(str))
    # ids -> positions in the roster with one hash lookup (-1: outside the roster)
    a = ids.get_indexer(t["from_id"].astype(str))
    b = ids.get_indexer(t["to_id"].astype(str))
    codes = pd.DataFrame({"wave": pd.Categorical(t["wave"].astype(str)).codes,
                          "ui": np.minimum(a, b), "vi": np.maximum(a, b)})
    codes = codes[(codes["ui"] >= 0) & (codes["ui"] != codes["vi"])].drop_duplicates()
    ui, vi = codes["ui"].to_numpy(), codes["vi"].to_numpy()
    waves = pd.Categorical(t["wave"].astype(str)).categories
    # categoricals share one dictionary of strings: no per-tie string copies at 10^5-10^6 ties
    e = pd.DataFrame({"wave": np.asarray(waves, dtype=object)[codes["wave"].to_numpy()],
                      "u": pd.Categorical.from_codes(ui, categories=ids),
                      "v": pd.Categorical.from_codes(vi, categories=ids)})
    for attr in ATTRIBUTES:
        if attr in ros.columns:
            cat = pd.Categorical(ros[attr].astype(str))
            e[f"{attr}_u"] = pd.Categorical.from_codes(cat.codes[ui], categories=cat.categories)
            e[f"{attr}_v"] = pd.Categorical.from_codes(cat.codes[vi], categories=cat.categories)
    return e


def _codes(node_ids: pd.Index, column: pd.Series) -> np.ndarray:
    """Positions of tie ends in ``node_ids`` (categorical codes when they share the roster)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.equals(node_ids):
        return column.cat.codes.to_numpy()
    return node_ids.get_indexer(column.astype(str))


def _components(node_ids: pd.Index, edges: pd.DataFrame) -> np.ndarray:
    """Component label for each node (scipy connected_components on the sparse adjacency)."""

    n = len(node_ids)
    if n == 0:
        return np.zeros(0, dtype=int)
    ui = _codes(node_ids, edges["u"])
    vi = _codes(node_ids, edges["v"])
    adj = coo_matrix((np.ones(len(ui)), (ui, vi)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return labels


def network_summary(ties: pd.DataFrame, participants: pd.DataFrame,
                    tie_type: str | None = None, edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Size, density, mean degree, components and boundary-crossing shares at each wave.

    Parameters
    ----------
    ties, participants, tie_type : as :func:`undirected_ties`.

    Returns
    -------
    One row per wave: ``wave, participants`` (nodes: the whole roster), ``respondents`` (people
    who named at least one colleague that wave), ``response_rate``, ``ties``, ``density``
    (ties / (n (n - 1) / 2)), ``mean_degree`` (2 ties / n), ``components`` (isolates count as
    components), ``largest_component`` (nodes), ``isolates``, ``cross_organisation_share`` and
    ``cross_profession_share`` (share of ties whose two ends differ on that attribute).

    Notes
    -----
    Definitions as in Wasserman and Faust (1994), ch. 4, for an undirected simple graph. A
    participant who answered but named nobody cannot be told apart from a non-respondent in a
    ties table, so ``response_rate`` is an upper bound on missing data, not an exact rate.
    """
    ros = roster(participants)
    nodes = pd.Index(ros["participant_id"].astype(str))
    n = len(nodes)
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    t = ties if tie_type is None or "tie_type" not in ties.columns else ties[ties["tie_type"] == tie_type]
    rows = []
    for wave in wave_order(t["wave"]) if len(t) else []:
        ew = e[e["wave"] == wave]
        m = len(ew)
        labels = _components(nodes, ew)
        sizes = np.bincount(labels) if n else np.zeros(0, dtype=int)
        ends = np.concatenate([_codes(nodes, ew["u"]), _codes(nodes, ew["v"])])
        senders = nodes.get_indexer(t.loc[t["wave"].astype(str) == wave, "from_id"].astype(str))
        respondents = int(np.unique(senders[senders >= 0]).size)
        row = {
            "wave": wave,
            "participants": n,
            "respondents": respondents,
            "response_rate": respondents / n if n else np.nan,
            "ties": m,
            "density": m / (n * (n - 1) / 2) if n > 1 else np.nan,
            "mean_degree": 2 * m / n if n else np.nan,
            "components": int(len(sizes)),
            "largest_component": int(sizes.max()) if len(sizes) else 0,
            "isolates": int(n - np.unique(ends).size),  # every tie end is in the roster
        }
        for a in ATTRIBUTES:
            if f"{a}_u" in ew.columns:
                row[f"cross_{a}_share"] = (float((ew[f"{a}_u"] != ew[f"{a}_v"]).mean())
                                           if m else np.nan)
        rows.append(row)
    if not rows:  # no wave: the columns a caller looks up are still there
        return pd.DataFrame(columns=["wave", "participants", "respondents", "response_rate",
                                     "ties", "density", "mean_degree", "components",
                                     "largest_component", "isolates"])
    return pd.DataFrame(rows)


def ei_index(ties: pd.DataFrame, participants: pd.DataFrame, attribute: str = "organisation",
             tie_type: str | None = None, edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Krackhardt and Stern's (1988) E-I index of the whole network at each wave.

    ``EI = (E - I) / (E + I)``, where E counts ties between members of different groups
    (external) and I ties within a group (internal). It runs from -1 (every tie inside a group:
    closed silos) to +1 (every tie crosses a boundary).

    Parameters
    ----------
    ties, participants, tie_type : as :func:`undirected_ties`.
    attribute : the grouping column of participants, ``organisation`` or ``profession``.

    Returns
    -------
    One row per wave: ``wave, attribute, external, internal, ties, ei_index, expected_ei``.
    ``expected_ei`` is the index expected if ties formed at random regardless of group
    (Krackhardt and Stern 1988: groups of different size make the observed index depend on
    composition): ``1 - 2 * sum_g n_g (n_g - 1) / (N (N - 1))``.
    """
    ros = roster(participants)
    sizes = ros[attribute].value_counts().to_numpy(dtype=float)
    total = sizes.sum()
    expected = (1 - 2 * (sizes * (sizes - 1)).sum() / (total * (total - 1))) if total > 1 else np.nan
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    waves = wave_order(e["wave"]) if len(e) else []
    external = (e[f"{attribute}_u"] != e[f"{attribute}_v"]).groupby(e["wave"]).sum()
    count = e.groupby("wave").size()
    out = pd.DataFrame({"wave": waves})
    out["attribute"] = attribute
    out["ties"] = count.reindex(waves).fillna(0).astype(int).to_numpy()
    out["external"] = external.reindex(waves).fillna(0).astype(int).to_numpy()
    out["internal"] = out["ties"] - out["external"]
    out["ei_index"] = (out["external"] - out["internal"]) / out["ties"].where(out["ties"] > 0)
    out["expected_ei"] = expected
    return out[["wave", "attribute", "external", "internal", "ties", "ei_index", "expected_ei"]]


def ei_by_group(ties: pd.DataFrame, participants: pd.DataFrame, attribute: str = "organisation",
                tie_type: str | None = None, edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group-level E-I index (Krackhardt and Stern 1988) for each group at each wave.

    For group g, E_g counts ties from a member of g to a non-member and I_g ties between two
    members; ``EI_g = (E_g - I_g) / (E_g + I_g)``.

    Returns
    -------
    One row per wave and group: ``wave, attribute, group, members, external, internal,
    ei_index`` (NaN for a group with no ties).
    """
    ros = roster(participants)
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    ends = pd.concat([
        pd.DataFrame({"wave": e["wave"], "group": e[f"{attribute}_u"], "other": e[f"{attribute}_v"]}),
        pd.DataFrame({"wave": e["wave"], "group": e[f"{attribute}_v"], "other": e[f"{attribute}_u"]}),
    ], ignore_index=True)
    ends["external"] = (ends["group"] != ends["other"]).astype(int)
    # an internal tie has both ends in g: counted twice above, so halve it
    ends["internal"] = (ends["group"] == ends["other"]).astype(float) / 2
    agg = ends.groupby(["wave", "group"], as_index=False)[["external", "internal"]].sum()
    members = ros[attribute].value_counts().rename_axis("group").reset_index(name="members")
    waves = wave_order(e["wave"]) if len(e) else []
    grid = pd.MultiIndex.from_product([waves, members["group"]], names=["wave", "group"]).to_frame(index=False)
    out = grid.merge(members, on="group").merge(agg, on=["wave", "group"], how="left")
    out[["external", "internal"]] = out[["external", "internal"]].fillna(0)
    out["internal"] = out["internal"].astype(int)
    out["external"] = out["external"].astype(int)
    tot = (out["external"] + out["internal"]).replace(0, np.nan)
    out["ei_index"] = (out["external"] - out["internal"]) / tot
    out.insert(1, "attribute", attribute)
    return out[["wave", "attribute", "group", "members", "external", "internal", "ei_index"]]


def ei_change(ei: pd.DataFrame) -> pd.DataFrame:
    """Change in the E-I index from the first to the last wave, per attribute.

    Parameters
    ----------
    ei : rows of :func:`ei_index` (one or more attributes concatenated).

    Returns
    -------
    One row per attribute: ``attribute, first_wave, last_wave, ei_first, ei_last, change``
    (last minus first; positive means more boundary-crossing), ``expected_ei``.
    """
    rows = []
    for attribute, g in ei.groupby("attribute", sort=False):
        order = wave_order(g["wave"])
        g = g.set_index("wave").loc[order]
        first, last = order[0], order[-1]
        rows.append({"attribute": attribute, "first_wave": first, "last_wave": last,
                     "ei_first": g.loc[first, "ei_index"], "ei_last": g.loc[last, "ei_index"],
                     "change": g.loc[last, "ei_index"] - g.loc[first, "ei_index"]
                     if len(order) > 1 else np.nan,
                     "expected_ei": g.loc[first, "expected_ei"]})
    return pd.DataFrame(rows, columns=["attribute", "first_wave", "last_wave", "ei_first",
                                       "ei_last", "change", "expected_ei"])


def _graph(nodes, edges: pd.DataFrame):

    g = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(zip(edges["u"], edges["v"]))
    return g


def betweenness(nodes, edges: pd.DataFrame, exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
                max_sources: int = MAX_SOURCES, budget: int = BETWEENNESS_BUDGET,
                seed: int = 20241125, batch_nodes: int = 256,
                normalise: str = "component") -> tuple[pd.Series, str]:
    """Normalised betweenness centrality of every node, exact or k-source approximated.

    Parameters
    ----------
    nodes : participant ids (the roster).
    edges : undirected ties (columns u, v).
    exact_max_nodes : networks with more nodes than this are approximated.
    max_sources : above ``exact_max_nodes``, about this many sources are sampled in all, spread
        over the network in proportion to size.
    budget : node-plus-adjacency visits allowed for one graph handed to networkx: a connected
        component with ``n_c`` nodes and ``m_c`` ties gets at most
        ``budget // (n_c + 2 m_c)`` sources (never fewer than MIN_SOURCES).
    seed : seed for the sampled sources (results are reproducible).
    batch_nodes : small components are computed together in graphs of about this many nodes.
    normalise : {"component", "network"}
        ``"component"`` (default): divide by the ``(n_c - 1)(n_c - 2) / 2`` pairs of the
        node's own connected component, as igraph's ``betweenness(induced_subgraph(g, members),
        normalized = TRUE)`` does component by component, so that a person in a cohort of 20
        that no other cohort names is measured against that cohort (0 in components of fewer
        than 3); ``"network"``: divide by the whole network's ``(n - 1)(n - 2) / 2`` pairs
        (networkx's and igraph's default), which shrinks every value as cohorts are added.

    Returns
    -------
    (Series indexed by node, method) with method ``"exact"`` or
    ``"approximate (k of n sources)"``.

    Notes
    -----
    Brandes' (2001) algorithm as networkx implements it. Betweenness adds up over connected
    components (no shortest path joins two of them), so components are computed separately,
    small ones packed into graphs of about ``batch_nodes`` nodes (networkx sets up per-source
    tables over the whole graph it is given, so one graph of 100,000 nodes would cost O(n^2)
    even when every component is a cohort of twenty), and the raw counts are normalised as
    ``normalise`` says: with ``"network"`` an exact run equals
    ``networkx.betweenness_centrality(G)``, with ``"component"`` it equals that function on
    each component's subgraph. Above ``exact_max_nodes`` each graph uses
    networkx's source-sampling estimator (Brandes and Pich 2007: ``k`` random sources,
    rescaled by ``n / k``), which is unbiased but noisy for individual people, so reports show
    the distribution, never individuals. With the defaults a 100,000-participant network of
    cohort-sized components takes seconds.
    """

    if normalise not in ("component", "network"):
        raise ValueError(f"normalise must be 'component' or 'network', got {normalise!r}")
    node_index = pd.Index(pd.Series(list(nodes), dtype="str"))
    n = len(node_index)
    values = np.zeros(n)
    if n < 3 or edges.empty:
        return pd.Series(values, index=node_index), "exact"
    ui = _codes(node_index, edges["u"])
    vi = _codes(node_index, edges["v"])
    labels = _components(node_index, edges)
    sizes = np.bincount(labels)
    # batches: consecutive small components up to batch_nodes; a big component alone
    order = np.flatnonzero(sizes > 2)
    batch_of = np.full(len(sizes), -1)
    batch, filled = 0, 0
    for c in order:  # one step per component, not per person or tie
        if filled and filled + sizes[c] > batch_nodes:
            batch, filled = batch + 1, 0
        batch_of[c] = batch
        filled += sizes[c]
    node_batch = batch_of[labels]
    edge_batch = node_batch[ui]
    node_order = np.argsort(node_batch, kind="stable")
    bounds = np.searchsorted(node_batch[node_order], np.arange(batch + 2))
    edge_order = np.argsort(edge_batch, kind="stable")
    ebounds = np.searchsorted(edge_batch[edge_order], np.arange(batch + 2))
    approximate = n > exact_max_nodes
    sampled = 0
    for b in range(batch + 1):
        members = node_order[bounds[b]:bounds[b + 1]]
        if len(members) == 0:
            continue
        idx = edge_order[ebounds[b]:ebounds[b + 1]]
        g = nx.Graph()
        g.add_nodes_from(members.tolist())
        g.add_edges_from(zip(ui[idx].tolist(), vi[idx].tolist()))
        k = None
        if approximate:
            share = math.ceil(len(members) * max_sources / n)
            k = max(MIN_SOURCES, min(share, budget // (len(members) + 2 * len(idx))))
            k = None if k >= len(members) else k
        raw = nx.betweenness_centrality(g, k=k, normalized=False, seed=seed)
        sampled += len(members) if k is None else k
        values[list(raw)] = list(raw.values())
    if normalise == "network":
        values /= (n - 1) * (n - 2) / 2
    else:
        own = sizes[labels].astype(float)
        values = np.where(own > 2, values / np.maximum((own - 1) * (own - 2) / 2, 1), 0.0)
    method = (f"approximate ({sampled:,} of {n:,} sources)"
              if sampled < int((sizes[sizes > 2]).sum()) else "exact")
    return pd.Series(values, index=node_index), method


def betweenness_by_wave(ties: pd.DataFrame, participants: pd.DataFrame,
                        tie_type: str | None = None, edges: pd.DataFrame | None = None,
                        **kwargs) -> pd.DataFrame:
    """Betweenness of every participant at each wave, normalised within each connected
    component, without identifiers.

    Returns
    -------
    One row per participant and wave: ``wave, organisation, profession, betweenness, method``
    (no participant_id: the result is for distributions, never for naming people).
    Keyword arguments go to :func:`betweenness` (``normalise="network"`` for the whole
    network's pairs).
    """
    ros = roster(participants)
    nodes = ros["participant_id"].astype(str)
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    frames = []
    for wave in wave_order(e["wave"]) if len(e) else []:
        bc, method = betweenness(nodes, e[e["wave"] == wave], **kwargs)
        f = ros.drop(columns="participant_id").copy()
        f.insert(0, "wave", wave)
        f["betweenness"] = bc.reindex(nodes).to_numpy()
        f["method"] = method
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=["wave", *[a for a in ATTRIBUTES if a in ros.columns],
                                     "betweenness", "method"])
    return pd.concat(frames, ignore_index=True)


def betweenness_summary(bc: pd.DataFrame) -> pd.DataFrame:
    """Distribution of betweenness at each wave: median, 90th centile, maximum, share of zero.

    Also the concentration ``top_decile_share``: the share of all betweenness held by the top
    10% of participants (1.0 means a few people lie on every shortest path; 0.1 means it is
    spread evenly).
    """
    rows = []
    for wave, g in bc.groupby("wave", sort=False):
        v = np.sort(g["betweenness"].to_numpy(dtype=float))[::-1]
        top = max(1, math.ceil(len(v) / 10))
        rows.append({"wave": wave, "participants": len(v), "median": float(np.median(v)),
                     "p90": float(np.quantile(v, 0.9)), "max": float(v.max()),
                     "share_zero": float((v == 0).mean()),
                     "top_decile_share": float(v[:top].sum() / v.sum()) if v.sum() > 0 else np.nan,
                     "method": g["method"].iloc[0]})
    return pd.DataFrame(rows, columns=["wave", "participants", "median", "p90", "max",
                                       "share_zero", "top_decile_share", "method"])


def directed_ties(ties: pd.DataFrame, participants: pd.DataFrame,
                  tie_type: str | None = None) -> pd.DataFrame:
    """Nominations as named, per wave: ``wave, sender, receiver`` as positions in the roster
    (:func:`roster`), both ends inside it, no self-nominations, each ordered pair once (a pair
    named with two tie types is one tie)."""
    ros = roster(participants)
    t = ties
    if tie_type is not None and "tie_type" in t.columns:
        t = t[t["tie_type"] == tie_type]
    ids = pd.Index(ros["participant_id"].astype(str))
    out = pd.DataFrame({"wave": t["wave"].astype(str).to_numpy(),
                        "sender": ids.get_indexer(t["from_id"].astype(str)),
                        "receiver": ids.get_indexer(t["to_id"].astype(str))})
    out = out[(out["sender"] >= 0) & (out["receiver"] >= 0) & (out["sender"] != out["receiver"])]
    return out.drop_duplicates().reset_index(drop=True)


BROKERAGE_COLUMNS = ["wave", "attribute", "code", "role", "observed", "expected", "sd", "z",
                     "ties", "density"]


def brokerage_roles(ties: pd.DataFrame, participants: pd.DataFrame,
                    attributes=ATTRIBUTES, tie_type: str | None = None,
                    within: str | None = None) -> pd.DataFrame:
    """Gould and Fernandez's brokerage roles at each wave, by profession or organisation, with
    their expected values and z-scores (:mod:`helpers.brokerage`).

    Parameters
    ----------
    ties, participants, tie_type : as :func:`undirected_ties`; the roster is the network's
        boundary (isolates count).
    attributes : participant columns that define the groups.
    within : a participant column (``"cohort_id"``) whose groups are separate networks, or
        None for one network. Each group's roles are then counted in its own network and
        compared with a random network of its own density and group sizes; observed and
        expected counts and variances are summed over the groups (independent networks
        under the null model), so that pairs in different groups, which could never be
        tied, do not dilute the expectation. Ties between two groups are left out.

    Returns
    -------
    One row per wave, attribute and role (``w_I, w_O, b_IO, b_OI, b_O, t``): ``wave,
    attribute, code, role`` (coordinator, itinerant, representative, gatekeeper, liaison,
    total), ``observed`` (open two-paths ``i -> j -> k`` brokered in that role), ``expected``,
    ``sd`` and ``z`` under a random directed graph of the same density and group sizes (as
    R's ``sna::brokerage``: ``raw.gli, exp.gli, sd.gli, z.gli``), ``ties`` (directed
    nominations) and ``density`` (ties over the ordered pairs that could be tied). Counts of
    paths, not people.

    Examples
    --------
    Two cohorts of three that do not name each other, each a chain of two nominations (density
    2 / 6): per cohort, 6 ordered triples each open with probability (1/3)^2 (2/3), 0.444
    expected two-paths (as ``sna::brokerage`` gives for each cohort alone), 0.889 for both.

    >>> p = pd.DataFrame({"participant_id": list("abcdef"), "cohort_id": list("111222"),
    ...                   "profession": list("xxyxyy")})
    >>> t = pd.DataFrame({"wave": "post", "from_id": list("abde"), "to_id": list("bcef")})
    >>> r = brokerage_roles(t, p, ("profession",), within="cohort_id")
    >>> r.loc[r["code"] == "t", ["observed", "expected", "ties", "density"]].round(4)
       observed  expected  ties  density
    5       2.0    0.8889     4   0.3333
    """
    ros = roster(participants)
    d = directed_ties(ties, participants, tie_type)
    blocks = [np.arange(len(ros))]
    if within is not None and within in participants.columns:
        of = _cohort_of(participants, within)
        labels = of.reindex(ros["participant_id"].astype(str)).to_numpy()
        blocks = [np.flatnonzero(labels == g) for g in pd.unique(labels)]
    frames = []
    for wave in wave_order(d["wave"]) if len(d) else []:
        w = d[d["wave"] == wave]
        for attr in [a for a in attributes if a in ros.columns]:
            f = _roles_over_blocks(len(ros), w["sender"].to_numpy(), w["receiver"].to_numpy(),
                                   ros[attr].to_numpy(), blocks)
            f.insert(0, "wave", wave)
            f.insert(1, "attribute", attr)
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=BROKERAGE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[BROKERAGE_COLUMNS]


def _roles_over_blocks(n: int, sender: np.ndarray, receiver: np.ndarray, groups: np.ndarray,
                       blocks: list[np.ndarray]) -> pd.DataFrame:
    """The whole-network roles of each block of people (their ties among themselves), summed."""
    if len(blocks) == 1 and len(blocks[0]) == n:  # one network: sna's figures as they are
        gf = gould_fernandez(n, sender, receiver, groups)
        f = gf["whole"].rename_axis("code").reset_index()
        f["ties"], f["density"] = gf["ties"], gf["density"]
        return f
    local = np.full(n, -1)
    observed = expected = var = 0.0
    pairs = ties = 0
    for b in (b for b in blocks if len(b) > 1):
        local[:] = -1
        local[b] = np.arange(len(b))
        s, r = local[sender], local[receiver]
        keep = (s >= 0) & (r >= 0)
        gf = gould_fernandez(len(b), s[keep], r[keep], groups[b])
        w = gf["whole"]
        observed, expected = observed + w["observed"], expected + w["expected"]
        var = var + w["sd"] ** 2
        pairs, ties = pairs + len(b) * (len(b) - 1), ties + gf["ties"]
    sd = np.sqrt(var)
    f = pd.DataFrame({"role": [ROLES[c] for c in ROLE_CODES], "observed": observed,
                      "expected": expected, "sd": sd, "z": z_score(observed, expected, sd)},
                     index=ROLE_CODES).rename_axis("code").reset_index()
    f["ties"], f["density"] = ties, ties / pairs if pairs else np.nan
    return f


def mixing_matrix(ties: pd.DataFrame, participants: pd.DataFrame, attribute: str = "organisation",
                  wave: str | None = None, tie_type: str | None = None,
                  edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ties between and within groups (symmetric counts; the diagonal holds internal ties)."""
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    if wave is not None:
        e = e[e["wave"] == wave]
    groups = sorted(roster(participants)[attribute].dropna().astype(str).unique())
    m = pd.crosstab(e[f"{attribute}_u"], e[f"{attribute}_v"]).reindex(
        index=groups, columns=groups, fill_value=0)
    sym = m + m.T
    arr = sym.to_numpy().copy()
    np.fill_diagonal(arr, np.diag(m.to_numpy()))
    return pd.DataFrame(arr, index=groups, columns=groups).rename_axis(index=attribute, columns=attribute)


def mixing_matrices(edges: pd.DataFrame, participants: pd.DataFrame,
                    attributes=ATTRIBUTES) -> pd.DataFrame:
    """Every wave's and attribute's mixing matrix (:func:`mixing_matrix`) in long form.

    Returns
    -------
    One row per wave, attribute and unordered pair of groups (``group_a <= group_b``):
    ``wave, attribute, group_a, group_b, ties``.
    """
    rows = []
    for wave in wave_order(edges["wave"]) if len(edges) else []:
        for a in attributes:
            if a not in participants.columns:
                continue
            m = mixing_matrix(None, participants, a, wave, edges=edges)
            for i, ga in enumerate(m.index):
                for gb in m.columns[i:]:
                    rows.append({"wave": wave, "attribute": a, "group_a": ga, "group_b": gb,
                                 "ties": int(m.loc[ga, gb])})
    return pd.DataFrame(rows, columns=["wave", "attribute", "group_a", "group_b", "ties"])


def _cohort_of(participants: pd.DataFrame, column: str = "cohort_id") -> pd.Series:
    p = participants.drop_duplicates("participant_id")
    return pd.Series(p[column].astype(str).to_numpy(), index=p["participant_id"].astype(str))


def cohorts_connect(edges: pd.DataFrame, participants: pd.DataFrame) -> bool | None:
    """Whether any tie joins two cohorts (None when there is one cohort or no cohort column).

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c", "d"], "cohort_id": ["1", "1", "2", "2"]})
    >>> e = pd.DataFrame({"wave": ["baseline"] * 2, "u": ["a", "c"], "v": ["b", "d"]})
    >>> cohorts_connect(e, p)
    False
    """
    if "cohort_id" not in participants.columns or participants["cohort_id"].nunique() < 2:
        return None
    c = _cohort_of(participants)
    return bool((c.reindex(edges["u"].astype(str)).to_numpy()
                 != c.reindex(edges["v"].astype(str)).to_numpy()).any())


def cohort_summary(edges: pd.DataFrame, participants: pd.DataFrame,
                   attributes=ATTRIBUTES) -> pd.DataFrame:
    """Each cohort's own network at each wave: size, ties, density, mean degree and E-I.

    Where cohorts do not name one another the programme is a set of separate networks, and
    density or brokerage read off their union mostly measure how many cohorts there are; the
    distribution of each cohort's figures describes the programme instead. Ties between two
    cohorts are left out of both.

    Returns
    -------
    One row per cohort and wave: ``cohort_id, wave, participants, ties, density`` (ties /
    (n (n - 1) / 2)), ``mean_degree`` (2 ties / n) and ``ei_<attribute>`` ((external -
    internal) / ties, NaN without ties).

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": list("abcd"), "cohort_id": ["1", "1", "2", "2"],
    ...                   "profession": ["x", "y", "x", "x"]})
    >>> e = pd.DataFrame({"wave": ["baseline"] * 2, "u": ["a", "c"], "v": ["b", "d"],
    ...                   "profession_u": ["x", "x"], "profession_v": ["y", "x"]})
    >>> cohort_summary(e, p, ["profession"])[["cohort_id", "ties", "density", "ei_profession"]]
      cohort_id  ties  density  ei_profession
    0         1     1      1.0            1.0
    1         2     1      1.0           -1.0
    """
    cols = ["cohort_id", "wave", "participants", "ties", "density", "mean_degree",
            *[f"ei_{a}" for a in attributes if a in participants.columns]]
    if "cohort_id" not in participants.columns or not len(edges):
        return pd.DataFrame(columns=cols)
    c = _cohort_of(participants)
    sizes = c.value_counts()
    cu = c.reindex(edges["u"].astype(str)).to_numpy()
    within = edges[cu == c.reindex(edges["v"].astype(str)).to_numpy()].assign(cohort_id=cu[cu == c.reindex(edges["v"].astype(str)).to_numpy()])
    rows = []
    for wave in wave_order(edges["wave"]):
        ew = within[within["wave"] == wave]
        for cohort in sorted(sizes.index):
            n = int(sizes[cohort])
            g = ew[ew["cohort_id"] == cohort]
            m = len(g)
            row = {"cohort_id": cohort, "wave": wave, "participants": n, "ties": m,
                   "density": m / (n * (n - 1) / 2) if n > 1 else np.nan,
                   "mean_degree": 2 * m / n if n else np.nan}
            for a in attributes:
                if a in participants.columns and f"{a}_u" in g.columns:
                    ext = int((g[f"{a}_u"].astype(str) != g[f"{a}_v"].astype(str)).sum())
                    row[f"ei_{a}"] = (ext - (m - ext)) / m if m else np.nan
            rows.append(row)
    return pd.DataFrame(rows).reindex(columns=cols)


def tie_types(ties: pd.DataFrame, tie_type: str | None = None) -> str:
    """What a tie means, in words: the tie type asked for, or those in the ties table.

    Examples
    --------
    >>> tie_types(pd.DataFrame({"tie_type": ["advice", "worked_with", "advice"]}))
    'advice or worked with'
    """
    if tie_type is not None:
        kinds = [tie_type]
    elif "tie_type" in ties.columns:
        kinds = sorted(ties["tie_type"].dropna().astype(str).unique())
    else:
        kinds = []
    return " or ".join(k.replace("_", " ") for k in kinds) or "a nomination"


def pool_small_groups(values: pd.Series, threshold: int, other: str = "Other") -> pd.Series:
    """Groups with fewer than ``threshold`` members merged into ``other``.

    When the pooled group is itself smaller than the threshold it is merged into the smallest
    remaining group's label as well (``other``), so no label marks fewer than ``threshold``
    people; when that leaves one label only, every value becomes ``other``.

    Examples
    --------
    >>> pool_small_groups(pd.Series(list("aaaaabbbbbc")), 5).value_counts().to_dict()
    {'Other': 6, 'b': 5}
    >>> pool_small_groups(pd.Series(list("aaaaaab")), 5).unique().tolist()
    ['Other']
    """
    v = values.astype(str)
    counts = v.value_counts()
    small = set(counts[counts < threshold].index)
    if not small:
        return v
    out = v.where(~v.isin(small), other)
    if 0 < (out == other).sum() < threshold:
        big = counts[counts >= threshold]
        if len(big):  # the smallest remaining group (ties: the first by name) joins it
            out = out.where(out != min(big.index, key=lambda g: (big[g], g)), other)
    return out
