"""E-mail each unit's template to its coordinators: one message per unit, a reused SMTP connection,
bounded retries for temporary failures, and an append-only log so a second run sends nothing twice."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import smtplib
import socket
import ssl
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Callable, Iterable

from .catalog import Catalog, Unit, load_catalog, schema_path
from .errors import PoaxlError, network_reason, os_reason
from .files import atomic_path

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOG_NAME = "poaxl-envios.jsonl"
SECURITY = ("starttls", "ssl", "none")
MONTH_NAMES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
               "octubre", "noviembre", "diciembre")
ORDINAL = {1: "primer", 2: "segundo", 3: "tercer", 4: "cuarto"}


@dataclass
class SmtpSettings:
    """Where and how to send. The password never comes from a command-line argument."""

    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None
    sender: str | None = None    # From:, when not the catalog's
    reply_to: str | None = None  # Reply-To:, when not the catalog's

    def __post_init__(self):
        if self.security not in SECURITY:
            raise PoaxlError(f"Seguridad SMTP «{self.security}» no válida: use {', '.join(SECURITY)}.")
        if self.port is None:
            self.port = {"ssl": 465, "starttls": 587, "none": 25}[self.security]

    def context(self) -> ssl.SSLContext:
        return tls_context(self.cafile)


def tls_context(cafile: str | None) -> ssl.SSLContext:
    """A verifying TLS context. The CA file must be a regular file: a FIFO given as --cafile would block
    forever, a folder or a broken file would fail with OpenSSL's English words."""
    if cafile:
        import stat

        try:
            mode = os.stat(cafile).st_mode
        except OSError as exc:
            raise PoaxlError(f"{cafile}: no se pudo leer el certificado de la CA: {os_reason(exc)}.") from None
        if not stat.S_ISREG(mode):
            raise PoaxlError(f"{cafile}: el certificado de la CA debe ser un archivo normal (PEM).")
    try:
        return ssl.create_default_context(cafile=cafile)
    except ssl.SSLError:
        raise PoaxlError(f"{cafile}: no es un certificado de CA válido (formato PEM).") from None


def smtp_settings(config: Path | None = None, *, host: str | None = None, port: int | None = None,
                  security: str | None = None, user: str | None = None, cafile: str | None = None,
                  timeout: float = 30.0, sender: str | None = None, reply_to: str | None = None) -> SmtpSettings:
    """Options > environment (POAXL_SMTP_*) > the config file's ``smtp:`` section > defaults.

    The password comes only from POAXL_SMTP_PASSWORD (or a prompt, asked by the CLI), never the file."""
    from .imap import config_section

    conf = config_section(config, "smtp") if config else {}
    if "password" in conf:
        raise PoaxlError(f"{config}: la contraseña no va en el archivo: use POAXL_SMTP_PASSWORD.")
    env = os.environ.get

    def pick(option, var: str | None, key: str):
        return option if option is not None else (env(var) if var else None) or conf.get(key)

    port_value = pick(port, "POAXL_SMTP_PORT", "port")
    shown = str(port_value)[:20]
    try:
        port_value = int(str(port_value)[:6]) if port_value else None
    except ValueError:
        port_value = -1
    if port_value is not None and not 0 < port_value < 65536:
        raise PoaxlError(f"Puerto SMTP «{shown}» no válido: use un número entre 1 y 65535.")
    for value, what in ((pick(sender, "POAXL_SMTP_FROM", "from"), "El remitente (--from-addr, POAXL_SMTP_FROM o smtp.from)"),
                        (pick(reply_to, None, "reply_to"), "La dirección de respuesta (--reply-to o smtp.reply_to)")):
        if value:
            check_address(value, what)  # before any connection: a CR/LF would add header lines
    return SmtpSettings(host=str(pick(host, "POAXL_SMTP_HOST", "host") or "localhost"), port=port_value,
                        security=str(pick(security, "POAXL_SMTP_SECURITY", "security") or "starttls"),
                        user=pick(user, "POAXL_SMTP_USER", "user"), password=env("POAXL_SMTP_PASSWORD"),
                        timeout=timeout, cafile=pick(cafile, "POAXL_SMTP_CAFILE", "cafile"),
                        sender=pick(sender, "POAXL_SMTP_FROM", "from"), reply_to=pick(reply_to, None, "reply_to"))


