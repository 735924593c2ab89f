"""Hostile input, one case per test (issue 9): whatever arrives, poaxl answers in Spanish with the
documented exit status, in bounded time, leaves the inputs byte-identical, writes nothing outside the
chosen folder, and nothing it writes holds a formula or a link made from outside text.

The corpus is made at test time by tests/hostile.py."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import hostile
from conftest import cell
from poaxl.cli import main

LIMIT = 30.0  # seconds: generous, only to catch hangs and runaway parsing


def poaxl(*args: str, expect: int, contains: tuple[str, ...] = (), limit: float = LIMIT):
    """Run the CLI in-process; the exit status, the Spanish fragments, no traceback, bounded time."""
    start = time.monotonic()
    result = CliRunner().invoke(main, [str(a) for a in args])
    elapsed = time.monotonic() - start
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "error interno" not in output.lower(), output
    assert result.exit_code == expect, output
    for fragment in contains:
        assert fragment in output, output
    assert elapsed < limit, elapsed
    return result


def clean(path: Path) -> None:
    """Nothing poaxl wrote may hold a live formula from outside text or any hyperlink."""
    assert hostile.active_content(path) == []


# --------------------------------------------------------------------------- 1. injection

def test_generated_form_writes_injected_catalog_text_as_text(tmp_path):
    cat = hostile.injected_catalog(tmp_path / "in" / "catalogo.yaml")
    before = hostile.snapshot(tmp_path / "in")
    poaxl("generate", "--unit", "003", "--catalog", cat, "--out", tmp_path / "out", expect=0)
    form = tmp_path / "out" / "TMM-F004_2020_T2_003.xlsx"
    clean(form)
    text = hostile.strings_in(form)
    for injected in hostile.INJECTIONS:
        assert injected in text  # kept, as text
    assert hostile.snapshot(tmp_path / "in") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_consolidated_report_writes_observations_and_names_as_text(tmp_path, filled, catalog):
    folder = tmp_path / "respuestas"
    folder.mkdir()
    obs = cell(catalog, "003", "3.1", "observations")
    src = filled("003", [["value", obs, hostile.INJECTIONS[1]], ["value", cell(catalog, "003", "3.2", "a2"), "15"]])
    name = hostile.INJECTIONS[0].replace("/", "_")
    shutil.copy(src, folder / f"{name}.xlsx")  # number-as-text: the name is listed under Hallazgos
    other = filled("001", [["value", cell(catalog, "001", "2.1", "observations"), hostile.INJECTIONS[2]]])
    shutil.copy(other, folder / "mailto:a@b.example.xlsx")
    before = hostile.snapshot(folder)
    out = tmp_path / "consolidado.xlsx"
    poaxl("report", folder, "--out", out, "--include-errors", expect=0)
    clean(out)
    text = hostile.strings_in(out)
    assert hostile.INJECTIONS[1] in text and hostile.INJECTIONS[2] in text and f"{name}.xlsx" in text
    assert hostile.snapshot(folder) == before


def test_annotated_copy_keeps_coordinator_formulas_and_links_as_text(tmp_path, filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    src = filled("003", [["value", cell(catalog, "003", "3.1", "a2"), "diez"],
                         ["value", obs, '=HYPERLINK("http://evil.example","clic")']])
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0][obs.replace("O", "B")].hyperlink = "http://evil.example/b2"
    wb.save(src)
    assert hostile.active_content(src)  # the coordinator's file has both
    before = hostile.snapshot(src.parent)
    poaxl("check", src, "--annotate", tmp_path / "revisados", expect=1)
    copy = tmp_path / "revisados" / f"{src.stem}.revisado.xlsx"
    clean(copy)
    assert '=HYPERLINK("http://evil.example","clic")' in hostile.strings_in(copy)
    assert {k: v for k, v in hostile.snapshot(src.parent).items() if k in before} == before


def test_carried_forward_form_keeps_observation_as_text(tmp_path, filled, catalog):
    obs = cell(catalog, "003", "3.2", "observations")
    earlier = filled("003", [["value", obs, hostile.INJECTIONS[0]]])
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", earlier, "--out", tmp_path / "t3", expect=0)
    form = tmp_path / "t3" / "TMM-F004_2020_T3_003.xlsx"
    clean(form)
    assert hostile.INJECTIONS[0] in hostile.strings_in(form)


# --------------------------------------------------------------------------- 6. absurd numbers

@pytest.mark.parametrize("value, key, code", [("1e309", "a2", "not-a-number"), ("9" * 400, "a2", "not-a-number"),
                                             ("-1e309", "a2", "not-a-number"), ("9" * 400, "p2", "planned-changed"),
                                             ("1e309", "a3", "future-entry"), ("9" * 400, "absolute", "absolute-mismatch")])
def test_infinite_or_huge_number_is_a_finding(tmp_path, filled, catalog, value, key, code):
    target = cell(catalog, "003", "3.2", key)
    src = filled("003", [["value", target, 12345]])
    bad = hostile.replace_value(src, tmp_path / "enorme.xlsx", "12345", value)
    result = poaxl("check", bad, "--format", "json", expect=0 if code == "future-entry" else 1)
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert (code, target) in {(f["code"], f["cell"]) for f in findings}
    out = tmp_path / "consolidado.xlsx"
    poaxl("report", bad, "--out", out, "--include-errors", expect=0)
    clean(out)
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", bad, "--out", tmp_path / "t3", expect=0)
    clean(tmp_path / "t3" / "TMM-F004_2020_T3_003.xlsx")


# --------------------------------------------------------------------------- 7. edited metadata

@pytest.mark.parametrize("key, value", [("quarter", "5"), ("quarter", "0"), ("quarter", "²"), ("year", "²"),
                                        ("year", "9" * 5000), ("unit", "9" * 5000), ("unit", "../../x")])
def test_edited_metadata_falls_back_to_the_header(tmp_path, filled, key, value):
    from jsonschema import Draft202012Validator

    from poaxl.catalog import schema_path

    bad = hostile.edit_meta(filled("003"), tmp_path / "editado.xlsx", key, value)
    result = poaxl("check", bad, "--format", "json", expect=1)
    data = json.loads(result.stdout)
    Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(data)
    entry = data["files"][0]
    assert (entry["unit"], entry["year"], entry["quarter"]) == ("003", 2020, 2)  # from the header
    assert any(f["code"] == "structure-changed" and "hoja oculta _poaxl fue modificada" in f["message"]
               for f in entry["findings"])
    poaxl("report", bad, "--out", tmp_path / "c.xlsx", "--include-errors", expect=0)
    poaxl("generate", "--unit", "003", "--quarter", "3", "--from", bad, "--out", tmp_path / "t3", expect=0)


# --------------------------------------------------------------------------- 8. merged A cells

def test_annotate_on_merged_actual_cells(tmp_path, filled, catalog):
    p2, a2 = cell(catalog, "003", "3.2", "p2"), cell(catalog, "003", "3.2", "a2")
    src = filled("003", [["unprotect"]])
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0].merge_cells(f"{p2}:{a2}")  # the A cell is now inside a merged range
    wb.save(src)
    result = poaxl("check", src, "--annotate", tmp_path / "revisados", "--format", "json", expect=1)
    assert ("missing-actual", a2) in {(f["code"], f["cell"]) for f in json.loads(result.stdout)["files"][0]["findings"]}
    copy = openpyxl.load_workbook(tmp_path / "revisados" / f"{src.stem}.revisado.xlsx")
    assert "missing-actual" in copy.worksheets[0][p2].comment.text


# --------------------------------------------------------------------------- 2. catalog values as paths

@pytest.mark.parametrize("field, value", [("form_code", "../../x"), ("form_code", "/tmp/poaxl-abs"),
                                          ("form_code", "..\\..\\x"), ("unit", "0/03"), ("unit", "../03")])
def test_catalog_values_that_would_be_paths_are_refused(tmp_path, field, value):
    data = hostile.catalog_data()
    if field == "unit":
        hostile.unit_data(data, "003")["code"] = value
    else:
        data[field] = value
    cat = hostile.write_catalog(tmp_path / "in" / "catalogo.yaml", data)
    before = hostile.snapshot(tmp_path)
    for args in (("generate", "--all", "--out", tmp_path / "out"),
                 ("send", "--all", "--dry-run", tmp_path / "eml", "--out", tmp_path / "out")):
        poaxl(*args, "--catalog", cat, expect=2, contains=("no tiene el formato esperado",))
    assert hostile.snapshot(tmp_path) == before  # nothing written anywhere
    assert not Path("/tmp/poaxl-abs_2020_T2_003.xlsx").exists()


def test_a_catalog_built_in_code_still_cannot_escape_the_folder(tmp_path, catalog):
    from dataclasses import replace

    from poaxl.generate import generate

    evil = replace(catalog, form_code="../../fuera")
    paths = generate(["003"], out=tmp_path / "a" / "b", catalog=evil)
    assert [p.parent for p in paths] == [tmp_path / "a" / "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


# --------------------------------------------------------------------------- 3. YAML alias bombs

def test_alias_bomb_catalog_is_refused_quickly(tmp_path):
    bomb = hostile.bomb_catalog(tmp_path / "bomba.yaml")
    poaxl("catalog", "check", bomb, expect=2, limit=5, contains=("los alias de YAML", "bomba.yaml"))
    poaxl("units", "--catalog", bomb, expect=2, limit=5, contains=("los alias de YAML",))


def test_alias_bomb_contacts_and_config_are_refused_quickly(tmp_path):
    (tmp_path / "contactos.yaml").write_text(hostile.alias_bomb() + '"003": {to: [a@b.example]}\n', encoding="utf-8")
    (tmp_path / "smtp.yaml").write_text(hostile.alias_bomb() + "smtp: {host: localhost}\n", encoding="utf-8")
    out = tmp_path / "out"
    poaxl("send", "--unit", "003", "--dry-run", out, "--out", out, "--contacts", tmp_path / "contactos.yaml",
          expect=2, limit=5, contains=("los alias de YAML", "contactos.yaml"))
    poaxl("send", "--unit", "003", "--dry-run", out, "--out", out, "--config", tmp_path / "smtp.yaml",
          expect=2, limit=5, contains=("los alias de YAML", "smtp.yaml"))
    assert not out.exists()


def test_self_referencing_yaml_is_refused(tmp_path):
    path = tmp_path / "ciclo.yaml"
    path.write_text("a: &a [*a]\n" + yaml_text(), encoding="utf-8")
    poaxl("catalog", "check", path, expect=2, contains=("se contiene a sí mismo",))


def yaml_text() -> str:
    import yaml

    return yaml.safe_dump(hostile.catalog_data(), allow_unicode=True)


# --------------------------------------------------------------------------- 10. header injection

@pytest.mark.parametrize("how", ["option", "reply-to", "env", "config", "catalog"])
def test_line_breaks_in_addresses_stop_before_sending(tmp_path, how):
    evil = "planeacion@example.org\r\nBcc: todos@example.org"
    args, env = ["send", "--unit", "003", "--dry-run", tmp_path / "eml", "--out", tmp_path / "out"], {}
    if how == "option":
        args += ["--from-addr", evil]
    elif how == "reply-to":
        args += ["--reply-to", "a@b.example\nX-Evil: 1"]
    elif how == "env":
        env["POAXL_SMTP_FROM"] = evil
    elif how == "config":
        (tmp_path / "smtp.yaml").write_text(f"smtp:\n  from: {json.dumps(evil)}\n", encoding="utf-8")
        args += ["--config", tmp_path / "smtp.yaml"]
    else:
        data = hostile.catalog_data()
        data["mail"]["from"] = evil
        args += ["--catalog", hostile.write_catalog(tmp_path / "catalogo.yaml", data)]
    start = time.monotonic()
    result = CliRunner(env=env).invoke(main, [str(a) for a in args])
    assert time.monotonic() - start < LIMIT
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "saltos de línea" in result.output or "no tiene el formato esperado" in result.output
    assert not (tmp_path / "eml").exists()


def test_unit_name_with_line_breaks_stays_in_the_subject(tmp_path):
    import email

    data = hostile.catalog_data()
    hostile.unit_data(data, "003")["name"] = "ATENCIÓN\r\nBcc: todos@example.org\x1b[31m"
    cat = hostile.write_catalog(tmp_path / "catalogo.yaml", data)
    poaxl("send", "--unit", "003", "--dry-run", tmp_path / "eml", "--out", tmp_path / "out", "--catalog", cat,
          expect=0)
    msg = email.message_from_bytes((tmp_path / "eml" / "TMM-F004_2020_T2_003.eml").read_bytes())
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert msg["Bcc"] is None and "bcc: todos" in subject.lower() and "\x1b" not in subject


# --------------------------------------------------------------------------- 11. huge integers

@pytest.mark.parametrize("where", ["year", "unit", "meta"])
def test_huge_integers_in_the_catalog(tmp_path, where):
    text = yaml_text()
    if where == "year":
        text = text.replace("year: 2020", "year: " + "9" * 5000)
    elif where == "unit":
        text = text.replace("code: '003'", "code: '" + "9" * 5000 + "'")
    else:
        text = text.replace("meta: 20100", "meta: " + "9" * 5000)
    path = tmp_path / "catalogo.yaml"
    path.write_text(text, encoding="utf-8")
    result = poaxl("catalog", "check", path, expect=2)
    assert "demasiados dígitos" in result.output or "demasiado largo" in result.output
    assert len(result.output) < 2000  # the value is not repeated back


# --------------------------------------------------------------------------- 12. FIFOs and devices

def test_fifo_in_the_catalog_folder_does_not_hang(tmp_path):
    import os

    folder = tmp_path / "catalogo"
    shutil.copytree(hostile.builtin_catalog_path(), folder)
    os.mkfifo(folder / "units" / "999.yaml")
    poaxl("catalog", "check", folder, expect=2, limit=10, contains=("999.yaml", "no es un archivo normal"))
    os.mkfifo(tmp_path / "cat.yaml")
    poaxl("units", "--catalog", tmp_path / "cat.yaml", expect=2, limit=10, contains=("no es un archivo normal",))
    poaxl("units", "--catalog", "/dev/zero", expect=2, limit=10, contains=("no es un archivo normal",))


def test_fifo_as_contacts_config_or_form_does_not_hang(tmp_path, template):
    import os

    os.mkfifo(tmp_path / "contactos.yaml")
    os.mkfifo(tmp_path / "smtp.yaml")
    os.mkfifo(tmp_path / "formato.xlsx")
    out = tmp_path / "out"
    poaxl("send", "--unit", "003", "--dry-run", out, "--out", out, "--contacts", tmp_path / "contactos.yaml",
          expect=2, limit=10, contains=("no es un archivo normal",))
    poaxl("send", "--unit", "003", "--dry-run", out, "--out", out, "--config", tmp_path / "smtp.yaml",
          expect=2, limit=10, contains=("no es un archivo normal",))
    result = poaxl("check", tmp_path / "formato.xlsx", template("003"), "--format", "json", expect=2, limit=10)
    assert [f["status"] for f in json.loads(result.stdout)["files"]] == ["unreadable", "errors"]
