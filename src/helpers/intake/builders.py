"""Turn one export into rows of a target table (text cells), remembering where each came from.

Each builder returns a :class:`Built`: the new rows in the target table's columns and, per row,
the export file, row and the export column behind each target column, so that a value refused
later (by the loader's typing and cross-table checks) is reported at the export's cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from helpers.data.errors import Problem
from helpers.data.readers import canonical_column
from helpers.data.schema import TABLES
from helpers.data.validate import identifying
from helpers.intake.exports import Export
from helpers.intake.fields import Field, _key, closest, resolve
from helpers.intake.mapfile import ImportMap


@dataclass
class Built:
    """New rows for one table (``frame``, text) and their origin (file, row, column per target
    column); ``items``: rows for the items table (``add_items``); ``notes``: what was left out."""

    frame: pd.DataFrame
    origin: pd.DataFrame
    items: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What builders need from the dataset: its typed tables and instruments, lookups read."""

    tables: dict[str, pd.DataFrame]
    instruments: dict[str, dict]
    lookups: dict = field(default_factory=dict)


def prepare(m: ImportMap, export: Export, problems: list[Problem]) -> Export:
    """Drop the ``drop:`` columns, refuse identifying columns left, keep the ``filter:`` rows."""
    drop = [export.resolve(c) for c in m.get("drop", []) or []]
    frame = export.frame.drop(columns=[c for c in drop if c is not None])
    table = TABLES[m.into]
    for column in frame.columns:
        flagged = column in export.identifiers
        if flagged or identifying(canonical_column(column), table):
            why = ("the data dictionary marks it Identifier? = y" if flagged else
                   "its name says it identifies a person")
            problems.append(Problem(export.label, 1, column, column,
                                    f"the column listed under drop: in {m.label} ({why}; it is "
                                    "never read when dropped)"))
    keep = pd.Series(True, index=frame.index)
    for name, wanted in (m.get("filter", {}) or {}).items():
        column = export.resolve(name)
        if column is None:
            problems.append(m.problem(f"filter.{name}", name, closest(name, export)))
            continue
        allowed = wanted if isinstance(wanted, list) else [wanted]
        keep &= frame[column].map(_key).isin([_key(w) for w in allowed])
    return Export(export.path, export.label, export.format, frame[keep], export.texts,
                  export.import_ids, export.ranges, export.labels, export.identifiers)


