"""The form and the report on paper: every word of every goal printed, in type of at least 7 pt,
the table across the page, long units continued under a repeated header, on the pages designed.
One LibreOffice run converts every workbook of the module (built-in units, a synthetic catalog of
very long texts, the reports' unit sheets)."""
from __future__ import annotations

import itertools
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import EXAMPLES, apply_openpyxl, cell
from poaxl import fontmetrics, paper
from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.generate import form_pages, generate, row_heights
from poaxl.layout import COL, COLUMNS, SheetLayout, a_key
from poaxl.report import report, unit_sheet_pages

MIN_PRINTED_PT = 7
VOCABULARY = ("MUNICIPAL", "WEB", "VÍA", "ATENCIÓN", "MMMMWWWW", "PROGRAMA", "Í", "SEGUIMIENTO", "ÑANDÚ",
              "COORDINACIÓN", "IIII", "WWW", "DIFUSIÓN")


def long_text(prefix: str, chars: int) -> str:
    """Numbered words (a missing one is seen: words are counted), wide and narrow letters, accents,
    ``chars`` long; ``prefix`` starts the text."""
    words, n = [prefix], len(prefix) + 1
    for i, w in enumerate(itertools.cycle(VOCABULARY)):
        words.append(f"{w[:8]}{i}")
        n += len(words[-1]) + 1
        if n >= chars:
            return " ".join(words)
    raise AssertionError


def synthetic_catalog(folder: Path) -> Path:
    """The built-in catalog's header plus 900 (40 goals, every other one 500+ characters) and 901 (three
    goals of 600 characters), each with 60-character UNIDAD DE MEDIDA."""
    head = yaml.safe_load((builtin_catalog_path() / "catalog.yaml").read_text(encoding="utf-8"))
    base = yaml.safe_load((builtin_catalog_path() / "units" / "003.yaml").read_text(encoding="utf-8"))

    def unit(code: str, n: int, chars) -> dict:
        goals = [{"la": "2.3.1", "number": "9" if i == 0 else f"9.{i}", "text": long_text(f"G{code}X{i}Y", chars(i)),
                  "measure": " ".join(f"UM{i}K{j}" for j in range(9))[:60], "meta": 40, "planned": [10, 10, 10, 10]}
                 for i in range(n)]
        return {**base, "code": code, "name": f"UNIDAD DE PRUEBA {code}", "goals": goals}

    data = {**head, "id": "prueba-larga", "units": [unit("900", 40, lambda i: 520 if i % 2 else 80),
                                                       unit("901", 3, lambda i: 600)]}
    path = folder / "catalogo-largo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def words(text: str) -> list[str]:
    """Words as a printout may show them: a hyphenated word can end one line and go on the next."""
    return re.findall(r"[^\s-]+-?|-", text)


# --------------------------------------------------------------------------- without LibreOffice

def test_table_fills_the_page_width_without_shrinking():
    printed = sum(paper.printed_width(paper.pixels(c.width)) for c in COLUMNS)
    assert 0.95 * paper.printable_width() <= printed <= paper.printable_width()
    assert paper.BODY_PT >= MIN_PRINTED_PT


def test_column_headers_and_measures_never_break_inside_a_word(catalog):
    for column in COLUMNS:
        for word in column.header.split():
            assert paper.fits(word, column.width, paper.HEAD_PT, bold=True), (column.header, word)
    measure = COLUMNS[COL["measure"]].width
    for unit in catalog.units:
        for goal in unit.goals:
            for word in goal.measure.split():
                assert paper.fits(word, measure, paper.MEASURE_PT), (unit.code, word)


def test_lines_are_measured_not_counted():
    """Same number of characters, different widths: a per-character guess cannot tell them apart."""
    wide, narrow = "W" * 300, "I" * 300
    width = COLUMNS[COL["goal"]].width
    assert paper.lines(wide, width) > 2 * paper.lines(narrow, width)
    assert fontmetrics.text_width("W", 10) > 3 * fontmetrics.text_width("I", 10)
    assert fontmetrics.text_width("Ñ", 8) == fontmetrics.text_width("N", 8)  # accents: real glyph widths


def test_shipped_metrics_are_the_fonts_own():
    """The table shipped in the package is what fontTools reads from Liberation Sans (= Arial's metrics)."""
    try:
        fonts = fontmetrics.read_fonts()
    except (ImportError, FileNotFoundError) as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"fontTools or fonts-liberation missing: {exc}")
    from poaxl import _font_table

    assert fonts["WIDTHS"] == _font_table.WIDTHS and fonts["UNITS_PER_EM"] == _font_table.UNITS_PER_EM


