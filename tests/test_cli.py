"""The command line: every option of generate/units, errors in Spanish with exit 2, the installed entry point."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner

from poaxl.cli import main


@pytest.fixture
def run(tmp_path):
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


def test_version_and_help(run):
    assert run("--version").output.strip().startswith("poaxl 0.")
    result = run("--help")
    assert result.exit_code == 0 and "Ejemplos" in result.output and "poaxl generate --unit 003" in result.output
    gen = run("generate", "--help")
    assert "--password" in gen.output and "poaxl generate --all" in gen.output


def test_units_lists_code_name_and_goal_count(run):
    result = run("units")
    assert result.exit_code == 0
    assert "003  ATENCIÓN CIUDADANA  (4 metas)" in result.output
    assert "0046  UNIDAD COORDINADORA DE TRANSPARENCIA  (5 metas)" in result.output


def test_generate_one_unit_by_short_code(run, tmp_path):
    result = run("generate", "--unit", "46", "--out", tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "TMM-F004_2020_T2_0046.xlsx").exists()


def test_generate_repeated_units_quarter_and_file_out(run, tmp_path):
    result = run("generate", "-u", "003", "-u", "004", "--quarter", "3", "--out", tmp_path)
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["TMM-F004_2020_T3_003.xlsx", "TMM-F004_2020_T3_004.xlsx"]
    target = tmp_path / "mio.xlsx"
    assert run("generate", "--unit", "003", "--out", target).exit_code == 0 and target.exists()
    result = run("generate", "-u", "003", "-u", "004", "--out", tmp_path / "dos.xlsx")
    assert result.exit_code == 2 and "indique una carpeta" in result.output


def test_generate_all(run, tmp_path):
    result = run("generate", "--all", "--out", tmp_path)
    assert result.exit_code == 0 and len(list(tmp_path.glob("*.xlsx"))) == 6


def test_unknown_unit_lists_valid_ones(run, tmp_path):
    result = run("generate", "--unit", "999", "--out", tmp_path)
    assert result.exit_code == 2
    assert "«999» no existe" in result.output and "001, 002, 003, 004, 005, 0046" in result.output
    assert not list(tmp_path.iterdir())


def test_no_unit_is_a_usage_error(run):
    result = run("generate")
    assert result.exit_code == 2 and "--unit" in result.output and "--all" in result.output


def test_bad_quarter_is_a_usage_error(run):
    result = run("generate", "--unit", "003", "--quarter", "5")
    assert result.exit_code == 2 and "5" in result.output


def test_never_overwrites_without_force(run, tmp_path):
    target = tmp_path / "TMM-F004_2020_T2_003.xlsx"
    target.write_bytes(b"trabajo del usuario")
    result = run("generate", "--unit", "003", "--out", tmp_path)
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_bytes() == b"trabajo del usuario"
    assert run("generate", "--unit", "003", "--out", tmp_path, "--force").exit_code == 0
    assert openpyxl.load_workbook(target)["003"]["A1"].value
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left behind


def test_password_option(run, tmp_path):
    assert run("generate", "--unit", "003", "--out", tmp_path, "--password", "clave").exit_code == 0
    ws = openpyxl.load_workbook(next(tmp_path.iterdir()))["003"]
    assert ws.protection.password


def test_catalog_option_and_lint_warnings_on_stderr(tmp_path):
    from poaxl.catalog import builtin_catalog_path

    cat = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), cat)
    result = CliRunner().invoke(main, ["generate", "--catalog", str(cat), "--unit", "002", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert "Aviso:" in result.stderr and "no suma la META ANUAL 21" in result.stderr


def installed(name="poaxl"):
    path = shutil.which(name)
    if path is None:
        pytest.skip("poaxl is not installed on PATH")
    return path


def test_installed_entry_point_runs_from_any_directory(tmp_path):
    exe = installed()
    env = {**os.environ}
    env.pop("POAXL_CATALOG", None)
    result = subprocess.run([exe, "generate", "--unit", "003"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "TMM-F004_2020_T2_003.xlsx").exists()
    bad = subprocess.run([exe, "generate", "--unit", "77"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "no existe" in bad.stderr


def test_version_does_not_import_heavy_libraries(tmp_path):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "poaxl", "--version"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "poaxl" in result.stdout
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {"openpyxl", "xlsxwriter", "jsonschema", "yaml"} & imported


def test_unwritable_output_is_a_clear_error(run, tmp_path):
    blocker = tmp_path / "archivo"
    blocker.write_text("no es carpeta")
    result = run("generate", "--unit", "003", "--out", blocker / "sub")
    assert result.exit_code == 2 and "Error:" in result.output and "Traceback" not in result.output
    assert blocker.read_text() == "no es carpeta"


def test_units_json(run):
    import json

    data = json.loads(run("units", "--format", "json").stdout)
    assert data["catalog"] == "mexicali-2020-r01" and data["units"][-1] == {
        "code": "0046", "ramo": "01", "key": "01-0046", "name": "UNIDAD COORDINADORA DE TRANSPARENCIA", "label": "UNIDAD RESPONSABLE", "goals": 5}


def test_usage_errors_are_in_spanish(run):
    result = run("generate", "--unti", "3")
    assert result.exit_code == 2 and "No existe la opción '--unti'" in result.output and "Uso: " in result.output
    result = run("generate", "--unit", "3", "--quarter", "9")
    assert result.exit_code == 2 and "no está en el rango" in result.output
    result = run("chek")
    assert result.exit_code == 2 and "¿Quiso decir 'check'?" in result.output
