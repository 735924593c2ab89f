"""Hostile workbooks against the reader: each is refused before parsing (or read in bounded time), as
`unreadable` with a Spanish reason and no English exception text, exit 2, no traceback, the rest of the
batch checked, and every input byte-identical afterwards. All made here, at test time."""
from __future__ import annotations

import hashlib
import json
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from poaxl.cli import main
from poaxl.package import MAX_PART_BYTES, MAX_STRINGS_BYTES
from poaxl.sheetscan import MAX_CELLS, MAX_ROWS

SHEET = "xl/worksheets/sheet1.xml"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ENGLISH = ("error", "invalid", "codec", "decode", "traceback", "exception", "not well-formed", "token",
           "password required", "encrypted,", "file is not", "bad ", "mismatch")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rebuild(src: Path, dst: Path, change, extra: dict[str, bytes] | None = None):
    """Copy a workbook part by part; ``change(name, data)`` returns (new name, new data) or None to drop."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = change(info.filename, zin.read(info))
            if out is None:
                continue
            name, data = out
            new = zipfile.ZipInfo(name, info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(new, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def flag_encrypted(path: Path, part: str) -> Path:
    """Set the 'encrypted' bit of one entry, in its local header and in the central directory."""
    import struct

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(part).header_offset
    data[offset + 6] |= 0x1
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_len] == name:
            data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def sheet_with(cells: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b"><sheetData>" + cells + b"</sheetData></worksheet>"


def replace_part(part: str, data: bytes):
    return lambda name, old: (name, data if name == part else old)


DOCTYPE = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'


def with_doctype(data: bytes, comment: int = 0) -> bytes:
    """The part with a DOCTYPE after its XML declaration (and, optionally, a long comment before it)."""
    decl, rest = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
    return (decl + b"?>" if decl else b"") + (b"<!--" + b"x" * comment + b"-->" if comment else b"") + DOCTYPE + rest


def utf16_with_doctype(data: bytes) -> bytes:
    text = with_doctype(data).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    return text.encode("utf-16")


def rename(old: str, new: str, rels: str = "xl/_rels/workbook.xml.rels", target: str | None = None):
    """Move a part and point the workbook's relationship at its new name."""
    old_target, new_target = old.split("xl/", 1)[1].encode(), (target or new.split("xl/", 1)[1]).encode()

    def change(name, data):
        if name == old:
            return new, with_doctype(data)
        if name == rels:
            return name, data.replace(old_target, new_target)
        if name == "[Content_Types].xml":
            return name, data.replace(b"/" + old.encode(), b"/" + new.encode())
        return name, data
    return change


def big_strings(n: int) -> bytes:
    items = b"".join(b"<si><t>OBSERVACION %d DEL TRIMESTRE</t></si>" % i for i in range(n))
    return b'<?xml version="1.0" encoding="UTF-8"?><sst ' + MAIN + b' count="%d" uniqueCount="%d">' % (n, n) + items + b"</sst>"


