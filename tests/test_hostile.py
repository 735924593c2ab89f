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
    earlier = filled("003", [["string", obs, hostile.INJECTIONS[0]]])  # typed as text: a formula is no observation
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
    assert ("saltos de línea" in result.output  # the option or environment variable
            or "no es válido (¿un espacio, salto de línea o carácter invisible de más?)" in result.output)  # catalog
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


# --------------------------------------------------------------------------- 9. unreadable file in a batch

def run_without_root_powers(*args: str, cwd: Path) -> "subprocess.CompletedProcess":
    """`python -m poaxl ...` in a real process that cannot read what its permissions forbid. As root,
    setpriv drops the capabilities that let root read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
    a chmod 000 file then really fails with EACCES, as it does for a municipal clerk."""
    import os
    import subprocess
    import sys

    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            if os.environ.get("CI") == "true":
                pytest.fail("setpriv (util-linux) is missing under CI=true")
            pytest.skip("as root, an unreadable file needs setpriv to drop CAP_DAC_OVERRIDE")
        caps = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    return subprocess.run([*prefix, sys.executable, "-m", "poaxl", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=LIMIT)


def test_unreadable_file_in_a_batch_is_unreadable_and_the_rest_is_checked(tmp_path, filled):
    import os

    folder = tmp_path / "respuestas"
    folder.mkdir()
    shutil.copy(filled("003"), folder / "a-bueno.xlsx")
    secret = folder / "b-sin-permiso.xlsx"
    shutil.copy(filled("001"), secret)
    (folder / "c-carpeta.xlsx").mkdir()  # a folder named like a workbook
    os.chmod(secret, 0)
    try:
        for args in (["check", str(folder), "--format", "json"],
                     ["check", str(secret), str(folder / "a-bueno.xlsx"), "--format", "json"]):
            done = run_without_root_powers(*args, cwd=tmp_path)
            assert done.returncode == 2, done.stderr
            assert "Traceback" not in done.stderr and "not readable" not in done.stderr + done.stdout
            files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
            assert files["a-bueno.xlsx"]["status"] == "ok"
            assert files["b-sin-permiso.xlsx"]["status"] == "unreadable"
            message = files["b-sin-permiso.xlsx"]["findings"][0]["message"]
            assert "no se pudo leer el archivo (permisos o disco)" in message and "Permission" not in message
        done = run_without_root_powers("check", str(folder), cwd=tmp_path)
        assert done.returncode == 2 and "ilegible" in done.stdout and "Permission denied" not in done.stdout
    finally:
        os.chmod(secret, 0o644)


# --------------------------------------------------------------------------- 14. control characters

def test_control_characters_in_names_are_escaped_in_human_output(tmp_path, filled, catalog):
    folder = tmp_path / "respuestas"
    folder.mkdir()
    name = "x\x1b]0;titulo\x07\x1b[2J\u202egol.xlsx"
    src = filled("003", [["value", cell(catalog, "003", "3.2", "a2"), "diez"]])
    shutil.copy(src, folder / name)
    result = poaxl("check", folder, expect=1)
    assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
    assert "\\x1b]0;titulo\\x07\\x1b[2J\\u202egol.xlsx" in result.output
    data = json.loads(poaxl("check", folder, "--format", "json", expect=1).stdout)
    assert Path(data["files"][0]["path"]).name == name  # programs get the real name
    data = hostile.catalog_data()
    hostile.unit_data(data, "003")["name"] = "ATENCIÓN\x1b[2J"
    cat = hostile.write_catalog(tmp_path / "cat" / "catalogo.yaml", data)
    result = poaxl("units", "--catalog", cat, expect=0)
    assert "\x1b" not in result.output and "ATENCIÓN\\x1b[2J" in result.output


# --------------------------------------------------------------------------- 15. English leaks

def test_library_warnings_and_system_errors_are_not_shown_in_english(tmp_path, filled, catalog):
    src = filled("003")
    wb = openpyxl.load_workbook(src)
    a2 = cell(catalog, "003", "3.2", "a2")
    wb.worksheets[0][a2].value = 99999999999
    wb.worksheets[0][a2].number_format = "yyyy-mm-dd"  # an impossible date: openpyxl warns in English
    wb.save(src)
    result = poaxl("check", src, "--annotate", tmp_path / "revisados", expect=0)
    assert "Warning" not in result.output and "outside the limits" not in result.output
    poaxl("--verbose", "check", src, "--annotate", tmp_path / "revisados2", expect=0)
    long_name = tmp_path / ("x" * 300 + ".xlsx")
    result = poaxl("generate", "--unit", "003", "--out", long_name, expect=2,
                   contains=("el nombre del archivo es demasiado largo",))
    assert "too long" not in result.output
    blocker = tmp_path / "soy-archivo"
    blocker.write_text("")
    result = poaxl("generate", "--unit", "003", "--out", blocker / "f.xlsx", expect=2)
    assert "Not a directory" not in result.output and "is a file" not in result.output
    (tmp_path / "latin1.yaml").write_bytes("id: año\n".encode("latin-1"))
    result = poaxl("catalog", "check", tmp_path / "latin1.yaml", expect=2, contains=("no está en UTF-8",))
    assert "codec" not in result.output


# --------------------------------------------------------------------------- the last line of defence

def test_an_internal_error_is_one_spanish_line_and_its_own_exit_status(tmp_path):
    """The only test that relies on the handler: a command that fails with a bug (added for the test)."""
    import subprocess
    import sys

    code = ("import sys; from poaxl.cli import main\n"
            "@main.command('rompe')\n"
            "def rompe():\n"
            "    raise ZeroDivisionError('a bug')\n"
            "main(['rompe'])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=LIMIT,
                          env={**__import__("os").environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "Error interno de poaxl al ejecutar «poaxl rompe»" in lines[0]
    saved = list(tmp_path.glob("poaxl-error-*.txt"))
    assert len(saved) == 1 and str(saved[0]) in lines[0]
    assert "ZeroDivisionError: a bug" in saved[0].read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 13. a 10,000-unit catalog

def test_ten_thousand_unit_catalog_loads_and_checks_in_linear_time(tmp_path):
    """Loading is linear (no unit lookup scans the catalog); the bound is loose on purpose (shared CI
    machine): on a quiet machine `catalog check` of this catalog takes about two seconds."""
    cat = hostile.big_catalog(tmp_path / "grande" / "catalogo.yaml")
    poaxl("catalog", "check", cat, expect=0, limit=60, contains=("10000 unidad(es)",))
    poaxl("generate", "--unit", "9999", "--catalog", cat, "--out", tmp_path / "f", expect=0, limit=60)
    poaxl("check", tmp_path / "f", "--catalog", cat, expect=1, limit=60, contains=("09999",))  # A cells empty


def test_unreachable_mail_server_is_said_in_spanish(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = poaxl("send", "--unit", "003", "--out", tmp_path, "--smtp-host", "127.0.0.1", "--smtp-port", port,
                   "--smtp-security", "none", expect=1, contains=("el servidor rechazó la conexión",))
    assert "Errno" not in result.output and "refused" not in result.output


def test_unit_code_typed_in_a_hand_made_form_is_text_in_the_report(tmp_path, filled, catalog):
    """Without metadata the unit comes from the header cell, which the coordinator can type anything into."""
    from poaxl.layout import META_SHEET, SheetLayout, ref

    src = filled("003")
    wb = openpyxl.load_workbook(src)
    del wb[META_SHEET]
    unit_cell = ref(SheetLayout.for_unit(catalog.unit("003")).unit_row, "measure")
    wb.worksheets[0][unit_cell].value = hostile.INJECTIONS[0]
    wb.worksheets[0][unit_cell].data_type = "s"
    folder = tmp_path / "respuestas"
    folder.mkdir()
    wb.save(folder / "hecho-a-mano.xlsx")
    out = tmp_path / "consolidado.xlsx"
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(out), "--include-errors"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    clean(out)
    assert hostile.INJECTIONS[0] in hostile.strings_in(out)


@pytest.mark.parametrize("args", [["generate", "--unit", "003", "--over-ratio", "nan"],
                                  ["check", "x.xlsx", "--over-ratio", "inf"],
                                  ["send", "--unit", "003", "--dry-run", "d", "--pause", "nan"],
                                  ["send", "--unit", "003", "--dry-run", "d", "--timeout", "inf"]])
def test_nan_and_infinity_are_not_accepted_as_option_values(tmp_path, monkeypatch, args):
    """They would end up in a form's conditional formulas (nan*SUM(…)) or in a socket timeout."""
    monkeypatch.chdir(tmp_path)
    poaxl(*args, expect=2, contains=("Valor no válido para",))
    assert list(tmp_path.iterdir()) == []


def test_fifo_or_folder_as_cafile_does_not_hang(tmp_path):
    import os

    os.mkfifo(tmp_path / "ca.pem")
    (tmp_path / "ca-carpeta").mkdir()
    (tmp_path / "roto.pem").write_text("no es un certificado")
    for cafile, fragment in ((tmp_path / "ca.pem", "archivo normal"), (tmp_path / "roto.pem", "no es un certificado")):
        poaxl("send", "--unit", "003", "--out", tmp_path / "out", "--smtp-host", "127.0.0.1", "--smtp-port", "1",
              "--cafile", cafile, expect=2, limit=10, contains=(fragment,))


def test_unquoted_dates_and_odd_yaml_types_are_schema_errors(tmp_path):
    """YAML turns 2020-07-10 (unquoted) into a date and !!binary into bytes: not JSON, still a Spanish error."""
    text = yaml_text().replace("'2': '2020-07-10'", "'2': 2020-07-10")
    assert "'2': 2020-07-10" in text
    path = tmp_path / "catalogo.yaml"
    path.write_text(text, encoding="utf-8")
    poaxl("catalog", "check", path, expect=2, contains=("mail.deadlines.2", "debe ser texto"))
    (tmp_path / "contactos.yaml").write_text('"003": {to: [!!binary aGFsbw==]}\n', encoding="utf-8")
    poaxl("send", "--unit", "003", "--dry-run", tmp_path / "d", "--out", tmp_path / "o",
          "--contacts", tmp_path / "contactos.yaml", expect=2, contains=("Contactos inválidos",))
