"""The return leg: read the replies in the office's mailbox, check each returned form, file it, and
answer the coordinator in the same thread.

Everything in an e-mail is hostile (poaxl/inbound.py reads it defensively; poaxl/reply.py writes the
answer). Attachment names never become paths: files are named from the arrival time, the cleaned
sender and a digest of the Message-ID. The run is
crash-safe: every step is recorded in an append-only log (``poaxl-recepcion.jsonl`` in the answers
folder, flushed line by line) and repeating a step is harmless, so a rerun continues where a crash
stopped; a reply is recorded as *pendiente* just before it is handed to the SMTP server, and a
pending reply is not sent again on its own (at most once): a rerun reports it *sin confirmar* (it may or
may not have reached the coordinator) and sends it again only when asked (``resend_unconfirmed``)."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Callable, Iterator

from . import findings as F
from .catalog import Catalog, Unit, load_catalog
from .check import ARCHIVE_DIRS, FileReport, annotate, check_file
from .errors import os_reason, PoaxlError
from .files import atomic_path
from .imap import Envelope, ImapSettings, Mailbox, MailboxError
from .inbound import (WORKBOOK_SUFFIXES, Attachment, Limits, address, automatic, header, parse, safe_name,
                      workbooks)
from .mail import SmtpSettings, _Connection, _deliver, _Fatal, _reason, append_log, load_contacts, read_log
from .reply import build_reply

LOG_NAME = "poaxl-recepcion.jsonl"
HISTORY_DIR = ARCHIVE_DIRS[0]  # every version received from a unit's contact, never overwritten
QUARANTINE_DIR = ARCHIVE_DIRS[1]  # forms from someone who is not the unit's contact: kept, not answered
STAGING_DIR = ".poaxl-entrada"  # attachments being checked (hidden: check/report do not read it)
LOCK_NAME = ".poaxl-recepcion.lock"
ACCEPTED = ("correcto", "con avisos")
QUARANTINED = "en cuarentena"
DONE = ("procesado", "ignorado", "demasiado grande")


@dataclass
class Form:
    """One workbook attachment and what became of it."""

    name: str
    state: str  # correcto | con avisos | con errores | ilegible | en cuarentena
    unit: str | None = None
    year: int | None = None
    quarter: int | None = None
    path: str = ""
    current: str = ""
    reason: str = ""
    report: FileReport | None = field(default=None, repr=False)
    annotated: Path | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {"name": self.name, "state": self.state, "unit": self.unit, "year": self.year,
                "quarter": self.quarter, "path": self.path, "current": self.current, "reason": self.reason,
                "findings": [f.__dict__ for f in self.report.findings] if self.report else []}


@dataclass
class Received:
    """One message of the run, one row of the table."""

    uid: int
    message_id: str
    sender: str
    subject: str
    received: str
    result: str = "procesado"  # procesado | ignorado | demasiado grande | fallido
    reason: str = ""
    reply: str = ""  # enviada | fallida (retried) | rechazada (5xx, not retried) | sin confirmar | escrita | ""
    forms: list[Form] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "forms"}
        return {**data, "forms": [f.to_dict() for f in self.forms]}


@dataclass
class Run:
    messages: list[Received]
    pending: int = 0  # new messages left for the next run (messages-per-run limit)

    def totals(self) -> dict[str, int]:
        forms = [f for m in self.messages for f in m.forms]
        return {"received": len(self.messages),
                "accepted": sum(f.state in ACCEPTED for f in forms),
                "rejected": sum(f.state in ("con errores", "ilegible") for f in forms),
                "quarantined": sum(f.state == QUARANTINED for f in forms),
                "ignored": sum(m.result in ("ignorado", "demasiado grande") for m in self.messages),
                "failed": sum(m.result == "fallido" or m.reply == "rechazada" for m in self.messages),
                "pending": self.pending}

    @property
    def failed(self) -> bool:
        return any(m.result == "fallido" or m.reply == "rechazada" for m in self.messages)


# --------------------------------------------------------------------------- the log

class Ledger:
    """The append-only log of what each message became; the only state between runs."""

    def __init__(self, path: Path, write: bool = True):
        self.path, self.write = path, write
        self.entries = read_log(path)

    def of(self, key: str, event: str) -> list[dict]:
        return [e for e in self.entries if e.get("key") == key and e.get("event") == event]

    def done(self, envelope: Envelope, limits: Limits) -> bool:
        for e in self.of(envelope.key, "mensaje"):
            if e.get("result") in DONE and not (e.get("result") == "demasiado grande"
                                                and envelope.size <= limits.message_bytes):
                return True
        return False

    def unconfirmed(self, key: str) -> bool:
        """Whether the message's last reply was handed to the server and its answer never recorded (the
        process was killed in between): it may or may not have been sent."""
        replies = self.of(key, "respuesta")
        return bool(replies) and replies[-1].get("result") == "pendiente"

    def add(self, entry: dict) -> None:
        entry = {"time": _now(), **entry}
        self.entries.append(entry)
        if self.write:
            append_log(self.path, entry)

    def newer_current(self, unit: str, year: int | None, quarter: int | None, received: dt.datetime) -> bool:
        """Whether the unit's current answer came in a message received after ``received``."""
        for e in self.entries:
            if e.get("event") == "formato" and e.get("current") and e.get("unit") == unit \
                    and e.get("year") == year and e.get("quarter") == quarter:
                try:
                    if dt.datetime.fromisoformat(e.get("received", "")) > received:
                        return True
                except (TypeError, ValueError):
                    continue
        return False


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """One collect at a time per answers folder: two would answer the same message twice."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PoaxlError(f"otra ejecución de poaxl collect está usando {folder}; espere a que termine.") from None
        yield


# --------------------------------------------------------------------------- the run

@dataclass
class _Context:
    catalog: Catalog
    contacts: dict[str, dict[str, list[str]]]
    out: Path
    ledger: Ledger
    limits: Limits
    quarter: int | None
    sender: str
    reply_to: str | None
    dry_run: Path | None
    conn: _Connection | None
    retries: int
    work: Path  # staging folder (a temporary one in a dry run)
    fatal: str = ""
    resend_unconfirmed: bool = False  # send again the replies left sin confirmar by an interrupted run

    def people(self, unit: str) -> list[str]:
        entry = self.contacts.get(unit, {})
        return [a.lower() for a in entry.get("to", []) + entry.get("cc", [])]

    def units_of(self, sender: str) -> list[str]:
        return [code for code in self.contacts if sender in self.people(code)]


def collect(settings: ImapSettings, *, out: str | Path = "respuestas", catalog: Catalog | str | Path | None = None,
            contacts: str | Path | None = None, smtp: SmtpSettings | None = None, sender: str | None = None,
            reply_to: str | None = None, dry_run: str | Path | None = None, quarter: int | None = None,
            limits: Limits = Limits(), retries: int = 2,
            progress: Callable[[Received], None] | None = None, resend_unconfirmed: bool = False) -> Run:
    """One pass over the mailbox: every message not yet in the log is classified, its forms checked
    and filed, and the sender answered (with ``dry_run``, the answers are written as .eml files there
    and nothing is filed or logged). ``resend_unconfirmed``: the messages whose reply an interrupted run
    left sin confirmar are processed again and answered again, saying it may be a second copy.
    Raises MailboxError when the mailbox cannot be read."""
    cat = load_catalog(catalog)
    book = {code: {k: list(v) for k, v in entry.items()} for code, entry in load_contacts(cat, contacts).items()}
    sender = sender or cat.mail.get("from")
    if not sender or not address(sender):
        raise PoaxlError("Falta el remitente de las respuestas: use --from-addr, POAXL_SMTP_FROM o mail.from "
                         "en el catálogo.")
    out = Path(out)
    with contextlib.ExitStack() as stack:
        if dry_run:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="poaxl-collect-")))
            conn = None
        else:
            stack.enter_context(_lock(out))
            work = out / STAGING_DIR
            conn = _Connection(smtp or SmtpSettings())
            stack.callback(conn.close)
        ctx = _Context(cat, book, out, Ledger(out / LOG_NAME, write=not dry_run), limits, quarter, sender,
                       reply_to or cat.mail.get("reply_to"), Path(dry_run) if dry_run else None, conn, retries, work,
                       resend_unconfirmed=resend_unconfirmed)
        box = stack.enter_context(Mailbox(settings))
        fresh = [e for e in box.envelopes() if not ctx.ledger.done(e, limits)
                 or (resend_unconfirmed and ctx.ledger.unconfirmed(e.key))]
        run = Run([], pending=max(0, len(fresh) - limits.messages))
        for envelope in fresh[:limits.messages]:
            run.messages.append(_one(box, envelope, ctx))
            if progress:
                progress(run.messages[-1])
    return run


def _one(box: Mailbox, envelope: Envelope, ctx: _Context) -> Received:
    """One message, start to end; a failure of this message does not stop the run."""
    item = Received(envelope.uid, envelope.message_id or "", "", "", envelope.received_text)
    if envelope.size > ctx.limits.message_bytes:
        item.result = "demasiado grande"
        item.reason = (f"el mensaje mide {envelope.size / 1048576:.1f} MB, más del límite de "
                       f"{ctx.limits.message_bytes / 1048576:.0f} MB: no se descargó; revíselo a mano.")
        return _finish(item, envelope, ctx)
    try:
        msg = parse(box.fetch(envelope.uid, ctx.limits.message_bytes))
        item.sender, item.subject = address(header(msg, "From", 400)), header(msg, "Subject")
        why = automatic(msg, item.sender)
        attachments, note = ([], "") if why else workbooks(msg, ctx.limits)
        if why or not attachments:
            item.result, item.reason = "ignorado", why or "el mensaje no trae un formato adjunto (.xlsx, .xlsm, .ods)"
            return _finish(item, envelope, ctx)
        item.forms = [_form(a, i, item, envelope, ctx) for i, a in enumerate(attachments, 1)]
        _answer(msg, item, envelope, note, ctx)
    except MailboxError:
        raise
    except OSError as exc:  # a disk full, a folder we cannot write: this message waits for the next run
        item.result = "fallido"
        item.reason = f"no se pudo guardar o leer {exc.filename or ''}: {os_reason(exc)}".replace("  ", " ")
    except Exception as exc:  # noqa: BLE001  one odd message must not stop the others; it is retried next run
        item.result = "fallido"
        item.reason = f"error interno al procesar el mensaje ({type(exc).__name__}: {exc}); se reintentará"
    return _finish(item, envelope, ctx)


def _finish(item: Received, envelope: Envelope, ctx: _Context) -> Received:
    ctx.ledger.add({"event": "mensaje", "key": envelope.key, "uid": envelope.uid, "message_id": item.message_id,
                    "from": item.sender, "subject": item.subject, "received": item.received,
                    "result": item.result, "reason": item.reason})
    return item


# --------------------------------------------------------------------------- forms

def _form(attachment: Attachment, index: int, item: Received, envelope: Envelope, ctx: _Context) -> Form:
    """Check one attachment, file it (historial or cuarentena) and make it current when accepted."""
    stem, suffix = Path(attachment.name.replace("\\", "/")).stem, Path(attachment.name).suffix.lower()
    digest = hashlib.sha256(envelope.key.encode("utf-8", "replace")).hexdigest()[:8]
    stored = (f"{envelope.received:%Y-%m-%d_%H%M%S}_{safe_name(item.sender)}_{digest}_{index}_"
              f"{safe_name(stem)}{suffix}")
    form = Form(name=safe_name(stem, 120) + suffix, state="ilegible")
    if attachment.data is None:
        form.reason = attachment.problem
        authorized = bool(ctx.units_of(item.sender))
    else:
        staged = ctx.work / stored
        with atomic_path(staged, overwrite=True) as tmp:
            tmp.write_bytes(attachment.data)
        form.report = report = check_file(staged, ctx.catalog, quarter=ctx.quarter)
        _unstage_messages(report, staged, form.name)
        unit = next((u for u in ctx.catalog.units if report.key and u.key == report.key), None)
        form.unit = ctx.catalog.unit_id(unit) if unit else report.unit
        form.year, form.quarter, form.state = report.year, report.quarter, _state(report)
        authorized = item.sender in (ctx.people(form.unit) if unit else
                                     [a for code in ctx.contacts for a in ctx.people(code)])
        if not authorized:
            form.state = QUARANTINED
            form.reason = (f"{item.sender} no es contacto de la unidad {form.unit or '?'}: no se registró ni se "
                           "respondió; revise el archivo y, si procede, agregue el contacto.")
        if not ctx.dry_run:
            folder = ctx.out / (HISTORY_DIR if authorized else QUARANTINE_DIR)
            final = _place(staged, folder / stored)
            report.path, form.path = str(final), str(final)
            if authorized and form.state in ACCEPTED and unit:
                form.current = _make_current(final, unit, report, envelope, ctx)
        if authorized and form.state == "con errores":
            form.annotated = _annotate(report, ctx)
    if not authorized and form.state != QUARANTINED:
        form.state, form.reason = QUARANTINED, f"{item.sender} no es contacto de ninguna unidad."
    if not any(e.get("index") == index for e in ctx.ledger.of(envelope.key, "formato")):
        ctx.ledger.add({"event": "formato", "key": envelope.key, "index": index, "name": form.name,
                        "unit": form.unit, "year": form.year, "quarter": form.quarter, "state": form.state,
                        "path": form.path, "current": form.current, "from": item.sender,
                        "received": envelope.received_text, "reason": form.reason})
    return form


def _state(report: FileReport) -> str:
    """The coordinator's verdict: the catalog's own problems are the office's, never held against the unit."""
    if report.status == "unreadable":
        return F.STATUS_LABEL["unreadable"]
    own = F.of_fault(report.findings, F.COORDINATOR)
    if any(f.severity == F.ERROR for f in own):
        return F.STATUS_LABEL["errors"]
    return F.STATUS_LABEL["warnings" if own else "ok"]


