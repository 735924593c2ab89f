"""Open a returned workbook (.xlsx, .xlsm or LibreOffice's .ods) safely and get the cells of the form.

Refuses what is not a real workbook (with a Spanish reason a coordinator can act on) before any
XML is inflated or parsed. Then, for the form sheet and the hidden metadata only:
- .xlsx/.xlsm: one expat pass per sheet (sheetscan) bounds it and reads values, formulas and error values
  of the form's columns, with the shared strings and date styles read first (cellvalues);
- .ods: sheetscan bounds content.xml and reads formulas; python-calamine (a Rust reader) reads the values.
openpyxl is not used here: it stays for the writers that need it (--annotate).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from .findings import reason
from .layout import META_SHEET, read_meta
from .package import MAX_PART_BYTES, MAX_RATIO, MAX_STRINGS_BYTES, MAX_UNPACKED_BYTES, Package, Unreadable
from .cellvalues import Percent, Styles, read_shared_strings, read_styles, whole
from .sheetscan import EMPTY, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, BookValues, Cell, Scan, read_xlsx_sheet, scan_ods

__all__ = ["Book", "Cell", "Sheet", "Unreadable", "preflight", "read_book", "MAX_FILE_BYTES",
           "MAX_UNPACKED_BYTES", "MAX_RATIO", "MAX_PART_BYTES", "MAX_STRINGS_BYTES", "MAX_ROWS", "MAX_COLUMNS",
           "MAX_CELLS", "READ_COLS", "FORM_SUFFIXES"]

MAX_FILE_BYTES = 20 * 1024 * 1024        # the packed file
READ_COLS = 18   # the form's 15 columns and a little margin
FORM_SUFFIXES = (".xlsx", ".xlsm", ".ods")

_NONBLOCK, _BINARY = getattr(os, "O_NONBLOCK", 0), getattr(os, "O_BINARY", 0)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ODS_PARTS = ("META-INF/manifest.xml",)


class Sheet(NamedTuple):
    name: str
    rows: list[list[Cell]]

    def get(self, row: int, col: int) -> Cell:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return EMPTY


class Book(NamedTuple):
    sheets: list[Sheet]
    meta: dict[str, str]


def preflight(path: Path) -> None:
    """Cheap checks on the bytes, before the zip is opened; raises Unreadable with the reason."""
    checked_bytes(path)


def checked_bytes(path: Path) -> io.BytesIO:
    """The whole file, read once its size says it can be a workbook and checked by its first bytes; the
    zip reader then works in memory (a form is ~20 KB; at most MAX_FILE_BYTES). Raises Unreadable."""
    try:
        try:  # non-blocking: opening a FIFO must not wait for a writer (fstat then refuses it)
            fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
        except (FileNotFoundError, NotADirectoryError):
            raise Unreadable(reason("missing")) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # before fdopen, which refuses a folder with an OSError of its own
            os.close(fd)
            raise Unreadable(reason("not-a-file"))
        with os.fdopen(fd, "rb") as fh:
            _check_size(st.st_size)
            data = fh.read(st.st_size + 1)  # bounded by the size checked, even if the file grows meanwhile
    except OSError as exc:
        raise Unreadable(reason("not-readable"), exc.strerror or str(exc)) from None
    _check_size(len(data))
    _check_head(data)
    return io.BytesIO(data)


def _check_size(size: int) -> None:
    if size == 0:
        raise Unreadable(reason("empty"))
    if size > MAX_FILE_BYTES:
        raise Unreadable(reason("too-big", mb=size // 1048576, limit=MAX_FILE_BYTES // 1048576))


def _check_head(data: bytes) -> None:
    """An OLE container (an encrypted workbook, an old .xls) or anything but a zip: refused with its reason."""
    if data.startswith(OLE_MAGIC):
        raise Unreadable(reason("encrypted" if "EncryptionInfo".encode("utf-16-le") in data else "xls"))
    if not data.startswith(ZIP_MAGIC):
        kind = "texto o CSV" if _looks_like_text(data[:4096]) else "un archivo de otro tipo"
        raise Unreadable(reason("not-xlsx", kind=kind))


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def open_package(path: Path) -> Package:
    """The workbook's zip, its bytes checked first and read once (checked_bytes)."""
    return Package(path, checked_bytes(path))


def read_book(path: str | Path) -> Book:
    """The form sheet(s) as cell grids (value + is-formula) and the hidden metadata, read-only."""
    with open_package(Path(path)) as pkg:
        if pkg.kind == "ods":
            return _read_ods(pkg)
        return _read_xlsx(pkg)


# --------------------------------------------------------------------------- xlsx

def _read_xlsx(pkg: Package) -> Book:
    parts = {t: part for t, part in pkg.xlsx_sheets().items() if pkg.has(part)}  # a lost part: no such sheet
    # every part below is parsed whole by a DTD-refusing parser: no separate prolog check
    styles = pkg.parsed("xl/styles.xml", read_styles) if pkg.has("xl/styles.xml") else Styles()
    strings = (read_shared_strings(pkg.read(pkg.strings, MAX_STRINGS_BYTES, prolog=False), pkg.strings)
               if pkg.has(pkg.strings) else [])
    values = BookValues(strings, styles, pkg.date1904)

    def grid(title: str, columns: int) -> list[list[Cell]]:
        return read_xlsx_sheet(pkg.read(parts[title], prolog=False), parts[title], title, columns, values)

    meta = _meta(grid(META_SHEET, 2)) if META_SHEET in parts else {}
    # every sheet is read, not only the one the metadata names: another unit's form pasted into a generated
    # workbook must be found (check: a report per form; collect: refused), not silently left out
    return Book([Sheet(t, grid(t, READ_COLS)) for t in parts if t != META_SHEET], meta)


