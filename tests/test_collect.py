"""`poaxl collect` and `poaxl status` against a real Dovecot IMAP server (tests/dovecot.py) and the
real aiosmtpd server of the send tests: coordinators' replies built with the `email` package, carrying
forms filled by LibreOffice and by openpyxl, put into the mailbox through IMAP APPEND."""
from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import dovecot as dc
from conftest import apply_openpyxl, cell, on_plan_ops
from test_mail import Inbox, cert, free_port, smtp  # noqa: F401  (the send tests' SMTP server and certificate)
from poaxl.check import expand
from poaxl.cli import main
from poaxl.collect import LOG_NAME, collect
from poaxl.generate import generate
from poaxl.imap import ImapSettings, MailboxError
from poaxl.mail import SmtpSettings, read_log

ROOT = Path(__file__).resolve().parent.parent
OFFICE = "planeacion@example.org"
COORD_003, CC_003 = "atencion.ciudadana@example.org", "enlace.atencion@example.org"
SUBJECT_003 = "RE: POA 2020 · Avance físico T2 · 003 Atención Ciudadana"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODS = ("application", "vnd.oasis.opendocument.spreadsheet")
CURRENT_003 = "TMM-F004_2020_T2_003.xlsx"


@pytest.fixture(scope="module")
def server(cert):  # noqa: F811
    """One Dovecot for the module (plain, STARTTLS and implicit TLS); each test gets its own mailbox user."""
    if dc.DOVECOT is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot (dovecot-imapd) is missing under CI=true")
        pytest.skip("dovecot not installed")
    instance = dc.Dovecot(cert).start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def forms(tmp_path_factory, catalog, libreoffice):
    """Forms as coordinators return them: filled and saved by a real LibreOffice (one session), and by openpyxl."""
    tmp = tmp_path_factory.mktemp("collect-forms")
    tpl = {u: generate([u], out=tmp / "tpl", catalog=catalog)[0] for u in ("003", "004")}
    c = lambda goal, key: cell(catalog, "003", goal, key)  # noqa: E731
    jobs = {
        "ok_003": {"src": tpl["003"], "dst": tmp / "lo" / CURRENT_003, "ops": on_plan_ops(catalog, "003"),
                   "ods": tmp / "lo" / "TMM-F004_2020_T2_003.ods"},  # saved in LibreOffice's own format too
        "ok_004": {"src": tpl["004"], "dst": tmp / "lo" / "TMM-F004_2020_T2_004.xlsx", "ops": on_plan_ops(catalog, "004")},
    }
    (tmp / "lo").mkdir()
    libreoffice.fill(list(jobs.values()))
    made = {name: job["dst"] for name, job in jobs.items()}
    made["ods_003"] = jobs["ok_003"]["ods"]
    (tmp / "op").mkdir()
    made["errors_003"] = apply_openpyxl(tpl["003"], tmp / "op" / "errores.xlsx",
                                        on_plan_ops(catalog, "003") + [["value", c("3.2", "a2"), 0]])
    made["fixed_003"] = apply_openpyxl(tpl["003"], tmp / "op" / "corregido.xlsx", on_plan_ops(catalog, "003")
                                       + [["value", c("3.2", "a2"), 0], ["value", c("3.2", "observations"),
                                                                           "Se suspendieron eventos por la contingencia."]])
    made["template_003"] = tpl["003"]
    made["error_cells"] = {"observations": c("3.2", "observations")}
    return made