def _unstage_messages(report: FileReport, staged: Path, name: str) -> None:
    """Messages that name the staging file name the attachment instead (the reply quotes them)."""
    for f in report.findings:
        f.message = f.message.replace(str(staged), name)


def _place(staged: Path, target: Path) -> Path:
    """Move into the archive without overwriting: the same bytes already there (a rerun) are kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = target, 1
    while candidate.exists():
        if candidate.read_bytes() == staged.read_bytes():
            staged.unlink()
            return candidate
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    os.replace(staged, candidate)
    return candidate


def current_name(catalog: Catalog, unit: Unit, quarter: int, suffix: str = ".xlsx",
                 by_ramo: bool | None = None) -> str:
    """The unit's current answer; ``by_ramo``: named as before the catalog gained (or lost) ramos."""
    from .generate import file_name

    return str(Path(file_name(catalog, unit, quarter, by_ramo)).with_suffix(suffix))


def _make_current(final: Path, unit: Unit, report: FileReport, envelope: Envelope, ctx: _Context) -> str:
    """Copy an accepted form to the unit's answer (``TMM-F004_<year>_T<q>_<unit>.xlsx``), unless a
    form received later is already there."""
    if report.quarter is None or ctx.ledger.newer_current(ctx.catalog.unit_id(unit), report.year, report.quarter,
                                                          envelope.received):
        return ""
    target = ctx.out / current_name(ctx.catalog, unit, report.quarter, final.suffix)
    with atomic_path(target, overwrite=True) as tmp:
        shutil.copyfile(final, tmp)
    for suffix in WORKBOOK_SUFFIXES:  # one current answer per unit: a .xlsm replaced by a .xlsx goes
        other = target.with_suffix(suffix)
        if suffix != target.suffix and other.exists():
            other.unlink()
    return str(target)


