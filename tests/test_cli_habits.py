"""A new user's first day: help, Spanish everywhere (click's own words too), warnings once and
quiet on request, pipes, clear usage errors, file modes that respect the umask."""
from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT, cell
from poaxl import click_es
from poaxl.catalog import builtin_catalog_path
from poaxl.check import annotate, check
from poaxl.cli import BROKEN_PIPE_EXIT, main
from poaxl.generate import generate
from poaxl.report import carry_forward, report

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "[OPTIONS]",
           "COMMAND [ARGS]", " TEXT ", " INTEGER", " FLOAT", "does not exist", "Missing argument", "Error: Got")


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="poaxl", **kwargs)


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Aviso:")]


# --------------------------------------------------------------------------- help and click's words

def test_no_arguments_prints_the_help_and_exits_0():
    for args in ([], ["catalog"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Uso: poaxl") and "Comandos:" in result.stdout and "Error" not in result.output


@pytest.mark.parametrize("command", [[], ["units"], ["generate"], ["check"], ["send"], ["report"], ["catalog"],
                                     ["catalog", "check"]])
def test_help_is_spanish_and_summaries_are_whole(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Uso: poaxl" in result.output and "Opciones:" in result.output
    assert "Muestra esta ayuda y termina." in result.output
    for english in ENGLISH:
        assert english not in result.output, english
    listed = result.output.split("Comandos:")[1].splitlines() if "Comandos:" in result.output else []
    for line in listed:
        assert not line.rstrip().endswith("..."), f"summary cut mid-phrase: {line!r}"


def test_click_usage_errors_are_spanish():
    result = run("send", "--config", "/no/existe.yaml", "--unit", "003")
    assert result.exit_code == 2 and "No existe '/no/existe.yaml'" in result.output
    result = run("check")
    assert result.exit_code == 2 and "Falta el argumento 'ARCHIVOS...'" in result.output
    result = run("generate", "--unit", "003", "--quarter", "9")
    assert result.exit_code == 2 and "9 no está en el rango 1<=x<=4" in result.output
    result = run("genrate")
    assert result.exit_code == 2 and "No existe el comando 'genrate'" in result.output
    assert "¿Quiso decir 'generate'?" in result.output
    assert run("--version").output == "poaxl " + __import__("poaxl").__version__ + "\n"
    for english in ENGLISH:
        assert english not in result.output


# click messages a user of a finished program can meet; the others are errors of the program's author
DEVELOPER_ONLY = {"Name '{name}' defined twice", "Could not determine name for option with declarations {decls!r}",
                  "Arguments take exactly one parameter declaration, got {length}: {decls}.",
                  "Boolean option {decl!r} cannot use the same flag for true/false.", "Unknown color {colour!r}",
                  "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
                  "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
                  "Choice({choices})", "{value!r} is not a valid UUID."}


def test_every_click_message_has_a_spanish_translation():
    """A new click version that adds a message fails here instead of printing English."""
    folder = Path(click.__file__).parent
    ids = set()
    for name in click_es.CLICK_MODULES:
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                ids |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    untranslated = {i for i in ids - DEVELOPER_ONLY
                    if i.startswith("No options defined") is False and click_es.gettext(i) == i and i != "Error: {message}"}
    assert not untranslated


# --------------------------------------------------------------------------- catalog warnings

def test_catalog_warnings_once_naming_unit_and_goal_and_quiet(tmp_path):
    result = run("generate", "--unit", "002", "--unit", "2", "--quarter", "1", "--out", tmp_path)
    assert result.exit_code == 0
    assert warnings_of(result) == ["Aviso: unidad 002 COORDINACIÓN DE DIRECTORES, meta 6: lo programado "
                                   "(7+7+7+7 = 28) no suma la META ANUAL 21"]
    result = run("generate", "--all", "--quarter", "1", "--out", tmp_path / "todas")
    assert len(warnings_of(result)) == 3 == len(set(warnings_of(result)))
    assert "templates" not in result.output and ".yaml" not in result.output  # a pip user has no such file
    assert warnings_of(run("generate", "--all", "--quiet", "--out", tmp_path / "q")) == []
    assert warnings_of(run("check", EXAMPLES / "TMM-F004_2020_T2_003.xlsx")) == []  # findings say it per file
    assert warnings_of(run("units", "--quiet")) == [] and len(warnings_of(run("units"))) == 3


def test_own_catalog_warnings_name_the_file_to_correct(tmp_path):
    shutil.copytree(builtin_catalog_path(), tmp_path / "micat")
    result = run("generate", "--unit", "005", "-q", "1", "--out", tmp_path, "--catalog", tmp_path / "micat")
    assert warnings_of(result) == ["Aviso: unidad 005 COORDINACIÓN ADMINISTRATIVA, meta 5.2: lo programado "
                                   "(0+0+1+0 = 1) no suma la META ANUAL 4 (en micat/units/005.yaml)"]


# --------------------------------------------------------------------------- pipes and usage errors

def test_output_into_a_closed_pipe_stops_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` that has already gone: every write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "poaxl", "check", str(EXAMPLES)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write_end)
    assert proc.returncode == BROKEN_PIPE_EXIT == 141
    assert proc.stderr == ""  # no "Broken pipe", no traceback, no "Exception ignored"


def test_folder_with_only_annotated_copies_says_so(tmp_path):
    copy = annotate(check([EXAMPLES / "TMM-F004_2020_T2_004.xlsx"])[0], tmp_path)
    assert copy is not None
    result = run("check", tmp_path)
    assert result.exit_code == 2
    assert "solo hay copias anotadas por --annotate (1, *.revisado.xlsx)" in result.output


def test_out_that_is_another_kind_of_file_and_unit_with_all(tmp_path):
    result = run("generate", "--unit", "003", "--out", tmp_path / "formato.xls")
    assert result.exit_code == 2 and "los formatos se escriben como .xlsx" in result.output
    assert not (tmp_path / "formato.xls").exists()
    result = run("generate", "--unit", "003", "--all", "--out", tmp_path)
    assert result.exit_code == 2 and "Indique --unit o --all, no ambos" in result.output
    assert warnings_of(result) == [] and not list(tmp_path.iterdir())
    result = run("send", "--unit", "003", "--all", "--dry-run", tmp_path / "eml")
    assert result.exit_code == 2 and "no ambos" in result.output


def test_send_dry_run_lists_the_forms_it_generated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # send writes the forms into the current folder by default
    first = run("send", "--unit", "003", "--dry-run", "correos")
    assert first.exit_code == 0, first.output
    assert "Formato generado: TMM-F004_2020_T2_003.xlsx" in first.output
    assert (tmp_path / "TMM-F004_2020_T2_003.xlsx").is_file()
    again = run("send", "--unit", "003", "--dry-run", "correos")
    assert again.exit_code == 0 and "Formato generado" not in again.output


# --------------------------------------------------------------------------- quarters carried forward

def test_later_quarter_without_from_warns_that_earlier_quarters_start_empty(tmp_path):
    result = run("generate", "--unit", "003", "--quarter", "3", "--out", tmp_path)
    assert warnings_of(result) == ["Aviso: el T3 se genera sin --from: los avances de T1, T2 quedan vacíos "
                                   "para que el coordinador los capture; para copiarlos de los formatos ya "
                                   "aceptados use --from CARPETA_DEL_T2."]
    assert warnings_of(run("generate", "--unit", "003", "--quarter", "1", "--out", tmp_path / "t1")) == []


def test_fourth_quarter_keeps_every_earlier_observation_labelled(tmp_path, filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    files = [filled("003", [["value", obs, f"EXPLICACIÓN DEL TRIMESTRE {q}"]], quarter=q) for q in (1, 2, 3)]
    prefill = carry_forward(files, catalog, 4)
    index = [g.number for g in catalog.unit("003").goals].index("3.2")
    assert prefill["003"].notes[index] == ("Observación del T1: EXPLICACIÓN DEL TRIMESTRE 1\n"
                                           "Observación del T2: EXPLICACIÓN DEL TRIMESTRE 2\n"
                                           "Observación del T3: EXPLICACIÓN DEL TRIMESTRE 3")
    result = run("generate", "--unit", "003", "--quarter", "4", "--out", tmp_path / "t4",
                 *[a for f in files for a in ("--from", f)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "t4" / "TMM-F004_2020_T4_003.xlsx").worksheets[0]
    note = ws[obs].comment.text
    assert "Observación del T1: EXPLICACIÓN DEL TRIMESTRE 1" in note and "Observación del T3:" in note


# --------------------------------------------------------------------------- the report's summary

def test_summary_has_a_ramo_total_and_a_whole_count_axis(tmp_path, catalog):
    out = tmp_path / "c.xlsx"
    report([EXAMPLES], out, catalog=catalog, include_errors=True)
    rows = list(openpyxl.load_workbook(out)["Resumen"].iter_rows(min_row=4, values_only=True))
    total = next(r for r in rows if r[0] == "Ramo 01")
    assert total[1:6] == ("TOTAL PRESIDENCIA", 28, 16, 12, 7) and total[7] == "6 de 6 entregados"
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert '<c:majorUnit val="1"/>' in chart and '<c:min val="0"/>' in chart


# --------------------------------------------------------------------------- file modes

@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, catalog, mask, mode):
    old = os.umask(mask)
    try:
        form = generate(["003"], out=tmp_path / "f", catalog=catalog)[0]
        consolidated = tmp_path / "c.xlsx"
        report([EXAMPLES], consolidated, catalog=catalog, include_errors=True)
        copy = annotate(check([EXAMPLES / "TMM-F004_2020_T2_004.xlsx"], catalog=catalog)[0], tmp_path / "rev")
        sent = run("send", "--unit", "003", "--out", tmp_path / "f", "--dry-run", tmp_path / "eml")
        assert sent.exit_code == 0, sent.output
        eml = tmp_path / "eml" / "TMM-F004_2020_T2_003.eml"
    finally:
        os.umask(old)
    for path in (form, consolidated, copy, eml):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


# --------------------------------------------------------------------------- catalog errors

def test_missing_fields_one_line_each_with_the_expected_shape(tmp_path):
    bad = tmp_path / "catalogo.yaml"
    bad.write_text(yaml.safe_dump({"id": "x", "year": 2020, "units": [{"code": "1", "name": "A"}]}),
                   encoding="utf-8")
    result = run("units", "--catalog", bad)
    assert result.exit_code == 2
    lines = result.stderr.replace("Error: ", "").splitlines()
    assert len(lines) == len(set(lines))
    missing = sorted(line.split("«")[1].split("»")[0] for line in lines if "falta el campo" in line)
    assert missing == sorted(["ayuntamiento", "quarter", "form_code", "ramo", "label", "programa", "finalidad",
                              "funcion", "subfuncion", "lineas", "goals", "signatures"])
    assert f'{bad} (línea 3): units[0]: falta el campo obligatorio «funcion»; p. ej. funcion: {{code: "3", ' in result.stderr
    assert "signatures: {elaboro: {cargo, name}, reviso: {cargo, name}, autorizo: {cargo, name}}" in result.stderr


@pytest.mark.parametrize("text, where, what", [
    ("id: x\nname: UNIDAD: UNO\n", "línea 2, columna 13", "hay un «:» donde no se esperaba"),
    ("id: x\nname: \"sin cerrar\n", "línea 3, columna 1", "el archivo termina antes de cerrar unas comillas"),
    ("id: x\n\tyear: 2020\n", "línea 2, columna 1", "hay un tabulador en la sangría: use espacios"),
])
def test_yaml_syntax_errors_in_spanish_with_line_and_column(tmp_path, text, where, what):
    bad = tmp_path / "catalogo.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run("units", "--catalog", bad)
    assert result.exit_code == 2
    assert f"{bad}: YAML inválido ({where}): {what}" in result.output
