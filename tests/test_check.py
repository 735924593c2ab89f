"""Every rule of `poaxl check`, made to fire and shown silent, on generated-then-filled workbooks."""
from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import cell, row_number
from contract import SEVERITY
from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.check import Policy, check, check_file, parse_number
from poaxl.layout import META_SHEET


def codes(report):
    return {(f.code, f.cell) for f in report.findings}


def only_codes(report):
    return {f.code for f in report.findings}


def test_on_plan_form_is_clean(filled, catalog):
    for unit in ("001", "003", "004"):
        report = check_file(filled(unit), catalog)
        assert report.status == "ok", [f.message for f in report.findings]
        assert (report.unit, report.year, report.quarter) == (unit, 2020, 2)


@pytest.mark.parametrize("ops, code, where", [
    ([["clear", ("3.2", "a2")]], "missing-actual", ("3.2", "a2")),
    ([["value", ("3.2", "a2"), "diez"]], "not-a-number", ("3.2", "a2")),
    ([["value", ("3.2", "a2"), -1]], "negative-value", ("3.2", "a2")),
    ([["value", ("3.2", "a2"), 0]], "missing-observation", ("3.2", "observations")),
    ([["value", ("3.2", "a2"), 100]], "unjustified-overachievement", ("3.2", "observations")),
    ([["value", ("3.2", "a3"), 5]], "future-entry", ("3.2", "a3")),
    ([["value", ("3.2", "p2"), 99]], "planned-changed", ("3.2", "p2")),
    ([["value", ("3.2", "meta"), 61]], "planned-changed", ("3.2", "meta")),
    ([["value", ("3.2", "goal"), "3.2.- OTRO TEXTO"]], "structure-changed", ("3.2", "goal")),
    ([["value", ("3.2", "absolute"), 30]], "formula-replaced", ("3.2", "absolute")),
    ([["value", ("3.2", "absolute"), 31]], "absolute-mismatch", ("3.2", "absolute")),
    ([["clear", ("3.2", "absolute")]], "absolute-mismatch", ("3.2", "absolute")),
    ([["value", ("3.2", "relative"), 0.9]], "relative-mismatch", ("3.2", "relative")),
    ([["value", ("3.2", "a2"), "15"]], "number-as-text", ("3.2", "a2")),
    ([["value", ("3", "a1"), 4000]], "missing-observation", ("3", "observations")),
    ([["value", ("3.1", "a2"), "x"]], "not-a-number", ("3.1", "a2")),
])
def test_rule_fires_on_its_cell(filled, catalog, ops, code, where):
    """Each op names its cell as (goal, column key); the finding must be on that goal's cell."""
    goal = where[0]
    ops = [[op[0], cell(catalog, "003", *op[1]), *op[2:]] for op in ops]
    report = check_file(filled("003", ops), catalog)
    assert (code, cell(catalog, "003", *where)) in codes(report), [f.message for f in report.findings]
    finding = next(f for f in report.findings if f.code == code)
    assert finding.severity == SEVERITY[code] and finding.goal == goal and finding.sheet == "003"
    assert finding.message.startswith(f"003 {finding.cell}: meta {goal}")
    expected_status = "errors" if any(f.severity == "error" for f in report.findings) else "warnings"
    assert report.status == expected_status


def test_number_typed_as_text_counts_as_its_value(filled, catalog):
    report = check_file(filled("003", [["value", cell(catalog, "003", "3", "a2"), "5,020"]]), catalog)
    assert only_codes(report) == {"number-as-text"} and report.status == "warnings"


def test_formula_replaced_by_right_value_is_only_a_warning(filled, catalog):
    report = check_file(filled("003", [["value", cell(catalog, "003", "3.2", "absolute"), 30],
                                       ["value", cell(catalog, "003", "3.2", "relative"), "50%"]]), catalog)
    assert only_codes(report) == {"formula-replaced"} and report.status == "warnings"


@pytest.mark.parametrize("typed", [0.5, 50, "50%", "50 %"])
def test_relative_accepts_percent_spellings(filled, catalog, typed):
    report = check_file(filled("003", [["value", cell(catalog, "003", "3.2", "relative"), typed]]), catalog)
    assert "relative-mismatch" not in only_codes(report)


