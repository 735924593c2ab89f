"""A whole municipality in one catalog: several ramos, the same unit code in two of them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.cli import main
from poaxl.errors import CatalogError, PoaxlError


def make_multi_ramo(tmp_path: Path) -> Path:
    """The built-in catalog (ramo 01) plus ramo 05 TESORERÍA with its own 001 and 003."""
    cat = tmp_path / "municipio"
    shutil.copytree(builtin_catalog_path(), cat)
    head = yaml.safe_load((cat / "catalog.yaml").read_text(encoding="utf-8"))
    head.pop("ramo")
    head["id"] = "mexicali-2020"
    head["ramos"] = [{"code": "01", "name": "PRESIDENCIA"}, {"code": "05", "name": "TESORERÍA"}]
    (cat / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    for code, name in (("001", "OFICINA DEL TESORERO"), ("003", "INGRESOS")):
        unit = yaml.safe_load((cat / "units" / f"{code}.yaml").read_text(encoding="utf-8"))
        unit.update(ramo="05", name=name, contacts={"to": [f"tesoreria-{code}@example.org"]})
        unit["goals"] = unit["goals"][:2]
        unit["goals"][0]["meta"] = unit["goals"][0]["meta"] + 100
        unit["goals"][0]["planned"][0] += 100
        unit["signatures"]["elaboro"] = {"cargo": "TESORERO MUNICIPAL", "name": "C.P. JUAN PÉREZ"}
        (cat / "units" / "05").mkdir(exist_ok=True)
        (cat / "units" / "05" / f"{code}.yaml").write_text(yaml.safe_dump(unit, allow_unicode=True), encoding="utf-8")
    for path in (cat / "units").glob("*.yaml"):  # the ramo 01 units name their ramo too
        unit = yaml.safe_load(path.read_text(encoding="utf-8"))
        unit["ramo"] = "01"
        path.write_text(yaml.safe_dump(unit, allow_unicode=True), encoding="utf-8")
    return cat


@pytest.fixture
def municipio(tmp_path):
    return make_multi_ramo(tmp_path)


def test_units_are_identified_by_ramo_and_code(municipio):
    cat = load_catalog(municipio)
    assert [r.code for r in cat.ramos] == ["01", "05"] and cat.ramo.code == "01" and cat.multi_ramo
    assert [u.key for u in cat.units] == ["01-001", "01-002", "01-003", "01-004", "01-005", "01-0046",
                                          "05-001", "05-003"]
    assert cat.unit("05-001").name == "OFICINA DEL TESORERO" and cat.unit("01-001").name == "OFICINA DEL TITULAR"
    assert cat.unit("001", ramo="5").key == "05-001"
    assert cat.unit("46").key == "01-0046" and cat.unit("002").key == "01-002"  # unambiguous: the code is enough
    with pytest.raises(PoaxlError) as err:
        cat.unit("001")
    assert "existe en varios ramos" in str(err.value) and "01-001, 05-001" in str(err.value)
    with pytest.raises(PoaxlError, match="«002» no existe del ramo 05"):
        cat.unit("002", ramo="05")
    with pytest.raises(PoaxlError, match="El ramo «07» no existe"):
        cat.select(ramo="07")
    assert [u.key for u in cat.select(ramo="05")] == ["05-001", "05-003"]


def test_ambiguous_unit_on_the_command_line_lists_the_candidates(municipio, tmp_path):
    result = CliRunner().invoke(main, ["generate", "--unit", "001", "--catalog", str(municipio), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "01-001, 05-001" in result.output and "--ramo" in result.output


def test_generate_names_files_by_ramo_and_unit(municipio, tmp_path):
    out = tmp_path / "formatos"
    result = CliRunner().invoke(main, ["generate", "--ramo", "05", "--catalog", str(municipio), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["TMM-F004_2020_T2_05-001.xlsx", "TMM-F004_2020_T2_05-003.xlsx"]
    result = CliRunner().invoke(main, ["generate", "--unit", "01-001", "--catalog", str(municipio), "-o", str(out)])
    assert result.exit_code == 0 and (out / "TMM-F004_2020_T2_01-001.xlsx").exists()


def test_the_single_ramo_catalog_keeps_its_file_names(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--unit", "003", "-o", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "TMM-F004_2020_T2_003.xlsx").exists()


@pytest.mark.parametrize("change, expected", [
    (lambda head, unit: head.__setitem__("ramo", {"code": "01", "name": "X"}), "no los dos"),
    (lambda head, unit: unit.pop("ramo"), "falta el campo «ramo» de la unidad 001"),
    (lambda head, unit: unit.__setitem__("ramo", "09"), "el ramo «09» de la unidad 001 no está en la lista"),
])
def test_ramo_mistakes_in_the_catalog_are_spanish_errors(municipio, change, expected):
    head = yaml.safe_load((municipio / "catalog.yaml").read_text(encoding="utf-8"))
    unit_path = municipio / "units" / "05" / "001.yaml"
    unit = yaml.safe_load(unit_path.read_text(encoding="utf-8"))
    change(head, unit)
    (municipio / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    unit_path.write_text(yaml.safe_dump(unit, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(municipio)
    assert expected in str(err.value)
    result = CliRunner().invoke(main, ["catalog", "check", str(municipio)])
    assert result.exit_code == 2 and expected in result.output


def test_a_catalog_without_ramo_says_so(municipio):
    head = yaml.safe_load((municipio / "catalog.yaml").read_text(encoding="utf-8"))
    head.pop("ramos")
    (municipio / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="falta el campo obligatorio «ramo»"):
        load_catalog(municipio)


def test_same_unit_twice_in_one_ramo_is_an_error(municipio):
    shutil.copy(municipio / "units" / "05" / "001.yaml", municipio / "units" / "05" / "001-bis.yaml")
    with pytest.raises(CatalogError, match="repetida en el ramo 05"):
        load_catalog(municipio)
