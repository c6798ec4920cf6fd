"""REFI-QDA readers against hand-written, schema-conformant fixtures (tests/qda_fixtures/refi/).

The fixtures follow Project.xsd / Codebook.xsd of the REFI-QDA standard (QDA-XML 1.0, 2019):
element order, required attributes (guid, name, isCodable, startPosition, endPosition) and
GUID syntax. Expected segment texts are the literal substrings of the source texts.
"""

from __future__ import annotations

import shutil

import pytest
from qda_fixtures.build import REFI, build_qdpx

from helpers.qda import QdaError, read_qda
from helpers.qda.refi import choose_unit, cut, decode_text

NVIVO_P01 = (REFI / "nvivo" / "Sources" / "8E7FDDFE-DB36-48DC-B464-80C3A4DECD90.txt").read_bytes()


def _by_id(frame, key):
    return frame.set_index(key)


@pytest.fixture
def nvivo(tmp_path):
    return read_qda(build_qdpx(REFI / "nvivo", tmp_path / "nvivo.qdpx"))


def test_nvivo_offsets_are_utf16_units_after_the_bom(nvivo):
    text = decode_text(NVIVO_P01, "t")
    assert not text.startswith("\ufeff") and "\r\n" in text and "😌" in text
    seg = _by_id(nvivo.segments, "segment_id")
    # Each selection is cut exactly: the emoji counts two UTF-16 units and CRLF two characters.
    assert seg.loc["d0000000-0000-4000-8000-000000000001", "text"] == \
        "A restorative space, a container for anxiety"
    assert seg.loc["d0000000-0000-4000-8000-000000000002", "text"] == "diluted the tribalism"
    assert seg.loc["d0000000-0000-4000-8000-000000000003", "text"] == "Space 😌 to breathe"
    assert seg.loc["d0000000-0000-4000-8000-000000000004", "text"] == \
        "followership matters 👣 as much as leadership"
    for piece in seg["text"]:
        assert piece in text or piece in decode_text(
            (REFI / "nvivo" / "Sources" / "1B2C3D4E-5F60-4718-8293-A4B5C6D7E8F9.txt").read_bytes(), "t")


def test_nvivo_codes_users_cases_and_variables(nvivo):
    codes = _by_id(nvivo.codes, "code_id")
    assert codes.loc["restorative_space.container_for_anxiety", "parent_id"] == "restorative_space"
    assert codes.loc["restorative_space", "description"] == "A protected space to think together"
    assert codes.loc["perspectives_on_leadership", "parent_id"] == ""  # isCodable=false kept as a theme
    assert len(nvivo.codes) == 7
    # Coders come from each Coding's creatingUser, shown by the User's id attribute.
    double = nvivo.codings[nvivo.codings["segment_id"] == "d0000000-0000-4000-8000-000000000001"]
    assert sorted(double["coder_id"]) == ["C1", "C2"]
    seg = _by_id(nvivo.segments, "segment_id")
    # Case "Delegate A" carries a participant_id variable and Wave "Post"; case "P0002" only a name.
    assert seg.loc["d0000000-0000-4000-8000-000000000001", "participant_id"] == "P0001"
    assert seg.loc["d0000000-0000-4000-8000-000000000001", "wave"] == "post"
    assert seg.loc["d0000000-0000-4000-8000-000000000004", "participant_id"] == "P0002"
    assert set(seg["source_id"]) == {"Interview P01", "Interview P02"}
    assert set(nvivo.cases["name"]) == {"Delegate A", "P0002"}


def test_zip_member_names_match_case_insensitively(tmp_path):
    # NVivo's Sources/ renamed to SOURCES/ and the file name lower-cased: still found.
    rename = {"Sources/8E7FDDFE-DB36-48DC-B464-80C3A4DECD90.txt":
              "SOURCES/8e7fddfe-db36-48dc-b464-80c3a4decd90.txt"}
    data = read_qda(build_qdpx(REFI / "nvivo", tmp_path / "n.qdpx", rename))
    assert "Space 😌 to breathe" in set(data.segments["text"])


def test_maxqda_lowercase_sources_folder_and_code_points(tmp_path):
    data = read_qda(build_qdpx(REFI / "maxqda", tmp_path / "m.qdpx"))
    assert list(data.segments["text"]) == [
        "a restorative space — a container 🫙 when the strikes hit",
        "Managers and clinicians finally spoke the same language"]
    assert set(data.codings["coder_id"]) == {"AB", "CD"}  # Users with a name and no id
    # CD's own selection of the same span is the same segment: double coded.
    first = data.codings[data.codings["segment_id"] == "44444444-4444-4444-8444-444444444444"]
    assert sorted(zip(first["coder_id"], first["code_id"])) == [
        ("AB", "restorative_space.container_for_anxiety"), ("CD", "restorative_space")]