def test_goal_rows_have_measured_heights(catalog, tmp_path):
    """LibreOffice does not fit rows to their text on load: every goal row carries its height."""
    path = generate(["003"], out=tmp_path, catalog=catalog)[0]
    ws = openpyxl.load_workbook(path)["003"]
    unit = catalog.unit("003")
    layout = SheetLayout.for_unit(unit)
    for i, goal in enumerate(unit.goals):
        height = ws.row_dimensions[layout.goal_row(i) + 1].height
        needed = paper.lines(goal.label, COLUMNS[COL["goal"]].width) * fontmetrics.line_height(paper.BODY_PT)
        assert height >= needed
    first = ws.row_dimensions[layout.goal_row(0) + 1].height  # goal 3: 260 characters
    assert first >= 6 * fontmetrics.line_height(paper.BODY_PT)


# --------------------------------------------------------------------------- with LibreOffice

@pytest.fixture(scope="module")
def printed(tmp_path_factory, libreoffice):
    """Every workbook of the module, converted to PDF in one LibreOffice run."""
    root = tmp_path_factory.mktemp("print")
    builtin = load_catalog()
    forms = generate(all_units=True, out=root / "forms", catalog=builtin)
    long_cat = load_catalog(synthetic_catalog(root))
    long_forms = generate(all_units=True, out=root / "long", catalog=long_cat)
    filled = []
    for path in long_forms:
        unit = long_cat.unit(path.stem.rsplit("_", 1)[1])
        ops = [["value", cell(long_cat, unit.code, g.number, a_key(q)), g.planned[q - 1]]
               for g in unit.goals for q in (1, 2)]
        ops += [["value", cell(long_cat, unit.code, g.number, "observations"), long_text(f"O{unit.code}X{i}Y", 520)]
                for i, g in enumerate(unit.goals) if i % 3 == 0]
        filled.append(apply_openpyxl(path, root / f"lleno-{unit.code}.xlsx", ops))
    reports = [root / "consolidado.xlsx", root / "consolidado-largo.xlsx"]
    report([EXAMPLES], reports[0], catalog=builtin, include_errors=True)
    report(filled, reports[1], catalog=long_cat, include_errors=True)
    pdfs = libreoffice.to_pdfs([*forms, *long_forms, *reports], root / "pdf")
    return {"builtin": builtin, "long": long_cat, "forms": forms, "long_forms": long_forms, "filled": filled,
            "reports": reports, "pdf": pdfs}


def size_ratio(pages) -> float:
    """Height of a word's box per point of type, from the 11 pt title (the font's own ascent + descent)."""
    heights = [h for w, h in pages[0] if w == "AYUNTAMIENTO"]
    return heights[0] / paper.TITLE_PT


def check_goal_texts(pages, unit, ratio: float) -> None:
    printed_words = Counter(piece for page in pages for w, _ in page for piece in words(w))
    expected = Counter(w for g in unit.goals for text in (g.label, g.measure) for w in words(text))
    missing = expected - printed_words
    assert not missing, f"{unit.code}: words not printed: {list(missing)[:10]}"
    goal_words = {w for g in unit.goals for w in words(g.text)}
    smallest = min(h for page in pages for w, h in page if w in goal_words) / ratio
    assert smallest >= MIN_PRINTED_PT, f"{unit.code}: goal text printed at {smallest:.1f} pt"


def test_every_builtin_form_prints_every_word_on_the_designed_pages(printed, libreoffice):
    cat = printed["builtin"]
    for path in printed["forms"]:
        unit = cat.unit(path.stem.rsplit("_", 1)[1])
        pdf = printed["pdf"][path]
        pages = libreoffice.pdf_words(pdf)
        check_goal_texts(pages, unit, size_ratio(pages))
        layout = SheetLayout.for_unit(unit)
        assert len(pages) == form_pages(layout, row_heights(cat, unit, layout)).count == 1, unit.code
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "792 x 612 pts (letter)" in info  # landscape letter
        signed = {w for page in pages for w, _ in page}
        assert {"ELABORÓ", "REVISÓ", "AUTORIZÓ"} <= signed


def test_long_texts_and_forty_goals_continue_under_a_repeated_header(printed, libreoffice):
    cat = printed["long"]
    ratio = size_ratio(libreoffice.pdf_words(printed["pdf"][printed["forms"][0]]))
    for path in printed["long_forms"]:
        unit = cat.unit(path.stem.rsplit("_", 1)[1])
        pages = libreoffice.pdf_words(printed["pdf"][path])
        check_goal_texts(pages, unit, ratio)
        layout = SheetLayout.for_unit(unit)
        designed = form_pages(layout, row_heights(cat, unit, layout))
        assert len(pages) == designed.count, unit.code
        for page in pages:  # the table header on every page, in type as large as on page 1
            texts = [w for w, _ in page]
            assert "METAS" in texts and "OBSERVACIONES" in texts and "PERÍODO" in texts
        assert "AUTORIZÓ" in [w for w, _ in pages[-1]]  # signatures at the end, with the last goal
    assert len(libreoffice.pdf_words(printed["pdf"][printed["long_forms"][0]])) >= 5  # 900: 40 goals


