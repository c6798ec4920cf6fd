"""Gould and Fernandez's brokerage roles, with their expected values and z-scores.

A broker is the middle person of a directed two-path ``i -> j -> k`` whose ends are not tied
directly (``i`` does not name ``k``). With people partitioned into groups (profession or
organisation), Gould and Fernandez (1989) name five roles by the groups of the three people:

============== ========= ==========================================================
role           sna name  groups of sender i, broker j, receiver k
============== ========= ==========================================================
coordinator    ``w_I``   all three in one group
itinerant      ``w_O``   i and k in one group, the broker in another
representative ``b_IO``  the broker in the sender's group, the receiver in another
gatekeeper     ``b_OI``  the broker in the receiver's group, the sender in another
liaison        ``b_O``   three different groups
============== ========= ==========================================================

Expected counts and their standard deviations are those of a random directed graph with the
same density and group sizes (each tie present independently with probability ``d``), as
Gould and Fernandez derive them and R's ``sna::brokerage`` computes them; ``z = (observed -
expected) / sd``. No Python library computes these, so they are written out here and tested
against ``sna::brokerage`` (tests/oracles/reference_stats.json).

References
----------
Gould RV, Fernandez RM (1989). Structures of mediation: a formal approach to brokerage in
transaction networks. Sociological Methodology 19:89-126.
Butts CT (2008). Social network analysis with sna. Journal of Statistical Software 24(6):1-51.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: sna's role codes in its column order, with Gould and Fernandez's names
ROLES = {"w_I": "coordinator", "w_O": "itinerant", "b_IO": "representative",
         "b_OI": "gatekeeper", "b_O": "liaison", "t": "total"}
ROLE_CODES = list(ROLES)


def _tie_keys(n_nodes: int, sender, receiver) -> np.ndarray:
    """``sender * n + receiver`` of each distinct tie, sorted, self-ties dropped (a sort, not
    ``np.unique``, whose hashing is several times slower on a million ties)."""
    src = np.asarray(sender, dtype=np.int64)
    dst = np.asarray(receiver, dtype=np.int64)
    key = np.sort((src * n_nodes + dst)[src != dst])
    return key[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else key


def _is_tie(key: np.ndarray, query: np.ndarray) -> np.ndarray:
    at = np.minimum(np.searchsorted(key, query), len(key) - 1)
    return key[at] == query


def role_counts(n_nodes: int, sender, receiver, groups) -> np.ndarray:
    """How often each person brokers in each role: an ``n_nodes x 6`` array (columns
    :data:`ROLE_CODES`, the last the total).

    Parameters
    ----------
    n_nodes : number of people (positions 0 .. n_nodes - 1).
    sender, receiver : arrays of positions, one directed tie each (duplicates and self-ties
        are dropped).
    groups : array of group labels (or codes), one per person.
    """
    g = pd.factorize(np.asarray(groups))[0]
    key = _tie_keys(n_nodes, sender, receiver)
    src, dst = key // n_nodes, key % n_nodes
    out = np.zeros((n_nodes, 6))
    if len(key) == 0:
        return out
    # every two-path i -> j -> k: each tie into j paired with each tie out of j
    by_sender = np.argsort(src, kind="stable")
    start = np.searchsorted(src[by_sender], np.arange(n_nodes + 1))
    outdeg = np.diff(start)
    reps = outdeg[dst]                       # ties out of the middle person of each (i, j)
    i = np.repeat(src, reps)
    j = np.repeat(dst, reps)
    first = np.repeat(start[dst], reps)
    offset = np.arange(len(i)) - np.repeat(np.cumsum(reps) - reps, reps)
    k = dst[by_sender][first + offset]
    open_path = (k != i) & ~_is_tie(key, i * n_nodes + k)
    i, j, k = i[open_path], j[open_path], k[open_path]
    gi, gj, gk = g[i], g[j], g[k]
    role = np.select([(gi == gj) & (gj == gk), (gi == gk), gi == gj, gj == gk],
                     [0, 1, 2, 3], 4)
    out[:, :5] = np.bincount(j * 5 + role, minlength=5 * n_nodes).reshape(n_nodes, 5)
    out[:, 5] = out[:, :5].sum(axis=1)
    return out


def _choose2(x):
    return x * (x - 1) / 2


def expected_by_group(sizes, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected role counts of one member of each group and their standard deviations under a
    random graph of this density (``len(sizes) x 6`` arrays, columns :data:`ROLE_CODES`)."""
    n = np.asarray(sizes, dtype=float)
    N = n.sum()
    d = float(density)
    p, q = d ** 2 * (1 - d), d ** 3 * (1 - d) ** 3
    rest = n.sum() - n                               # people outside the group
    rest_sq = (n ** 2).sum() - n ** 2
    e = np.empty((len(n), 6))
    v = np.empty((len(n), 6))
    e[:, 0] = p * (n - 1) * (n - 2)
    v[:, 0] = 2 * (n - 1) * (n - 2) * (n - 3) * q
    e[:, 1] = p * ((n * (n - 1)).sum() - n * (n - 1))
    v[:, 1] = 2 * ((n * (n - 1) * (n - 2)).sum() - n * (n - 1) * (n - 2)) * q
    e[:, 2] = p * (N - n) * (n - 1)
    v[:, 2] = 2 * ((n - 1) * _choose2(N - n) + (N - n) * _choose2(n - 1)) * q
    e[:, 3], v[:, 3] = e[:, 2], v[:, 2]
    e[:, 4] = p * (rest ** 2 - rest_sq)
    others = N - n[None, :] - n[:, None]             # [group, other group]
    terms = n[None, :] * _choose2(others)
    np.fill_diagonal(terms, 0)
    v[:, 4] = 4 * terms.sum(axis=1) * q
    e[:, 5] = p * (N - 1) * (N - 2)
    v[:, 5] = 2 * (N - 1) * (N - 2) * (N - 3) * q
    v += e * (1 - p)
    return e, np.sqrt(v)


