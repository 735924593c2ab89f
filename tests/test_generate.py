"""Generated workbooks read back with openpyxl: values, formulas, locks, validation, protection, metadata."""
from __future__ import annotations

import openpyxl
import pytest

from conftest import cell
from poaxl.generate import generate
from poaxl.layout import COL, COLUMNS, META_SHEET, SheetLayout, a_key, letter, p_key, ref


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, catalog):
    out = tmp_path_factory.mktemp("gen")
    paths = generate(all_units=True, quarter=2, out=out, catalog=catalog)
    return {p.stem.rsplit("_", 1)[-1]: p for p in paths}


def test_file_names(workbooks):
    assert sorted(p.name for p in workbooks.values()) == sorted(
        f"TMM-F004_2020_T2_{c}.xlsx" for c in ("001", "002", "003", "004", "005", "0046"))


@pytest.mark.parametrize("code", ["001", "002", "003", "004", "005", "0046"])
def test_every_catalog_value_is_in_its_cell(workbooks, catalog, code):
    unit = catalog.unit(code)
    ws = openpyxl.load_workbook(workbooks[code])[code]
    layout = SheetLayout.for_unit(unit)
    for i, goal in enumerate(unit.goals):
        r = layout.goal_row(i)
        assert ws[ref(r, "la")].value == goal.la
        assert ws[ref(r, "goal")].value == f"{goal.number}.- {goal.text}"
        assert ws[ref(r, "measure")].value == goal.measure
        assert ws[ref(r, "meta")].value == goal.meta
        assert [ws[ref(r, p_key(q))].value for q in range(1, 5)] == list(goal.planned)
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for expected in (unit.name, unit.label, unit.programa.name, unit.funcion.name, unit.subfuncion.name,
                     "AVANCE FÍSICO PROGRAMÁTICO", "PROGRAMA OPERATIVO ANUAL 2020", "TMM-F004", "FECHA: 30-jun-20",
                     "PERÍODO", "Ene-Mar", "Oct-Dic", "ELABORÓ", "REVISÓ", "AUTORIZÓ",
                     unit.signatures["elaboro"]["name"], *(l.name for l in unit.lineas)):
        assert expected in texts, expected
    header = layout.header + 1
    assert [ws[f"{letter(i)}{header}"].value for i in (0, 1, 2, 3)] == [c.header for c in COLUMNS[:4]]
    assert ws[f"{letter(COL['observations'])}{header}"].value == "OBSERVACIONES"


def test_formulas_follow_the_aggregation(workbooks, catalog):
    ws = openpyxl.load_workbook(workbooks["005"])["005"]
    assert ws[cell(catalog, "005", "5", "absolute")].value == "=IF(COUNT(F16,H16)=0,0,AVERAGE(F16,H16))"
    assert ws[cell(catalog, "005", "5.1", "absolute")].value == "=SUM(F17,H17)"
    assert ws[cell(catalog, "005", "5.1", "relative")].value == "=IF(D17=0,0,M17/D17)"
    assert ws[cell(catalog, "005", "5.1", "relative")].number_format == "0%"


def test_locked_and_unlocked_cells(workbooks, catalog):
    ws = openpyxl.load_workbook(workbooks["003"])["003"]
    assert ws.protection.sheet is True
    assert ws.protection.formatRows is False and ws.protection.formatColumns is False  # resizing allowed
    for goal in ("3", "3.3"):
        assert not ws[cell(catalog, "003", goal, "a1")].protection.locked
        assert not ws[cell(catalog, "003", goal, "a2")].protection.locked
        assert not ws[cell(catalog, "003", goal, "observations")].protection.locked
        for key in ("a3", "a4", "p1", "p2", "meta", "goal", "absolute", "relative"):
            assert ws[cell(catalog, "003", goal, key)].protection.locked, key
    assert ws[cell(catalog, "003", "3", "a3")].fill.fgColor.rgb.endswith("BFBFBF")
    assert ws[cell(catalog, "003", "3", "a2")].fill.fgColor.rgb.endswith("FFF2CC")


def test_data_validation_conditional_formats_and_print_setup(workbooks, catalog):
    ws = openpyxl.load_workbook(workbooks["003"])["003"]
    ranges = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for goal in ("3", "3.1", "3.2", "3.3"):
        for q in (1, 2):
            dv = ranges[cell(catalog, "003", goal, a_key(q))]
            assert dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
            assert "avance" in dv.prompt.lower() and dv.showErrorMessage
    assert cell(catalog, "003", "3", "a3") not in ranges
    rules = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert any("LEN(TRIM($O" in r and "<SUM($E" in r for r in rules)
    assert any(">1.5*SUM($E" in r for r in rules)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 1
    # a one-page form is fitted to one page (1 × 1, the attributes' default): 100 % blank, smaller
    # only when typed OBSERVACIONES grow it (tests/test_print_filled.py)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
    assert ws.page_setup.scale in (None, 100) and ws.print_options is not None
    assert ws.page_setup.blackAndWhite  # input shading on screen, plain on paper (Excel honours it)
    assert ws.print_title_rows and "003 ATENCIÓN CIUDADANA" in ws.oddFooter.left.text
    assert ws.freeze_panes == f"A{SheetLayout.for_unit(catalog.unit('003')).first_goal + 1}"


def test_metadata_and_properties(workbooks, catalog):
    wb = openpyxl.load_workbook(workbooks["0046"])
    text = wb[META_SHEET]["A1"].value  # one cell of key=value lines (every cell costs the checker a parse)
    assert wb[META_SHEET].max_row == 1 and wb[META_SHEET].max_column == 1
    lines = text.split("\n")
    assert [line.split("=")[0] for line in lines] == ["poaxl", "layout", "catalog", "unit", "year", "quarter",
                                                        "fingerprint", "sheet", "ramo"]
    meta = dict(line.split("=", 1) for line in lines)
    assert wb[META_SHEET].sheet_state == "hidden"
    assert meta["unit"] == "0046" and meta["year"] == "2020" and meta["quarter"] == "2"
    assert meta["catalog"] == catalog.id and meta["fingerprint"] == catalog.unit("0046").fingerprint()
    assert "0046" in wb.properties.title and wb.properties.creator.startswith("AYUNTAMIENTO")


def test_cached_values_are_written(workbooks):
    ws = openpyxl.load_workbook(workbooks["003"], data_only=True)["003"]
    values = [c.value for row in ws.iter_rows(min_col=COL["absolute"] + 1, max_col=COL["absolute"] + 1)
              for c in row]
    assert 0 in values  # readers that do not recalculate see 0, not None


def test_quarter_changes_fecha_and_unlocked_quarters(tmp_path, catalog):
    path = generate(["003"], quarter=4, out=tmp_path, catalog=catalog)[0]
    ws = openpyxl.load_workbook(path)["003"]
    texts = {c.value for row in ws.iter_rows() for c in row}
    assert "FECHA: 31-dic-20" in texts
    assert not ws[cell(catalog, "003", "3", "a4")].protection.locked
    assert "=SUM(F18,H18,J18,L18)" == ws[cell(catalog, "003", "3", "absolute")].value


def test_password_protects_sheet(tmp_path, catalog):
    path = generate(["003"], out=tmp_path, catalog=catalog, password="secreta")[0]
    ws = openpyxl.load_workbook(path)["003"]
    assert ws.protection.sheet and ws.protection.password
