"""Participant networks: structure, boundary-crossing ties, E-I index, brokerage and betweenness.

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
:func:`undirected_ties`) so that :func:`analyse` looks the ties up once.

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

import numpy as np
import pandas as pd

from helpers.brokerage import gould_fernandez

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
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

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
    import networkx as nx

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
    import networkx as nx

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
    return pd.DataFrame(rows)


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
                    attributes=ATTRIBUTES, tie_type: str | None = None) -> pd.DataFrame:
    """Gould and Fernandez's brokerage roles in the whole network at each wave, by profession
    or organisation, with their expected values and z-scores (:mod:`helpers.brokerage`).

    Parameters
    ----------
    ties, participants, tie_type : as :func:`undirected_ties`; the roster is the network's
        boundary (isolates count).
    attributes : participant columns that define the groups.

    Returns
    -------
    One row per wave, attribute and role (``w_I, w_O, b_IO, b_OI, b_O, t``): ``wave,
    attribute, code, role`` (coordinator, itinerant, representative, gatekeeper, liaison,
    total), ``observed`` (open two-paths ``i -> j -> k`` brokered in that role), ``expected``,
    ``sd`` and ``z`` under a random directed graph of the same density and group sizes (as
    R's ``sna::brokerage``: ``raw.gli, exp.gli, sd.gli, z.gli``), ``ties`` (directed
    nominations) and ``density``. Counts of paths, not people.
    """
    ros = roster(participants)
    d = directed_ties(ties, participants, tie_type)
    frames = []
    for wave in wave_order(d["wave"]) if len(d) else []:
        w = d[d["wave"] == wave]
        for attr in [a for a in attributes if a in ros.columns]:
            gf = gould_fernandez(len(ros), w["sender"], w["receiver"], ros[attr].to_numpy())
            f = gf["whole"].rename_axis("code").reset_index()
            f.insert(0, "wave", wave)
            f.insert(1, "attribute", attr)
            f["ties"], f["density"] = gf["ties"], gf["density"]
            frames.append(f)
    if not frames:
        return pd.DataFrame(columns=BROKERAGE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[BROKERAGE_COLUMNS]


def brokerage_sentences(roles: pd.DataFrame) -> list[str]:
    """Plain sentences on which brokerage roles are more or less common than chance, for the
    last wave of each attribute (|z| of 2 or more; :func:`brokerage_roles`)."""
    from helpers.report.fmt import fmt_num

    out = []
    for attr, g in roles.groupby("attribute", sort=False):
        last = wave_order(g["wave"])[-1]
        r = g[(g["wave"] == last) & (g["code"] != "t")]
        label = {"organisation": "organisations", "profession": "professions"}.get(attr, attr)
        high = [f"{x.role} ({fmt_num(x.z)})" for x in r.itertuples() if x.z >= 2]
        low = [f"{x.role} ({fmt_num(x.z)})" for x in r.itertuples() if x.z <= -2]
        parts = []
        if high:
            parts.append("more common than in a random network of the same density: "
                         + ", ".join(high))
        if low:
            parts.append("less common: " + ", ".join(low))
        what = "; ".join(parts) if parts else "no role is 2 standard deviations from chance"
        out.append(f"Brokerage across {label} at {last.replace('_', ' ')} (Gould and Fernandez "
                   f"roles, z-scores): {what}.")
    return out


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


def draw_networks(ties: pd.DataFrame, participants: pd.DataFrame, colour_by: str = "organisation",
                  tie_type: str | None = None, max_nodes: int = 1500, seed: int = 20241125,
                  palette: list[str] | None = None, edges: pd.DataFrame | None = None):
    """One panel per wave, nodes coloured by organisation or profession; no labels on nodes.

    Node positions come from one spring layout (Fruchterman-Reingold) of all waves' ties
    together, so the same person sits in the same place in every panel and the change is
    visible. Networks larger than ``max_nodes`` are drawn as group-level networks instead
    (one circle per group sized by members, lines weighted by ties), because a hairball of
    thousands of nodes tells nothing and takes minutes to lay out.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    from helpers.report.theme import PALETTE, apply_theme

    apply_theme()
    palette = palette or PALETTE
    ros = roster(participants)
    e = edges if edges is not None else undirected_ties(ties, participants, tie_type)
    waves = wave_order(e["wave"]) if len(e) else []
    groups = sorted(ros[colour_by].dropna().astype(str).unique())
    colour = {g: palette[i % len(palette)] for i, g in enumerate(groups)}
    fig, axes = plt.subplots(1, max(len(waves), 1), figsize=(5.2 * max(len(waves), 1), 5.0),
                             squeeze=False)
    nodes = ros["participant_id"].astype(str).tolist()
    group_level = len(nodes) > max_nodes
    if not waves:
        axes[0, 0].text(0.5, 0.5, "No ties recorded", ha="center", va="center")
        axes[0, 0].set_axis_off()
    if group_level:
        counts = ros[colour_by].astype(str).value_counts()
        pos = nx.circular_layout(groups)
        for ax, wave in zip(axes[0], waves):
            mm = mixing_matrix(ties, participants, colour_by, wave, tie_type, edges=e)
            g = nx.Graph()
            g.add_nodes_from(groups)
            for i, a in enumerate(groups):
                for b in groups[i + 1:]:
                    if mm.loc[a, b] > 0:
                        g.add_edge(a, b, weight=mm.loc[a, b])
            w = np.array([d["weight"] for _, _, d in g.edges(data=True)], dtype=float)
            nx.draw_networkx_edges(g, pos, ax=ax, width=(1 + 6 * w / w.max()) if len(w) else 1,
                                   edge_color="#768692", alpha=0.7)
            nx.draw_networkx_nodes(g, pos, ax=ax, node_color=[colour[x] for x in groups],
                                   node_size=[200 + 1800 * counts[x] / counts.max() for x in groups])
            ax.set_title(wave.replace("_", " ").capitalize())
            ax.set_axis_off()
    elif waves:
        union = _graph(nodes, e.drop_duplicates(["u", "v"]))
        pos = nx.spring_layout(union, seed=seed, k=1.5 / math.sqrt(max(len(nodes), 1)))
        node_colour = ros.set_index(ros["participant_id"].astype(str))[colour_by].astype(str).map(colour)
        size = max(8, min(60, 6000 / max(len(nodes), 1)))
        for ax, wave in zip(axes[0], waves):
            g = _graph(nodes, e[e["wave"] == wave])
            nx.draw_networkx_edges(g, pos, ax=ax, edge_color="#768692", alpha=0.35, width=0.6)
            nx.draw_networkx_nodes(g, pos, ax=ax, node_size=size, linewidths=0.3,
                                   edgecolors="white", node_color=node_colour.reindex(list(g.nodes)).tolist())
            ax.set_title(wave.replace("_", " ").capitalize())
            ax.set_axis_off()
    handles = [Line2D([0], [0], marker="o", linestyle="", markerfacecolor=colour[g],
                      markeredgecolor="white", markersize=9, label=g) for g in groups]
    if handles:
        fig.legend(handles=handles, title=colour_by.capitalize(), loc="lower center",
                   ncol=min(len(handles), 5), frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    summary = network_summary(ties, participants, tie_type, edges=e)
    parts = [f"{r.wave.replace('_', ' ')}: {r.ties:,} ties, {100 * r[f'cross_{colour_by}_share']:.0f}% "
             f"across {colour_by}s" if r.ties else f"{r.wave.replace('_', ' ')}: no ties"
             for _, r in summary.iterrows()] if f"cross_{colour_by}_share" in summary else []
    kind = "group-level network (one circle per group)" if group_level else "network of participants"
    alt = (f"Drawing of the {kind} at each wave ({', '.join(waves) or 'none'}), "
           f"points coloured by {colour_by} ({', '.join(groups)}); no names or identifiers. "
           + "; ".join(parts) + ".")
    return fig, alt


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.0f}%"


