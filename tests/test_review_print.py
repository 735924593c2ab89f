"""The consolidated report on paper as a new user prints it: the Resumen's list of refused files, with
their reasons, prints whole (found by the session-2 review: the reasons ran off the page, the heading
was cut in a narrow wrapped cell)."""
from __future__ import annotations

import subprocess
from collections import Counter

import openpyxl
from click.testing import CliRunner

from conftest import apply_openpyxl, on_plan_ops
from test_print import words
from poaxl.cli import main
from poaxl.generate import generate
from poaxl.layout import SUMMARY_SHEET


def refused_report(catalog, tmp_path, monkeypatch) -> tuple:
    """A report of two files: 004 filled on plan, 003 sent back blank (eight missing A values)."""
    monkeypatch.chdir(tmp_path)
    templates = generate(["003", "004"], out=tmp_path / "tpl", catalog=catalog)
    (tmp_path / "respuestas").mkdir()
    apply_openpyxl(templates[1], tmp_path / "respuestas" / templates[1].name, on_plan_ops(catalog, "004"))
    apply_openpyxl(templates[0], tmp_path / "respuestas" / templates[0].name, [])
    result = CliRunner().invoke(main, ["report", "respuestas", "--out", "consolidado.xlsx"])
    assert result.exit_code == 1, result.output
    ws = openpyxl.load_workbook(tmp_path / "consolidado.xlsx")[SUMMARY_SHEET]
    heading = next(c for row in ws.iter_rows() for c in row if c.value == "Archivos rechazados:")
    line = ws.cell(heading.row + 1, 1)
    assert line.value.startswith("respuestas/TMM-F004_2020_T2_003.xlsx: con errores — 003 F18: meta 3, Ene-Mar: "
                                 "falta el avance (A)")
    assert line.value.endswith("(0 si no hubo avance). 003 H18: meta 3, Abr-Jun: falta el avance (A) — capture el "
                               "avance real del trimestre (0 si no hubo avance). 003 F19: meta 3.1, Ene-Mar: falta el "
                               "avance (A) — capture el avance real del trimestre (0 si no hubo avance). …")
    return ws, heading, line


def test_refused_files_are_listed_across_the_table_wrapped(catalog, tmp_path, monkeypatch):
    ws, heading, line = refused_report(catalog, tmp_path, monkeypatch)
    assert not heading.alignment.wrap_text  # one line, whatever the width of column A
    assert f"{line.coordinate}:H{line.row}" in {str(r) for r in ws.merged_cells.ranges}
    assert line.alignment.wrap_text and ws.row_dimensions[line.row].height > 2 * 12


def test_refused_files_print_every_word(catalog, tmp_path, monkeypatch, libreoffice):
    ws, heading, line = refused_report(catalog, tmp_path, monkeypatch)
    pdf = libreoffice.to_pdf(tmp_path / "consolidado.xlsx", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Archivos rechazados:" in text
    missing = Counter(words(line.value)) - Counter(words(text))
    assert not missing, missing


def test_a_total_of_carried_decimals_prints_its_decimals(catalog, tmp_path):
    """generate --from: 5 and 5.5 carried print «10.5» in AVANCE ABSOLUTO (it printed «11»: #,##0)."""
    from poaxl.generate import Prefill
    from conftest import cell

    prefill = {"003": Prefill(actuals={0: [5, 5.5, None, None], 1: [150, 160, None, None]})}
    path = generate(["003"], quarter=3, out=tmp_path, catalog=catalog, prefill=prefill)[0]
    ws = openpyxl.load_workbook(path)["003"]
    assert ws[cell(catalog, "003", "3", "absolute")].number_format == "#,##0.0"
    assert ws[cell(catalog, "003", "3.1", "absolute")].number_format == "#,##0"
    assert ws[cell(catalog, "003", "3", "absolute")].font.b