@dataclass
class Outcome:
    unit: str
    result: str  # sent | partial (some recipients refused) | skipped | failed | dry-run
    recipients: list[str]
    reason: str = ""
    message_id: str = ""
    path: str = ""
    form: str = ""  # the workbook attached
    generated: bool = False  # the workbook was generated by this run (it was not in the folder)

    def to_dict(self) -> dict:
        """One line of `send --format json`."""
        return asdict(self)


# --------------------------------------------------------------------------- contacts

def load_contacts(catalog: Catalog, path: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Contacts from a YAML/CSV file (validated) or, without one, from the catalog's units.

    Keyed by ``Catalog.unit_id`` (``003``; ``01-003`` in a catalog of several ramos); a file may name
    a unit by its bare code when only one ramo has it."""
    if path is None:
        return {catalog.unit_id(u): dict(u.contacts) for u in catalog.units if u.contacts}
    from .safeyaml import load, read_text

    path = Path(path)
    if not path.exists():
        raise PoaxlError(f"{path}: no existe el archivo de contactos.")
    if path.suffix.lower() == ".csv":
        try:
            data = _contacts_csv(read_text(path, "archivo de contactos"))
        except csv.Error:
            raise PoaxlError(f"{path}: el CSV de contactos está mal formado (una comilla sin cerrar o un campo "
                             "demasiado largo).") from None
        except ValueError as exc:  # our own Spanish reasons
            raise PoaxlError(f"{path}: no se pudo leer el archivo de contactos: {exc}") from None
    else:
        data = load(path, "archivo de contactos")
        data = {} if data is None else data
    _validate_contacts(path, data)
    return {catalog.unit_id(catalog.unit(code)): value for code, value in data.items()}


def _contacts_csv(text: str) -> dict:
    import io

    data: dict[str, dict[str, list[str]]] = {}
    with io.StringIO(text, newline="") as fh:
        for row in csv.DictReader(fh):
            if not row.get("unit"):
                raise ValueError("falta la columna «unit» (unit,to,cc)")
            split = lambda s: [a.strip() for a in (s or "").replace(",", ";").split(";") if a.strip()]  # noqa: E731
            entry = data.setdefault(row["unit"].strip(), {"to": [], "cc": []})
            entry["to"] += split(row.get("to"))
            entry["cc"] += split(row.get("cc"))
    return data


def _validate_contacts(path: Path, data) -> None:
    from .catalog import dotted_path, schema_errors, spanish_error

    problems = [f"{path}: {dotted_path(e.absolute_path)}: {spanish_error(e)}"
                for e in schema_errors(data, "contacts.schema.json")]
    if problems:
        raise PoaxlError("Contactos inválidos (no se envió nada):\n" + "\n".join(sorted(problems)))


# --------------------------------------------------------------------------- messages

def nice_name(name: str) -> str:
    """ATENCIÓN CIUDADANA -> Atención Ciudadana (Spanish particles stay lower case)."""
    small = {"de", "del", "la", "las", "los", "el", "y", "e", "o", "a", "en", "para", "por"}
    words = name.lower().split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def spanish_date(day: dt.date) -> str:
    return f"{day.day} de {MONTH_NAMES[day.month - 1]} de {day.year}"


def deadline_for(catalog: Catalog, quarter: int, deadline: str | dt.date | None) -> dt.date | None:
    value = deadline or catalog.mail.get("deadlines", {}).get(str(quarter))
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PoaxlError(f"Fecha límite «{value}» no válida: use AAAA-MM-DD.") from None


_ADDRESS = re.compile(r"[^@\s,;<>\"()\\]+@[^@\s,;<>\"()\\]+\.[^@\s,;<>\"()\\]+")


def check_address(value, what: str) -> str:
    """One e-mail address (``a@b.mx`` or ``Nombre <a@b.mx>``) that is safe in a header: no line breaks or
    control characters (a CR/LF would add header lines), no lists. Raises PoaxlError before anything is sent."""
    if not isinstance(value, str) or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        raise PoaxlError(f"{what} contiene saltos de línea o caracteres de control; no se envió nada.")
    name, addr = parseaddr(value)
    shown = value if len(value) <= 80 else value[:79] + "…"
    if len(value) > 320 or "," in value or ";" in value or not _ADDRESS.fullmatch(addr):
        raise PoaxlError(f"{what} «{shown}» no es una dirección de correo válida (nombre@dominio.mx); "
                         "no se envió nada.")
    return value


def _header_text(text: str) -> str:
    """Catalog text in a header line: control characters (also CR/LF) become spaces."""
    return " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text).split())


def build_message(catalog: Catalog, unit: Unit, quarter: int, attachment: Path, *, sender: str,
                  to: list[str], cc: list[str] = (), reply_to: str | None = None,
                  deadline: dt.date | None = None) -> EmailMessage:
    """One unit's message: Spanish subject and body (text + HTML), the workbook attached."""
    msg = EmailMessage()
    who = f"Ramo {unit.ramo.code} · {unit.code}" if catalog.multi_ramo and unit.ramo else unit.code
    msg["Subject"] = _header_text(f"POA {catalog.year} · Avance físico T{quarter} · {who} {nice_name(unit.name)}")
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">"))
    limit = f"a más tardar el {spanish_date(deadline)}" if deadline else "a la brevedad"
    cutoff = catalog.cutoff(quarter)
    lines = [
        f"Estimado(a) coordinador(a) de {who} {nice_name(unit.name)}:",
        "",
        f"Le enviamos el formato {catalog.form_code} «Avance Físico Programático» del {ORDINAL[quarter]} trimestre "
        f"de {catalog.year} (corte al {cutoff}) de su unidad.",
        "",
        "Instrucciones:",
        "1. Abra el archivo adjunto en Excel o LibreOffice.",
        f"2. Capture en las celdas amarillas el avance real (A) de cada meta hasta el trimestre {quarter}.",
        "3. Si el avance acumulado es menor o muy superior a lo programado, explique el motivo en OBSERVACIONES.",
        "4. No modifique las celdas del catálogo ni las fórmulas; guarde el archivo como .xlsx.",
        f"5. Responda a este correo con el archivo {limit}.",
        "",
        f"{catalog.ayuntamiento}",
        f"Programa Operativo Anual {catalog.year}",
    ]
    text = "\n".join(lines)
    msg.set_content(text)
    html = "".join(f"<p>{_html(line)}</p>" if line else "" for line in lines)
    msg.add_alternative(f"<html><body style=\"font-family:Arial,sans-serif\">{html}</body></html>", subtype="html")
    maintype, subtype = XLSX_MIME.split("/")
    msg.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return msg


