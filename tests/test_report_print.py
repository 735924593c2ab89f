"""The consolidated report on paper, printed by a real LibreOffice: no page of only the repeated header
and a chart (session-3 defect: a unit of six goals printed its chart alone on a second page), the
Resumen continued under its header with the chart beside its last rows, every word of each cell printed
and no line clipped (texts longer than a row can hold go on in rows of their own)."""
from __future__ import annotations

import html
import re
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import apply_openpyxl, cell, on_plan_ops
from test_print import long_text, words
from poaxl import fontmetrics, paper
from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.findings import text
from poaxl.generate import generate
from poaxl.layout import FINDINGS_SHEET, SUMMARY_SHEET
from poaxl.report import (FINDINGS_COLUMNS, SUMMARY_COLUMNS, SUMMARY_SCALE, UNIT_BODY_PT, UNIT_COLUMNS, UNIT_SCALE,
                          TABLE_TOP, report, sheet_pages, unit_sheet_pages)

# goals per unit: enough units for a Resumen of several pages; 6 to 10 and 18 goals ended a page with no
# room left for the chart; the last unit's last goal is longer than a row can hold (2000 characters)
GOALS = (1, 2, 4, 6, 7, 8, 9, 10, 12, 18, 25, 3, 5, 6, 8, 10, 6, 7, 9, 2, 4, 6, 8, 10, 6, 7, 8, 9, 6, 7, 6, 8, 2)


def goal_text(code: str, i: int, n: int) -> str:
    """Each word of a goal starts with G<unit>X, so a page that holds some of it says whose it is."""
    chars = 2000 if code == unit_code(len(GOALS) - 1) and i == n - 1 else (60, 140, 230)[i % 3]
    pieces = [f"G{code}X{w}" for w in long_text(f"{i}Y", chars).split()]
    while len(" ".join(pieces)) > chars:  # the catalog takes 2000 at most
        pieces.pop()
    return " ".join(pieces)


def unit_code(k: int) -> str:
    return f"{800 + k}"


def unit_name(k: int) -> str:
    """Every seventh name wraps in the Resumen's Nombre column and in the sheet's title; the sixth is
    longer than a row can hold there (the longest the catalog allows)."""
    return long_text(f"UNIDAD{k}", 1990 if k == 5 else 160 if k % 7 == 0 else 20)


LONG_OBSERVATION = " ".join(f"O820X{w}" for w in long_text("Y", 1200).split())
LONG_FILE_NAME = "TMM-F004_2020_T2_801_version_corregida_por_la_coordinacion_administrativa_final.xlsx"