def expected_whole(sizes, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected total of each role over the whole network and its standard deviation under a
    random graph of this density (arrays of 6, columns :data:`ROLE_CODES`)."""
    n = np.asarray(sizes, dtype=float)
    N = n.sum()
    d = float(density)
    p = d ** 2 * (1 - d)
    a, b, c = d ** 3 * (1 - d) ** 3, d ** 4 * (1 - d) ** 2, d ** 5 * (1 - d)
    e = np.empty(6)
    v = np.empty(6)
    tri = n * (n - 1) * (n - 2)
    e[0] = p * tri.sum()
    v[0] = (tri * ((4 * n - 10) * a - 4 * (n - 3) * b + (n - 3) * c)).sum()
    e[1] = p * (n * (N - n) * (n - 1)).sum()
    x, y = n[:, None], n[None, :]
    v[1] = ((x * y * (x - 1) * ((2 * x + 2 * y - 6) * a + (N - x - 1) * c)).sum()
            - (n * n * (n - 1) * ((4 * n - 6) * a + (N - n - 1) * c)).sum())
    e[2] = e[1]
    v[2] = (n * (N - n) * (n - 1) * ((N - 3) * a + (n - 2) * c)).sum()
    e[3], v[3] = e[2], v[2]
    e[4] = p * ((x * y * (N - x - y)).sum() - (n * n * (N - 2 * n)).sum())
    # ordered triples of three different groups (i, j, k); one broker group j at a time
    liaison = 0.0
    for jj in range(len(n)):
        ni, nk = n[:, None], n[None, :]
        nj = n[jj]
        term = ni * nj * nk * ((4 * (N - nj) - 2 * (ni + nk + 1)) * a
                               - (4 * (N - nk) - 2 * (ni + nj + 1)) * b
                               + (N - (ni + nk + 1)) * c)
        mask = np.ones((len(n), len(n)), dtype=bool)
        np.fill_diagonal(mask, False)
        mask[jj, :] = mask[:, jj] = False
        liaison += term[mask].sum()
    v[4] = liaison
    e[5] = p * N * (N - 1) * (N - 2)
    v[5] = N * (N - 1) * (N - 2) * ((4 * N - 10) * a - 4 * (N - 3) * b + (N - 3) * c)
    v += e * (1 - p)
    return e, np.sqrt(v)


def z_score(observed, expected, sd):
    """``(observed - expected) / sd``, NaN where a role is impossible (0 / 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (observed - expected) / sd


def gould_fernandez(n_nodes: int, sender, receiver, groups) -> dict:
    """Gould-Fernandez brokerage of a directed network: per person and for the whole network.

    Parameters
    ----------
    n_nodes : int
        Number of people, isolates included (positions 0 .. n_nodes - 1).
    sender, receiver : arrays of int
        One directed tie each (``sender`` names ``receiver``); duplicates and self-ties are
        dropped.
    groups : array
        Group of each person (profession, organisation); missing values form a group.

    Returns
    -------
    dict with

    - ``whole``: DataFrame indexed by role (:data:`ROLE_CODES`) with ``role`` (Gould and
      Fernandez's name), ``observed`` (two-paths brokered in that role in the whole network),
      ``expected``, ``sd`` and ``z`` (sna's ``raw.gli``, ``exp.gli``, ``sd.gli``, ``z.gli``);
    - ``observed``, ``expected``, ``sd``, ``z``: ``n_nodes x 6`` arrays per person (sna's
      ``raw.nli``, ``exp.nli``, ``sd.nli``, ``z.nli``);
    - ``groups``: DataFrame per group (``group, members`` and for each role the expected count
      of one member, ``exp_<role>``, and its sd ``sd_<role>``: sna's ``exp.grp``, ``sd.grp``);
    - ``density`` ``m / (N (N - 1))`` and ``ties`` ``m``.

    Notes
    -----
    The density is of the directed graph, ``m / (N (N - 1))``. Expected values treat every
    ordered pair as tied independently with that probability (Gould and Fernandez 1989), so in
    a programme whose cohorts do not name one another the expectations spread over pairs that
    could never be tied, and cross-group roles look rarer than chance. A z-score is missing
    (NaN) where the role is impossible (sd 0), for example coordinators in a group of two.
    Missing data: a person who named nobody is an isolate unless someone named them.

    References
    ----------
    Gould RV, Fernandez RM (1989). Sociological Methodology 19:89-126.

    Examples
    --------
    Seven people in three groups:

    >>> from helpers.brokerage import gould_fernandez
    >>> sender = [0, 1, 2, 0, 3, 3, 4, 5, 6, 2]
    >>> receiver = [1, 2, 0, 3, 5, 4, 1, 6, 3, 5]
    >>> groups = ["a", "a", "a", "b", "b", "c", "c"]
    >>> gf = gould_fernandez(7, sender, receiver, groups)
    >>> print(gf["whole"].round(6).to_string())
                    role  observed  expected        sd         z
    w_I      coordinator       3.0  0.259151  0.565327  4.848253
    w_O        itinerant       1.0  1.900443  1.691782 -0.532245
    b_IO  representative       4.0  1.900443  1.697946  1.236527
    b_OI      gatekeeper       5.0  1.900443  1.697946  1.825474
    b_O          liaison       1.0  3.109815  2.280016 -0.925351
    t              total      14.0  9.070295  5.046343  0.976887
    >>> gf["observed"][3]
    array([0., 1., 0., 2., 1., 4.])
    >>> gf["z"][3].round(6)
    array([      nan,  1.031905, -0.378221,  3.124485,  0.571337,  1.654189])

    In R (ties as an adjacency matrix, people numbered from 1): ``b <- sna::brokerage(g,
    c("a", "a", "a", "b", "b", "c", "c"))`` gives ``b$raw.gli`` 3 1 4 5 1 14, ``b$exp.gli``
    0.259151 1.900443 1.900443 1.900443 3.109815 9.070295, ``b$z.gli`` 4.848253 -0.532245
    1.236527 1.825474 -0.925351 0.976887, and for the fourth person ``b$raw.nli`` 0 1 0 2 1 4
    and ``b$z.nli`` NaN 1.031905 -0.378221 3.124485 0.571337 1.654189.
    """
    labels = pd.Series(np.asarray(groups, dtype=object)).fillna("(missing)")
    codes, uniques = pd.factorize(labels)
    if len(codes) != n_nodes:
        raise ValueError(f"groups has {len(codes)} entries for {n_nodes} people")
    observed = role_counts(n_nodes, sender, receiver, codes)
    ties = len(_tie_keys(n_nodes, sender, receiver))
    density = ties / (n_nodes * (n_nodes - 1)) if n_nodes > 1 else np.nan
    sizes = np.bincount(codes, minlength=len(uniques)).astype(float)
    e_grp, sd_grp = expected_by_group(sizes, density)
    e_all, sd_all = expected_whole(sizes, density)
    expected, sd = e_grp[codes], sd_grp[codes]
    whole = pd.DataFrame({"role": [ROLES[r] for r in ROLE_CODES],
                          "observed": observed.sum(axis=0), "expected": e_all, "sd": sd_all,
                          "z": z_score(observed.sum(axis=0), e_all, sd_all)},
                         index=ROLE_CODES)
    # built in one go: a programme of many cohorts calls this once per cohort, wave and
    # attribute, and adding twelve columns one at a time dominated that
    per_role = {}
    for c, r in enumerate(ROLE_CODES):
        per_role[f"exp_{r}"] = e_grp[:, c]
        per_role[f"sd_{r}"] = sd_grp[:, c]
    grp = pd.DataFrame({"group": list(uniques), "members": sizes.astype(int), **per_role})
    return {"whole": whole, "observed": observed, "expected": expected, "sd": sd,
            "z": z_score(observed, expected, sd), "groups": grp, "density": density, "ties": ties}
