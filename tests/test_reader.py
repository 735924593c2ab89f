"""The reader (one expat pass for values, formulas and bounds; python-calamine for .ods values) against an openpyxl-based
reference kept here: on every workbook the suite makes or ships, the same findings and statuses.

Also: .ods saved by a real LibreOffice gives the findings of the same form saved as .xlsx."""
from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import poaxl.check as check_module
from conftest import EXAMPLES, apply_openpyxl, cell, on_plan_ops, row_number
from poaxl.check import check_file, check_forms
from poaxl.generate import generate
from poaxl.layout import META_SHEET, SheetLayout
from poaxl.read import MAX_ROWS, READ_COLS, Book, Cell, Sheet, Unreadable, preflight, read_book
from test_bad_input import CASES, make_bad
from test_check_libreoffice import scenarios

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --------------------------------------------------------------------------- the reference

def reference_read_book(path) -> Book:
    """The reader poaxl had before: openpyxl in read-only mode, formulas as '=...' text."""
    import openpyxl

    from poaxl.package import Package

    path = Path(path)
    preflight(path)
    with Package(path) as pkg:  # the same refusals before parsing (limits, DTDs, encryption)
        if pkg.kind != "xlsx":
            raise Unreadable("no es .xlsx")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:
        raise Unreadable(f"openpyxl: {exc}") from None
    try:
        sheets, meta = [], {}
        for ws in wb.worksheets:
            rows = []
            for n, row in enumerate(ws.iter_rows(max_col=READ_COLS)):
                if n >= MAX_ROWS:
                    raise Unreadable("demasiadas filas")
                rows.append([Cell(_percent(c), getattr(c, "data_type", None) == "f") for c in row])
            if ws.title == META_SHEET:
                meta = _meta_reference(rows)
            else:
                sheets.append(Sheet(ws.title, rows))
        return Book(sheets, meta)
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(f"openpyxl: {exc}") from None
    finally:
        wb.close()


def _meta_reference(rows) -> dict[str, str]:
    """The metadata: ``key=value`` lines in A1, or (forms of earlier versions) a key/value row each."""
    first = rows[0][0].value if rows and rows[0] else None
    if isinstance(first, str) and first.startswith("poaxl="):
        return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in first.split("\n"))}
    return {str(r[0].value): str(r[1].value) for r in rows if len(r) > 1 and r[0].value is not None}


def _percent(c):
    """openpyxl's value, a number shown with a % format marked as poaxl marks it (cellvalues.Percent)."""
    from poaxl.cellvalues import Percent

    value = c.value
    if type(value) in (int, float) and "%" in (getattr(c, "number_format", None) or ""):
        return Percent(value)
    return value


def both(path: Path, catalog):
    """(ours, reference) reports of one file: one per form (a hand-made book may hold several units)."""
    ours = check_forms(path, catalog)
    saved = check_module.read_book
    check_module.read_book = reference_read_book
    try:
        theirs = check_forms(path, catalog)
    finally:
        check_module.read_book = saved
    return ours, theirs


def assert_same(path: Path, catalog) -> None:
    forms, references = both(path, catalog)
    assert len(forms) == len(references), path.name
    for ours, theirs in zip(forms, references):
        assert ours.status == theirs.status, (path.name, ours.findings, theirs.findings)
        if ours.status == "unreadable":
            assert [f.code for f in ours.findings] == [f.code for f in theirs.findings] == ["unreadable"]
            continue
        assert ours.to_dict() == theirs.to_dict(), path.name


# --------------------------------------------------------------------------- corpus

def xml_edit(src: Path, dst: Path, part: str, change) -> Path:
    """Copy a workbook, letting ``change(root)`` edit one XML part through ElementTree."""
    ET.register_namespace("", MAIN)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                root = ET.fromstring(data)
                change(root)
                data = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
            zout.writestr(info.filename, data)
    return dst


def cells_of(root) -> dict[str, ET.Element]:
    return {c.get("r"): c for c in root.iter(f"{{{MAIN}}}c")}


def shared_formulas(catalog):
    """AVANCE ABSOLUTO written the way Excel fills a column down: one master, shared children."""
    unit = catalog.unit("003")
    rows = [SheetLayout.for_unit(unit).goal_row(i) + 1 for i in range(len(unit.goals))]
    aggs = [g.aggregation for g in unit.goals]
    assert set(aggs) == {"sum"}

    def change(root):
        found = cells_of(root)
        for n, row in enumerate(rows):
            f = found[f"M{row}"].find(f"{{{MAIN}}}f")
            f.attrib.update({"t": "shared", "si": "0"})
            if n == 0:
                f.set("ref", f"M{rows[0]}:M{rows[-1]}")
            else:
                f.text = None
    return change