def describe_change(summary: pd.DataFrame, ei: pd.DataFrame) -> list[str]:
    """Plain-English sentences on what changed in the network between the first and last wave.

    Parameters
    ----------
    summary : :func:`network_summary`.
    ei : :func:`ei_index` rows for organisation and/or profession, concatenated.
    """
    from helpers.report.fmt import fmt_num, fmt_sig, fmt_signed

    if summary.empty:
        return ["No network ties were recorded for this group, so connectedness cannot be described."]
    first, last = summary.iloc[0], summary.iloc[-1]
    fw, lw = first["wave"].replace("_", " "), last["wave"].replace("_", " ")
    out = []
    if len(summary) == 1:
        out.append(f"Ties were recorded at one wave only ({fw}): {first['ties']:,} ties among "
                   f"{first['participants']:,} participants, an average of {first['mean_degree']:.1f} "
                   "colleagues each; change over time cannot be described.")
    else:
        verb = "rose" if last["mean_degree"] > first["mean_degree"] else (
            "fell" if last["mean_degree"] < first["mean_degree"] else "stayed")
        out.append(f"Between {fw} and {lw} the average participant's number of connections {verb} "
                   f"from {first['mean_degree']:.1f} to {last['mean_degree']:.1f} "
                   f"(density {fmt_sig(first['density'])} to {fmt_sig(last['density'])}), and the network went "
                   f"from {first['components']:,} to {last['components']:,} separate parts.")
    for _, r in ei_change(ei).iterrows():
        label = {"organisation": "organisations", "profession": "professions"}.get(r["attribute"], r["attribute"])
        share = f"cross_{r['attribute']}_share"
        shares = (f" ({_pct(first[share])} to {_pct(last[share])} of ties)" if share in summary else "")
        if pd.isna(r["change"]):
            out.append(f"The E-I index across {label} was {fmt_num(r['ei_first'])} at {fw} "
                       f"(−1 means every tie stays inside a group, +1 every tie crosses; "
                       f"{fmt_num(r['expected_ei'])} would be expected if ties ignored {r['attribute']}).")
            continue
        direction = ("more common" if r["change"] > 0.005 else
                     "less common" if r["change"] < -0.005 else "about as common")
        out.append(f"Ties crossing {label} became {direction}{shares}: the E-I index moved from "
                   f"{fmt_num(r['ei_first'])} to {fmt_num(r['ei_last'])} (change "
                   f"{fmt_signed(r['change'])}; −1 means every tie stays inside a group, +1 every "
                   f"tie crosses, and {fmt_num(r['expected_ei'])} is what random mixing would give).")
    return out


