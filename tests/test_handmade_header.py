"""Hand-made forms (no poaxl metadata: an office's own older spreadsheet, or a form's sheets copied into a
new workbook) are identified by their header block, and that header is checked as the metadata is: a unit
not in the catalog is an error naming the code the header says, a year other than the catalog's is
wrong-period, and `poaxl report` lists what it could not place instead of dropping it."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from handmade import write_book
from poaxl.catalog import load_catalog
from poaxl.check import check_file
from poaxl.cli import main
from test_multi_ramo import make_multi_ramo

CATALOG = "mexicali-2020-r01"  # the built-in catalog's id


def hand_made(path: Path, catalog, unit: str = "003", *, code: str | None = None, year: int | None = None,
              ramo: str | None = "keep") -> Path:
    """A hand-made form of ``unit`` with every total right (a formula of its own in ACUMULADO RELATIVO),
    its header's unit code written ``code``, its year ``year``, its RAMO code ``ramo`` (None: empty)."""
    write_book(path, catalog, [catalog.unit(unit)])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    table = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "L/A")
    for row in ws.iter_rows(min_row=1, max_row=table - 1):
        for cell in row:
            value = cell.value
            if code is not None and value == catalog.unit(unit).code:
                cell.value = code
            if ramo != "keep" and value == catalog.unit(unit).ramo.code and cell.column > 1:
                cell.value = ramo
            if year is not None and isinstance(value, str):
                value = value.replace(str(catalog.year), str(year))
                cell.value = value.replace(f"-{catalog.year % 100:02d}", f"-{year % 100:02d}")
    for row in ws.iter_rows(min_row=table + 1):
        for cell in row:
            if cell.value == "50%":  # write_form types 50 % on every row: its own formula instead
                cell.value = f"=M{cell.row}/D{cell.row}"
    wb.save(path)
    return path


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


def test_a_correct_hand_made_form_has_only_the_no_metadata_warning(tmp_path, catalog):
    report = check_file(hand_made(tmp_path / "a.xlsx", catalog), catalog)
    assert (report.unit, report.year, report.quarter, report.status) == ("003", 2020, 2, "warnings")
    assert codes(report) == ["no-metadata"]
    assert report.findings[0].message == (
        "003: el formato no fue generado por poaxl (sin metadatos): solo se revisó su aritmética interna y la unidad "
        "y el año de su encabezado; lo programado no se comparó con el catálogo; sus totales (AVANCE ABSOLUTO y "
        "ACUMULADO RELATIVO) están escritos a mano y se verificaron contra los avances — use el formato generado "
        "por poaxl.")


def test_a_header_unit_not_in_the_catalog_is_an_error_naming_it(tmp_path, catalog):
    path = hand_made(tmp_path / "a.xlsx", catalog, code="999")
    report = check_file(path, catalog)
    assert report.status == "errors" and report.unit == "999" and report.key is None
    (found,) = [f for f in report.findings if f.code == "unknown-unit"]
    assert found.severity == "error"
    assert found.message == ("999: el encabezado dice la unidad 999, que no está en el catálogo mexicali-2020-r01; "
                             "el formato no se puede consolidar — corrija el código de la unidad en el "
                             "encabezado, o revise con el catálogo correcto (--catalog).")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path} · 999 · 2020 T2: con errores\n" in result.output  # not «la entrega de la unidad está bien»


def test_a_header_without_unit_says_so(tmp_path, catalog):
    path = hand_made(tmp_path / "a.xlsx", catalog, code="")
    report = check_file(path, catalog)
    (found,) = [f for f in report.findings if f.code == "unknown-unit"]
    assert found.severity == "error" and "el encabezado no dice de qué unidad es el formato" in found.message


