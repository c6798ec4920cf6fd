"""Property-based tests over the loader (hypothesis): random cell and file mutations of the valid
fixture always give either a Dataset or a DataError whose problems are located; never another
exception, never a partial import (nothing cached from an invalid dataset)."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_cases.builders import VALID, private_cache  # noqa: F401
from helpers.data import Dataset, DataError, load_dataset
from helpers.data.cache import cache_root

TABLE_FILES = sorted(p.name for p in VALID.glob("*.csv"))
NASTY = ["", " ", "1001.0", "1.001E+03", "45306", "03/04/2024", "04/23/2024", "2024-02-30",
         "31/12/2024", "9999-01-01", "0001-01-01", "NaN", "#N/A", "=1+1", "Strongly agree",
         "strongly  AGREE", "-1", "1e400", "TRUE", "no", "x" * 5000, "a@b.nhs.net", "943 476 5919",
         "\u00e9\u2019\u20ac", "3,5", "\"quoted\"", "line\nbreak", "kf1", "1001", "s1", "p1",
         "hlm360", "isp1", "post", "self"]

cell_value = st.one_of(st.sampled_from(NASTY),
                       st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                               max_size=20),
                       st.integers(-10**6, 10**6).map(str),
                       st.floats(allow_nan=True, allow_infinity=True).map(repr))

mutation = st.tuples(st.sampled_from(TABLE_FILES), st.integers(0, 12), st.integers(0, 7), cell_value)


def _mutate(folder: Path, file: str, row: int, col: int, value: str) -> None:
    with open(folder / file, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    r = rows[row % len(rows)]
    r[col % len(r)] = value
    with open(folder / file, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _check(folder: Path) -> Dataset | DataError:
    try:
        return load_dataset(folder)
    except DataError as exc:
        assert exc.problems
        files = {p.name for p in folder.iterdir()}
        for p in exc.problems:
            assert p.file.split("[")[0] in files or p.file.endswith(".csv"), p
            assert p.row is None or (isinstance(p.row, int) and p.row >= 1), p
            assert p.column is None or isinstance(p.column, str), p
            assert isinstance(p.expected, str) and p.expected, p
            assert str(p).startswith(p.file + ":")
        # never a partial import: nothing from an invalid dataset reaches the cache
        assert not (cache_root() / "datasets").exists() or not any(
            not e.name.startswith(".") for e in (cache_root() / "datasets").iterdir())
        return exc


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutation, min_size=1, max_size=3))
def test_cell_mutations_give_dataset_or_located_problems(mutations):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        shutil.copytree(VALID, folder)
        os.environ["LEADEVAL_CACHE_DIR"] = str(Path(tmp) / "cache")
        for m in mutations:
            _mutate(folder, *m)
        result = _check(folder)
        if isinstance(result, Dataset):
            assert len(result.participants) >= 1
            for name, df in result.tables.items():
                assert isinstance(df, pd.DataFrame), name


file_damage = st.sampled_from(["truncate", "drop_column", "duplicate_row", "delete", "binary",
                               "header_only", "swap_columns"])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(TABLE_FILES), file_damage, st.integers(0, 10_000))
def test_file_damage_gives_dataset_or_located_problems(file, damage, n):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        shutil.copytree(VALID, folder)
        os.environ["LEADEVAL_CACHE_DIR"] = str(Path(tmp) / "cache")
        path = folder / file
        data = path.read_bytes()
        lines = data.decode().splitlines()
        if damage == "truncate":
            path.write_bytes(data[: n % max(len(data), 1)])
        elif damage == "drop_column":
            k = n % len(lines[0].split(","))
            path.write_text("\n".join(",".join(c for i, c in enumerate(next(csv.reader([ln])))
                                               if i != k) for ln in lines) + "\n")
        elif damage == "duplicate_row":
            path.write_text("\n".join(lines + [lines[1 + n % (len(lines) - 1)]]) + "\n")
        elif damage == "delete":
            path.unlink()
        elif damage == "binary":
            path.write_bytes(bytes((n * 7 + i * 13) % 256 for i in range(200)))
        elif damage == "header_only":
            path.write_text(lines[0] + "\n")
        else:
            rows = list(csv.reader(lines))
            rows = [[r[-1]] + r[1:-1] + [r[0]] for r in rows]
            path.write_text("\n".join(",".join(r) for r in rows) + "\n")
        _check(folder)
