"""The bad-input corpus (tests/data_cases/corpus/): realistic export mistakes from Excel, Qualtrics,
JISC Online Surveys, REDCap and Microsoft Forms. Each case either loads with the right values or is
refused with exactly the expected file/row/column places: never a traceback, never a partial import.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from data_cases.builders import CORPUS, build_case, copy_valid, places, private_cache  # noqa: F401
from helpers.cli import main
from helpers.data import DataError, load_dataset

CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())


def _same(actual, expected) -> bool:
    if isinstance(actual, pd.Timestamp):
        return actual == pd.Timestamp(expected)
    if isinstance(expected, float):
        return actual == pytest.approx(expected)
    return actual == expected


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name, tmp_path, capsys):
    folder, spec = build_case(name, tmp_path)
    if spec["expect"] == "loads":
        ds = load_dataset(folder)
        for v in spec["values"]:
            actual = ds.tables[v["table"]].iloc[v["row"]][v["column"]]
            assert _same(actual, v["value"]), (v, actual)
        assert main(["validate", str(folder)]) == 0
    else:
        # One load through the CLI: its stderr lists every problem as file:row:column: message.
        assert main(["validate", str(folder)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        want = {(p["file"], p["row"], p["column"]) for p in spec["problems"]}
        assert set(_cli_places(err)) == want
        assert err.strip().splitlines()[-1].startswith(f"{len(want)} problem(s)")


def _cli_places(err: str) -> list[tuple]:
    """(file, row, column) of each ``file:row:column: message`` line."""
    found = []
    for line in err.strip().splitlines()[:-1]:
        file, row, column, message = line.split(":", 3)
        assert message.startswith(" found ") or message.startswith(" expected "), line
        found.append((file, None if row == "-" else int(row), None if column == "-" else column))
    return found


def test_corpus_covers_both_outcomes():
    import yaml

    outcomes = {yaml.safe_load((CORPUS / n / "case.yaml").read_text())["expect"] for n in CASES}
    assert outcomes == {"loads", "refused"}
    assert len(CASES) >= 20


def test_oversize_file_refused_without_reading(tmp_path, monkeypatch):
    """A 200 MB (sparse) CSV is refused by its size alone; the reader is never called."""
    folder = copy_valid(tmp_path)
    big = folder / "responses.csv"
    with open(big, "r+b") as fh:
        fh.truncate(200 * 1_000_000)
    assert os.stat(big).st_blocks * 512 < 10_000_000  # really sparse: the test stays fast

    def never(*args, **kwargs):
        raise AssertionError("an oversize file must not be read")

    monkeypatch.setattr("helpers.data.loader.read_csv", never)
    monkeypatch.setattr("helpers.data.loader.content_hash", never)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert places(info.value.problems) == {("responses.csv", None, None)}
    assert "150 MB" in info.value.problems[0].expected


def test_oversize_limit_is_configurable(tmp_path):
    from data_cases.builders import update_meta

    folder = copy_valid(tmp_path)
    update_meta(folder, max_file_mb=0.0005)   # 500 bytes: responses.csv is larger
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert ("responses.csv", None, None) in places(info.value.problems)
