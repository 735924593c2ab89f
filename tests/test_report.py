"""`poaxl report` consolidates a ramo; `generate --from` carries earlier quarters forward; `catalog check`."""
from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, cell
from poaxl.cli import main
from poaxl.errors import PoaxlError
from poaxl.generate import generate
from poaxl.report import carry_forward, report


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, catalog):
    out = tmp_path_factory.mktemp("rep") / "consolidado.xlsx"
    return report([EXAMPLES], out, catalog=catalog, include_errors=True), out


def test_summary_numbers_per_unit(consolidated):
    result, out = consolidated
    rows = {u.unit.code: (u.goals, u.on_programme, u.under_programme, u.with_findings, u.status)
            for u in result.units}
    assert rows == {
        # 002's only error is planned-sum-mismatch, the catalog's fault: its delivery is not "con errores"
        "001": (4, 3, 1, 0, "entregado"), "002": (4, 3, 1, 1, "entregado"), "003": (4, 2, 2, 0, "entregado"),
        "004": (6, 2, 4, 3, "con errores"), "005": (5, 4, 1, 2, "con errores"), "0046": (5, 2, 3, 1, "entregado"),
    }
    avg = {u.unit.code: u.average_relative for u in result.units}
    assert avg["001"] == pytest.approx((0 + 0.5 + 10 / 47 + 0.5) / 4)


def test_workbook_sheets_values_and_native_charts(consolidated, catalog):
    _, out = consolidated
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Resumen", "001", "002", "003", "004", "005", "0046", "Hallazgos"]
    summary = [[c.value for c in row] for row in wb["Resumen"].iter_rows(min_row=4, max_row=9)]
    assert summary[2][:3] == ["003", "ATENCIÓN CIUDADANA", 4]
    u003 = [[c.value for c in row] for row in wb["003"].iter_rows(min_row=4, max_row=7)]
    assert u003[0][1] == "3" and u003[0][5:9] == [4020, 4245, 5020, 1367]
    assert u003[0][14] == 5612 and not any(isinstance(v, str) and v.startswith("=") for r in u003 for v in r)
    findings = [[c.value for c in row] for row in wb["Hallazgos"].iter_rows(min_row=2)]
    assert len(findings) == 10 and {r[2] for r in findings} >= {"missing-observation", "goal-numbering"}
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 7  # summary + one per unit
        assert b"<c:barChart>" in z.read(charts[0])


