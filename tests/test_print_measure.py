"""Rows are as tall as what the spreadsheets draw: compared line by line with LibreOffice's PDF of the
consolidated report's unit sheets (9 pt printed at 79 %), whose rows hold the seed's long observations.
Never fewer lines than LibreOffice draws (a short row hides text), at most one more (Excel's text area
is a few points narrower than LibreOffice's, and a row must hold both), lines as far apart as drawn."""
from __future__ import annotations

import html
import re
import statistics
import subprocess

import openpyxl
import pytest

from conftest import EXAMPLES
from poaxl import fontmetrics, paper
from poaxl.catalog import load_catalog
from poaxl.report import UNIT_BODY_PT, UNIT_COLUMNS, UNIT_SCALE, report

WRAPPED = ("Metas y acciones", "Observaciones")
TOP_MARGIN = paper.MARGINS["top"] * 72


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, libreoffice):
    root = tmp_path_factory.mktemp("medida")
    path = root / "consolidado.xlsx"
    report([EXAMPLES], path, catalog=load_catalog(), include_errors=True)
    return path, libreoffice.to_pdf(path, root)


def page_words(pdf, sheet: str) -> list[tuple[float, float, str]]:
    """(x, y, word) of the first printed page of a unit sheet (its footer names it)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pattern = re.compile(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="[^"]+" yMax="[^"]+">([^<]*)</word>')
    for page in out.split("<page ")[1:]:
        if re.search(rf">unidad</word>\s*<word[^>]*>{sheet}</word>", page):
            return [(float(x), float(y), html.unescape(w)) for x, y, w in pattern.findall(page)]
    raise AssertionError(f"no page of {sheet}")


def drawn_lines(xlsx, pdf, sheet: str) -> list[tuple[int, str, int, list[float]]]:
    """(row, column, lines LibreOffice drew, their tops) for the wrapped cells of the goal rows on
    the sheet's first page: words are placed in cells by the printed column widths (the table is
    centred) and row heights, scaled to the print."""
    ws = openpyxl.load_workbook(xlsx)[sheet]
    scale = UNIT_SCALE / 100
    widths = [paper.printed_width(paper.pixels(w)) * scale for _, w, _ in UNIT_COLUMNS]
    edges = [(paper.PAGE_WIDTH - sum(widths)) / 2]
    for w in widths:
        edges.append(edges[-1] + w)
    words = page_words(pdf, sheet)
    first_page = min([b.id for b in ws.row_breaks.brk] or [ws.max_row])  # its last row (1-based)
    out, top, row = [], TOP_MARGIN, 1
    while ws.row_dimensions[row].height and row <= first_page:
        bottom = top + ws.row_dimensions[row].height * scale
        for col, (header, _, _) in enumerate(UNIT_COLUMNS):
            if row >= 4 and header in WRAPPED and ws.cell(row, col + 1).value:
                tops = sorted({round(y, 1) for x, y, _ in words
                               if edges[col] - 2 <= x < edges[col + 1] - 2 and top <= y < bottom})
                out.append((row, header, len(tops), tops))
        top, row = bottom, row + 1
    return out


def test_rows_hold_the_lines_libreoffice_draws_and_no_more_than_one_extra(consolidated):
    xlsx, pdf = consolidated
    ws_values = openpyxl.load_workbook(xlsx)
    widths = {h: w for h, w, _ in UNIT_COLUMNS}
    checked, pitches = 0, []
    for sheet in ("0046", "004", "003", "005"):
        ws = ws_values[sheet]
        for row, header, drawn, tops in drawn_lines(xlsx, pdf, sheet):
            col = [h for h, _, _ in UNIT_COLUMNS].index(header) + 1
            text = str(ws.cell(row, col).value)
            measured = paper.lines(text, widths[header], UNIT_BODY_PT)
            assert drawn <= measured <= drawn + 1, (sheet, row, header, drawn, measured)
            height = ws.row_dimensions[row].height
            assert height >= measured * fontmetrics.line_height(UNIT_BODY_PT)  # room for every line
            pitches += [(b - a) / (UNIT_SCALE / 100) for a, b in zip(tops, tops[1:])]
            checked += 1
    assert checked >= 20 and any(n >= 14 for _, _, n, _ in drawn_lines(xlsx, pdf, "0046"))
    drawn_pitch = statistics.median(pitches)
    # lines as far apart as LibreOffice draws them (it rounds to its own units: within 1 %)
    assert abs(fontmetrics.line_height(UNIT_BODY_PT) - drawn_pitch) <= 0.01 * drawn_pitch, drawn_pitch
