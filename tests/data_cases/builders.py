"""Build small datasets for the loader tests: copy the valid fixture, then edit it.

Imported by tests/test_data_*.py as ``from data_cases.builders import ...`` (pytest puts tests/
on sys.path because tests/ has a conftest.py and no __init__.py).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
VALID = HERE / "valid_minimal"
CORPUS = HERE / "corpus"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every data test gets its own empty cache folder (never the user's ~/.cache) and an empty
    in-process memo, so what a test loads is read from its files."""
    from helpers.data import memo

    monkeypatch.setenv("LEADEVAL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    memo.clear()


def copy_valid(dest: Path) -> Path:
    """A fresh copy of the minimal valid dataset in ``dest/ds``."""
    target = dest / "ds"
    shutil.copytree(VALID, target)
    return target


def read_rows(folder: Path, table: str) -> list[list[str]]:
    """A CSV table's rows, header first."""
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def write_rows(folder: Path, table: str, rows: list[list[object]]) -> None:
    """Write rows (header first) as a CSV table."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (folder / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the spreadsheet row (header = 1, first data row = 2)."""
    rows = read_rows(folder, table)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(folder, table, rows)


def update_meta(folder: Path, **changes) -> None:
    """Merge top-level keys into dataset.yaml."""
    path = folder / "dataset.yaml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")


def build_case(name: str, dest: Path, corpus: Path = CORPUS) -> tuple[Path, dict]:
    """Overlay case ``name`` of ``corpus`` on the valid fixture; returns (folder, case spec)."""
    folder = copy_valid(dest)
    source = corpus / name
    spec = yaml.safe_load((source / "case.yaml").read_text(encoding="utf-8"))
    for fname in spec.get("remove", []):
        (folder / fname).unlink()
    for path in source.iterdir():
        if path.name != "case.yaml":
            shutil.copyfile(path, folder / path.name)
    if spec.get("meta"):
        update_meta(folder, **spec["meta"])
    return folder, spec


def places(problems) -> set[tuple]:
    """The (file, row, column) of each problem."""
    return {(p.file, p.row, p.column) for p in problems}


def refused_at(folder: Path) -> set[tuple]:
    """Load ``folder``, which must be refused; the (file, row, column) of every problem."""
    from helpers.data import DataError, load_dataset

    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return places(info.value.problems)
