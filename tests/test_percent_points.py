"""A rate goal planned in percentage points (005 goal 5: META 90, P 90 every quarter): a coordinator who
types «90%» means 90, whether the spreadsheet keeps it as text or as 0.9 shown with a % format."""
from __future__ import annotations

import openpyxl

from conftest import cell
from poaxl.check import check_file
from poaxl.read import read_book


def _with(path, values: dict[str, tuple[object, str]]):
    """Set cells to (value, number format) as Excel or LibreOffice saves a typed 90%."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for ref, (value, fmt) in values.items():
        ws[ref].value = value
        ws[ref].number_format = fmt
    wb.save(path)
    return path


def test_a_percent_formatted_value_in_a_goal_planned_in_points_is_read_as_points(filled, catalog):
    a1, a2 = cell(catalog, "005", "5", "a1"), cell(catalog, "005", "5", "a2")
    path = _with(filled("005"), {a1: (0.9, "0%"), a2: (0.95, "0.0%")})
    assert read_book(path).sheets[0].rows  # readable
    report = check_file(path, catalog)
    goal5 = [f for f in report.findings if f.goal == "5"]
    assert goal5 == [], [f.message for f in goal5]  # 90 and 95 points: on plan, nothing to explain
    values = next(v for v in report.goals if v.goal.number == "5")
    assert values.actuals[:2] == [90.0, 95.0] and values.absolute == 92.5


def test_a_percent_typed_as_text_in_a_goal_planned_in_points_is_points_too(filled, catalog):
    a2 = cell(catalog, "005", "5", "a2")
    path = _with(filled("005"), {a2: ("85%", "General")})
    report = check_file(path, catalog)
    found = {(f.code, f.cell): f.message for f in report.findings if f.goal == "5"}
    assert "«85%» está escrito como texto; se tomó como 85" in found[("number-as-text", a2)]
    values = next(v for v in report.goals if v.goal.number == "5")
    assert values.actuals[1] == 85.0


def test_a_percent_in_a_goal_that_counts_stays_a_fraction(filled, catalog):
    """A count goal (sum) has no percentage points: 50% there is 0.5, as the spreadsheet holds it."""
    a2 = cell(catalog, "003", "3.2", "a2")
    path = _with(filled("003"), {a2: (0.5, "0%")})
    values = next(v for v in check_file(path, catalog).goals if v.goal.number == "3.2")
    assert values.actuals[1] == 0.5
