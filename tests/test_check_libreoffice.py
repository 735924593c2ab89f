"""The checker on forms filled by a real LibreOffice: what a coordinator really produces."""
from __future__ import annotations

import pytest

from conftest import cell, on_plan_ops, row_number
from poaxl.check import check_file
from poaxl.generate import generate


def scenarios(catalog):
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    return {
        "clean": [],
        "text_1367": [["string", c("3", "a2"), "1,367"], ["string", c("3", "observations"), "COVID"]],
        "deleted_formula": [["unprotect"], ["clear", c("3.1", "absolute")], ["protect"]],
        "typed_total": [["unprotect"], ["value", c("3.1", "absolute"), 999], ["protect"]],
        "inserted_row": [["unprotect"], ["insert_row", row_number(catalog, "003", "3.2")], ["protect"]],
        "under_no_obs": [["value", c("3.2", "a2"), 0]],
        "future": [["unprotect"], ["value", c("3.2", "a4"), 7], ["protect"]],
        "planned": [["unprotect"], ["value", c("3.2", "p1"), 20], ["protect"]],
    }


@pytest.fixture(scope="module")
def lo_forms(tmp_path_factory, catalog, libreoffice):
    tmp = tmp_path_factory.mktemp("lo-check")
    template = generate(["003"], out=tmp / "tpl", catalog=catalog)[0]
    jobs = {name: {"src": template, "dst": tmp / f"{name}.xlsx", "ops": on_plan_ops(catalog, "003") + ops}
            for name, ops in scenarios(catalog).items()}
    libreoffice.fill(list(jobs.values()))
    return {name: check_file(job["dst"], catalog) for name, job in jobs.items()}


def found(report):
    return {(f.code, f.cell) for f in report.findings}


def test_clean_fill_in_libreoffice(lo_forms):
    assert lo_forms["clean"].status == "ok", [f.message for f in lo_forms["clean"].findings]


def test_1367_typed_as_text(lo_forms, catalog):
    report = lo_forms["text_1367"]
    assert found(report) == {("number-as-text", cell(catalog, "003", "3", "a2"))}
    message = report.findings[0].message
    assert "«1,367»" in message and "se tomó como 1367 —" in message  # as typed, then the value without a separator


def test_deleted_formula(lo_forms, catalog):
    m = cell(catalog, "003", "3.1", "absolute")
    assert {("formula-replaced", m), ("absolute-mismatch", m)} <= found(lo_forms["deleted_formula"])


def test_typed_total_over_formula(lo_forms, catalog):
    m = cell(catalog, "003", "3.1", "absolute")
    assert {("formula-replaced", m), ("absolute-mismatch", m)} <= found(lo_forms["typed_total"])


def test_inserted_row(lo_forms, catalog):
    report = lo_forms["inserted_row"]
    assert any(f.code == "structure-changed" for f in report.findings)
    # the goals below the inserted row moved down, and their formulas with them: no false alarms
    assert not {f.code for f in report.findings} & {"formula-replaced", "absolute-mismatch", "missing-actual"}


def test_under_programme_without_observation(lo_forms, catalog):
    assert found(lo_forms["under_no_obs"]) == {("missing-observation", cell(catalog, "003", "3.2", "observations"))}


def test_future_entry_and_planned_change(lo_forms, catalog):
    assert ("future-entry", cell(catalog, "003", "3.2", "a4")) in found(lo_forms["future"])
    assert ("planned-changed", cell(catalog, "003", "3.2", "p1")) in found(lo_forms["planned"])
