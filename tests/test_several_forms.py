"""A workbook holding several units' forms (a sheet per unit, as an office may keep a whole ramo): check
and report say per unit what each sheet holds; a returned form (check_file: collect, status) must be one
unit's and such a workbook is refused there, naming its sheets."""
from __future__ import annotations

import json

import jsonschema
import openpyxl
from click.testing import CliRunner

from handmade import write_book
from poaxl.check import check, check_file
from poaxl.cli import main

from test_collect import server  # noqa: F401  (a real Dovecot)
from test_docs import ROOT
from test_mail import cert, smtp  # noqa: F401  (a real aiosmtpd)


def ramo_book(tmp_path, catalog):
    return write_book(tmp_path / "ramo.xlsx", catalog, [catalog.unit("003"), catalog.unit("004")],
                      instructions=True)


def test_each_sheet_is_checked_as_its_own_unit(tmp_path, catalog):
    reports = check([ramo_book(tmp_path, catalog)], catalog=catalog)
    assert [(r.unit, r.sheet, r.quarter) for r in reports] == [("003", "U003", 2), ("004", "U004", 2)]
    assert [g.goal.number for g in reports[0].goals] == ["3", "3.1", "3.2", "3.3"]   # 003's goals only
    assert [g.goal.number for g in reports[1].goals] == ["4", "4.1", "4.2", "4.3", "4.4", "4.5"]
    assert {f.sheet for f in reports[0].findings} == {"U003"} and {f.sheet for f in reports[1].findings} == {"U004"}


def test_cli_text_and_json_name_each_form(tmp_path, catalog):
    book = ramo_book(tmp_path, catalog)
    out = CliRunner().invoke(main, ["check", str(book)]).output
    assert f"{book}, hoja «U003» · 003 · 2020 T2: con errores" in out
    assert f"{book}, hoja «U004» · 004 · 2020 T2: con errores" in out
    assert "1 archivo(s) con 2 formatos: 0 correcto(s), 0 con avisos, 2 con errores, 0 ilegible(s)" in out
    result = CliRunner().invoke(main, ["check", str(book), "--format", "json"])
    data = json.loads(result.output)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert [(f["path"], f["sheet"], f["unit"]) for f in data["files"]] == [(str(book), "U003", "003"),
                                                                          (str(book), "U004", "004")]
    single = CliRunner().invoke(main, ["check", str(ROOT / "examples" / "2020-T2" / "TMM-F004_2020_T2_003.xlsx"),
                                       "--format", "json"])
    assert "sheet" not in json.loads(single.output)["files"][0]  # one form: the entry is as it always was


def test_report_consolidates_each_unit_of_the_workbook(tmp_path, catalog):
    book = ramo_book(tmp_path, catalog)
    result = CliRunner().invoke(main, ["report", str(book), "--out", str(tmp_path / "c.xlsx"), "--include-errors",
                                       "--format", "json"])
    units = {u["unit"]: u for u in json.loads(result.output)["units"]}
    assert (units["003"]["goals"], units["003"]["on_programme"]) == (4, 4)
    assert (units["004"]["goals"], units["004"]["on_programme"]) == (6, 6)  # not 003's goals counted as 004's
    refused = CliRunner().invoke(main, ["report", str(book), "--out", str(tmp_path / "d.xlsx")]).output
    assert f"Rechazado: {book}, hoja «U003»: con errores — 003 " in refused


def test_annotated_copy_marks_every_form(tmp_path, catalog):
    book = ramo_book(tmp_path, catalog)
    result = CliRunner().invoke(main, ["check", str(book), "--annotate", str(tmp_path / "rev")])
    assert "no se pudo anotar" not in result.output
    copy = openpyxl.load_workbook(tmp_path / "rev" / "ramo.revisado.xlsx")
    assert copy["U003"]["N18"].comment is not None and copy["U004"]["N17"].comment is not None


def test_a_returned_form_must_be_one_units(tmp_path, catalog):
    report = check_file(ramo_book(tmp_path, catalog), catalog)
    assert report.status == "unreadable" and [f.code for f in report.findings] == ["unreadable"]
    assert report.findings[0].message.endswith(
        "ramo.xlsx: el libro tiene 2 formatos TMM-F004 (hoja «U003»: 003; hoja «U004»: 004); un formato devuelto "
        "es el de una sola unidad — envíe cada formato en su propio archivo.")  # the coordinator reads it


def test_collect_answers_that_each_form_goes_in_its_own_file(server, tmp_path, cert, smtp, catalog):  # noqa: F811
    from test_collect import COORD_003, Office, reply_from

    office = Office(server, smtp, tmp_path, cert)
    office.deliver(reply_from(COORD_003, ramo_book(tmp_path, catalog)))
    [item] = office.collect().messages
    assert [f.state for f in item.forms] == ["ilegible"] and not (office.out / "TMM-F004_2020_T2_003.xlsx").exists()
    [(_, reply)] = office.replies()
    body = reply.get_body(("plain",)).get_content()
    assert ("el libro tiene 2 formatos TMM-F004 (hoja «U003»: 003; hoja «U004»: 004); un formato devuelto es el "
            "de una sola unidad — envíe cada formato en su propio archivo.") in body


def test_a_form_pasted_into_a_generated_workbook_is_found(tmp_path, catalog):
    """The hidden metadata names the generated form's sheet; another unit's form pasted beside it was left
    unread: check said «correcto» for 003 alone and collect registered the workbook as 003's answer."""
    from handmade import Style, write_form

    wb = openpyxl.load_workbook(ROOT / "examples" / "2020-T2" / "TMM-F004_2020_T2_003.xlsx")
    write_form(wb.create_sheet("004"), catalog, catalog.unit("004"), 2, Style(), None)
    book = tmp_path / "003_con_004.xlsx"
    wb.save(book)
    reports = check([book], catalog=catalog)
    assert [(r.unit, r.sheet) for r in reports] == [("003", "003"), ("004", "004")]
    assert reports[1].status == "errors"
    refused = check_file(book, catalog)
    assert refused.status == "unreadable"
    assert refused.findings[0].message.endswith("el libro tiene 2 formatos TMM-F004 (hoja «003»: 003; hoja «004»: "
                                                "004); un formato devuelto es el de una sola unidad — envíe cada "
                                                "formato en su propio archivo.")
