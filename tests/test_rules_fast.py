"""The checker's shortcuts decide as its general rules do, at the boundaries where a shortcut could
differ: booleans and marked percentages among numbers, numbers out of range, labels typed in another case
or padded with spaces, planned values that equal the catalog's but are not numbers."""
from __future__ import annotations

from conftest import cell
from poaxl.cellvalues import Percent
from poaxl.check import check_file, parse_number
from poaxl.layout import SIGNATURES, SheetLayout, ref


def test_parse_number_takes_plain_numbers_as_they_are_and_nothing_else():
    assert parse_number(5) == (5.0, "number") and type(parse_number(5)[0]) is float
    assert parse_number(10**15) == (1e15, "number")
    assert parse_number(-1e15) == (-1e15, "number")
    assert parse_number(10**15 + 1) == (None, "text")
    assert parse_number(float("nan")) == (None, "text")
    assert parse_number(float("inf")) == (None, "text")
    assert parse_number(True) == (None, "text")
    assert parse_number(Percent(0.5)) == (0.5, "number") and type(parse_number(Percent(0.5))[0]) is float


def test_a_boolean_planned_value_is_not_the_number_it_equals(filled, catalog):
    """001 goal 2 plans P3 = 1; TRUE equals 1 in Python, but it is no number on the form."""
    p3 = cell(catalog, "001", "2", "p3")
    report = check_file(filled("001", [["value", p3, True]]), catalog)
    planned = [f for f in report.findings if f.code == "planned-changed"]
    assert [(f.cell, f.goal, f.quarter) for f in planned] == [(p3, "2", 3)]
    assert "«VERDADERO»" in planned[0].message and report.status == "errors"


def test_labels_in_another_case_or_padded_are_still_the_table_and_the_signatures(filled, catalog):
    layout = SheetLayout.for_unit(catalog.unit("003"))
    signatures = [["value", ref(layout.signature, first), f"   {label.capitalize()}   "]
                  for _, label, first, _ in SIGNATURES]
    report = check_file(filled("003", [["value", ref(layout.header, "la"), "  l/a  "], *signatures]), catalog)
    assert report.status == "ok", [f.message for f in report.findings]


def test_a_long_text_that_starts_with_a_signature_label_is_no_signature(filled, catalog):
    observation = cell(catalog, "003", "3.1", "observations")
    report = check_file(filled("003", [["value", observation, "ELABORÓ EL INFORME LA DIRECCIÓN"]]), catalog)
    assert report.status == "ok", [f.message for f in report.findings]
    assert [g.goal.number for g in report.goals] == ["3", "3.1", "3.2", "3.3"]
