"""Hostile and malformed files are refused with a clear message (helpers.qda.safety)."""

from __future__ import annotations

import zipfile

import pytest
from qda_fixtures.build import BILLION_LAUGHS, BROKEN, EXTERNAL_ENTITY, REFI, lying_zip, zip_bomb, zip_slip

from helpers.qda import QdaError, read_qda
from helpers.qda import safety


@pytest.mark.parametrize("payload,message", [
    (BILLION_LAUGHS, "DTD, entities or external references"),
    (EXTERNAL_ENTITY, "DTD, entities or external references"),
    (BROKEN, "not well-formed XML"),
])
def test_hostile_or_broken_xml(tmp_path, payload, message):
    (tmp_path / "p.qde").write_bytes(payload)
    with pytest.raises(QdaError, match=message):
        read_qda(tmp_path / "p.qde")
    # The same inside a .qdpx archive.
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as zf:
        zf.writestr("project.qde", payload)
    with pytest.raises(QdaError, match=message):
        read_qda(tmp_path / "p.qdpx")


def test_zip_slip_is_refused(tmp_path):
    with pytest.raises(QdaError, match="path outside itself"):
        read_qda(zip_slip(tmp_path / "slip.qdpx"))


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "C:\\x.txt", "a/../../b", "\\\\host\\share\\x"])
def test_member_escapes(name):
    assert safety.member_escapes(name)


@pytest.mark.parametrize("name", ["project.qde", "Sources/a.txt", "sources/b c.txt"])
def test_member_inside(name):
    assert not safety.member_escapes(name)


def test_zip_bomb_by_ratio(tmp_path):
    with pytest.raises(QdaError, match="zip bomb"):
        read_qda(zip_bomb(tmp_path / "bomb.qdpx"))


def test_zip_bomb_by_declared_total(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_TOTAL_BYTES", 1000)
    with zipfile.ZipFile(tmp_path / "big.qdpx", "w") as zf:  # stored: ratio 1, but too big
        zf.writestr("project.qde", (REFI / "nvivo" / "project.qde").read_bytes())
    with pytest.raises(QdaError, match="zip bomb"):
        read_qda(tmp_path / "big.qdpx")


def test_member_lying_about_its_size(tmp_path):
    with pytest.raises(QdaError, match="cannot be read|inflates beyond"):
        read_qda(lying_zip(tmp_path / "lie.qdpx"))


def test_not_a_zip(tmp_path):
    (tmp_path / "x.qdpx").write_bytes(b"not a zip at all")
    with pytest.raises(QdaError, match="not a readable zip"):
        read_qda(tmp_path / "x.qdpx")
    (tmp_path / "x.xlsx").write_bytes(b"not a zip at all")
    with pytest.raises(QdaError, match="not a readable zip"):
        read_qda(tmp_path / "x.xlsx")


def test_qdpx_without_project(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.qdpx", "w") as zf:
        zf.writestr("sources/a.txt", "hello")
    with pytest.raises(QdaError, match="no project.qde"):
        read_qda(tmp_path / "x.qdpx")


def test_xlsx_with_entity_expansion_is_refused(tmp_path):
    import pandas as pd

    good = tmp_path / "good.xlsx"
    pd.DataFrame({"id": ["1"], "document": ["d"], "tag": ["t"], "content": ["c"]}).to_excel(good, index=False)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # prepend the entity declarations
                dtd = BILLION_LAUGHS.split(b"<Project")[0].split(b"?>", 1)[1].replace(b"lolz", b"worksheet")
                data = dtd + data
            dst.writestr(info, data)
    with pytest.raises(QdaError, match="workbook's XML declares a DTD, entities"):
        read_qda(bad)
