"""Review follow-ups on status, contacts, check's paths and help texts (status helper): each test shows one
reported defect fixed, on real files."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from conftest import EXAMPLES
from poaxl.cli import main
from test_mail import plain, smtp  # noqa: F401  (the real aiosmtpd server fixture)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, prog_name="poaxl")


def states(*args) -> dict[str, str]:
    result = run("status", *args, "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["state"] for u in json.loads(result.stdout)["units"]}


def test_status_checks_a_hand_filed_answer_against_the_unit_its_name_claims(tmp_path):
    """003's form copied under 004's name showed 004 «correcto»: it is 004's answer with a unit-mismatch."""
    answers = tmp_path / "resp3"
    answers.mkdir()
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T2_004.xlsx")
    assert states("--out", answers, "--sent", tmp_path) == {
        "001": "sin entregar", "002": "sin entregar", "003": "sin entregar", "004": "con errores",
        "005": "sin entregar", "0046": "sin entregar"}
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T2_003.xlsx")
    assert states("--out", answers, "--sent", tmp_path)["003"] == "correcto"


def test_status_checks_a_hand_filed_answer_against_the_quarter_its_name_claims(tmp_path):
    """A second-quarter form named as the third quarter's was «correcto» under ``status -q 3``."""
    answers = tmp_path / "resp"
    answers.mkdir()
    shutil.copy(EXAMPLES / "TMM-F004_2020_T2_003.xlsx", answers / "TMM-F004_2020_T3_003.xlsx")
    assert states("--out", answers, "--sent", tmp_path, "-q", "3")["003"] == "con errores"
    assert states("--out", answers, "--sent", tmp_path, "-q", "2")["003"] == "sin entregar"


def test_status_of_a_folder_that_does_not_exist_is_a_usage_error_naming_it(tmp_path):
    """``status --out CARPETA_QUE_NO_EXISTE`` printed every unit «sin entregar» with exit 0 and no warning."""
    missing = tmp_path / "CARPETA_QUE_NO_EXISTE"
    result = run("status", "--out", missing, "--sent", tmp_path, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"Error: --out {missing}: la carpeta de respuestas no existe; indique la carpeta donde "
                             "poaxl collect guarda las respuestas.\n")
    result = run("status", "--out", tmp_path, "--sent", missing)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"Error: --sent {missing}: la carpeta de formatos enviados no existe; indique la carpeta "
                             "donde poaxl send dejó su bitácora (poaxl-envios.jsonl).\n")
    assert run("status", "--out", tmp_path, "--sent", tmp_path).exit_code == 0  # an empty folder is fine


