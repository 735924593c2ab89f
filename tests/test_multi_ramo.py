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
    assert any(w.startswith("unidad 01-002 COORDINACIÓN DE DIRECTORES, meta 6:") for w in cat.warnings)


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


# --------------------------------------------------------------------------- the whole loop, two 001s

from conftest import apply_openpyxl, on_plan_ops  # noqa: E402
from test_mail import plain, smtp  # noqa: E402,F401  (the real aiosmtpd fixture)


def fill_on_plan(cat, src: Path, dst: Path, unit: str) -> Path:
    return apply_openpyxl(src, dst, on_plan_ops(cat, unit))


def test_generate_send_check_and_report_keep_the_two_001_apart(municipio, tmp_path, smtp):  # noqa: F811
    from poaxl.check import check
    from poaxl.generate import generate
    from poaxl.mail import LOG_NAME, read_log, send
    from poaxl.report import report

    cat = load_catalog(municipio)
    forms = tmp_path / "formatos"
    paths = generate(["01-001", "05-001"], out=forms, catalog=cat)
    assert [p.name for p in paths] == ["TMM-F004_2020_T2_01-001.xlsx", "TMM-F004_2020_T2_05-001.xlsx"]

    dry = send(["001"], ramo="05", catalog=cat, out=forms, dry_run=tmp_path / "correos")
    assert [(o.unit, o.recipients) for o in dry] == [("05-001", ["tesoreria-001@example.org"])]
    eml = (tmp_path / "correos" / "TMM-F004_2020_T2_05-001.eml").read_text(encoding="utf-8")
    assert "Ramo 05 · 001" in eml or "Ramo_05" in eml  # subject names the ramo (maybe RFC 2047-encoded)
    inbox, port = smtp()
    sent = send(["01-001", "05-001"], catalog=cat, settings=plain(port), out=forms)
    assert [(o.unit, o.result) for o in sent] == [("01-001", "sent"), ("05-001", "sent")]
    subjects = sorted(str(m["Subject"]) for _, m in inbox.messages)
    assert subjects == ["POA 2020 · Avance físico T2 · Ramo 01 · 001 Oficina del Titular",
                        "POA 2020 · Avance físico T2 · Ramo 05 · 001 Oficina del Tesorero"]
    again = send(all_units=True, ramo="05", catalog=cat, settings=plain(port), out=forms)
    assert [(o.unit, o.result) for o in again] == [("05-001", "skipped"), ("05-003", "sent")]
    assert [(e["ramo"], e["unit"]) for e in read_log(forms / LOG_NAME)] == [
        ("01", "01-001"), ("05", "05-001"), ("05", "05-003")]

    back = tmp_path / "respuestas"
    back.mkdir()
    fill_on_plan(cat, paths[0], back / "a.xlsx", "01-001")
    fill_on_plan(cat, paths[1], back / "b.xlsx", "05-001")
    reports = check([back], catalog=cat)
    assert [(r.unit, r.ramo, r.status) for r in reports] == [("01-001", "01", "ok"), ("05-001", "05", "ok")]
    wrong = check([back / "b.xlsx"], catalog=cat, unit="001", ramo="01")
    assert [f.code for f in wrong[0].findings] == ["unit-mismatch"]
    assert "se esperaba la unidad 01-001" in wrong[0].findings[0].message

    result = report([back], tmp_path / "consolidado.xlsx", catalog=cat)
    assert [(cat.unit_id(u.unit), u.status) for u in result.units if u.report] == [
        ("01-001", "entregado"), ("05-001", "entregado")]
    assert [(r.label, r.units, r.delivered, r.goals) for r in result.ramos] == [
        ("01 PRESIDENCIA", 6, 1, 28), ("05 TESORERÍA", 2, 1, 4)]
    assert (result.total.label, result.total.units, result.total.delivered) == ("TOTAL MUNICIPAL", 8, 2)
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "consolidado.xlsx")
    assert wb.sheetnames == ["Resumen", "Ramos", "01-001", "05-001", "Hallazgos"]
    ramos = [[c.value for c in row][:3] for row in wb["Ramos"].iter_rows(min_row=4, max_row=6)]
    assert ramos == [["01 PRESIDENCIA", 6, 1], ["05 TESORERÍA", 2, 1], ["TOTAL MUNICIPAL", 8, 2]]
    one = report([back], tmp_path / "r05.xlsx", catalog=cat, ramo="05", include_errors=True)
    assert [r.label for r in one.ramos] == ["05 TESORERÍA"] and one.total.units == 2


def test_a_form_made_before_the_ramo_was_in_the_metadata_is_identified_by_its_header(municipio, tmp_path):
    import hostile
    from poaxl.check import check
    from poaxl.generate import generate

    cat = load_catalog(municipio)
    path = generate(["05-001"], out=tmp_path, catalog=cat)[0]
    old = fill_on_plan(cat, path, tmp_path / "viejo.xlsx", "05-001")
    hostile.edit_meta(old, old, "ramo", None)
    [r] = check([old], catalog=cat)
    assert (r.unit, r.ramo, r.status) == ("05-001", "05", "ok")


def test_the_seed_examples_of_a_one_ramo_catalog_are_still_recognised(catalog):
    from conftest import EXAMPLES
    from poaxl.check import check

    reports = check([EXAMPLES], catalog=catalog)
    assert {r.unit for r in reports} == {"001", "002", "003", "004", "005", "0046"}
    assert {r.ramo for r in reports} == {"01"}
    assert not [f for r in reports for f in r.findings if f.code in ("unknown-unit", "unit-mismatch")]


def test_an_old_send_log_line_without_ramo_is_of_the_first_ramo(municipio):
    from poaxl.mail import already_sent

    cat = load_catalog(municipio)
    entries = [{"catalog": cat.id, "unit": "001", "quarter": 2, "result": "sent", "time": "t"}]
    assert already_sent(entries, cat, cat.unit("01-001"), 2) is entries[0]
    assert already_sent(entries, cat, cat.unit("05-001"), 2) is None


def test_carry_forward_keeps_each_001_with_its_own_values(municipio, tmp_path):
    import openpyxl

    from conftest import cell
    from poaxl.generate import generate
    from poaxl.report import carry_forward

    cat = load_catalog(municipio)
    back = tmp_path / "T2"
    back.mkdir()
    for key in ("01-001", "05-001"):
        [form] = generate([key], out=tmp_path / "f", catalog=cat, force=True)
        fill_on_plan(cat, form, back / f"{key}.xlsx", key)
    prefill = carry_forward([back], cat, 3)
    assert sorted(prefill) == ["01-001", "05-001"]
    paths = generate(["01-001", "05-001"], quarter=3, out=tmp_path / "T3", catalog=cat, prefill=prefill)
    for key, path in zip(("01-001", "05-001"), paths):
        ws = openpyxl.load_workbook(path)[cat.unit(key).code]
        goal = cat.unit(key).goals[0]
        assert ws[cell(cat, key, goal.number, "a1")].value == goal.planned[0], key  # 0 vs 100: not confused
    assert cat.unit("01-001").goals[0].planned[0] != cat.unit("05-001").goals[0].planned[0]
