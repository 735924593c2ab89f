"""Where the quarter stands, unit by unit: sent (send's log), last form received and its state,
last reply (collect's log), and whether the unit has a current answer in the answers folder.
Read-only: it only reads the two logs and looks at the folder."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable
from pathlib import Path

from .catalog import Catalog, Unit, load_catalog
from .errors import PoaxlError
from .collect import ACCEPTED, LOG_NAME as RECEIVED_LOG, QUARANTINED, current_name
from .findings import DELIVERY_LABEL, STATUS_LABEL
from .inbound import WORKBOOK_SUFFIXES
from .mail import LOG_NAME as SENT_LOG, already_sent, log_names, read_log


@dataclass
class UnitStatus:
    unit: str
    name: str
    sent: str | None = None           # when the form was sent (send's log)
    received: str | None = None       # when the last form arrived
    received_from: str | None = None  # from whom
    state: str = DELIVERY_LABEL["missing"]  # correcto | con avisos | con errores | sin entregar | en cuarentena
    current: str | None = None        # the unit's current answer file, if any
    reply: str | None = None          # when the last reply was sent
    reply_result: str | None = None   # enviada | pendiente (sin confirmar)

    def to_dict(self) -> dict:
        return asdict(self)


def status(*, out: str | Path = "respuestas", sent: str | Path = ".", catalog: Catalog | str | Path | None = None,
           quarter: int | None = None, ramo: str | None = None,
           warn: Callable[[str], None] = lambda message: None) -> list[UnitStatus]:
    """One row per catalog unit (of ``ramo``) for ``quarter`` (the catalog's by default). A folder that does not
    exist is a mistyped option (PoaxlError), not a quarter where nothing arrived; except the answers folder
    between ``send`` and the first ``collect`` (which makes it): then only ``warn``."""
    cat = load_catalog(catalog)
    quarter = quarter or cat.quarter
    out = Path(out)
    _must_exist(Path(sent), "de formatos enviados", "--sent", "poaxl send dejó su bitácora (poaxl-envios.jsonl)")
    sends = read_log(Path(sent) / SENT_LOG)
    if out.exists() or not sends:
        _must_exist(out, "de respuestas", "--out", "poaxl collect guarda las respuestas")
    elif not out.is_dir():
        warn(f"--out {out}: la carpeta de respuestas no existe todavía (poaxl collect la crea al recibir el primer "
             "formato); ninguna unidad tiene respuesta.")
    received = read_log(out / RECEIVED_LOG)
    forms = [e for e in received if e.get("event") == "formato"]
    replies = [e for e in received if e.get("event") == "respuesta"]
    rows = []
    for unit in cat.units_of(ramo):
        uid = cat.unit_id(unit)
        row = UnitStatus(uid, unit.name)
        if entry := already_sent(sends, cat, unit, quarter):
            row.sent = entry.get("time")
        names = log_names(cat, unit)  # also as collect named it before the catalog gained ramos
        mine = sorted((e for e in forms if e.get("unit") in names and e.get("quarter") == quarter
                       and e.get("year") == cat.year), key=lambda e: e.get("received", ""))
        answered = [e for e in mine if e.get("state") != QUARANTINED]
        last = (answered or mine or [None])[-1]
        if last:
            row.received, row.received_from = last.get("received"), last.get("from")
            row.state = last.get("state") if last.get("state") in (*ACCEPTED, STATUS_LABEL["errors"]) else QUARANTINED
        row.current = _current(out, cat, unit, quarter)
        if not last and row.current:  # filed by hand, not through collect: its state is what check says
            row.state = _checked_state(row.current, cat, uid, quarter)
        keys = {e.get("key") for e in answered}
        mine_replies = [e for e in replies if e.get("key") in keys and e.get("result") in ("enviada", "pendiente")]
        if mine_replies:
            row.reply, row.reply_result = mine_replies[-1].get("time"), mine_replies[-1].get("result")
        rows.append(row)
    return rows


def _must_exist(folder: Path, what: str, option: str, holds: str) -> None:
    """A mistyped folder is said, not shown as every unit «sin entregar»."""
    if not folder.is_dir():
        problem = "no es una carpeta" if folder.exists() else "no existe"
        raise PoaxlError(f"{option} {folder}: la carpeta {what} {problem}; indique la carpeta donde {holds}.")


def _current(out: Path, cat: Catalog, unit: Unit, quarter: int) -> str | None:
    """The unit's current answer in ``out``: by its name, else by the name collect gave it before the
    catalog gained (or lost) ramos when the form says it is this unit's (a 003 file may be another ramo's)."""
    from .check import check_file

    for by_ramo in (None, not cat.multi_ramo):
        for suffix in WORKBOOK_SUFFIXES:
            path = out / current_name(cat, unit, quarter, suffix, by_ramo)
            if path.exists() and (by_ramo is None or check_file(path, cat).key == unit.key):
                return str(path)
    return None


def _checked_state(path: str, cat: Catalog, unit: str, quarter: int) -> str:
    """The state of a current answer that collect did not log: correcto / con avisos / con errores
    (only the coordinator's errors count, as in report; an unreadable file is con errores). Checked as the
    ``unit`` and ``quarter`` its name claims: 003's form copied under 004's name is 004's answer with a
    unit-mismatch, not a correct one."""
    from .check import check_file

    report = check_file(path, cat, unit, quarter)
    if report.status == "unreadable" or report.delivery_errors:
        return STATUS_LABEL["errors"]
    return STATUS_LABEL["warnings" if report.findings else "ok"]
