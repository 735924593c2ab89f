"""Open a returned workbook safely and get its cells: refuse what is not a real .xlsx (with a
Spanish reason a coordinator can act on) before any XML is inflated or parsed."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PoaxlError
from .findings import reason
from .layout import META_SHEET

MAX_FILE_BYTES = 20 * 1024 * 1024        # the packed file
MAX_UNPACKED_BYTES = 100 * 1024 * 1024   # all parts inflated
MAX_RATIO = 200                          # inflated / packed, per part (zip bombs)
MAX_ROWS = 2000  # a TMM-F004 sheet has a few dozen rows; far more is not our form
READ_COLS = 18   # the form's 15 columns and a little margin

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Unreadable(PoaxlError):
    """The file cannot be checked; the message (from findings.REASONS) says why and what to do."""


@dataclass
class Cell:
    value: Any
    formula: bool


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]

    def get(self, row: int, col: int) -> Cell:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return Cell(None, False)


@dataclass
class Book:
    sheets: list[Sheet]
    meta: dict[str, str]


def preflight(path: Path) -> None:
    """Cheap checks on the bytes and the zip directory; raises Unreadable with the reason."""
    if not path.exists():
        raise Unreadable(reason("missing"))
    if not path.is_file():
        raise Unreadable(reason("not-a-file"))
    size = path.stat().st_size
    if size == 0:
        raise Unreadable(reason("empty"))
    if size > MAX_FILE_BYTES:
        raise Unreadable(reason("too-big", mb=size // 1048576, limit=MAX_FILE_BYTES // 1048576))
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(OLE_MAGIC):  # an OLE container: encrypted OOXML or a legacy .xls (<= 20 MB, read whole)
        if "EncryptionInfo".encode("utf-16-le") in path.read_bytes():
            raise Unreadable(reason("encrypted"))
        raise Unreadable(reason("xls"))
    if not head.startswith(ZIP_MAGIC):
        kind = "texto o CSV" if _looks_like_text(head) else "un archivo de otro tipo"
        raise Unreadable(reason("not-xlsx", kind=kind))
    _check_zip(path)


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                raise Unreadable(reason("ods"))
            if "xl/workbook.xml" not in names:
                raise Unreadable(reason("zip-not-xlsx"))
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise Unreadable(reason("zip-bomb", part=info.filename))
            if total > MAX_UNPACKED_BYTES:
                raise Unreadable(reason("unpacked-too-big", mb=total // 1048576,
                                                 limit=MAX_UNPACKED_BYTES // 1048576))
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as part:
                        start = part.read(2048)
                    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                        raise Unreadable(reason("xml-entities", part=info.filename))
    except zipfile.BadZipFile:
        raise Unreadable(reason("truncated")) from None
    except (zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise Unreadable(reason("zip-error", detail=exc)) from None


def read_book(path: str | Path) -> Book:
    """All form sheets as cell grids (value + is-formula) and the hidden metadata, read-only."""
    import openpyxl

    path = Path(path)
    preflight(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise Unreadable(reason("open-failed", detail=f"{type(exc).__name__}: {exc}")) from None
    try:
        sheets, meta = [], {}
        for ws in wb.worksheets:
            rows = _grid(ws)
            if ws.title == META_SHEET:
                meta = {str(r[0].value): str(r[1].value) for r in rows if len(r) > 1 and r[0].value is not None}
            else:
                sheets.append(Sheet(ws.title, rows))
        return Book(sheets, meta)
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(reason("damaged", detail=f"{type(exc).__name__}: {exc}")) from None
    finally:
        wb.close()


def _grid(ws) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for n, row in enumerate(ws.iter_rows(max_col=READ_COLS)):
        if n >= MAX_ROWS:
            raise Unreadable(reason("too-many-rows", sheet=ws.title, limit=MAX_ROWS))
        rows.append([Cell(c.value, getattr(c, "data_type", None) == "f") for c in row])
    return rows
