"""The form on paper: column widths in the units spreadsheets use, type sizes, row heights measured
from the text with the font's metrics, and where the pages break.

Widths are designed in printed points. Both spreadsheets measure a column in digits of the workbook's
default font: Excel in whole pixels (96 dpi), LibreOffice in the digit's real width. With Arial 9.5
as the default font both agree within 1 %: Excel's digit is 7 px (5.25 pt), LibreOffice's 5.28 pt.
(With Arial 10, LibreOffice's columns would be 6 % wider than Excel's, and texts measured for Excel
would leave empty lines in LibreOffice.) LibreOffice's columns are the wider ones, so they decide the
page; Excel's are the narrower ones, so they decide how many lines a text wraps to. Rows get explicit heights (a row without one is shown
one line high by LibreOffice, whatever it holds), and with explicit heights the pages can be
broken here, where it is known which rows fit, so the page count is the one designed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Iterable

from .fontmetrics import line_count, text_height, text_width

DEFAULT_FONT = {"font_name": "Arial", "font_size": 9.5}  # the workbook's: it sets the width unit
DIGIT_PT = 1139 / 2048 * DEFAULT_FONT["font_size"]  # the width of "0": LibreOffice's column unit
DIGIT_PX = 7  # the same digit in Excel at 96 dpi
CELL_PADDING = 3.75  # of a cell's width, what text does not use in Excel: 5 px (insets and grid line)
WIDTH_SAFETY = 1.03  # for `fits` only: screen rounding of glyph widths (Excel draws whole pixels)

BODY_PT = 8  # goal texts, measures, numbers, observations: ≥ 7 pt on paper at 100 %
HEAD_PT = 7  # the table's column headers
MEASURE_PT = 7  # UNIDAD DE MEDIDA: a word like COORDINACIÓN fits its column whole
TITLE_PT = 11
ID_PT = 8
MIN_PT = 7  # the smallest type the form prints: a goal text too long for its row shrinks to it (printfit)
MIN_GOAL_LINES = 2  # room in every goal row for a short OBSERVACIÓN typed later
MAX_ROW_PT = 409  # the tallest row a spreadsheet allows

# letter, landscape, in points; margins in inches as the spreadsheet stores them
PAGE_WIDTH, PAGE_HEIGHT = 11 * 72, 8.5 * 72
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.3, "bottom": 0.5}
FOOTER_MARGIN = 0.2
PAGE_SLACK = 0.98  # of the printable height: room for the spreadsheets' own rounding


def workbook_options() -> dict:
    """XlsxWriter's options for the default font, made anew for each workbook: XlsxWriter writes into
    the dictionary it is given (its theme font name), and a shared one made every workbook after the
    first in a process differ from it (the default font tied to the theme's)."""
    return {"default_format_properties": dict(DEFAULT_FONT), "default_column_width": 64}


def pixels(width_pt: float) -> int:
    """Column width in pixels (XlsxWriter's set_column_pixels) for ``width_pt`` printed points in LibreOffice."""
    return round(width_pt / DIGIT_PT * DIGIT_PX)


def printed_width(px: int) -> float:
    """The wider of the two spreadsheets' widths of a ``px`` column: what the page must hold."""
    return px / DIGIT_PX * DIGIT_PT


def text_room(width_pt: float) -> float:
    """Points of a column that wrapped text can use in both spreadsheets (the narrower one, Excel)."""
    return pixels(width_pt) * 0.75 - CELL_PADDING


def printable_width() -> float:
    return PAGE_WIDTH - (MARGINS["left"] + MARGINS["right"]) * 72


def printable_height() -> float:
    return (PAGE_HEIGHT - (MARGINS["top"] + MARGINS["bottom"]) * 72) * PAGE_SLACK


def fits(text: str, width_pt: float, size: float, bold: bool = False) -> bool:
    """Does ``text`` fit on one line of a column ``width_pt`` wide?"""
    return text_width(text, size, bold) * WIDTH_SAFETY <= text_room(width_pt)


def lines(text: str, width_pt: float, size: float = BODY_PT, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped in a column ``width_pt`` wide (measured, not guessed).

    Wrapped at the narrower of the two spreadsheets' text widths (Excel's: its whole pixels less the
    cell's insets; LibreOffice's is ~2 pt wider) with the font's own glyph widths, as both print them
    (LibreOffice's PDF: tests/test_print_measure.py). No margin for screen rounding here: a margin made
    every long text one line in ten too tall on paper; ``fits`` keeps one for words that must never
    break."""
    return line_count(text or "", text_room(width_pt), size, bold)


def row_height(cells: list[tuple[str, float]], size: float = BODY_PT, min_lines: int = 1,
               bold: bool = False, padding: float = 3.0) -> float:
    """Height of a row whose wrapped cells are ``(text, column width)``: the tallest cell wins."""
    needed = max([min_lines] + [lines(text, width, size, bold) for text, width in cells])
    return min(MAX_ROW_PT, text_height(needed, size, padding))


def set_row_heights(ws, heights: dict[int, float]) -> None:
    """Give every row its height. XlsxWriter leaves out a height equal to its default (15 pt), and a
    spreadsheet then uses the default of *its* default font: such a row gets a quarter point more."""
    for row, height in heights.items():
        ws.set_row(row, height + 0.25 if height == XLSXWRITER_DEFAULT_ROW else height)


XLSXWRITER_DEFAULT_ROW = 15


def add_sheet_with_growing_rows(wb, name: str, rows: Iterable[int]):
    """A worksheet that keeps the measured height of ``rows`` but lets them grow when someone types
    a longer text.

    XlsxWriter marks every row it gives a height as ``customHeight``: fixed. Without that mark, Excel
    and LibreOffice open the row at the stored height and fit it again when one of its cells is
    edited, so an OBSERVACIÓN longer than the goal text still shows and prints whole. XlsxWriter has
    no option for it, so the worksheet leaves the mark out as it writes the row (one pass, instead of
    rewriting the finished file). It hooks a private method: tests/test_print.py reads the rows back.
    """
    sheet = wb.add_worksheet(name, worksheet_class=_growing_rows_class())
    sheet.growing_rows = frozenset(r + 1 for r in rows)  # as the XML numbers them
    return sheet


@cache
def _growing_rows_class() -> type:
    """Made on first use: XlsxWriter is imported only by the commands that write."""
    from xlsxwriter.worksheet import Worksheet

    class GrowingRows(Worksheet):
        growing_rows: frozenset[int] = frozenset()

        def _xml_start_tag_unencoded(self, tag: str, attributes=()) -> None:
            super()._xml_start_tag_unencoded(tag, self._release(tag, attributes))

        def _xml_empty_tag_unencoded(self, tag: str, attributes=()) -> None:
            super()._xml_empty_tag_unencoded(tag, self._release(tag, attributes))

        def _release(self, tag: str, attributes):
            if tag == "row" and attributes and attributes[0][1] in self.growing_rows:  # ("r", number) first
                return [a for a in attributes if a[0] != "customHeight"]
            return attributes

    return GrowingRows


@dataclass(frozen=True)
class Pages:
    """Where the rows of a sheet go on paper: ``breaks`` are the first rows of pages 2, 3, …"""

    breaks: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.breaks) + 1


def paginate(heights: dict[int, float], first_body_row: int, repeated: float,
             keep: tuple[int, int] | None = None, scale: float = 1.0, slack: float = 0.0) -> Pages:
    """Break pages between rows so that each page holds what fits on it.

    ``heights`` has every printed row (0-based → points); rows before ``first_body_row`` (titles,
    header block, table header) are on page 1 only; each later page starts with the repeated table
    header (``repeated`` points). Rows ``keep`` = (first, last) never split across pages (the last
    goal row with the signatures under it; a chart), and the page they are on keeps ``slack`` points
    free (room for the rows above to grow when a form is filled). A sheet printed at ``scale`` holds
    1/scale as many points of rows on a page.
    """
    room = printable_height() / scale
    used = sum(h for r, h in heights.items() if r < first_body_row)
    breaks: list[int] = []
    rows = sorted(r for r in heights if r >= first_body_row)
    i = 0
    while i < len(rows):
        row = rows[i]
        kept = bool(keep) and row == keep[0]
        block = [r for r in rows if keep[0] <= r <= keep[1]] if kept else [row]
        height = sum(heights[r] for r in block)
        if kept:  # the slack, but never so much that the block no longer fits a page of its own
            height += max(0.0, min(slack, room - repeated - height))
        if used + height > room and used > repeated + 0.01:  # a new page, unless this one is empty
            breaks.append(row)
            used = repeated
        used += height
        i += len(block)
    return Pages(tuple(breaks))
