"""The import map: which export columns go where, read from YAML with the line of every key.

A map says, for one target table, where each of its columns comes from. A column's source is a
*field*: a constant (``wave: post``), an export column (``{column: RecordedDate}``, by name,
Qualtrics ImportId, 0-based position or a list of alternative names for headers that change
between months), optionally recoded (``map: {baseline_arm_1: baseline}``), looked up
(``lookup: ids.csv``, columns export_id, participant_id), cut out with a regular expression
(``pattern:``) or read from the export's file name (``from_filename:``). Every mistake in the map
is a :class:`~helpers.data.errors.Problem` at the map file's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers import safeyaml
from helpers.data.coerce import choice_key
from helpers.data.errors import Problem
from helpers.data.schema import RATERS, TABLES, WAVES

TARGETS = ("responses", "kpi_values", "ties", "participants", "attendance", "careers")
FORMATS = ("auto", "qualtrics", "spss", "stata", "redcap", "csv", "xlsx")
COMMON_KEYS = ("into", "format", "sheet", "dictionary", "drop", "filter", "numbers")
TARGET_KEYS = {
    "responses": ("participant_id", "instrument", "wave", "rater", "rater_id", "response_date",
                  "items", "missing", "recode", "add_items"),
    "kpi_values": ("project_id", "period", "value"),
    "ties": ("layout", "from", "to", "tie_type", "wave", "outside"),
    "participants": tuple(TABLES["participants"].names),
    "attendance": tuple(TABLES["attendance"].names),
    "careers": tuple(TABLES["careers"].names),
}
REQUIRED = {
    "responses": ("participant_id", "instrument", "wave", "rater", "items"),
    "kpi_values": ("project_id", "period", "value"),
    "ties": ("from", "to", "wave"),
    "participants": ("participant_id", "cohort_id", "profession"),
    "attendance": ("participant_id", "module", "attended"),
    "careers": ("participant_id", "event"),
}
FIELD_KEYS = ("column", "columns", "map", "lookup", "pattern", "from_filename")


@dataclass
class ImportMap:
    """A checked import map.

    Attributes
    ----------
    path : Path
        The map file; relative ``lookup:`` and ``dictionary:`` paths are read beside it.
    raw : dict
        The YAML as written (fields are interpreted by :mod:`helpers.intake.fields`).
    lines : dict
        Dotted key (``items.Q8_1``, ``wave.map``) -> line in the map file.
    """

    path: Path
    raw: dict
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def into(self) -> str:
        return self.raw["into"]

    def get(self, key: str, default=None):
        return self.raw.get(key, default)

    def line(self, key: str) -> int | None:
        """The line of ``key`` (or of its nearest parent written in the map)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return None

    def problem(self, key: str, value: object, expected: str) -> Problem:
        return Problem(self.label, self.line(key), key, value, expected)

    def beside(self, name: str) -> Path:
        """A file named in the map, relative to the map's folder."""
        path = Path(name)
        return path if path.is_absolute() else self.path.parent / path


