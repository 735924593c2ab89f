"""A message from outside, read defensively: header values as one bounded line, addresses and
Message-IDs validated, automatic messages recognised (RFC 3834), and the workbook attachments taken
out of a MIME tree whose depth, number of parts and sizes are bounded before anything is decoded."""
from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import parseaddr
from pathlib import Path
from typing import Iterator

from . import findings as F
from .mail import XLSX_MIME, one_line
from .read import FORM_SUFFIXES

WORKBOOK_SUFFIXES = FORM_SUFFIXES  # .xlsx, .xlsm, .ods: what the checker reads
WORKBOOK_TYPES = {XLSX_MIME: ".xlsx", "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
                  "application/vnd.oasis.opendocument.spreadsheet": ".ods"}
AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply")
_ADDRESS = re.compile(r"^[^@\s,;<>\"']{1,64}@[^@\s,;<>\"']{1,190}\.[^@\s,;<>\"']{1,63}$")
_MSGID = re.compile(r"<[^<>\s\"]{1,246}@[^<>\s\"]{1,246}>")


@dataclass(frozen=True)
class Limits:
    """Bounds on what one run reads: a hostile mailbox cannot exhaust memory, disk or time."""

    message_bytes: int = 25 * 1024 * 1024
    attachment_bytes: int = 20 * 1024 * 1024
    attachments: int = 10
    messages: int = 200
    mime_parts: int = 200
    mime_depth: int = 10
    findings_listed: int = 40


def clean(value, limit: int = 200) -> str:
    """A header value (or any text from a message) as one bounded line: no CR, LF or control characters."""
    return one_line(str(value or ""))[:limit]


def safe_name(text: str, limit: int = 60) -> str:
    """Text from a message as a file-name part: ASCII letters, digits and ``._@+-`` only, never a path."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = re.sub(r"[^A-Za-z0-9._@+-]+", "_", text).strip("._-")
    return text[:limit].rstrip("._-") or "adjunto"


def header(msg: Message, name: str, limit: int = 200) -> str:
    """A header's value, cleaned; a header the parser cannot decode is read raw."""
    try:
        value = msg.get(name)
    except Exception:  # a malformed header under policy.default: its raw text
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
    return clean(value, limit)


def address(value: str) -> str:
    """The e-mail address in a From-like header, lower case, or "" when it is not a plain address."""
    addr = parseaddr(clean(value, 400))[1].strip().lower()
    return addr if _ADDRESS.match(addr) else ""


def message_ids(value: str, limit: int = 10) -> list[str]:
    """Valid ``<id@host>`` tokens of a Message-ID/References header, the last ``limit`` of them."""
    return _MSGID.findall(clean(value, 4000))[-limit:]


# --------------------------------------------------------------------------- classifying a message

def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def automatic(msg: Message, sender: str) -> str:
    """Why a message must not be answered (RFC 3834: bounces, auto-replies, lists), or ""."""
    auto = header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"mensaje automático (Auto-Submitted: {auto[:40]})"
    precedence = header(msg, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"mensaje automático (Precedence: {precedence})"
    if msg.get_content_type() == "multipart/report":
        return "aviso de entrega o de lectura del servidor de correo (multipart/report)"
    if not sender:
        return "el remitente no es una dirección de correo válida"
    local = sender.split("@")[0]
    if local in AUTOMATIC_SENDERS or local.startswith("owner-") or local.endswith("-request"):
        return f"remitente automático ({sender})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients", "List-Id", "List-Unsubscribe"):
        if msg.get(name) is not None:
            return f"mensaje automático ({name})"
    if header(msg, "Return-Path") == "<>":
        return "aviso del servidor de correo (Return-Path vacío)"
    return ""


@dataclass
class Attachment:
    name: str  # cleaned original name, with a workbook suffix
    data: bytes | None  # None when it was too big to read
    problem: str = ""


class TooComplex(Exception):
    """The MIME structure is deeper or has more parts than any real reply."""


def _leaves(msg: Message, limits: Limits) -> Iterator[Message]:
    """The non-multipart parts, depth-first, bounded. Attached messages (message/rfc822, bounces, the
    quoted original with our blank template) are not entered: they are not what the sender filled."""
    stack, seen = [(msg, 0)], 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > limits.mime_parts or depth > limits.mime_depth:
            raise TooComplex()
        if part.get_content_maintype() == "message":
            continue
        if part.is_multipart():
            payload = part.get_payload()
            stack.extend((p, depth + 1) for p in reversed(payload if isinstance(payload, list) else []))
        else:
            yield part


def workbooks(msg: Message, limits: Limits) -> tuple[list[Attachment], str]:
    """The workbook attachments (.xlsx, .xlsm, .ods) and a note when some were left out."""
    found: list[Attachment] = []
    note = ""
    try:
        for part in _leaves(msg, limits):
            try:
                raw_name = part.get_filename() or ""
            except Exception:
                raw_name = ""
            name = clean(raw_name, 200)
            suffix = Path(name.replace("\\", "/")).suffix.lower()
            if suffix not in WORKBOOK_SUFFIXES:
                suffix = WORKBOOK_TYPES.get(part.get_content_type(), "")
                if not suffix:
                    continue
                name = f"{name or 'adjunto'}{suffix}"
            if len(found) == limits.attachments:
                note = f"el mensaje trae más de {limits.attachments} archivos; solo se revisaron los primeros."
                break
            found.append(_payload(part, name, limits))
    except TooComplex:
        note = "la estructura del mensaje es demasiado compleja (partes anidadas); no se revisó por completo."
    return found, note


def _payload(part: Message, name: str, limits: Limits) -> Attachment:
    encoded = part.get_payload()
    if isinstance(encoded, str) and len(encoded) * 3 // 4 > limits.attachment_bytes * 1.1:
        return Attachment(name, None, _too_big(len(encoded) * 3 // 4, limits))
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:
        return Attachment(name, b"")
    if len(data) > limits.attachment_bytes:
        return Attachment(name, None, _too_big(len(data), limits))
    return Attachment(name, data)


def _too_big(size: int, limits: Limits) -> str:
    return F.reason("too-big", mb=f"{size / 1048576:.1f}", limit=f"{limits.attachment_bytes / 1048576:.0f}")
