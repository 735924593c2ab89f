"""One pass of expat over a sheet's XML: the sheet is bounded and its form columns read as it goes.

.xlsx: the pass reads everything the checker needs (values, formulas, error values) for the form's
columns; refusing a sheet too large happens at the cell that crosses the limit, before any more is read.
.ods: the pass bounds content.xml before python-calamine sees it (calamine allocates the whole rectangle
from the first to the last cell: two cells far apart abort the process) and reads the formulas, which
calamine does not expose, and the values calamine reads otherwise than the same form saved as .xlsx
(percentages, dates, times, texts holding a tab). Nothing here evaluates a formula.
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple

from .cellvalues import Percent, Styles, excel_date, iso_date, number, odf_serial, unescape, whole
from .findings import reason
from .package import Unreadable, parse_part, safe_parser

MAX_ROWS = 2000       # a TMM-F004 sheet has a few dozen rows; far more is not our form
MAX_COLUMNS = 256     # columns A..IV: the form uses 15; a note typed further right is fine
MAX_CELLS = 100_000   # cell elements in one sheet (a form has ~500)
MAX_FORMULA = 8192    # characters in a formula: Excel's own limit (a form's longest is ~60)
MAX_EXPANDED = 8_000_000  # .ods: characters calamine makes beyond the XML (repeated cells, <text:s c=>)

Pos = tuple[int, int]


class Scan:
    """What the value reader does not give: formulas of the read columns, and values it reads otherwise.
    (A plain class: a dataclass costs every command ~0.5 ms to make at import.)"""

    __slots__ = ("formulas", "values", "rows")

    def __init__(self) -> None:
        self.formulas: dict[Pos, str] = {}  # "=SUM(F16,H16)", as Excel stores it
        self.values: dict[Pos, Any] = {}    # Percent(0.9), timedelta(hours=30)...
        self.rows = 0                       # last row with a cell, + 1


def _too_far(title: str, row: int, col: int) -> Unreadable:
    if row >= MAX_ROWS:
        return Unreadable(reason("too-many-rows", sheet=title, limit=MAX_ROWS), f"cell at row {row + 1}")
    return Unreadable(reason("too-many-columns", sheet=title, limit="IV"), f"cell at column {col + 1}")


def _too_many(title: str) -> Unreadable:
    return Unreadable(reason("too-many-cells", sheet=title, limit=f"{MAX_CELLS:,}"))


def _too_much_text(title: str) -> Unreadable:
    return Unreadable(reason("too-much-text", sheet=title, limit=f"{MAX_EXPANDED:,}"))


def _too_long(title: str) -> Unreadable:
    return Unreadable(reason("formula-too-long", sheet=title, limit=f"{MAX_FORMULA:,}"))


# --------------------------------------------------------------------------- xlsx

_COLS: dict[str, int] = {}


def column_index(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27 (cached: a sheet repeats the same few letters)."""
    col = _COLS.get(letters)
    if col is None:
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        col -= 1
        if len(_COLS) < 4096:
            _COLS[letters] = col
    return col


def split_ref(ref: str) -> Pos:
    """'H14' -> (13, 7); anything else is a damaged file. (read_xlsx_sheet remembers the positions found:
    every form has the same cells.)"""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not (0 < len(letters) <= 3 and letters.isalpha() and letters.isupper() and letters.isascii()
            and digits.isdigit() and digits.isascii() and 0 < len(digits) <= 7 and digits[0] != "0"):
        raise Unreadable(reason("bad-reference"), f"bad cell reference {ref[:20]!r}")
    return int(digits) - 1, column_index(letters)


class Cell(NamedTuple):
    """A cell of the form: its value (as openpyxl would give it) and whether it holds a formula."""

    value: Any
    formula: bool


EMPTY = Cell(None, False)


class BookValues(NamedTuple):
    """What a sheet's cells need from the rest of the workbook to become values."""

    strings: list[str]
    styles: Styles = Styles()
    date1904: bool = False