def test_report_unit_sheets_print_every_goal_and_observation(printed, libreoffice):
    """The per-unit sheets: every word of goal texts, measures and observations, ≥ 7 pt, designed pages."""
    ratio = size_ratio(libreoffice.pdf_words(printed["pdf"][printed["forms"][0]]))
    for path, cat in zip(printed["reports"], (printed["builtin"], printed["long"])):
        pages = libreoffice.pdf_words(printed["pdf"][path])
        wb = openpyxl.load_workbook(path)
        for unit in cat.units:
            name = unit.code
            footer = re.compile(rf"consolidado · unidad {name}(?!\S)")  # the unit sheet's footer, on each page
            mine = [p for p in pages if footer.search(" ".join(w for w, _ in p))]
            assert mine, name
            ws = wb[name]
            heights = {r - 1: d.height for r, d in ws.row_dimensions.items() if d.height}
            assert len(mine) == unit_sheet_pages(heights).count, name
            rows = list(ws.iter_rows(min_row=4, max_row=3 + len(unit.goals), values_only=True))
            expected = Counter(w for row in rows for i in (2, 3, len(row) - 1) for w in words(str(row[i] or "")))
            printed_words = Counter(piece for p in mine for w, _ in p for piece in words(w))
            assert not expected - printed_words, f"{name}: {list(expected - printed_words)[:10]}"
            text_words = {w for row in rows for w in words(str(row[2]))}
            smallest = min(h for p in mine for w, h in p if w in text_words) / ratio
            assert smallest >= MIN_PRINTED_PT, f"report {name}: {smallest:.1f} pt"


def test_carried_observations_are_a_sized_comment_and_observations_have_help(catalog, tmp_path):
    """Last quarters' observations ride along as a comment as tall as its text (it does not print);
    the OBSERVACIONES cells say how to enlarge a row where a reader does not fit it by itself."""
    from poaxl.generate import Prefill

    note = f"Observación del T1: corto\nObservación del T2: {long_text('NOTA', 400)}"
    prefill = {"003": Prefill(notes={3: note})}
    path = generate(["003"], quarter=3, out=tmp_path, catalog=catalog, prefill=prefill)[0]
    plain = generate(["003"], quarter=3, out=tmp_path / "sin", catalog=catalog)[0]
    ws, ws_plain = openpyxl.load_workbook(path)["003"], openpyxl.load_workbook(plain)["003"]
    layout = SheetLayout.for_unit(catalog.unit("003"))
    row = layout.goal_row(3) + 1
    assert ws.row_dimensions[row].height == ws_plain.row_dimensions[row].height  # no empty room on paper
    assert ws.cell(row, COL["observations"] + 1).comment.text == note
    import zipfile

    with zipfile.ZipFile(path) as z:  # the box's size is in the VML drawing (openpyxl does not read it)
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    height = float(re.search(r"height:([\d.]+)pt", vml).group(1))
    assert height >= paper.lines(note, 2 * COLUMNS[COL["observations"]].width) * paper.BODY_PT
    help_ = [dv for dv in ws.data_validations.dataValidation if f"O{layout.first_goal + 1}" in str(dv.sqref)]
    assert help_ and "agrande la fila" in help_[0].prompt and help_[0].promptTitle == "OBSERVACIONES"

def test_goal_rows_keep_their_height_but_may_grow(catalog, tmp_path):
    """Measured height stored, not fixed: the spreadsheet fits the row again when a cell is edited."""
    import zipfile

    path = generate(["0046"], out=tmp_path, catalog=catalog)[0]
    with zipfile.ZipFile(path) as z:  # openpyxl reports any row with a height as custom: read the XML
        rows = dict(re.findall(r'<row r="(\d+)"([^>]*)>', z.read("xl/worksheets/sheet1.xml").decode()))
    layout = SheetLayout.for_unit(catalog.unit("0046"))
    for i in range(len(catalog.unit("0046").goals)):
        attributes = rows[str(layout.goal_row(i) + 1)]
        height = float(re.search(r'ht="([\d.]+)"', attributes).group(1))
        assert height >= paper.MIN_GOAL_LINES * paper.BODY_PT and "customHeight" not in attributes
    assert 'customHeight="1"' in rows[str(layout.header + 1)]  # the rest of the form keeps its heights
    assert openpyxl.load_workbook(path)["0046"]["A1"].value  # still a workbook others read


def test_a_long_observation_typed_in_libreoffice_prints_whole(catalog, tmp_path, libreoffice):
    form = generate(["003"], out=tmp_path, catalog=catalog)[0]
    observation = long_text("OBSERVACIÓN", 450)
    ops = [["value", cell(catalog, "003", g.number, a_key(q)), g.planned[q - 1]]
           for g in catalog.unit("003").goals for q in (1, 2)]
    ops.append(["string", cell(catalog, "003", "3.3", "observations"), observation])  # a one-line goal
    pdf = tmp_path / "lleno.pdf"
    libreoffice.fill([{"src": form, "ops": ops, "pdf": pdf}])
    printed = Counter(piece for page in libreoffice.pdf_words(pdf) for w, _ in page for piece in words(w))
    missing = Counter(words(observation)) - printed
    assert not missing, list(missing)[:10]
