"""AVANCE ABSOLUTO shows the decimals the typed A give it: 2 + 3.5 printed «6» (its format, #,##0, is
chosen when the form is made, before anything is typed). A conditional format shows 1 to 3 decimals
when the total has them, and keeps the row's red or amber (LibreOffice applies only the first rule that
holds). Printed by a real LibreOffice, and again after LibreOffice saved the filled form."""
from __future__ import annotations

import openpyxl
import pytest

from conftest import cell
from poaxl.generate import SHOWN_DECIMALS, generate
from poaxl.layout import a_key

# goal: (A1, A2) typed in the second quarter, and what AVANCE ABSOLUTO prints
TYPED = {"3": (4020, 10.5, "4,030.5"),      # under the programme (9,040), no observation: red
         "3.1": (150, 160, "310"),          # whole: no decimals
         "3.2": (40.25, 10, "50.25"),       # 168 % of the 30 programmed, no observation: amber
         "3.3": (1, 1.5, "2.5")}            # on programme, a half more


def ops(catalog) -> list[list]:
    return [["value", cell(catalog, "003", goal, a_key(q)), value]
            for goal, values in TYPED.items() for q, value in zip((1, 2), values[:2])]


def test_the_totals_rules_come_first_and_only_on_sums(catalog, tmp_path):
    ws = openpyxl.load_workbook(generate(["003"], out=tmp_path, catalog=catalog)[0])["003"]
    rules = sorted((r.priority, str(rng.sqref), r.formula[0]) for rng in ws.conditional_formatting for r in rng.rules)
    total = cell(catalog, "003", "3", "absolute")
    row = f'{cell(catalog, "003", "3", "la")}:{cell(catalog, "003", "3", "observations")}'
    assert [(where.split()[0], "MOD(" in f, "LEN(TRIM(" in f) for _, where, f in rules] == [
        (total, True, True), (total, True, True), (row, False, True), (row, False, True), (total, True, False)]
    assert SHOWN_DECIMALS == "#,##0.0##"


@pytest.fixture(scope="module")
def printed(tmp_path_factory, libreoffice, catalog):
    root = tmp_path_factory.mktemp("decimales")
    form = generate(["003"], out=root, catalog=catalog)[0]
    saved = root / "guardado.xlsx"
    libreoffice.fill([{"src": form, "ops": ops(catalog), "dst": saved, "pdf": root / "lleno.pdf"}])
    pdfs = libreoffice.to_pdfs([saved], root / "otra-vez")
    return [libreoffice.pdf_words(root / "lleno.pdf"), libreoffice.pdf_words(pdfs[saved])]


def test_a_total_prints_the_decimals_typed(printed):
    for pages in printed:  # as LibreOffice prints it, and after it saved the form as .xlsx
        printed_words = [w for page in pages for w, _ in page]
        for goal, (_, _, shown) in TYPED.items():
            assert shown in printed_words, (goal, shown)
        assert "4,031" not in printed_words  # not rounded
