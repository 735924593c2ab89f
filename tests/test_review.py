"""Defects found by an acceptance pass as a new user (review helper): each test shows one of them fixed."""
from __future__ import annotations

import json
import shutil

import click
import openpyxl
from click.testing import CliRunner

from conftest import EXAMPLES
from handmade import write_book
from poaxl.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="poaxl")


def commands(group: click.Group, path: tuple[str, ...] = ()):
    """Every command and subcommand of the CLI, as argument lists."""
    for name, command in group.commands.items():
        yield [*path, name]
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def test_required_options_say_so_in_spanish_in_every_help():
    """click 8.5 prints «[required]» through _(variable): the scan of click's literal ids misses it."""
    for args in commands(main):
        result = run(*args, "--help")
        assert result.exit_code == 0, args
        assert "[required]" not in result.output and "required]" not in result.output, args
    assert "Libro consolidado a escribir (.xlsx).  [obligatoria]" in run("report", "--help").output
    assert "[obligatoria]" in run("catalog", "export", "--help").output


def test_consolidated_report_and_catalog_workbook_in_the_folder_are_not_checked_as_forms(tmp_path, catalog):
    """An office saves the consolidated report (or the catalog workbook) in the answers folder: check and
    report used to read its L/A tables as hand-made forms (dozens of nonsense findings, «? · None TNone»)."""
    answers = tmp_path / "respuestas"
    shutil.copytree(EXAMPLES, answers)
    assert run("report", answers, "--out", answers / "consolidado.xlsx").exit_code == 1  # 004, 005 refused
    assert run("catalog", "export", "--out", answers / "catalogo.xlsx").exit_code == 0
    result = run("check", answers, "--quiet")
    assert result.exit_code == 2
    assert (f"{answers / 'consolidado.xlsx'}: es un consolidado de poaxl report (hojas Resumen y Hallazgos), no "
            "el formato de una unidad — guarde el consolidado fuera de la carpeta de los formatos. [unreadable]"
            in result.output)
    assert (f"{answers / 'catalogo.xlsx'}: es un catálogo en libro de Excel (poaxl catalog export), no el formato "
            "de una unidad — valídelo con poaxl catalog check y guárdelo fuera de la carpeta de los formatos. "
            "[unreadable]" in result.output)
    assert "None" not in result.output and "· ? ·" not in result.output
    assert "8 archivo(s): 2 correcto(s), 1 con avisos, 3 con errores, 2 ilegible(s)" in result.output
    files = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(run("check", answers, "--format", "json").stdout)["files"]}
    assert files["consolidado.xlsx"]["status"] == files["catalogo.xlsx"]["status"] == "unreadable"
    assert [f["code"] for f in files["consolidado.xlsx"]["findings"]] == ["unreadable"]


def test_a_form_without_year_or_quarter_never_prints_none(tmp_path, catalog):
    path = write_book(tmp_path / "sin-fecha.xlsx", catalog, [catalog.unit("003")])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and ("FECHA" in c.value or "ANUAL 20" in c.value):
                c.value = None
    wb.save(path)
    result = run("check", path, "--quiet")
    head = result.output.splitlines()[0]
    assert head.startswith(f"{path} · 003: con errores"), head
    assert "None" not in result.output


def test_explain_shows_no_template_placeholders_to_a_reader():
    out = run("explain", "missing-observation").output
    assert "  - avance acumulado … de … programado y OBSERVACIONES vacía — explique por qué no se" in out
    for code in [line.split()[0] for line in run("explain").output.splitlines() if line.strip()]:
        assert "{" not in run("explain", code).output, code


