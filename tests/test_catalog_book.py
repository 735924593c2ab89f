"""The catalog as a workbook (`catalog export`, `--catalog catalogo.xlsx`) and `catalog init`."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.catalog_book import export_catalog
from poaxl.catalog_files import catalog_to_data
from poaxl.cli import main
from poaxl.generate import generate
from test_import import visible_cells


def no_source(unit):
    return replace(unit, source="")


@pytest.fixture
def book(tmp_path):
    return export_catalog(None, tmp_path / "catalogo.xlsx")


def test_the_workbook_catalog_generates_the_same_forms(tmp_path, book, catalog):
    result = CliRunner().invoke(main, ["generate", "--all", "--catalog", str(book), "-o", str(tmp_path / "xlsx")])
    assert result.exit_code == 0, result.output
    yaml_forms = generate(all_units=True, out=tmp_path / "yaml", catalog=catalog)
    for form in yaml_forms:
        assert visible_cells(form) == visible_cells(tmp_path / "xlsx" / form.name), form.name


def test_yaml_to_workbook_to_yaml_loses_nothing(tmp_path, book, catalog):
    from_book = load_catalog(book)
    assert catalog_to_data(from_book) == catalog_to_data(catalog)  # mail, contacts, every goal
    result = CliRunner().invoke(main, ["catalog", "import", str(book), "--out", str(tmp_path / "de-nuevo")])
    assert result.exit_code == 0, result.output
    again = load_catalog(tmp_path / "de-nuevo")
    assert catalog_to_data(again) == catalog_to_data(catalog)
    text = (tmp_path / "de-nuevo" / "units" / "003.yaml").read_text(encoding="utf-8")
    assert "# Hoja: Unidades (libro de catálogo; catálogo 2020)" in text


def test_export_import_export_is_value_identical(tmp_path, book):
    CliRunner().invoke(main, ["catalog", "import", str(book), "--out", str(tmp_path / "c")])
    second = export_catalog(tmp_path / "c", tmp_path / "segundo.xlsx")
    assert visible_cells(second) == visible_cells(book)


def test_a_multi_ramo_catalog_survives_the_workbook(tmp_path):
    from test_multi_ramo import make_multi_ramo

    cat = load_catalog(make_multi_ramo(tmp_path))
    book = export_catalog(cat, tmp_path / "municipio.xlsx")
    assert catalog_to_data(load_catalog(book)) == catalog_to_data(cat)
    assert [no_source(u) for u in load_catalog(book).units] == [no_source(u) for u in cat.units]


def test_the_workbook_helps_the_person_editing_it(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["General", "Ramos", "Unidades", "Líneas", "Metas", "Firmas", "Contactos"]
    metas = wb["Metas"]
    assert [c.value for c in metas[1]] == ["RAMO", "UNIDAD", "NÚMERO", "L/A", "TEXTO", "UNIDAD DE MEDIDA",
                                           "META ANUAL", "P1 ENE-MAR", "P2 ABR-JUN", "P3 JUL-SEP", "P4 OCT-DIC",
                                           "AGREGACIÓN"]
    assert metas.freeze_panes == "A2"
    assert "suma (cantidades), promedio" in metas["L1"].comment.text
    rules = {str(dv.sqref).split(":")[0]: dv for dv in metas.data_validations.dataValidation}
    assert rules["L2"].type == "list" and rules["L2"].formula1 == '"suma,promedio,último"'
    assert rules["G2"].type == "decimal" and rules["G2"].operator == "greaterThanOrEqual"
    assert metas.column_dimensions["E"].width >= 50
    row = [c.value for c in metas[2]]
    assert row[:4] == ["01", "001", "2", "8.1.3"] and row[6:11] == [1, 0, 0, 1, 0] and row[11] == "suma"
    five = next(r for r in metas.iter_rows(values_only=True) if r[1] == "005" and r[2] == "5")
    assert five[11] == "promedio"


def test_text_from_the_catalog_is_written_as_text_never_a_formula(tmp_path, catalog):
    evil = replace(catalog, units=(replace(catalog.units[0], name='=HYPERLINK("http://x","y")'),
                                   *catalog.units[1:]))
    book = export_catalog(evil, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(book)
    cell = wb["Unidades"]["D2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert not any(c.data_type == "f" for ws in wb.worksheets for r in ws.iter_rows() for c in r)


def edit(book: Path, changes) -> Path:
    wb = openpyxl.load_workbook(book)
    changes(wb)
    wb.save(book)
    return book


def test_bad_rows_point_to_sheet_row_and_column(book):
    def spoil(wb):
        metas = wb["Metas"]
        metas["G3"] = "veinte"
        metas["L4"] = "mediana"
        metas["E5"] = None
        metas.append(["01", "009", "1", "8.1.3", "UNA META", "REPORTE", 1, 0, 0, 1, 0, "suma"])
        wb["Unidades"]["C3"] = "UNIDAD X"
    edit(book, spoil)
    for args in (["catalog", "check", str(book)], ["generate", "--all", "--catalog", str(book)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "Traceback" not in result.output
        out = result.output
        assert "catalogo.xlsx, hoja «Metas», fila 3, columna G (META ANUAL): «veinte» no es un número" in out
        assert ("catalogo.xlsx, hoja «Metas», fila 4, columna L (AGREGACIÓN): «mediana» no es válido; use uno "
                "de: suma, promedio, último") in out
        assert "hoja «Metas», fila 30, columna B (UNIDAD): la unidad 01-009 no está en la hoja Unidades" in out
        assert "hoja «Unidades», fila 3, columna C (ETIQUETA): «UNIDAD X» no es válido" in out


def test_schema_problems_of_a_workbook_also_name_the_cell(book):
    edit(book, lambda wb: wb["Metas"].__setitem__("E5", None))
    result = CliRunner().invoke(main, ["catalog", "check", str(book)])
    assert result.exit_code == 2
    assert "catalogo.xlsx, hoja «Metas», fila 5, columna E (TEXTO): no puede estar vacío" in result.output


def test_export_refuses_to_overwrite_and_writes_from_any_catalog(tmp_path, book):
    result = CliRunner().invoke(main, ["catalog", "export", "--out", str(book)])
    assert result.exit_code == 2 and "ya existe" in result.output
    result = CliRunner().invoke(main, ["catalog", "export", "--out", str(book), "--force", "--catalog", str(book)])
    assert result.exit_code == 0 and "6 unidad(es), 28 metas" in result.output


def test_catalog_init_gives_a_commented_catalog_that_validates_and_generates(tmp_path):
    folder = tmp_path / "nuevo"
    result = CliRunner().invoke(main, ["catalog", "init", str(folder), "--year", "2021"])
    assert result.exit_code == 0, result.output
    cat = load_catalog(folder)
    assert (cat.year, len(cat.ramos), len(cat.units), len(cat.units[0].goals), cat.warnings) == (2021, 1, 1, 2, ())
    head = (folder / "catalog.yaml").read_text(encoding="utf-8")
    unit = (folder / "units" / "001.yaml").read_text(encoding="utf-8")
    assert head.count("#") >= 10 and unit.count("#") >= 8 and "ramos:" in head  # how to add ramos, commented
    assert CliRunner().invoke(main, ["catalog", "check", str(folder)]).exit_code == 0
    result = CliRunner().invoke(main, ["generate", "--all", "--catalog", str(folder), "-o", str(tmp_path / "f")])
    assert result.exit_code == 0 and (tmp_path / "f" / "TMM-F004_2021_T1_001.xlsx").exists()
    again = CliRunner().invoke(main, ["catalog", "init", str(folder)])
    assert again.exit_code == 2 and "ya existe" in again.output


def test_a_hostile_catalog_workbook_is_refused_before_parsing(tmp_path, book):
    from hostile import rezip

    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'

    def with_dtd(name: str, data: bytes) -> bytes:
        return entity + data.split(b"?>", 1)[1] if name == "xl/worksheets/sheet5.xml" else data

    bad = rezip(book, tmp_path / "dtd.xlsx", with_dtd)
    bomb = rezip(book, tmp_path / "bomb.xlsx", lambda n, d: d + b" " * 50_000_000 if n.endswith("sheet5.xml") else d)
    for path in (bad, bomb):
        result = CliRunner().invoke(main, ["catalog", "check", str(path)])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert path.name in result.output
    shutil.copy(book, tmp_path / "catalogo.ods")
    result = CliRunner().invoke(main, ["catalog", "check", str(tmp_path / "catalogo.ods")])
    assert result.exit_code == 2 and "debe ser .xlsx" in result.output


def test_the_general_sheet_speaks_spanish_and_names_its_cells(book):
    wb = openpyxl.load_workbook(book)
    general = {r[0]: r[1] for r in wb["General"].iter_rows(min_row=2, values_only=True)}
    assert general["IDENTIFICADOR"] == "mexicali-2020-r01" and general["AÑO"] == 2020 and general["TRIMESTRE"] == 2
    assert general["FECHA LÍMITE T2"] == "2020-07-10"
    wb["General"]["B4"] = "dos mil veinte"
    wb["General"]["A12"] = "COLOR"
    wb["General"]["B12"] = "azul"
    wb.save(book)
    result = CliRunner().invoke(main, ["catalog", "check", str(book)])
    assert result.exit_code == 2
    assert "hoja «General», fila 4, columna B (VALOR): «dos mil veinte» no es un número entero" in result.output
    assert "hoja «General», fila 12, columna A (CAMPO): «COLOR» no es un dato del catálogo" in result.output


def test_import_of_a_catalog_workbook_and_forms_together(tmp_path, book, catalog):
    """The office's edited workbook wins over the forms of its year (said as an ambiguity); forms add units."""
    from handmade import write_book

    from poaxl.importer import import_catalog

    smaller = replace(catalog, units=tuple(u for u in catalog.units if u.code != "004"))
    small_book = export_catalog(smaller, tmp_path / "sin-004.xlsx")
    changed = replace(catalog.unit("003"), name="OTRO NOMBRE")
    write_book(tmp_path / "forms.xlsx", catalog, [changed, catalog.unit("004")])
    result = import_catalog([small_book, tmp_path / "forms.xlsx"], tmp_path / "c")
    cat = load_catalog(tmp_path / "c")
    assert [u.code for u in cat.units] == [u.code for u in catalog.units]
    assert cat.unit("003").name == "ATENCIÓN CIUDADANA" and cat.mail == catalog.mail
    assert cat.unit("003").contacts == catalog.unit("003").contacts
    [note] = result.ambiguities
    assert "unidad 01-003" in note and "sin-004.xlsx, hoja «Unidades»" in note.split("se tomó")[1]
