"""The zip package of a returned workbook (.xlsx or .ods), opened as hostile input.

Everything here happens before any cell is parsed: the zip directory is checked against the
limits, and each part a reader will parse is inflated by us first with its size proven (the
declared size is not trusted: the deflate stream must end exactly there) and its XML refused if it
declares a DTD or entities. The real XML parser (expat) decides what a DTD is, not a byte search.
"""
from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable
from xml.parsers import expat

from .errors import PoaxlError
from .findings import reason
from .hashes import blake2b

MAX_UNPACKED_BYTES = 100 * 1024 * 1024   # all parts inflated
MAX_RATIO = 200                          # inflated / packed, per part (zip bombs)
MAX_PART_BYTES = 8 * 1024 * 1024         # one part a reader parses (a form sheet is ~20 KB; .ods content ~100 KB)
MAX_STRINGS_BYTES = 4 * 1024 * 1024      # the shared strings part (a form's texts are ~5 KB)
PROLOG_CHUNK = 16384
MAX_PARSED = 64                          # parts remembered by Package.parsed (styles, relationships)

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
REL_SHEET = "/worksheet"
REL_STRINGS = "/sharedStrings"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


_PARSED: dict[tuple, Any] = {}


class Unreadable(PoaxlError):
    """The file cannot be checked; the message (Spanish) says why and what to do.

    ``detail`` keeps the technical cause (library exception text, in English) for programs and
    --verbose; it is never part of the message a coordinator reads."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


class DtdFound(Exception):
    """The parser met a DOCTYPE or an entity declaration (the caller knows which part)."""


def _dtd(*_args) -> None:
    raise DtdFound


def safe_parser(namespaces: bool = False):
    """An expat parser that refuses any DOCTYPE or entity declaration (and never reads external ones)."""
    p = expat.ParserCreate(namespace_separator=" " if namespaces else None)
    p.StartDoctypeDeclHandler = _dtd
    p.EntityDeclHandler = _dtd
    p.ExternalEntityRefHandler = lambda *a: 0  # never fetched; 0 makes expat stop with an error
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


class _RootReached(Exception):
    """The prolog is over: a DOCTYPE can no longer appear."""


class _SheetsRead(Exception):
    """xl/workbook.xml's list of sheets is over: nothing after it is read."""


def _stop(*_args) -> None:
    raise _RootReached


