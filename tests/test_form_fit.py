"""Every catalog text prints whole on the form (poaxl/printfit.py). A row is at most 409 pt tall: a goal
text of 2,000 characters (what the schema allows) was clipped on paper at the form's 8 pt. Now it prints
smaller, down to 7 pt; what does not fit even then is refused when the catalog loads, saying how much
fits. Proved on LibreOffice's PDF by where the lines are (pdftotext keeps the text of a clipped line)."""
from __future__ import annotations

import html
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import apply_openpyxl, cell, on_plan_ops
from test_print import long_text, words
from poaxl import fontmetrics, paper, printfit
from poaxl.catalog import builtin_catalog_path, build_catalog, load_catalog
from poaxl.catalog_book import export_catalog
from poaxl.check import check
from poaxl.errors import CatalogError
from poaxl.generate import form_pages, generate, observation_room, row_heights
from poaxl.layout import COL, COLUMNS, SheetLayout

AYUNTAMIENTO = ("H. AYUNTAMIENTO CONSTITUCIONAL DEL MUNICIPIO LIBRE Y SOBERANO DE SAN PEDRO TLAQUEPAQUE, "
                "JALISCO, ADMINISTRACIÓN PÚBLICA MUNICIPAL 2018-2021")  # wider than the title: two lines


def seed_text(start: int, chars: int) -> str:
    """``chars`` characters of the built-in catalog's own goal texts (upper-case Spanish, as the seed
    writes them), from its ``start``-th word on: a long goal as an office would write one."""
    vocabulary = " ".join(g.text for u in load_catalog().units for g in u.goals).split()
    words, n = [], -1
    while n + 1 + len(vocabulary[(start + len(words)) % len(vocabulary)]) <= chars:
        words.append(vocabulary[(start + len(words)) % len(vocabulary)])
        n += 1 + len(words[-1])
    rest = chars - n - 1  # the schema's limit exactly: the next word cut to fill it
    return " ".join(words + [vocabulary[(start + len(words)) % len(vocabulary)][:rest]])


def head_and_unit() -> tuple[dict, dict]:
    head = yaml.safe_load((builtin_catalog_path() / "catalog.yaml").read_text(encoding="utf-8"))
    unit = yaml.safe_load((builtin_catalog_path() / "units" / "003.yaml").read_text(encoding="utf-8"))
    return head, unit


