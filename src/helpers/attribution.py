"""How a quoted person is described: only by descriptors that at least k people in scope share.

A quote attributed "Lead Nurse, cohort c05" identifies its speaker when c05 has one lead nurse,
however carefully the tables are suppressed. Each participant in a report's scope is therefore
given a *released description*, chosen so that every description is held by at least ``k``
people of the scope (k-anonymity of the released descriptors; Sweeney 2002), where ``k`` is
dataset.yaml ``suppress_below``. Within each cohort, most specific first:

1. role and cohort ("Clinical Lead, cohort c03"), for the role's holders when at least k people
   of the cohort hold it;
2. profession and cohort ("Participant (medical), cohort c03"), for the people not yet
   described, when at least k of them share the profession;
3. cohort alone ("Participant, cohort c03"), for the rest of the cohort. When fewer than k are
   left, the smallest group described at step 2 (else 1) joins them, so this description too
   is held by at least k people;
4. people in a cohort of fewer than k: "Participant", and only when at least k such people are
   in scope; otherwise they are not quoted at all.

Why the cohort is kept in every description rather than dropped for a broader programme-level
one ("Clinical Lead"): a quote in a programme report can appear in its cohort's report too,
which tells the reader the cohort; a description that omits the cohort would then be narrowed
to "Clinical Lead in cohort c03" by the two reports together. With the cohort always named, the
programme report and the cohort report describe the same person alike.

Counting is over everyone in scope (the participants table restricted to the programme or
cohort), and the descriptions depend on the scope alone, never on who happens to be quoted, so
seeing that a quote falls back to a broader description says nothing about its speaker beyond
that description. Speciality, organisation, sex, ethnicity and disability are never used.
"""

from __future__ import annotations

import pandas as pd

#: Descriptor columns used, most specific first; anything else in participants is never shown.
DESCRIPTORS = ("role", "profession", "cohort_id")
#: (level name, columns shared) in the order tried within a cohort.
LEVELS = (("role", ("role", "cohort_id")), ("profession", ("profession", "cohort_id")),
          ("cohort", ("cohort_id",)))


def describe(role: str = "", profession: str = "", cohort: str = "") -> str:
    """The words of a description; empty descriptors are left out.

    Examples
    --------
    >>> describe("Clinical Lead", "medical", "c03")
    'Clinical Lead, cohort c03'
    >>> describe("", "medical", "c03")
    'Participant (medical), cohort c03'
    >>> describe()
    'Participant'
    """
    who = role.strip() if role and role.strip() else (
        f"Participant ({profession.strip()})" if profession and profession.strip() else "Participant")
    return f"{who}, cohort {cohort}" if cohort else who


def _text(people: pd.DataFrame, col: str) -> pd.Series:
    if col not in people.columns:
        return pd.Series("", index=people.index, dtype=object)
    return people[col].astype("string").fillna("").astype(str).str.strip()


