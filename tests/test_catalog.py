"""The built-in catalog validates; broken catalogs give Spanish messages and exit 2; lint warnings."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from poaxl.catalog import builtin_catalog_path, lint_unit, load_catalog
from poaxl.cli import main
from poaxl.errors import CatalogError


def test_builtin_catalog_has_the_six_units_of_the_seed(catalog):
    assert [u.code for u in catalog.units] == ["001", "002", "003", "004", "005", "0046"]
    assert catalog.year == 2020 and catalog.quarter == 2
    u003 = catalog.unit("003")
    assert u003.label == "UNIDAD RESPONSABLE" and catalog.unit("001").label == "UNIDAD EJECUTORA"
    assert u003.goals[0].meta == 20100 and u003.goals[0].planned == (4020, 5020, 6030, 5030)
    assert catalog.unit("005").goals[0].aggregation == "average"
    assert catalog.unit("46").code == "0046"


def test_lint_flags_the_seed_planning_errors(catalog):
    found = {(u.code, l.goal.number, l.code) for u in catalog.units for l in lint_unit(u)}
    assert found == {("002", "6", "planned-sum-mismatch"), ("005", "5.2", "planned-sum-mismatch"),
                     ("0046", "4.5", "goal-numbering")}
    assert any("0046" in w and "4.5" in w for w in catalog.warnings)


def test_rate_goal_does_not_need_p_to_add_up(catalog):
    rate = catalog.unit("005").goals[0]
    assert sum(rate.planned) != rate.meta
    assert not [l for l in lint_unit(catalog.unit("005")) if l.goal is rate]


def copy_catalog(tmp_path: Path) -> Path:
    dst = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), dst)
    return dst


def edit_unit(cat: Path, code: str, change) -> Path:
    path = cat / "units" / f"{code}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, expected", [
    (lambda u: u["goals"][0].pop("meta"), "goals[0]: falta el campo obligatorio «meta»"),
    (lambda u: u["goals"][1].__setitem__("meta", "veinte"), "goals[1].meta: debe ser número"),
    (lambda u: u["goals"][2].__setitem__("planned", [1, 2, 3]), "goals[2].planned: debe tener exactamente 4 valores"),
    (lambda u: u.__setitem__("code", 3), "code: debe ser texto"),
    (lambda u: u.__setitem__("label", "UNIDAD X"), "label: «UNIDAD X» no es válido"),
])
def test_broken_catalog_gives_spanish_message_naming_file_and_field(tmp_path, change, expected):
    cat = copy_catalog(tmp_path)
    edit_unit(cat, "003", change)
    with pytest.raises(CatalogError) as err:
        load_catalog(cat)
    assert "units/003.yaml" in str(err.value) and expected in str(err.value)
    result = CliRunner().invoke(main, ["units", "--catalog", str(cat)])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_a_deadline_key_written_as_a_number_is_told_to_be_quoted(tmp_path):
    """deadlines: {1: ...} is read by YAML as the number 1, where the quarter "1" is meant."""
    cat = copy_catalog(tmp_path)
    path = cat / "catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"1": "2020-04-10"', '1: "2020-04-10"'),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["catalog", "check", str(cat)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert 'mail.deadlines: «1» debe escribirse entre comillas, como texto: "1"' in result.output


def test_invalid_yaml_and_missing_catalog(tmp_path):
    cat = copy_catalog(tmp_path)
    (cat / "units" / "001.yaml").write_text("code: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["units", "--catalog", str(cat)])
    assert result.exit_code == 2 and "YAML inválido (línea" in result.output
    result = CliRunner().invoke(main, ["units", "--catalog", str(tmp_path / "nada")])
    assert result.exit_code == 2 and "no existe el catálogo" in result.output


def test_single_file_catalog_and_env_var(tmp_path, monkeypatch):
    root = builtin_catalog_path()
    data = yaml.safe_load((root / "catalog.yaml").read_text(encoding="utf-8"))
    data["units"] = [yaml.safe_load((root / "units" / "003.yaml").read_text(encoding="utf-8"))]
    data["id"] = "prueba-2020"
    one = tmp_path / "uno.yaml"
    one.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("POAXL_CATALOG", str(one))
    result = CliRunner().invoke(main, ["units"])
    assert result.exit_code == 0 and "prueba-2020" in result.output and "003" in result.output
    assert "0046" not in result.output


def test_duplicate_unit_code_is_an_error(tmp_path):
    cat = copy_catalog(tmp_path)
    shutil.copy(cat / "units" / "0046.yaml", cat / "units" / "046.yaml")
    edit_unit(cat, "046", lambda u: u.__setitem__("code", "46"))
    with pytest.raises(CatalogError, match="repetida"):
        load_catalog(cat)


def test_aggregations_and_their_formulas():
    from poaxl.catalog import Goal
    from poaxl.layout import absolute_formula

    goals = {agg: Goal("8.6.3", "5", "X", "U", 90, (90, 90, 90, 90), agg) for agg in ("sum", "average", "last")}
    values = [46, 63, None, None]
    assert goals["sum"].to_date(values, 2) == 109
    assert goals["average"].to_date(values, 2) == 54.5
    assert goals["last"].to_date(values, 2) == 63
    assert goals["average"].to_date([None] * 4, 2) == 0
    assert absolute_formula(goals["last"], 15, 2) == "=N(H16)"
    assert absolute_formula(goals["sum"], 15, 3) == "=SUM(F16,H16,J16)"


def test_formulas_in_messages_are_spelled_in_spanish():
    from poaxl.layout import spanish_formula

    assert spanish_formula("=IF(COUNT(F16,H16)=0,0,AVERAGE(F16,H16))") == "=SI(CONTAR(F16;H16)=0;0;PROMEDIO(F16;H16))"
    assert spanish_formula("=SUM(F16,H16)") == "=SUMA(F16;H16)"
