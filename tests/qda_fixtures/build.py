"""Helpers for the QDA tests: zip the hand-written REFI-QDA folders, make a small dataset,
and craft hostile files (never committed: a zip bomb does not belong in a repository)."""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFI = HERE / "refi"
TAGUETTE = HERE / "taguette"


def build_qdpx(folder: Path, out: Path, rename: dict[str, str] | None = None) -> Path:
    """Zip a folder holding project.qde and its sources into a .qdpx archive."""
    rename = rename or {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                zf.write(path, rename.get(name, name))
    return out


def make_dataset(folder: Path) -> Path:
    """A minimal valid dataset: one programme, one cohort, two participants (P0001, P0002)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text("name: qda test\nsuppress_below: 5\n", encoding="utf-8")
    (folder / "programmes.csv").write_text(
        "programme_id,name,provider,host_organisation,level,modules,days\n"
        "barts,Barts SCL,The King's Fund,Barts Health,senior,3,6\n", encoding="utf-8")
    (folder / "cohorts.csv").write_text(
        "cohort_id,programme_id,start_date,end_date,delivery_mode\n"
        "c1,barts,2023-01-10,2023-06-30,face_to_face\n", encoding="utf-8")
    (folder / "participants.csv").write_text(
        "participant_id,cohort_id,organisation,profession,role,speciality\n"
        "P0001,c1,Barts Health,medical,Consultant,Surgery\n"
        "P0002,c1,Homerton,nursing,Matron,ED\n", encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder and its bytes, to prove a refused import changed nothing."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Project [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&xxe;</Description></Project>
"""

BROKEN = b"""<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes></CodeBook></Project>
"""


def zip_slip(out: Path) -> Path:
    """A .qdpx whose member climbs out of the archive."""
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("project.qde", (REFI / "nvivo" / "project.qde").read_bytes())
        zf.writestr("../../evil.txt", b"owned")
    return out


def zip_bomb(out: Path, size: int = 20 * 1024 * 1024) -> Path:
    """A .qdpx with a member that inflates ``size`` bytes of zeros from about 20 kB (ratio ~1000).

    Written in chunks, so making it costs little memory.
    """
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", (REFI / "nvivo" / "project.qde").read_bytes())
        with zf.open("Sources/8E7FDDFE-DB36-48DC-B464-80C3A4DECD90.txt", "w", force_zip64=True) as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return out


def lying_zip(out: Path) -> Path:
    """A zip whose central directory under-declares a member's size (a bomb that hides)."""
    data = b"A" * 5_000_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", data)
    raw = bytearray(out.read_bytes())
    # Patch the uncompressed size in the central directory entry to a small number.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
    out.write_bytes(bytes(raw))
    return out