def test_observation_silences_under_and_over_rules(filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    a2 = cell(catalog, "003", "3.2", "a2")
    assert check_file(filled("003", [["value", a2, 0], ["value", obs, "COVID"]]), catalog).status == "ok"
    assert check_file(filled("003", [["value", a2, 100], ["value", obs, "APOYOS"]]), catalog).status == "ok"


def test_overachievement_threshold_is_policy(filled, catalog):
    path = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 40]])  # 55 of 30 = 183 %
    assert "unjustified-overachievement" in only_codes(check_file(path, catalog))
    assert check_file(path, catalog, policy=Policy(over_ratio=2.0)).status == "ok"


def test_rate_goal_uses_average(filled, catalog):
    a = lambda q: cell(catalog, "005", "5", f"a{q}")  # noqa: E731
    report = check_file(filled("005", [["value", a(1), 95], ["value", a(2), 88]]), catalog)
    assert "missing-observation" not in only_codes(report)  # average 91.5 >= 90
    report = check_file(filled("005", [["value", a(1), 46], ["value", a(2), 63]]), catalog)
    assert ("missing-observation", cell(catalog, "005", "5", "observations")) in codes(report)


def test_planned_sum_mismatch_on_002_only(filled, catalog):
    assert ("planned-sum-mismatch", cell(catalog, "002", "6", "meta")) in codes(check_file(filled("002"), catalog))
    assert "planned-sum-mismatch" not in only_codes(check_file(filled("003"), catalog))


def test_goal_numbering_on_0046(filled, catalog):
    report = check_file(filled("0046"), catalog)
    assert codes(report) == {("goal-numbering", cell(catalog, "0046", "4.5", "goal"))}


def test_inserted_and_deleted_rows_are_structure_changes(filled, catalog):
    inserted = check_file(filled("003", [["insert_row", row_number(catalog, "003", "3.2")]]), catalog)
    assert "structure-changed" in only_codes(inserted)
    deleted = check_file(filled("003", [["delete_row", row_number(catalog, "003", "3.2")]]), catalog)
    assert any(f.code == "structure-changed" and f.goal == "3.2" for f in deleted.findings)


def test_unit_and_period_mismatch(filled, catalog):
    path = filled("003")
    assert "unit-mismatch" in only_codes(check_file(path, catalog, unit="004"))
    assert "unit-mismatch" not in only_codes(check_file(path, catalog, unit="3"))
    assert "wrong-period" in only_codes(check_file(path, catalog, quarter=3))
    assert "wrong-period" not in only_codes(check_file(path, catalog, quarter=2))


def test_unknown_unit_and_other_year(tmp_path, filled, catalog):
    path = filled("003")
    cat = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), cat)
    (cat / "units" / "003.yaml").unlink()
    assert "unknown-unit" in only_codes(check_file(path, load_catalog(cat)))
    head = yaml.safe_load((cat / "catalog.yaml").read_text(encoding="utf-8"))
    head.update(year=2021, id="mexicali-2021-r01")
    (cat / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    assert "wrong-period" in only_codes(check_file(path, load_catalog(cat)))


def changed_catalog(tmp_path, old: str, new: str):
    cat = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), cat)
    unit = cat / "units" / "003.yaml"
    text = unit.read_text(encoding="utf-8")
    assert old in text
    unit.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_catalog(cat)


def edited_catalog(tmp_path, edit):
    """A copy of the built-in catalog whose unit 003 (parsed YAML) ``edit`` changed in place."""
    cat = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), cat)
    unit = cat / "units" / "003.yaml"
    data = yaml.safe_load(unit.read_text(encoding="utf-8"))
    edit(data)
    unit.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalog(cat)


def test_form_from_an_older_catalog_says_regenerate_never_restore(tmp_path, filled, catalog):
    """The office corrected its catalog after sending the form: the form is out of date, not tampered with."""
    report = check_file(filled("003"), changed_catalog(tmp_path, "meta: 60", "meta: 61"))
    assert only_codes(report) == {"catalog-changed"} and report.status == "warnings"
    (finding,) = report.findings
    assert finding.severity == "warning" and "versión anterior del catálogo" in finding.message
    assert "metas 3.2" in finding.message and "genere de nuevo el formato" in finding.message
    assert "restaure" not in finding.message
    assert report.delivery_errors == []