def _lines(node, prefix: str, out: dict[str, int]) -> None:
    """Record the line of every mapping key under ``node`` (yaml.compose keeps the marks)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{prefix}.{key.value}" if prefix else str(key.value)
            out[name] = key.start_mark.line + 1
            _lines(value, name, out)


def read_map(path: str | Path) -> tuple[ImportMap | None, list[Problem]]:
    """Read and check a map file; (None, problems) when it cannot be used at all."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        return None, [Problem(label, None, None, str(path), "an import map file (YAML) that exists")]
    if path.stat().st_size > safeyaml.MAX_BYTES:
        return None, [Problem(label, None, None, None,
                              f"an import map of at most {safeyaml.MAX_BYTES // 1000:,} kB")]
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = safeyaml.load(text)
        lines: dict[str, int] = {}
        _lines(yaml.compose(text, Loader=safeyaml.BoundedSafeLoader), "", lines)
    except UnicodeDecodeError:
        return None, [Problem(label, None, None, None, "an import map saved as UTF-8 text")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or exc
        expected = reason if isinstance(exc, safeyaml.LimitError) else f"valid YAML ({reason})"
        return None, [Problem(label, mark.line + 1 if mark else None, None, None, expected)]
    if not isinstance(raw, dict):
        return None, [Problem(label, 1, None, type(raw).__name__,
                              "a YAML mapping (into: responses, ...)")]
    m = ImportMap(path, raw, lines)
    problems: list[Problem] = []
    into = raw.get("into")
    if into not in TARGETS:
        problems.append(m.problem("into", into, "one of " + ", ".join(TARGETS)))
        return None, problems
    allowed = COMMON_KEYS + TARGET_KEYS[into]
    for key in raw:
        if key not in allowed:
            problems.append(m.problem(str(key), key, f"a key of a map into {into}: "
                                      + ", ".join(allowed)))
    for key in REQUIRED[into]:
        if key not in raw:
            problems.append(Problem(label, None, key, None,
                                    f"a {key}: entry (required for a map into {into})"))
    if raw.get("format", "auto") not in FORMATS:
        problems.append(m.problem("format", raw.get("format"), "one of " + ", ".join(FORMATS)))
    drop = raw.get("drop", [])
    if not isinstance(drop, list):
        problems.append(m.problem("drop", drop, "a list of export columns ([IPAddress, ...])"))
    filt = raw.get("filter", {})
    if not isinstance(filt, dict):
        problems.append(m.problem("filter", filt, "a mapping of column to value ({Code: RR8})"))
    numbers = raw.get("numbers", {})
    if not isinstance(numbers, dict) or not set(numbers) <= {"thousands", "percent"}:
        problems.append(m.problem("numbers", numbers, '{thousands: ",", percent: true}'))
    for key in TARGET_KEYS[into]:
        if key in raw and key not in ("items", "missing", "recode", "add_items", "layout",
                                      "outside", "instrument"):
            problems += check_field(m, key, raw[key])
    if into == "responses":
        problems += _check_responses(m)
    if into == "ties":
        if raw.get("layout", "edges") not in ("edges", "nominations"):
            problems.append(m.problem("layout", raw.get("layout"), "edges or nominations"))
        if raw.get("outside", "drop") not in ("drop", "refuse"):
            problems.append(m.problem("outside", raw.get("outside"), "drop or refuse"))
    for key, allowed_values in (("wave", WAVES), ("rater", RATERS)):
        problems += _check_choice(m, key, allowed_values)
    return (m if not problems else None), problems


def check_field(m: ImportMap, key: str, spec: object) -> list[Problem]:
    """A field is a constant or a mapping of the FIELD_KEYS."""
    if spec is None or isinstance(spec, (str, int, float, bool)):
        return []
    if not isinstance(spec, dict):
        return [m.problem(key, spec, "a constant or {column: ...}")]
    out = [m.problem(f"{key}.{k}", k, "one of " + ", ".join(FIELD_KEYS))
           for k in spec if k not in FIELD_KEYS]
    sources = [k for k in ("column", "columns", "from_filename") if k in spec]
    if len(sources) != 1:
        out.append(m.problem(key, spec, "exactly one of column:, columns: or from_filename:"))
    if "map" in spec and not isinstance(spec["map"], dict):
        out.append(m.problem(f"{key}.map", spec["map"], "a mapping of export value to value"))
    for k in ("pattern", "from_filename"):
        if k in spec:
            try:
                re.compile(str(spec[k]))
            except re.error as exc:
                out.append(m.problem(f"{key}.{k}", spec[k], f"a regular expression ({exc})"))
    return out


def _check_choice(m: ImportMap, key: str, allowed: tuple[str, ...]) -> list[Problem]:
    """A constant wave/rater, and the values of its map, must be ones the contract knows."""
    spec = m.raw.get(key)
    keys = {choice_key(a) for a in allowed}
    values = []
    if isinstance(spec, str):
        values = [(key, spec)]
    elif isinstance(spec, dict) and isinstance(spec.get("map"), dict):
        values = [(f"{key}.map.{k}", v) for k, v in spec["map"].items() if v is not None]
    return [m.problem(where, v, f"a {key} of the dataset contract: " + ", ".join(allowed))
            for where, v in values if choice_key(str(v)) not in keys]


def _check_responses(m: ImportMap) -> list[Problem]:
    out = []
    items = m.raw.get("items")
    if not isinstance(items, (dict, list)) or not items:
        out.append(m.problem("items", items, "a mapping of export column to item_id "
                             "({Q8_1: hlm_01}) or a list of export columns"))
    missing = m.raw.get("missing", [])
    if not isinstance(missing, list):
        out.append(m.problem("missing", missing, "a list of codes ([-99, -1])"))
    recode = m.raw.get("recode", {})
    if not isinstance(recode, dict):
        out.append(m.problem("recode", recode, "a mapping of code to code ({11: 5, 12: 4})"))
    add = m.raw.get("add_items", False)
    if not isinstance(add, (bool, dict)):
        out.append(m.problem("add_items", add, "true, or {scale: ..., min: 1, max: 5}"))
    if not isinstance(m.raw.get("instrument"), str):
        out.append(m.problem("instrument", m.raw.get("instrument"),
                             "an instrument_id declared in dataset.yaml"))
    return out