def odd_values(catalog):
    """Cells a coordinator can really produce: dates, booleans, error values, rich and inline text."""
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    rich = CellRichText(["SE ", TextBlock(InlineFont(b=True), "SUSPENDIÓ"), " POR COVID"])
    return [["value", c("3", "a2"), dt.datetime(2020, 6, 30)], ["value", c("3.1", "a2"), True],
            ["value", c("3.2", "a2"), "#DIV/0!"], ["value", c("3.2", "observations"), rich],
            ["value", c("3.1", "observations"), "=HYPERLINK(\"http://x\")"],
            ["value", c("3", "relative"), "28 %"], ["value", c("3.1", "a1"), " 12 "],
            ["value", c("3.2", "a4"), 1.5], ["value", c("3", "meta"), "20,100"],
            ["value", c("3", "a3"), dt.time(12, 30)], ["value", c("3.1", "a3"), dt.timedelta(hours=30)],
            ["value", c("3", "a4"), dt.datetime(1900, 2, 1, 6)]]


def rich_string(parent: ET.Element) -> None:
    """Rich text runs, one of them only whitespace, and a phonetic reading (<rPh>) that is not part of the text."""
    for text, bold in (("SE ", False), ("SUSPENDIÓ", True), (" ", False), ("POR COVID", False)):
        run = ET.SubElement(parent, f"{{{MAIN}}}r")
        if bold:
            ET.SubElement(ET.SubElement(run, f"{{{MAIN}}}rPr"), f"{{{MAIN}}}b")
        ET.SubElement(run, f"{{{MAIN}}}t").text = text
    ET.SubElement(ET.SubElement(parent, f"{{{MAIN}}}rPh", {"sb": "0", "eb": "2"}), f"{{{MAIN}}}t").text = "セ"


def phonetic_runs(ref: str):
    """An inline string (as openpyxl writes text) made of rich runs with a phonetic reading."""
    def change(root):
        node = cells_of(root)[ref]
        for child in list(node):
            node.remove(child)
        node.set("t", "inlineStr")
        rich_string(ET.SubElement(node, f"{{{MAIN}}}is"))
    return change


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, catalog) -> list[Path]:
    """Every kind of workbook the suite makes or ships (LibreOffice's are added in their own test)."""
    tmp = tmp_path_factory.mktemp("corpus")
    files = sorted(EXAMPLES.glob("*.xlsx"))
    templates = generate(all_units=True, out=tmp / "tpl", catalog=catalog)
    files += templates
    t003 = next(t for t in templates if t.name.endswith("_003.xlsx"))
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    fills = {
        "on_plan": [], "missing": [["clear", c("3.2", "a2")]], "text": [["value", c("3.2", "a2"), "diez"]],
        "negative": [["value", c("3.2", "a2"), -1]], "under": [["value", c("3.2", "a2"), 0]],
        "future": [["value", c("3.2", "a3"), 5]], "planned": [["value", c("3.2", "p2"), 99]],
        "typed_total": [["value", c("3.2", "absolute"), 31], ["value", c("3.2", "relative"), 0.9]],
        "cleared_total": [["clear", c("3.2", "absolute")]], "text_number": [["value", c("3", "a2"), "5,020"]],
        "edited_formula": [["value", c("3.1", "absolute"), "=SUM(F16,H16)+1"]],
        "a_formula": [["value", c("3.1", "a2"), "=5+3"]],
        "inserted": [["insert_row", row_number(catalog, "003", "3.2")]],
        "deleted": [["delete_row", row_number(catalog, "003", "3.2")]],
        "legacy": [["delete_sheet", META_SHEET], ["value", c("3.2", "a2"), 0]],
        "odd_values": odd_values(catalog),
    }
    for name, ops in fills.items():
        files.append(apply_openpyxl(t003, tmp / f"{name}.xlsx", on_plan_ops(catalog, "003") + ops))
    files.append(xml_edit(tmp / "on_plan.xlsx", tmp / "shared.xlsx", "xl/worksheets/sheet1.xml",
                          shared_formulas(catalog)))
    files.append(xml_edit(tmp / "odd_values.xlsx", tmp / "date1904.xlsx", "xl/workbook.xml",  # old Mac dates
                          lambda root: root.find(f"{{{MAIN}}}workbookPr").set("date1904", "1")))

    def wrong_cache(root):  # cached results that disagree with the A cells: never trusted
        for ref, node in cells_of(root).items():
            if ref.startswith(("M", "N")) and node.find(f"{{{MAIN}}}f") is not None:
                value = node.find(f"{{{MAIN}}}v")
                if value is not None:
                    value.text = "999"
    files.append(xml_edit(t003, tmp / "wrong_cache.xlsx", "xl/worksheets/sheet1.xml", wrong_cache))
    files.append(xml_edit(tmp / "odd_values.xlsx", tmp / "phonetic.xlsx", "xl/worksheets/sheet1.xml",
                          phonetic_runs(cell(catalog, "003", "3", "observations"))))
    from handmade import Style, write_book  # hand-made legacy forms, as offices keep them (no metadata)

    units = list(catalog.units)
    for n, style in enumerate((Style(), Style(margin=1), Style(header_rows=1, numbers_as_text=True),
                               Style(codes_as_numbers=True, signatures=False))):
        files.append(write_book(tmp / f"handmade{n}.xlsx", catalog, units[n:n + 2], styles=[style],
                                instructions=n == 1, stacked=n == 3))
    for kind in sorted(CASES):
        (tmp / "bad" / kind).mkdir(parents=True)
        files.append(make_bad(kind, tmp / "bad" / kind, t003))
    return files