def many_cells(rows: int, cols: int) -> bytes:
    letters = [chr(65 + c // 26 - 1) + chr(65 + c % 26) if c >= 26 else chr(65 + c) for c in range(cols)]
    return sheet_with(b"".join(b'<row r="%d">' % (r + 1) + b"".join(b'<c r="%s%d"><v>1</v></c>' % (l.encode(), r + 1)
                                                                     for l in letters) + b"</row>"
                               for r in range(rows)))


def ods(content_rows: bytes) -> dict[str, bytes]:
    """A minimal .ods: mimetype, manifest and a content.xml with one table of the given rows."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               b'<office:spreadsheet><table:table table:name="003">' + content_rows +
               b"</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
                b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    return {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "META-INF/manifest.xml": manifest,
            "content.xml": content}


VALUE_CELL = b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'


def make(kind: str, tmp: Path, good: Path) -> Path:
    path = tmp / f"{kind}.xlsx"
    if kind == "huge_shared_strings":   # issue 9: ~94 MB of strings in an 18 MB file; here enough to pass the limit
        rebuild(good, path, replace_part("xl/sharedStrings.xml", big_strings(MAX_STRINGS_BYTES // 40 + 1000)))
    elif kind == "million_cells":       # issue 9: a sheet of 1.5 million cells
        rebuild(good, path, replace_part(SHEET, many_cells(20_000, 75)))
    elif kind == "cells_over_limit":    # inside the size limit, but far more cells than a form
        rebuild(good, path, replace_part(SHEET, many_cells(MAX_ROWS, MAX_CELLS // MAX_ROWS + 5)))
    elif kind == "far_corner":          # two cells: calamine would allocate A1:XFD1048576 (and abort)
        rebuild(good, path, replace_part(SHEET, sheet_with(b'<row r="1"><c r="A1" t="inlineStr"><is><t>L/A</t></is>'
                                                           b'</c><c r="XFD1"><v>1</v></c></row>')))
    elif kind == "far_row":
        rebuild(good, path, replace_part(SHEET, sheet_with(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')))
    elif kind == "bad_reference":
        rebuild(good, path, replace_part(SHEET, sheet_with(b'<row r="1"><c r="A0"><v>1</v></c></row>')))
    elif kind == "encrypted_entry":     # issue 9 item 5: a zip entry flagged as encrypted
        flag_encrypted(rebuild(good, path, lambda n, d: (n, d)), SHEET)
    elif kind == "comment_before_doctype":
        rebuild(good, path, lambda n, d: (n, with_doctype(d, comment=5000) if n == "xl/workbook.xml" else d))
    elif kind == "utf16_doctype":
        rebuild(good, path, lambda n, d: (n, utf16_with_doctype(d) if n == "xl/workbook.xml" else d))
    elif kind == "uppercase_part":
        rebuild(good, path, rename(SHEET, "xl/worksheets/SHEET1.XML"))
    elif kind == "renamed_strings":
        rebuild(good, path, rename("xl/sharedStrings.xml", "xl/textos.bin"))
    elif kind == "doctype_in_sheet":
        rebuild(good, path, lambda n, d: (n, with_doctype(d) if n == SHEET else d))
    elif kind == "bad_utf8":
        rebuild(good, path, lambda n, d: (n, d.replace(b"</sheetData>", b"<row><c><v>\xff\xfe</v></c></row></sheetData>")
                                          if n == SHEET else d))
    elif kind == "duplicate_part":      # calamine finds parts whatever their case: which one would it take?
        rebuild(good, path, lambda n, d: (n, d), extra={"XL/Worksheets/Sheet1.xml": many_cells(1, 3)})
    elif kind == "ods_rows_repeated":
        path = tmp / f"{kind}.ods"
        with zipfile.ZipFile(path, "w") as z:
            for name, data in ods(b'<table:table-row table:number-rows-repeated="1048576">' + VALUE_CELL +
                                  b"</table:table-row>").items():
                z.writestr(name, data)
    elif kind == "ods_columns_repeated":
        path = tmp / f"{kind}.ods"
        with zipfile.ZipFile(path, "w") as z:
            for name, data in ods(b"<table:table-row>" + VALUE_CELL.replace(
                    b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="16384" ') +
                    b"</table:table-row>").items():
                z.writestr(name, data)
    elif kind == "long_shared_formula":  # one long master formula shared down 2,000 rows of the form's columns
        master = b"<f t=\"shared\" si=\"0\" ref=\"A1:P2000\">" + b"+".join(b"A1" for _ in range(5000)) + b"</f>"
        rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><f t="shared" si="0"/></c>' % (l, r)
                                                         for l in (b"M", b"N")) + b"</row>" for r in range(2, 2001))
        rebuild(good, path, replace_part(SHEET, sheet_with(b'<row r="1"><c r="A1">' + master + b"</c></row>" + rows)))
    elif kind == "ods_long_formula":
        path = tmp / f"{kind}.ods"
        with zipfile.ZipFile(path, "w") as z:
            for name, data in ods(b'<table:table-row><table:table-cell table:formula="of:=' + b"[" * 100_000 +
                                  b'"/></table:table-row>').items():
                z.writestr(name, data)
    return path


# what each case's message says (Spanish literals of findings.REASONS)
CASES = {
    "huge_shared_strings": "xl/sharedStrings.xml mide", "million_cells": f"{MAX_PART_BYTES // 1024} KB",
    "cells_over_limit": "celdas: no es un formato TMM-F004", "far_corner": "más allá de la columna IV",
    "far_row": f"más de {MAX_ROWS} filas", "bad_reference": "referencia de celda dañada",
    "encrypted_entry": "está cifrado", "comment_before_doctype": "DTD/ENTITY", "utf16_doctype": "DTD/ENTITY",
    "uppercase_part": "DTD/ENTITY", "renamed_strings": "DTD/ENTITY", "doctype_in_sheet": "DTD/ENTITY",
    "bad_utf8": "no es XML válido", "duplicate_part": "repite el nombre de una parte interna", "ods_rows_repeated": "celdas: no es un formato TMM-F004",
    "ods_columns_repeated": "más allá de la columna IV", "long_shared_formula": "fórmula de más de 8,192 caracteres",
    "ods_long_formula": "fórmula de más de 8,192 caracteres",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_hostile_workbook_is_refused_in_spanish(tmp_path, template, kind):
    good = template("003")
    bad = make(kind, tmp_path, good)
    before_bad, before_good = sha(bad), sha(good)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["check", str(bad), str(good), "--format", "json",
                                       "--annotate", str(tmp_path / "anotados")])
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    first, second = json.loads(result.stdout)["files"]
    assert first["status"] == "unreadable" and second["status"] == "errors"  # the batch went on
    message = first["findings"][0]["message"]
    assert CASES[kind] in message and str(bad) in message, message
    said = message.replace(str(bad), "").lower()
    assert not [w for w in ENGLISH if w in said], message  # no English exception text
    assert elapsed < 30, elapsed  # loose: refused before parsing, not after
    assert sha(bad) == before_bad and sha(good) == before_good
    assert not (tmp_path / "anotados" / f"{bad.stem}.revisado.xlsx").exists()


def test_technical_detail_only_with_verbose(tmp_path, template):
    bad = make("bad_utf8", tmp_path, template("003"))
    quiet = CliRunner().invoke(main, ["check", str(bad)])
    assert quiet.exit_code == 2 and "not well-formed" not in quiet.output
    verbose = CliRunner().invoke(main, ["--verbose", "check", str(bad)])
    assert verbose.exit_code == 2 and "not well-formed" in verbose.output  # the parser's own words, on request


def test_doctype_in_a_part_only_annotate_reads_is_refused_there(tmp_path, filled, catalog):
    """A DTD where no checker parses (docProps): the form is checked; --annotate (openpyxl reads every
    part) refuses to copy it, in Spanish, and the batch goes on."""
    from conftest import cell

    src = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 0]])
    bad = rebuild(src, tmp_path / "docprops.xlsx", lambda n, d: (n, with_doctype(d) if n == "docProps/core.xml" else d))
    result = CliRunner().invoke(main, ["check", str(bad), "--annotate", str(tmp_path / "anotados")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no se pudo anotar" in result.output and "DTD/ENTITY" in result.output
    assert not list((tmp_path / "anotados").glob("*.xlsx")) if (tmp_path / "anotados").exists() else True


def test_a_sheet_named_in_another_case_is_the_sheet_excel_reads(tmp_path, filled, catalog):
    """The relationships say WORKSHEETS/SHEET1.XML: Excel (and python-calamine) find xl/worksheets/sheet1.xml,
    and the reader must read that very part (not skip it, not read another)."""
    from conftest import cell

    src = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 0]])
    odd = rebuild(src, tmp_path / "mayusculas.xlsx", lambda n, d: (
        n, d.replace(b"worksheets/sheet1.xml", b"WORKSHEETS/SHEET1.XML") if n == "xl/_rels/workbook.xml.rels" else d))
    from poaxl.check import check_file

    report = check_file(odd, catalog)
    assert {f.code for f in report.findings} == {"missing-observation"}


def test_a_megabyte_number_format_is_read_in_bounded_time(tmp_path, filled, catalog):
    """Every cell style points at a 1 MB number format of unclosed '[': the date-format patterns are quadratic on
    such a text, so only formats of Excel's length (255) are looked at; the form is checked as usual."""
    import re

    from conftest import cell

    src = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 0]])
    import random

    noise = random.Random(7)  # '[' and letters: no zip bomb, and every '[' opens a bracket that never closes
    text = "".join("[" + noise.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(500_000))
    code = b'<numFmts count="1"><numFmt numFmtId="200" formatCode="' + text.encode() + b'"/></numFmts>'

    def change(name, data):
        if name != "xl/styles.xml":
            return name, data
        data = re.sub(rb"<numFmts.*?</numFmts>", b"", data, flags=re.S)
        data = re.sub(rb'numFmtId="\d+"', b'numFmtId="200"', data)
        return name, data.replace(b"<fonts", code + b"<fonts", 1)

    bad = rebuild(src, tmp_path / "formato.xlsx", change)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["check", str(bad), "--format", "json"])
    assert time.monotonic() - started < 30
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert {f["code"] for f in findings} == {"missing-observation"}