class Office:
    """One test's mailbox, answers folder and SMTP inbox, and the ways to run collect on them."""

    def __init__(self, server, smtp, tmp_path, cert):  # noqa: F811
        self.server, self.tmp = server, tmp_path
        self.user, self.password = server.user()
        self.inbox, self.smtp_port = smtp()
        self.out = tmp_path / "respuestas"
        self.cafile = str(cert[0])

    def imap(self, security: str = "none", **kw) -> ImapSettings:
        port = self.server.imaps_port if security == "ssl" else self.server.imap_port
        return ImapSettings(host="127.0.0.1", port=port, security=security, user=self.user, password=self.password,
                            cafile=self.cafile, timeout=10, **kw)

    def smtp(self) -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.smtp_port, security="none", timeout=5)

    def deliver(self, *messages: bytes, when: list[float] | None = None) -> None:
        self.server.append(self.user, self.password, list(messages), when=when)

    def collect(self, security: str = "none", **kw):
        return collect(self.imap(security), out=self.out, smtp=self.smtp(), **kw)

    def env(self) -> dict:
        return {**os.environ, "PYTHONPATH": str(ROOT), "POAXL_IMAP_HOST": "127.0.0.1",
                "POAXL_IMAP_PORT": str(self.server.imap_port), "POAXL_IMAP_SECURITY": "none",
                "POAXL_IMAP_USER": self.user, "POAXL_IMAP_PASSWORD": self.password,
                "POAXL_SMTP_HOST": "127.0.0.1", "POAXL_SMTP_PORT": str(self.smtp_port),
                "POAXL_SMTP_SECURITY": "none"}

    def replies(self) -> list[tuple[list[str], EmailMessage]]:
        return list(self.inbox.messages)


@pytest.fixture
def office(server, smtp, tmp_path, cert):  # noqa: F811
    return Office(server, smtp, tmp_path, cert)


def reply_from(sender: str, *files: Path, subject: str = SUBJECT_003, headers: dict | None = None,
               names: list[str] | None = None, body: str = "Le envío el formato llenado. Saludos.") -> bytes:
    """A coordinator answering the office's message, with the filled workbook(s) attached."""
    msg = EmailMessage()
    msg["From"] = f"Coordinación <{sender}>"
    msg["To"] = OFFICE
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg["In-Reply-To"] = "<envio-003@example.org>"
    msg["References"] = "<inicio@example.org> <envio-003@example.org>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for i, f in enumerate(files):
        kind = ODS if Path(f).suffix == ".ods" else XLSX
        msg.add_attachment(Path(f).read_bytes(), maintype=kind[0], subtype=kind[1],
                           filename=(names[i] if names else Path(f).name))
    return bytes(msg)