def released_descriptors(participants: pd.DataFrame | None, k: int) -> pd.DataFrame:
    """The description under which each participant in scope may be quoted.

    Parameters
    ----------
    participants : the scope's participants (participant_id, cohort_id, role, profession; any
        other column is ignored). Duplicate ids count once.
    k : the smallest group a description may point to (dataset.yaml ``suppress_below``).

    Returns
    -------
    DataFrame indexed by participant_id with ``role``, ``profession`` and ``cohort_id`` (the
    value released, ``""`` where it is withheld), ``level`` (``role``, ``profession``,
    ``cohort``, ``programme`` or ``withheld``), ``label`` (:func:`describe`) and ``quotable``
    (False for ``withheld``: not to be quoted). Every quotable description is shared by at least
    ``k`` participants' descriptions, so it matches at least ``k`` people of the scope.

    Notes
    -----
    Greedy local recoding over the hierarchy role -> profession -> cohort -> programme, applied
    to the whole scope (Sweeney L. k-anonymity: a model for protecting privacy. Int J Uncertain
    Fuzziness Knowl-Based Syst 2002;10:557-570; Samarati P. IEEE TKDE 2001;13:1010-1027).
    Missing descriptors never form a group: a person without a role is described from
    profession onwards.

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": [f"p{i:02d}" for i in range(15)],
    ...     "cohort_id": ["c1"] * 11 + ["c2"] * 2 + ["c3"] * 2,
    ...     "profession": ["medical"] * 8 + ["nursing"] * 3 + ["medical"] * 4,
    ...     "role": ["Consultant"] * 5 + ["Clinical Lead"] * 2 + ["Registrar"] + ["Matron"] * 3
    ...             + ["Consultant"] * 4})
    >>> released_descriptors(people, k=3)["label"].value_counts().to_dict()
    {'Consultant, cohort c1': 5, 'Participant': 4, 'Participant (medical), cohort c1': 3, 'Matron, cohort c1': 3}
    >>> out = released_descriptors(people, k=5)
    >>> out["label"].value_counts().to_dict()
    {'Participant, cohort c1': 6, 'Consultant, cohort c1': 5, 'Participant': 4}
    >>> out.loc[["p00", "p05", "p11"], ["level", "quotable"]].values.tolist()
    [['role', True], ['cohort', True], ['withheld', False]]
    """
    cols = ["role", "profession", "cohort_id", "level", "label", "quotable"]
    if participants is None or participants.empty or "participant_id" not in participants:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="participant_id"))
    people = participants.drop_duplicates("participant_id").set_index(
        participants.drop_duplicates("participant_id")["participant_id"].astype(str))
    values = pd.DataFrame({c: _text(people, c) for c in DESCRIPTORS}, index=people.index)
    level = pd.Series("", index=people.index, dtype=object)
    cohort_size = values.groupby("cohort_id")["cohort_id"].transform("size")
    small = (cohort_size < k) | (values["cohort_id"] == "")
    for cohort, members in values[~small].groupby("cohort_id", sort=True).groups.items():
        left = pd.Index(members)
        for name, keys in LEVELS[:-1]:
            cand = values.loc[left]
            cand = cand[cand[keys[0]] != ""]
            sizes = cand.groupby(list(keys))[keys[0]].transform("size")
            take = sizes.index[sizes >= k]
            level[take] = name
            left = left.difference(take)
        if 0 < len(left) < k:  # too few for "cohort" alone: widen the smallest described group
            for name, keys in reversed(LEVELS[:-1]):
                done = values.loc[level.index[level == name].intersection(pd.Index(members))]
                if len(done):
                    groups = done.groupby(list(keys)).groups
                    smallest = min(groups, key=lambda g: (len(groups[g]), str(g)))
                    left = left.union(pd.Index(groups[smallest]))
                    break
        level[left] = "cohort"
    pooled = level.index[small]
    level[pooled] = "programme" if len(pooled) >= k else "withheld"
    out = values.copy()
    out.loc[level.isin(["profession", "cohort", "programme", "withheld"]), "role"] = ""
    out.loc[level.isin(["cohort", "programme", "withheld"]), "profession"] = ""
    out.loc[level.isin(["programme", "withheld"]), "cohort_id"] = ""
    out["level"] = level
    out["label"] = [describe(r, p, c) for r, p, c in zip(out["role"], out["profession"], out["cohort_id"])]
    out["quotable"] = level != "withheld"
    out.index.name = "participant_id"
    return out[cols]


def smallest_match(shown: pd.DataFrame, participants: pd.DataFrame) -> pd.Series:
    """For each row of released descriptors, how many participants in scope match every
    descriptor it shows (``""`` matches anyone): the check that no quote points to fewer than
    ``k`` people, independent of how the descriptions were chosen.

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c"], "cohort_id": ["c1", "c1", "c2"],
    ...                        "profession": ["medical"] * 3, "role": ["Consultant"] * 3})
    >>> shown = pd.DataFrame({"role": ["Consultant", ""], "profession": ["", "medical"],
    ...                       "cohort_id": ["c1", ""]})
    >>> smallest_match(shown, people).tolist()
    [2, 3]
    """
    values = pd.DataFrame({c: _text(participants.drop_duplicates("participant_id"), c)
                           for c in DESCRIPTORS})
    counts = []
    for row in shown[list(DESCRIPTORS)].fillna("").astype(str).itertuples(index=False):
        hit = pd.Series(True, index=values.index)
        for col, value in zip(DESCRIPTORS, row):
            if value:
                hit &= values[col] == value
        counts.append(int(hit.sum()))
    return pd.Series(counts, index=shown.index, dtype=int)


def rule_sentences(k: int) -> list[str]:
    """The attribution rule in words, for a report's methods text.

    Examples
    --------
    >>> rule_sentences(5)[0][:60]
    'Quotes are attributed only by descriptors that at least 5 pe'
    """
    return [
        f"Quotes are attributed only by descriptors that at least {k} people in this report's "
        "scope share: a role with its cohort where at least "
        f"{k} people of the cohort hold that role, else the profession with the cohort, else the "
        f"cohort alone (a cohort's last few people are grouped with another small group so that "
        f"this too covers at least {k}); people in cohorts of fewer than {k} are described only "
        f"as \"Participant\", and only when at least {k} such people are in scope.",
        "People who cannot be described that way, and everyone in a scope of fewer than "
        f"{k} participants, are not quoted. The description depends on who is in scope, never on "
        "who is quoted, and always names the cohort, so a programme report and a cohort report "
        "describe a speaker alike.",
        "No speciality, organisation or personal characteristic is used, and no label follows "
        "one person from quote to quote: the framework matrix has one row per group of people "
        "sharing a description, and within a row each exemplar comes from a different person.",
        "E-mail addresses, phone numbers, NHS numbers and the names listed in dataset.yaml are "
        "redacted from every quote.",
    ]