def test_atlas_flattened_names_become_a_hierarchy():
    data = read_qda(REFI / "atlas_flat.qde")
    codes = _by_id(data.codes, "code_id")
    assert codes.loc["restorative_space.time_away_from_the_ward", "label"] == "Time away from the ward"
    assert codes.loc["restorative_space.time_away_from_the_ward", "parent_id"] == "restorative_space"
    assert codes.loc["restorative_space", "label"] == "Restorative space"
    assert codes.loc["cross_speciality_working.diluting_tribalism", "parent_id"] == "cross_speciality_working"
    assert codes.loc["humour", "parent_id"] == ""
    # Inline PlainTextContent with &#13;&#10; keeps its CRLF, so positions after it still cut right.
    texts = list(data.segments["text"])
    assert texts == ["the best bit was time away from the ward",
                     "We compared notes across three trusts, which diluted tribalism",
                     "Honestly 😅 the best bit"]
    assert sorted(set(data.codings["coder_id"])) == ["R1", "R2"]


RELATIVE_QDE = (REFI / "relative" / "project.qde").read_text(encoding="utf-8")
P05_URL = "relative:///texts/Interview%20P05.txt"


def _outside(tmp_path):
    """A local file a hostile project might try to pull in."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Working with my operational manager changed everything. SECRET", encoding="utf-8")
    return secret


def test_relative_path_inside_a_bare_qde_folder_is_read():
    data = read_qda(REFI / "relative" / "project.qde")
    assert list(data.segments["text"]) == ["Working with my operational manager changed everything."]
    assert list(data.codings["coder_id"]) == ["unknown"]


def test_absolute_path_is_refused_with_its_line(tmp_path):
    secret = _outside(tmp_path)
    (tmp_path / "abs.qde").write_text(RELATIVE_QDE.replace(P05_URL, f"absolute://{secret.as_posix()}"),
                                      encoding="utf-8")
    with pytest.raises(QdaError) as info:
        read_qda(tmp_path / "abs.qde")
    message = str(info.value)
    assert "abs.qde" in message and "'Interview P05'" in message and "line 9" in message
    assert "absolute://" in message and "inside the .qdpx archive" in message


@pytest.mark.parametrize("base", ["/", "C:\\Users\\x", "//server/share", "file:///etc", "../.."])
def test_relative_path_against_an_absolute_or_escaping_base_path_is_refused(tmp_path, base):
    secret = _outside(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    rel = secret.relative_to(tmp_path).as_posix()
    if base == "/":
        rel = secret.as_posix().lstrip("/")
    qde = RELATIVE_QDE.replace(P05_URL, f"relative:///{rel}").replace(
        'origin="QualCoder 3.5"', f'origin="QualCoder 3.5" basePath="{base}"')
    (project / "p.qde").write_text(qde, encoding="utf-8")
    with pytest.raises(QdaError, match="basePath .* lies outside the project folder"):
        read_qda(project / "p.qde")


def test_relative_path_in_a_qdpx_is_read_from_the_archive_only(tmp_path):
    secret = _outside(tmp_path)
    folder = tmp_path / "proj"
    shutil.copytree(REFI / "relative", folder)
    qde = RELATIVE_QDE.replace('origin="QualCoder 3.5"', 'origin="QualCoder 3.5" basePath="/home/them"')
    (folder / "project.qde").write_text(qde, encoding="utf-8")
    inside = read_qda(build_qdpx(folder, tmp_path / "inside.qdpx"))
    assert inside.segments["text"].tolist() == [
        "Working with my operational manager changed everything."]
    # The same path, not in the archive, but present on disk under basePath: refused.
    (folder / "texts" / "Interview P05.txt").unlink()
    qde = RELATIVE_QDE.replace(P05_URL, "relative:///secret.txt").replace(
        'origin="QualCoder 3.5"', f'origin="QualCoder 3.5" basePath="{secret.parent.as_posix()}"')
    (folder / "project.qde").write_text(qde, encoding="utf-8")
    with pytest.raises(QdaError, match="no such file in the archive"):
        read_qda(build_qdpx(folder, tmp_path / "outside.qdpx"))


def test_symbolic_link_out_of_the_project_folder_is_refused(tmp_path):
    secret = _outside(tmp_path)
    project = tmp_path / "project"
    (project / "texts").mkdir(parents=True)
    (project / "texts" / "Interview P05.txt").symlink_to(secret)
    (project / "p.qde").write_text(RELATIVE_QDE, encoding="utf-8")
    with pytest.raises(QdaError, match="leads out of the project folder"):
        read_qda(project / "p.qde")


def test_relative_path_may_not_climb_out(tmp_path):
    qde = RELATIVE_QDE.replace(P05_URL, "relative:///../../etc/passwd")
    (tmp_path / "climb.qde").write_text(qde, encoding="utf-8")
    with pytest.raises(QdaError, match="climbs out of the project"):
        read_qda(tmp_path / "climb.qde")


def test_internal_path_in_a_bare_qde_is_explained(tmp_path):
    shutil.copy(REFI / "nvivo" / "project.qde", tmp_path / "project.qde")
    with pytest.raises(QdaError, match="needs the .qdpx archive"):
        read_qda(tmp_path / "project.qde")


def test_codebook_qdc():
    data = read_qda(REFI / "codebook.qdc")
    assert data.kind == "REFI-QDA codebook" and data.segments.empty
    codes = _by_id(data.codes, "code_id")
    assert codes.loc["restorative_space.container_for_anxiety", "description"] == \
        "The programme held anxiety and uncertainty"
    # Same ids as the project export of the same NVivo codebook.
    assert set(codes.index) <= {"restorative_space", "restorative_space.container_for_anxiety",
                                "restorative_space.time_to_breathe", "cross_speciality_working"}


def test_cut_units():
    text = "a😀b\r\nc"
    assert cut(text, 1, 2, "codepoint") == "😀"
    assert cut(text, 1, 3, "utf16") == "😀"
    assert cut(text, 3, 4, "utf16") == "b"
    assert cut(text, 1, 5, "utf8") == "😀"
    assert cut(text, 4, 5, "codepoint_lf") == "c"
    assert cut(text, 0, 99, "codepoint") is None


def test_choose_unit_from_origin_and_selection_names():
    text = "Intro 😀😀 then the quoted words here and more"
    start = text.index("the quoted")
    u16 = len(text[:start].encode("utf-16-le")) // 2
    # NVivo by origin, even without helpful names.
    assert choose_unit(text, [(u16, u16 + 10, "")], "NVivo 14") == "utf16"
    assert choose_unit(text, [(start, start + 10, "")], "QualCoder") == "codepoint"
    # An unknown tool that counted UTF-16 units is recognised from its selection names.
    assert choose_unit(text, [(u16, u16 + 10, "the quoted")], "SomeTool 1.0") == "utf16"


def test_selection_outside_the_text_is_refused(tmp_path):
    qde = (REFI / "relative" / "project.qde").read_text(encoding="utf-8").replace(
        'endPosition="60"', 'endPosition="6000"')
    shutil.copytree(REFI / "relative" / "texts", tmp_path / "texts")
    (tmp_path / "out.qde").write_text(qde, encoding="utf-8")
    with pytest.raises(QdaError, match="outside source"):
        read_qda(tmp_path / "out.qde")


def test_not_a_refi_file(tmp_path):
    (tmp_path / "x.qde").write_bytes(b"<html><body>hi</body></html>")
    with pytest.raises(QdaError, match="not a REFI-QDA file"):
        read_qda(tmp_path / "x.qde")
    (tmp_path / "y.qde").write_bytes(b'<Project xmlns="urn:other" name="x"/>')
    with pytest.raises(QdaError, match="unknown namespace"):
        read_qda(tmp_path / "y.qde")


def test_reading_twice_gives_identical_tables(tmp_path):
    first = read_qda(build_qdpx(REFI / "nvivo", tmp_path / "a.qdpx"))
    second = read_qda(build_qdpx(REFI / "nvivo", tmp_path / "b.qdpx"))
    for table in ("segments", "codes", "codings"):
        assert getattr(first, table).equals(getattr(second, table))


def test_pdf_representation_and_inline_crlf_counted_by_the_tool(tmp_path):
    data = read_qda(build_qdpx(REFI / "pdf_inline", tmp_path / "p.qdpx"))
    seg = data.segments.set_index("segment_id")
    # The PDF's text Representation is read as a text source named after the PDF.
    assert seg.loc["96000000-0000-4000-8000-000000000001", "text"] == "The protected time was the best part."
    assert seg.loc["96000000-0000-4000-8000-000000000001", "source_id"] == "Free-text comments"
    # Inline text whose CRLF the XML parser turned into LF, positions counted by the tool on CRLF:
    # the selection's name shows which count fits.
    assert seg.loc["94000000-0000-4000-8000-000000000001", "text"] == "A place to breathe 🌿 every month"


def test_nvivo_mac_codebook_namespace_with_a_colon():
    data = read_qda(REFI / "codebook_nvivo_mac.qdc")
    codes = data.codes.set_index("code_id")
    assert codes.loc["restorative_space.container_for_anxiety", "parent_id"] == "restorative_space"
    assert codes.loc["restorative_space", "description"] == "A protected space to think together"


def test_span_overlap_and_matching_units():
    from helpers.qda.refi import Unit, matching_unit, span_overlap

    assert span_overlap((0, 10), (0, 10)) == 1.0
    assert span_overlap((0, 10), (1, 10)) == pytest.approx(0.9)
    assert span_overlap((0, 10), (10, 20)) == 0.0
    units = [Unit(0, 100, "s1", {"c1"}), Unit(95, 200, "s2", {"c1"})]
    assert matching_unit(units, 2, 100, {"c2"}).segment_id == "s1"      # 98% overlap
    assert matching_unit(units, 2, 100, {"c1"}) is None                  # same coder: own unit
    assert matching_unit(units, 0, 100, {"c1"}).segment_id == "s1"       # same span: same unit
    assert matching_unit(units, 20, 100, {"c2"}) is None                 # 80% < 90%
    assert matching_unit(units, 20, 100, {"c2"}, min_overlap=0.75).segment_id == "s1"


def _split_double_coding(tmp_path):
    """The NVivo fixture with its double-coded passage (83-127, coders C1 and C2) exported as
    two selections, as NVivo does when the coders select slightly different text: C2's starts
    one character later. Plus C2's selection of a longer passage and C1's own second selection
    of nearly the same text."""
    folder = tmp_path / "nvivo"
    shutil.copytree(REFI / "nvivo", folder)
    qde = folder / "project.qde"
    xml = qde.read_text(encoding="utf-8")
    c2 = "0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9"
    c1 = "5C94BC9E-DB8C-4F1D-9CD6-E900C7440860"
    coding2 = (f'        <Coding guid="E0000000-0000-4000-8000-000000000002" creatingUser="{c2}">'
               '<CodeRef targetGUID="A0000000-0000-4000-8000-000000000002"/></Coding>\n')
    assert coding2 in xml
    xml = xml.replace(coding2, "")

    def selection(n, start, end, user, code):
        return (f'      <PlainTextSelection guid="D0000000-0000-4000-8000-00000000009{n}" '
                f'name="extra {n}" startPosition="{start}" endPosition="{end}" creatingUser="{user}">\n'
                f'        <Coding guid="E0000000-0000-4000-8000-00000000009{n}" creatingUser="{user}">'
                f'<CodeRef targetGUID="A0000000-0000-4000-8000-00000000000{code}"/></Coding>\n'
                '      </PlainTextSelection>\n')

    anchor = '      <PlainTextSelection guid="D0000000-0000-4000-8000-000000000002"'
    extra = (selection(1, 84, 127, c2, 2) + selection(2, 100, 190, c2, 4)
             + selection(3, 84, 127, c1, 3))
    xml = xml.replace(anchor, extra + anchor, 1)
    qde.write_text(xml, encoding="utf-8")
    return build_qdpx(folder, tmp_path / "split.qdpx")


def test_two_coders_near_identical_selections_are_one_double_coded_segment(tmp_path):
    data = read_qda(_split_double_coding(tmp_path))
    seg = data.segments.set_index("segment_id")
    first = "d0000000-0000-4000-8000-000000000001"
    # C2's selection one character shorter (43 of 44 characters) joins C1's segment ...
    assert "d0000000-0000-4000-8000-000000000091" not in seg.index
    double = data.codings[data.codings["segment_id"] == first]
    assert sorted(double["coder_id"]) == ["C1", "C2"]
    assert seg.loc[first, "text"] == "A restorative space, a container for anxiety"  # C1's span kept
    # ... a longer passage (27 of 107 characters shared) and C1's own second selection do not
    assert {"d0000000-0000-4000-8000-000000000092", "d0000000-0000-4000-8000-000000000093"} <= set(seg.index)
    # exact matching only: the split passage is two single-coded segments again
    exact = read_qda(_split_double_coding(tmp_path / "again"), min_overlap=1.0)
    assert "d0000000-0000-4000-8000-000000000091" in set(exact.segments["segment_id"])
    assert list(exact.codings.loc[exact.codings["segment_id"] == first, "coder_id"]) == ["C1"]
    with pytest.raises(QdaError, match="min_overlap"):
        read_qda(_split_double_coding(tmp_path / "bad"), min_overlap=0)
