"""Strict notebook parameters, read from the ``parameters`` cell with :mod:`ast`.

Papermill only warns about unknown parameter names (papermill issue #818) and its inspector
misreads annotated assignments, so leadeval reads the cell itself. A parameter is an annotated
assignment (``cohort_id: str | None = None``); an annotation without a value
(``programme_id: str``) declares a required parameter. Plain assignments are accepted with the
type of their literal default.

Nothing here imports papermill or nbformat: the checks run before any job starts and on the
no-op path of an incremental run.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.runner.exceptions import ParameterError

#: Types a parameter may declare; values arrive from YAML/JSON so these are all that can occur.
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
    "None": (type(None),),
}

_MISSING = object()


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter.

    Attributes
    ----------
    name : str
    types : tuple of str
        Allowed type names from ``_TYPES``; empty means any type.
    default : object
        The literal default, or ``None`` when required.
    required : bool
        True when the cell declares the name without a value.
    """

    name: str
    types: tuple[str, ...] = field(default=())
    default: Any = None
    required: bool = False

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has one of the declared types (bool is never an int)."""
        if not self.types:
            return True
        for t in self.types:
            allowed = _TYPES[t]
            if isinstance(value, bool) and bool not in allowed:
                continue
            if isinstance(value, allowed):
                return True
        return False

    def type_text(self) -> str:
        return " | ".join(self.types) if self.types else "any"


def read_notebook_json(path: str | Path) -> dict:
    """The notebook as plain JSON (no nbformat import: it costs about a second)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parameters_source(nb: dict) -> str | None:
    """Source of the first cell tagged ``parameters``, or None when there is none."""
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            return _source(cell)
    return None


def first_heading(cells: list) -> str | None:
    """Text of the first markdown heading in the notebook (the report title); here, not in
    :mod:`helpers.runner.export`, so that the parent process names its jobs without nbconvert."""
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in _source(cell).splitlines():
            if line.strip().startswith("#"):
                return line.strip().lstrip("#").strip() or None
    return None


def _annotation_types(node: ast.expr, where: str) -> tuple[str, ...]:
    if isinstance(node, ast.Constant) and node.value is None:
        return ("None",)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "str | None" as a string
        return _annotation_types(ast.parse(node.value, mode="eval").body, where)
    if isinstance(node, ast.Name):
        if node.id in _TYPES:
            return (node.id,)
        if node.id == "Any":
            return ()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _annotation_types(node.left, where), _annotation_types(node.right, where)
        return () if not left or not right else tuple(dict.fromkeys(left + right))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "Optional":
            inner = _annotation_types(node.slice, where)
            return () if not inner else tuple(dict.fromkeys(inner + ("None",)))
        if node.value.id in ("list", "dict"):
            return (node.value.id,)
    raise ValueError(f"{where}: unsupported parameter annotation {ast.unparse(node)!r}")


def _literal_type(value: Any) -> tuple[str, ...]:
    for name in ("bool", "int", "float", "str", "list", "dict"):
        if type(value) is _TYPES[name][-1]:
            return ("float",) if name == "float" else (name,)
    return ()


def parse_parameters(source: str, where: str = "parameters cell") -> dict[str, ParamSpec]:
    """Declared parameters of a ``parameters`` cell.

    Parameters
    ----------
    source : str
        The cell's Python source.
    where : str
        Names the notebook in error messages.

    Returns
    -------
    dict
        Parameter name -> :class:`ParamSpec`, in declaration order.

    Raises
    ------
    ValueError
        When the cell is not valid Python or an annotation is not one leadeval understands.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{where}: the parameters cell is not valid Python ({exc.msg})") from exc
    specs: dict[str, ParamSpec] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            types = _annotation_types(stmt.annotation, f"{where}, {name}")
            if stmt.value is None:
                specs[name] = ParamSpec(name, types, None, required=True)
            else:
                try:
                    default = ast.literal_eval(stmt.value)
                except ValueError:
                    default = _MISSING
                specs[name] = ParamSpec(name, types, None if default is _MISSING else default)
        elif isinstance(stmt, ast.Assign):
            try:
                default = ast.literal_eval(stmt.value)
            except ValueError:
                default = None
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    specs[target.id] = ParamSpec(target.id, _literal_type(default), default)
    return specs


def check_parameters(specs: dict[str, ParamSpec], values: dict[str, Any]) -> list[str]:
    """Every way ``values`` disagrees with ``specs``: unknown names, missing values, wrong types."""
    problems = []
    for name in values:
        if name not in specs:
            known = ", ".join(specs) or "none"
            problems.append(f"unknown parameter {name!r} (the notebook declares: {known})")
    for name, spec in specs.items():
        if name not in values:
            if spec.required:
                problems.append(f"missing required parameter {name!r} ({spec.type_text()})")
            continue
        if not spec.accepts(values[name]):
            problems.append(
                f"parameter {name!r} should be {spec.type_text()}, got "
                f"{type(values[name]).__name__} {values[name]!r}"
            )
    return problems


def declares(notebook: dict, name: str) -> bool:
    """Whether the notebook's parameters cell assigns ``name`` (False without such a cell)."""
    source = parameters_source(notebook)
    if source is None:
        return False
    try:
        return name in parse_parameters(source)
    except (ValueError, SyntaxError):  # reported with the job by validate_job_parameters
        return False


def validate_job_parameters(notebook: dict, values: dict[str, Any], job: str) -> dict[str, ParamSpec]:
    """Check one job's parameters against its notebook; raise :class:`ParameterError` on any problem."""
    source = parameters_source(notebook)
    if source is None:
        if values:
            raise ParameterError(job, ["the notebook has no cell tagged 'parameters'"])
        return {}
    try:
        specs = parse_parameters(source, job)
    except ValueError as exc:
        raise ParameterError(job, [str(exc)]) from exc
    problems = check_parameters(specs, values)
    if problems:
        raise ParameterError(job, problems)
    return specs
