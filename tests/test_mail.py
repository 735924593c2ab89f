"""`poaxl send` against a real SMTP server (aiosmtpd) on 127.0.0.1, with and without STARTTLS and AUTH."""
from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from poaxl.cli import main
from poaxl.mail import LOG_NAME, SmtpSettings, read_log, send

PASSWORD = "s3creta-Ñandú"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message; refuses addresses in ``refuse``; 451 on the first ``flaky`` DATA."""

    def __init__(self, refuse=(), flaky=0):
        self.messages, self.refuse, self.flaky = [], set(refuse), flaky
        self.sessions = []  # one aiosmtpd session object per client connection (kept, so ids are not reused)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 buzón inexistente"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.flaky:
            self.flaky -= 1
            return "451 4.3.0 intente más tarde"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)
        return "250 Message accepted"


@pytest.fixture
def smtp():
    """A plain SMTP server; yields (inbox, settings)."""
    started = []

    def start(**kw):
        inbox = Inbox(kw.pop("refuse", ()), kw.pop("flaky", 0))
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kw)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for c in started:
        c.stop()


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is missing under CI=true")
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "key.pem",
                    "-out", d / "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


@pytest.fixture(scope="module")
def server_tls(cert):
    """The server side of TLS, with the test certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"planeacion" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def plain(port) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5)


def test_sends_one_message_per_unit_with_the_workbook(tmp_path, smtp, catalog):
    inbox, port = smtp()
    outcomes = send(all_units=True, catalog=catalog, settings=plain(port), out=tmp_path)
    assert [o.result for o in outcomes] == ["sent"] * 6
    assert len(inbox.messages) == 6 and len(inbox.sessions) == 1  # one connection for the batch
    rcpts, msg = next((r, m) for r, m in inbox.messages if "003" in m["Subject"])
    assert msg["Subject"] == "POA 2020 · Avance físico T2 · 003 Atención Ciudadana"
    assert sorted(rcpts) == ["atencion.ciudadana@example.org", "enlace.atencion@example.org"]
    assert msg["Cc"] == "enlace.atencion@example.org" and msg["Reply-To"] == "planeacion@example.org"
    body = msg.get_body(("plain",)).get_content()
    assert "segundo trimestre de 2020" in body and "10 de julio de 2020" in body and "OBSERVACIONES" in body
    assert "Atención Ciudadana" in msg.get_body(("html",)).get_content()
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_filename() == "TMM-F004_2020_T2_003.xlsx"
    assert attachment.get_content() == (tmp_path / "TMM-F004_2020_T2_003.xlsx").read_bytes()


def test_second_run_sends_nothing_and_resend_sends_again(tmp_path, smtp, catalog):
    inbox, port = smtp()
    send(["003", "004"], catalog=catalog, settings=plain(port), out=tmp_path)
    again = send(["003", "004"], catalog=catalog, settings=plain(port), out=tmp_path)
    assert [o.result for o in again] == ["skipped", "skipped"] and len(inbox.messages) == 2
    forced = send(["003"], catalog=catalog, settings=plain(port), out=tmp_path, resend=True)
    assert forced[0].result == "sent" and len(inbox.messages) == 3
    log = read_log(tmp_path / LOG_NAME)
    assert [(e["unit"], e["result"]) for e in log] == [("003", "sent"), ("004", "sent"), ("003", "sent")]
    assert all(e["message_id"].startswith("<") and e["time"] and e["quarter"] == 2 for e in log)


def test_a_line_cut_by_a_crash_does_not_break_the_log(tmp_path, smtp, catalog):
    inbox, port = smtp()
    send(["003"], catalog=catalog, settings=plain(port), out=tmp_path)
    with open(tmp_path / LOG_NAME, "a", encoding="utf-8") as fh:
        fh.write('{"unit": "004", "resu')  # the process died mid-write
    outcomes = send(["003", "004"], catalog=catalog, settings=plain(port), out=tmp_path)
    assert [o.result for o in outcomes] == ["skipped", "sent"]


def test_starttls_and_auth(tmp_path, smtp, catalog, cert, server_tls, monkeypatch):
    certfile = cert[0]
    inbox, port = smtp(tls_context=server_tls, require_starttls=True, auth_required=True,
                       authenticator=authenticator)
    monkeypatch.setenv("POAXL_SMTP_PASSWORD", PASSWORD)
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--out", str(tmp_path), "--smtp-host", "127.0.0.1",
                                       "--smtp-port", str(port), "--smtp-security", "starttls",
                                       "--smtp-user", "planeacion", "--cafile", str(certfile)])
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1 and "enviado" in result.output
    assert PASSWORD not in result.output and PASSWORD not in (tmp_path / LOG_NAME).read_text(encoding="utf-8")


def test_auth_refused_fails_every_unit_without_leaking_the_password(tmp_path, smtp, catalog, cert, server_tls,
                                                                   monkeypatch):
    certfile = cert[0]
    inbox, port = smtp(tls_context=server_tls, require_starttls=True, auth_required=True,
                       authenticator=authenticator)
    monkeypatch.setenv("POAXL_SMTP_PASSWORD", "otra-" + PASSWORD)
    monkeypatch.setenv("POAXL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("POAXL_SMTP_PORT", str(port))
    monkeypatch.setenv("POAXL_SMTP_USER", "planeacion")
    monkeypatch.setenv("POAXL_SMTP_CAFILE", str(certfile))
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--unit", "004", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("autenticación") == 2 and not inbox.messages
    assert PASSWORD not in result.output and PASSWORD not in (tmp_path / LOG_NAME).read_text(encoding="utf-8")


def test_server_down(tmp_path, catalog):
    outcomes = send(["003", "004"], catalog=catalog, settings=plain(free_port()), out=tmp_path)
    assert [o.result for o in outcomes] == ["failed", "failed"]
    assert all("no se pudo conectar" in o.reason for o in outcomes)
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--out", str(tmp_path), "--smtp-host", "127.0.0.1",
                                       "--smtp-port", str(free_port()), "--smtp-security", "none"])
    assert result.exit_code == 1 and "FALLÓ" in result.output and "Traceback" not in result.output