def read_xlsx_sheet(data: bytes, part: str, title: str, read_cols: int, book: BookValues) -> list[list[Cell]]:
    """Bound one worksheet part and read the cells of its first ``read_cols`` columns (one expat pass):
    values, formulas ("=SUM(F16,H16)", shared ones translated) and error values ("#DIV/0!").

    Rows of cells from the first row to the last one holding a value, empty cells as EMPTY.

    A Python call per XML element is most of the reader's cost, so each is kept short: the common elements
    are tested first; attributes come as expat's list (cheaper to make than a dict); an empty cell (most of
    a form's <c>) costs only its position, its type and style being read only if a value follows; the end
    handler is set only while a <v>, <f> or <t> is open, and a value goes straight into its row. An inline
    string (<is>) is read from its <t> runs, phonetic runs (<rPh>) left out."""
    rows: list[list[Cell]] = []
    shared: dict[str, tuple[str, Pos]] = {}
    p = safe_parser()
    p.ordered_attributes = True
    inside = _INSIDE
    row = col = -1
    count = 0
    cell: list = []                 # the attributes of the open <c>
    formula_of: list | None = None  # the <c> whose <f> was read: its <v> is only the formula's result
    inline_of: list | None = None   # the <c> whose inline string (<is>) is being read
    phonetic = 0
    text: list[str] = []
    collect = text.append
    fattrs: list = []
    new = tuple.__new__  # Cell(value, formula) without the NamedTuple's Python-level __new__

    def put(value: Cell) -> None:
        while row >= len(rows):
            rows.append([])
        line = rows[row]
        if col < len(line):  # the second run of a rich text, or cells out of order
            line[col] = value
        else:
            if col > len(line):
                line.extend([EMPTY] * (col - len(line)))
            line.append(value)

    def start(name: str, attrs: list) -> None:
        nonlocal row, col, count, cell, formula_of, fattrs, inline_of, phonetic
        if name == "c":
            count += 1
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            pos = inside.get(ref)
            row, col = pos if pos is not None else _place(ref, row, col, title)
            if count > MAX_CELLS:
                raise _too_many(title)
            cell = attrs
        elif name == "v":
            if -1 < col < read_cols and formula_of is not cell:
                text.clear()
                p.CharacterDataHandler = collect
                p.EndElementHandler = end_value
        elif name == "t":
            if inline_of is cell and not phonetic:
                p.CharacterDataHandler = collect
                p.EndElementHandler = end_text
        elif name == "row":
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                row += 1
            elif ref.isdigit() and ref.isascii() and 0 < len(ref) <= 7 and ref[0] != "0":
                row = int(ref) - 1
            else:  # row 0, "x": openpyxl's int() fails; cells without r would land outside the sheet
                raise Unreadable(reason("bad-reference"), f"bad row number {ref[:20]!r}")
            col = -1
        elif name == "is":
            if -1 < col < read_cols:
                inline_of, phonetic = cell, 0
                text.clear()
        elif name == "f":
            if -1 < col < read_cols:
                formula_of, fattrs = cell, attrs
                text.clear()
                p.CharacterDataHandler = collect
                p.EndElementHandler = end_formula
        elif ":" in name:
            start(name.rpartition(":")[2], attrs)  # a prefixed x:c
        elif name in AFTER_CELLS:
            raise _CellsRead
        elif name == "rPh" and inline_of is cell:
            phonetic += 1
            p.EndElementHandler = end_phonetic

    def end_value(_name: str) -> None:  # </v>: a <v> holds no element
        p.CharacterDataHandler = p.EndElementHandler = None
        if text:
            kind, style = type_and_style(cell)
            if kind != "inlineStr":
                put(new(Cell, (_value("".join(text), kind, style, book, part), False)))

    def end_formula(_name: str) -> None:  # </f>
        p.CharacterDataHandler = p.EndElementHandler = None
        formula = "".join(text)
        if len(formula) > MAX_FORMULA:  # translating it for every shared cell would take minutes
            raise _too_long(title)
        put(new(Cell, (_formula(formula, fattrs, (row, col), shared), True)))

    def end_text(_name: str) -> None:  # </t> of an inline string: the runs so far are its value
        p.CharacterDataHandler = p.EndElementHandler = None
        if text and formula_of is not cell and type_and_style(cell)[0] == "inlineStr":
            put(new(Cell, (unescape("".join(text)), False)))

    def end_phonetic(name: str) -> None:  # inside <rPh>: its <t> is a reading, not the text
        nonlocal phonetic
        if name.rpartition(":")[2] == "rPh":
            phonetic -= 1
            p.EndElementHandler = None

    p.StartElementHandler = start
    try:
        parse_part(p, data, part)
    except _CellsRead:
        pass  # the rest of the sheet is its page setup, merges, validations...: nothing the checker reads
    return rows