def test_goal_added_to_the_catalog_is_not_a_deleted_row(tmp_path, filled, catalog):
    path = filled("003")
    cat = edited_catalog(tmp_path, lambda data: data["goals"].append(
        {"la": data["goals"][-1]["la"], "number": "3.99", "text": "NUEVA", "measure": "X", "meta": 4,
         "planned": [1, 1, 1, 1]}))
    report = check_file(path, cat)
    assert "structure-changed" not in only_codes(report) and "missing-actual" not in only_codes(report)
    assert "metas nuevas: 3.99" in next(f.message for f in report.findings if f.code == "catalog-changed")


def test_plan_edited_in_the_file_of_the_same_catalog_is_planned_changed(filled, catalog):
    report = check_file(filled("003", [["value", cell(catalog, "003", "3.2", "meta"), 61]]), catalog)
    assert only_codes(report) == {"planned-changed"}
    assert "restaure el valor" in report.findings[0].message and "catálogo dice 60" in report.findings[0].message


def test_old_form_edited_too_is_held_to_the_current_catalog(tmp_path, filled, catalog):
    """Out of date and edited (or its fingerprint forged): which cell was edited cannot be told, so every
    planned value that differs from the current catalog is an error that asks for the new form."""
    path = filled("003", [["value", cell(catalog, "003", "3.1", "p1"), 999]])
    report = check_file(path, changed_catalog(tmp_path, "meta: 60", "meta: 61"))
    assert any(f.code == "catalog-changed" and "ya no son los que se enviaron" in f.message for f in report.findings)
    changed = {f.cell: f for f in report.findings if f.code == "planned-changed"}
    assert set(changed) == {cell(catalog, "003", "3.1", "p1"), cell(catalog, "003", "3.2", "meta")}
    assert all("pida a la oficina de planeación el formato nuevo" in f.message and "restaure" not in f.message
               for f in changed.values())
    assert report.status == "errors" and report.delivery_errors


def test_forged_fingerprint_does_not_hide_an_edited_plan(tmp_path, filled, catalog):
    import hostile

    path = filled("003", [["value", cell(catalog, "003", "3.1", "p1"), 999]])
    hostile.edit_meta(path, path, "fingerprint", "0123456789abcdef")
    report = check_file(path, catalog)
    assert ("planned-changed", cell(catalog, "003", "3.1", "p1")) in codes(report)


def test_form_without_metadata_gets_internal_checks_only(filled, catalog):
    path = filled("003", [["delete_sheet", META_SHEET], ["value", cell(catalog, "003", "3.2", "a2"), 0]])
    report = check_file(path, catalog)
    assert report.unit == "003" and report.quarter == 2 and report.year == 2020  # from the header
    assert {"no-metadata", "missing-observation"} <= only_codes(report)
    assert "planned-changed" not in only_codes(report)


def test_hand_made_form_with_typed_totals_is_checked_without_flooding(filled, catalog):
    """A legacy form (no metadata) types its totals: their values are checked, and no-metadata says once
    that they were typed, instead of formula-replaced on every row."""
    unit = catalog.unit("003")
    ops = [["delete_sheet", META_SHEET]]
    for g in unit.goals:
        absolute = g.planned[0] + g.planned[1]
        ops += [["value", cell(catalog, "003", g.number, "absolute"), absolute if g.number != "3.1" else 1],
                ["value", cell(catalog, "003", g.number, "relative"), absolute / g.meta]]
    report = check_file(filled("003", ops), catalog)
    assert "formula-replaced" not in only_codes(report)
    assert ("absolute-mismatch", cell(catalog, "003", "3.1", "absolute")) in codes(report)
    (note,) = [f for f in report.findings if f.code == "no-metadata"]
    assert "escritos a mano" in note.message and note.severity == "warning"


