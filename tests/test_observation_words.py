"""An OBSERVACIÓN is words the coordinator wrote: a bare number (0, as a number or as text), VERDADERO or a
«-» explains nothing. Where the goal needs an explanation the checker says so (missing-observation /
unjustified-overachievement, variant «no-words»), and such a value is not carried as the goal's
observation (report, generate --from), as a formula is not."""
from __future__ import annotations

import pytest

from conftest import cell, on_plan_ops
from poaxl.check import check_file
from poaxl.generate import generate
from poaxl.report import carry_forward


def cells(catalog):
    return cell(catalog, "003", "3.2", "observations"), cell(catalog, "003", "3.2", "a2")


@pytest.mark.parametrize("op, said", [(["value", 0], "0"), (["string", "0"], "0"), (["value", 0.5], "0.5"),
                                      (["string", " - "], "-"), (["value", True], "VERDADERO")],
                         ids=["number", "number-as-text", "decimal", "dash", "boolean"])
def test_a_value_without_words_is_not_an_explanation_of_a_shortfall(filled, catalog, op, said):
    obs, a2 = cells(catalog)
    report = check_file(filled("003", [["value", a2, 0], [op[0], obs, op[1]]]), catalog)
    assert [(f.code, f.severity, f.cell) for f in report.findings] == [("missing-observation", "error", obs)]
    assert report.findings[0].message == (
        f"003 {obs}: meta 3.2, Abr-Jun: avance acumulado 15 de 30 programado y OBSERVACIONES dice solo «{said}», "
        "no una explicación — escriba con sus palabras por qué no se alcanzó la meta.")
    assert report.status == "errors"
    assert {g.goal.number: g.observation for g in report.goals}["3.2"] == ""


def test_a_number_is_not_an_explanation_of_an_overachievement(filled, catalog):
    obs, a2 = cells(catalog)
    report = check_file(filled("003", [["value", a2, 100], ["value", obs, 0]]), catalog)
    assert [(f.code, f.severity, f.cell) for f in report.findings] == [("unjustified-overachievement", "warning", obs)]
    assert report.findings[0].message.endswith(
        "y OBSERVACIONES dice solo «0», no una explicación — escriba con sus palabras por qué se superó la "
        "programación.")


def test_words_with_a_number_are_an_explanation(filled, catalog):
    obs, a2 = cells(catalog)
    report = check_file(filled("003", [["value", a2, 0], ["string", obs, "0 eventos: suspendidos por COVID"]]),
                        catalog)
    assert report.status == "ok", [f.message for f in report.findings]
    assert {g.goal.number: g.observation for g in report.goals}["3.2"] == "0 eventos: suspendidos por COVID"


def test_a_number_is_not_carried_to_the_next_quarter(filled, catalog):
    """generate --from pre-fills earlier observations: a 0 there would become «Observación del T1: 0»."""
    first, second = (cell(catalog, "003", goal, "observations") for goal in ("3.1", "3.2"))
    path = filled("003", [["value", first, 0], ["string", second, "SE CUMPLIÓ"]], quarter=1)
    assert check_file(path, catalog).status == "ok"  # on plan: nothing owed, so no finding either
    (fill,) = carry_forward([path], catalog, 2).values()
    goals = [g.number for g in catalog.unit("003").goals]
    assert fill.notes == {goals.index("3.2"): "Observación del T1: SE CUMPLIÓ"}


def test_a_number_typed_in_libreoffice(tmp_path, catalog, libreoffice):
    obs, a2 = cells(catalog)
    src = generate(["003"], out=tmp_path / "tpl", catalog=catalog)[0]
    jobs = [{"src": src, "dst": tmp_path / f"lo{ext}", "ops": on_plan_ops(catalog, "003")
             + [["value", a2, 0], ["value", obs, 0]]} for ext in (".xlsx", ".ods")]
    libreoffice.fill(jobs)
    for job in jobs:
        report = check_file(job["dst"], catalog)
        assert [(f.code, f.cell) for f in report.findings] == [("missing-observation", obs)], job["dst"]
        assert "OBSERVACIONES dice solo «0», no una explicación" in report.findings[0].message