def _annotate(report: FileReport, ctx: _Context) -> Path | None:
    folder = ctx.work / "anotados" if ctx.dry_run else Path(report.path).parent
    try:
        return annotate(report, folder, force=True)
    except Exception:  # an .ods or a damaged file cannot be annotated: the reply still lists the findings
        return None


# --------------------------------------------------------------------------- the reply

def _answer(msg: Message, item: Received, envelope: Envelope, note: str, ctx: _Context) -> None:
    """Reply once to the sender about the forms that were not quarantined."""
    answered = [f for f in item.forms if f.state != QUARANTINED]
    if not answered:
        return
    earlier = ctx.ledger.of(envelope.key, "respuesta")
    last = earlier[-1].get("result") if earlier else ""
    again = last == "pendiente" and ctx.resend_unconfirmed
    if last in ("enviada", "pendiente", "rechazada") and not again:  # only a failed reply is sent again, unasked
        item.reply = "sin confirmar" if last == "pendiente" else last
        if last == "pendiente":
            item.reason = UNCONFIRMED_REASON
        return
    if again:  # the coordinator may have it already: the copy says so
        note = f"{note} {SECOND_COPY_NOTE}" if note else SECOND_COPY_NOTE
    units = {f.unit for f in answered if f.unit and f.unit in ctx.contacts} or set(ctx.units_of(item.sender))
    cc = sorted({a for u in units for a in ctx.people(u)} - {item.sender})
    reply = build_reply(msg, ctx.catalog, item, answered, note, sender=ctx.sender, cc=cc, reply_to=ctx.reply_to)
    if ctx.dry_run:
        name = f"{envelope.received:%Y%m%d-%H%M%S}_{envelope.uid}_{safe_name(item.sender)}.eml"
        with atomic_path(ctx.dry_run / name, overwrite=True) as tmp:
            tmp.write_bytes(bytes(reply))
        item.reply = "escrita"
        return
    _send(reply, item, envelope, ctx)