def central_crc(src: Path, dst: Path, part: str, crc: int) -> Path:
    """A copy whose zip directory states another CRC for ``part`` (the stored bytes are untouched)."""
    data = bytearray(src.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len] == part.encode():
            data[at + 16:at + 20] = crc.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    dst.write_bytes(bytes(data))
    return dst


def test_styles_shared_by_forms_are_read_once_and_a_lying_directory_still_refused(tmp_path, filled, catalog):
    """Forms saved by the same program share xl/styles.xml: it is parsed once per distinct stored bytes.
    A form with the same stored bytes but another CRC in its directory is no hit: it is inflated, and refused."""
    from poaxl.package import Package
    from poaxl.cellvalues import read_styles
    from poaxl.check import check_file

    one = filled("003")
    two = Path(tmp_path / "copia.xlsx")
    two.write_bytes(one.read_bytes())
    with Package(one) as a, Package(two) as b:
        assert a.parsed("xl/styles.xml", read_styles) is b.parsed("xl/styles.xml", read_styles)
    crc = zipfile.ZipFile(one).getinfo("xl/styles.xml").CRC
    lying = central_crc(one, tmp_path / "mentira.xlsx", "xl/styles.xml", crc ^ 1)
    report = check_file(lying, catalog)
    assert report.status == "unreadable"
    assert report.findings[0].message.endswith(
        "mentira.xlsx: una parte interna no coincide con su tamaño declarado (archivo dañado o manipulado); "
        "no se abrió — ábralo en Excel o LibreOffice, guárdelo de nuevo y envíelo.")
    assert check_file(two, catalog).status == "ok"
