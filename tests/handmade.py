"""Hand-made TMM-F004 workbooks, the way planning offices keep them (no poaxl metadata), built with
openpyxl from a catalog's units, with the variations seen in real offices:
a margin column, an instructions sheet first, one- or three-row merged table headers, numbers typed
as text with thousands separators, goal texts written ``2.1.-TEXT`` / ``2.1.- TEXT`` / ``2.1- TEXT``,
the header block as label / code / name cells in varying columns, signatures below with cargo and
name, and actual values and observations filled in (not catalog data)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl

SEPARATORS = ("{n}.-{t}", "{n}.- {t}", "{n}- {t}")
QUARTERS = ("Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic")
CUTOFF = {1: "31-mar", 2: "30-jun", 3: "30-sep", 4: "31-dic"}


@dataclass
class Style:
    margin: int = 0               # empty columns before the form
    header_rows: int = 3          # 3: merged PERÍODO / quarter / P-A rows; 1: one row
    numbers_as_text: bool = False  # META and P typed as "20,100"
    code_offset: int = 2          # the code cell of the header block, columns after the label
    ramo_label: str = "RAMO:"
    with_actuals: bool = True
    codes_as_numbers: bool = False  # RAMO 1 and UNIDAD 3 typed as numbers (the zeros are lost)
    signatures: bool = True


def _number(value, as_text: bool):
    if as_text:
        return f"{value:,.0f}" if float(value).is_integer() else str(value)
    return value


def write_form(ws, catalog, unit, quarter: int = 2, style: Style = Style(), ayuntamiento: str | None = None,
               top: int = 1) -> int:
    """One unit's form on worksheet ``ws`` (openpyxl) from row ``top``, as a person would type it;
    returns the first row after it."""
    m = style.margin + 1  # first column of the form (1-based)
    row = top
    for text in (ayuntamiento or catalog.ayuntamiento, f"PROGRAMA OPERATIVO ANUAL {catalog.year}",
                 "AVANCE FÍSICO PROGRAMÁTICO"):
        ws.cell(row, m, text)
        row += 1
    ws.cell(top, m + 14, catalog.form_code)
    ws.cell(top + 1, m + 14, f"FECHA: {CUTOFF[quarter]}-{catalog.year % 100:02d}")
    row += 1
    label_code = m + style.code_offset
    coded = [(style.ramo_label, unit.ramo), ("PROGRAMA", unit.programa), (unit.label, unit),
             ("FINALIDAD", unit.finalidad), ("FUNCIÓN", unit.funcion), ("SUBFUNCIÓN", unit.subfuncion)]
    for label, item in coded:
        ws.cell(row, m, label)
        numeric = style.codes_as_numbers and item in (unit.ramo, unit)
        ws.cell(row, label_code, int(item.code) if numeric else item.code)
        ws.cell(row, label_code + 1, item.name)
        row += 1
    for i, linea in enumerate(unit.lineas):
        if i == 0:
            ws.cell(row, m, "LÍNEAS DE ACCIÓN")
        ws.cell(row, label_code, linea.code)
        ws.cell(row, label_code + 1, linea.name)
        row += 1
    row += 1
    row = _table_header(ws, row, m, style.header_rows)
    for i, goal in enumerate(unit.goals):
        sep = SEPARATORS[i % len(SEPARATORS)]
        ws.cell(row, m, goal.la)
        ws.cell(row, m + 1, sep.format(n=goal.number, t=goal.text))
        ws.cell(row, m + 2, goal.measure)
        ws.cell(row, m + 3, _number(goal.meta, style.numbers_as_text))
        for q in range(4):
            ws.cell(row, m + 4 + 2 * q, _number(goal.planned[q], style.numbers_as_text))
            if style.with_actuals and q < quarter:
                ws.cell(row, m + 5 + 2 * q, goal.planned[q] + 1)
        if style.with_actuals:
            ws.cell(row, m + 12, sum(goal.planned[:quarter]) + quarter)
            ws.cell(row, m + 13, "50%")
            ws.cell(row, m + 14, "SE REBASÓ LA META POR LA DEMANDA")
        row += 1
    row += 1
    if not style.signatures:
        return row + 1
    for label, col in (("ELABORÓ", m + 1), ("REVISÓ", m + 3), ("AUTORIZÓ", m + 12)):
        key = {"ELABORÓ": "elaboro", "REVISÓ": "reviso", "AUTORIZÓ": "autorizo"}[label]
        ws.cell(row, col, label)
        ws.cell(row + 2, col, unit.signatures[key]["cargo"])
        ws.cell(row + 3, col, unit.signatures[key]["name"])
    return row + 6


def _table_header(ws, row: int, m: int, rows: int) -> int:
    fixed = [("L/A", 0), ("METAS Y ACCIONES", 1), ("UNIDAD DE MEDIDA", 2), ("META ANUAL", 3),
             ("AVANCE ABSOLUTO", 12), ("ACUMULADO RELATIVO", 13), ("OBSERVACIONES", 14)]
    if rows == 1:
        for text, c in fixed:
            ws.cell(row, m + c, text)
        for q, name in enumerate(QUARTERS):
            ws.cell(row, m + 4 + 2 * q, f"{name} P")
            ws.cell(row, m + 5 + 2 * q, f"{name} A")
        return row + 1
    for text, c in fixed:
        ws.cell(row, m + c, text)
        ws.merge_cells(start_row=row, start_column=m + c, end_row=row + 2, end_column=m + c)
    ws.cell(row, m + 4, "PERÍODO")
    ws.merge_cells(start_row=row, start_column=m + 4, end_row=row, end_column=m + 11)
    for q, name in enumerate(QUARTERS):
        ws.cell(row + 1, m + 4 + 2 * q, name)
        ws.merge_cells(start_row=row + 1, start_column=m + 4 + 2 * q, end_row=row + 1, end_column=m + 5 + 2 * q)
        ws.cell(row + 2, m + 4 + 2 * q, "P")
        ws.cell(row + 2, m + 5 + 2 * q, "A")
    return row + 3


def write_book(path: Path, catalog, units, *, instructions: bool = False, quarter: int = 2,
               styles: list[Style] | None = None, ayuntamiento: str | None = None, stacked: bool = False) -> Path:
    """A workbook with one sheet per unit (an office may keep the whole ramo in one file), or with
    ``stacked`` every unit's form on one sheet, one below the other."""
    wb = openpyxl.Workbook()
    first = wb.active
    if instructions:
        first.title = "Instrucciones"
        first["A1"] = "Llene solo las columnas A (avance) de cada trimestre y OBSERVACIONES."
        first["A3"] = "L/A: línea de acción del Plan Municipal de Desarrollo."  # a mention, not the table
    if stacked:
        ws = first if not instructions else wb.create_sheet("Ramo")
        row = 1
        for i, unit in enumerate(units):
            row = write_form(ws, catalog, unit, quarter, (styles or [Style()])[i % len(styles or [Style()])],
                             ayuntamiento, top=row)
        wb.save(path)
        return path
    for i, unit in enumerate(units):
        ws = first if i == 0 and not instructions else wb.create_sheet()
        ws.title = re.sub(r"[\\/*?:\[\]]", "_", f"U{unit.code}")[:31]
        write_form(ws, catalog, unit, quarter, (styles or [Style()])[i % len(styles or [Style()])], ayuntamiento)
    wb.save(path)
    return path
