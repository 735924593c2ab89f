"""Catalog messages the planning office acts on: each names what it typed and the place to correct it."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from poaxl.catalog_book import export_catalog
from poaxl.cli import main


@pytest.fixture
def book(tmp_path):
    return export_catalog(None, tmp_path / "catalogo.xlsx")


def edit(book, change):
    wb = openpyxl.load_workbook(book)
    change(wb)
    wb.save(book)
    return book


def check(catalog) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["catalog", "check", str(catalog)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_bad_unit_code_in_the_workbook_is_one_error_at_its_cell(book):
    """Unit 002's code spoilt in «Unidades»: its líneas, goals, signatures and contacts (11 rows of other
    sheets) each said «la unidad 01-002 no está en la hoja Unidades», and the code itself was never named."""
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", "00A2"))
    assert check(book) == (2, 'Error: catalogo.xlsx, hoja «Unidades», fila 3, columna B (UNIDAD): «00A2» no tiene '
                              'el formato esperado: solo dígitos (p. ej. "003").\n')
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", None))
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «Unidades», fila 3, columna B (UNIDAD): está vacía; "
                              "escriba el código de la unidad.\n")
    edit(book, lambda wb: wb["Unidades"].__setitem__("B3", "002"))
    assert check(book)[0] == 0


def test_a_row_naming_a_missing_unit_is_still_reported_when_every_code_is_good(book):
    edit(book, lambda wb: wb["Metas"].append(["01", "009", "1", "8.1.3", "UNA META", "REPORTE", 1, 0, 0, 1, 0,
                                              "suma"]))
    assert check(book) == (2, "Error: catalogo.xlsx, hoja «Metas», fila 30, columna B (UNIDAD): la unidad 01-009 no "
                              "está en la hoja Unidades; agréguela allí o corrija RAMO y UNIDAD.\n")


def test_workbook_warnings_name_the_goal_cell_to_correct(book):
    """They named the unit's row in «Unidades», where nothing can be corrected."""
    edit(book, lambda wb: wb["Metas"].__setitem__("D3", "9.9.9"))
    code, out = check(book)
    assert code == 0
    assert out.splitlines()[:4] == [
        "Aviso: unidad 001 OFICINA DEL TITULAR, meta 2.1: la L/A 9.9.9 no está entre las líneas de acción de la "
        "unidad (en catalogo.xlsx, hoja «Metas», fila 3, columna D (L/A))",
        "Aviso: unidad 002 COORDINACIÓN DE DIRECTORES, meta 6: lo programado (7+7+7+7 = 28) no suma la META ANUAL 21 "
        "(en catalogo.xlsx, hoja «Metas», fila 6, columna G (META ANUAL))",
        "Aviso: unidad 005 COORDINACIÓN ADMINISTRATIVA, meta 5.2: lo programado (0+0+1+0 = 1) no suma la META "
        "ANUAL 4 (en catalogo.xlsx, hoja «Metas», fila 22, columna G (META ANUAL))",
        "Aviso: unidad 0046 UNIDAD COORDINADORA DE TRANSPARENCIA, meta 4.5: numeración fuera de secuencia: 4.5 (se "
        "esperaba 1.4) (en catalogo.xlsx, hoja «Metas», fila 29, columna C (NÚMERO))"]


def test_warnings_of_one_unit_chosen_by_a_command_name_the_goal_cell_too(tmp_path, book):
    result = CliRunner().invoke(main, ["generate", "--unit", "002", "--catalog", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert ("Aviso: unidad 002 COORDINACIÓN DE DIRECTORES, meta 6: lo programado (7+7+7+7 = 28) no suma la META "
            "ANUAL 21 (en catalogo.xlsx, hoja «Metas», fila 6, columna G (META ANUAL))") in result.output