def test_one_recipient_refused_others_still_served(tmp_path, smtp, catalog):
    inbox, port = smtp(refuse={"fomento.economico@example.org"})
    outcomes = {o.unit: o for o in send(["003", "004", "005"], catalog=catalog, settings=plain(port), out=tmp_path)}
    assert outcomes["004"].result == "failed" and "fomento.economico@example.org" in outcomes["004"].reason
    assert "rechazado" in outcomes["004"].reason
    assert outcomes["003"].result == outcomes["005"].result == "sent" and len(inbox.messages) == 2
    retry = send(["003", "004", "005"], catalog=catalog, settings=plain(port), out=tmp_path)
    assert [o.result for o in retry] == ["skipped", "failed", "skipped"]  # the failed one is tried again


def test_temporary_failure_is_retried(tmp_path, smtp, catalog):
    inbox, port = smtp(flaky=1)
    outcomes = send(["003"], catalog=catalog, settings=plain(port), out=tmp_path, retries=2)
    assert outcomes[0].result == "sent" and len(inbox.messages) == 1
    inbox.flaky = 5
    outcomes = send(["004"], catalog=catalog, settings=plain(port), out=tmp_path, retries=1)
    assert outcomes[0].result == "failed" and "451" in outcomes[0].reason


def test_dry_run_writes_parseable_eml_and_sends_nothing(tmp_path, catalog):
    result = CliRunner().invoke(main, ["send", "--all", "--out", str(tmp_path / "f"), "--dry-run", str(tmp_path / "eml")])
    assert result.exit_code == 0
    files = sorted((tmp_path / "eml").glob("*.eml"))
    assert len(files) == 6 and not (tmp_path / "f" / LOG_NAME).exists()
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert msg["Subject"].startswith("POA 2020 · Avance físico T2 · 001") and next(msg.iter_attachments())


def test_contacts_file_validated_before_sending(tmp_path, smtp, catalog):
    inbox, port = smtp()
    bad = tmp_path / "contactos.csv"
    bad.write_text("unit,to,cc\n003,no-es-correo,\n004,fomento@example.org,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["send", "--all", "--contacts", str(bad), "--out", str(tmp_path),
                                       "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-security", "none"])
    assert result.exit_code == 2 and "no-es-correo" in result.output and not inbox.messages
    good = tmp_path / "contactos.yaml"
    good.write_text('"3": {to: [coord@example.org]}\n', encoding="utf-8")
    outcomes = send(["003"], catalog=catalog, settings=plain(port), out=tmp_path, contacts=good)
    assert outcomes[0].recipients == ["coord@example.org"] and inbox.messages[0][0] == ["coord@example.org"]
    partial = tmp_path / "pocos.csv"
    partial.write_text("unit,to,cc\n003,coord@example.org,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["send", "--all", "--contacts", str(partial), "--dry-run", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Sin destinatario" in result.output and "004" in result.output


def test_password_is_never_an_argument(tmp_path):
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--smtp-password", "x"])
    assert result.exit_code == 2 and "No existe la opción '--smtp-password'" in result.output
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--smtp-user", "u", "--out", str(tmp_path)], input="")
    assert result.exit_code == 2 and "POAXL_SMTP_PASSWORD" in result.output


def test_log_is_json_lines(tmp_path, smtp, catalog):
    inbox, port = smtp()
    send(["0046"], catalog=catalog, settings=plain(port), out=tmp_path)
    line = json.loads((tmp_path / LOG_NAME).read_text(encoding="utf-8").splitlines()[0])
    assert set(line) >= {"unit", "quarter", "recipients", "message_id", "time", "result"}
    assert line["unit"] == "0046" and line["recipients"] == ["transparencia@example.org"]


def test_implicit_tls(tmp_path, smtp, catalog, cert, server_tls):
    certfile = cert[0]
    inbox, port = smtp(ssl_context=server_tls)
    settings = SmtpSettings(host="127.0.0.1", port=port, security="ssl", cafile=str(certfile), timeout=5)
    outcomes = send(["005"], catalog=catalog, settings=settings, out=tmp_path)
    assert outcomes[0].result == "sent" and len(inbox.messages) == 1
    untrusted = SmtpSettings(host="127.0.0.1", port=port, security="ssl", timeout=5)
    failed = send(["004"], catalog=catalog, settings=untrusted, out=tmp_path)
    assert failed[0].result == "failed" and "conexión segura" in failed[0].reason


def test_some_recipients_refused_is_partial_and_not_sent_twice(tmp_path, smtp, catalog):
    inbox, port = smtp(refuse={"enlace.atencion@example.org"})
    result = CliRunner().invoke(main, ["send", "--unit", "003", "--out", str(tmp_path), "--smtp-host", "127.0.0.1",
                                       "--smtp-port", str(port), "--smtp-security", "none"])
    assert result.exit_code == 1 and "PARCIAL" in result.output and "enlace.atencion@example.org" in result.output
    assert [r for r, _ in inbox.messages] == [["atencion.ciudadana@example.org"]]
    again = send(["003"], catalog=catalog, settings=plain(port), out=tmp_path)
    assert again[0].result == "skipped" and len(inbox.messages) == 1  # the coordinator is not spammed