def numbers(values: pd.Series, settings: dict) -> pd.Series:
    """Accept ``16,769`` and ``63.80%`` when the map's ``numbers:`` says so."""
    sep = settings.get("thousands")
    if sep:
        grouped = values.str.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(str(sep)) + r"\d{3})+(?:\.\d+)?")
        values = values.where(~grouped, values.str.replace(str(sep), "", regex=False))
    if settings.get("percent"):
        values = values.str.replace(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$", r"\1", regex=True)
    return values


def _fields(m: ImportMap, export: Export, keys: list[str], problems: list[Problem],
            ctx: Context) -> dict[str, Field] | None:
    out = {}
    for key in keys:
        if key in m.raw:
            f = resolve(m, key, m.raw[key], export, problems, ctx.lookups)
            if f is None:
                return None
            out[key] = f
    return out


def _participants_known(ctx: Context) -> set[str]:
    p = ctx.tables.get("participants")
    return set() if p is None else set(p["participant_id"].dropna().astype(str))


def _ids(m: ImportMap, export: Export, key: str, f: Field, problems: list[Problem],
         ctx: Context, outside: str = "refuse") -> pd.Series:
    """Participant ids: with ``outside: refuse`` a lookup miss or an id that is not among the
    participants is a problem located in the export; returns the rows whose id is a miss or
    not known, which ``outside: drop`` leaves out."""
    known = _participants_known(ctx)
    values = f.values
    unknown = (values != "") & ~values.isin(known) & ~f.unmatched
    missing = f.unmatched | unknown
    blank = (values == "") & ~f.unmatched
    if outside == "refuse":
        for row in values.index[f.unmatched][:100]:
            problems.append(Problem(export.label, int(row), f.source,
                                    export.frame.at[row, f.source] if f.source else None,
                                    f"an export id listed in {m.raw[key].get('lookup')} "
                                    f"({key}.lookup in {m.label})"))
        for row in values.index[unknown][:100]:
            problems.append(Problem(export.label, int(row), f.source, values.at[row],
                                    "the participant_id of someone in participants.csv"))
    if key == "participant_id":
        for row in values.index[blank][:100]:
            problems.append(Problem(export.label, int(row), f.source, "",
                                    "a participant id (this row has none)"))
    return missing


def _origin(export: Export, rows: pd.Index, sources: dict[str, str | None]) -> pd.DataFrame:
    out = pd.DataFrame({"file": export.label, "row": rows.to_numpy()})
    for col, src in sources.items():
        out[col] = src
    return out


def build_flat(m: ImportMap, export: Export, problems: list[Problem], ctx: Context) -> Built | None:
    """One row per export row: kpi_values, participants, attendance, careers."""
    table = TABLES[m.into]
    fields = _fields(m, export, list(table.names), problems, ctx)
    if fields is None:
        return None
    skip = pd.Series(False, index=export.frame.index)
    for f in fields.values():
        skip |= f.skip
    pid = fields.get("participant_id")
    if pid is not None and m.into != "participants":
        _ids(m, export, "participant_id", pid, problems, ctx)
    elif pid is not None and pid.unmatched.any():
        for row in pid.values.index[pid.unmatched][:100]:
            problems.append(Problem(export.label, int(row), pid.source, None,
                                    f"an export id listed in the lookup of participant_id"))
    rows = export.frame.index[~skip]
    frame = pd.DataFrame({c: (fields[c].values[rows].to_numpy() if c in fields else "")
                          for c in table.names}, dtype="object")
    if "value" in frame.columns:
        frame["value"] = numbers(frame["value"].astype(str), m.get("numbers", {}) or {})
    return Built(frame, _origin(export, rows, {c: f.source for c, f in fields.items()}))


def _item_columns(m: ImportMap, export: Export, problems: list[Problem]) -> dict[str, str]:
    """export column -> item_id, from ``items:`` (a mapping, or a list: item_id = column)."""
    items = m.raw["items"]
    pairs = items.items() if isinstance(items, dict) else [(c, canonical_column(c)) for c in items]
    out = {}
    for name, item in pairs:
        column = export.resolve(name)
        if column is None:
            problems.append(m.problem(f"items.{name}", name, closest(name, export)))
            continue
        out[column] = str(item)
    return out


def build_responses(m: ImportMap, export: Export, problems: list[Problem],
                    ctx: Context) -> Built | None:
    """One row per answered item of each export row."""
    iid = str(m.raw["instrument"])
    if iid not in ctx.instruments:
        problems.append(m.problem("instrument", iid, "an instrument_id declared under "
                                  "instruments in dataset.yaml (" + ", ".join(ctx.instruments)
                                  + ")"))
        return None
    fields = _fields(m, export, ["participant_id", "wave", "rater", "rater_id", "response_date"],
                     problems, ctx)
    columns = _item_columns(m, export, problems)
    if fields is None:
        return None
    items = ctx.tables.get("items")
    known = set() if items is None else set(
        items.loc[items["instrument_id"] == iid, "item_id"].astype(str))
    add = m.get("add_items", False)
    new_items = []
    for column, item in columns.items():
        if item in known:
            continue
        if not add:
            problems.append(m.problem(f"items.{column}" if f"items.{column}" in m.lines else "items",
                                      item, f"an item_id of instrument {iid} in the items table "
                                      f"({', '.join(sorted(known)) or 'none'}), or add_items: "
                                      "true to add it"))
            continue
        settings = add if isinstance(add, dict) else {}
        low, high = settings.get("min"), settings.get("max")
        if low is None or high is None:
            low, high = export.ranges.get(column, export.ranges.get(column.split("___")[0],
                                                                    (None, None)))
        if low is None or high is None:
            problems.append(m.problem("add_items", column,
                                      f"a min and max for new item {item} (the export gives no "
                                      "value labels: write add_items: {min: 1, max: 5})"))
            continue
        known.add(item)
        new_items.append({"instrument_id": iid, "item_id": item,
                          "scale": str(settings.get("scale") or ""),
                          "text": export.texts.get(column, ""), "min": _key(low),
                          "max": _key(high), "reverse_scored": "false"})
    pid = fields["participant_id"]
    _ids(m, export, "participant_id", pid, problems, ctx)
    skip = pd.Series(False, index=export.frame.index)
    for f in fields.values():
        skip |= f.skip
    instrument_missing = [_key(c) for c in ctx.instruments[iid].get("missing", [])]
    missing = {_key(c) for c in (m.get("missing", []) or [])} | set(instrument_missing)
    recode = m.get("recode", {}) or {}
    per_column = {export.resolve(k): v for k, v in recode.items() if isinstance(v, dict)}
    common = {_key(k): _key(v) for k, v in recode.items() if not isinstance(v, dict)}
    parts = []
    seen: dict[tuple, str] = {}
    for column, item in columns.items():
        raw = export.frame[column].astype("object")
        keys = raw.map(_key)
        table = {_key(k): _key(v) for k, v in per_column.get(column, {}).items()} or common
        values = keys.map(table).where(keys.isin(table), raw)
        values = values.where(~keys.isin(missing), "")
        values = numbers(values.astype(str), m.get("numbers", {}) or {})
        take = (values != "") & ~skip
        rows = export.frame.index[take]
        for row in rows:
            k = (row, item)
            if k in seen:
                problems.append(Problem(export.label, int(row), column, raw[row],
                                        f"one answer to item {item} per row (column "
                                        f"{seen[k]} already answers it)"))
            seen[k] = column
        part = pd.DataFrame({
            "participant_id": pid.values[rows].to_numpy(), "instrument_id": iid,
            "item_id": item, "wave": fields["wave"].values[rows].to_numpy(),
            "rater": fields["rater"].values[rows].to_numpy(),
            "rater_id": fields["rater_id"].values[rows].to_numpy() if "rater_id" in fields else "",
            "value": values[rows].to_numpy(),
            "response_date": (fields["response_date"].values[rows].to_numpy()
                              if "response_date" in fields else ""),
        }, dtype="object")
        origin = _origin(export, rows, {c: f.source for c, f in fields.items()})
        origin["value"] = origin["item_id"] = column
        parts.append((part, origin))
    columns_out = list(TABLES["responses"].names)
    frame = pd.concat([p for p, _ in parts], ignore_index=True) if parts else \
        pd.DataFrame(columns=columns_out, dtype="object")
    origin = pd.concat([o for _, o in parts], ignore_index=True) if parts else \
        pd.DataFrame(columns=["file", "row"])
    items_frame = pd.DataFrame(new_items, dtype="object") if new_items else None
    return Built(frame[columns_out], origin, items_frame)


def build_ties(m: ImportMap, export: Export, problems: list[Problem], ctx: Context) -> Built | None:
    """Edges (a from and a to column) or nominations (one column per person named)."""
    layout = m.get("layout", "edges")
    outside = m.get("outside", "drop")
    fields = _fields(m, export, ["wave", "tie_type", "from"], problems, ctx)
    if fields is None:
        return None
    to_spec = m.raw["to"]
    targets: list[Field] = []
    if layout == "nominations":
        names = to_spec.get("columns") if isinstance(to_spec, dict) else None
        if not isinstance(names, list):
            problems.append(m.problem("to", to_spec, "{columns: [Nomination1, Nomination2, ...]} "
                                      "for layout: nominations"))
            return None
        for name in names:
            spec = {k: v for k, v in to_spec.items() if k != "columns"} | {"column": name}
            f = resolve(m, "to", spec, export, problems, ctx.lookups)
            if f is not None:
                targets.append(f)
    else:
        f = resolve(m, "to", to_spec, export, problems, ctx.lookups)
        if f is None:
            return None
        targets.append(f)
    source = fields["from"]
    bad_from = _ids(m, export, "from", source, problems, ctx, outside)
    frames, origins, dropped, selfies = [], [], 0, 0
    for f in targets:
        bad_to = _ids(m, export, "to", f, problems, ctx, outside)
        filled = (f.values != "") | f.unmatched
        same = (f.values == source.values) & filled & ~f.unmatched
        keep = filled & ~same & ~bad_from & ~bad_to & ~source.skip
        dropped += int((filled & (bad_from | bad_to)).sum())
        selfies += int(same.sum())
        rows = export.frame.index[keep]
        frames.append(pd.DataFrame({
            "wave": fields["wave"].values[rows].to_numpy(),
            "from_id": source.values[rows].to_numpy(), "to_id": f.values[rows].to_numpy(),
            "tie_type": fields["tie_type"].values[rows].to_numpy() if "tie_type" in fields else "",
        }, dtype="object"))
        origins.append(_origin(export, rows, {"wave": fields["wave"].source,
                                              "from_id": source.source, "to_id": f.source}))
    notes = []
    if dropped and outside == "drop":
        notes.append(f"{export.label}: {dropped} tie(s) to or from people who are not "
                     "participants were left out (outside: drop)")
    if selfies:
        notes.append(f"{export.label}: {selfies} tie(s) from a person to themselves were left out")
    return Built(pd.concat(frames, ignore_index=True), pd.concat(origins, ignore_index=True),
                 notes=notes)


BUILDERS = {"responses": build_responses, "ties": build_ties, "kpi_values": build_flat,
            "participants": build_flat, "attendance": build_flat, "careers": build_flat}
