"""Nested REFI-QDA codebooks: walked without recursion, and refused past the codebook's depth
limit with the same rule as codes.csv (helpers.data.codebook.MAX_DEPTH)."""

from __future__ import annotations

import uuid

from qda_fixtures.build import make_dataset, snapshot

from helpers.cli import main
from helpers.data.codebook import MAX_DEPTH
from helpers.qda import QdaError, read_qda

NS = "urn:QDA-XML:codebook:1.0"


def nested_codebook(levels: int) -> bytes:
    """A .qdc whose one theme has a chain of ``levels`` codes below it, each inside the last."""
    opening = "".join(f'<Code guid="{uuid.UUID(int=i + 1)}" name="level {i}" isCodable="true">'
                      for i in range(levels + 1))
    return (f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{NS}" origin="test">'
            f"<Codes>{opening}{'</Code>' * (levels + 1)}</Codes></CodeBook>").encode()


def test_a_codebook_nested_to_the_limit_keeps_every_level(tmp_path):
    path = tmp_path / "deep.qdc"
    path.write_bytes(nested_codebook(MAX_DEPTH))
    codes = read_qda(path).codes.set_index("code_id")
    assert len(codes) == MAX_DEPTH + 1
    assert (codes["parent_id"] == "").sum() == 1
    deepest = codes[codes["label"] == f"level {MAX_DEPTH}"]
    assert deepest["parent_id"].iloc[0] == codes.index[codes["label"] == f"level {MAX_DEPTH - 1}"][0]


def test_a_codebook_one_level_too_deep_is_refused_naming_the_code(tmp_path):
    path = tmp_path / "deep.qdc"
    path.write_bytes(nested_codebook(MAX_DEPTH + 1))
    try:
        read_qda(path)
    except QdaError as exc:
        message = str(exc)
    else:
        raise AssertionError("a codebook deeper than the limit was read")
    assert f"level {MAX_DEPTH + 1}" in message and f"at most {MAX_DEPTH} levels" in message


def test_a_codebook_thousands_deep_is_refused_without_a_traceback_or_a_write(tmp_path, capsys):
    dataset = make_dataset(tmp_path / "ds")
    before = snapshot(dataset)
    path = tmp_path / "deep.qdc"
    path.write_bytes(nested_codebook(5000))
    assert main(["import-qda", str(path), "--dataset", str(dataset)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RecursionError" not in err
    assert f"at most {MAX_DEPTH} levels" in err and "not changed" in err
    assert snapshot(dataset) == before
