"""Guards for reading files from other people's QDA software: XML and zip archives.

A ``.qdpx`` project (and an ``.xlsx`` export) is a zip archive of XML and text; both formats have
well-known attacks, and an import must refuse them before it reads anything:

- XML entity expansion ("billion laughs"), external entities (XXE) and DTD tricks: XML is
  parsed with ``defusedxml`` with DTDs, entity declarations and external references all
  forbidden (REFI-QDA files need none of them);
- zip paths that escape the archive ("zip slip": ``../x``, ``/etc/x``, ``C:\\x``): refused even
  though nothing is ever extracted to disk, because such an archive is not a genuine export;
- zip bombs: refused by the declared compression ratio and declared total size of the members,
  and again while reading, by the bytes actually inflated (declared sizes can lie).

Every refusal raises :class:`QdaError` with a message for the person running the import.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

#: Largest uncompressed member and archive, and the largest compression ratio accepted.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
#: Ratios are only judged for members larger than this (tiny files compress oddly).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_MEMBERS = 100_000
MAX_XML_BYTES = 256 * 1024 * 1024


class QdaError(Exception):
    """A QDA file that cannot or must not be imported; ``str(err)`` is the message for the user."""


def parse_xml(data: bytes, what: str):
    """Parse XML bytes safely; returns the root ``Element``.

    Parameters
    ----------
    data : the document.
    what : its name for messages (file or zip member).

    Raises
    ------
    QdaError
        for DTDs, entity declarations, external references or malformed XML.
    """
    if len(data) > MAX_XML_BYTES:
        raise QdaError(f"{what}: XML larger than {MAX_XML_BYTES // 2**20} MB, refused")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise QdaError(f"{what}: refused, the XML declares a DTD, entities or external references "
                       f"({type(err).__name__}); QDA exports never need them") from err
    except ParseError as err:
        raise QdaError(f"{what}: not well-formed XML ({err})") from err


def member_escapes(name: str) -> bool:
    """True when a zip member name is absolute or climbs out of the archive."""
    if not name or "\x00" in name:
        return True
    for pure in (PurePosixPath(name), PureWindowsPath(name)):
        if pure.is_absolute() or pure.drive or pure.root:
            return True
        if ".." in pure.parts:
            return True
    return False


class SafeZip:
    """A zip archive checked member by member before anything is read.

    Members are looked up case-insensitively (NVivo writes ``Sources/``, MAXQDA ``sources/``),
    and reads stop as soon as more bytes come out than were declared or allowed.
    """

    def __init__(self, source: Path | bytes, what: str):
        self.what = what
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, OSError) as err:
            raise QdaError(f"{what}: not a readable zip archive ({err})") from err
        infos = [i for i in self._zip.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise QdaError(f"{what}: {len(infos)} files in the archive, more than {MAX_MEMBERS}")
        total = 0
        for info in self._zip.infolist():
            if member_escapes(info.filename):
                raise QdaError(f"{what}: refused, the archive holds a path outside itself "
                               f"({info.filename!r})")
        for info in infos:
            if info.file_size > MAX_MEMBER_BYTES:
                raise QdaError(f"{what}: refused, {info.filename!r} would inflate to "
                               f"{info.file_size:,} bytes (limit {MAX_MEMBER_BYTES:,})")
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise QdaError(f"{what}: refused as a zip bomb, {info.filename!r} is compressed "
                               f"{info.file_size / max(info.compress_size, 1):,.0f} to 1")
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise QdaError(f"{what}: refused as a zip bomb, {total:,} bytes uncompressed "
                           f"(limit {MAX_TOTAL_BYTES:,})")
        self._infos = {i.filename: i for i in infos}
        self._lower = {}
        for name in self._infos:
            self._lower.setdefault(name.lower(), name)
        self._read_total = 0

    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The member called ``name``, compared case-insensitively; None when absent."""
        return self._lower.get(name.replace("\\", "/").lstrip("/").lower())

    def find_basename(self, basename: str, prefer_dir: str = "sources") -> str | None:
        """A member whose file name (not folder) is ``basename``, preferring ``prefer_dir/``."""
        direct = self.find(f"{prefer_dir}/{basename}") or self.find(basename)
        if direct:
            return direct
        target = basename.lower()
        hits = sorted(n for n in self._infos if PurePosixPath(n).name.lower() == target)
        return hits[0] if hits else None

    def read(self, name: str) -> bytes:
        """Read one member, refusing it if it inflates beyond its declared or allowed size."""
        info = self._infos[name]
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        out = bytearray()
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(1024 * 1024):
                    out += chunk
                    if len(out) > limit or self._read_total + len(out) > MAX_TOTAL_BYTES:
                        raise QdaError(f"{self.what}: refused as a zip bomb, {name!r} inflates "
                                       "beyond its declared size")
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as err:
            raise QdaError(f"{self.what}: {name!r} cannot be read from the archive ({err})") from err
        self._read_total += len(out)
        return bytes(out)

    def close(self) -> None:
        self._zip.close()


def check_zip_file(path: Path, what: str) -> None:
    """Refuse a zip-based file (``.qdpx``, ``.xlsx``) that is hostile, before a library opens it."""
    SafeZip(path, what).close()
