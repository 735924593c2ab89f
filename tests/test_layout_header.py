"""The header block is described once (layout.HEADER_FIELDS, TITLES, fecha/parse_fecha): what generate
writes, layout.read_header reads back, for every unit and quarter; hand-made spellings are read too."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from poaxl.catalog import Coded
from poaxl.generate import generate
from poaxl.layout import HEADER_FIELDS, SheetLayout, parse_fecha, read_header


def header_of(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    first = next(i for i, row in enumerate(rows) if row and row[0] == "L/A")
    return read_header(rows[:first])


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_generated_header_reads_back(tmp_path, catalog, quarter):
    for path in generate(all_units=True, quarter=quarter, out=tmp_path / f"q{quarter}", catalog=catalog):
        code = path.stem.rsplit("_", 1)[1]
        unit = catalog.unit(code)
        head = header_of(path, unit.code)
        assert (head.year, head.quarter) == (2020, quarter)
        assert head.fields["ramo"] == catalog.ramo and head.fields["unit"] == Coded(unit.code, unit.name)
        assert head.unit_label == unit.label
        for key in ("programa", "finalidad", "funcion", "subfuncion"):
            assert head.fields[key] == getattr(unit, key)
        assert head.lineas == list(unit.lineas)


def test_header_rows_follow_the_fields(catalog):
    unit = catalog.unit("003")
    layout = SheetLayout.for_unit(unit)
    assert len(layout.id_rows) == len(HEADER_FIELDS) - 1 + len(unit.lineas)
    assert layout.header == layout.id_rows.stop + 1


def test_hand_made_spellings():
    rows = [["AYUNTAMIENTO DE MEXICALI", None, "TMM-F004"],
            ["Programa Operativo Anual 2021", None, "Fecha:", dt.datetime(2021, 9, 30)],
            [None, "Ramo", "01", "PRESIDENCIA"],
            [None, "UNIDAD RESPONSABLE:", "0046", "TRANSPARENCIA"],
            [None, "Lineas de accion", "8.1.1", "UNA"],
            [None, None, "8.1.3", "OTRA"]]
    head = read_header(rows)
    assert (head.year, head.quarter) == (2021, 3)
    assert head.code("ramo") == "01" and head.code("unit") == "0046" and head.unit_label == "UNIDAD RESPONSABLE:"
    assert [l.code for l in head.lineas] == ["8.1.1", "8.1.3"]


def test_fecha_spellings():
    assert parse_fecha("FECHA: 30-jun-20") == (2020, 2)
    assert parse_fecha("FECHA 31/Dec/2020") == (2020, 4)
    assert parse_fecha("FECHA: 31-mar-21") == (2021, 1)
    assert parse_fecha("FECHA: 15-may-20") is None  # not a cut-off month