def test_parse_number():
    assert parse_number("1,367") == (1367, "text-number")
    assert parse_number(" 12 ") == (12, "text-number")
    assert parse_number("28%") == (0.28, "percent")
    assert parse_number(0.28) == (0.28, "number")
    assert parse_number("doce") == (None, "text")
    assert parse_number("   ") == (None, "empty")


def test_batch_keeps_order_and_jobs_give_same_result(tmp_path, filled, catalog):
    paths = [filled("003"), filled("004", [["value", cell(catalog, "004", "4.2", "a2"), 0]]), filled("002")]
    one = check(paths, catalog=catalog)
    two = check(paths, catalog=catalog, jobs=2)
    assert [r.to_dict() for r in one] == [r.to_dict() for r in two]
    assert [r.status for r in one] == ["ok", "errors", "errors"]


def test_reordered_rows_are_a_structure_change(tmp_path, filled, catalog):
    import openpyxl

    from poaxl.layout import COLUMNS

    path = filled("003")
    wb = openpyxl.load_workbook(path)
    ws = wb["003"]
    r1, r2 = row_number(catalog, "003", "3.1"), row_number(catalog, "003", "3.2")
    for col in range(1, len(COLUMNS) + 1):
        a, b = ws.cell(r1, col), ws.cell(r2, col)
        a.value, b.value = b.value, a.value
    wb.save(path)
    report = check_file(path, catalog)
    assert any(f.code == "structure-changed" and "otro orden" in f.message for f in report.findings)


def test_header_unit_code_disagreeing_with_metadata(filled, catalog):
    import openpyxl

    from poaxl.layout import COL, SheetLayout

    path = filled("003")
    wb = openpyxl.load_workbook(path)
    row = SheetLayout.for_unit(catalog.unit("003")).unit_row
    wb["003"].cell(row + 1, COL["measure"] + 1).value = "004"
    wb.save(path)
    assert "unit-mismatch" in only_codes(check_file(path, catalog))


def test_renamed_sheet_and_xlsm_copy(tmp_path, filled, catalog):
    import openpyxl

    from poaxl.check import annotate

    path = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 0]])
    wb = openpyxl.load_workbook(path)
    wb["003"].title = "Mi unidad"
    xlsm = tmp_path / "renombrado.xlsm"
    wb.save(xlsm)
    report = check([xlsm], catalog=catalog)[0]
    assert report.path.endswith(".xlsm") and report.unit == "003"
    assert only_codes(report) == {"missing-observation"}
    copy = annotate(report, tmp_path / "anotados")
    assert copy.name == "renombrado.revisado.xlsx" and openpyxl.load_workbook(copy)["Mi unidad"]


def test_aggregation_changed_in_the_catalog_is_not_an_edit(tmp_path, filled, catalog):
    """The office made 003 goal 3.1 a rate goal after sending: the form's own formula tells what it was sent with."""
    path = filled("003")
    cat = edited_catalog(tmp_path, lambda data: next(g for g in data["goals"] if g["number"] == "3.1").update(
        aggregation="average"))
    (finding,) = [f for f in check_file(path, cat).findings if f.code == "catalog-changed"]
    assert "cambiaron las metas 3.1" in finding.message and "ya no son los que se enviaron" not in finding.message


def test_a_form_with_the_metadata_of_earlier_versions_is_read_the_same(tmp_path, filled, catalog):
    """Forms generated before the metadata was one cell keep it as key/value rows (A: key, B: value)."""
    import hostile
    import openpyxl

    new = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), 0]])
    wb = openpyxl.load_workbook(new)
    meta = hostile.meta_of(wb)
    ws = wb[META_SHEET]
    ws["A1"] = None
    for row, (key, value) in enumerate(meta.items(), start=1):
        ws.cell(row, 1, key).data_type = "s"
        ws.cell(row, 2, value).data_type = "s"
    wb.save(tmp_path / "antiguo.xlsx")
    old, current = check_file(tmp_path / "antiguo.xlsx", catalog), check_file(new, catalog)
    assert old.unit == "003" and old.quarter == 2 and old.status == "errors"
    assert "missing-observation" in only_codes(old) and "no-metadata" not in only_codes(old)
    assert [f.message for f in old.findings] == [f.message for f in current.findings]