def message_id(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


def history(office) -> list[Path]:
    folder = office.out / "historial"
    return sorted(p for p in folder.iterdir() if not p.name.endswith(".revisado.xlsx")) if folder.exists() else []


# --------------------------------------------------------------------------- the cases

def test_correct_form_is_filed_and_answered_in_the_thread(office, forms):
    raw = reply_from(COORD_003, forms["ok_003"])
    office.deliver(raw)
    run = office.collect("ssl")  # implicit TLS, the server's certificate checked against --imap-cafile
    assert run.totals() == {"received": 1, "accepted": 1, "rejected": 0, "quarantined": 0, "ignored": 0,
                            "failed": 0, "pending": 0}
    assert [f.state for f in run.messages[0].forms] == ["correcto"] and run.messages[0].reply == "enviada"
    current = office.out / CURRENT_003
    assert current.read_bytes() == forms["ok_003"].read_bytes()
    [archived] = history(office)
    assert archived.read_bytes() == current.read_bytes() and COORD_003 in archived.name
    assert expand([office.out]) == [current]  # report and generate --from read the folder as it is
    [(rcpts, reply)] = office.replies()
    assert sorted(rcpts) == [COORD_003, CC_003] and reply["To"] == COORD_003 and reply["Cc"] == CC_003
    assert reply["Subject"] == SUBJECT_003  # already "RE:": not "Re: RE:"
    assert reply["In-Reply-To"] == message_id(raw)
    assert reply["References"] == f"<inicio@example.org> <envio-003@example.org> {message_id(raw)}"
    assert reply["Auto-Submitted"] == "auto-replied"
    body = reply.get_body(("plain",)).get_content()
    assert "RECIBIDO Y CORRECTO" in body and "003 Atención Ciudadana, T2 2020" in body
    assert not list(reply.iter_attachments())


def test_form_with_errors_then_corrected_versions_replace_it(office, forms, catalog):
    start = time.time() - 3600
    office.deliver(reply_from(COORD_003, forms["errors_003"], names=[CURRENT_003]), when=[start])
    run = office.collect()
    [form] = run.messages[0].forms
    assert form.state == "con errores" and not form.current and not (office.out / CURRENT_003).exists()
    [(_, reply)] = office.replies()
    body = reply.get_body(("plain",)).get_content()
    where = forms["error_cells"]["observations"]
    assert "CON ERRORES: NO SE REGISTRÓ" in body and f"003 {where}: meta 3.2" in body and "OBSERVACIONES" in body
    [annotated] = list(reply.iter_attachments())
    assert annotated.get_filename() == "TMM-F004_2020_T2_003.revisado.xlsx"
    copy = office.tmp / "anotado.xlsx"
    copy.write_bytes(annotated.get_content())
    comment = openpyxl.load_workbook(copy).worksheets[0][where].comment
    assert comment is not None and "missing-observation" in comment.text

    office.deliver(reply_from(COORD_003, forms["fixed_003"]), when=[start + 60])
    second = office.collect()
    assert [f.state for f in second.messages[0].forms] == ["correcto"]
    assert (office.out / CURRENT_003).read_bytes() == forms["fixed_003"].read_bytes()
    office.deliver(reply_from(COORD_003, forms["ok_003"]), when=[start + 120])
    office.collect()
    assert (office.out / CURRENT_003).read_bytes() == forms["ok_003"].read_bytes()  # a later version replaces it
    assert len(history(office)) == 3 and len(office.replies()) == 3  # every version kept, none overwritten


def test_rerun_processes_nothing_and_sends_nothing(office, forms):
    office.deliver(reply_from(COORD_003, forms["ok_003"]), reply_from(COORD_003, forms["errors_003"]))
    first = office.collect("starttls")
    assert first.totals()["received"] == 2 and len(office.replies()) == 2
    log = (office.out / LOG_NAME).read_text(encoding="utf-8")
    assert office.password not in log
    again = office.collect("starttls")
    assert again.messages == [] and len(office.replies()) == 2
    assert (office.out / LOG_NAME).read_text(encoding="utf-8") == log


def test_reply_refused_after_filing_then_sent_once_on_rerun(office, forms):
    """A crash between filing and replying: the SMTP server keeps answering 451 (a real failure path)."""
    office.inbox.flaky = 100
    office.deliver(reply_from(COORD_003, forms["ok_003"]))
    run = office.collect()
    assert run.failed and run.messages[0].reply == "fallida" and "451" in run.messages[0].reason
    assert (office.out / CURRENT_003).exists() and len(history(office)) == 1  # the form is not lost
    assert office.replies() == []
    office.inbox.flaky = 0
    rerun = office.collect()
    assert not rerun.failed and rerun.messages[0].reply == "enviada" and len(office.replies()) == 1
    assert len(history(office)) == 1  # filed once, not twice
    assert office.collect().messages == [] and len(office.replies()) == 1


def test_a_reply_refused_for_good_is_reported_once(office, forms):
    office.inbox.refuse = {COORD_003, CC_003}  # 550: the address does not exist
    office.deliver(reply_from(COORD_003, forms["ok_003"]))
    run = office.collect()
    assert run.failed and run.messages[0].reply == "rechazada" and "550" in run.messages[0].reason
    assert run.totals()["failed"] == 1 and (office.out / CURRENT_003).exists()
    assert office.collect().messages == []  # not retried on every run


class KillOnData(Inbox):
    """An SMTP server that receives the reply, then the collecting process is killed before it hears 250."""

    process: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        result = await super().handle_DATA(server, session, envelope)
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        return result


def test_killed_while_replying_never_replies_twice(server, tmp_path, cert, forms):  # noqa: F811
    from aiosmtpd.controller import Controller

    user, password = server.user()
    handler, port = KillOnData(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        office = Office(server, lambda: (handler, port), tmp_path, cert)
        office.deliver(reply_from(COORD_003, forms["ok_003"]))
        handler.process = subprocess.Popen([sys.executable, "-m", "poaxl", "collect", "--out", str(office.out)],
                                           env=office.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        handler.process.wait(timeout=120)
        assert handler.process.returncode == -signal.SIGKILL and len(handler.messages) == 1
        handler.process = None
        assert (office.out / CURRENT_003).exists()  # filed before the reply
        rerun = office.collect()
        assert rerun.messages[0].reply == "sin confirmar" and len(handler.messages) == 1
        assert office.collect().messages == [] and len(handler.messages) == 1
        rows = json.loads(CliRunner().invoke(main, ["status", "--out", str(office.out), "--format", "json"]).output)
        row = next(r for r in rows["units"] if r["unit"] == "003")
        assert row["state"] == "correcto" and row["reply_result"] == "pendiente"  # shown as «sin confirmar»
    finally:
        controller.stop()


def test_sender_not_among_the_units_contacts_is_quarantined(office, forms):
    office.deliver(reply_from("intruso@otro.example", forms["ok_003"]),
                   reply_from("fomento.economico@example.org", forms["ok_003"]))  # 004's coordinator, 003's form
    run = office.collect()
    assert run.totals()["quarantined"] == 2 and run.totals()["accepted"] == 0
    assert [f.state for m in run.messages for f in m.forms] == ["en cuarentena", "en cuarentena"]
    assert "no es contacto de la unidad 003" in run.messages[0].forms[0].reason
    assert len(list((office.out / "cuarentena").iterdir())) == 2 and history(office) == []
    assert not (office.out / CURRENT_003).exists() and office.replies() == []


def test_auto_replies_and_bounces_are_never_answered(office, forms):
    out_of_office = reply_from(COORD_003, forms["ok_003"], subject="Respuesta automática: fuera de la oficina",
                               headers={"Auto-Submitted": "auto-replied"})
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@example.org>"
    bounce["To"] = OFFICE
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = make_msgid(domain="example.org")
    bounce.set_content("No se pudo entregar el mensaje.")
    original = email.message_from_bytes(reply_from(COORD_003, forms["template_003"]), policy=email.policy.default)
    bounce.add_attachment(original)  # the returned message, with a workbook inside
    bounce.replace_header("Content-Type", bounce["Content-Type"].replace("multipart/mixed", "multipart/report"))
    bulk = reply_from(COORD_003, forms["ok_003"], headers={"Precedence": "bulk"})
    plain = reply_from(COORD_003, body="Gracias, lo envío mañana.")
    office.deliver(out_of_office, bytes(bounce), bulk, plain)
    run = office.collect()
    assert [m.result for m in run.messages] == ["ignorado"] * 4
    reasons = [m.reason for m in run.messages]
    assert "Auto-Submitted" in reasons[0] and "Precedence: bulk" in reasons[2] and "no trae un formato" in reasons[3]
    assert office.replies() == [] and not office.out.joinpath("historial").exists()


def test_corrupt_attachment_gets_a_reply_saying_why(office, forms):
    broken = office.tmp / CURRENT_003
    broken.write_bytes(forms["ok_003"].read_bytes()[:3000])  # a truncated upload
    office.deliver(reply_from(COORD_003, broken))
    run = office.collect()
    assert [f.state for f in run.messages[0].forms] == ["ilegible"] and run.totals()["rejected"] == 1
    [(_, reply)] = office.replies()
    body = reply.get_body(("plain",)).get_content()
    assert "NO SE PUDO LEER" in body and "dañado o incompleto" in body and str(office.tmp) not in body
    assert not (office.out / CURRENT_003).exists() and len(history(office)) == 1


def test_two_forms_in_one_message(office, forms, tmp_path, catalog):
    contacts = tmp_path / "contactos.yaml"
    contacts.write_text('"003": {to: [coord@example.org]}\n"004": {to: [coord@example.org], cc: [jefe@example.org]}\n',
                        encoding="utf-8")
    office.deliver(reply_from("coord@example.org", forms["ok_003"], forms["ok_004"]))
    run = office.collect(contacts=contacts)
    assert sorted((f.unit, f.state) for f in run.messages[0].forms) == [("003", "correcto"), ("004", "correcto")]
    assert (office.out / CURRENT_003).exists() and (office.out / "TMM-F004_2020_T2_004.xlsx").exists()
    [(rcpts, reply)] = office.replies()  # one answer for the message
    assert sorted(rcpts) == ["coord@example.org", "jefe@example.org"]
    body = reply.get_body(("plain",)).get_content()
    assert "con 2 formato(s)" in body and body.count("RECIBIDO Y CORRECTO") == 2
    # report and generate --from read the answers folder as it is (historial/ is not counted twice)
    consolidated = CliRunner().invoke(main, ["report", str(office.out), "--out", str(tmp_path / "c.xlsx"),
                                             "--format", "json"])
    assert consolidated.exit_code == 0, consolidated.output
    status = {u["unit"]: u["status"] for u in json.loads(consolidated.output)["units"]}
    assert status["003"] == status["004"] == "entregado" and status["001"] == "sin entregar"
    t3 = CliRunner().invoke(main, ["generate", "--unit", "003", "--quarter", "3", "--from", str(office.out),
                                   "--out", str(tmp_path / "T3")])
    assert t3.exit_code == 0, t3.output
    sheet = openpyxl.load_workbook(tmp_path / "T3" / "TMM-F004_2020_T3_003.xlsx").worksheets[0]
    assert sheet[cell(catalog, "003", "3", "a2")].value == 5020  # carried forward from the accepted answer


def test_hostile_headers_and_names(office, forms):
    raw = reply_from(COORD_003, forms["ok_003"], names=["../../../etc/cron.d/x.xlsx"]).replace(
        SUBJECT_003.encode(), b"=?utf-8?q?Formato=0D=0ABcc:_todos@example.org?=", 1)
    office.deliver(raw)
    run = office.collect()
    [form] = run.messages[0].forms
    assert form.state == "correcto" and Path(form.path).parent == office.out / "historial"
    assert "/" not in form.name and ".." not in Path(form.path).name
    [(rcpts, reply)] = office.replies()
    assert "todos@example.org" not in rcpts and reply["Bcc"] is None and "\n" not in reply["Subject"]


def test_oversized_message_is_skipped_without_fetching(office, forms):
    from poaxl.inbound import Limits

    office.deliver(reply_from(COORD_003, forms["ok_003"]))
    run = office.collect(limits=Limits(message_bytes=4096))
    assert run.messages[0].result == "demasiado grande" and "MB" in run.messages[0].reason
    assert office.replies() == [] and history(office) == []
    assert office.collect(limits=Limits(message_bytes=4096)).messages == []  # reported once
    assert office.collect().totals()["accepted"] == 1  # a larger limit takes it


def test_dry_run_writes_the_replies_and_files_nothing(office, forms, tmp_path):
    office.deliver(reply_from(COORD_003, forms["errors_003"]))
    run = office.collect(dry_run=tmp_path / "eml")
    assert run.messages[0].reply == "escrita" and office.replies() == []
    assert not office.out.exists() or not any(office.out.iterdir())
    [eml] = list((tmp_path / "eml").glob("*.eml"))
    reply = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert reply["Auto-Submitted"] == "auto-replied" and next(reply.iter_attachments())
    assert office.collect().totals()["rejected"] == 1  # the real run still does it


def test_server_down_and_wrong_password(server, office, tmp_path, monkeypatch):
    down = CliRunner().invoke(main, ["collect", "--out", str(tmp_path / "r"), "--imap-host", "127.0.0.1",
                                     "--imap-port", str(free_port()), "--imap-security", "none",
                                     "--imap-user", office.user], env={"POAXL_IMAP_PASSWORD": office.password})
    assert down.exit_code == 1 and "no se pudo conectar con el servidor de correo IMAP" in down.output
    assert "Traceback" not in down.output and office.password not in down.output
    # a wrong password: on a server of its own (Dovecot slows down later logins from the same address)
    own = dc.Dovecot().start()
    try:
        user, password = own.user()
        wrong = "otra-" + password
        result = CliRunner().invoke(main, ["collect", "--out", str(tmp_path / "r"), "--imap-host", "127.0.0.1",
                                           "--imap-port", str(own.imap_port), "--imap-security", "none",
                                           "--imap-user", user], env={"POAXL_IMAP_PASSWORD": wrong})
        assert result.exit_code == 1 and "rechazó la autenticación" in result.output
        assert wrong not in result.output and password not in result.output
    finally:
        own.stop()
    missing = CliRunner().invoke(main, ["collect", "--out", str(tmp_path / "r"), "--imap-host", "127.0.0.1",
                                        "--imap-port", str(server.imap_port), "--imap-security", "none",
                                        "--imap-user", office.user, "--folder", "Respuestas"],
                                 env={"POAXL_IMAP_PASSWORD": office.password})
    assert missing.exit_code == 1 and "no existe la carpeta «Respuestas»" in missing.output
    untrusted = ImapSettings(host="127.0.0.1", port=server.imaps_port, security="ssl", user=office.user,
                             password=office.password, timeout=5)  # without --imap-cafile
    with pytest.raises(MailboxError, match="falló la conexión segura"):
        collect(untrusted, out=tmp_path / "r")


def test_cli_collect_table_and_json(office, forms, tmp_path):
    office.deliver(reply_from(COORD_003, forms["ok_003"]), reply_from(COORD_003, body="Sin archivo"))
    config = tmp_path / "correo.yaml"  # the same file as send's, with an imap: section
    config.write_text(f"imap:\n  host: 127.0.0.1\n  port: {office.server.imap_port}\n  security: none\n"
                      f"  user: {office.user}\nsmtp:\n  host: 127.0.0.1\n  port: {office.smtp_port}\n"
                      "  security: none\n", encoding="utf-8")
    env = {k: v for k, v in office.env().items() if not k.startswith(("POAXL_IMAP_", "POAXL_SMTP_"))}
    result = CliRunner().invoke(main, ["collect", "--out", str(office.out), "--format", "json", "--config",
                                       str(config)], env={**env, "POAXL_IMAP_PASSWORD": office.password})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["accepted"] == 1 and data["totals"]["ignored"] == 1
    assert data["messages"][0]["forms"][0]["state"] == "correcto"
    office.deliver(reply_from("intruso@otro.example", forms["ok_003"]))
    text = CliRunner().invoke(main, ["collect", "--out", str(office.out)], env=office.env())
    assert text.exit_code == 0 and "1 recibido(s): 0 aceptado(s), 0 rechazado(s), 1 en cuarentena" in text.output


def test_status_before_and_after(office, forms, tmp_path, catalog):
    sent = tmp_path / "formatos"
    from poaxl.mail import send

    send(["003", "004"], catalog=catalog, settings=office.smtp(), out=sent)
    args = ["status", "--out", str(office.out), "--sent", str(sent), "--format", "json"]
    before = CliRunner().invoke(main, args)
    assert before.exit_code == 0, before.output
    assert before.stderr.startswith("Aviso: --out ")  # collect makes the answers folder: not there yet
    rows = {r["unit"]: r for r in json.loads(before.stdout)["units"]}
    assert len(rows) == 6 and rows["003"]["state"] == "sin entregar" and rows["003"]["sent"]
    assert rows["001"]["sent"] is None
    office.deliver(reply_from(COORD_003, forms["ok_003"]), reply_from("intruso@otro.example", forms["ok_004"]))
    office.collect()
    after = {r["unit"]: r for r in json.loads(CliRunner().invoke(main, args).output)["units"]}
    assert after["003"]["state"] == "correcto" and after["003"]["received_from"] == COORD_003
    assert after["003"]["reply"] and after["003"]["current"]
    assert after["004"]["state"] == "en cuarentena"
    table = CliRunner().invoke(main, ["status", "--out", str(office.out), "--sent", str(sent)])
    assert table.exit_code == 0 and "correcto" in table.output and "sin entregar" in table.output


def test_watch_until_ctrl_c(office, forms):
    office.deliver(reply_from(COORD_003, forms["ok_003"]))
    arrived = threading.Event()
    original = office.inbox.handle_DATA

    async def signal_arrival(server, session, envelope):
        result = await original(server, session, envelope)
        arrived.set()
        return result

    office.inbox.handle_DATA = signal_arrival
    proc = subprocess.Popen([sys.executable, "-m", "poaxl", "collect", "--out", str(office.out), "--watch", "1"],
                            env=office.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            # started as a background job is: SIGINT inherited as ignored; Ctrl-C must still stop it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    log = office.out / LOG_NAME
    try:
        assert arrived.wait(120)
        for _ in range(1200):  # bounded: until the message is recorded as done
            if log.exists() and '"event": "mensaje"' in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and b"Traceback" not in err and "Recepción detenida.".encode() in err
    assert len(office.replies()) == 1 and [e["result"] for e in read_log(log) if e["event"] == "mensaje"] == ["procesado"]


def test_multi_ramo_units_are_told_apart(office, tmp_path):
    from test_multi_ramo import make_multi_ramo

    cat = make_multi_ramo(tmp_path)
    from poaxl.catalog import load_catalog

    municipio = load_catalog(cat)
    made = {}
    for unit in ("01-003", "05-003"):
        template = generate([unit], out=tmp_path / "tpl", catalog=municipio)[0]
        made[unit] = apply_openpyxl(template, tmp_path / f"lleno-{unit}.xlsx", on_plan_ops(municipio, unit))
    office.deliver(reply_from("tesoreria-003@example.org", made["05-003"], made["01-003"]))
    run = office.collect(catalog=municipio)
    states = sorted((f.unit, f.state) for f in run.messages[0].forms)
    assert states == [("01-003", "en cuarentena"), ("05-003", "correcto")]
    assert (office.out / "TMM-F004_2020_T2_05-003.xlsx").exists() and not (office.out / CURRENT_003).exists()
    [(rcpts, reply)] = office.replies()
    assert rcpts == ["tesoreria-003@example.org"] and "05-003 Ingresos" in reply.get_body(("plain",)).get_content()
    rows = {r["unit"]: r for r in json.loads(CliRunner().invoke(
        main, ["status", "--out", str(office.out), "--catalog", str(cat), "--format", "json"]).output)["units"]}
    assert rows["05-003"]["state"] == "correcto" and rows["01-003"]["state"] == "en cuarentena"


def test_hostile_structure_is_bounded(forms):
    from poaxl.inbound import Limits, clean, parse, safe_name, workbooks

    deep = EmailMessage()
    deep.set_content("x")
    for _ in range(60):  # a MIME bomb: parts inside parts
        outer = EmailMessage()
        outer.make_mixed()
        outer.attach(deep)
        deep = outer
    found, note = workbooks(parse(bytes(deep)), Limits())
    assert found == [] and "demasiado compleja" in note
    many = email.message_from_bytes(reply_from(COORD_003, *[forms["ok_003"]] * 12), policy=email.policy.default)
    found, note = workbooks(many, Limits(attachments=10))
    assert len(found) == 10 and "más de 10 archivos" in note
    big, _ = workbooks(many, Limits(attachment_bytes=1000))
    assert big[0].data is None and "más de lo que admite" in big[0].problem
    assert safe_name("..\\..\\Windows\\system32\\ñandú.xlsx") == "nandu.xlsx"
    assert safe_name("../../") == "adjunto" and "/" not in safe_name("a/b\x00c\r\nd")
    assert clean("hola\r\nBcc: todos@example.org\x00") == "hola Bcc: todos@example.org"


def test_a_form_saved_as_ods_is_accepted_and_later_replaced_by_an_xlsx(office, forms):
    start = time.time() - 600
    office.deliver(reply_from(COORD_003, forms["ods_003"]), when=[start])
    run = office.collect()
    assert [f.state for f in run.messages[0].forms] == ["correcto"]
    ods = office.out / "TMM-F004_2020_T2_003.ods"
    assert ods.read_bytes() == forms["ods_003"].read_bytes() and expand([office.out]) == [ods]
    office.deliver(reply_from(COORD_003, forms["ok_003"]), when=[start + 60])
    office.collect()
    assert not ods.exists() and expand([office.out]) == [office.out / CURRENT_003]  # one current answer per unit


def test_messages_per_run_are_bounded_and_the_rest_wait(office, forms):
    from poaxl.inbound import Limits

    office.deliver(*(reply_from(COORD_003, forms["ok_003"]) for _ in range(3)))
    first = office.collect(limits=Limits(messages=2))
    assert first.totals()["received"] == 2 and first.totals()["pending"] == 1
    second = office.collect(limits=Limits(messages=2))
    assert second.totals()["received"] == 1 and second.totals()["pending"] == 0 and len(office.replies()) == 3


def test_the_mailbox_password_is_never_an_argument(tmp_path):
    result = CliRunner().invoke(main, ["collect", "--imap-password", "x"])
    assert result.exit_code == 2 and "--imap-password" in result.output
    env = {k: None for k in os.environ if k.startswith(("POAXL_IMAP_", "POAXL_SMTP_"))}
    asked = CliRunner().invoke(main, ["collect", "--out", str(tmp_path), "--imap-user", "planeacion"], input="",
                               env=env)
    assert asked.exit_code == 2 and "POAXL_IMAP_PASSWORD" in asked.output and not (tmp_path / LOG_NAME).exists()