# --------------------------------------------------------------------------- ods

def _read_ods(pkg: Package) -> Book:
    for name in _ODS_PARTS:
        if pkg.has(name):
            pkg.read(name)
    scans = scan_ods(pkg.read("content.xml"), wanted=_ALL, read_cols=READ_COLS)
    values = _Values(pkg)
    meta = _meta(values.grid(META_SHEET, scans[META_SHEET])) if META_SHEET in scans else {}
    titles = [t for t in values.names() if t != META_SHEET and t in scans]  # all of them, as in .xlsx
    return Book([Sheet(t, values.grid(t, scans[t])) for t in titles], meta)


class _All(set):
    """Every table is wanted (the metadata is in the same part as the form)."""

    def __contains__(self, item) -> bool:
        return True


_ALL = _All()


# --------------------------------------------------------------------------- values

def _calamine(call, what: str):
    """Run a python-calamine call; what it raises for a damaged file becomes Unreadable (its text: detail).

    Its own exceptions (CalamineError and subclasses: Xml, Zip, Password...), value conversions that
    fail (ValueError, OverflowError) and a panic inside the Rust code (PanicException, which derives
    from BaseException) are the file's fault; anything else is a bug and propagates."""
    from python_calamine import CalamineError

    try:
        return call()
    except (CalamineError, ValueError, OverflowError, OSError) as exc:
        raise Unreadable(reason("damaged"), f"{what}: {type(exc).__name__}: {exc}") from None
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":
            raise Unreadable(reason("damaged"), f"{what}: calamine panic: {exc}") from None
        raise


class _Values:
    """python-calamine over the same file, opened once, read sheet by sheet (after the scan bounded it)."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self._wb = None

    def _book(self):
        if self._wb is None:
            from python_calamine import CalamineWorkbook  # outside the try: a missing library is no bad file

            self.pkg._raw.seek(0)
            self._wb = _calamine(lambda: CalamineWorkbook.from_filelike(self.pkg._raw), "open")
        return self._wb

    def names(self) -> list[str]:
        return list(self._book().sheet_names)

    def sheet(self, title: str) -> list[list[Any]]:
        """calamine's values of one sheet (rows of Python values, '' for empty)."""
        book = self._book()
        return _calamine(lambda: book.get_sheet_by_name(title).to_python(skip_empty_area=False), f"sheet {title!r}")

    def grid(self, title: str, scan: Scan) -> list[list[Cell]]:
        raw = self.sheet(title)
        rows = [[EMPTY if v == "" else Cell(v, False) if type(v) is str else Cell(_value(v), False)
                 for v in values[:READ_COLS]] for values in (raw[:scan.rows] if scan.rows else raw)]
        for (r, c), value in scan.values.items():  # percentages, dates, times: read as .xlsx reads them
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = Cell(value, False)
        for (r, c), text in scan.formulas.items():
            while r >= len(rows):
                rows.append([])
            row = rows[r]
            while c >= len(row):
                row.append(EMPTY)
            row[c] = Cell(text, True)
        return rows


def _value(v: Any) -> Any:
    """calamine's value as the checker expects it: empty is None, whole numbers are int, dates are datetimes."""
    if v == "" or v is None:
        return None
    if type(v) is float:
        return whole(v)
    if type(v) is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    return v


def _meta(rows: list[list[Cell]]) -> dict[str, str]:
    return read_meta([[c.value for c in row] for row in rows])


# --------------------------------------------------------------------------- for --annotate

def load_for_annotate(path: str | Path):
    """The whole workbook in openpyxl, to write a marked copy: every XML part checked first (openpyxl
    parses them all). An .ods becomes a new .xlsx holding its values (openpyxl cannot read .ods), bounded
    by the same scan as for checking and with the form's values read as the checker read them (a
    percentage shown as one, a duration as a duration)."""
    import openpyxl

    path = Path(path)
    with open_package(path) as pkg:
        pkg.scan_all_prologs(skip=set())
        if pkg.kind == "xlsx":
            return openpyxl.load_workbook(path, keep_vba=False, keep_links=False)
        scans = scan_ods(pkg.read("content.xml"), wanted=_ALL, read_cols=READ_COLS)
        values = _Values(pkg)
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title in values.names():
            ws = wb.create_sheet(title)
            for r, row in enumerate(values.sheet(title)[:MAX_ROWS], start=1):
                for c, value in enumerate(row[:MAX_COLUMNS], start=1):
                    if value != "":
                        _put_value(ws.cell(r, c), value)
            for (r, c), value in scans[title].values.items() if title in scans else ():
                _put_value(ws.cell(r + 1, c + 1), value)
            if title == META_SHEET:
                ws.sheet_state = "hidden"
        return wb


def _put_value(cell, value: Any) -> None:
    """A value in the annotated copy: a text that starts with "=" stays text; a Percent is shown as one."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif type(value) is Percent:
        cell.number_format = "0%" if round(value * 100, 9).is_integer() else "0.0%"
