"""`poaxl catalog import`: the office's existing forms, hand-made or generated, become a validated catalog."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from handmade import Style, write_book
from poaxl.catalog import load_catalog
from poaxl.cli import main
from poaxl.generate import generate
from poaxl.importer import import_catalog


def plan(unit):
    """A unit without what forms do not carry (where it was read from, its e-mail contacts)."""
    return replace(unit, source="", contacts={})


def visible_cells(path: Path) -> dict:
    """Every cell value and formula of every sheet (the hidden metadata included)."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def test_round_trip_generated_forms_give_identical_forms(tmp_path, catalog):
    first = generate(all_units=True, out=tmp_path / "T2", catalog=catalog)
    result = import_catalog([tmp_path / "T2"], tmp_path / "importado")
    imported = load_catalog(tmp_path / "importado")
    assert [plan(u) for u in imported.units] == [plan(u) for u in catalog.units]
    assert (imported.id, imported.year, imported.quarter, imported.ramos) == (
        catalog.id, catalog.year, catalog.quarter, catalog.ramos)
    assert not result.unreadable and not result.ambiguities
    again = generate(all_units=True, out=tmp_path / "otra-vez", catalog=imported)
    assert [p.name for p in again] == [p.name for p in first]
    for a, b in zip(first, again):
        assert visible_cells(a) == visible_cells(b), a.name


def test_hand_made_forms_with_every_variation_reproduce_the_catalog(tmp_path, catalog):
    units = {u.code: u for u in catalog.units}
    src = tmp_path / "oficina"
    src.mkdir()
    write_book(src / "presidencia.xlsx", catalog, [units["001"], units["002"]], instructions=True,
               styles=[Style(margin=1, header_rows=3, numbers_as_text=True), Style(header_rows=1, code_offset=1)])
    write_book(src / "atencion-T2.xlsx", catalog, [units["003"]],
               styles=[Style(margin=1, header_rows=1, numbers_as_text=True, ramo_label="RAMO")])
    older = replace(units["003"], goals=(replace(units["003"].goals[0], meta=1, planned=(1, 0, 0, 0)),
                                         *units["003"].goals[1:]))
    write_book(src / "atencion-T1.xlsx", catalog, [older], quarter=1)
    for code in ("004", "005", "0046"):
        write_book(src / f"u{code}.xlsx", catalog, [units[code]], styles=[Style(code_offset=1)])
    result = import_catalog([src], tmp_path / "catalogo")
    imported = load_catalog(tmp_path / "catalogo")
    assert [plan(u) for u in imported.units] == [plan(u) for u in catalog.units]
    assert imported.unit("005").goals[0].aggregation == "average"
    assert [(u.data["code"], u.averaged) for u in result.units if u.averaged] == [("005", ["5"])]
    assert (imported.ayuntamiento, imported.year, imported.quarter, imported.form_code) == (
        "AYUNTAMIENTO DE MEXICALI, B.C.", 2020, 2, "TMM-F004")
    assert imported.ramos == catalog.ramos and imported.id == "mexicali-2020"
    [ambiguous] = result.ambiguities
    assert "unidad 01-003" in ambiguous and "más reciente" in ambiguous and "atencion-T2.xlsx" in ambiguous.split(
        "se tomó")[1]
    text = (tmp_path / "catalogo" / "units" / "005.yaml").read_text(encoding="utf-8")
    assert "# Importada de: " in text and "u005.xlsx" in text and "# Hoja: U005 (hecho a mano; T2 2020)" in text
    assert "REVISE: todos los P son iguales a la META ANUAL" in text
    assert not result.unreadable
    assert any("0046" in w and "4.5" in w for w in result.warnings)  # the seed's own numbering slip, linted


