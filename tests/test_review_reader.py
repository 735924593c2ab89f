"""Odd cells a coordinator's spreadsheet really writes, read by `poaxl check` as a new user would see them:
the findings quote each value the way a Spanish spreadsheet shows it, on one line (found by the session-2 review)."""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from conftest import apply_openpyxl, cell, on_plan_ops
from poaxl.check import check_file
from poaxl.cli import main
from poaxl.generate import generate

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(scope="module")
def template(tmp_path_factory, catalog):
    return generate(units=["003"], out=tmp_path_factory.mktemp("tpl"), catalog=catalog)[0]


def messages(path, catalog) -> dict[str, str]:
    """cell -> message of `poaxl check --format json` (the built-in catalog)."""
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    return {f["cell"]: f["message"] for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_typed_dates_times_and_booleans_are_quoted_as_a_spanish_spreadsheet_shows_them(template, catalog, tmp_path):
    a = lambda goal, q: cell(catalog, "003", goal, f"a{q}")  # noqa: E731
    path = apply_openpyxl(template, tmp_path / "odd.xlsx", on_plan_ops(catalog, "003") + [
        ["value", a("3", 2), True], ["value", a("3.1", 2), False], ["value", a("3.2", 2), dt.datetime(2020, 6, 30)],
        ["value", a("3.3", 2), dt.datetime(2020, 6, 30, 6, 5)], ["value", a("3", 1), dt.time(12, 30)],
        ["value", a("3.1", 1), dt.timedelta(hours=30)]])
    found = messages(path, catalog)
    assert found[a("3", 2)].endswith("«VERDADERO» no es un número — capture solo la cifra.")
    assert found[a("3.1", 2)].endswith("«FALSO» no es un número — capture solo la cifra.")
    assert found[a("3.2", 2)].endswith("«30/06/2020» no es un número — capture solo la cifra.")
    assert found[a("3.3", 2)].endswith("«30/06/2020 06:05» no es un número — capture solo la cifra.")
    assert found[a("3", 1)].endswith("«12:30» no es un número — capture solo la cifra.")
    assert found[a("3.1", 1)].endswith("«30:00:00» no es un número — capture solo la cifra.")


def test_a_typed_text_is_quoted_on_one_line_and_briefly(template, catalog, tmp_path):
    """A line break typed in an A cell must not break the one-line finding (nor fake another line)."""
    a = lambda goal: cell(catalog, "003", goal, "a2")  # noqa: E731
    path = apply_openpyxl(template, tmp_path / "text.xlsx", on_plan_ops(catalog, "003") + [
        ["value", a("3"), "diez\n  ✓ 003: correcto"], ["value", a("3.1"), "mil " * 50],
        ["value", a("3.2"), "1,367\r\n"]])
    found = messages(path, catalog)
    assert found[a("3")].endswith("«diez ✓ 003: correcto» no es un número — capture solo la cifra.")
    assert found[a("3.1")].endswith("«" + ("mil " * 15)[:59] + "…» no es un número — capture solo la cifra.")
    assert found[a("3.2")].endswith("«1,367 » está escrito como texto; se tomó como 1367 — captúrelo como número.")
    human = CliRunner().invoke(main, ["check", str(path)]).output
    assert "diez\n" not in human and "\r" not in human


# --------------------------------------------------------------------------- the XML other tools write

def raw_edit(src: Path, dst: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """Copy a workbook, rewriting parts as text (ElementTree would normalise what is tested here)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
    return dst


def put(ref: str, xml: str) -> Callable[[str], str]:
    """Replace the cell ``ref`` with ``xml``."""
    def change(text: str) -> str:
        new, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', lambda m: xml, text, count=1)
        assert n == 1, ref
        return new
    return change


def chain(*changes: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: functools.reduce(lambda t, change: change(t), changes, text)


def without_references(text: str) -> str:
    """No r on rows or cells: positions follow from the order (as some generators write)."""
    return re.sub(r'(<(?:c|row)) r="[A-Z]*\d+"', r"\1", text)


def cells_reversed(text: str) -> str:
    """Every row's cells in reverse order (each keeps its r)."""
    def row(m: re.Match) -> str:
        return m.group(1) + "".join(reversed(re.findall(r"<c [^>]*?(?:/>|>.*?</c>)", m.group(2)))) + m.group(3)
    return re.sub(r"(<row [^>]*>)(.*?)(</row>)", row, text)


def rows_reversed(text: str) -> str:
    head, body, tail = re.split(r"</?sheetData>", text)
    rows = re.findall(r"<row [^>]*?(?:/>|>.*?</row>)", body)
    return f"{head}<sheetData>{''.join(reversed(rows))}</sheetData>{tail}"


def prefixed(text: str) -> str:
    """The main namespace under the prefix x: (<x:c>, <x:v>...), as .NET's Open XML SDK writes it."""
    text = text.replace(f'xmlns="{MAIN}"', f'xmlns:x="{MAIN}"')
    return re.sub(r"<(/?)(?![?!]|[A-Za-z0-9]+:)([A-Za-z]+)", r"<\1x:\2", text)


def shared_strings(src: Path, dst: Path, rich: str) -> Path:
    """Every text of the sheet moved to a shared strings table, as Excel writes it; the text starting with
    ``rich`` in rich text runs (the first word bold) with a phonetic reading (<rPh>) that is not part of it."""
    table: list[str] = []

    def move(m: re.Match) -> str:
        inner = m.group(2)
        if inner.startswith(f"<t>{rich}") and inner.endswith("</t>"):
            first, rest = inner[3:-4].split(" ", 1)
            inner = (f'<r><rPr><b/></rPr><t>{first}</t></r><r><t xml:space="preserve"> {rest}</t></r>'
                     '<rPh sb="0" eb="1"><t>ア</t></rPh>')
        table.append(f"<si>{inner}</si>")
        return f'{m.group(1)} t="s"><v>{len(table) - 1}</v></c>'

    sst = "xl/sharedStrings.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info).decode("utf-8") if info.filename.endswith((".xml", ".rels")) else zin.read(info)
            if info.filename == SHEET:
                data = re.sub(r'(<c [^>]*?) t="inlineStr"><is>(.*?)</is></c>', move, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace("</Types>", f'<Override PartName="/{sst}" ContentType="application/'
                                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace("</Relationships>", '<Relationship Id="rIdSst" Type="http://schemas.openxml'
                                    'formats.org/officeDocument/2006/relationships/sharedStrings" '
                                    'Target="sharedStrings.xml"/></Relationships>')
            zout.writestr(info.filename, data)
        assert table and any("<rPh" in s for s in table)
        zout.writestr(sst, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                           f'count="{len(table)}" uniqueCount="{len(table)}">{"".join(table)}</sst>')
    return dst


SHEET = "xl/worksheets/sheet1.xml"
PARTS = (SHEET, "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml")


def tool_cases(catalog, on_plan: Path, tmp: Path) -> list[Path]:
    """The on-plan form as other tools write its XML: the same findings as openpyxl's reading."""
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    typed = chain(put(c("3", "a2"), f'<c r="{c("3", "a2")}" t="n"><v/></c>'),   # a number without a value
                  put(c("3.1", "a2"), f'<c r="{c("3.1", "a2")}" t="e"><v>#N/A</v></c>'),
                  put(c("3.2", "a1"), f'<c r="{c("3.2", "a1")}" t="str"><v>15</v></c>'),
                  put(c("3", "observations"), f'<c r="{c("3", "observations")}" t="str"><f>"SE "&amp;"ATRASÓ"</f>'
                                              "<v>SE ATRASÓ</v></c>"),
                  put(c("3.3", "a1"), f'<c r="{c("3.3", "a1")}"><v>7</v></c><c r="{c("3.3", "a1")}"><v>1</v></c>'))
    excel = shared_strings(on_plan, tmp / "shared_strings.xlsx", "3.- ATENDER Y GESTIONAR")
    cases = {"typed_cells": {SHEET: typed}, "no_references": {SHEET: without_references},
             "cells_reversed": {SHEET: cells_reversed}}
    return [excel, raw_edit(excel, tmp / "prefixed.xlsx", {part: prefixed for part in PARTS}),
            *(raw_edit(on_plan, tmp / f"{name}.xlsx", edits) for name, edits in cases.items())]


@pytest.fixture(scope="module")
def on_plan(template, catalog, tmp_path_factory) -> Path:
    return apply_openpyxl(template, tmp_path_factory.mktemp("tools") / "on_plan.xlsx", on_plan_ops(catalog, "003"))


def test_other_tools_xml_reads_as_openpyxl_reads_it(on_plan, catalog, tmp_path):
    from test_reader import assert_same

    files = tool_cases(catalog, on_plan, tmp_path)
    for path in files:
        assert_same(path, catalog)
    codes = {p.stem: sorted((f.code, f.cell) for f in check_file(p, catalog).findings) for p in files}
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    assert codes["typed_cells"] == sorted([("missing-actual", c("3", "a2")), ("not-a-number", c("3.1", "a2")),
                                           ("number-as-text", c("3.2", "a1"))])
    assert codes["no_references"] == codes["cells_reversed"] == codes["prefixed"] == codes["shared_strings"] == []


def test_xml_openpyxl_misreads_gets_a_sensible_finding(on_plan, catalog, tmp_path):
    """Where openpyxl fails or reads another cell, the checker still says something true, in Spanish."""
    a2 = cell(catalog, "003", "3", "a2")
    made = {name: raw_edit(on_plan, tmp_path / f"{name}.xlsx", {SHEET: change}) for name, change in {
        "rows_reversed": rows_reversed,  # each row keeps its r: the same form
        "nan": put(a2, f'<c r="{a2}"><v>NaN</v></c>'),
        "bad_iso_date": put(a2, f'<c r="{a2}" t="d"><v>ayer</v></c>'),
        "style_not_a_number": put(a2, f'<c r="{a2}" s="x"><v>5020</v></c>'),
        "negative_string_index": put(a2, f'<c r="{a2}" t="s"><v>-1</v></c>')}.items()}
    reports = {name: check_file(path, catalog) for name, path in made.items()}
    assert reports["rows_reversed"].status == reports["style_not_a_number"].status == "ok"
    assert [f.message for f in reports["nan"].findings] == [
        f"003 {a2}: meta 3, Abr-Jun: el valor es un número fuera de rango (mayor que 10¹⁵ o infinito) — "
        "capture la cifra real del avance."]
    assert [f.message for f in reports["bad_iso_date"].findings] == [
        f"003 {a2}: meta 3, Abr-Jun: «ayer» no es un número — capture solo la cifra."]
    damaged = reports["negative_string_index"]
    assert damaged.status == "unreadable" and damaged.findings[0].message == (
        f"{made['negative_string_index']}: el contenido del libro está dañado — ábralo en Excel o LibreOffice, "
        "guárdelo de nuevo como .xlsx y envíelo.")


def test_annotating_again_names_the_copy_that_exists(template, catalog, tmp_path, monkeypatch):
    """check --annotate run twice into one folder (or a.ods and a.xlsx in one batch): the warning names
    the copy in the way and what to do (it said «no se pudo anotar a.xlsx: ya existe», as if the original)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "respuestas").mkdir()
    apply_openpyxl(template, tmp_path / "respuestas" / "a.xlsx", [])
    first = CliRunner().invoke(main, ["check", "respuestas", "--annotate", "revisados"])
    assert "Anotado: " in first.stderr and first.exit_code == 1
    again = CliRunner().invoke(main, ["check", "respuestas", "--annotate", "revisados"])
    copy = tmp_path / "revisados" / "a.revisado.xlsx"
    assert (f"Aviso: no se pudo anotar respuestas/a.xlsx: ya existe la copia {copy} — bórrela o elija otra "
            "carpeta para --annotate") in again.stderr


def test_a_cell_outside_any_row_is_a_damaged_reference(on_plan, catalog, tmp_path):
    """<row r="0"> (or a <c> before any <row>) with cells without r: they landed in the sheet's LAST row
    (index -1), where a value could pass for a goal's; now the file is damaged, as openpyxl's int() says."""
    bad = {"row_zero": '<sheetData><row r="0"><c/><c/><c/><c/><c/><c/><c/><c><v>777</v></c></row>',
           "cell_before_rows": "<sheetData><c><v>777</v></c>",
           "row_not_a_number": '<sheetData><row r="x"><c r="A1"/></row>'}
    for name, start in bad.items():
        path = raw_edit(on_plan, tmp_path / f"{name}.xlsx", {SHEET: lambda t, s=start: t.replace("<sheetData>", s, 1)})
        report = check_file(path, catalog)
        assert report.status == "unreadable", name
        assert report.findings[0].message == (f"{path}: el libro tiene una referencia de celda dañada — ábralo en "
                                              "Excel o LibreOffice, guárdelo de nuevo y envíelo."), name