UNCONFIRMED_REASON = ("el proceso se interrumpió mientras se enviaba la respuesta: pudo llegar al coordinador o no. "
                      "No se envía de nuevo sola, para no duplicarla; para enviarla otra vez use poaxl collect "
                      "--resend-unconfirmed.")
SECOND_COPY_NOTE = ("es posible que ya haya recibido esta respuesta: una interrupción impidió confirmar su envío. "
                    "Si ya la tiene, ignore esta copia.")


def _send(reply: EmailMessage, item: Received, envelope: Envelope, ctx: _Context) -> None:
    """Hand the reply to the SMTP server, logged as pendiente just before and enviada/fallida after."""
    entry = {"event": "respuesta", "key": envelope.key, "reply_id": reply["Message-ID"], "to": item.sender,
             "cc": reply.get("Cc", ""), "units": sorted({f.unit for f in item.forms if f.unit})}
    if ctx.fatal:
        item.result, item.reply, item.reason = "fallido", "fallida", ctx.fatal
        ctx.ledger.add({**entry, "result": "fallida", "reason": ctx.fatal})
        return
    with contextlib.suppress(Exception):  # connect first, so the pending window is the transfer only
        ctx.conn.open()
    ctx.ledger.add({**entry, "result": "pendiente"})
    try:
        refused = _deliver(ctx.conn, reply, ctx.retries, 0.5)
    except _Fatal as exc:
        ctx.fatal = str(exc)
        reason = str(exc)
    except Exception as exc:  # smtplib's refusals; anything else must not lose the form
        reason = _reason(exc)
        if _permanent(exc):  # 5xx: sending it again would be refused again; reported once, not retried
            item.reply, item.reason = "rechazada", f"el servidor rechazó la respuesta: {reason}"
            ctx.ledger.add({**entry, "result": "rechazada", "reason": reason})
            return
    else:
        item.reply = "enviada"
        if refused:  # the others got it: sending again would duplicate it for them
            import smtplib

            item.reason = "respuesta entregada solo en parte: " + _reason(smtplib.SMTPRecipientsRefused(refused))
        ctx.ledger.add({**entry, "result": "enviada", "reason": item.reason})
        return
    item.result, item.reply, item.reason = "fallido", "fallida", f"no se pudo enviar la respuesta: {reason}"
    ctx.ledger.add({**entry, "result": "fallida", "reason": reason})


def _permanent(exc: Exception) -> bool:
    """A 5xx answer: the address or the message is refused for good (RFC 5321 4.2.1)."""
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


