"""A formula in OBSERVACIONES (=A1, =B16...) is not an explanation the coordinator wrote: where the goal
needs one, the checker says so (missing-observation / unjustified-overachievement, variant «formula»)."""
from __future__ import annotations

from conftest import cell, on_plan_ops
from poaxl.check import check_file
from poaxl.generate import generate


def test_formula_is_not_an_explanation_of_a_shortfall(filled, catalog):
    obs, a2 = cell(catalog, "003", "3.2", "observations"), cell(catalog, "003", "3.2", "a2")
    report = check_file(filled("003", [["value", a2, 0], ["value", obs, "=A1"]]), catalog)
    assert [(f.code, f.severity, f.cell) for f in report.findings] == [("missing-observation", "error", obs)]
    assert report.findings[0].message == (
        f"003 {obs}: meta 3.2, Abr-Jun: avance acumulado 15 de 30 programado y OBSERVACIONES tiene una fórmula "
        "(«=A1»), no una explicación — escriba con sus palabras por qué no se alcanzó la meta.")
    assert report.status == "errors"


def test_formula_is_not_an_explanation_of_an_overachievement(filled, catalog):
    obs, a2 = cell(catalog, "003", "3.2", "observations"), cell(catalog, "003", "3.2", "a2")
    report = check_file(filled("003", [["value", a2, 100], ["value", obs, '=CONCATENATE("SE ","CUMPLIÓ")']]),
                        catalog)
    assert [(f.code, f.severity, f.cell) for f in report.findings] == [("unjustified-overachievement", "warning", obs)]
    assert "OBSERVACIONES tiene una fórmula («=CONCATENATE(\"SE \",\"CUMPLIÓ\")»), no una explicación — " \
           "escriba con sus palabras por qué se superó la programación." in report.findings[0].message


def test_formula_where_nothing_is_owed_is_not_carried_as_an_observation(filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    report = check_file(filled("003", [["value", obs, "=B16"]]), catalog)
    assert report.status == "ok", [f.message for f in report.findings]
    assert {g.goal.number: g.observation for g in report.goals}["3.2"] == ""  # not «=B16» in reports, generate --from


def test_typed_text_starting_with_equals_is_still_an_explanation(filled, catalog):
    """A text (not a formula) is what the coordinator wrote, whatever its first character."""
    obs, a2 = cell(catalog, "003", "3.2", "observations"), cell(catalog, "003", "3.2", "a2")
    path = filled("003", [["value", a2, 0], ["string", obs, "= meta suspendida por COVID"]])
    report = check_file(path, catalog)
    assert report.status == "ok", [f.message for f in report.findings]
    assert {g.goal.number: g.observation for g in report.goals}["3.2"] == "= meta suspendida por COVID"


def test_formula_typed_in_libreoffice(tmp_path, catalog, libreoffice):
    obs, a2 = cell(catalog, "003", "3.2", "observations"), cell(catalog, "003", "3.2", "a2")
    src = generate(["003"], out=tmp_path / "tpl", catalog=catalog)[0]
    jobs = [{"src": src, "dst": tmp_path / f"lo{ext}", "ops": on_plan_ops(catalog, "003")
             + [["value", a2, 0], ["formula", obs, "=A1"]]} for ext in (".xlsx", ".ods")]
    libreoffice.fill(jobs)
    for job in jobs:
        report = check_file(job["dst"], catalog)
        assert [(f.code, f.cell) for f in report.findings] == [("missing-observation", obs)], job["dst"]
        assert "OBSERVACIONES tiene una fórmula («=A1»), no una explicación" in report.findings[0].message
