"""Hand-made forms (no poaxl metadata) as offices keep them (tests/handmade.py): a margin column, a
one-row table header, numbers typed as text. Their typed totals are checked, every goal is found, and
each finding names the real cell."""
from __future__ import annotations

import openpyxl
import pytest

from handmade import Style, write_book
from poaxl.check import check_file
from poaxl.layout import COL, letter


@pytest.mark.parametrize("style", [Style(), Style(header_rows=1), Style(margin=1),
                                   Style(margin=3, header_rows=1, numbers_as_text=True)],
                         ids=["plain", "one-header-row", "margin", "margin3-text"])
def test_hand_made_form(tmp_path, catalog, style):
    path = write_book(tmp_path / "hecho-a-mano.xlsx", catalog, [catalog.unit("003")], styles=[style])
    report = check_file(path, catalog)
    assert (report.unit, report.year, report.quarter) == ("003", 2020, 2)
    assert [g.goal.number for g in report.goals] == ["3", "3.1", "3.2", "3.3"]  # no goal lost to the header
    codes = [f.code for f in report.findings]
    assert "formula-replaced" not in codes and "goal-numbering" not in codes
    assert codes.count("no-metadata") == 1
    # handmade types ACUMULADO RELATIVO "50%" on every row: wrong except where it happens to be right
    relative = [f for f in report.findings if f.code == "relative-mismatch"]
    column = letter(COL["relative"] + style.margin)
    assert relative and all(f.cell.startswith(column) for f in relative)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert all(ws[f.cell].value == "50%" for f in relative)


def test_generated_form_with_a_column_inserted_is_a_structure_change(tmp_path, filled, catalog):
    path = filled("003")
    wb = openpyxl.load_workbook(path)
    wb["003"].insert_cols(1)
    wb.save(path)
    report = check_file(path, catalog)
    assert any(f.code == "structure-changed" and "columna B" in f.message for f in report.findings)