def test_unreadable_files_are_reported_and_the_rest_imported(tmp_path, catalog):
    src = tmp_path / "mezcla"
    src.mkdir()
    write_book(src / "bueno.xlsx", catalog, [catalog.unit("003")])
    (src / "texto.xlsx").write_text("unit,meta\n003,20\n", encoding="utf-8")
    (src / "vacio.xlsx").write_bytes(b"")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "una hoja cualquiera"
    wb.save(src / "otra-cosa.xlsx")
    evil = replace(catalog.unit("004"), code="../../004", name="=HYPERLINK(\"http://x\")")
    write_book(src / "malo.xlsx", catalog, [evil])
    result = CliRunner().invoke(main, ["catalog", "import", str(src), "--out", str(tmp_path / "cat")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "texto.xlsx: no es un libro de Excel" in result.output
    assert "vacio.xlsx: el archivo está vacío" in result.output
    assert "otra-cosa.xlsx: no contiene un formato TMM-F004" in result.output
    assert "malo.xlsx, hoja «U.._.._004»" in result.output and "no se importó" in result.output
    assert sorted(p.name for p in (tmp_path / "cat" / "units").iterdir()) == ["003.yaml"]
    assert not list(tmp_path.glob("*004*"))  # no text of a workbook became a path


def test_cli_json_report_and_refusing_to_overwrite(tmp_path, catalog):
    generate(["003", "005"], out=tmp_path / "f", catalog=catalog)
    run = lambda *a: CliRunner().invoke(main, ["catalog", "import", str(tmp_path / "f"), "--out",  # noqa: E731
                                              str(tmp_path / "c"), *a])
    result = run("--format", "json", "--id", "mexicali-2021")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["catalog"] == "mexicali-2021"
    assert [(u["unit"], u["goals"], u["average_goals"]) for u in data["units"]] == [("003", 4, []), ("005", 5, [])]
    again = run()
    assert again.exit_code == 2 and "ya existe" in again.output
    forced = run("--force")
    assert forced.exit_code == 0 and "Catálogo mexicali-2020-r01 escrito" in forced.output
    assert load_catalog(tmp_path / "c").id == "mexicali-2020-r01"


def test_nothing_to_import_is_a_usage_error(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 roto")
    result = CliRunner().invoke(main, ["catalog", "import", str(tmp_path / "x.xlsx"), "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "No se pudo importar ninguna unidad" in result.output
    assert not (tmp_path / "c").exists()


def test_a_multi_ramo_office_gives_a_multi_ramo_catalog(tmp_path):
    from test_multi_ramo import make_multi_ramo

    cat = load_catalog(make_multi_ramo(tmp_path))
    generate(all_units=True, out=tmp_path / "f", catalog=cat)
    import_catalog([tmp_path / "f"], tmp_path / "c")
    imported = load_catalog(tmp_path / "c")
    assert [u.key for u in imported.units] == [u.key for u in cat.units]
    assert [plan(u) for u in imported.units] == [plan(u) for u in cat.units]
    assert sorted(p.name for p in (tmp_path / "c" / "units").iterdir())[-2:] == ["05-001.yaml", "05-003.yaml"]


def test_codes_typed_as_numbers_get_their_zeros_back_and_a_note(tmp_path, catalog):
    write_book(tmp_path / "u.xlsx", catalog, [catalog.unit("003")], styles=[Style(codes_as_numbers=True)])
    result = import_catalog([tmp_path / "u.xlsx"], tmp_path / "c")
    assert [u.key for u in load_catalog(tmp_path / "c").units] == ["01-003"]
    assert result.units[0].notes == ["el código de ramo «1» estaba escrito como número: se tomó como «01»",
                                     "el código de unidad «3» estaba escrito como número: se tomó como «003»"]


@pytest.mark.libreoffice
def test_hand_made_forms_saved_by_libreoffice_as_xlsx_and_ods(tmp_path, catalog, libreoffice):
    """The office's workbook went through LibreOffice (merged headers, numbers as text): both formats import."""
    src = write_book(tmp_path / "mano.xlsx", catalog, [catalog.unit("003"), catalog.unit("005")], instructions=True,
                     styles=[Style(margin=1, numbers_as_text=True), Style(header_rows=1)])
    folder = tmp_path / "guardados"
    folder.mkdir()
    libreoffice.fill([{"src": src, "dst": folder / "mano-lo.xlsx", "ops": [], "ods": folder / "mano-lo.ods"}])
    for name in ("mano-lo.xlsx", "mano-lo.ods"):
        result = import_catalog([folder / name], tmp_path / name.replace(".", "-"))
        imported = load_catalog(tmp_path / name.replace(".", "-"))
        assert [plan(u) for u in imported.units] == [plan(catalog.unit("003")), plan(catalog.unit("005"))], name
        assert not result.unreadable


def test_a_whole_ramo_on_one_sheet_one_form_below_the_other(tmp_path, catalog):
    units = list(catalog.units)
    styles = [Style(), Style(signatures=False, header_rows=1), Style(numbers_as_text=True)]
    write_book(tmp_path / "ramo.xlsx", catalog, units, instructions=True, stacked=True, styles=styles)
    result = import_catalog([tmp_path / "ramo.xlsx"], tmp_path / "c")
    imported = load_catalog(tmp_path / "c")
    assert [u.code for u in imported.units] == [u.code for u in catalog.units]
    no_signatures = {u.code for u, s in zip(units, [styles[i % 3] for i in range(len(units))]) if not s.signatures}
    for mine, theirs in zip(imported.units, catalog.units):
        if mine.code in no_signatures:
            assert mine.goals == theirs.goals and mine.lineas == theirs.lineas
            assert mine.signatures["elaboro"] == {"cargo": "", "name": ""}
        else:
            assert plan(mine) == plan(theirs)
    assert [u.sheet for u in result.units][:2] == ["Ramo, fila 15", "Ramo, fila 42"]
    assert any("no se encontraron las firmas" in n for u in result.units for n in u.notes)