class Package:
    """An open zip whose directory passed the limits. ``kind`` is 'xlsx' or 'ods'."""

    def __init__(self, path: Path, raw: BinaryIO | None = None):
        """``raw``: the file already open or read into memory (read.checked_bytes); the package closes it."""
        self.path = path
        self.strings = "xl/sharedStrings.xml"  # xlsx_sheets() corrects it from the relationships
        self.date1904 = False                  # the workbook counts dates from 1904 (old Mac Excel)
        try:
            self._raw = raw or open(path, "rb")  # one open file: the zip directory and our own inflating read it
        except OSError as exc:
            raise Unreadable(reason("zip-error"), str(exc)) from None
        try:
            self.zf = zipfile.ZipFile(self._raw)
            listed = self.zf.infolist()
            self.infos = {i.filename: i for i in listed}
            self.lower = {name.lower(): name for name in self.infos}
            self.duplicated = len(self.lower) != len(listed)
        except zipfile.BadZipFile:
            self._raw.close()
            raise Unreadable(reason("truncated")) from None
        except (zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
            self._raw.close()
            raise Unreadable(reason("zip-error"), str(exc)) from None
        try:
            self._check_directory()
            self.kind = self._kind()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.zf.close()
        self._raw.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _kind(self) -> str:
        mimetype = self.infos.get("mimetype")
        if mimetype is not None and mimetype.file_size < 200:
            if self.read("mimetype", 200, prolog=False).strip() == ODS_MIME:
                return "ods"
            raise Unreadable(reason("not-spreadsheet"))
        if "xl/workbook.xml" not in self.infos:
            raise Unreadable(reason("zip-not-xlsx"))
        return "xlsx"

    def _check_directory(self) -> None:
        if self.duplicated:  # readers disagree on which one they take (first, last, any case): a trap
            raise Unreadable(reason("part-duplicated"), "duplicate zip entry names (ignoring case)")
        total = 0
        for info in self.infos.values():
            if info.flag_bits & 0x1:
                raise Unreadable(reason("zip-encrypted"), f"encrypted zip entry {info.filename!r}")
            total += info.file_size
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Unreadable(reason("zip-bomb", part=info.filename))
        if total > MAX_UNPACKED_BYTES:
            raise Unreadable(reason("unpacked-too-big", mb=total // 1048576, limit=MAX_UNPACKED_BYTES // 1048576))

    def has(self, name: str) -> bool:
        return name in self.infos

    def actual(self, name: str) -> str:
        """The part's name as stored: python-calamine finds parts whatever their case, and so do we."""
        return name if name in self.infos else self.lower.get(name.lower(), name)

    def read(self, name: str, limit: int = MAX_PART_BYTES, prolog: bool = True) -> bytes:
        """A part's bytes, inflated by us: refused above ``limit`` or when the stream is longer than
        the zip directory says; with ``prolog``, refused when its prolog declares a DTD (for a part another
        library parses). Parts poaxl parses whole with ``safe_parser``, which refuses a DTD wherever it is,
        and parts that are not XML are read with ``prolog=False``."""
        info = self._info(name, limit)
        data = self._inflate(info, self._stored(info))
        if prolog:
            check_prolog(data, name)
        return data

    def parsed(self, name: str, parse: Callable[[bytes, str], Any], limit: int = MAX_PART_BYTES) -> Any:
        """``parse(data, name)`` of a part, remembered by the part's stored bytes: the forms of a municipality,
        saved by the same program, share their styles and relationships, so each is inflated and parsed once.
        The same stored bytes inflate to the same checked content, so a hit is as safe as a parse; what
        ``parse`` returns is shared and must not be changed."""
        info = self._info(name, limit)
        stored = self._stored(info)
        key = (parse, info.compress_type, info.file_size, info.CRC, blake2b(stored, digest_size=16).digest())
        found = _PARSED.get(key)
        if found is None:
            found = parse(self._inflate(info, stored), name)
            if len(_PARSED) >= MAX_PARSED:
                _PARSED.clear()
            _PARSED[key] = found
        return found

    def _info(self, name: str, limit: int) -> zipfile.ZipInfo:
        info = self.infos.get(name)
        if info is None:
            raise Unreadable(reason("part-missing"), f"missing part {name!r}")
        if info.file_size > limit:
            raise Unreadable(reason("part-too-big", part=name, kb=info.file_size // 1024, limit=limit // 1024))
        return info

    def _broken(self, info: zipfile.ZipInfo) -> Unreadable:
        return Unreadable(reason("part-mismatch"), f"part {info.filename!r} size or CRC mismatch")

    def _stored(self, info: zipfile.ZipInfo) -> bytes:
        """The part's bytes as stored in the zip (compressed), found from its local header."""
        try:
            self._raw.seek(info.header_offset)
            header = self._raw.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                raise self._broken(info)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            self._raw.seek(info.header_offset + 30 + name_len + extra_len)
            return self._raw.read(info.compress_size)
        except OSError:
            raise self._broken(info) from None

    def _inflate(self, info: zipfile.ZipInfo, raw: bytes) -> bytes:
        """Inflate exactly ``file_size`` bytes and prove the stream ends there (a lying size is a bomb)."""
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                data = raw
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                inflater = zlib.decompressobj(-15)
                data = inflater.decompress(raw, info.file_size + 1)
                if not inflater.eof:
                    raise self._broken(info)
            else:
                raise Unreadable(reason("compression"), f"compression method {info.compress_type}")
        except zlib.error:
            raise self._broken(info) from None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise self._broken(info)
        return data

    def scan_all_prologs(self, skip: set[str]) -> None:
        """Every other part that is XML, whatever its name or encoding: no DTD in its prolog."""
        for name, info in self.infos.items():
            if name in skip or name.endswith("/") or info.file_size == 0:
                continue
            p = safe_parser()
            p.StartElementHandler = _stop
            try:
                with self.zf.open(info) as fh:
                    while chunk := fh.read(PROLOG_CHUNK):
                        p.Parse(chunk, False)
            except _RootReached:
                continue
            except expat.ExpatError:
                continue  # not XML (an image...) or malformed: no reader of ours parses it
            except DtdFound:
                raise Unreadable(reason("xml-entities", part=name)) from None
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
                raise Unreadable(reason("zip-error"), str(exc)) from None

    # ------------------------------------------------------------------ xlsx structure

    def xlsx_sheets(self) -> dict[str, str]:
        """Worksheet name -> part name, from xl/workbook.xml and its relationships (as every reader resolves them).

        Also sets ``strings``: the shared strings part the relationships name (whatever its name), and
        ``date1904``."""
        names: list[tuple[str, str]] = []

        def start(name: str, attrs: list) -> None:
            name = name.rpartition(":")[2]
            if name == "sheet":
                attrs = dict(zip(attrs[::2], attrs[1::2]))
                rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), None)
                names.append((attrs.get("name", ""), rid))
            elif names:
                raise _SheetsRead  # <sheets> is over: what follows (names, calculation...) is not read
            elif name == "workbookPr":
                attrs = dict(zip(attrs[::2], attrs[1::2]))
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

        p = safe_parser()
        p.ordered_attributes = True  # a list is cheaper to make than a dict, and only <sheet> is read
        p.StartElementHandler = start
        try:
            parse_part(p, self.read("xl/workbook.xml", prolog=False), "xl/workbook.xml")
        except _SheetsRead:
            pass
        targets: dict[str, str] = {}
        if self.has(WORKBOOK_RELS):
            targets, strings = self.parsed(WORKBOOK_RELS, _workbook_rels)
            if strings is not None:
                self.strings = self.actual(_part(strings))
        return {title: self.actual(_part(targets[rid])) for title, rid in names if targets.get(rid)}


def _workbook_rels(data: bytes, name: str) -> tuple[dict[str, str], str | None]:
    """The worksheet targets of xl/_rels/workbook.xml.rels by relationship id, and the shared strings'
    target (the last one named, as before)."""
    targets: dict[str, str] = {}
    strings: list[str] = []

    def rel(element, attrs):
        if element.rpartition(":")[2] == "Relationship":
            kind = attrs.get("Type", "")
            if kind.endswith(REL_SHEET):
                targets[attrs.get("Id")] = attrs.get("Target", "")
            elif kind.endswith(REL_STRINGS):
                strings.append(attrs.get("Target", ""))

    parse_xml(data, name, rel)
    return targets, strings[-1] if strings else None


def _part(target: str) -> str:
    """A relationship target of xl/workbook.xml as a part name."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def check_prolog(data: bytes, name: str) -> None:
    """Parse up to the root element with a parser that refuses DTDs (any encoding, any comment length)."""
    p = safe_parser()
    p.StartElementHandler = _stop
    try:
        parse_part(p, data, name)
    except _RootReached:
        return


def parse_xml(data: bytes, name: str, start) -> None:
    """Parse a whole (small) part with a DTD-refusing parser, calling ``start(name, attrs)``."""
    p = safe_parser()
    p.StartElementHandler = start
    parse_part(p, data, name)


def parse_part(p, data: bytes, name: str, damaged: str | None = None) -> None:
    """Feed the whole part ``name`` to ``p`` (a safe_parser): a DTD is unreadable 'xml-entities', malformed
    XML unreadable ``damaged`` (a findings reason; 'xml-invalid' by default) with expat's words as detail."""
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unreadable(damaged or reason("xml-invalid", part=name), str(exc)) from None
    except DtdFound:
        raise Unreadable(reason("xml-entities", part=name)) from None
