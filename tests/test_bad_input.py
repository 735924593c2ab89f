"""Bad input: each case is 'unreadable' with a Spanish reason, exit 2, no traceback, the file untouched,
and the rest of the batch still checked."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from poaxl.cli import main
from poaxl.read import MAX_ROWS


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rezip(src: Path, dst: Path, change) -> Path:
    """Copy an xlsx part by part, letting ``change(name, data)`` alter (or drop, with None) each part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def make_bad(kind: str, tmp: Path, good: Path) -> Path:
    path = tmp / f"{kind}.xlsx"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not_zip":
        path.write_bytes(bytes(range(256)) * 10)
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    elif kind == "ods":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
    elif kind == "csv":
        path.write_text("L/A;METAS Y ACCIONES\n8.1.3;2.- DIRIGIR\n", encoding="utf-8")
    elif kind == "encrypted":
        from msoffcrypto.format.ooxml import OOXMLFile

        with open(good, "rb") as fh, open(path, "wb") as out:
            OOXMLFile(fh).encrypt("secreta", out)
    elif kind == "zip_bomb":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
            z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    elif kind == "huge_sheet":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        ws.write(0, 0, "L/A")
        for r in range(1, MAX_ROWS + 100):
            ws.write_number(r, 0, r)
        wb.close()
    elif kind == "entities":
        bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        rezip(good, path, lambda n, d: bomb + d.split(b"?>", 1)[1] if n == "xl/workbook.xml" else d)
    elif kind == "missing_sheet":
        rezip(good, path, lambda n, d: None if n.startswith("xl/worksheets/sheet1") else d)
    elif kind == "no_form":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        wb.add_worksheet("Hoja1").write(0, 0, "otra cosa")
        wb.close()
    return path


CASES = {
    "empty": "vacío", "not_zip": "no es un libro de Excel", "truncated": "dañado o incompleto",
    "xls": ".xls antiguo", "ods": ".ods", "csv": "texto o CSV", "encrypted": "contraseña",
    "zip_bomb": "bomba zip", "huge_sheet": f"más de {MAX_ROWS} filas", "entities": "DTD/ENTITY",
    "missing_sheet": "no contiene la hoja", "no_form": "«L/A»",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_file_is_unreadable_with_reason(tmp_path, template, kind):
    good = template("003")
    bad = make_bad(kind, tmp_path, good)
    before_bad, before_good = sha(bad), sha(good)
    result = CliRunner().invoke(main, ["check", str(bad), str(good), "--format", "json",
                                       "--annotate", str(tmp_path / "anotados")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    first, second = report["files"]
    assert first["status"] == "unreadable" and second["status"] == "errors"  # the batch went on
    message = first["findings"][0]["message"]
    assert CASES[kind] in message and str(bad) in message
    assert sha(bad) == before_bad and sha(good) == before_good


def test_missing_file_and_empty_directory(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "no-existe.xlsx")])
    assert result.exit_code == 2 and "no existe" in result.output
    empty = tmp_path / "vacia"
    empty.mkdir()
    result = CliRunner().invoke(main, ["check", str(empty)])
    assert result.exit_code == 2 and "No se encontró ningún archivo .xlsx" in result.output
