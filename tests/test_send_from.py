"""`send --from` after the catalog gained ramos: the forms generated before are named without the ramo
(TMM-F004_2020_T2_003.xlsx, now 01-003's name is TMM-F004_2020_T2_01-003.xlsx). Such a form is sent when it
says it is that unit's and is up to date with the catalog; otherwise the error says what is missing. `status`
finds what was sent, received and filed under the earlier names too."""
from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from poaxl.catalog import load_catalog
from poaxl.cli import main
from poaxl.generate import generate
from poaxl.mail import send

from test_collect import server  # noqa: F401  (a real Dovecot)
from test_mail import cert, plain, smtp  # noqa: F401  (the real aiosmtpd server fixture)
from test_multi_ramo import make_multi_ramo


def municipio(tmp_path, catalog, same_id=True):
    """The built-in catalog with ramo 05 added; ``same_id``: the office kept its catalog's id."""
    path = make_multi_ramo(tmp_path)
    if same_id:
        head = yaml.safe_load((path / "catalog.yaml").read_text(encoding="utf-8"))
        head["id"] = catalog.id
        (path / "catalog.yaml").write_text(yaml.safe_dump(head, allow_unicode=True), encoding="utf-8")
    return path


def test_form_named_before_the_ramos_is_sent(tmp_path, catalog, smtp):  # noqa: F811
    old = tmp_path / "formatos"
    generate(["003"], out=old, catalog=catalog)  # the one-ramo catalog: TMM-F004_2020_T2_003.xlsx
    inbox, port = smtp()
    [outcome] = send(["01-003"], catalog=load_catalog(municipio(tmp_path, catalog)), settings=plain(port),
                     from_dir=old)
    assert outcome.result == "sent" and outcome.form == str(old / "TMM-F004_2020_T2_003.xlsx")
    [(_, msg)] = inbox.messages
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == "TMM-F004_2020_T2_003.xlsx"
    assert attachment.get_content() == (old / "TMM-F004_2020_T2_003.xlsx").read_bytes()


def test_earlier_name_of_another_ramos_unit_is_not_sent(tmp_path, catalog, smtp):  # noqa: F811
    old = tmp_path / "formatos"
    generate(["003"], out=old, catalog=catalog)  # 01-003's form: never 05-003's
    inbox, port = smtp()
    result = CliRunner().invoke(main, ["send", "--unit", "05-003", "--from", str(old), "--catalog",
                                       str(municipio(tmp_path, catalog)), "--smtp-host", "127.0.0.1",
                                       "--smtp-port", str(port), "--smtp-security", "none"])
    assert result.exit_code == 2 and inbox.messages == []
    assert (f"Error: No se encontraron los formatos en --from: {old / 'TMM-F004_2020_T2_05-003.xlsx'} "
            "(TMM-F004_2020_T2_003.xlsx, su nombre anterior, es de la unidad 01-003). Genérelos con poaxl "
            f"generate --unit 05-003 --out {old}, o envíe sin --from (se generan en --out).") in result.output


def test_earlier_form_of_a_renamed_catalog_is_not_sent(tmp_path, catalog, smtp):  # noqa: F811
    old = tmp_path / "formatos"
    generate(["003"], out=old, catalog=catalog)
    inbox, port = smtp()
    result = CliRunner().invoke(main, ["send", "--unit", "01-003", "--from", str(old), "--catalog",
                                       str(municipio(tmp_path, catalog, same_id=False)), "--smtp-host",
                                       "127.0.0.1", "--smtp-port", str(port), "--smtp-security", "none"])
    assert result.exit_code == 2 and inbox.messages == []
    assert ("(TMM-F004_2020_T2_003.xlsx, su nombre anterior, no sirve: 01-003: el formato es del catálogo "
            "mexicali-2020-r01 (2020) y se revisa con mexicali-2020 (2020)") in result.output


def test_missing_form_says_both_names(tmp_path, catalog):
    empty = tmp_path / "vacia"
    empty.mkdir()
    result = CliRunner().invoke(main, ["send", "--unit", "01-004", "--from", str(empty), "--dry-run",
                                       str(tmp_path / "eml"), "--catalog", str(municipio(tmp_path, catalog))])
    assert result.exit_code == 2
    assert (f"{empty / 'TMM-F004_2020_T2_01-004.xlsx'} (tampoco está con su nombre de antes de los ramos, "
            "TMM-F004_2020_T2_004.xlsx)") in result.output
    one_ramo = CliRunner().invoke(main, ["send", "--unit", "004", "--from", str(empty), "--dry-run",
                                         str(tmp_path / "eml")])
    assert f"{empty / 'TMM-F004_2020_T2_004.xlsx'} (no existe)" in one_ramo.output


def test_status_finds_what_was_sent_and_collected_before_the_ramos(server, tmp_path, cert, smtp, catalog):  # noqa: F811
    """Sent, received and filed under the one-ramo catalog (log lines and files say 003); then the catalog
    gains ramo 05 (with its own 003): status still shows 01-003's delivery, and none for 05-003."""
    from test_collect import COORD_003, Office, reply_from

    from conftest import apply_openpyxl, on_plan_ops

    office = Office(server, smtp, tmp_path, cert)
    sent = tmp_path / "formatos"
    send(["003"], catalog=catalog, settings=office.smtp(), out=sent)
    form = apply_openpyxl(sent / "TMM-F004_2020_T2_003.xlsx", tmp_path / "lleno.xlsx", on_plan_ops(catalog, "003"))
    office.deliver(reply_from(COORD_003, form))
    assert [f.state for f in office.collect(catalog=catalog).messages[0].forms] == ["correcto"]
    assert (office.out / "TMM-F004_2020_T2_003.xlsx").exists()
    result = CliRunner().invoke(main, ["status", "--out", str(office.out), "--sent", str(sent), "--catalog",
                                       str(municipio(tmp_path, catalog)), "--format", "json"])
    rows = {r["unit"]: r for r in json.loads(result.output)["units"]}
    assert rows["01-003"]["state"] == "correcto" and rows["01-003"]["sent"] and rows["01-003"]["received"]
    assert rows["01-003"]["current"] == str(office.out / "TMM-F004_2020_T2_003.xlsx")
    assert (rows["05-003"]["state"], rows["05-003"]["sent"], rows["05-003"]["current"]) == ("sin entregar", None, None)
