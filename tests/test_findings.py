"""The contract of `poaxl check`, tested from outside: every documented code fires in a scenario that
names it, with the documented severity (literals in tests/contract.py) and the documented fault. Disabling
any rule, or changing any severity, fails here. Also `poaxl explain`."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner

from conftest import apply_openpyxl, cell, on_plan_ops
from contract import OFFICE_CODES, SEVERITY
from poaxl import findings as F
from poaxl.catalog import builtin_catalog_path, load_catalog
from poaxl.check import check_file
from poaxl.cli import main
from poaxl.generate import generate
from poaxl.layout import META_SHEET


def catalog_copy(tmp_path, change=None):
    """The built-in catalog copied, with ``change(unit_003_dict)`` applied to unit 003."""
    folder = tmp_path / "cat"
    shutil.copytree(builtin_catalog_path(), folder)
    if change:
        path = folder / "units" / "003.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalog(folder)


def on(unit, goal, key):
    return (unit, goal, key)


# code -> (how to make it fire, where it must point: (unit, goal, column key) or None for the whole file)
def scenario(code, tmp_path, filled, catalog):
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    if code == "planned-sum-mismatch":
        return check_file(filled("002"), catalog), on("002", "6", "meta")
    if code == "goal-numbering":
        return check_file(filled("0046"), catalog), on("0046", "4.5", "goal")
    if code == "unknown-linea":
        cat = catalog_copy(tmp_path, lambda u: u["lineas"][0].update(code="9.9.9"))
        src = generate(["003"], out=tmp_path / "gen", catalog=cat)[0]
        path = apply_openpyxl(src, tmp_path / "linea.xlsx", on_plan_ops(cat, "003"))
        return check_file(path, cat), on("003", "3", "la")
    if code == "catalog-changed":
        cat = catalog_copy(tmp_path, lambda u: u["goals"][1].update(meta=u["goals"][1]["meta"] + 1))
        return check_file(filled("003"), cat), None
    if code == "unknown-unit":
        folder = tmp_path / "sin003"
        shutil.copytree(builtin_catalog_path(), folder)
        (folder / "units" / "003.yaml").unlink()
        return check_file(filled("003"), load_catalog(folder)), None
    if code == "no-metadata":
        return check_file(filled("003", [["delete_sheet", META_SHEET]]), catalog), None
    ops = {
        "missing-actual": ([["clear", c("3.2", "a2")]], ("3.2", "a2")),
        "not-a-number": ([["value", c("3.2", "a2"), "diez"]], ("3.2", "a2")),
        "number-as-text": ([["value", c("3.2", "a2"), "15"]], ("3.2", "a2")),
        "negative-value": ([["value", c("3.2", "a2"), -1]], ("3.2", "a2")),
        "future-entry": ([["value", c("3.2", "a3"), 5]], ("3.2", "a3")),
        "missing-observation": ([["value", c("3.2", "a2"), 0]], ("3.2", "observations")),
        "unjustified-overachievement": ([["value", c("3.2", "a2"), 100]], ("3.2", "observations")),
        "print-too-small": ([["value", c(g, "observations"), "PALABRA " * (120 if g == "3.1" else 100)]
                             for g in ("3", "3.1", "3.2", "3.3")], ("3.1", "observations")),
        "observation-too-long": ([["value", c("3.3", "observations"), "PALABRA " * 130]], ("3.3", "observations")),
        "absolute-mismatch": ([["value", c("3.2", "absolute"), 31]], ("3.2", "absolute")),
        "relative-mismatch": ([["value", c("3.2", "relative"), 0.9]], ("3.2", "relative")),
        "formula-replaced": ([["value", c("3.2", "absolute"), 30]], ("3.2", "absolute")),
        "planned-changed": ([["value", c("3.2", "p2"), 99]], ("3.2", "p2")),
        "structure-changed": ([["value", c("3.2", "goal"), "3.2.- OTRO TEXTO"]], ("3.2", "goal")),
    }
    if code in ops:
        extra, (goal, key) = ops[code]
        return check_file(filled("003", extra), catalog), on("003", goal, key)
    if code == "unit-mismatch":
        return check_file(filled("003"), catalog, unit="004"), None
    if code == "wrong-period":
        return check_file(filled("003"), catalog, quarter=3), None
    if code == "unreadable":
        empty = tmp_path / "vacio.xlsx"
        empty.write_bytes(b"")
        return check_file(empty, catalog), None
    raise AssertionError(f"no scenario for {code}")


@pytest.mark.parametrize("code", sorted(SEVERITY))
def test_every_documented_code_fires_with_its_severity(code, tmp_path, filled, catalog):
    report, where = scenario(code, tmp_path, filled, catalog)
    hits = [f for f in report.findings if f.code == code]
    assert hits, f"{code} did not fire: {[f.code for f in report.findings]}"
    finding = hits[0]
    assert finding.severity == SEVERITY[code]
    if where:
        unit, goal, key = where
        assert finding.cell == cell(catalog, unit, goal, key) and finding.goal == goal
    assert finding.message and "{" not in finding.message  # every template field was filled


def test_registry_is_the_documented_contract():
    assert {code: kind.severity for code, kind in F.REGISTRY.items()} == SEVERITY
    assert {code for code, kind in F.REGISTRY.items() if kind.fault == "office"} == OFFICE_CODES


def test_office_faults_never_refuse_a_delivery(filled, catalog):
    report = check_file(filled("002"), catalog)  # 002 goal 6: the catalog's P do not add up
    assert report.status == "errors" and [f.code for f in report.errors] == ["planned-sum-mismatch"]
    assert report.delivery_errors == []


def test_every_type_is_explained_in_spanish():
    for kind in F.REGISTRY.values():
        for text in (kind.title, kind.meaning, kind.why, kind.example, kind.fix):
            assert text.strip() and not text.startswith(("The ", "A ", "An ")), (kind.code, text)
        assert kind.messages, kind.code


def test_explain_one_code():
    result = CliRunner().invoke(main, ["explain", "future-entry"])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("future-entry · aviso · lo corrige: unidad (coordinador)")
    for heading in ("Qué significa", "Por qué importa", "Ejemplo", "Cómo corregirlo", "Mensaje"):
        assert f"\n{heading}" in out
    assert "bórrelo" in out


def test_explain_lists_every_code():
    result = CliRunner().invoke(main, ["explain"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and line.split()[0] in SEVERITY}
    assert set(lines) == set(SEVERITY)
    assert "oficina de planeación" in lines["planned-sum-mismatch"] and " aviso " in lines["unknown-linea"]


def test_explain_json():
    one = json.loads(CliRunner().invoke(main, ["explain", "planned-sum-mismatch", "--format", "json"]).stdout)
    assert one["code"] == "planned-sum-mismatch" and one["severity"] == "error" and one["fault"] == "office"
    assert "{parts}" in one["messages"][""]
    every = json.loads(CliRunner().invoke(main, ["explain", "--format", "json"]).stdout)
    assert [k["code"] for k in every["findings"]] and {k["code"]: k["severity"] for k in every["findings"]} == SEVERITY


def test_explain_unknown_code_suggests_the_closest():
    result = CliRunner().invoke(main, ["explain", "futur-entry"])
    assert result.exit_code == 2 and "No existe el hallazgo «futur-entry»" in result.output
    assert "future-entry" in result.output and "Traceback" not in result.output


def test_every_reason_and_text_is_used_and_every_use_is_defined():
    """No dead Spanish in the registry, and no message key that is not in it."""
    import re
    from pathlib import Path

    import poaxl

    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(poaxl.__file__).parent.glob("*.py")
                       if p.name != "findings.py")
    for key in [*F.REASONS, *F.TEXTS]:
        assert f'"{key}"' in source, f"{key} is never used"
    used = set(re.findall(r'\b(?:reason|text)\("([a-z-]+)"', source))
    assert used and used <= set(F.REASONS) | set(F.TEXTS)