def attribute(attrs: list, name: str) -> str | None:
    """An attribute's value from expat's ordered list [name, value, name, value...]."""
    for i in range(0, len(attrs) - 1, 2):
        if attrs[i] == name:
            return attrs[i + 1]
    return None


def type_and_style(attrs: list) -> tuple[str | None, str | None]:
    """A <c>'s t and s attributes. Excel, LibreOffice and openpyxl write r, s, t in this order: those
    lists are read by position, any other by name."""
    n = len(attrs)
    if n and attrs[0] == "r":
        if n == 2:
            return None, None
        if n == 4:
            if attrs[2] == "s":
                return None, attrs[3]
            if attrs[2] == "t":
                return attrs[3], None
        elif n == 6 and attrs[2] == "s" and attrs[4] == "t":
            return attrs[5], attrs[3]
    return attribute(attrs, "t"), attribute(attrs, "s")


_INSIDE: dict[str | None, Pos] = {}


def _place(ref: str | None, row: int, col: int, title: str) -> Pos:
    """A cell's position: from its reference, or the next column when it has none; refused beyond the
    sheet's bounds. References found inside them are remembered (every form has the same cells)."""
    if ref:
        pos = split_ref(ref)
    elif row < 0:
        raise Unreadable(reason("bad-reference"), "a cell outside any row")
    else:
        pos = (row, col + 1)
    if pos[0] >= MAX_ROWS or pos[1] >= MAX_COLUMNS:
        raise _too_far(title, *pos)
    if ref and len(_INSIDE) < 200_000:
        _INSIDE[ref] = pos
    return pos


# What follows <sheetData> in a worksheet (ECMA-376 CT_Worksheet): meeting one, the cells are all read.
AFTER_CELLS = frozenset((
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "mergeCell", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
    "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts"))


class _CellsRead(Exception):
    """The parse met the first element after the cells: it stops there."""


def _value(text: str, kind: str | None, style: str | None, book: BookValues, part: str) -> Any:
    """The value of a <v> of type ``kind`` (the cell's t attribute), as openpyxl reads it."""
    try:
        if kind is None or kind == "n":
            value = number(text)
            if style and style[0] == "0":
                style = style.lstrip("0") or "0"  # s="07" is style 7
            if style in book.styles.dates:
                try:
                    return excel_date(value, book.date1904, style in book.styles.elapsed)
                except (OverflowError, ValueError):
                    pass  # a "date" no calendar holds: the number typed (openpyxl would say #VALUE!)
            elif style in book.styles.percents:
                return Percent(value)
            return value
        if kind == "s":
            return book.strings[int(text)] if text.isdigit() and len(text) < 10 else _bad(part, text)
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return iso_date(text)
    except (ValueError, IndexError):
        return _bad(part, text)
    return text  # str (a formula's text result), e (an error value) and unknown types: the text


def _bad(part: str, text: str) -> Any:
    raise Unreadable(reason("damaged"), f"{part}: bad cell value {text[:20]!r}")