def long_catalog(folder: Path) -> Path:
    """Unit 950: 003 with its goals 3.1 and 3.3 (the last, kept with the signatures) 2,000 characters
    long, its first goal 1,700 (7.5 pt; too tall for page 1 under the header block), a unit name of
    1,990 characters in the header block, and a title that wraps."""
    head, unit = head_and_unit()
    goals = unit["goals"]
    goals[0]["text"], goals[1]["text"], goals[3]["text"] = seed_text(80, 1700), seed_text(0, 2000), seed_text(40, 2000)
    unit = {**unit, "code": "950", "name": long_text("NOMBRE", 1990)[:1990], "goals": goals}
    path = folder / "catalogo-largo.yaml"
    path.write_text(yaml.safe_dump({**head, "id": "textos-largos", "ayuntamiento": AYUNTAMIENTO, "units": [unit]},
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_goal_text(text: str, measure: str = "APOYO") -> dict:
    head, unit = head_and_unit()
    unit["goals"][1].update(text=text, measure=measure)
    return {**head, "units": [unit]}


WIDE = ("MMMMWWWW " * 250)[:2000]  # 2,000 of the widest letters: 71 lines at 7 pt, a row holds 51


# --------------------------------------------------------------------------- without LibreOffice

def test_a_goal_text_taller_than_a_row_prints_smaller_in_a_row_of_at_most_409_pt(tmp_path):
    cat = load_catalog(long_catalog(tmp_path))
    unit = cat.unit("950")
    goal = unit.goals[1]
    assert len(goal.text) == 2000
    at_8 = paper.lines(goal.label, COLUMNS[COL["goal"]].width, paper.BODY_PT)
    assert fontmetrics.text_height(at_8, paper.BODY_PT) > paper.MAX_ROW_PT  # clipped at the form's own 8 pt
    path = generate(["950"], out=tmp_path, catalog=cat)[0]
    ws = openpyxl.load_workbook(path)["950"]
    layout = SheetLayout.for_unit(unit)
    sizes = {i: ws.cell(layout.goal_row(i) + 1, COL["goal"] + 1).font.size for i in range(len(unit.goals))}
    assert sizes == {0: 7.5, 1: 7, 2: 8, 3: 7}  # 1,700 characters fit at 7.5 pt
    for i in (0, 1, 3):
        b = ws.cell(layout.goal_row(i) + 1, COL["goal"] + 1)
        assert b.value == unit.goals[i].label  # the same cell, the whole text: the checker reads it as before
        assert paper.MIN_PT <= b.font.size < paper.BODY_PT
        height = ws.row_dimensions[layout.goal_row(i) + 1].height
        lines = paper.lines(b.value, COLUMNS[COL["goal"]].width, b.font.size)
        assert lines * fontmetrics.line_height(b.font.size) <= height <= paper.MAX_ROW_PT
    with zipfile.ZipFile(path) as z:  # openpyxl reports any row with a height as custom: read the XML
        rows = dict(re.findall(r'<row r="(\d+)"([^>]*)>', z.read("xl/worksheets/sheet1.xml").decode()))
    fixed = [i for i in range(len(unit.goals)) if "customHeight" in rows[str(layout.goal_row(i) + 1)]]
    assert fixed == [0, 1, 3]  # small type keeps its height: LibreOffice would fit it for fewer lines than it prints


def test_a_goal_text_that_fits_no_row_is_refused_saying_how_much_fits(tmp_path):
    path = tmp_path / "catalogo.yaml"
    path.write_text(yaml.safe_dump(with_goal_text(WIDE), allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    fit = printfit.fitting_length(f"3.1.- {WIDE}", printfit.GOAL_TEXT) - len("3.1.- ")
    line = 1 + next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines()) if "MMMMWWWW" in text)
    assert err.value.problems == [
        f"{tmp_path.name}/catalogo.yaml (línea {line}): units[0].goals[1].text: unidad 003 ATENCIÓN CIUDADANA, meta 3.1: la "
        "descripción de la meta no cabe en su fila del formato impreso, ni con letra de 7 pt: una fila mide a lo "
        "más 409 pt y lo que no cabe no se imprime. Tiene 2,000 caracteres; de este texto caben 1,382 "
        "caracteres: acórtelo a esa longitud."]
    assert fit == 1382
    assert build_catalog(with_goal_text(WIDE[:fit])).unit("003").goals[1].text == WIDE[:fit]  # what it says fits
    with pytest.raises(CatalogError):
        build_catalog(with_goal_text(WIDE[:fit + 2]))  # (+1 would end in a space, which prints nothing)


def test_the_command_line_refuses_it_with_exit_2_and_no_form(tmp_path):
    path = tmp_path / "catalogo.yaml"
    path.write_text(yaml.safe_dump(with_goal_text(WIDE), allow_unicode=True), encoding="utf-8")
    run = subprocess.run(["python", "-m", "poaxl", "generate", "--catalog", str(path), "--unit", "003",
                          "--out", str(tmp_path / "formatos")], capture_output=True, text=True)
    assert run.returncode == 2
    assert "meta 3.1: la descripción de la meta no cabe en su fila del formato impreso" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "formatos").exists()


def test_a_catalog_workbook_says_the_cell(tmp_path):
    book = export_catalog(None, tmp_path / "catalogo.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["Metas"]
    column = [c.value for c in ws[1]].index("TEXTO") + 1
    ws.cell(3, column).value = WIDE
    wb.save(book)
    with pytest.raises(CatalogError) as err:
        load_catalog(book)
    assert err.value.problems[0].startswith("catalogo.xlsx, hoja «Metas», fila 3, columna E (TEXTO): unidad 001 "
                                            "OFICINA DEL TITULAR, meta 2.1: la descripción de la meta no cabe")


def test_other_texts_of_the_form_taller_than_a_row_are_refused_too():
    head, unit = head_and_unit()
    unit["goals"][2]["measure"] = "PERSONA ATENDIDA " * 50
    unit["lineas"][0]["name"] = "A\n" * 300  # short, but 300 lines
    unit["signatures"]["elaboro"]["cargo"] = "C\n" * 60  # within the 200 characters the schema allows
    data = {**head, "ayuntamiento": "MEXICALI\n" * 60, "units": [unit]}
    with pytest.raises(CatalogError) as err:
        build_catalog(data, head="catalogo.yaml")
    said = [p.split(" no cabe")[0] for p in err.value.problems]
    assert said == [
        "catalogo.yaml: ayuntamiento: el nombre del ayuntamiento (primer título del formato)",
        "catalogo.yaml: units[0].goals[2].measure: unidad 003 ATENCIÓN CIUDADANA, meta 3.2: la UNIDAD DE MEDIDA",
        "catalogo.yaml: units[0].lineas[0].name: unidad 003 ATENCIÓN CIUDADANA, el nombre de la línea de acción 2.3.1",
        "catalogo.yaml: units[0].signatures.elaboro.cargo: unidad 003 ATENCIÓN CIUDADANA, el cargo de quien firma "
        "ELABORÓ"]
    assert "Tiene 600 caracteres y 300 saltos de línea; de este texto caben" in err.value.problems[2]


def test_the_quick_bound_never_passes_a_text_that_does_not_fit():
    """printfit decides short texts without wrapping them: its bound must hold for the worst texts."""
    for place in (printfit.GOAL_TEXT, printfit.MEASURE, printfit.HEADER_NAME, printfit.TITLE,
                  *(p for *_, p in printfit.SIGNED)):
        for at in place.sizes:
            per_char, most = printfit._capacity(place, at)
            for text in ("W" * 600, "@" * 600, "W " * 300, "WWWWWWWWWWWWWWWWWWWWW I " * 30, "\n" * 60, "I\n" * 30):
                for n in range(1, len(text) + 1, 7):
                    part = text[:n]
                    if printfit._surely_fits(len(part), part.count("\n"), place, at):
                        lines = paper.lines(part, place.width, at, place.bold)
                        assert fontmetrics.text_height(lines, at, place.padding) <= paper.MAX_ROW_PT, (place, n)


# --------------------------------------------------------------------------- printed by LibreOffice

def placed(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """Per page, its words as (top, bottom, left, word), top to bottom."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [sorted((float(y0), float(y1), float(x), html.unescape(w)) for x, y0, y1, w in
                   re.findall(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', page))
            for page in out.split("<page ")[1:]]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, libreoffice):
    """The blank form of 950 and the same form filled on plan and saved by LibreOffice, both as PDF."""
    root = tmp_path_factory.mktemp("ajuste")
    cat = load_catalog(long_catalog(root))
    form = generate(["950"], out=root, catalog=cat)[0]
    filled = root / "lleno.xlsx"
    observed = root / "observado.xlsx"
    typed = on_plan_ops(cat, "950") + [["string", cell(cat, "950", "3.1", "observations"), OBSERVATION]]
    libreoffice.fill([{"src": form, "ops": [], "pdf": root / "blanco.pdf"},
                      {"src": form, "ops": on_plan_ops(cat, "950"), "dst": filled, "pdf": root / "lleno.pdf"},
                      {"src": form, "ops": typed, "dst": observed, "pdf": root / "observado.pdf"}])
    return cat, form, filled, placed(root / "blanco.pdf"), placed(root / "lleno.pdf"), observed, \
        placed(root / "observado.pdf")


OBSERVATION = seed_text(200, 1100)  # in 3.1's row (fixed: its goal prints at 7 pt): longer than the row


def column(page, key: str) -> list[tuple[float, float, str]]:
    """The words (top, bottom, word) printed in column ``key`` of the table (at 100 %, centred)."""
    widths = [paper.printed_width(paper.pixels(c.width)) for c in COLUMNS]
    left = (paper.PAGE_WIDTH - sum(widths)) / 2 + sum(widths[:COL[key]]) - 1.5  # (LibreOffice's rounding)
    return [(top, bottom, w) for top, bottom, x, w in page if left <= x < left + widths[COL[key]]]


def in_row(page, goal, key: str = "goal") -> list[tuple[float, float, str]]:
    """The words of column ``key`` printed inside ``goal``'s row: from the top of its text to the row's
    bottom, found from its META ANUAL, which is centred in the row (the bottom is as far under the
    middle as the top is above it). A line clipped at the row's bottom is in the PDF, drawn lower."""
    top = min(t for t, _, w in column(page, "goal") if w == goal.label.split()[0])
    meta = min((t, b) for t, b, w in column(page, "meta") if t > top - 2 and w == f"{goal.meta:,}")
    bottom = 2 * (meta[0] + meta[1]) / 2 - top + 2  # (2 pt: the text starts a little under the row's top)
    return [(t, b, w) for t, b, w in column(page, key) if top - 2 <= t and b <= bottom]


def page_of(pages, goal):
    return next(p for p in pages if goal.label.split()[0] in [w for *_, w in p])


def test_a_2000_character_goal_prints_whole_in_its_row(printed):
    """Every word of each long goal lies inside its row (a line clipped at the row's bottom would be
    drawn below it), in type of 7 pt at least, the lines a line apart."""
    cat, _, _, pages, *_ = printed
    unit = cat.unit("950")
    ratio = min(bottom - top for top, bottom, _, w in pages[0] if w == "OPERATIVO") / paper.TITLE_PT
    for goal in (unit.goals[0], unit.goals[1], unit.goals[3]):  # 7.5, 7 and 7 pt
        mine = in_row(page_of(pages, goal), goal)
        assert Counter(w for *_, w in mine) == Counter(goal.label.split()), goal.number
        size = min(bottom - top for top, bottom, _ in mine) / ratio  # from the 11 pt title's box
        assert size >= 0.95 * paper.MIN_PT, f"{goal.number} printed at {size:.1f} pt"
        tops = sorted({round(top, 1) for top, _, _ in mine})
        assert min(b - a for a, b in zip(tops, tops[1:])) >= 0.95 * fontmetrics.line_height(paper.MIN_PT)
    last = page_of(pages, unit.goals[3])
    assert last is pages[-1] and "ELABORÓ" in [w for *_, w in last]  # the signatures with the last goal


def test_the_row_test_sees_a_clipped_line(printed):
    """in_row is not blind: of 3.1's observation, too long for its row (tests below), LibreOffice drew
    lines under the row's bottom (hidden on paper, in pdftotext's text): in_row leaves them out."""
    cat, *_, pages = printed
    goal = cat.unit("950").goals[1]
    page = page_of(pages, goal)
    drawn = Counter(w for *_, w in column(page, "observations") if w in OBSERVATION.split())
    assert drawn - Counter(w for *_, w in in_row(page, goal, "observations"))


def test_the_long_form_prints_on_the_pages_designed_with_its_header_and_title(printed):
    cat, form, _, pages, *_ = printed
    unit = cat.unit("950")
    layout = SheetLayout.for_unit(unit)
    assert len(pages) == form_pages(layout, row_heights(cat, unit, layout)).count
    first = [w for *_, w in pages[0]]
    assert not Counter(words(AYUNTAMIENTO)) - Counter(p for w in first for p in words(w))  # the title wraps
    assert not Counter(unit.name.split()) - Counter(first)  # the 1,990-character unit name, on page 1
    programa = min(top for top, _, _, w in pages[0] if w == "OPERATIVO")  # the second title
    above = [(top, p) for top, _, _, w in pages[0] for p in words(w) if top < programa and p in words(AYUNTAMIENTO)]
    assert Counter(w for _, w in above) == Counter(words(AYUNTAMIENTO))  # all of it above the second title
    assert len({round(top) for top, _ in above}) == 2  # on two lines


def test_the_form_filled_and_saved_by_libreoffice_checks_clean(printed):
    """The checker reads the same cells: a long goal printed smaller changes nothing it reads."""
    cat, _, filled, _, pages, *_ = printed
    report = check([filled], catalog=cat)[0]
    assert report.status == "ok", [f.message for f in report.findings]
    for goal in cat.unit("950").goals:  # filled, it prints whole as well
        assert Counter(w for *_, w in in_row(page_of(pages, goal), goal)) == Counter(goal.label.split())


def test_an_observation_longer_than_its_row_is_a_warning_saying_how_much_prints(printed):
    """3.1's row keeps its height (its goal prints at 7 pt): an OBSERVACIÓN taller than it is cut, in
    LibreOffice too. check says so, and how many characters print: those are the ones LibreOffice printed."""
    cat, *_, observed, pages = printed
    goal = cat.unit("950").goals[1]
    fit = printfit.observation_fit(OBSERVATION, observation_room(goal))
    assert fit is not None and fit < len(OBSERVATION)
    (finding,) = [f for f in check([observed], catalog=cat)[0].findings if f.code == "observation-too-long"]
    assert finding.severity == "warning" and finding.cell == cell(cat, "950", "3.1", "observations")
    assert fit == 682 and finding.message == (
        f"950 {finding.cell}: meta 3.1: la OBSERVACIÓN tiene 1,100 caracteres y en su fila impresa caben 682 — "
        "resúmala a 682 caracteres o menos para que se imprima completa.")
    inside = Counter(w for *_, w in in_row(page_of(pages, goal), goal, "observations"))
    assert not Counter(OBSERVATION[:fit].split()[:-1]) - inside  # what check says prints (to its last, cut word)
    assert Counter(OBSERVATION.split()) - inside  # the rest is not


def test_excel_cuts_an_observation_taller_than_409_pt(tmp_path, catalog):
    """A row that grows (an 8 pt goal) grows up to 409 pt in Excel; LibreOffice grows it further and
    shrinks the page, but the office may print the form in Excel: check warns."""
    form = generate(["003"], out=tmp_path, catalog=catalog)[0]
    ops = on_plan_ops(catalog, "003") + [["value", cell(catalog, "003", "3.3", "observations"), seed_text(0, 1500)]]
    (finding,) = [f for f in check([apply_openpyxl(form, tmp_path / "lleno.xlsx", ops)], catalog=catalog)[0].findings
                  if f.code == "observation-too-long"]
    fit = printfit.observation_fit(seed_text(0, 1500), paper.MAX_ROW_PT)
    assert 700 < fit < 1500 and f"tiene 1,500 caracteres y en su fila impresa caben {fit:,}" in finding.message
    short = on_plan_ops(catalog, "003") + [["value", cell(catalog, "003", "3.3", "observations"), seed_text(0, fit)]]
    assert not [f for f in check([apply_openpyxl(form, tmp_path / "corto.xlsx", short)], catalog=catalog)[0].findings
                if f.code == "observation-too-long"]  # shortened as it says: no warning