def test_files_with_errors_are_refused_unless_included(tmp_path, catalog):
    result = CliRunner().invoke(main, ["report", str(EXAMPLES), "--out", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 1
    assert "Rechazado" in result.output and "TMM-F004_2020_T2_004.xlsx: con errores" in result.output
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert "004" not in wb.sheetnames and "003" in wb.sheetnames
    status = {r[0].value: r[7].value for r in wb["Resumen"].iter_rows(min_row=4, max_row=9)}
    assert status["004"] == "con errores (rechazado)" and status["003"] == "entregado"
    total = next(r for r in wb["Resumen"].iter_rows(min_row=4, values_only=True) if r[0] == "Ramo 01")
    assert total[7] == "6 de 6 entregados, 2 rechazado(s)"  # 004 and 005 were received, not consolidated


def test_missing_unit_is_sin_entregar_and_duplicates_refused(tmp_path, catalog):
    folder = tmp_path / "resp"
    folder.mkdir()
    for code in ("001", "003"):
        shutil.copy(EXAMPLES / f"TMM-F004_2020_T2_{code}.xlsx", folder)
    result = report([folder], tmp_path / "c.xlsx", catalog=catalog)
    status = {u.unit.code: u.status for u in result.units}
    assert status["001"] == status["003"] == "entregado" and status["004"] == "sin entregar"
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", folder / "copia-003.xlsx")
    with pytest.raises(PoaxlError, match="más de un archivo para la misma unidad"):
        report([folder], tmp_path / "d.xlsx", catalog=catalog)
    assert not (tmp_path / "d.xlsx").exists()
    cli = CliRunner().invoke(main, ["report", str(folder), "--out", str(tmp_path / "d.xlsx")])
    assert cli.exit_code == 2 and "copia-003.xlsx" in cli.output


def test_report_never_overwrites_without_force(tmp_path, catalog):
    out = tmp_path / "c.xlsx"
    out.write_bytes(b"consolidado anterior")
    with pytest.raises(PoaxlError, match="--force"):
        report([EXAMPLES], out, catalog=catalog)
    assert out.read_bytes() == b"consolidado anterior"


def test_consolidated_workbook_converts_in_libreoffice(consolidated, tmp_path, libreoffice):
    _, out = consolidated
    pdf = libreoffice.to_pdf(out, tmp_path)
    assert libreoffice.pdf_pages(pdf) >= 8  # summary, six units, findings


def test_carry_forward_from_q2_examples(tmp_path, catalog):
    warnings = []
    prefill = carry_forward([EXAMPLES], catalog, 3, warn=warnings.append)
    assert set(prefill) == {"001", "002", "003", "0046"}  # 004 and 005 have errors of their own
    assert any("004" in w for w in warnings) and any("005" in w for w in warnings)
    assert prefill["003"].actuals[0] == [4245, 1367, None, None]
    assert "Observación del T2" in prefill["003"].notes[0]


def test_q3_form_from_q2_holds_values_locked_and_libreoffice_totals(tmp_path, catalog, libreoffice):
    result = CliRunner().invoke(main, ["generate", "--all", "--quarter", "3", "--from", str(EXAMPLES),
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0 and "004" in result.stderr
    q3 = tmp_path / "TMM-F004_2020_T3_003.xlsx"
    ws = openpyxl.load_workbook(q3)["003"]
    a1, a2, a3 = (cell(catalog, "003", "3", f"a{q}") for q in (1, 2, 3))
    assert (ws[a1].value, ws[a2].value) == (4245, 1367)
    assert ws[a1].protection.locked and ws[a2].protection.locked and not ws[a3].protection.locked
    assert ws[cell(catalog, "003", "3", "observations")].comment is not None
    cached = openpyxl.load_workbook(q3, data_only=True)["003"]
    assert cached[cell(catalog, "003", "3", "absolute")].value == 5612
    filled = tmp_path / "q3-filled.xlsx"
    ops = [["value", cell(catalog, "003", g.number, "a3"), g.planned[2]] for g in catalog.unit("003").goals]
    libreoffice.fill([{"src": q3, "dst": filled, "ops": ops}])
    values = openpyxl.load_workbook(filled, data_only=True)["003"]
    assert values[cell(catalog, "003", "3", "absolute")].value == 4245 + 1367 + 6030
    assert values[cell(catalog, "003", "3.1", "absolute")].value == 173 + 226 + 60
    q3_new = generate(["004"], quarter=3, out=tmp_path / "new", catalog=catalog)[0]
    assert not openpyxl.load_workbook(q3_new)["004"][cell(catalog, "004", "4", "a1")].protection.locked


def test_catalog_check_command(tmp_path):
    result = CliRunner().invoke(main, ["catalog", "check"])
    assert result.exit_code == 0 and "válido: 6 unidad(es), 28 meta(s), 3 aviso(s)" in result.output
    assert "unidad 0046 UNIDAD COORDINADORA DE TRANSPARENCIA, meta 4.5" in result.output
    bad = tmp_path / "malo.yaml"
    bad.write_text("id: x\nunits: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "check", str(bad)])
    assert result.exit_code == 2 and "falta el campo obligatorio" in result.output


def test_report_and_send_json(tmp_path):
    import json

    result = CliRunner().invoke(main, ["report", str(EXAMPLES), "--out", str(tmp_path / "c.xlsx"), "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and len(data["refused"]) == 2  # 004 and 005; 002 only has a catalog error
    assert {u["unit"]: u["status"] for u in data["units"]}["003"] == "entregado"
    sent = CliRunner().invoke(main, ["send", "--unit", "003", "--out", str(tmp_path), "--dry-run",
                                     str(tmp_path / "eml"), "--format", "json"])
    outcome = json.loads(sent.stdout)["outcomes"][0]
    assert sent.exit_code == 0 and outcome["result"] == "dry-run" and outcome["path"].endswith(".eml")