def test_reader_equals_openpyxl_reference(corpus, catalog):
    assert len(corpus) > 40
    for path in corpus:
        assert_same(path, catalog)


def test_odd_values_are_read_as_openpyxl_reads_them(corpus, catalog):
    path = next(p for p in corpus if p.name == "odd_values.xlsx")
    sheet = read_book(path).sheets[0]
    a = lambda goal, key: sheet.get(*_pos(catalog, goal, key)).value  # noqa: E731
    assert a("3", "a2") == dt.datetime(2020, 6, 30)
    assert a("3.1", "a2") is True
    assert a("3.2", "a2") == "#DIV/0!"
    assert a("3.2", "observations") == "SE SUSPENDIÓ POR COVID"
    assert a("3", "a3") == dt.time(12, 30) and a("3.1", "a3") == dt.timedelta(hours=30)
    assert a("3", "a4") == dt.datetime(1900, 2, 1, 6)  # after Excel's 29-feb-1900 that never was
    phonetic = read_book(next(p for p in corpus if p.name == "phonetic.xlsx")).sheets[0]
    assert phonetic.get(*_pos(catalog, "3", "observations")).value == "SE SUSPENDIÓ POR COVID"
    old_mac = read_book(next(p for p in corpus if p.name == "date1904.xlsx")).sheets[0]
    assert old_mac.get(*_pos(catalog, "3", "a2")).value == dt.datetime(2024, 7, 1)  # same serial, 1904 calendar
    report = check_file(path, catalog)
    codes = {(f.code, f.cell) for f in report.findings}
    assert ("not-a-number", cell(catalog, "003", "3.2", "a2")) in codes
    assert ("number-as-text", cell(catalog, "003", "3.1", "a1")) in codes


def test_shared_formulas_are_translated(corpus, catalog):
    path = next(p for p in corpus if p.name == "shared.xlsx")
    sheet = read_book(path).sheets[0]
    row = row_number(catalog, "003", "3.2")
    assert sheet.get(row - 1, 12) == Cell(f"=SUM(F{row},H{row})", True)
    assert check_file(path, catalog).status == "ok"


def _pos(catalog, goal: str, key: str) -> tuple[int, int]:
    from poaxl.layout import COL

    return row_number(catalog, "003", goal) - 1, COL[key]


# --------------------------------------------------------------------------- LibreOffice: .xlsx and .ods

@pytest.fixture(scope="module")
def lo_pairs(tmp_path_factory, catalog, libreoffice):
    """Each scenario filled by a real LibreOffice and saved twice: .xlsx and .ods."""
    tmp = tmp_path_factory.mktemp("lo-ods")
    template = generate(["003"], out=tmp / "tpl", catalog=catalog)[0]
    legacy = tmp / "legacy-src.xlsx"
    apply_openpyxl(template, legacy, [["delete_sheet", META_SHEET]])
    jobs = {name: {"src": template, "dst": tmp / f"{name}.xlsx", "ods": tmp / f"{name}.ods",
                   "ops": on_plan_ops(catalog, "003") + ops} for name, ops in scenarios(catalog).items()}
    jobs["legacy"] = {"src": legacy, "dst": tmp / "legacy.xlsx", "ods": tmp / "legacy.ods",
                      "ops": on_plan_ops(catalog, "003") + [["value", cell(catalog, "003", "3.2", "a2"), 0]]}
    libreoffice.fill(list(jobs.values()))
    return {name: (job["dst"], job["ods"]) for name, job in jobs.items()}


