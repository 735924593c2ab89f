"""The Spanish of the messages people complained about (issue 12): numbers as typed, labels in Spanish,
a unit that is not in the catalog named as such."""
from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from conftest import EXAMPLES, cell
from poaxl.check import check_file
from poaxl.cli import main
from poaxl.report import report


def test_percent_typed_as_text_is_written_as_a_percent(filled, catalog):
    path = filled("005", [["value", cell(catalog, "005", "5", "a2"), "63 %"]])
    report = check_file(path, catalog)
    (finding,) = [f for f in report.findings if f.code == "number-as-text"]
    # goal 5 is planned in percentage points (META 90): «63 %» is 63 points (tests/test_percent_points.py)
    assert "«63 %» está escrito como texto; se tomó como 63 — captúrelo como número." in finding.message
    assert "0.63" not in finding.message
    assert next(v for v in report.goals if v.goal.number == "5").actuals[1] == 63


def test_thousands_are_written_without_a_separator(filled, catalog):
    path = filled("003", [["value", cell(catalog, "003", "3", "a2"), "1,367"]])
    (finding,) = [f for f in check_file(path, catalog).findings if f.code == "number-as-text"]
    assert finding.message.endswith("«1,367» está escrito como texto; se tomó como 1367 — captúrelo como número.")


def test_percent_typed_over_a_total_shows_the_percent(catalog):
    report = check_file(EXAMPLES / "TMM-F004_2020_T2_005.xlsx", catalog)
    messages = {f.code: f.message for f in report.findings if f.cell and f.cell.startswith(("M", "N"))}
    assert "AVANCE ABSOLUTO dice 0.25 (25 %) pero el promedio de los avances da 54.5" in messages["absolute-mismatch"]
    assert "ACUMULADO RELATIVO dice 25 % pero el avance acumulado entre la META ANUAL da 61 %" in \
        messages["relative-mismatch"]


def test_findings_sheet_is_in_spanish(tmp_path, catalog):
    out = tmp_path / "c.xlsx"
    report([EXAMPLES], out, catalog=catalog, include_errors=True)
    rows = list(openpyxl.load_workbook(out)["Hallazgos"].iter_rows(values_only=True))
    assert rows[0][3] == "Severidad"
    assert {r[3] for r in rows[1:]} == {"error", "aviso"}
    assert "warning" not in {r[3] for r in rows[1:]}


def test_check_unit_not_in_catalog_says_so(tmp_path):
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "TMM-F004_2020_T2_003.xlsx"), "--unit", "999"])
    assert result.exit_code == 2
    assert "La unidad «999» no existe en el catálogo mexicali-2020-r01" in result.output
    assert "001, 002, 003, 004, 005, 0046" in result.output and "se esperaba" not in result.output


def test_office_findings_are_listed_apart_in_the_text_report():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "TMM-F004_2020_T2_005.xlsx")])
    out = result.output
    heading = out.index("Para la oficina de planeación")
    assert out.index("[absolute-mismatch]") < heading < out.index("[planned-sum-mismatch]")


def test_findings_sheet_says_who_fixes_each(tmp_path, catalog):
    out = tmp_path / "c.xlsx"
    report([EXAMPLES], out, catalog=catalog, include_errors=True)
    rows = list(openpyxl.load_workbook(out)["Hallazgos"].iter_rows(values_only=True))
    fixes = {r[2]: r[4] for r in rows[1:]}
    assert rows[0][4] == "Corrige"
    assert fixes["planned-sum-mismatch"] == "oficina de planeación"
    assert fixes["missing-observation"] == "unidad (coordinador)"


def test_a_file_with_only_office_errors_is_not_called_the_units_fault():
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "TMM-F004_2020_T2_002.xlsx")])
    assert result.exit_code == 1  # the catalog must still be fixed
    assert "002 · 2020 T2: con errores de la oficina de planeación (la entrega de la unidad está bien)" in result.output