def caveats(summary: pd.DataFrame, scope: str = "this programme") -> list[str]:
    """The caveats every network finding carries: response rates and boundary specification."""
    out = []
    if not summary.empty:
        rates = ", ".join(f"{_pct(r.response_rate)} at {r.wave.replace('_', ' ')}" for r in summary.itertuples())
        out.append(f"Response: the share of participants who named at least one colleague was {rates}. "
                   "A missing respondent's ties appear only when someone else named them, so density "
                   "and brokerage are understated where response is low, and a change between waves "
                   "can partly reflect a change in who answered.")
    out.append(f"Boundary: the network holds only participants of {scope}; ties to colleagues "
               "outside it were not asked about, so brokerage here means brokerage within the "
               "programme, not across the wider organisation (Laumann, Marsden and Prensky 1983 "
               "on the boundary specification problem).")
    out.append("Nominations are treated as mutual (a tie named by either person counts), and "
               "the E-I index depends on group sizes: compare it with the value random mixing "
               "would give, not with zero.")
    return out


# --- results for reports ---------------------------------------------------------------

def analyse(data, tie_type: str | None = None, scope: str = "this programme") -> dict:
    """Every network result a report shows, computed once from a Dataset (or its subset).

    Returns
    -------
    dict with ``summary`` (:func:`network_summary`), ``ei`` (:func:`ei_index` for organisation
    and profession), ``ei_change``, ``ei_groups`` (:func:`ei_by_group`), ``brokerage``
    (:func:`brokerage_roles`, Gould-Fernandez roles by organisation and profession),
    ``brokerage_findings`` (:func:`brokerage_sentences`), ``betweenness_values``
    (:func:`betweenness_by_wave`, normalised within components), ``betweenness``
    (:func:`betweenness_summary`), ``findings`` (:func:`describe_change`), ``caveats`` and
    ``has_ties``. The evaluation report reuses this dict, so both reports say the same.
    """
    ties, participants = data.ties, data.participants
    attrs = [a for a in ATTRIBUTES if a in participants.columns]
    e = undirected_ties(ties, participants, tie_type)  # once, shared by every result below
    summary = network_summary(ties, participants, tie_type, edges=e)
    ei = pd.concat([ei_index(ties, participants, a, tie_type, edges=e) for a in attrs], ignore_index=True)
    groups = pd.concat([ei_by_group(ties, participants, a, tie_type, edges=e) for a in attrs],
                       ignore_index=True)
    bc = betweenness_by_wave(ties, participants, tie_type, edges=e)
    roles = brokerage_roles(ties, participants, attrs, tie_type)
    return {"summary": summary, "ei": ei, "ei_change": ei_change(ei) if len(ei) else ei_change(ei.iloc[:0]),
            "ei_groups": groups, "brokerage": roles, "brokerage_findings": brokerage_sentences(roles),
            "betweenness_values": bc, "betweenness": betweenness_summary(bc),
            "findings": describe_change(summary, ei), "caveats": caveats(summary, scope),
            "has_ties": not summary.empty and int(summary["ties"].sum()) > 0}