def _formula(text: str, attrs: list, pos: Pos, shared: dict[str, tuple[str, Pos]]) -> str:
    """The cell's formula as openpyxl gives it ("=..."), shared formulas translated to the cell."""
    if attribute(attrs, "t") == "shared":
        si = attribute(attrs, "si") or ""
        if si in shared:
            master, origin = shared[si]
            return "=" + shift_formula(master, pos[0] - origin[0], pos[1] - origin[1])
        if text:
            shared[si] = (text, pos)
    return "=" + text


_REF = re.compile(r"(\"[^\"]*\"|'[^']*')|(?<![A-Za-z0-9_.!])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


def letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """A shared formula moved from its master cell: relative references shift, $-anchored ones and
    text in quotes do not (what Excel means by a shared formula)."""

    def move(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        col_abs, col, row_abs, row = m.group(2), m.group(3), m.group(4), m.group(5)
        new_col = col if col_abs else letters(column_index(col) + dcol)
        new_row = row if row_abs else str(int(row) + drow)
        return f"{col_abs}{new_col}{row_abs}{new_row}"

    return _REF.sub(move, formula)


# --------------------------------------------------------------------------- ods

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T, _S, _N, _TEXT = TABLE + " ", STYLE + " ", NUMBER + " ", TEXT + " "
_SPACES, _PARAGRAPH = _TEXT + "s", _TEXT + "p"
# what the pass reads before the tables (_OdsContent._style): the automatic styles, the document's day 0
_STYLES = (_S + "style", _N + "time-style", _T + "null-date")
_BREAKS = {_TEXT + "tab": "\t", _TEXT + "line-break": "\n"}
_VALUE_TYPE = OFFICE + " value-type"
# office:value-type -> the attribute holding the value, for the types calamine reads otherwise than the
# .xlsx reader reads the same cell saved as .xlsx (a percentage is a bare 0.9 there; a time of 30 hours
# the text "PT30H00M00S"; a date of 1899-12-30 a datetime, not a time)
_OWN_READING = {"percentage": OFFICE + " value", "date": OFFICE + " date-value", "time": OFFICE + " time-value"}


class _OdsContent:
    """The pass over content.xml: every table's bounds, and the formulas of the read columns.

    Bounds are what calamine will allocate: cells with content (a repeated cell is one per repetition,
    a whole text each) and the spaces of <text:s text:c="N"/>, which calamine writes out N times."""

    def __init__(self, wanted: set[str], read_cols: int, parser):
        self.wanted, self.read_cols, self.p = wanted, read_cols, parser
        self.scans: dict[str, Scan] = {}
        self.title = ""
        self.scan: Scan | None = None
        self.depth = 0              # nesting of table:table (sub-tables are not sheets)
        self.row = self.col = 0
        self.row_repeat = 1
        self.row_content = False
        self.cell_span = 0
        self.cell_content = False
        self.in_cell = False
        self.cells = 0
        self.cell_start = 0         # byte offset of the open cell
        self.cell_spaces = 0        # spaces its <text:s> stand for
        self.expanded = 0           # characters calamine makes beyond the XML
        self.text: list[str] | None = None  # the open text cell's text (a read column of a wanted table)
        self.paragraphs = self.skip = 0
        self.breaks = False         # it holds a tab or line break
        self.data_styles: dict[str, str] = {}  # cell style -> its number format (style:data-style-name)
        self.elapsed: set[str] = set()         # number formats of a duration ([HH]:MM:SS)
        self.column_styles: list[str | None] = []  # default cell style of each read column
        self.date1904 = False       # the document's dates count from 1-jan-1904 (table:null-date)

    def start(self, name: str, attrs: dict) -> None:
        if name == _T + "table":
            self.depth += 1
            if self.depth == 1:
                self.title = attrs.get(_T + "name", "")
                self.scan = Scan()
                self.scans[self.title] = self.scan
                self.row = 0
                self.column_styles = []
        elif self.depth != 1:
            if self.in_cell:
                self.cell_content = True
            elif self.depth == 0 and name in _STYLES:
                self._style(name, attrs)
        elif name == _T + "table-row":
            self.row_repeat = _count(attrs.get(_T + "number-rows-repeated"))
            self.row_content = False
            self.col = 0
        elif name in (_T + "table-cell", _T + "covered-table-cell"):
            self.in_cell = True
            self.cell_start, self.cell_spaces = self.p.CurrentByteIndex, 0
            self.cell_span = _count(attrs.get(_T + "number-columns-repeated"))
            formula = attrs.get(_T + "formula")
            self.cell_content = formula is not None or (OFFICE + " value-type") in attrs
            if formula is not None and len(formula) > MAX_FORMULA:
                raise _too_long(self.title)
            if formula is not None and self.title in self.wanted:
                text = excel_formula(formula)
                self._put(self.scan.formulas, text)
            elif self.col < self.read_cols and self.title in self.wanted:
                kind = attrs.get(_VALUE_TYPE)
                if kind == "string":  # its text is kept in case it holds a tab (calamine drops them)
                    self.text, self.paragraphs, self.skip, self.breaks = [], 0, 0, False
                    self.p.CharacterDataHandler = self.text.append
                elif kind in _OWN_READING:
                    value = self._value(attrs)
                    if value is not None:
                        self._put(self.scan.values, value)
        elif name == _T + "table-column":
            missing = self.read_cols - len(self.column_styles)
            if missing > 0:
                repeat = attrs.get(_T + "number-columns-repeated", "1")
                count = int(repeat) if repeat.isdigit() and len(repeat) < 6 else 1
                self.column_styles.extend([attrs.get(_T + "default-cell-style-name")] * min(count, missing))
        elif self.in_cell:
            self.cell_content = True
            if name == _SPACES:
                count = attrs.get(_TEXT + "c", "1")
                count = int(count) if count.isdigit() and len(count) < 10 else MAX_EXPANDED + 1
                self.cell_spaces += count
                if self.expanded + self.cell_spaces > MAX_EXPANDED:
                    raise _too_much_text(self.title)
                if self.text is not None and not self.skip:
                    self.text.append(" " * count)
            elif self.text is not None:
                self._text(name)

    def _text(self, name: str) -> None:
        """An element inside a text cell: paragraphs are lines, <text:tab/> and <text:line-break/> what
        calamine leaves out; anything not text (a comment, a drawing anchored to the cell) is no part of it."""
        if self.skip or not name.startswith(_TEXT):
            self.skip += 1
            self.p.CharacterDataHandler = None
        elif name == _PARAGRAPH:
            if self.paragraphs:
                self.text.append("\n")
            self.paragraphs += 1
        elif name in _BREAKS:
            self.text.append(_BREAKS[name])
            self.breaks = True

    def _put(self, into: dict, value: Any) -> None:
        """``value`` at every read position of the cell (a repeated cell stands for several)."""
        for r in range(self.row, self.row + min(self.row_repeat, MAX_ROWS)):
            for c in range(self.col, min(self.col + self.cell_span, self.read_cols)):
                into[(r, c)] = value

    def _style(self, name: str, attrs: dict) -> None:
        """The automatic styles before the tables: which cell styles show a duration."""
        if name == _STYLES[0]:
            data = attrs.get(_S + "data-style-name")
            if data is not None:
                self.data_styles[attrs.get(_S + "name", "")] = data
        elif name == _STYLES[2]:  # LibreOffice's .xlsx of such a document counts days from 1904 (date1904)
            self.date1904 = attrs.get(_T + "date-value", "")[:10] == "1904-01-01"
        elif attrs.get(_N + "truncate-on-overflow") == "false":  # a time-style
            self.elapsed.add(attrs.get(_S + "name", ""))

    def _value(self, attrs: dict) -> Any:
        """The cell's value as the .xlsx reader gives the same cell saved as .xlsx (a Percent, a date or time
        as cellvalues.excel_date makes it from LibreOffice's serial); None: calamine's reading stands."""
        kind = attrs[_VALUE_TYPE]
        text = attrs.get(_OWN_READING[kind], "")
        if kind == "percentage":
            try:
                return Percent(number(text))
            except ValueError:
                return None
        serial = odf_serial(kind, text, self.date1904)
        if serial is None:
            return None
        style = attrs.get(_T + "style-name")
        if style is None and self.col < len(self.column_styles):
            style = self.column_styles[self.col]
        try:
            return excel_date(serial, self.date1904, kind == "time" and self.data_styles.get(style) in self.elapsed)
        except (OverflowError, ValueError):
            return whole(serial)  # a "date" no calendar holds: the number, as the .xlsx reader gives it

    def end(self, name: str) -> None:
        if name == _T + "table":
            self.depth -= 1
        elif self.depth != 1:
            return
        elif self.skip:  # the end of a comment or drawing inside a text cell, or of something in it
            self.skip -= 1
            if not self.skip:
                self.p.CharacterDataHandler = self.text.append
        elif name in (_T + "table-cell", _T + "covered-table-cell"):
            self.in_cell = False
            if self.text is not None:
                self.p.CharacterDataHandler = None
                if self.breaks:  # else calamine's reading is the same text
                    self._put(self.scan.values, "".join(self.text))
                self.text = None
            if self.cell_content:
                self.row_content = True
                self.cells += self.cell_span * self.row_repeat
                if self.cells > MAX_CELLS:
                    raise _too_many(self.title)
                last = self.col + self.cell_span - 1
                if last >= MAX_COLUMNS:
                    raise _too_far(self.title, self.row, last)
                copies = self.cell_span * self.row_repeat
                if copies > 1 or self.cell_spaces:  # the cell's XML bounds its text: calamine copies it
                    size = self.p.CurrentByteIndex - self.cell_start + self.cell_spaces
                    self.expanded += size * (copies - 1) + self.cell_spaces
                    if self.expanded > MAX_EXPANDED:
                        raise _too_much_text(self.title)
            self.col += self.cell_span
        elif name == _T + "table-row":
            if self.row_content:
                last = self.row + self.row_repeat - 1
                if last >= MAX_ROWS:
                    raise _too_far(self.title, last, 0)
                self.scan.rows = last + 1
            self.row += self.row_repeat


def _count(value: str | None) -> int:
    """A repeat count of ODF (number-rows/columns-repeated); at most a sheet's size."""
    if value is None:
        return 1
    if not value.isdigit() or len(value) > 8:
        raise Unreadable(reason("ods-damaged"), f"bad repeat count {value[:20]!r}")
    return max(1, int(value))


def scan_ods(data: bytes, wanted: set[str], read_cols: int) -> dict[str, Scan]:
    """Bounds of every table in content.xml (calamine reads them all) and formulas of ``wanted`` ones."""
    p = safe_parser(namespaces=True)
    state = _OdsContent(wanted, read_cols, p)
    p.StartElementHandler = state.start
    p.EndElementHandler = state.end
    parse_part(p, data, "content.xml", damaged=reason("ods-damaged"))
    return state.scans


_ODF_REF = re.compile(r"(\"[^\"]*\")|\[([^\]]*)\]")


def excel_formula(odf: str) -> str:
    """OpenFormula as LibreOffice writes it in .ods ("of:=SUM([.F16];[.H16])") in Excel's spelling
    ("=SUM(F16,H16)"), so one comparison serves both formats."""
    text = odf.split(":", 1)[1] if odf[:1] != "=" and ":" in odf.split("=", 1)[0] else odf

    def ref(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        parts = []
        for piece in m.group(2).split(":"):
            sheet, _, cell = piece.rpartition(".")
            sheet = sheet.lstrip("$")
            parts.append(f"{sheet}!{cell}" if sheet else cell)
        return ":".join(parts)

    converted = _ODF_REF.sub(ref, text)
    out, quoted = [], False
    for ch in converted:
        if ch == '"':
            quoted = not quoted
        out.append("," if ch == ";" and not quoted else ch)
    return "".join(out)