def _html(text: str) -> str:
    from html import escape

    return escape(text)


# --------------------------------------------------------------------------- the log

def read_log(log: Path) -> list[dict]:
    """Every complete line of the send log (a line cut by a crash is ignored)."""
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def append_log(log: Path, entry: dict) -> None:
    """Append one line and flush it to disk before going on: a crash loses no line already written."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def already_sent(entries: list[dict], catalog: Catalog, unit: str | Unit, quarter: int) -> dict | None:
    """The log line of an earlier delivery (sent, or partial: someone got it, so no duplicate).

    Lines written before the log had a ``ramo`` are of the catalog's first (then only) ramo."""
    if isinstance(unit, Unit):
        ramo = (unit.ramo or catalog.ramo).code
        names = {catalog.unit_id(unit), unit.key} | ({unit.code} if ramo == catalog.ramo.code else set())
    else:
        ramo, names = None, {unit}
    return next((e for e in reversed(entries) if e.get("result") in ("sent", "partial") and e.get("unit") in names
                 and e.get("ramo", catalog.ramo.code) == (ramo or e.get("ramo", catalog.ramo.code))
                 and e.get("quarter") == quarter and e.get("catalog") == catalog.id), None)


# --------------------------------------------------------------------------- sending

class _Connection:
    """One SMTP connection for the whole batch, opened on first use, reopened if the server drops it."""

    def __init__(self, settings: SmtpSettings):
        self.settings, self.smtp = settings, None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            s = self.settings
            context = s.context() if s.security != "none" else None  # a bad --cafile: said before connecting
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=context)
            if s.user:
                _login(smtp, s.user, s.password or "")
            self.smtp = smtp
        return self.smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a password with ñ or accents goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    import base64

    smtp.ehlo_or_helo_if_needed()
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN, necesario para una contraseña con acentos o ñ")
    token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
    code, resp = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, resp)