def ei_figure(ei: pd.DataFrame):
    """E-I index by wave for each attribute, with the random-mixing value dashed.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    import matplotlib.pyplot as plt

    from helpers.report.fmt import fmt_num
    from helpers.report.theme import PALETTE, apply_theme

    apply_theme()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    parts = []
    for i, (attribute, g) in enumerate(ei.groupby("attribute", sort=False)):
        order = wave_order(g["wave"])
        g = g.set_index("wave").loc[order]
        labels = [w.replace("_", " ") for w in order]
        ax.plot(labels, g["ei_index"], marker="o", color=PALETTE[i], label=f"By {attribute}")
        ax.axhline(g["expected_ei"].iloc[0], color=PALETTE[i], linestyle="--", linewidth=1,
                   label=f"Random mixing ({attribute})")
        parts.append(f"by {attribute} " + " then ".join(fmt_num(v) for v in g["ei_index"]))
    ax.axhline(0, color="#425563", linewidth=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("E-I index (-1 inside groups, +1 across)")
    ax.set_xlabel("Wave")
    ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    alt = ("Line chart of the E-I index at each wave, " + "; ".join(parts)
           + "; dashed lines show the value expected under random mixing.")
    return fig, alt


def betweenness_figure(bc: pd.DataFrame):
    """Distribution of betweenness (within components) at each wave as box plots with points.

    Returns
    -------
    (matplotlib Figure, alt text)
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from helpers.report.theme import NHS_BLUE, apply_theme, fixed_jitter

    apply_theme()
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    frame = bc.assign(Wave=bc["wave"].str.replace("_", " "))
    sns.boxplot(data=frame, x="betweenness", y="Wave", color="#DDE6F0", fliersize=0, ax=ax)
    if len(frame) <= 5000:
        with fixed_jitter():  # the same points in the same places on every run
            sns.stripplot(data=frame, x="betweenness", y="Wave", color=NHS_BLUE, size=2.5,
                          alpha=0.5, jitter=0.25, ax=ax)
    ax.set_xlabel("Betweenness centrality (share of shortest paths in a person's part of the "
                  "network that pass through them)")
    ax.set_ylabel("")
    fig.tight_layout()
    s = betweenness_summary(bc)
    alt = ("Box plots of betweenness centrality by wave: " + "; ".join(
        f"{r.wave.replace('_', ' ')} median {r.median:.3f}, 90th centile {r.p90:.3f}, "
        f"{100 * r.share_zero:.0f}% with none" for r in s.itertuples()) + ".")
    return fig, alt


