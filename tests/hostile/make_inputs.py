"""Build the hostile-input corpus: datasets made to hurt the loader, overlaid on valid_minimal.

Run ``.venv/bin/python tests/hostile/make_inputs.py`` to rebuild the committed folders under
``tests/hostile/inputs/``. Each folder holds the files that differ from
``tests/data_cases/valid_minimal/`` plus ``case.yaml``, in the format of the export-mistake
corpus (``tests/data_cases/make_corpus.py``): ``attack`` (what the input tries), ``meta``
(keys merged into dataset.yaml), ``expect: refused`` and ``problems`` (exactly the file, row and
column places the loader must report). Cases that cannot be files in git (a link out of the
dataset folder, a read-only folder, ``--out`` naming a file, bombs in reports.yaml or an import
map) are made at test time in ``tests/test_data_hostile.py``.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE.parent / "data_cases" / "valid_minimal"
INPUTS = HERE / "inputs"

#: The "billion laughs" of XML (CVE-2003-1564) in YAML: 9 ** 8 values from a 700-byte tail.
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" if prev else
    f"{name}: &{name} [{', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefg"], "abcdefgh")) + "redact_names: *h\n"


def rows(table: str) -> list[list[str]]:
    with open(BASE / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def to_csv(table_rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table_rows)
    return buf.getvalue()


def edit(table: str, changes: dict[tuple[int, str], str], append: list[list[str]] = ()) -> str:
    """The base table with cells changed (``(spreadsheet row, column): value``), rows added."""
    table_rows = rows(table)
    header = table_rows[0]
    for (row, column), value in changes.items():
        table_rows[row - 1][header.index(column)] = value
    return to_csv(table_rows + list(append))


def cases() -> dict[str, tuple[dict, dict[str, str]]]:
    """name -> (case.yaml, {file name: text})."""
    base_meta = (BASE / "dataset.yaml").read_text(encoding="utf-8")
    bomb_lines = base_meta.count("\n")
    return {
        "yaml_alias_bomb": ({
            "attack": "YAML anchors and aliases expanding 1 kB of dataset.yaml to 43 million values",
            "expect": "refused",
            # the first list whose aliases pass the bound: e, on the fifth line of the tail
            "problems": [{"file": "dataset.yaml", "row": bomb_lines + 5, "column": None}],
        }, {"dataset.yaml": base_meta + BOMB}),
        "kpi_values_not_finite": ({
            "attack": "inf, -inf, nan and 1e308 (two of which add up to inf) as KPI values",
            "expect": "refused",
            "problems": [{"file": "kpi_values.csv", "row": r, "column": "value"}
                         for r in (2, 3, 4, 5)],
        }, {"kpi_values.csv": edit("kpi_values", {(2, "value"): "inf", (3, "value"): "-Infinity",
                                                  (4, "value"): "nan", (5, "value"): "1e308"})}),
        "item_bounds_not_finite": ({
            "attack": "an item ranging from -inf to inf, so any answer is inside it",
            "expect": "refused",
            "problems": [{"file": "items.csv", "row": 5, "column": "min"},
                         {"file": "items.csv", "row": 5, "column": "max"}],
        }, {"items.csv": edit("items", {(5, "min"): "-inf", (5, "max"): "inf"})}),
        "ids_unsafe_as_folders": ({
            "attack": "cohort and programme ids that are paths, report-layout names, control "
                      "characters, too long, or one folder on a case-folding file system",
            "expect": "refused",
            "problems": [
                {"file": "programmes.csv", "row": 4, "column": "programme_id"},
                {"file": "programmes.csv", "row": 5, "column": "programme_id"},
                {"file": "cohorts.csv", "row": 2, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 3, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 5, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 6, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 7, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 8, "column": "cohort_id"},
                {"file": "cohorts.csv", "row": 9, "column": "cohort_id"},
            ],
        }, {
            "programmes.csv": edit("programmes", {}, [
                ["index.html", "Index", "", "", "", "", ""],
                ["logs", "Logs", "", "", "", "", ""]]),
            "cohorts.csv": edit("cohorts", {(2, "cohort_id"): "2011/12", (3, "cohort_id"): "all"}, [
                ["..", "lbs_live", "2024-01-01", "2024-06-30", ""],
                ["c\x07bell", "lbs_live", "2024-01-01", "2024-06-30", ""],
                ["c" * 65, "lbs_live", "2024-01-01", "2024-06-30", ""],
                ["LBS1", "lbs_live", "2024-01-01", "2024-06-30", ""],
                ["CON", "lbs_live", "2024-01-01", "2024-06-30", ""]]),
            "participants.csv": edit("participants", {
                (r, "cohort_id"): {"kf1": "2011/12", "kf2": "all"}.get(c, c)
                for r, c in ((i, row[1]) for i, row in enumerate(rows("participants"), 1))
                if r > 1}),
        }),
        "redact_names_not_text": ({
            "attack": "a number and a mapping among the names to redact from quotes",
            "expect": "refused",
            "meta": {"redact_names": ["Ann Smith", 1234, {"first": "Bob"}]},
            # lines of the names in the dataset.yaml that builders.update_meta writes
            "problems": [{"file": "dataset.yaml", "row": 29, "column": "redact_names[1]"},
                         {"file": "dataset.yaml", "row": 30, "column": "redact_names[2]"}],
        }, {}),
        "codebook_cycle": ({
            "attack": "codes whose parents lead back to themselves (a -> b -> a, c -> c)",
            "expect": "refused",
            "problems": [{"file": "codes.csv", "row": 2, "column": "parent_id"},
                         {"file": "codes.csv", "row": 6, "column": "parent_id"}],
        }, {"codes.csv": edit("codes", {(2, "parent_id"): "reflection"},
                              [["loop", "Loop", "loop", ""]])}),
        "codebook_too_deep": ({
            "attack": "a chain of 1,500 codes, each the parent of the next (deeper than "
                      "Python's recursion limit)",
            "expect": "refused",
            "problems": [{"file": "codes.csv", "row": 18, "column": "parent_id"}],
        }, {"codes.csv": edit("codes", {}, [
            [f"d{i}", f"Deep {i}", "confidence" if i == 0 else f"d{i - 1}", ""]
            for i in range(1500)])}),
    }


def main() -> None:
    if INPUTS.exists():
        shutil.rmtree(INPUTS)
    for name, (spec, files) in cases().items():
        folder = INPUTS / name
        folder.mkdir(parents=True)
        (folder / "case.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")
        for fname, text in files.items():
            (folder / fname).write_text(text, encoding="utf-8")
    print(f"wrote {len(cases())} cases to {INPUTS}")


if __name__ == "__main__":
    main()
