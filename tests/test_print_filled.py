"""The form on paper once it is FILLED: a coordinator types long OBSERVACIONES (the rows grow), prints
the form to sign it, and must get the signatures whole, with the goals; carried values print like the
planned ones. Forms are filled and printed by a real LibreOffice (one session for the module)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import EXAMPLES, cell
from test_print import long_text, synthetic_catalog, words
from poaxl import paper
from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.generate import Prefill, form_pages, generate, row_heights
from poaxl.layout import SIGNATURES, SheetLayout, a_key, p_key

OBSERVATION_CHARS = 220  # a typical long explanation (the seed's run from 100 to 300 characters)
MIN_FILLED_SCALE = 0.70  # a one-page form filled with typical observations prints at least this large


# --------------------------------------------------------------------------- without LibreOffice

def test_carried_values_have_the_planned_values_format(catalog, tmp_path):
    """generate --from: a carried A prints as the P beside it (1367 → «1,367»), decimals only when it has them."""
    prefill = {"003": Prefill(actuals={0: [1367.0, 2.5, None, None], 1: [12, 0.125, None, None]})}
    path = generate(["003"], quarter=3, out=tmp_path, catalog=catalog, prefill=prefill)[0]
    ws = openpyxl.load_workbook(path)["003"]

    def fmt(goal: str, key: str) -> str:
        return ws[cell(catalog, "003", goal, key)].number_format

    assert ws[cell(catalog, "003", "3", a_key(1))].value == 1367
    assert fmt("3", a_key(1)) == fmt("3", p_key(1)) == fmt("3", "meta") == "#,##0"
    assert fmt("3", a_key(2)) == "#,##0.0" and fmt("3.1", a_key(1)) == "#,##0"
    assert fmt("3.1", a_key(2)) == "#,##0.000"
    assert ws[cell(catalog, "003", "3", a_key(1))].protection.locked  # still carried, locked


def test_one_page_forms_fit_the_page_longer_forms_keep_their_breaks(catalog, tmp_path):
    """A blank form of one page is printed fitted to one page (at 100 % while it fits); a longer one
    keeps its designed breaks at 100 %, its last page with room for its rows to grow."""
    one = openpyxl.load_workbook(generate(["004"], out=tmp_path, catalog=catalog)[0])["004"]
    assert one.sheet_properties.pageSetUpPr.fitToPage
    # 1 × 1 page: the default of both attributes (XlsxWriter leaves them out)
    assert one.page_setup.fitToWidth in (None, 1) and one.page_setup.fitToHeight in (None, 1)
    assert not one.row_breaks.brk
    long_cat = load_catalog(synthetic_catalog(tmp_path))
    many = openpyxl.load_workbook(generate(["900"], out=tmp_path / "largo", catalog=long_cat)[0])["900"]
    assert not many.sheet_properties.pageSetUpPr.fitToPage and many.page_setup.scale in (None, 100)
    unit = long_cat.unit("900")
    layout = SheetLayout.for_unit(unit)
    heights = row_heights(long_cat, unit, layout)
    pages = form_pages(layout, heights)
    assert [b.id for b in many.row_breaks.brk] == list(pages.breaks)
    last_page = sum(h for r, h in heights.items() if r >= pages.breaks[-1]) + \
        sum(heights[r] for r in range(layout.header, layout.first_goal))
    assert paper.printable_height() - last_page >= 0.25 * paper.printable_height()


def test_slack_moves_the_last_break_only_when_the_last_page_lacks_room():
    heights = {0: 50.0, **{r: 100.0 for r in range(1, 9)}, 9: 50.0}  # header, 8 goals, the signatures
    tight = paper.paginate(heights, 1, 50, keep=(8, 9))
    loose = paper.paginate(heights, 1, 50, keep=(8, 9), slack=200)
    assert tight.breaks == (5,) and loose.breaks == (5, 8)  # goal 8 and the signatures on a page of their own
    assert paper.paginate(heights, 1, 50, keep=(8, 9), slack=1) == tight


# --------------------------------------------------------------------------- with LibreOffice

def observations(unit, goals: list[str], chars: int = OBSERVATION_CHARS) -> dict[str, str]:
    return {g: long_text(f"OBS{unit.code}G{g}", chars) for g in goals}


def fill_ops(cat, unit, notes: dict[str, str]) -> list[list]:
    """A values for T1-T2 as planned, and the observations, as a coordinator types them."""
    ops = [["value", cell(cat, unit.code, g.number, a_key(q)), g.planned[q - 1]]
           for g in unit.goals for q in (1, 2)]
    return ops + [["string", cell(cat, unit.code, g, "observations"), text] for g, text in notes.items()]


def full_last_page_catalog(folder: Path) -> Path:
    """A unit 902 whose blank form runs to a second page that its goals and signatures fill to within
    40 points: the page where a grown row used to push the signatures off."""
    head = yaml.safe_load((builtin_catalog_path() / "catalog.yaml").read_text(encoding="utf-8"))
    base = yaml.safe_load((builtin_catalog_path() / "units" / "003.yaml").read_text(encoding="utf-8"))
    path = folder / "catalogo-lleno.yaml"
    for n in range(6, 40):
        goals = [{"la": "2.3.1", "number": "9" if i == 0 else f"9.{i}", "text": long_text(f"G902X{i}Y", 200),
                  "measure": "EVENTO", "meta": 40, "planned": [10, 10, 10, 10]} for i in range(n)]
        data = {**head, "id": "prueba-llena", "units": [{**base, "code": "902", "name": "UNIDAD 902", "goals": goals}]}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        unit = load_catalog(path).unit("902")
        layout = SheetLayout.for_unit(unit)
        heights = row_heights(load_catalog(path), unit, layout)
        repeated = sum(heights[r] for r in range(layout.header, layout.first_goal))
        blank = paper.paginate(heights, layout.first_goal, repeated, (layout.last_goal, layout.last_row))
        last_page = repeated + sum(h for r, h in heights.items() if r >= (blank.breaks or [0])[-1])
        if blank.count >= 2 and paper.printable_height() - last_page < 40:
            return path
    raise AssertionError("no unit size fills its last page")


@pytest.fixture(scope="module")
def filled_pdfs(tmp_path_factory, libreoffice):
    """004 (one page blank) with three long observations; 902 (a full last page) with a long observation
    on its last goal; a blank 004 to measure 100 %; the shipped examples."""
    root = tmp_path_factory.mktemp("filled")
    builtin = load_catalog()
    long_cat = load_catalog(full_last_page_catalog(root))
    blank = generate(["004"], out=root / "blank", catalog=builtin)[0]
    long_blank = generate(["902"], out=root / "blank", catalog=long_cat)[0]
    u004, u902 = builtin.unit("004"), long_cat.unit("902")
    notes = {"004": observations(u004, ["4", "4.2", "4.3"]),
             "902": observations(u902, [u902.goals[-1].number], 300)}
    jobs = [{"src": blank, "ops": [], "pdf": root / "blank-004.pdf"},
            {"src": blank, "ops": fill_ops(builtin, u004, notes["004"]), "pdf": root / "lleno-004.pdf"},
            {"src": long_blank, "ops": fill_ops(long_cat, u902, notes["902"]), "pdf": root / "lleno-902.pdf"}]
    libreoffice.fill(jobs)
    carried = generate(["003"], quarter=3, out=root / "t3", catalog=builtin,
                       prefill={"003": Prefill(actuals={0: [4321, 2.5, None, None]})})[0]
    examples = sorted(EXAMPLES.glob("*.xlsx"))
    pdfs = libreoffice.to_pdfs([*examples, carried], root / "ejemplos")
    return {"builtin": builtin, "long": long_cat, "notes": notes, "root": root,
            "examples": {path: pdfs[path] for path in examples}, "carried": pdfs[carried]}


def title_size(page) -> float:
    return next(h for w, h in page if w == "AYUNTAMIENTO")


def signature_words(unit) -> Counter:
    return Counter(["ELABORÓ", "REVISÓ", "AUTORIZÓ"] + [w for key, *_ in SIGNATURES
                                                       for f in ("cargo", "name")
                                                       for w in words(unit.signatures[key][f])])


def page_words(page) -> Counter:
    return Counter(piece for w, _ in page for piece in words(w))


def test_a_filled_one_page_form_stays_one_page_readable_with_its_signatures(filled_pdfs, libreoffice):
    root, unit = filled_pdfs["root"], filled_pdfs["builtin"].unit("004")
    pages = libreoffice.pdf_words(root / "lleno-004.pdf")
    assert libreoffice.pdf_pages(root / "lleno-004.pdf") == 1
    printed = page_words(pages[0])
    assert not signature_words(unit) - printed
    for text in filled_pdfs["notes"]["004"].values():
        assert not Counter(words(text)) - printed, "an observation is not printed whole"
    full = title_size(libreoffice.pdf_words(root / "blank-004.pdf")[0])
    assert title_size(pages[0]) / full >= MIN_FILLED_SCALE


def test_a_filled_long_form_keeps_the_signatures_whole_with_the_last_goal(filled_pdfs, libreoffice):
    cat = filled_pdfs["long"]
    unit = cat.unit("902")
    pages = libreoffice.pdf_words(filled_pdfs["root"] / "lleno-902.pdf")
    layout = SheetLayout.for_unit(unit)
    assert len(pages) == form_pages(layout, row_heights(cat, unit, layout)).count
    last = page_words(pages[-1])
    assert not signature_words(unit) - last, "the signatures are split from the last page"
    assert not Counter(words(unit.goals[-1].label)) - last, "the last goal is not on the signatures' page"
    assert not Counter(words(filled_pdfs["notes"]["902"][unit.goals[-1].number])) - last


def test_the_shipped_filled_examples_print_on_one_page_with_their_signatures(filled_pdfs, libreoffice):
    cat = filled_pdfs["builtin"]
    for path, pdf in filled_pdfs["examples"].items():
        unit = cat.unit(path.stem.rsplit("_", 1)[1])
        assert libreoffice.pdf_pages(pdf) == 1, path.name
        assert not signature_words(unit) - page_words(libreoffice.pdf_words(pdf)[0]), path.name


def test_carried_values_print_with_thousands_separators(filled_pdfs, libreoffice):
    printed = [w for w, _ in libreoffice.pdf_words(filled_pdfs["carried"])[0]]
    assert "4,321" in printed and "4321" not in printed and "2.5" in printed