def test_libreoffice_fills_equal_reference(lo_pairs, catalog, tmp_path):
    for xlsx, _ in lo_pairs.values():
        assert_same(xlsx, catalog)

    def rich_first_string(root):  # LibreOffice writes shared strings: make the first one rich, with a reading
        first = root.find(f"{{{MAIN}}}si")
        for child in list(first):
            first.remove(child)
        rich_string(first)
    rich = xml_edit(lo_pairs["clean"][0], tmp_path / "rich.xlsx", "xl/sharedStrings.xml", rich_first_string)
    assert_same(rich, catalog)
    assert read_book(rich).sheets[0].rows[0][0].value == "SE SUSPENDIÓ POR COVID"


def test_ods_gives_the_findings_of_the_xlsx(lo_pairs, catalog):
    for name, (xlsx, ods) in lo_pairs.items():
        a, b = check_file(xlsx, catalog).to_dict(), check_file(ods, catalog).to_dict()
        a.pop("path"), b.pop("path")
        assert a == b, name
    clean = check_file(lo_pairs["clean"][1], catalog)
    assert clean.status == "ok" and (clean.unit, clean.year, clean.quarter) == ("003", 2020, 2)  # metadata read
    legacy = check_file(lo_pairs["legacy"][1], catalog)
    assert {f.code for f in legacy.findings} == {"no-metadata", "missing-observation"}


def test_ods_through_the_cli(lo_pairs, catalog, tmp_path):
    import json

    from click.testing import CliRunner

    from poaxl.cli import main

    folder = tmp_path / "respuestas"
    folder.mkdir()
    shutil.copy(lo_pairs["under_no_obs"][1], folder / "003.ods")
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--annotate", str(tmp_path / "rev")])
    assert result.exit_code == 1, result.output
    files = json.loads(result.stdout)["files"]
    assert [Path(f["path"]).name for f in files] == ["003.ods"]  # folders expand to .ods
    assert {f["code"] for f in files[0]["findings"]} == {"missing-observation"}
    copy = tmp_path / "rev" / "003.revisado.xlsx"
    assert copy.exists() and "el original es .ods: la copia es un .xlsx" in result.stderr
    import openpyxl

    ws = openpyxl.load_workbook(copy)["003"]
    assert ws[cell(catalog, "003", "3.2", "observations")].comment.text.startswith("[missing-observation]")
    clean = tmp_path / "aceptados"
    clean.mkdir()
    shutil.copy(lo_pairs["clean"][1], clean / "003.ods")
    out = tmp_path / "consolidado.xlsx"
    result = CliRunner().invoke(main, ["report", str(clean), "--out", str(out)])
    assert result.exit_code == 0 and out.exists(), result.output
    result = CliRunner().invoke(main, ["generate", "--unit", "003", "--quarter", "3", "--from", str(clean),
                                       "--out", str(tmp_path / "t3")])
    assert result.exit_code == 0, result.output
    carried = read_book(next((tmp_path / "t3").glob("*.xlsx"))).sheets[0]
    assert carried.get(*_pos(catalog, "3.2", "a2")).value == catalog.unit("003").goals[2].planned[1]


def test_a_missing_value_reader_is_not_a_damaged_file(tmp_path, lo_pairs):
    """python-calamine reads the values of .ods files: without it an .ods would read as 'damaged'; it must
    fail as poaxl's own problem. An .xlsx never needs it."""
    import subprocess
    import sys

    def run(path: Path) -> subprocess.CompletedProcess:
        code = ("import sys; sys.modules['python_calamine'] = None\n"
                "from poaxl.cli import main\n"
                f"main(['check', {str(path)!r}])\n")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)

    result = run(lo_pairs["clean"][1])
    assert result.returncode == 3, result.stderr  # cli.INTERNAL_ERROR_EXIT, not 2 (unreadable)
    assert "Error interno de poaxl" in result.stderr and "dañado" not in result.stdout + result.stderr
    result = run(EXAMPLES / "TMM-F004_2020_T2_003.xlsx")
    assert result.returncode == 0 and "1 correcto(s)" in result.stdout, result.stdout + result.stderr
