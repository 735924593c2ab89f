"""The answer to a coordinator, in Spanish and in the same thread: one block per form with its verdict
and every finding (cell, goal, what to do), the catalog's own problems apart for the office, the annotated
copies attached; ``Auto-Submitted: auto-replied`` so that two robots never answer each other (RFC 3834)."""
from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage, Message
from pathlib import Path
from typing import TYPE_CHECKING

from . import findings as F
from .catalog import Catalog, Unit
from .check import ANNOTATED
from .errors import PoaxlError
from .inbound import Limits, header, message_ids
from .mail import attach_workbook, closing, new_message, nice_name, spanish_date

if TYPE_CHECKING:
    from .collect import Form, Received


def catalog_unit(catalog: Catalog, code: str | None) -> Unit | None:
    try:
        return catalog.unit(code) if code and code != "?" else None
    except PoaxlError:
        return None


VERDICT = {  # by Form.state
    F.STATUS_LABEL["ok"]: "RECIBIDO Y CORRECTO. Quedó registrado como la entrega de su unidad.",
    F.STATUS_LABEL["warnings"]: "RECIBIDO Y ACEPTADO CON AVISOS. Quedó registrado como la entrega de su unidad; "
                                "revise los avisos (no impiden la entrega).",
    F.STATUS_LABEL["errors"]: "CON ERRORES: NO SE REGISTRÓ. Corrija lo siguiente y responda a este correo con el "
                              "archivo corregido.",
    F.STATUS_LABEL["unreadable"]: "NO SE PUDO LEER.",
}
GROUPS = ((F.ERROR, "   Errores (corríjalos):"), (F.WARNING, "   Avisos (revíselos):"))


def build_reply(original: Message, catalog: Catalog, item: Received, forms: list[Form], note: str, *,
                sender: str, cc: list[str], reply_to: str | None = None,
                limits: Limits = Limits()) -> EmailMessage:
    """The answer in the same thread: Re: subject, In-Reply-To, References, Auto-Submitted (RFC 3834)."""
    subject = item.subject or f"POA {catalog.year} · Avance físico"
    msg = new_message(subject if re.match(r"(?i)^re\s*:", subject) else f"Re: {subject}",
                      sender=sender, to=[item.sender], cc=cc, reply_to=reply_to)
    parent = message_ids(header(original, "Message-ID", 400), 1)
    if parent:
        msg["In-Reply-To"] = parent[0]
        refs = [r for r in message_ids(header(original, "References", 4000)) if r != parent[0]]
        msg["References"] = " ".join(refs[-9:] + parent)
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"  # Outlook's out-of-office does not answer this answer
    msg.set_content(reply_text(catalog, item, forms, note, limits))
    for form in forms:
        if form.annotated and form.annotated.is_file():
            attach_workbook(msg, form.annotated, Path(form.name).stem + ANNOTATED)
    return msg


def reply_text(catalog: Catalog, item: Received, forms: list[Form], note: str, limits: Limits = Limits()) -> str:
    """The Spanish body: one block per form with its verdict and, for each finding, cell, goal and what to do."""
    day = item.received[:10]
    when = spanish_date(dt.date.fromisoformat(day)) if re.match(r"^\d{4}-\d{2}-\d{2}$", day) else day
    lines = ["Estimado(a) coordinador(a):", "",
             f"Recibimos su mensaje del {when} con {len(forms)} formato(s). Resultado de la revisión automática:", ""]
    for form in forms:
        lines += _form_block(catalog, form, limits)
    if note:
        lines += [f"Nota: {note}", ""]
    lines += ["Este es un mensaje automático de la revisión del Programa Operativo Anual; si tiene dudas, "
              "responda a este correo y le atenderemos.", "", *closing(catalog)]
    return "\n".join(lines)


def _form_block(catalog: Catalog, form: Form, limits: Limits) -> list[str]:
    unit = catalog_unit(catalog, form.unit)
    what = f"{form.unit} {nice_name(unit.name)}" if unit else (f"unidad {form.unit}" if form.unit else "")
    period = f", T{form.quarter} {form.year}" if form.quarter and form.year else ""
    lines = [f"• {form.name}" + (f" — {what}{period}" if what else "") + f": {VERDICT[form.state]}"]
    if form.state == F.STATUS_LABEL["unreadable"]:
        reason = form.reason or (form.report.findings[0].message if form.report and form.report.findings else "")
        lines.append(f"   {reason}")
        return lines + [""]
    findings = form.report.findings if form.report else []
    own, n = F.of_fault(findings, F.COORDINATOR), 0
    for severity, title in GROUPS:
        group = [f for f in own if f.severity == severity]
        if group:
            lines.append(title)
        for f in group[:limits.findings_listed]:
            n += 1
            lines.append(f"   {n}. {f.message}")
        if len(group) > limits.findings_listed:
            lines.append(f"   … y {len(group) - limits.findings_listed} más (vea la copia anotada).")
    if form.annotated:
        lines.append(f"   Le adjuntamos {Path(form.name).stem + ANNOTATED}: una copia de su archivo con las celdas "
                     "señaladas y comentadas.")
    office = F.of_fault(findings, F.OFFICE)
    if office:
        lines.append("   " + F.text("office-heading"))
        lines += [f"   - {f.message}" for f in office[:limits.findings_listed]]
    return lines + [""]