class _Fatal(Exception):
    """The batch cannot go on (no server, authentication refused): every remaining unit fails."""


def _deliver(conn: _Connection, msg: EmailMessage, retries: int, pause: float) -> dict:
    """Send with a bounded retry on temporary (4xx) failures and dropped connections.

    Returns the recipients the server refused while accepting others (smtplib raises when it refuses all).
    """
    for attempt in range(retries + 1):
        try:
            return conn.open().send_message(msg)
        except smtplib.SMTPAuthenticationError:
            raise _Fatal("el servidor rechazó la autenticación (usuario o contraseña incorrectos)") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise _Fatal(f"el servidor no admite lo solicitado ({_reason(exc)}); revise --smtp-security") from None
        except (ConnectionRefusedError, socket.gaierror, socket.timeout, TimeoutError) as exc:
            raise _Fatal(f"no se pudo conectar con el servidor de correo: {network_reason(exc)}") from None
        except ssl.SSLError as exc:
            raise _Fatal(f"no se pudo conectar con el servidor de correo: {network_reason(exc)}") from None
        except smtplib.SMTPRecipientsRefused:
            raise
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
            conn.smtp = None
            if attempt == retries:
                raise _Fatal("el servidor cerró la conexión") from None
        except smtplib.SMTPResponseException as exc:
            if not 400 <= exc.smtp_code < 500 or attempt == retries:
                raise
        except OSError as exc:
            raise _Fatal(f"no se pudo conectar con el servidor de correo: {network_reason(exc)}") from None
        time.sleep(pause * (attempt + 1) or 0.1)


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "destinatario(s) rechazado(s) por el servidor: " + ", ".join(
            f"{addr} ({code} {err.decode(errors='replace') if isinstance(err, bytes) else err})"
            for addr, (code, err) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        err = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"el servidor respondió {exc.smtp_code} {err}"
    return str(exc)


def send(units: Iterable[str] = (), *, all_units: bool = False, quarter: int | None = None,
         catalog: Catalog | str | Path | None = None, settings: SmtpSettings | None = None,
         sender: str | None = None, reply_to: str | None = None, contacts: str | Path | None = None,
         from_dir: str | Path | None = None, out: str | Path = ".", dry_run: str | Path | None = None,
         deadline: str | dt.date | None = None, resend: bool = False, pause: float = 0.0, retries: int = 2,
         progress: Callable[[Outcome], None] | None = None, ramo: str | None = None) -> list[Outcome]:
    """Send (or, with ``dry_run``, write as .eml) one message per unit with its workbook attached.

    ``ramo`` limits ``all_units`` to one ramo and resolves codes repeated in several ramos.

    Contacts are checked for every unit before anything is sent. Units already in the send log for
    this catalog and quarter are skipped unless ``resend``. Returns one Outcome per unit.
    """
    cat = load_catalog(catalog)
    quarter = quarter or cat.quarter
    chosen = cat.select(units, all_units, ramo)
    book = load_contacts(cat, contacts)
    missing = [cat.unit_id(u) for u in chosen if not book.get(cat.unit_id(u), {}).get("to")]
    if missing:
        raise PoaxlError("Sin destinatario (no se envió nada) para la(s) unidad(es): " + ", ".join(missing)
                         + ". Agréguelos en contacts del catálogo o con --contacts.")
    sender = sender or cat.mail.get("from")
    if not sender:
        raise PoaxlError("Falta el remitente: use --from-addr, POAXL_SMTP_FROM o mail.from en el catálogo.")
    check_address(sender, "El remitente (--from-addr, POAXL_SMTP_FROM, smtp.from o mail.from)")
    reply_to = reply_to or cat.mail.get("reply_to")
    if reply_to:
        check_address(reply_to, "La dirección de respuesta (--reply-to, smtp.reply_to o mail.reply_to)")
    when = deadline_for(cat, quarter, deadline)
    folder = Path(from_dir) if from_dir else Path(out)
    attachments, generated = _attachments(cat, chosen, quarter, folder, generate_missing=not from_dir)
    log = folder / LOG_NAME
    entries = read_log(log)
    conn = _Connection(settings or SmtpSettings())
    outcomes: list[Outcome] = []
    fatal = None
    try:
        for unit in chosen:
            name = cat.unit_id(unit)
            people = book[name]
            msg = build_message(cat, unit, quarter, attachments[unit.key], sender=sender, to=people["to"],
                                cc=people.get("cc", []), reply_to=reply_to,
                                deadline=when)
            outcome = Outcome(name, "", people["to"] + people.get("cc", []), message_id=msg["Message-ID"],
                              path=str(attachments[unit.key]), form=str(attachments[unit.key]),
                              generated=unit.key in generated)
            if dry_run:
                outcome.result, outcome.path = "dry-run", str(_write_eml(msg, Path(dry_run), attachments[unit.key]))
            elif not resend and (earlier := already_sent(entries, cat, unit, quarter)):
                outcome.result = "skipped"
                outcome.reason = f"ya enviado el {earlier.get('time', '?')} (use --resend para enviarlo de nuevo)"
            else:
                fatal = _send_one(conn, msg, outcome, fatal, retries, pause if outcomes else 0.0)
                append_log(log, {"catalog": cat.id, "year": cat.year, "ramo": (unit.ramo or cat.ramo).code,
                                 "unit": name, "quarter": quarter,
                                 "recipients": outcome.recipients, "message_id": outcome.message_id,
                                 "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                                 "result": outcome.result, "reason": outcome.reason})
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        conn.close()
    return outcomes


def _attachments(cat: Catalog, units: list[Unit], quarter: int, folder: Path,
                 generate_missing: bool) -> tuple[dict, list[str]]:
    """Each unit's workbook in ``folder`` (generated when missing, or required when taken from --from),
    and the keys of the units whose workbook was generated now."""
    from .generate import file_name, generate

    paths = {u.key: folder / file_name(cat, u, quarter) for u in units}
    absent = [key for key, p in paths.items() if not p.is_file()]
    if absent and not generate_missing:
        raise PoaxlError("No se encontraron los formatos en --from: " + ", ".join(str(paths[k]) for k in absent))
    if absent:
        generate(absent, quarter=quarter, out=folder, catalog=cat)
    return paths, absent


def _write_eml(msg: EmailMessage, folder: Path, attachment: Path) -> Path:
    target = folder / f"{attachment.stem}.eml"
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_bytes(bytes(msg))
    return target


def _send_one(conn: _Connection, msg: EmailMessage, outcome: Outcome, fatal: str | None, retries: int,
              pause: float) -> str | None:
    """Deliver one message, filling ``outcome``; returns the batch-ending reason once there is one."""
    if fatal:
        outcome.result, outcome.reason = "failed", fatal
        return fatal
    if pause:
        time.sleep(pause)
    try:
        refused = _deliver(conn, msg, retries, pause)
        outcome.result = "sent"
        if refused:
            outcome.result = "partial"
            outcome.reason = _reason(smtplib.SMTPRecipientsRefused(refused)) + \
                " — los demás sí lo recibieron; corrija la dirección y use --resend"
    except _Fatal as exc:
        outcome.result, outcome.reason = "failed", str(exc)
        return str(exc)
    except smtplib.SMTPException as exc:
        outcome.result, outcome.reason = "failed", _reason(exc)
    return None
