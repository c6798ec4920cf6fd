"""Read ``dataset.yaml``: safe YAML, defaults filled in, every mistake reported as a Problem."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
from pathlib import Path

import yaml

from helpers import safeyaml
from helpers.data.errors import Problem
from helpers.data.evaluation_meta import check_evaluation
from helpers.data.schema import INSTRUMENT_KINDS, TABLES

META_FILE = "dataset.yaml"
MAX_META_BYTES = 1_000_000

DEFAULTS: dict = {
    "name": None,
    "description": "",
    "synthetic": False,
    "seed": None,
    "suppress_below": 5,
    "observation_end": None,
    "codebook": None,
    "tables": {},
    "sheets": {},
    "redact_names": [],
    "max_file_mb": 150,
    "pseudonymisation": {"enabled": False, "key_env": "LEADEVAL_PSEUDONYM_KEY"},
    "instruments": [],
    "costs": {},
    "benefits": {},
    "equality": {},
    "evaluation": {},
}
COST_FIELDS = ("per_place", "per_participant", "fixed")
INSTRUMENT_DEFAULTS: dict = {"name": None, "kind": "outcome", "min_share_answered": 0.5,
                             "labels": {}, "item_labels": {}, "missing": [], "scales": []}


def _p(column: str, value: object, expected: str, line: int | None = None) -> Problem:
    return Problem(META_FILE, line, column, value, expected)


def read_meta(folder: Path) -> tuple[dict | None, list[Problem]]:
    """Parse and check ``folder/dataset.yaml``.

    Returns
    -------
    meta : dict or None
        The settings with defaults filled in (None when the file cannot be read at all).
    problems : list of Problem
    """
    path = folder / META_FILE
    if not path.is_file():
        return None, [_p(None, None, f"a {META_FILE} file in {folder}")]
    if not path.resolve().is_relative_to(folder.resolve()):
        return None, [_p(None, META_FILE, f"a {META_FILE} inside the dataset folder, not a link "
                                          f"to a file outside it ({path.resolve()})")]
    if path.stat().st_size > MAX_META_BYTES:
        return None, [_p(None, None, f"a {META_FILE} smaller than {MAX_META_BYTES // 1000} kB")]
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = safeyaml.load(text)
    except UnicodeDecodeError:
        return None, [_p(None, None, f"{META_FILE} saved as UTF-8 text")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or "valid YAML"
        expected = reason if isinstance(exc, safeyaml.LimitError) else f"valid YAML ({reason})"
        return None, [_p(None, None, expected, line)]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, [_p(None, type(raw).__name__, "a YAML mapping of settings (name: ..., ...)")]
    meta = copy.deepcopy(DEFAULTS)
    meta.update(raw)
    problems: list[Problem] = []
    _check(meta, problems, folder.resolve().name)
    return meta, with_lines(folder, problems)


def with_lines(folder: Path, problems: list[Problem]) -> list[Problem]:
    """``problems`` with the dataset.yaml line of each setting named by a problem without one."""
    if not any(p.file == META_FILE and p.row is None and p.column for p in problems):
        return problems
    try:
        lines = safeyaml.key_lines((folder / META_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return problems
    return [dataclasses.replace(p, row=safeyaml.line_of(lines, p.column))
            if p.file == META_FILE and p.row is None and p.column else p for p in problems]


def unknown_settings(meta: dict) -> list[Problem]:
    """Top-level keys of dataset.yaml that leadeval does not read (a misspelt
    ``supress_below`` would otherwise leave the default threshold in force without a word)."""
    return [_p(str(key), key, "a setting leadeval reads (" + ", ".join(DEFAULTS) + ")")
            for key in meta if key not in DEFAULTS]


def _scalar_text(value: object) -> bool:
    """Text, or a number YAML read from unquoted text (``name: 2024``)."""
    return isinstance(value, str) or (_finite(value) and not isinstance(value, bool))


def _check(meta: dict, problems: list[Problem], folder_name: str) -> None:
    """Check every setting's type and value, filling in what the checks normalise."""
    if meta["name"] is None:
        meta["name"] = folder_name
    if not _scalar_text(meta["name"]):
        problems.append(_p("name", meta["name"], "the dataset's name as text"))
    meta["name"] = str(meta["name"])
    if meta["description"] is None:
        meta["description"] = ""
    if not _scalar_text(meta["description"]):
        problems.append(_p("description", meta["description"], "a description as text"))
    seed = meta["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        problems.append(_p("seed", seed, "a whole number (the random seed), or no seed"))
    codebook = meta["codebook"]
    if codebook is not None and not isinstance(codebook, str):
        problems.append(_p("codebook", codebook, "the codebook's file name (codes.csv)"))
        meta["codebook"] = None
    sb = meta["suppress_below"]
    if isinstance(sb, bool) or not isinstance(sb, int) or sb < 1:
        problems.append(_p("suppress_below", sb, "a whole number of at least 1"))
    mb = meta["max_file_mb"]
    if not _finite(mb) or mb <= 0:
        problems.append(_p("max_file_mb", mb, "a positive number of megabytes"))
    if not isinstance(meta["synthetic"], bool):
        problems.append(_p("synthetic", meta["synthetic"], "true or false"))
    end = meta["observation_end"]
    if isinstance(end, str):
        try:
            meta["observation_end"] = dt.date.fromisoformat(end)
        except ValueError:
            problems.append(_p("observation_end", end, "a date as yyyy-mm-dd"))
    elif end is not None and not isinstance(end, dt.date):
        problems.append(_p("observation_end", end, "a date as yyyy-mm-dd"))
    for key in ("tables", "sheets"):
        value = meta[key] or {}
        if not isinstance(value, dict):
            problems.append(_p(key, value, "a mapping of table name to file or sheet name"))
            value = {}
        for table, name in value.items():
            if table not in TABLES:
                problems.append(_p(f"{key}.{table}", table, "a table name: " + ", ".join(TABLES)))
            if not (isinstance(name, str) or (key == "sheets" and _scalar_text(name))):
                problems.append(_p(f"{key}.{table}", name, "a file name" if key == "tables"
                                   else "a sheet name"))
        meta[key] = {str(k): str(v) for k, v in value.items()}
    names = meta["redact_names"] if meta["redact_names"] is not None else []
    if not isinstance(names, list):
        problems.append(_p("redact_names", names, "a list of names"))
        names = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            problems.append(_p(f"redact_names[{i}]", name,
                               "a name as text (in quotes when YAML would read it otherwise: - \"1234\")"))
    meta["redact_names"] = [n for n in names if isinstance(n, str)]
    pseudo = meta["pseudonymisation"]
    if not isinstance(pseudo, dict):
        problems.append(_p("pseudonymisation", pseudo, "a mapping with enabled and key_env"))
        pseudo = {}
    meta["pseudonymisation"] = {**DEFAULTS["pseudonymisation"], **pseudo}
    if not isinstance(meta["pseudonymisation"]["enabled"], bool):
        problems.append(_p("pseudonymisation.enabled", meta["pseudonymisation"]["enabled"],
                           "true or false"))
    key_env = meta["pseudonymisation"]["key_env"]
    if not isinstance(key_env, str) or not key_env:
        problems.append(_p("pseudonymisation.key_env", key_env,
                           "the name of an environment variable (LEADEVAL_PSEUDONYM_KEY)"))
        meta["pseudonymisation"]["key_env"] = DEFAULTS["pseudonymisation"]["key_env"]
    meta["instruments"] = _instruments(meta["instruments"], problems)
    _value_for_money(meta, problems)
    _equality(meta, problems)
    meta["evaluation"] = check_evaluation(meta["evaluation"], problems)


def _finite(value: object) -> bool:
    """Whether ``value`` is a number (not a bool) that a float holds: not ``.inf``, ``.nan`` or
    an integer of 400 digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _amount(value: object) -> bool:
    """Whether ``value`` is a money amount or share: a finite number (not a bool) of at least 0."""
    return _finite(value) and value >= 0


def _value_for_money(meta: dict, problems: list[Problem]) -> None:
    """``costs:`` programme -> {currency, per_place, per_participant, fixed} and ``benefits:``
    programme -> [{project_id, unit_value, low, high, unit, source}] (unit values of a KPI)."""
    costs = meta["costs"] or {}
    if not isinstance(costs, dict):
        problems.append(_p("costs", costs, "a mapping of programme_id to {currency, per_place, fixed}"))
        costs = {}
    for prog, c in costs.items():
        if not isinstance(c, dict):
            problems.append(_p(f"costs.{prog}", c, "a mapping such as {currency: GBP, per_place: 2400}"))
            continue
        for key, value in c.items():
            if key in COST_FIELDS and not _amount(value):
                problems.append(_p(f"costs.{prog}.{key}", value, "a number of at least 0"))
            elif key == "currency" and not isinstance(value, str):
                problems.append(_p(f"costs.{prog}.currency", value, "a currency code as text (GBP)"))
            elif key not in COST_FIELDS + ("currency",):
                problems.append(_p(f"costs.{prog}.{key}", key, "one of currency, " + ", ".join(COST_FIELDS)))
    meta["costs"] = {str(k): v for k, v in costs.items() if isinstance(v, dict)}
    benefits = meta["benefits"] or {}
    if not isinstance(benefits, dict):
        problems.append(_p("benefits", benefits, "a mapping of programme_id to a list of unit values"))
        benefits = {}
    clean: dict = {}
    for prog, entries in benefits.items():
        if not isinstance(entries, list):
            problems.append(_p(f"benefits.{prog}", entries, "a list of {project_id, unit_value}"))
            continue
        for i, e in enumerate(entries):
            where = f"benefits.{prog}[{i}]"
            if not isinstance(e, dict) or not e.get("project_id") or not _amount(e.get("unit_value")):
                problems.append(_p(where, e, "a mapping with project_id and unit_value (a number)"))
                continue
            for key in ("low", "high"):
                if key in e and not _amount(e[key]):
                    problems.append(_p(f"{where}.{key}", e[key], "a number of at least 0"))
            clean.setdefault(str(prog), []).append({**e, "project_id": str(e["project_id"])})
    meta["benefits"] = clean


def _equality(meta: dict, problems: list[Problem]) -> None:
    """``equality:`` {reference: {ethnicity: White, ...}, workforce: {programme_id:
    {ethnicity: {White: 0.55, ...}}}}: reference groups and the workforce baseline (shares)."""
    eq = meta["equality"] or {}
    if not isinstance(eq, dict):
        problems.append(_p("equality", eq, "a mapping with reference and workforce"))
        eq = {}
    ref = eq.get("reference") or {}
    if not isinstance(ref, dict):
        problems.append(_p("equality.reference", ref, "a mapping of column to reference group"))
        ref = {}
    work = eq.get("workforce") or {}
    if not isinstance(work, dict):
        problems.append(_p("equality.workforce", work, "a mapping of programme_id to shares"))
        work = {}
    for prog, cols in work.items():
        for col, shares in (cols or {}).items() if isinstance(cols, dict) else [(None, cols)]:
            where = f"equality.workforce.{prog}" + (f".{col}" if col else "")
            ok = isinstance(shares, dict) and all(_amount(v) and v <= 1 for v in shares.values())
            if not ok or abs(sum(shares.values()) - 1) > 0.02:
                problems.append(_p(where, shares, "a mapping of group to share (0 to 1) adding up to 1"))
    for col, group in ref.items():
        if not _scalar_text(group):
            problems.append(_p(f"equality.reference.{col}", group, "a group's name as text"))
    meta["equality"] = {"reference": {str(k): str(v) for k, v in ref.items()},
                        "workforce": work}
def _number(value: object) -> int | float | None:
    """A YAML key or value as a number (1, "1", 1.0 -> 1), None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _labels(labels: object, where: str, problems: list[Problem]) -> dict:
    """A mapping of answer code to label, keys as numbers."""
    labels = labels or {}
    if not isinstance(labels, dict):
        problems.append(_p(where, labels, "a mapping of number to label"))
        return {}
    clean: dict = {}
    for k, v in labels.items():
        number = _number(k)
        if number is None:
            problems.append(_p(where, k, "a number as each label's key (1: Agree)"))
            continue
        if not _scalar_text(v):
            problems.append(_p(f"{where}.{k}", v, "a label as text (1: Strongly disagree)"))
        clean[number] = str(v)
    return clean


def _instruments(value: object, problems: list[Problem]) -> list[dict]:
    """Fill instrument defaults and check ids, kinds, labels and scales."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_p("instruments", value, "a list of instruments"))
        return []
    out: list[dict] = []
    seen: set[str] = set()
    for i, inst in enumerate(value):
        where = f"instruments[{i}]"
        if not isinstance(inst, dict) or not inst.get("instrument_id"):
            problems.append(_p(where, inst, "a mapping with an instrument_id"))
            continue
        inst = {**copy.deepcopy(INSTRUMENT_DEFAULTS), **inst}
        iid = inst["instrument_id"] = str(inst["instrument_id"])
        if iid in seen:
            problems.append(_p(f"{where}.instrument_id", iid, "each instrument_id once"))
        seen.add(iid)
        if inst["kind"] not in INSTRUMENT_KINDS:
            problems.append(_p(f"{where}.kind", inst["kind"], "one of " + ", ".join(INSTRUMENT_KINDS)))
        share = inst["min_share_answered"]
        if not _finite(share) or not 0 < share <= 1:
            problems.append(_p(f"{where}.min_share_answered", share, "a share above 0 and at most 1"))
        inst["labels"] = _labels(inst["labels"], f"{where}.labels", problems)
        per_item = inst["item_labels"] or {}
        if not isinstance(per_item, dict):
            problems.append(_p(f"{where}.item_labels", per_item,
                               "a mapping of item_id to its labels ({hlm_05: {1: Never}})"))
            per_item = {}
        inst["item_labels"] = {str(k): _labels(v, f"{where}.item_labels.{k}", problems)
                               for k, v in per_item.items()}
        missing = inst["missing"] if inst["missing"] is not None else []
        missing = missing if isinstance(missing, list) else [missing]
        codes = []
        for code in missing:
            number = _number(code)
            if number is None:
                problems.append(_p(f"{where}.missing", code,
                                   "numbers that mean \"not answered\" ([-1, -2, 99])"))
            else:
                codes.append(number)
        inst["missing"] = codes
        scales = inst["scales"] or []
        if not isinstance(scales, list) or not all(isinstance(s, dict) and s.get("scale_id")
                                                   for s in scales):
            problems.append(_p(f"{where}.scales", scales, "a list of {scale_id, label}"))
            scales = []
        for j, s in enumerate(scales):
            if not _scalar_text(s["scale_id"]) or not _scalar_text(s.get("label", "")):
                problems.append(_p(f"{where}.scales[{j}]", s, "a scale_id and a label as text"))
        if inst["name"] is not None and not _scalar_text(inst["name"]):
            problems.append(_p(f"{where}.name", inst["name"], "the instrument's name as text"))
        inst["scales"] = [{**s, "scale_id": str(s["scale_id"])} for s in scales]
        out.append(inst)
    return out
