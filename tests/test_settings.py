"""SMTP settings are resolved in the library (mail.smtp_settings), not in the CLI:
options > environment > config file > defaults; the password never from the file."""
from __future__ import annotations

import pytest

from poaxl.errors import PoaxlError
from poaxl.mail import smtp_settings


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "correo.yaml"
    path.write_text("smtp:\n  host: archivo.example\n  port: 2525\n  user: del-archivo\n  from: archivo@x.mx\n"
                    "  reply_to: respuestas@x.mx\n", encoding="utf-8")
    return path


def test_precedence_options_environment_file_defaults(config, monkeypatch):
    for var in ("HOST", "PORT", "SECURITY", "USER", "FROM", "CAFILE", "PASSWORD"):
        monkeypatch.delenv(f"POAXL_SMTP_{var}", raising=False)
    assert (smtp_settings().host, smtp_settings().port, smtp_settings().security) == ("localhost", 587, "starttls")
    from_file = smtp_settings(config)
    assert (from_file.host, from_file.port, from_file.user, from_file.sender, from_file.reply_to) == (
        "archivo.example", 2525, "del-archivo", "archivo@x.mx", "respuestas@x.mx")
    monkeypatch.setenv("POAXL_SMTP_HOST", "entorno.example")
    monkeypatch.setenv("POAXL_SMTP_FROM", "entorno@x.mx")
    monkeypatch.setenv("POAXL_SMTP_PASSWORD", "ñandú")
    from_env = smtp_settings(config)
    assert (from_env.host, from_env.port, from_env.sender, from_env.password) == (
        "entorno.example", 2525, "entorno@x.mx", "ñandú")
    given = smtp_settings(config, host="opcion.example", port=465, security="ssl", sender="opcion@x.mx")
    assert (given.host, given.port, given.security, given.sender) == ("opcion.example", 465, "ssl", "opcion@x.mx")


def test_password_in_the_file_is_refused(tmp_path):
    path = tmp_path / "correo.yaml"
    path.write_text("smtp:\n  password: secreta\n", encoding="utf-8")
    with pytest.raises(PoaxlError, match="POAXL_SMTP_PASSWORD"):
        smtp_settings(path)


def test_bad_port_is_a_spanish_error(monkeypatch):
    monkeypatch.setenv("POAXL_SMTP_PORT", "veinticinco")
    with pytest.raises(PoaxlError, match="Puerto SMTP «veinticinco» no válido"):
        smtp_settings()