def test_status_between_send_and_the_first_collect_only_warns_that_the_answers_folder_is_not_there(
        tmp_path, smtp, catalog):  # noqa: F811
    """``collect`` makes the answers folder: right after ``send`` it does not exist yet, and status is asked."""
    from poaxl.mail import send

    sent, answers = tmp_path / "formatos", tmp_path / "respuestas"
    inbox, port = smtp()
    send(["003"], catalog=catalog, settings=plain(port), out=sent)
    assert len(inbox.messages) == 1
    result = run("status", "--out", answers, "--sent", sent, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (f"Aviso: --out {answers}: la carpeta de respuestas no existe todavía (poaxl collect la "
                             "crea al recibir el primer formato); ninguna unidad tiene respuesta.\n")
    assert {u["unit"]: u["state"] for u in json.loads(result.stdout)["units"]}["003"] == "sin entregar"


def test_a_contacts_file_with_two_entries_for_one_unit_is_refused_naming_both(tmp_path):
    """``0046:`` and ``46:`` (or CSV rows 46 and 0046) were merged silently: the later won, the other's
    addresses were lost."""
    yaml_file = tmp_path / "contactos.yaml"
    yaml_file.write_text("0046: {to: [a@example.org]}\n46: {to: [b@example.org], cc: [c@example.org]}\n",
                         encoding="utf-8")
    csv_file = tmp_path / "contactos.csv"
    csv_file.write_text("unit,to,cc\n46,a@example.org,\n003,d@example.org,\n0046,b@example.org,c@example.org\n",
                        encoding="utf-8")
    for path, first, second in ((yaml_file, "0046", "46"), (csv_file, "46", "0046")):
        drafts = tmp_path / f"borradores-{path.suffix[1:]}"
        result = run("send", "--all", "--contacts", path, "--dry-run", drafts, "--quiet")
        assert result.exit_code == 2 and not drafts.exists()
        assert result.stderr == ("Error: Contactos inválidos (no se envió nada):\n"
                                 f"{path}: la unidad 0046 tiene dos entradas, «{first}» y «{second}»; deje una sola "
                                 "con todos sus correos (to, cc).\n")


def test_an_unknown_unit_in_a_contacts_file_names_the_file(tmp_path):
    """«La unidad «999» no existe…» did not say it came from the contacts file."""
    path = tmp_path / "contactos.yaml"
    path.write_text('999: {to: [a@example.org]}\n"003": {to: [b@example.org]}\n', encoding="utf-8")
    result = run("send", "--unit", "003", "--contacts", path, "--dry-run", tmp_path / "borradores", "--quiet")
    assert result.exit_code == 2
    assert result.stderr == ("Error: Contactos inválidos (no se envió nada):\n"
                             f"{path}: 999: La unidad «999» no existe en el catálogo mexicali-2020-r01. Unidades "
                             "válidas: 001, 002, 003, 004, 005, 0046.\n")


NOT_A_FILE = "no es un archivo normal (es una carpeta, un dispositivo o una tubería) — indique el archivo del formato " \
             "(.xlsx, .xlsm u .ods)."


def test_a_folder_named_like_a_form_is_an_unreadable_entry_and_the_batch_goes_on(tmp_path):
    """A folder ``dir.xlsx`` given with other files was skipped without a word; given alone it was a usage error
    and ``--format json`` printed no JSON. The README says it is reported unreadable (not-a-file)."""
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    form = tmp_path / "TMM-F004_2020_T2_003.xlsx"
    shutil.copy(EXAMPLES / form.name, form)
    result = run("check", folder, form, "--format", "json")
    assert result.exit_code == 2
    files = json.loads(result.stdout)["files"]
    assert [(f["path"], f["status"]) for f in files] == [(str(folder), "unreadable"), (str(form), "ok")]
    assert files[0]["findings"][0]["code"] == "unreadable"
    assert files[0]["findings"][0]["message"] == f"{folder}: {NOT_A_FILE}"
    result = run("check", folder, "--format", "json")
    assert result.exit_code == 2
    assert [(f["path"], f["status"]) for f in json.loads(result.stdout)["files"]] == [(str(folder), "unreadable")]
    result = run("check", folder)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[:2] == [f"{folder}: ilegible", f"  ✗ {folder}: {NOT_A_FILE} [unreadable]"]


def leaf_commands(group=main, path=()):
    """Every command that runs something (not a group), as argument lists."""
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield [*path, name]


def help_of(*args) -> str:
    """The help as a person reads it, whatever the terminal width wrapped."""
    result = run(*args, "--help")
    assert result.exit_code == 0, args
    return " ".join(result.output.split())


def test_help_texts_say_what_is_accepted_and_the_exit_status():
    assert ("ARCHIVOS son formatos (.xlsx, .xlsm u .ods) o carpetas (se revisan todos los formatos dentro)."
            in help_of("check"))
    assert ("Estado de salida: 0 formatos escritos · 2 uso o datos incorrectos (catálogo inválido, archivo que ya "
            "existe sin --force).") in help_of("generate")
    with_catalog = []
    for args in leaf_commands():
        shown = help_of(*args)
        assert "Estado de salida: 0" in shown, args
        if "--catalog RUTA" in shown:
            with_catalog.append(args[-1])
            assert ("--catalog RUTA Catálogo: archivo YAML, carpeta o libro de catálogo .xlsx (el de poaxl catalog "
                    "export). Por omisión $POAXL_CATALOG o el catálogo integrado.") in shown, args
    assert {"units", "generate", "check", "send", "report", "collect", "status", "export"} <= set(with_catalog)
    catalog = help_of("catalog")
    assert "Ejemplos: poaxl catalog check catalogo-2021/" in catalog
    assert "poaxl catalog export --out catalogo.xlsx" in catalog and "poaxl catalog import formatos-2020/" in catalog


def test_readme_no_longer_says_an_ods_gives_only_the_number_of_a_percentage():
    from conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "gives poaxl the number only" not in readme
    assert "as 0.9 shown with a % format (read alike from `.xlsx` and `.ods`)" in readme