def make_catalog(folder: Path) -> Path:
    head = yaml.safe_load((builtin_catalog_path() / "catalog.yaml").read_text(encoding="utf-8"))
    base = yaml.safe_load((builtin_catalog_path() / "units" / "003.yaml").read_text(encoding="utf-8"))
    units = []
    for k, n in enumerate(GOALS):
        code = unit_code(k)
        goals = [{"la": "2.3.1", "number": "9" if i == 0 else f"9.{i}", "text": goal_text(code, i, n),
                  "measure": "ACCIÓN", "meta": 40, "planned": [10, 10, 10, 10]} for i in range(n)]
        units.append({**base, "code": code, "name": unit_name(k), "goals": goals})
    path = folder / "catalogo-informe.yaml"
    path.write_text(yaml.safe_dump({**head, "id": "informe-impreso", "units": units}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory, libreoffice):
    """The report of every unit filled on plan (two units with an A value left out: findings), as PDF."""
    root = tmp_path_factory.mktemp("informe")
    cat = load_catalog(make_catalog(root))
    filled = []
    for form in generate(all_units=True, out=root / "formatos", catalog=cat):
        code = form.stem.rsplit("_", 1)[1]
        ops = on_plan_ops(cat, code)
        if code == "820":  # an observation longer than a row holds: 1500 characters in the narrow column
            ops.append(["value", cell(cat, code, "9", "observations"), LONG_OBSERVATION])
        name = LONG_FILE_NAME if code == "801" else form.name
        filled.append(apply_openpyxl(form, root / name, ops[1:] if code in ("801", "808") else ops))
    path = root / "consolidado.xlsx"
    report(filled, path, catalog=cat, include_errors=True)
    pdf = libreoffice.to_pdf(path, root)
    return cat, path, [[w for w, _ in page] for page in libreoffice.pdf_words(pdf)], pdf


def printed_pages(pages: list[list[str]], footer: str) -> list[list[str]]:
    """The printed pages of one sheet: its footer (… · consolidado · <footer>) is on each."""
    pattern = re.compile(rf"consolidado · {footer}(?!\S)")
    return [page for page in pages if pattern.search(" ".join(page))]


def test_every_page_of_a_unit_holds_some_of_its_goals(printed):
    cat, path, pages, _ = printed
    wb = openpyxl.load_workbook(path)
    for unit in cat.units:
        mine = printed_pages(pages, f"unidad {unit.code}")
        assert mine, unit.code
        for number, page in enumerate(mine, start=1):  # a goal's text or observation (the chart's axis has numbers)
            assert any(w.startswith((f"G{unit.code}X", f"O{unit.code}X")) for w in page), f"{unit.code}: page {number}"
        charts = [p for p in mine if "avance por meta contra lo programado" in " ".join(p)]
        assert len(charts) == 1 and charts[0] is mine[-1], unit.code  # the chart once, under the last goal
        heights = {r - 1: d.height for r, d in wb[unit.code].row_dimensions.items() if d.height}
        assert len(mine) == unit_sheet_pages(heights).count, unit.code  # the pages designed are the pages printed
    assert len(printed_pages(pages, "unidad 810")) == 3  # 25 goals: the header repeated on pages 2 and 3


def test_a_goal_taller_than_a_row_goes_on_in_rows_of_its_own_above_the_chart(printed):
    """2000 characters, 84 lines: more than the 409 pt a row can be. The lines past it were clipped
    (pdftotext still showed them, printed over the chart); now the text goes on in two more rows."""
    cat, path, pages, pdf = printed
    unit = cat.units[-1]
    text = unit.goals[-1].text
    mine = printed_pages(pages, f"unidad {unit.code}")
    assert not Counter(text.split()) - Counter(w for page in mine for w in page)
    last = placed_words(pdf, f"unidad {unit.code}")[-1]
    chart = min(y for y, _, w in last if w == "avance")  # the chart's title, under the table
    assert max(y for lines in column_lines(last, UNIT_COLUMNS, UNIT_SCALE) for y, _ in lines) < chart
    ws = openpyxl.load_workbook(path)[unit.code]
    rows = list(ws.iter_rows(min_row=ws.max_row - 2, values_only=True))  # the goal's three rows
    assert " ".join(r[2] for r in rows).split() == text.split()
    assert rows[0][1] == unit.goals[-1].number and rows[0][4] == 40 and rows[1][:2] == rows[2][:2] == (None, None)
    observed = Counter(w for page in printed_pages(pages, "unidad 820") for w in page if w.startswith("O820X"))
    assert observed == Counter(LONG_OBSERVATION.split())


def test_the_summary_continues_under_its_header_and_keeps_its_chart(printed):
    cat, path, pages, _ = printed
    mine = printed_pages(pages, SUMMARY_SHEET)
    assert len(mine) == 4  # 805's name fills page 2 and goes on on page 3 (its own rows, like a long goal)
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    heights = {r - 1: d.height for r, d in ws.row_dimensions.items() if d.height}
    assert len(mine) == sheet_pages(heights, TABLE_TOP, SUMMARY_SCALE).count  # as designed
    for page in mine:
        assert "Nombre" in page and "Estado" in page  # the table header on each page
        assert any(w.startswith("UNIDAD") for w in page), "a page of the Resumen without a unit"
    assert "TOTAL" in mine[-1] and "Avance contra lo programado por unidad · T2" in " ".join(mine[-1])


def test_every_word_of_the_summary_titles_and_findings_is_printed(printed):
    """In the PDF's text (a line clipped at its cell's bottom is there too: test_no_line_…_is_clipped)."""
    cat, path, pages, _ = printed
    wb = openpyxl.load_workbook(path)
    summary = printed_pages(pages, SUMMARY_SHEET)
    names = Counter(w for u in cat.units for w in words(u.name))
    assert not names - Counter(w for p in summary for w in p for w in words(w))
    for unit in cat.units:
        title = wb[unit.code]["A1"].value
        first = printed_pages(pages, f"unidad {unit.code}")[0]
        assert not Counter(words(title)) - Counter(w for w in first for w in words(w)), unit.code
    findings = printed_pages(pages, FINDINGS_SHEET)
    messages = [r[8] for r in wb[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert len(messages) == 3 and messages[0].startswith("801 ")  # and 820's observation, cut in Excel:
    assert "observation-too-long" in [r[2] for r in wb[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True)]
    printed_words = Counter(w for p in findings for w in p for w in words(w))
    assert not Counter(w for m in messages for w in words(m)) - printed_words


def test_a_report_without_findings_says_so_on_its_findings_sheet(tmp_path, catalog):
    form = generate(["003"], out=tmp_path / "tpl", catalog=catalog)[0]
    filled = apply_openpyxl(form, tmp_path / form.name, on_plan_ops(catalog, "003"))
    report([filled], tmp_path / "c.xlsx", catalog=catalog)
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx")[FINDINGS_SHEET]
    assert ws["A2"].value == text("report-no-findings") == "Ningún archivo tiene hallazgos."


def test_charts_are_under_their_table_in_a_row_of_their_own(tmp_path):
    """A chart wider than the room right of column A ran off the Ramos page; one spanning rows could be
    cut by a page break. Several ramos: the Resumen's total is the municipality's, not the first ramo's."""
    from test_multi_ramo import make_multi_ramo

    cat = load_catalog(make_multi_ramo(tmp_path))
    path = tmp_path / "consolidado.xlsx"
    report(generate(all_units=True, out=tmp_path / "formatos", catalog=cat), path, catalog=cat, include_errors=True)
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for chart in ws._charts:
            anchor, last_row = chart.anchor, max(r for r, d in ws.row_dimensions.items() if d.height) - 1
            assert anchor._from.row == anchor.to.row == last_row, ws.title  # the sheet's last row, its own
            assert anchor.to.col <= ws.max_column - 1, ws.title  # inside the table, so on the page
    assert sum(len(ws._charts) for ws in wb) == 2 + 8  # Resumen, Ramos, each unit
    total = next(r for r in wb[SUMMARY_SHEET].iter_rows(values_only=True) if r[1] == "TOTAL MUNICIPAL")
    assert total[0] == "2 ramos" and total[2] == 32 and total[7] == "8 de 8 entregados"


def placed_words(pdf: Path, footer: str) -> list[list[tuple[float, float, str]]]:
    """Per printed page of a sheet, its words as (top, left, word), top to bottom."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        words = [(float(y), float(x), html.unescape(w)) for x, y, w in
                 re.findall(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="[^"]+" yMax="[^"]+">([^<]*)</word>', page)]
        if re.search(rf"consolidado · {footer}(?!\S)", " ".join(w for *_, w in words)):
            pages.append(sorted(words))
    return pages


def column_lines(page: list[tuple[float, float, str]], columns, scale: int, kind: str = "text") -> list[list]:
    """Per column of ``kind``, the (top, word) that begin its lines: words at the column's left edge
    (the table is centred on the page; LibreOffice prints the columns' widths paper.printed_width)."""
    widths = [paper.printed_width(paper.pixels(w)) * scale / 100 for _, w, _ in columns]
    edges = [(paper.PAGE_WIDTH - sum(widths)) / 2 + sum(widths[:i]) for i in range(len(columns))]
    return [[(y, w) for y, x, w in page if abs(x - edge) < 1.5]
            for edge, (_, _, k) in zip(edges, columns) if k == kind]


def overprinted(pdf: Path, footer: str, columns, scale: int) -> list[tuple[str, str]]:
    """Lines of a column less than a line apart: a line LibreOffice clipped at its cell's bottom lies on
    the next row's first line (its text is in the PDF, hidden: pdftotext alone would not tell)."""
    pitch = fontmetrics.line_height(UNIT_BODY_PT) * scale / 100
    return [(a[1], b[1]) for page in placed_words(pdf, footer) for lines in column_lines(page, columns, scale)
            for a, b in zip(lines, lines[1:]) if b[0] - a[0] < 0.9 * pitch]


def test_a_long_file_name_prints_whole_in_the_findings(printed):
    """Wider than its column: cut after its hyphen, then inside the word, four lines (the row was
    measured for three: the fourth was clipped)."""
    *_, pdf = printed
    pages = placed_words(pdf, FINDINGS_SHEET)
    first = "".join(w for page in pages for _, w in column_lines(page, FINDINGS_COLUMNS, UNIT_SCALE)[0])
    assert LONG_FILE_NAME in first
    assert fontmetrics.wrap(LONG_FILE_NAME, paper.text_room(FINDINGS_COLUMNS[0][1]), UNIT_BODY_PT)[0] == "TMM-"


def test_no_line_of_any_sheet_is_clipped(printed):
    cat, _, _, pdf = printed
    sheets = [(SUMMARY_SHEET, SUMMARY_COLUMNS, SUMMARY_SCALE), (FINDINGS_SHEET, FINDINGS_COLUMNS, UNIT_SCALE),
              *((f"unidad {u.code}", UNIT_COLUMNS, UNIT_SCALE) for u in cat.units)]
    for footer, columns, scale in sheets:
        assert not overprinted(pdf, footer, columns, scale), footer
