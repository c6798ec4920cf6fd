"""The codebook's hierarchy: every parent chain ends at a theme, within a bounded depth.

``codes.parent_id`` makes a tree of themes (codes without a parent) and the codes under them.
The reports walk that tree (roll-ups, the indented codebook, the framework matrix), so a chain
that comes back to where it started (``a -> b -> a``, or a code its own parent) never ends,
and a chain thousands of codes long exhausts Python's recursion limit. Both are refused at
validation: each cycle once, at the row of its first code; each chain deeper than
:data:`MAX_DEPTH` at the first code below that depth. Parents missing from the codebook are
refused by the reference checks of :mod:`helpers.data.validate`.

The walk is iterative and visits each code once (colouring, as in a depth-first search for
cycles: Cormen et al., *Introduction to Algorithms*, 3rd ed., section 22.3), so a codebook of a
million codes in one chain costs one pass.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.errors import Problem

#: Levels a code may sit below its theme.
MAX_DEPTH = 12


def code_depths(parents: dict[str, str | None]) -> tuple[dict[str, int], list[list[str]]]:
    """Depth of each code below its theme (0 for a theme) and the cycles found.

    Parameters
    ----------
    parents : dict
        code_id -> parent_id (None or "" for a theme). A parent that is not a code ends the
        chain (depth counted to it).

    Returns
    -------
    depths : dict
        code_id -> depth; codes in a cycle, or below one, are left out.
    cycles : list of list of str
        Each cycle once, as its codes in chain order, starting from the first in ``parents``.

    Examples
    --------
    >>> code_depths({"t": None, "a": "t", "b": "a"})
    ({'t': 0, 'a': 1, 'b': 2}, [])
    >>> code_depths({"a": "b", "b": "a", "c": "c", "d": "a"})[1]
    [['a', 'b'], ['c']]
    """
    depths: dict[str, int] = {}
    doomed: set[str] = set()   # in a cycle, or below one
    cycles: list[list[str]] = []
    for start in parents:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while True:
            if not node:
                base = -1          # path[-1] is a theme
                break
            if node not in parents:
                base = 0           # an unknown parent (refused elsewhere) counts as a theme
                break
            if node in depths:
                base = depths[node]
                break
            if node in doomed or node in on_path:
                if node in on_path:
                    cycles.append(path[on_path[node]:])
                doomed.update(path)
                path = []
                break
            on_path[node] = len(path)
            path.append(node)
            node = parents[node]
        for i, code in enumerate(path):
            depths[code] = base + len(path) - i
    return depths, cycles


def check_codebook(tables: dict[str, pd.DataFrame], files: dict[str, str],
                   problems: list[Problem]) -> None:
    """Append a Problem for each cycle of ``codes.parent_id`` and each chain too deep."""
    codes = tables.get("codes")
    if codes is None or not {"code_id", "parent_id"} <= set(codes.columns) or codes.empty:
        return
    first = codes.loc[~codes["code_id"].duplicated() & codes["code_id"].notna()]
    parents = {str(c): (None if pd.isna(p) or p == "" else str(p))
               for c, p in zip(first["code_id"], first["parent_id"])}
    row_of = dict(zip(first["code_id"].astype(str), first.index))
    depths, cycles = code_depths(parents)
    file = files["codes"]
    for cycle in cycles:
        shown = " -> ".join(cycle + [cycle[0]])
        problems.append(Problem(file, int(row_of[cycle[0]]), "parent_id", parents[cycle[0]],
                                f"a parent_id that does not lead back to {cycle[0]} "
                                f"(the parents make a cycle: {shown})"))
    for code, depth in depths.items():
        if depth == MAX_DEPTH + 1:
            problems.append(Problem(file, int(row_of[code]), "parent_id", parents[code],
                                    f"a code at most {MAX_DEPTH} levels below its theme "
                                    f"(this one is deeper)"))