def summary_table(summary: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The per-wave summary ready for display: people counts suppressed below the threshold."""
    from helpers.report.disclosure import suppress_table
    from helpers.report.fmt import fmt_sig

    cols = {"wave": "Wave", "participants": "Participants", "respondents": "Named a colleague",
            "response_rate": "Response", "ties": "Ties", "density": "Density",
            "mean_degree": "Mean ties per person", "components": "Separate parts",
            "largest_component": "Largest part (people)", "isolates": "Unconnected people",
            "cross_organisation_share": "Ties across organisations",
            "cross_profession_share": "Ties across professions"}
    t = summary.copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    # respondents, the largest part and the unconnected are each part of the participants, so
    # the rest of each (non-respondents, people outside it) is protected too
    shown = suppress_table(t, ["participants", "respondents", "largest_component", "isolates"],
                           threshold, pct_cols={"response_rate": "respondents"}, totals_visible=False,
                           parts={"respondents": "participants", "isolates": "participants"})
    for c in ("cross_organisation_share", "cross_profession_share"):
        if c in shown:
            shown[c] = [_pct(x) for x in t[c]]
    if "density" in shown:  # tiny in a large network: significant figures, not 0.00
        shown["density"] = [fmt_sig(x) for x in t["density"]]
    return shown[[c for c in cols if c in shown]].rename(columns=cols)


def ei_table(ei: pd.DataFrame) -> pd.DataFrame:
    """E-I index per attribute and wave for display (no people counts: tie counts only)."""
    t = ei.copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    t["attribute"] = t["attribute"].str.capitalize()
    return t.rename(columns={"wave": "Wave", "attribute": "Boundary", "external": "Ties across",
                             "internal": "Ties within", "ties": "Ties", "ei_index": "E-I index",
                             "expected_ei": "E-I under random mixing"})


def brokerage_table(roles: pd.DataFrame) -> pd.DataFrame:
    """Gould-Fernandez roles for display: one row per wave, boundary and role."""
    t = roles[["wave", "attribute", "role", "observed", "expected", "z"]].copy()
    t["wave"] = t["wave"].str.replace("_", " ").str.capitalize()
    t["attribute"] = t["attribute"].str.capitalize()
    t["role"] = t["role"].str.capitalize()
    t["observed"] = t["observed"].astype(int)
    return t.rename(columns={"wave": "Wave", "attribute": "Groups", "role": "Role",
                             "observed": "Paths brokered", "expected": "Expected by chance",
                             "z": "z"})


def show_network_report(rep, section: str, colour_by: str = "organisation", results: dict | None = None):
    """Display one section of the networks report for a report context ``rep``.

    ``section`` is one of ``summary``, ``drawing``, ``ei``, ``brokerage`` (Gould-Fernandez
    roles), ``betweenness``, ``findings``.
    Results are computed once per context and cached on it.
    """
    from helpers.report.display import show_callout, show_figure, show_sentences, show_table

    res = results or _cached(rep)
    if not res["has_ties"]:
        # Every section says so, so no heading of the report stands empty.
        show_callout("No network ties were recorded for this programme or cohort, so its "
                     "connectedness cannot be described." if section == "summary" else
                     "Not shown: no network ties were recorded.", "note")
        return
    if section == "summary":
        show_table(summary_table(res["summary"], rep.threshold),
                   caption=f"The network at each wave: {rep.scope}", dp=3,
                   note="A tie is a nomination in either direction between two participants.")
    elif section == "drawing":
        fig, alt = draw_networks(rep.data.ties, rep.data.participants, colour_by)
        show_figure(fig, alt, caption=f"Ties at each wave, coloured by {colour_by}; each point is "
                    "a participant (no names or identifiers).")
    elif section == "ei":
        show_table(ei_table(res["ei"]), caption="Krackhardt and Stern's E-I index", units="ties", dp=2)
        ch = res["ei_change"]
        if len(ch) and ch["change"].notna().any():
            show_table(ch.assign(attribute=ch["attribute"].str.capitalize(),
                                 first_wave=ch["first_wave"].str.replace("_", " "),
                                 last_wave=ch["last_wave"].str.replace("_", " "))
                       .rename(columns={"attribute": "Boundary", "first_wave": "From", "last_wave": "To",
                                        "ei_first": "E-I before", "ei_last": "E-I after",
                                        "change": "Change", "expected_ei": "E-I under random mixing"}),
                       caption="Change in the E-I index (positive: more ties across the boundary)", dp=2)
        fig, alt = ei_figure(res["ei"])
        show_figure(fig, alt, caption="E-I index by wave (dashed: random mixing)")
    elif section == "brokerage":
        show_table(brokerage_table(res["brokerage"]),
                   caption="Brokerage roles (Gould and Fernandez) in the whole network", dp=2,
                   note="Open two-paths i \u2192 j \u2192 k on the nominations as named (i names j, j "
                        "names k, i does not name k), counted by the groups of the three people; "
                        "expected: a random network with the same density and group sizes "
                        "(sna::brokerage), ties between cohorts included, so where cohorts "
                        "rarely name one another roles across groups look rarer than chance. "
                        "Counts of paths, not of people.")
        show_sentences(res["brokerage_findings"])
    elif section == "betweenness":
        b = res["betweenness"].copy()
        b["wave"] = b["wave"].str.replace("_", " ").str.capitalize()
        b["share_zero"] = [_pct(x) for x in b["share_zero"]]
        b["top_decile_share"] = [_pct(x) for x in b["top_decile_share"]]
        b = b.drop(columns="participants").rename(columns={
            "wave": "Wave", "median": "Median", "p90": "90th centile", "max": "Maximum",
            "share_zero": "On no shortest path", "top_decile_share": "Held by top 10%",
            "method": "Method"})
        show_table(b, caption="Betweenness centrality, normalised within each connected part",
                   dp=3)
        fig, alt = betweenness_figure(res["betweenness_values"])
        show_figure(fig, alt, caption="Betweenness at each wave")
    elif section == "findings":
        show_sentences(res["findings"], title="What changed")
        show_sentences(res["caveats"], title="Caveats")


def _cached(rep) -> dict:
    res = getattr(rep, "_network_results", None)
    if res is None:
        res = analyse(rep.data, scope=rep.scope)
        try:
            rep._network_results = res
        except AttributeError:  # a frozen context: recompute next time
            pass
    return res