def test_a_value_of_the_wrong_shape_says_what_shape_is_expected(tmp_path):
    """«no tiene el formato esperado» alone left an office guessing what a unit code or an id may hold."""
    import yaml as pyyaml

    from conftest import ROOT
    from poaxl.catalog import PATTERN_HINTS

    example = (ROOT / "examples" / "catalogo-ejemplo.yaml").read_text(encoding="utf-8")
    bad_unit = tmp_path / "unidad.yaml"
    bad_unit.write_text(example.replace('code: "003"  ', 'code: "../003"'), encoding="utf-8")
    result = run("units", "--catalog", bad_unit)
    assert result.exit_code == 2
    assert (f'units[0].code: «../003» no tiene el formato esperado: solo dígitos (p. ej. "003")'
            in result.output)
    bad_id = tmp_path / "id.yaml"
    bad_id.write_text(example.replace("id: ejemplo-2021-r01", "id: Ejemplo 2021"), encoding="utf-8")
    assert ("id: «Ejemplo 2021» no tiene el formato esperado: minúsculas, números, «.», «-» y «_» "
            "(p. ej. mexicali-2021)") in run("units", "--catalog", bad_id).output
    contacts = tmp_path / "contactos.csv"
    contacts.write_text('unit,to,cc\n003,"=HYPERLINK(1)",\n', encoding="utf-8")
    result = run("send", "--unit", "003", "--contacts", contacts, "--dry-run", tmp_path / "eml", "--out", tmp_path)
    assert result.exit_code == 2
    assert ("003.to[0]: «=HYPERLINK(1)» no tiene el formato esperado: una sola dirección de correo "
            "(nombre@dominio.gob.mx)") in result.output

    def patterns(node):
        if isinstance(node, dict):
            yield from ([node["pattern"]] if isinstance(node.get("pattern"), str) else [])
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    schemas = [pyyaml.safe_load((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
               for name in ("catalog", "contacts")]
    assert {p for s in schemas for p in patterns(s)} == set(PATTERN_HINTS)  # a new pattern needs its hint


def test_an_empty_folder_is_named_by_report_and_refused_by_generate_from(tmp_path):
    """report said «No se encontró ningún archivo .xlsx en: » (no folder); generate --from an empty or wrong
    folder silently wrote forms with nothing carried forward."""
    empty = tmp_path / "vacia"
    empty.mkdir()
    result = run("report", empty, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 2
    assert f"Error: No se encontró ningún archivo .xlsx, .xlsm ni .ods en: {empty}" in result.output
    assert not (tmp_path / "c.xlsx").exists()
    result = run("generate", "--all", "-q", "3", "--from", empty, "--out", tmp_path / "T3", "--quiet")
    assert result.exit_code == 2
    assert f"Error: No se encontró ningún archivo .xlsx, .xlsm ni .ods en: {empty}" in result.output
    assert not (tmp_path / "T3").exists()


def test_a_stored_number_out_of_range_is_not_quoted_as_inf(tmp_path, filled, catalog):
    """1e309 in the file reads as infinity: the message quoted «inf», which no coordinator typed."""
    import hostile
    from conftest import cell

    target = cell(catalog, "003", "3.2", "a2")
    bad = hostile.replace_value(filled("003", [["value", target, 12345]]), tmp_path / "enorme.xlsx", "12345", "1e309")
    result = run("check", bad, "--quiet")
    assert result.exit_code == 1
    assert (f"✗ 003 {target}: meta 3.2, Abr-Jun: el valor es un número fuera de rango (mayor que 10¹⁵ o infinito) — "
            "capture la cifra real del avance. [not-a-number]") in result.output
    assert "«inf»" not in result.output


def test_catalog_workbook_number_too_big_is_out_of_range_not_a_non_number(tmp_path):
    book = tmp_path / "catalogo.xlsx"
    assert run("catalog", "export", "--out", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["Metas"]["G2"] = 1e300
    wb.save(book)
    result = run("catalog", "check", book)
    assert result.exit_code == 2
    assert "catalogo.xlsx, hoja «Metas», fila 2, columna G (META ANUAL): 1e+300 está fuera de rango (máximo 1e+15)." \
        in result.output
    assert "no es un número" not in result.output


def test_hallazgos_rows_are_measured_so_no_message_prints_over_the_next(tmp_path, libreoffice):
    """The Hallazgos sheet kept the default row height: in LibreOffice's PDF each message's second line was
    drawn over the next finding. Every printed line of the last page (the Hallazgos sheet) must stand apart."""
    import re
    import subprocess

    out = tmp_path / "consolidado.xlsx"
    assert run("report", EXAMPLES, "--out", out, "--include-errors", "--quiet").exit_code == 0
    pdf = libreoffice.to_pdf(out, tmp_path)
    last = libreoffice.pdf_pages(pdf)
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", str(last), "-l", str(last), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = [(float(a), float(b), w) for a, b, w in
             re.findall(r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', bbox)]
    assert "Mensaje" in {w for _, _, w in words} and "explique" in {w for _, _, w in words}  # the Hallazgos page
    height = sorted(b - a for a, b, _ in words)[len(words) // 2]
    lines: list[float] = []
    for top in sorted(a for a, _, _ in words):
        if not lines or top - lines[-1] > 1.0:
            lines.append(top)
    gaps = [b - a for a, b in zip(lines, lines[1:])]
    assert min(gaps) >= 0.75 * height, (min(gaps), height)  # line pitch ≈ 0.86 × a word box; overlap ≈ 0.4


def test_status_checks_a_current_answer_that_did_not_come_through_collect(tmp_path):
    """Forms filed by hand in the answers folder showed «sin entregar» beside their own path in the JSON."""
    answers = tmp_path / "respuestas"
    shutil.copytree(EXAMPLES, answers)
    result = run("status", "--out", answers, "--sent", tmp_path, "--format", "json", "--quiet")
    assert result.exit_code == 0
    states = {u["unit"]: u["state"] for u in json.loads(result.stdout)["units"]}
    assert states == {"001": "correcto", "002": "con avisos", "003": "correcto", "004": "con errores",
                      "005": "con errores", "0046": "con avisos"}
    (answers / "TMM-F004_2020_T2_001.xlsx").unlink()
    states = {u["unit"]: u["state"] for u in json.loads(run("status", "--out", answers, "--format", "json").stdout)["units"]}
    assert states["001"] == "sin entregar"


def test_a_line_break_in_a_catalog_name_or_file_name_does_not_break_a_listed_line(tmp_path):
    from conftest import ROOT

    example = (ROOT / "examples" / "catalogo-ejemplo.yaml").read_text(encoding="utf-8")
    hostile_cat = tmp_path / "c.yaml"
    hostile_cat.write_text(example.replace("    name: ATENCIÓN CIUDADANA\n", '    name: "ATENCI\\e[31mON\\r\\nX"\n'),
                           encoding="utf-8")
    result = run("units", "--catalog", hostile_cat)
    assert result.exit_code == 0
    assert "       003  ATENCI\\x1b[31mON\\r\\nX  (3 metas)\n" in result.output
    odd = tmp_path / "a\nb\x1b[2J.xlsx"
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", odd)
    result = run("check", odd)
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"{tmp_path}/a\\nb\\x1b[2J.xlsx · 003 · 2020 T2: correcto"
