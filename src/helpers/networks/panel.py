"""Response-adjusted comparison of waves: the network of the people who answered every wave.

A network questionnaire is answered at each wave by whoever returns it. A non-respondent's ties
appear only when someone else names them, so when response rises between waves (86% to 98%,
say) the network gains ties merely because more people answered, and a rise in density or
boundary-crossing overstates the change in how people are connected (Kossinets 2006). The
usual remedy in longitudinal network studies is to compare the waves on the same people: the
balanced panel, the participants who answered at every wave compared, with only the ties among
them (Huisman and Steglich 2008; Huisman 2009 on removing non-respondents). The panel
network at each wave is then measured exactly as :func:`helpers.networks.analysis.network_summary`,
:func:`~helpers.networks.analysis.ei_index` and :func:`~helpers.networks.analysis.brokerage_roles`
measure the whole roster, and the two are set side by side.

References
----------
Kossinets G (2006). Effects of missing data in social networks. Social Networks 28(3):247-268.
Huisman M, Steglich C (2008). Treatment of non-response in longitudinal network studies.
Social Networks 30(4):297-308.
Huisman M (2009). Imputation of missing network data: some simple procedures. Journal of
Social Structure 10(1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.networks.analysis import (ATTRIBUTES, brokerage_roles, ei_index, network_summary,
                                       roster, undirected_ties, wave_order)

#: the two bases compared: every rostered participant, and the people who answered every wave
BASES = ("all", "panel")
PANEL_COLUMNS = ["basis", "wave", "nodes", "respondents", "response_rate", "panel", "ties",
                 "density", "mean_degree", "components", "largest_component", "isolates",
                 "cross_organisation_share", "cross_profession_share", "ei_organisation",
                 "ei_profession", "brokerage", "brokerage_z"]


def _of_type(ties: pd.DataFrame, tie_type: str | None) -> pd.DataFrame:
    if tie_type is not None and "tie_type" in ties.columns:
        return ties[ties["tie_type"] == tie_type]
    return ties


def respondents_by_wave(ties: pd.DataFrame, participants: pd.DataFrame,
                        tie_type: str | None = None) -> pd.DataFrame:
    """Who answered the network question at each wave: one row per wave and respondent.

    Missing-data rule: a participant responded at a wave when they named at least one
    colleague then (a nomination of the tie type, to anyone, the same rule as
    ``network_summary``'s ``respondents``). Someone who answered but named nobody cannot be
    told from a non-respondent in a ties table, so is counted as not responding.

    Returns
    -------
    ``wave, participant_id`` (rostered participants only), waves in study order.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c"]})
    >>> t = pd.DataFrame({"wave": ["baseline", "baseline", "post"], "from_id": ["a", "x", "b"],
    ...                   "to_id": ["b", "a", "a"]})
    >>> respondents_by_wave(t, p).values.tolist()
    [['baseline', 'a'], ['post', 'b']]
    """
    ids = set(roster(participants)["participant_id"].astype(str))
    t = _of_type(ties, tie_type)
    r = pd.DataFrame({"wave": t["wave"].astype(str).to_numpy(),
                      "participant_id": t["from_id"].astype(str).to_numpy()})
    r = r[r["participant_id"].isin(ids)].drop_duplicates()
    order = {w: i for i, w in enumerate(wave_order(r["wave"]))}
    return (r.assign(_o=r["wave"].map(order)).sort_values(["_o", "participant_id"])
            .drop(columns="_o").reset_index(drop=True))


def balanced_panel(ties: pd.DataFrame, participants: pd.DataFrame, waves=None,
                   tie_type: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The balanced panel: the participants who answered at every wave, and the ties among them.

    Parameters
    ----------
    ties, participants, tie_type : as :func:`helpers.networks.analysis.undirected_ties`.
    waves : the waves compared (default: every wave with a nomination of the tie type).

    Returns
    -------
    (panel participants, panel nominations): the rows of ``participants`` for the people who
    responded (:func:`respondents_by_wave`) at each of ``waves``, and the nominations at those
    waves whose two ends are both in the panel. Every such nomination was named by a panel
    member, so a non-respondent's ties, which exist only where someone else named them, drop
    out with them (listwise deletion of actors, Huisman and Steglich 2008).

    Examples
    --------
    ``c`` did not answer at baseline, so ``c`` and ``b``'s tie to ``c`` leave the panel:

    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c"]})
    >>> t = pd.DataFrame({"wave": ["baseline", "baseline", "post", "post", "post"],
    ...                   "from_id": ["a", "b", "b", "c", "a"], "to_id": ["b", "c", "a", "a", "b"]})
    >>> people, named = balanced_panel(t, p)
    >>> people["participant_id"].tolist(), named[["from_id", "to_id"]].values.tolist()
    (['a', 'b'], [['a', 'b'], ['b', 'a'], ['a', 'b']])
    """
    t = _of_type(ties, tie_type)
    r = respondents_by_wave(t, participants)
    waves = wave_order(t["wave"]) if waves is None else [str(w) for w in waves]
    answered = r[r["wave"].isin(waves)].groupby("participant_id")["wave"].nunique()
    members = set(answered[answered == len(waves)].index) if waves else set()
    people = participants[participants["participant_id"].astype(str).isin(members)]
    named = t[t["wave"].astype(str).isin(waves) & t["from_id"].astype(str).isin(members)
              & t["to_id"].astype(str).isin(members)]
    return people.reset_index(drop=True), named.reset_index(drop=True)


def _measures(ties: pd.DataFrame, participants: pd.DataFrame, waves, attrs,
              within: str | None = None) -> pd.DataFrame:
    """The package's per-wave measures of one network, one row per wave of ``waves``; brokerage
    within the groups of ``within`` when they are separate networks."""
    e = undirected_ties(ties, participants)
    s = network_summary(ties, participants, edges=e)
    s = s.set_index("wave").reindex(waves).rename_axis("wave").reset_index()
    nodes = len(roster(participants))
    s["participants"] = nodes
    for col in ("ties", "respondents", "isolates"):  # a wave without ties: nobody tied
        s[col] = s[col].fillna(0 if col != "isolates" else nodes)
    s["largest_component"] = s["largest_component"].fillna(1 if nodes else 0)
    s["components"] = s["components"].fillna(nodes)
    s["density"] = s["density"].fillna(0.0 if nodes > 1 else np.nan)
    s["mean_degree"] = s["mean_degree"].fillna(0.0 if nodes else np.nan)
    for a in attrs:
        ei = ei_index(ties, participants, a, edges=e).set_index("wave")["ei_index"]
        s[f"ei_{a}"] = ei.reindex(waves).to_numpy()
    # the total over the five roles counts every open two-path, whatever the groups: one figure
    roles = brokerage_roles(ties, participants, attrs[:1] or ("participant_id",), within=within)
    total = roles[roles["code"] == "t"].set_index("wave")
    s["brokerage"] = total["observed"].reindex(waves).fillna(0).to_numpy()
    s["brokerage_z"] = total["z"].reindex(waves).to_numpy()
    return s.rename(columns={"participants": "nodes"})


def response_adjusted(ties: pd.DataFrame, participants: pd.DataFrame,
                      tie_type: str | None = None, waves=None,
                      attributes=ATTRIBUTES, within: str | None = None) -> pd.DataFrame:
    """The waves compared on everyone and on the people who answered every wave, side by side.

    Parameters
    ----------
    ties, participants, tie_type : as :func:`helpers.networks.analysis.undirected_ties`.
    waves : the waves compared (default every wave with a nomination of the tie type).
    attributes : the boundaries for the E-I index and brokerage.
    within : as :func:`~helpers.networks.analysis.brokerage_roles`: a column (``"cohort_id"``)
        whose groups are separate networks, each with its own brokerage baseline.

    Returns
    -------
    Two rows per wave (empty with fewer than two waves), columns :data:`PANEL_COLUMNS`:

    ``basis``
        ``"all"``: every rostered participant is a node and every nomination inside the
        roster a tie, as in the rest of the report; ``"panel"``: the balanced panel
        (:func:`balanced_panel`), nodes the people who answered at every wave, ties only
        among them.
    ``nodes, respondents, response_rate``
        People in the network, those who named a colleague at that wave and their share.
        Panel members answered at every wave by definition, so their rate is 1.
    ``panel``
        The size of the panel (the same on every row).
    ``ties, density, mean_degree, components, largest_component, isolates, cross_<a>_share``
        As :func:`~helpers.networks.analysis.network_summary`: density
        ``m / (n (n - 1) / 2)``, mean degree ``2 m / n`` for ``m`` undirected ties (union
        rule) among ``n`` nodes.
    ``ei_<a>``
        Krackhardt and Stern's E-I index ``(E - I) / (E + I)`` (:func:`~helpers.networks.
        analysis.ei_index`), NaN without ties.
    ``brokerage, brokerage_z``
        Gould and Fernandez's total brokerage (open two-paths ``i -> j -> k`` without
        ``i -> k``, the sum of the five roles, so the same whatever the groups) on the
        nominations as named, and its z-score against a random directed graph of the same
        density (:func:`~helpers.networks.analysis.brokerage_roles`, as R's
        ``sna::brokerage``).

    Missing-data rule: response as :func:`respondents_by_wave`. The ``all`` rows keep
    non-respondents as nodes (their ties are those others named), so they mix a change in
    connections with a change in who answered; the ``panel`` rows hold the people fixed and
    compare like with like, at the price of leaving out everyone who missed a wave (Kossinets
    2006; Huisman and Steglich 2008). With full response at every wave the two bases agree.

    Examples
    --------
    ``d`` answered only at post; ``b``'s baseline tie to ``d`` and ``d``'s post ties leave the
    panel (checked against R's sna in tests/oracles/network_panel.R):

    >>> p = pd.DataFrame({"participant_id": list("abcd"), "profession": list("xxyy")})
    >>> t = pd.DataFrame({"wave": ["baseline"] * 3 + ["post"] * 5,
    ...                   "from_id": list("abc") + list("abcdd"),
    ...                   "to_id": list("bdb") + list("bcaab")})
    >>> r = response_adjusted(t, p, attributes=("profession",))
    >>> r[["basis", "wave", "nodes", "response_rate", "ties", "density", "ei_profession"]]
       basis      wave  nodes  response_rate  ties   density  ei_profession
    0    all  baseline      4           0.75     3  0.500000       0.333333
    1    all      post      4           1.00     5  0.833333       0.600000
    2  panel  baseline      3           1.00     2  0.666667       0.000000
    3  panel      post      3           1.00     3  1.000000       0.333333
    """
    cols = [c for c in PANEL_COLUMNS
            if not any(c.endswith(f"_{a}") or c.endswith(f"_{a}_share")
                       for a in ATTRIBUTES if a not in attributes or a not in participants)]
    t = _of_type(ties, tie_type)
    waves = wave_order(t["wave"]) if waves is None else [str(w) for w in waves]
    if len(waves) < 2:
        return pd.DataFrame(columns=cols)
    attrs = [a for a in attributes if a in participants.columns]
    t = t[t["wave"].astype(str).isin(waves)]
    people, named = balanced_panel(t, participants, waves)
    frames = []
    for basis, (tt, pp) in zip(BASES, [(t, participants), (named, people)]):
        m = _measures(tt, pp, waves, attrs, within)
        if basis == "panel":  # they all answered every wave, whether or not they named a member
            m["respondents"] = m["nodes"]
        m["response_rate"] = m["respondents"] / m["nodes"].where(m["nodes"] > 0)
        m.insert(0, "basis", basis)
        m["panel"] = len(roster(people))
        frames.append(m)
    out = pd.concat(frames, ignore_index=True).reindex(columns=cols)
    ints = ["nodes", "respondents", "panel", "ties", "components", "largest_component", "isolates"]
    return out.astype({c: int for c in ints + ["brokerage"]})


def adjusted_change(adjusted: pd.DataFrame) -> pd.DataFrame:
    """First-to-last-wave change of each measure on each basis of :func:`response_adjusted`.

    Returns
    -------
    One row per basis and measure: ``basis, measure, first_wave, last_wave, first, last,
    change`` (last minus first) for mean degree, density, components, the boundary-crossing
    shares and the E-I indices.

    Examples
    --------
    >>> a = pd.DataFrame({"basis": ["all", "all"], "wave": ["baseline", "post"],
    ...                   "mean_degree": [1.5, 2.5], "density": [0.5, 0.8]})
    >>> adjusted_change(a)[["basis", "measure", "first", "last", "change"]].round(2)
      basis      measure  first  last  change
    0   all  mean_degree    1.5   2.5     1.0
    1   all      density    0.5   0.8     0.3
    """
    measures = [c for c in ("mean_degree", "density", "components", "cross_organisation_share",
                            "cross_profession_share", "ei_organisation", "ei_profession")
                if c in adjusted]
    rows = []
    for basis, g in adjusted.groupby("basis", sort=False):
        order = wave_order(g["wave"])
        g = g.set_index("wave")
        first, last = order[0], order[-1]
        for m in measures:
            rows.append({"basis": basis, "measure": m, "first_wave": first, "last_wave": last,
                         "first": float(g.loc[first, m]), "last": float(g.loc[last, m]),
                         "change": float(g.loc[last, m] - g.loc[first, m])})
    return pd.DataFrame(rows, columns=["basis", "measure", "first_wave", "last_wave", "first",
                                       "last", "change"])


def within_cohort_respondents(ties: pd.DataFrame, participants: pd.DataFrame,
                              tie_type: str | None = None) -> pd.DataFrame:
    """Each cohort's respondents at each wave as that cohort's own report counts them: people
    who named a colleague of their own cohort (a cohort's data keeps only ties with both ends
    inside it).

    Returns
    -------
    ``cohort_id, wave, respondents``, one row per cohort and wave with a tie; a cohort with no
    tie at a wave has no row.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": list("abcd"), "cohort_id": ["1", "1", "2", "2"]})
    >>> t = pd.DataFrame({"wave": ["baseline", "baseline", "baseline"],
    ...                   "from_id": list("abc"), "to_id": list("bca")})
    >>> within_cohort_respondents(t, p)  # b and c name across cohorts: not in either's report
      cohort_id      wave  respondents
    0         1  baseline            1
    """
    t = _of_type(ties, tie_type)
    ros = participants.drop_duplicates("participant_id")
    cohort = pd.Series(ros["cohort_id"].astype(str).to_numpy(),
                       index=ros["participant_id"].astype(str))
    frm = t["from_id"].astype(str).map(cohort)
    inside = (frm == t["to_id"].astype(str).map(cohort)).to_numpy(dtype=bool, na_value=False)
    named = pd.DataFrame({"cohort_id": frm[inside].to_numpy(),
                          "wave": t["wave"].astype(str)[inside].to_numpy(),
                          "from_id": t["from_id"].astype(str)[inside].to_numpy()})
    return (named.groupby(["cohort_id", "wave"], sort=True)["from_id"].nunique()
            .rename("respondents").reset_index())


def cohort_panels(ties: pd.DataFrame, participants: pd.DataFrame, tie_type: str | None = None,
                  waves=None) -> pd.DataFrame:
    """Each cohort's people, respondents and balanced panel: the counts its own report rests on.

    A programme report and its cohorts' reports are read together, so the programme's panel
    size minus the cohorts' shown ones gives a hidden cohort's; the programme's disclosure
    check (:func:`helpers.networks.display.panel_disclosure`) needs these counts.

    Returns
    -------
    One row per cohort and wave: ``cohort_id, wave, nodes, respondents, panel`` (respondents
    and panel as :func:`respondents_by_wave` and :func:`balanced_panel`). Empty without a
    ``cohort_id`` column or two waves.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": list("abcd"), "cohort_id": ["1", "1", "2", "2"]})
    >>> t = pd.DataFrame({"wave": ["baseline", "post", "post", "baseline", "post"],
    ...                   "from_id": list("aabcd"), "to_id": list("bbadc")})
    >>> cohort_panels(t, p)
      cohort_id      wave  nodes  respondents  panel
    0         1  baseline      2            1      1
    1         1      post      2            2      1
    2         2  baseline      2            1      0
    3         2      post      2            1      0
    """
    cols = ["cohort_id", "wave", "nodes", "respondents", "panel"]
    t = _of_type(ties, tie_type)
    waves = wave_order(t["wave"]) if waves is None else [str(w) for w in waves]
    if "cohort_id" not in participants.columns or len(waves) < 2:
        return pd.DataFrame(columns=cols)
    ros = participants.drop_duplicates("participant_id")
    cohort = pd.Series(ros["cohort_id"].astype(str).to_numpy(),
                       index=ros["participant_id"].astype(str))
    r = respondents_by_wave(t, participants)
    r = r[r["wave"].isin(waves)].assign(cohort_id=lambda f: f["participant_id"].map(cohort))
    answered = r.groupby("participant_id")["wave"].nunique()
    in_panel = cohort[answered[answered == len(waves)].index].value_counts()
    per_wave = r.groupby(["cohort_id", "wave"]).size()
    sizes = cohort.value_counts()
    rows = [{"cohort_id": c, "wave": w, "nodes": int(sizes[c]),
             "respondents": int(per_wave.get((c, w), 0)), "panel": int(in_panel.get(c, 0))}
            for c in sorted(sizes.index) for w in waves]
    return pd.DataFrame(rows, columns=cols)
