"""YAML from files a user hands over (dataset.yaml, reports.yaml, import maps): safe types only,
and a bound on what anchors and aliases can make of a small file.

A YAML alias (``*a``) repeats the node its anchor (``&a``) names. PyYAML builds the repeats as
references to one object, so ``yaml.safe_load`` of the "billion laughs" file (nine aliases to a
list of nine aliases to ... nine levels deep) returns at once, but anything that then walks the
value, prints it, copies it or hashes it visits 9**9 items and runs out of memory. An alias may
also name a node that contains it, which makes a value without an end.

:func:`load` therefore composes the document, measures what the aliases add before anything is
constructed, and refuses (:class:`LimitError`, a ``yaml.MarkedYAMLError`` with the line) a
document whose aliases add more than :data:`MAX_ALIAS_NODES` nodes to it, an alias inside its
own anchor, or nesting deeper than :data:`MAX_DEPTH`. Ordinary reuse (one set of labels shared
by three instruments) stays well inside the bound.

The measure: a document composed as a graph of distinct nodes, where node ``k`` is referred to
``r(k)`` times and stands for ``s(k)`` nodes once expanded, expands to
``distinct + sum_k (r(k) - 1) * s(k)`` nodes. It is computed in one pass over the graph, without
expanding anything.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.composer import ComposerError

#: Nodes that aliases may add to a document, in all.
MAX_ALIAS_NODES = 10_000
#: Levels of nesting (of the expanded document); dataset.yaml needs five.
MAX_DEPTH = 32
#: Size of a YAML file read by :func:`load_path`.
MAX_BYTES = 1_000_000

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LimitError(ComposerError):
    """The document is refused by a bound; ``problem`` says which, ``problem_mark`` where."""

    def __init__(self, problem: str, mark=None):
        super().__init__(problem=problem, problem_mark=mark)


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_node(root) -> int:
    """Refuse a composed document that aliases would blow up; returns its expanded node count.

    Raises
    ------
    LimitError
        An alias inside its own anchor, nesting deeper than :data:`MAX_DEPTH`, or aliases
        adding more than :data:`MAX_ALIAS_NODES` nodes.
    """
    size: dict[int, int] = {}
    refs: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    added = 0
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        kids = _children(node)
        if finished:
            on_path.discard(key)
            total, deepest = 1, 0
            for kid in kids:
                k = id(kid)
                refs[k] = refs.get(k, 0) + 1
                if refs[k] > 1:
                    added += size[k]
                total += size[k]
                deepest = max(deepest, depth[k])
            size[key], depth[key] = total, deepest + 1
            if added > MAX_ALIAS_NODES:
                raise LimitError(f"at most {MAX_ALIAS_NODES:,} values repeated by aliases (*name) in "
                                 f"all (these repeat {added:,}): write the values out",
                                 node.start_mark)
            if depth[key] > MAX_DEPTH:
                raise LimitError(f"values nested at most {MAX_DEPTH} levels deep", node.start_mark)
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for kid in reversed(kids):
            if id(kid) in on_path:
                raise LimitError("no alias (*name) inside the value its anchor (&name) names",
                                 kid.start_mark)
            if id(kid) not in size:
                stack.append((kid, False))
    return size[id(root)]


class BoundedSafeLoader(_BASE):
    """PyYAML's safe loader (libyaml when present) that checks the composed document with
    :func:`check_node` before constructing any value from it."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        check_node(node)
        return self.construct_document(node)


def load(text: str):
    """Parse one YAML document with :class:`BoundedSafeLoader`.

    Raises
    ------
    yaml.YAMLError
        Not YAML, or refused by a bound (:class:`LimitError`). The pure-Python composer, used
        when libyaml is missing, recurses once per level: its RecursionError is a LimitError too.

    Examples
    --------
    >>> load("labels: &agree {1: Disagree, 2: Agree}\\nother: *agree")["other"][2]
    'Agree'
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\\n" for p, n in zip("abc", "bcd"))
    >>> def refusal(text):
    ...     try:
    ...         load(text)
    ...     except LimitError as exc:
    ...         return exc.problem_mark.line + 1, exc.problem
    >>> refusal(bomb)
    (4, 'at most 10,000 values repeated by aliases (*name) in all (these repeat 11,097): write the values out')
    >>> refusal("a: &a [1, *a]")
    (1, 'no alias (*name) inside the value its anchor (&name) names')
    """
    try:
        return yaml.load(text, Loader=BoundedSafeLoader)  # noqa: S506 - a safe loader
    except RecursionError:
        raise LimitError(f"values nested at most {MAX_DEPTH} levels deep") from None


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) of every mapping key and list item of a YAML document, by its path as
    the settings checks name it: ``tables.participants``, ``instruments[0].labels``.

    Examples
    --------
    >>> key_lines("name: x\\nredact_names:\\n  - Ann\\n  - 7\\ncosts: {kf: {fixed: 1}}\\n")
    {'name': 1, 'redact_names': 2, 'redact_names[0]': 3, 'redact_names[1]': 4, 'costs': 5, 'costs.kf': 5, 'costs.kf.fixed': 5}
    """
    loader = BoundedSafeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    out: dict[str, int] = {}
    stack = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, yaml.MappingNode):
            items = [(f"{prefix}.{k.value}" if prefix else str(k.value), k, v) for k, v in node.value
                     if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            items = [(f"{prefix}[{i}]", v, v) for i, v in enumerate(node.value)]
        else:
            continue
        for path, where, value in reversed(items):
            if path not in out:
                out[path] = where.start_mark.line + 1
                stack.append((value, path))
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path`` in :func:`key_lines`, or of the nearest enclosing key."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def load_path(path: str | Path, max_bytes: int = MAX_BYTES):
    """:func:`load` of a UTF-8 file (a byte-order mark allowed) of at most ``max_bytes``.

    Raises
    ------
    OSError, UnicodeDecodeError, yaml.YAMLError
    """
    path = Path(path)
    if path.stat().st_size > max_bytes:
        raise LimitError(f"a YAML file of at most {max_bytes // 1000:,} kB")
    return load(path.read_text(encoding="utf-8-sig"))
