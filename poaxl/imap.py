"""Read the office's mailbox over IMAP, read-only: list the messages with their size and Message-ID,
then fetch the ones wanted, bounded by a size limit the server enforces (a partial FETCH).

The standard library's imaplib does the protocol: the mailbox is opened with EXAMINE (read-only,
no flag changes, \\Seen included), so nothing a person sees in their mail client moves."""
from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email import policy as email_policy
from pathlib import Path
from typing import ClassVar

from .errors import PoaxlError, network_reason
from .servers import ServerSettings, Sources

MAX_MESSAGE_ID = 250  # RFC 5322 allows long ids; anything longer is not a real one
_MESSAGE_ID = re.compile(rb"<[^<>\s\"]{1,246}@[^<>\s\"]{1,246}>")


class MailboxError(PoaxlError):
    """The mailbox cannot be read (server unreachable, authentication refused, no such folder): the run fails."""

    exit_code = 1


@dataclass
class ImapSettings(ServerSettings):
    """Where the replies arrive. The password never comes from a command-line argument."""

    PROTOCOL: ClassVar[str] = "IMAP"
    DEFAULT_PORT: ClassVar[dict[str, int]] = {"ssl": 993, "starttls": 143, "none": 143}

    security: str = "ssl"
    folder: str = "INBOX"


def imap_settings(config: Path | None = None, *, host: str | None = None, port: int | None = None,
                  security: str | None = None, user: str | None = None, folder: str | None = None,
                  cafile: str | None = None, timeout: float = 30.0) -> ImapSettings:
    """Options > environment (POAXL_IMAP_*) > the config file's ``imap:`` section > defaults.

    The password comes only from POAXL_IMAP_PASSWORD (or a prompt, asked by the CLI)."""
    pick = Sources(config, "imap")
    port_value = pick.port(port)
    settings = ImapSettings(host=str(pick(host, "POAXL_IMAP_HOST", "host") or "localhost"), port=port_value,
                            security=str(pick(security, "POAXL_IMAP_SECURITY", "security") or "ssl"),
                            user=pick(user, "POAXL_IMAP_USER", "user"),
                            folder=str(folder or pick.conf.get("folder") or "INBOX"), timeout=timeout,
                            cafile=pick(cafile, "POAXL_IMAP_CAFILE", "cafile"))
    settings.password = pick.password()
    return settings


@dataclass(frozen=True)
class Envelope:
    """What is known of a message before it is fetched: enough to skip it or refuse it."""

    uid: int
    size: int
    received: dt.datetime  # INTERNALDATE: when the server got it (the sender cannot forge it)
    message_id: str | None
    key: str  # the Message-ID, or a digest of the headers when there is none

    @property
    def received_text(self) -> str:
        return self.received.isoformat(timespec="seconds")


class Mailbox:
    """One read-only IMAP session: ``with Mailbox(settings) as box: box.envelopes(); box.fetch(uid, limit)``."""

    def __init__(self, settings: ImapSettings):
        self.settings = settings
        self.imap: imaplib.IMAP4 | None = None
        self.exists: int | None = None  # messages in the folder, from SELECT

    def __enter__(self) -> "Mailbox":
        try:
            self.imap = self._connect()
            self._login()
            self._select()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.imap is not None:
            try:
                self.imap.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
            self.imap = None

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        context = s.context()
        try:
            if s.security == "ssl":
                imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context, timeout=s.timeout)
            else:
                imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    imap.starttls(ssl_context=context)
        except ssl.SSLError as exc:
            raise MailboxError(f"falló la conexión segura con el servidor IMAP {s.where} "
                               f"({exc.reason or exc}); revise --imap-security y --imap-cafile.") from None
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"el servidor IMAP {s.where} no admite la conexión solicitada ({_text(exc)}); "
                               "revise --imap-security.") from None
        except (OSError, EOFError) as exc:
            raise MailboxError(f"no se pudo conectar con el servidor de correo IMAP {s.where}: "
                               f"{_why(exc, s.timeout)}.") from None
        return imap

    def _login(self) -> None:
        s = self.settings
        if not s.user:
            raise MailboxError("falta el usuario del buzón IMAP: use --imap-user o POAXL_IMAP_USER.")
        password = s.password or ""
        try:
            if (s.user + password).isascii():
                self.imap.login(s.user, password)
            else:  # imaplib sends LOGIN as ASCII; accents or ñ go as UTF-8 AUTHENTICATE PLAIN (RFC 4616)
                token = f"\0{s.user}\0{password}".encode("utf-8")
                self.imap.authenticate("PLAIN", lambda _challenge: token)
        except imaplib.IMAP4.abort as exc:
            raise MailboxError(f"el servidor IMAP {s.where} cerró la conexión ({_text(exc)}).") from None
        except imaplib.IMAP4.error:
            raise MailboxError(f"el servidor IMAP {s.where} rechazó la autenticación "
                               f"(usuario «{s.user}» o contraseña incorrectos).") from None
        except OSError as exc:
            raise MailboxError(f"se perdió la conexión con el servidor IMAP {s.where} ({exc}).") from None

    def _select(self) -> None:
        folder = self.settings.folder
        try:
            status, data = self.imap.select(_quote(folder), readonly=True)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"no se pudo abrir la carpeta «{folder}» ({_text(exc)}).") from None
        if status != "OK":
            raise MailboxError(f"no existe la carpeta «{folder}» en el buzón (o no se puede abrir): "
                               f"revise --folder ({_text(data)}).")
        self.exists = int(data[0]) if data and str(data[0], "ascii", "replace").isdigit() else None

    def envelopes(self) -> list[Envelope]:
        """Every message of the folder: UID, size, arrival time and Message-ID (only those headers)."""
        if self.exists == 0:  # some servers answer FETCH 1:* on an empty folder with an error
            return []
        data = self._command("FETCH", "1:*", "(UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)])")
        out = []
        for meta, header in _responses(data):
            uid, size, received = _field(rb"UID (\d+)", meta), _field(rb"RFC822\.SIZE (\d+)", meta), \
                _internal_date(meta)
            if uid is None or size is None:
                continue
            message_id = _message_id(header)
            stable = header + b"\0" + size + b"\0" + received.isoformat().encode()  # not the sequence number
            key = message_id or "sin-id:" + hashlib.sha256(stable).hexdigest()[:32]
            out.append(Envelope(int(uid), int(size), received, message_id, key))
        return sorted(out, key=lambda e: (e.received, e.uid))

    def fetch(self, uid: int, limit: int) -> bytes:
        """The message's bytes; the server sends at most ``limit`` bytes whatever its size claims."""
        data = self._command("FETCH", str(int(uid)), f"(BODY.PEEK[]<0.{int(limit)}>)")
        for _meta, body in _responses(data):
            return body
        raise MailboxError(f"el servidor no entregó el mensaje UID {uid} (¿se borró durante la lectura?).")

    def _command(self, *args: str) -> list:
        where = self.settings.where
        try:
            status, data = self.imap.uid(*args)
        except imaplib.IMAP4.abort as exc:
            raise MailboxError(f"el servidor IMAP {where} cerró la conexión ({_text(exc)}).") from None
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"falló la lectura del buzón en {where} ({_text(exc)}).") from None
        if status != "OK":
            raise MailboxError(f"el servidor IMAP {where} respondió {status}: {_text(data)}")
        return data or []