def test_a_unit_in_two_ramos_without_ramo_in_the_header_is_named_with_both(tmp_path):
    municipio = load_catalog(make_multi_ramo(tmp_path))
    path = hand_made(tmp_path / "a.xlsx", municipio, "01-003", ramo=None)
    report = check_file(path, municipio)
    (found,) = [f for f in report.findings if f.code == "unknown-unit"]
    assert "el encabezado dice la unidad 003, que está en varios ramos del catálogo mexicali-2020 (01-003, " \
           "05-003), y no dice el ramo" in found.message
    assert check_file(path, municipio, ramo="01").key == "01-003"  # --ramo places it


def test_a_header_ramo_other_than_the_units_is_named(tmp_path, catalog):
    report = check_file(hand_made(tmp_path / "a.xlsx", catalog, ramo="02"), catalog)
    assert report.key is None
    (found,) = [f for f in report.findings if f.code == "unknown-unit"]
    assert found.message == ("003: el encabezado dice el ramo 02 y la unidad 003, que en el catálogo "
                             "mexicali-2020-r01 es del ramo 01; el formato no se puede consolidar — corrija el ramo "
                             "en el encabezado, o revise con el catálogo correcto (--catalog).")


def test_a_header_year_other_than_the_catalogs_is_wrong_period(tmp_path, catalog):
    path = hand_made(tmp_path / "a.xlsx", catalog, year=2019)
    report = check_file(path, catalog)
    assert report.year == 2019 and report.status == "errors"
    (found,) = [f for f in report.findings if f.code == "wrong-period"]
    assert found.severity == "error"
    assert found.message == ("003: el encabezado dice el año 2019 y se revisa con el catálogo mexicali-2020-r01 "
                             "(2020) — use el formato del año en curso o indique --catalog.")


def test_report_refuses_another_years_form_and_lists_an_unknown_unit(tmp_path, catalog):
    folder = tmp_path / "respuestas"
    folder.mkdir()
    hand_made(folder / "viejo.xlsx", catalog, year=2019)
    hand_made(folder / "otra.xlsx", catalog, "004", code="999")
    hand_made(folder / "nueva.xlsx", catalog, "004", code="999")  # two of an unknown unit: both listed
    out = tmp_path / "c.xlsx"
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    status = {u["unit"]: u["status"] for u in data["units"]}
    assert status["003"] == "con errores (rechazado)" and status["004"] == "sin entregar"
    unplaced = [line for line in data["refused"] if "no se consolidó" in line]
    assert sorted(Path(line.split(":")[0]).name for line in unplaced) == ["nueva.xlsx", "otra.xlsx"]
    assert all("el encabezado dice la unidad 999, que no está en el catálogo" in line for line in unplaced)
    assert any(line.startswith(str(folder / "viejo.xlsx")) and "el encabezado dice el año 2019" in line
               for line in data["refused"])
    # --include-errors consolidates the 2019 form as «con errores» (never «entregado») and still lists 999
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out), "--force", "--include-errors",
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {u["unit"]: u["status"] for u in data["units"]}["003"] == "con errores"
    assert len([line for line in data["refused"] if "no se consolidó" in line]) == 2


def test_a_sheet_pasted_into_a_generated_workbook_is_checked_by_its_header(tmp_path, filled, catalog):
    """The pasted sheet has no metadata of its own: its header says 999, and report lists it by its sheet."""
    from handmade import write_form

    path = filled("003")
    wb = openpyxl.load_workbook(path)
    write_form(wb.create_sheet("copia"), catalog, catalog.unit("004"))
    for row in wb["copia"].iter_rows(max_row=8):
        for cell in row:
            cell.value = "999" if cell.value == "004" else cell.value
    wb.save(path)
    result = CliRunner().invoke(main, ["report", str(path), "--out", str(tmp_path / "c.xlsx"), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {u["unit"]: u["status"] for u in data["units"]}["003"] == "entregado"
    assert data["refused"] == [f"{path}, hoja «copia»: no se consolidó — 999: el encabezado dice la unidad 999, que "
                               "no está en el catálogo mexicali-2020-r01; el formato no se puede consolidar — corrija "
                               "el código de la unidad en el encabezado, o revise con el catálogo correcto "
                               "(--catalog)."]
