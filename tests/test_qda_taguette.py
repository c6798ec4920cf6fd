"""Taguette readers against files exported by a real Taguette 1.5.2 server
(tests/qda_fixtures/taguette/, made by tests/qda_fixtures/make_taguette_fixtures.py), and the
plain segments table against a hand-written one."""

from __future__ import annotations

import pandas as pd
import pytest
from qda_fixtures.build import HERE, TAGUETTE

from helpers.qda import QdaError, read_qda

# What the fixture script asked Taguette to highlight (tests/qda_fixtures/make_taguette_fixtures.py).
EXPECTED_SNIPPETS = {
    "the one day a month I could actually breathe 😌",
    "it held our anxiety, a container when everything felt uncertain",
    "diluted the tribalism I’d grown up with",
    "I can influence without a title",
    "Working with my general manager was the hardest part",
    "The café conversations after sessions were restorative",
}


@pytest.mark.parametrize("name", ["highlights.csv", "highlights.xlsx"])
def test_taguette_highlights(name):
    data = read_qda(TAGUETTE / name)
    assert data.kind == "Taguette highlights"
    assert set(data.segments["text"]) == EXPECTED_SNIPPETS
    codes = data.codes.set_index("code_id")
    assert codes.loc["restorative_space.container", "parent_id"] == "restorative_space"
    assert codes.loc["restorative_space.container", "label"] == "container"
    # Highlight 2 carries two tags: one segment, two codings.
    seg = data.segments[data.segments["text"].str.startswith("it held")]["segment_id"].item()
    assert sorted(data.codings.loc[data.codings["segment_id"] == seg, "code_id"]) == [
        "restorative_space", "restorative_space.container"]
    assert len(data.codings) == 8 and set(data.codings["coder_id"]) == {"taguette"}
    # Restorative space is applied to three highlights in two documents.
    rs = data.codings[data.codings["code_id"] == "restorative_space"]["segment_id"]
    assert rs.nunique() == 3
    assert data.segments.set_index("segment_id").loc[rs, "source_id"].nunique() == 2


def test_csv_and_xlsx_exports_agree():
    a, b = read_qda(TAGUETTE / "highlights.csv"), read_qda(TAGUETTE / "highlights.xlsx")
    for table in ("segments", "codes", "codings"):
        assert getattr(a, table).equals(getattr(b, table))


def test_taguette_codebook_qdc_matches_highlight_code_ids():
    book = read_qda(TAGUETTE / "codebook.qdc")
    assert book.kind == "REFI-QDA codebook" and book.origin.startswith("Taguette")
    highlights = read_qda(TAGUETTE / "highlights.csv")
    assert set(book.codes["code_id"]) == set(highlights.codes["code_id"])
    assert book.codes.set_index("code_id").loc["restorative_space.container", "parent_id"] == \
        "restorative_space"


def test_taguette_codebook_csv_gives_descriptions():
    book = read_qda(TAGUETTE / "codebook.csv")
    assert book.codes.set_index("code_id").loc["interesting", "description"] == "Further review required"


def test_plain_segments_table():
    data = read_qda(HERE / "plain_segments.csv")
    assert list(data.segments["segment_id"]) == ["s1", "s2"]
    assert data.segments.set_index("segment_id").loc["s1", "wave"] == "post"
    s1 = data.codings[data.codings["segment_id"] == "s1"]
    assert sorted(zip(s1["coder_id"], s1["code_id"])) == [
        ("C1", "restorative_space.container_for_anxiety"), ("C2", "humour"),
        ("C2", "restorative_space.container_for_anxiety")]
    assert data.codes.set_index("code_id").loc["restorative_space.container_for_anxiety",
                                                "parent_id"] == "restorative_space"


def test_plain_table_without_segment_ids_gets_stable_ids(tmp_path):
    frame = pd.DataFrame({"source_id": ["i1", "i1"], "text": ["a b c", "d e f"], "code": ["X", "Y"],
                          "theme": ["T", "T"]})
    frame.to_csv(tmp_path / "p.csv", index=False)
    first = read_qda(tmp_path / "p.csv")
    assert first.segments["segment_id"].str.startswith("seg-").all()
    assert first.codes.set_index("code_id").loc["t.x", "parent_id"] == "t"
    assert first.segments.equals(read_qda(tmp_path / "p.csv").segments)


def test_unknown_table_is_refused(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(QdaError, match="neither a Taguette export"):
        read_qda(tmp_path / "x.csv")
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(QdaError, match="unknown kind of file"):
        read_qda(tmp_path / "x.docx")