def _why(exc: BaseException, timeout: float) -> str:
    """A connection failure in Spanish."""
    import errno
    import socket

    if isinstance(exc, socket.gaierror):
        return "no se encontró el servidor (revise el nombre)"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"el servidor no respondió en {timeout:g} s"
    if getattr(exc, "errno", None) == errno.ECONNREFUSED:
        return "conexión rechazada (¿servidor apagado o puerto equivocado?)"
    if isinstance(exc, EOFError) or getattr(exc, "errno", None) in (errno.ECONNRESET, errno.EPIPE):
        return "el servidor cerró la conexión"
    return f"error de red ({network_reason(exc)})" if isinstance(exc, OSError) else str(exc)


def _responses(data: list) -> list[tuple[bytes, bytes]]:
    """imaplib's FETCH answer as (the message's data items, its literal). Items after the literal count too."""
    out: list[list[bytes]] = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            out.append([bytes(item[0]), bytes(item[1])])
        elif isinstance(item, bytes) and out:
            out[-1][0] += b" " + item
    return [(meta, body) for meta, body in out]


def _field(pattern: bytes, meta: bytes) -> bytes | None:
    match = re.search(pattern, meta)
    return match.group(1) if match else None


def _internal_date(meta: bytes) -> dt.datetime:
    match = re.search(rb'INTERNALDATE "([^"]{1,40})"', meta)
    if match:
        try:
            return dt.datetime.strptime(match.group(1).decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
        except (ValueError, UnicodeDecodeError):
            pass
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _message_id(header: bytes) -> str | None:
    """The Message-ID as written, if it looks like one (``<left@right>``, no spaces, bounded)."""
    try:
        value = BytesHeaderParser(policy=email_policy.compat32).parsebytes(header[:4096]).get("Message-ID")
    except Exception:  # hostile header bytes: no id, the digest is used
        return None
    match = _MESSAGE_ID.search(str(value or "").encode("ascii", "replace"))
    return match.group(0).decode("ascii") if match and len(match.group(0)) <= MAX_MESSAGE_ID else None


def _quote(folder: str) -> str:
    """A folder name as an IMAP quoted string in modified UTF-7 (RFC 3501 5.1.3; imaplib does neither)."""
    encoded = _utf7(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(text: str) -> str:
    """«Año» -> «A&APE-o»: printable ASCII as is, ``&`` as ``&-``, other runs as base64 of UTF-16."""
    import base64

    out, run = [], ""

    def flush() -> None:
        if run:
            out.append("&" + base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=").replace("/", ",") + "-")

    for ch in text:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            run = ""
            out.append("&-" if ch == "&" else ch)
        else:
            run += ch
    flush()
    return "".join(out)


def _text(value) -> str:
    """Server text for a message: decoded, one line, bounded."""
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, Exception):
        value = value.args[0] if value.args else str(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())[:200]
