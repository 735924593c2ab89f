"""Read filled TMM-F004 workbooks back and find, cell by cell, what is inconsistent.

Every finding has a stable code, a severity, the sheet and cell, the goal and quarter, and a Spanish
message that says what to do; all of them are defined in findings.py (the registry)."""
from __future__ import annotations

import operator
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from . import findings as F
from .catalog import QUARTER_NAMES, QUARTERS, Catalog, Goal, Unit, lint_goals, load_catalog
from .layout import (COL, COLUMNS, LAST_COL, SIGNATURES, TABLE_HEADER_ROWS, Header, SheetLayout, a_key,
                     absolute_formula, aggregation_of, letter, p_key, read_header, relative_formula, spanish_formula)
from .errors import PoaxlError
from .cellvalues import Percent
from .findings import FindingType, cell_text, number, percent
from .policy import Policy
from .layout import CATALOG_BOOK_SHEETS, FINDINGS_SHEET, META_SHEET, SUMMARY_SHEET
from .read import FORM_SUFFIXES, READ_COLS, Cell, Sheet, Unreadable, read_book
from .sheetscan import EMPTY

ANNOTATED = ".revisado.xlsx"  # suffix of --annotate copies; folders are checked without them
ARCHIVE_DIRS = ("historial", "cuarentena")  # poaxl collect's archives inside an answers folder


@dataclass
class Finding:
    """One problem found in a form (its code's registry entry in findings.py says the rest)."""

    code: str
    severity: str
    sheet: str | None
    cell: str | None
    goal: str | None
    quarter: int | None
    message: str


@dataclass
class FileReport:
    """What one form (a file, or one form sheet of a workbook of several) is and what was found in it."""

    path: str
    unit: str | None = None  # as the catalog names it: 003, or 01-003 in a catalog of several ramos
    year: int | None = None
    quarter: int | None = None
    status: str = "ok"
    findings: list[Finding] = field(default_factory=list)
    goals: list["GoalValues"] = field(default_factory=list, repr=False)  # what the file says, for reports
    ramo: str | None = None
    key: str | None = field(default=None, repr=False)  # Unit.key of the catalog unit, when it is one
    detail: str | None = field(default=None, repr=False)  # why unreadable, technically (English): --verbose only
    sheet: str | None = None  # the form's sheet, when the workbook holds several forms (one report each)

    def to_dict(self) -> dict:
        """The JSON report entry (DOMAIN.md contract): without the goal values, the internal key and detail;
        ``sheet`` only for a form of a workbook of several."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("goals", "key", "detail", "sheet")}
        if self.sheet is not None:
            out["sheet"] = self.sheet
        out["findings"] = [asdict(f) for f in self.findings]  # not asdict(self): it would copy every goal too
        return out

    @property
    def where(self) -> str:
        """The file, and the sheet when the workbook holds several forms: how messages name this form."""
        return f"{self.path}, hoja «{cell_text(self.sheet)}»" if self.sheet is not None else self.path

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def delivery_errors(self) -> list[Finding]:
        """The errors the unit must fix. The office's own (catalog) faults are reported, never held against
        the unit's delivery: they do not refuse a file in ``report`` nor block ``generate --from``."""
        return F.of_fault(self.errors, F.COORDINATOR)


@dataclass(repr=False)  # FileReport's repr leaves them out
class GoalValues:
    """One goal as filled in the file, with totals recomputed from its A cells."""

    goal: Goal
    actuals: list[float | None]
    absolute: float
    relative: float | None
    planned_to_date: float
    observation: str


# --------------------------------------------------------------------------- values

# compiled by re (and kept in its cache) the first time a form needs it, not at every start
_NUMBER = r"^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,30})(\.[0-9]{1,30})?$"
MAX_VALUE = 1e15  # no TMM-F004 quantity comes near it; beyond it (or inf, 1e309) a value is not a number


def parse_number(value) -> tuple[float | None, str]:
    """A cell value as a number and how it was typed: empty, number, text-number, percent or text.

    Accepts what coordinators type: ``1,367``, `` 12 ``, ``28%``, ``0.28``.
    """
    if (type(value) is int or type(value) is float) and -MAX_VALUE <= value <= MAX_VALUE:
        return float(value), "number"  # most cells (exactly int or float: not bool, not Percent; not nan)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "empty"
    if isinstance(value, bool):
        return None, "text"
    if isinstance(value, (int, float)):
        number = _bounded(value)
        return (number, "number") if number is not None else (None, "text")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if len(text) > 60:  # far longer than any quantity; keeps float() and the pattern cheap
        return None, "text"
    percent = text.endswith("%")
    text = text.rstrip("%")
    if re.match(_NUMBER, text) and (number := _bounded(text.replace(",", ""))) is not None:
        return (number / 100, "percent") if percent else (number, "text-number")
    return None, "text"


def _shown(raw) -> str:
    """A cell value as a message quotes it: numbers plainly (1367), text as typed."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return number(raw) if _bounded(raw) is not None else "«un número fuera de rango»"
    return "vacío" if raw is None else f"«{cell_text(raw)}»"


def _value(value: float, kind: str) -> str:
    """A parsed value as a message writes it: a typed percent stays a percent (25 %, not 0.25)."""
    return percent(value) if kind == "percent" else number(value)


def _bounded(value) -> float | None:
    """A float that arithmetic, rounding and xlsxwriter accept: finite and at most MAX_VALUE."""
    try:
        number = float(value)
    except (OverflowError, ValueError):  # an int of 400 digits does not fit a float
        return None
    return number if abs(number) <= MAX_VALUE else None  # also False for inf and nan


def _shown_total(raw, value: float | None, kind: str, key: str) -> str:
    """A typed total as the coordinator typed it. ``25%`` typed in a spreadsheet arrives as the number 0.25
    (the cell's format is not read), so a whole-percent fraction in AVANCE ABSOLUTO shows both readings."""
    if value is None:
        return _shown(raw)
    if kind == "percent" or (key == "relative" and kind == "number"):
        return percent(value)
    if kind == "number" and 0 < value < 1 and float(round(value * 100, 9)).is_integer():
        return f"{number(value)} ({percent(value)})"
    return number(value)


def _same(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


# --------------------------------------------------------------------------- locating the table

_GOAL = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*\.?\s*-?\s*(.*)$", re.S)


def _text(cell: Cell) -> str:
    return "" if cell.value is None else str(cell.value).strip()


class _Labels(NamedTuple):
    """Labels looked for among a row's cells (L/A, ELABORÓ...). A text longer than the longest, once
    stripped, is none of them: upper-casing never shortens a text, so it need not be upper-cased."""

    words: frozenset[str]
    longest: int


def _labels(*words: str) -> _Labels:
    return _Labels(frozenset(words), max(map(len, words)))


def _says(cells: list[Cell], labels: _Labels) -> int | None:
    """The first of ``cells`` whose value, stripped and upper-cased, is one of the labels, or None.
    Only a text can be: numbers, dates and booleans are ruled out by their type, without making a string
    of them (most cells a check looks at are numbers or empty), and long texts by their length."""
    for c, cell in enumerate(cells):
        value = cell.value
        if isinstance(value, str) and len(text := value.strip()) <= labels.longest \
                and text.upper() in labels.words:
            return c
    return None


_LA = _labels(COLUMNS[COL["la"]].header)
_SIGNATURE_LABELS = _labels(*(label for _, label, _, _ in SIGNATURES))


def find_header(sheet: Sheet) -> int | None:
    """Row of the table header: the one whose first cell says L/A."""
    for r, row in enumerate(sheet.rows):
        if _says(row[:1], _LA) is not None:
            return r
    return None


MAX_MARGIN = READ_COLS - len(COLUMNS)  # empty columns a hand-made form may keep before L/A


def locate_table(sheet: Sheet) -> tuple[int, int] | None:
    """(row, column) of the table's L/A header cell, in column A or after a narrow margin. Seen from that
    column (``aligned``), the same row is ``find_header``'s: no row above has L/A there either."""
    for r, row in enumerate(sheet.rows):
        if (c := _says(row[:MAX_MARGIN + 1], _LA)) is not None:
            return r, c
    return None


def aligned(sheet: Sheet, margin: int) -> Sheet:
    """The sheet seen from its table's first column, so the layout's columns apply to it."""
    return sheet if not margin else Sheet(sheet.name, [row[margin:] for row in sheet.rows])


class Row(NamedTuple):
    """A goal row as found in the file. (Small immutable records are NamedTuples: under Python 3.11 a
    dataclass costs 0.5-0.9 ms to make at import, a NamedTuple 0.1 ms; every check is a new process.)"""

    row: int
    number: str | None
    text: str


def goal_rows(sheet: Sheet, header: int) -> list[Row]:
    """Rows between the table header and the signatures (blank rows inside are kept as rows)."""
    rows: list[Row] = []
    first = header + 1  # after the header's PERÍODO / quarter / P-A rows (a hand-made form may have one row)
    while first < header + TABLE_HEADER_ROWS and not (_text(sheet.get(first, COL["la"]))
                                                      or _text(sheet.get(first, COL["goal"]))):
        first += 1
    goal = COL["goal"]
    for r in range(first, len(sheet.rows)):
        cells = sheet.rows[r][:LAST_COL + 1]
        if _says(cells, _SIGNATURE_LABELS) is not None:  # ELABORÓ...: the end of the goals
            break
        text = _text(cells[goal]) if len(cells) > goal else ""
        match = _GOAL.match(text)
        rows.append(Row(r, match.group(1), match.group(2).strip()) if match else Row(r, None, text))
    while rows and not any(_text(c) for c in sheet.rows[rows[-1].row][:LAST_COL + 1]):
        rows.pop()
    return rows


def sheet_header(sheet: Sheet, header: int) -> Header:
    """What the header block above the table says (unit, ramo, period): layout.read_header on the cells."""
    return read_header([[c.value for c in row] for row in sheet.rows[:header]])


# --------------------------------------------------------------------------- checking

class _Sink:
    """Collects findings for one sheet and phrases them consistently."""

    def __init__(self, sheet: str, unit: str, generated: bool = True, margin: int = 0):
        self.sheet, self.unit, self.generated, self.margin = sheet, unit, generated, margin
        self.items: list[Finding] = []
        self.values: list[GoalValues] = []
        self.typed_totals = 0
        self.stale = False  # the form is from an older catalog and was edited too (see _plan)

    def add(self, kind: FindingType, row: int | None = None, key: str | None = None, *, goal: str | None = None,
            quarter: int | None = None, variant: str = "", **fields) -> None:
        """Report ``kind`` at the cell (row, column key); the message comes from the registry."""
        cell = f"{letter(COL[key] + self.margin)}{row + 1}" if row is not None and key else None
        where = " ".join(x for x in (self.unit, cell) if x)
        context = ", ".join(x for x in ((f"meta {goal}" if goal else None),
                                        (QUARTER_NAMES[quarter - 1] if quarter else None)) if x)
        message = kind.message(variant, goal=goal, quarter=quarter, unit=self.unit, **fields)
        text = f"{where}: {context}: {message}" if context else f"{where}: {message}"
        self.items.append(Finding(kind.code, kind.severity, self.sheet, cell, goal, quarter, text))


def infer_goal(sheet: Sheet, row: Row) -> Goal:
    """A goal as the file states it (used without a catalog, and to lint what the file says)."""
    meta = parse_number(sheet.get(row.row, COL["meta"]).value)[0] or 0.0
    planned = tuple(parse_number(sheet.get(row.row, COL[p_key(q)]).value)[0] or 0.0 for q in QUARTERS)
    rate = meta > 0 and all(p == meta for p in planned)  # a percentage held every quarter
    return Goal(_text(sheet.get(row.row, COL["la"])), row.number or "?", row.text,
                _text(sheet.get(row.row, COL["measure"])), meta, planned, "average" if rate else "sum")


def _normal_formula(text: str) -> str:
    """A formula as compared: without =, $ and spaces, in capitals (Excel and LibreOffice rewrite these)."""
    return str(text).lstrip("=").replace("$", "").replace(" ", "").upper()


class SheetCheck(NamedTuple):
    """What the rules found on one form sheet, and the goals as filled (for reports)."""

    findings: list[Finding]
    goals: list[GoalValues]
    typed_totals: int = 0  # AVANCE ABSOLUTO / ACUMULADO RELATIVO cells holding a typed value, not a formula


def check_sheet(sheet: Sheet, unit_code: str, quarter: int, unit: Unit | None, policy: Policy,
                generated: bool = True, margin: int = 0, stale: bool = False,
                header: int | None = None) -> SheetCheck:
    """All rules on one form sheet. ``unit`` is the plan the file must keep, or None for internal checks
    only. ``generated``: the totals are poaxl's formulas (a typed total is then ``formula-replaced``);
    a hand-made form without metadata has typed totals by nature, and only their values are checked.
    ``sheet`` is aligned on the table; ``margin`` columns before it only shift the cells findings name.
    ``header``: the table's header row when the caller found it already (else it is looked for)."""
    sink = _Sink(sheet.name, unit_code, generated, margin)
    sink.stale = stale
    header = find_header(sheet) if header is None else header
    if header is None:
        sink.add(F.STRUCTURE_CHANGED, variant="no-header")
        return SheetCheck(sink.items, sink.values)
    rows = goal_rows(sheet, header)
    matched = _match_structure(sheet, rows, unit, sink)  # catalog goals, or the file's own without one
    for row, goal in matched:
        cells = _row_cells(sheet, row.row)
        if unit is not None:
            _check_planned(cells, row.row, goal, sink)
        _check_row(cells, row.row, goal, quarter, policy, sink)
    for lint in _lints([goal for _, goal in matched], unit):
        sink.add(lint.kind, matched[lint.index][0].row, lint.kind.column, goal=lint.goal.number,
                 variant=lint.variant, **lint.fields)
    return SheetCheck(sink.items, sink.values, sink.typed_totals)


_UNIT_LINTS: dict[int, tuple[Unit, list]] = {}


def _lints(goals: list[Goal], unit: Unit | None) -> list:
    """lint_goals of the goals found; when they are the unit's own, in its order (every form as generated),
    the unit's lint is worked out once per batch, not once per form."""
    if unit is None or len(goals) != len(unit.goals) or any(a is not b for a, b in zip(goals, unit.goals)):
        return lint_goals(goals, unit.lineas if unit else None)
    found = _UNIT_LINTS.get(id(unit))
    if found is None or found[0] is not unit:  # an id is reused once its unit is gone: the unit is kept
        if len(_UNIT_LINTS) > 4096:
            _UNIT_LINTS.clear()
        found = _UNIT_LINTS[id(unit)] = (unit, lint_goals(goals, unit.lineas))
    return found[1]


def _match_structure(sheet: Sheet, rows: list[Row], unit: Unit | None, sink: _Sink) -> list[tuple[Row, Goal]]:
    """Pair file rows with catalog goals; report deleted, inserted, reordered or edited rows."""
    if unit is None:
        return [(r, infer_goal(sheet, r)) for r in rows if r.number]
    by_number = {g.number: g for g in unit.goals}
    order = [g.number for g in unit.goals]
    pairs, seen, found = [], [], set()  # seen in file order; found: the same, to look up (1,500 goals)
    for r in rows:
        goal = by_number.get(r.number) if r.number else None
        if goal is None or r.number in found:
            what = f"la fila «{cell_text(r.text[:40])}»" if r.text else "una fila vacía"
            sink.add(F.STRUCTURE_CHANGED, r.row, "goal", variant="extra-row", what=what)
            continue
        seen.append(r.number)
        found.add(r.number)
        pairs.append((r, goal))
        _check_texts(sheet, r, goal, sink)
    for n in order:
        if n not in found:
            sink.add(F.STRUCTURE_CHANGED, goal=n, variant="missing-goal", number=n)
    kept = [n for n in order if n in found]
    if seen != kept:
        sink.add(F.STRUCTURE_CHANGED, variant="reordered", found=", ".join(seen), expected=", ".join(kept))
    return pairs


def _check_texts(sheet: Sheet, r: Row, goal: Goal, sink: _Sink) -> None:
    """The goal's text, L/A and unit of measure as the catalog has them (spacing aside)."""
    for key, expected, label in (("goal", goal.text, "el texto de la meta"), ("la", goal.la, "la L/A"),
                                 ("measure", goal.measure, "la unidad de medida")):
        found = r.text if key == "goal" else _text(sheet.get(r.row, COL[key]))
        if found != expected and " ".join(found.split()) != " ".join(expected.split()):
            sink.add(F.STRUCTURE_CHANGED, r.row, key, goal=goal.number, variant="edited", label=label,
                     expected=expected[:60])


_PLANNED = (("meta", COL["meta"], None), *((p_key(q), COL[p_key(q)], q) for q in QUARTERS))
_ACTUALS = tuple((q, a_key(q), COL[a_key(q)]) for q in QUARTERS)


def _row_cells(sheet: Sheet, r: int) -> list[Cell]:
    """Row ``r`` with at least every column of the layout (EMPTY where the file has no cell): the rules
    index it by column directly (``Sheet.get`` for each cell of each rule costs more than the rule)."""
    row = sheet.rows[r] if r < len(sheet.rows) else []
    return row if len(row) > LAST_COL else row + [EMPTY] * (LAST_COL + 1 - len(row))


_PLANNED_CELLS = operator.itemgetter(*(col for _, col, _ in _PLANNED))
_VALUE = operator.attrgetter("value")
_PLAIN_NUMBERS = frozenset({int, float})


def _check_planned(cells: list[Cell], r: int, goal: Goal, sink: _Sink) -> None:
    """META and P cells: numbers, and equal to the catalog's."""
    planned = (goal.meta, *goal.planned)
    typed = tuple(map(_VALUE, _PLANNED_CELLS(cells)))
    if typed == planned and _PLAIN_NUMBERS.issuperset(map(type, typed)) \
            and -MAX_VALUE <= min(planned) and max(planned) <= MAX_VALUE:
        return  # as generated, the usual case: each is a number parse_number takes as it is, and equal
    for (key, col, q), expected in zip(_PLANNED, planned):
        raw = cells[col].value
        value = parse_number(raw)[0]
        if value is None or (value != expected and not _same(value, expected, 1e-9)):
            sink.add(F.PLANNED_CHANGED, r, key, goal=goal.number, quarter=q,
                     variant="stale" if sink.stale else "", shown=_shown(raw), expected=number(expected))


def _check_row(cells: list[Cell], r: int, goal: Goal, quarter: int, policy: Policy, sink: _Sink) -> None:
    """A cells (numbers up to the report quarter, nothing after it), the totals and OBSERVACIONES."""
    n = goal.number
    actuals: list[float | None] = []
    complete = True
    points = goal.aggregation != "sum" and goal.meta > 1  # a rate planned in percentage points (META 90)
    for q, key, col in _ACTUALS:
        raw = cells[col].value
        if q > quarter:
            if raw is not None and parse_number(raw)[1] != "empty":
                sink.add(F.FUTURE_ENTRY, r, key, goal=n, quarter=q, raw=_shown(raw), report_quarter=quarter)
            actuals.append(None)
            continue
        value, kind = parse_number(raw)
        if points and value is not None and (kind == "percent" or type(raw) is Percent):
            value *= 100  # «90%» typed (or shown by a % format) in a goal planned in points means 90
            kind = "text-number" if kind == "percent" else kind
        if kind == "empty":
            sink.add(F.MISSING_ACTUAL, r, key, goal=n, quarter=q)
            complete = False
        elif kind == "text":
            huge = isinstance(raw, (int, float)) and not isinstance(raw, bool)  # a number, but out of bounds
            sink.add(F.NOT_A_NUMBER, r, key, goal=n, quarter=q, raw=cell_text(raw), variant="out-of-range" if huge else "")
            complete = False
        elif kind in ("text-number", "percent"):
            sink.add(F.NUMBER_AS_TEXT, r, key, goal=n, quarter=q, raw=cell_text(raw), value=_value(value, kind))
        if value is not None and value < 0:
            sink.add(F.NEGATIVE_VALUE, r, key, goal=n, quarter=q, value=_value(value, kind))
            complete = False
        actuals.append(value if kind not in ("empty", "text") else None)
    absolute = goal.to_date(actuals, quarter)
    note = cells[COL["observations"]]
    unexplained = _unexplained(note)  # «=A1», a bare 0: not an explanation, nor carried as one
    values = GoalValues(goal, actuals, absolute, goal.relative(absolute), goal.planned_to_date(quarter),
                        "" if unexplained else _text(note))
    sink.values.append(values)
    _check_total(cells[COL["absolute"]], r, goal, quarter, "absolute", values.absolute, policy, sink)
    _check_total(cells[COL["relative"]], r, goal, quarter, "relative", values.relative, policy, sink)
    if complete:
        _check_observation(r, values, quarter, policy, sink, unexplained)


def _check_total(cell: Cell, r: int, goal: Goal, quarter: int, key: str, expected: float | None,
                 policy: Policy, sink: _Sink) -> None:
    """M and N: our formula (its value is right by construction) or a typed value that must agree."""
    formula = absolute_formula(goal, r, quarter) if key == "absolute" else relative_formula(r)
    label = "AVANCE ABSOLUTO" if key == "absolute" else "ACUMULADO RELATIVO"
    if cell.formula:  # ours: right by construction; a hand-made form's own formula is its business
        if sink.generated and cell.value != formula and _normal_formula(cell.value) != _normal_formula(formula):
            sink.add(F.FORMULA_REPLACED, r, key, goal=goal.number, variant="edited", label=label,
                     formula=cell.value, expected=spanish_formula(formula))
        return
    if sink.generated:
        sink.add(F.FORMULA_REPLACED, r, key, goal=goal.number, variant="typed", label=label,
                 expected=spanish_formula(formula))
    sink.typed_totals += 1
    value, kind = parse_number(cell.value)
    if key == "absolute":
        ok = value is not None and _same(value, expected, policy.tolerance)
    else:
        want = percent(expected or 0)
        ok = value is not None and expected is not None and (
            round(value * 100) == round(expected * 100)
            or (kind != "percent" and round(value) == round(expected * 100)))  # 28 typed for 28 %
    if ok:
        return
    shown = _shown_total(cell.value, value, kind, key)
    if key == "absolute":
        how = {"sum": "la suma", "average": "el promedio", "last": "el último valor"}[goal.aggregation]
        sink.add(F.ABSOLUTE_MISMATCH, r, key, goal=goal.number, quarter=quarter, shown=shown, how=how,
                 expected=number(expected))
    else:
        sink.add(F.RELATIVE_MISMATCH, r, key, goal=goal.number, quarter=quarter, shown=shown, expected=want)


def _unexplained(note: Cell) -> dict[str, str] | None:
    """Why a filled OBSERVACIONES cell is no explanation (the message variant and its fields), or None when
    it is one (or is empty). An explanation is words the coordinator wrote: not a formula (=A1), nor a value
    without a single letter: a bare number (0, typed as a number or as text), a date, VERDADERO, a «-»."""
    value = note.value
    if note.formula:
        return {"variant": "formula", "formula": cell_text(str(value))}
    if value is None or (isinstance(value, str) and (not value.strip() or any(c.isalpha() for c in value))):
        return None
    if type(value) is Percent:
        said = percent(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        said = number(value) if _bounded(value) is not None else "un número fuera de rango"
    else:
        said = cell_text(value).strip()
    return {"variant": "no-words", "said": said}


def _check_observation(r: int, values: GoalValues, quarter: int, policy: Policy, sink: _Sink,
                       unexplained: dict[str, str] | None = None) -> None:
    """Under programme, or far above it, the row needs an OBSERVACIÓN: a text the coordinator wrote. A
    formula or a bare number in OBSERVACIONES (``unexplained``) counts as none, and the message says why."""
    goal, absolute, planned = values.goal, values.absolute, values.planned_to_date
    if values.observation:
        return
    how = unexplained or {}
    if absolute < planned - 1e-9:
        sink.add(F.MISSING_OBSERVATION, r, "observations", goal=goal.number, quarter=quarter,
                 absolute=number(absolute), planned=number(planned), **how)
    elif absolute > 0 and absolute > policy.over_ratio * planned:
        pct = percent(absolute / planned) if planned else "sin programación"
        sink.add(F.UNJUSTIFIED_OVERACHIEVEMENT, r, "observations", goal=goal.number, quarter=quarter,
                 absolute=number(absolute), planned=number(planned), percent=pct, **how)


# --------------------------------------------------------------------------- files

def check_file(path: str | Path, catalog: Catalog, unit: str | None = None, quarter: int | None = None,
               policy: Policy = Policy(), ramo: str | None = None) -> FileReport:
    """Check one workbook holding one form. Never raises for bad input: an unreadable file gets status
    'unreadable'. A workbook with several forms (one sheet per unit) is refused here, naming its sheets:
    a returned form is one unit's (collect, status); ``check_forms`` checks each form of it.

    ``unit`` (``003`` or ``01-003``), ``ramo`` and ``quarter`` are what the caller expects the file to be."""
    reports = check_forms(path, catalog, unit, quarter, policy, ramo)
    if len(reports) == 1:
        return reports[0]
    sheets = "; ".join(f"hoja «{cell_text(r.sheet)}»: {r.unit}" for r in reports)
    return _unreadable(FileReport(str(path)), F.reason("several-forms", count=len(reports), sheets=sheets))


def check_forms(path: str | Path, catalog: Catalog, unit: str | None = None, quarter: int | None = None,
                policy: Policy = Policy(), ramo: str | None = None) -> list[FileReport]:
    """Check every form in one workbook: one report per form sheet (an office may keep a whole ramo in one
    workbook, a sheet per unit), each saying its unit, sheet and findings; one report for a workbook with
    one form or none (unreadable). Never raises for bad input."""
    report = FileReport(str(path))
    try:
        book = read_book(path)
    except Unreadable as exc:
        report.detail = exc.detail
        return [_unreadable(report, str(exc))]
    if (own := own_book(book)) is not None:
        return [_unreadable(report, F.reason(own))]
    forms = [(aligned(s, at[1]), at) for s in book.sheets if (at := locate_table(s)) is not None]
    if not forms:
        return [_unreadable(report, F.reason("no-form"))]
    expected = Expected(unit, quarter, ramo)
    reports = []
    for sheet, (header, margin) in forms:
        # the metadata names its sheet; a single form renamed by the user is still that sheet
        meta = book.meta if len(forms) == 1 or book.meta.get("sheet") == sheet.name else {}
        form = _check_form(meta, sheet, header, catalog, expected, policy, margin)
        one = FileReport(str(path), form.unit, form.year, form.quarter, findings=form.findings, goals=form.goals,
                         ramo=form.ramo, key=form.key, sheet=sheet.name if len(forms) > 1 else None)
        one.findings.sort(key=lambda f: (f.severity != "error",))
        one.status = ("errors" if one.errors else "warnings" if one.findings else "ok")
        reports.append(one)
    return reports


OWN_BOOKS = {"report-book": (SUMMARY_SHEET, FINDINGS_SHEET), "catalog-book": CATALOG_BOOK_SHEETS}


def own_book(book) -> str | None:
    """The reason key when the workbook is one of poaxl's own that is not a form (a consolidated report
    saved in the answers folder, a catalog workbook): their sheets have L/A tables too, and checking them
    as a hand-made form would give a flood of nonsense findings."""
    if book.meta:  # a form poaxl generated
        return None
    names = {sheet.name for sheet in book.sheets}
    return next((key for key, sheets in OWN_BOOKS.items() if names >= set(sheets)), None)


def _unreadable(report: FileReport, why: str) -> FileReport:
    report.status = "unreadable"
    report.findings.append(Finding(F.UNREADABLE.code, F.UNREADABLE.severity, None, None, None, None,
                                   f"{report.path}: {why}"))
    return report


class Expected(NamedTuple):
    """What the caller says the file should be (--unit, --quarter, --ramo); None: anything."""

    unit: str | None = None
    quarter: int | None = None
    ramo: str | None = None

    @property
    def split(self) -> tuple[str | None, str | None]:
        """(ramo, unit code): ``01-003`` names both, ``003`` only the code."""
        if self.unit and "-" in self.unit:
            ramo, code = self.unit.split("-", 1)
            return ramo.strip(), code.strip()
        return self.ramo, self.unit


def _same_code(a: str | None, b: str | None) -> bool:
    a, b = (a or "").strip(), (b or "").strip()
    return a == b or (a.isdigit() and b.isdigit() and a.lstrip("0") == b.lstrip("0"))


class _Form(NamedTuple):
    """One form sheet checked: who and when it says it is, what was found, the goals as filled."""

    unit: str
    ramo: str | None
    key: str | None
    year: int | None
    quarter: int | None
    findings: list[Finding]
    goals: list[GoalValues]


def _check_form(meta: dict[str, str], sheet: Sheet, header: int, catalog: Catalog, want: Expected,
                policy: Policy, margin: int = 0) -> _Form:
    """One form sheet, aligned on its table whose header is at row ``header``."""
    head = sheet_header(sheet, header)
    head_unit, head_ramo, head_year, head_quarter = head.code("unit"), head.code("ramo"), head.year, head.quarter
    meta, edited = trusted_meta(meta)
    want_ramo, want_unit = want.split
    code = meta.get("unit") or head_unit or want_unit or "?"
    ramo = meta.get("ramo") or head_ramo or want_ramo  # forms made before the ramo was in the metadata: header
    year = int(meta["year"]) if "year" in meta else head_year
    quarter = int(meta["quarter"]) if "quarter" in meta else head_quarter or want.quarter
    found_quarter = quarter
    known = _identify(catalog, code, ramo)
    shown = catalog.unit_id(known) if known else f"{ramo}-{code}" if ramo and catalog.multi_ramo else code
    sink = _Sink(sheet.name, shown)
    if edited:
        sink.add(F.STRUCTURE_CHANGED, variant="edited-metadata", sheet=META_SHEET, values=", ".join(edited))
    if meta and margin:
        sink.add(F.STRUCTURE_CHANGED, variant="margin", column=letter(margin))
    if not quarter:
        quarter = catalog.quarter
        sink.add(F.WRONG_PERIOD, variant="unknown-quarter", report_quarter=quarter)
    unit = None
    if meta:
        unit = _plan(catalog, meta, known, year, sheet, header, sink)
        if head_unit and not _same_code(head_unit, code):
            sink.add(F.UNIT_MISMATCH, variant="header", header=head_unit)
        if head_ramo and meta.get("ramo") and not _same_code(head_ramo, meta["ramo"]):
            sink.add(F.UNIT_MISMATCH, variant="header-ramo", header=head_ramo, ramo=meta["ramo"])
    else:  # hand-made, or its sheet copied into another workbook: the header block is all it says
        _check_header(catalog, known, head_unit, head_ramo, head_year, ramo, sink)
    if (want_unit and not _same_code(want_unit, code)) or (want_ramo and ramo and not _same_code(want_ramo, ramo)):
        wanted = f"{want_ramo}-{want_unit}" if want_ramo and want_unit else want_unit or f"del ramo {want_ramo}"
        sink.add(F.UNIT_MISMATCH, variant="expected", expected=wanted)
    if want.quarter and want.quarter != quarter:
        sink.add(F.WRONG_PERIOD, variant="expected", expected=want.quarter, report_quarter=quarter)
    checked = check_sheet(sheet, shown, quarter, unit, policy, generated=bool(meta), margin=margin,
                          stale=sink.stale, header=header)
    if meta and unit is not None:
        _check_print(catalog, unit, checked, sink)
    if not meta:  # said once, not on every typed total
        sink.add(F.NO_METADATA, variant="typed-totals" if checked.typed_totals else "")
    return _Form(shown, known.ramo.code if known and known.ramo else ramo, known.key if known else None,
                 year, found_quarter, sink.items + checked.findings, checked.goals)


def _check_header(catalog: Catalog, known: Unit | None, head_unit: str | None, head_ramo: str | None,
                  year: int | None, ramo: str | None, sink: _Sink) -> None:
    """What the metadata's checks (``_plan``) do for a form without it, on what its header block says: the
    unit must be the catalog's (else the form could not be placed in a report) and the year the catalog's."""
    if year and year != catalog.year:
        sink.add(F.WRONG_PERIOD, variant="header-year", file_year=year, catalog=catalog.id, year=catalog.year)
    if known is not None:
        return
    if not head_unit:
        sink.add(F.UNKNOWN_UNIT, variant="no-header-unit", catalog=catalog.id)
        return
    same = [u for u in catalog.units_of() if _same_code(u.code, head_unit)]
    if ramo is None and len(same) > 1:
        sink.add(F.UNKNOWN_UNIT, variant="header-ambiguous", catalog=catalog.id, keys=", ".join(u.key for u in same))
    elif same and head_ramo:  # the unit is the catalog's, in another ramo than the header says
        sink.add(F.UNKNOWN_UNIT, variant="header-ramo", catalog=catalog.id, ramo=head_ramo, code=head_unit,
                 found=", ".join(u.ramo.code for u in same))
    else:
        sink.add(F.UNKNOWN_UNIT, variant="header", catalog=catalog.id)


PRINT_MIN_SCALE = 0.5  # below half size a printed form cannot be read
PRINT_MEASURED_CHARS = 600  # fewer characters of OBSERVACIONES in all always fit: not measured (check stays fast)


def _check_print(catalog: Catalog, unit: Unit, checked: SheetCheck, sink: _Sink) -> None:
    """A one-page form prints fitted to its page: warn when the typed OBSERVACIONES would shrink it below
    half size (the coordinator prints and signs it; the office files it)."""
    notes = {v.goal.number: v.observation for v in checked.goals}
    observations = [notes.get(g.number, "") for g in unit.goals]
    if sum(map(len, observations)) < PRINT_MEASURED_CHARS:
        return
    _check_observation_rows(unit, observations, sink)
    from .generate import printed_scale  # measuring needs the form's layout and font metrics

    scale = printed_scale(catalog, unit, observations)
    if scale is None or scale >= PRINT_MIN_SCALE:
        return
    longest = max(range(len(observations)), key=lambda i: len(observations[i]))
    sink.add(F.PRINT_TOO_SMALL, SheetLayout.for_unit(unit).goal_row(longest), "observations",
             goal=unit.goals[longest].number, scale=percent(scale))


def _check_observation_rows(unit: Unit, observations: list[str], sink: _Sink) -> None:
    """An OBSERVACIÓN taller than its row can be is cut where Excel prints it (printfit.observation_fit)."""
    from .generate import observation_room
    from .printfit import observation_fit

    layout = SheetLayout.for_unit(unit)
    for i, (goal, text) in enumerate(zip(unit.goals, observations)):
        if text and (fit := observation_fit(text, observation_room(goal))) is not None:
            sink.add(F.OBSERVATION_TOO_LONG, layout.goal_row(i), "observations", goal=goal.number,
                     chars=f"{len(text):,}", fit=f"{fit:,}")


META_PATTERNS = {"unit": (re.compile(r"[0-9]{1,12}"), "unidad"), "year": (re.compile(r"20[0-9][0-9]|2100"), "año"),
                 "quarter": (re.compile(r"[1-4]"), "trimestre"),
                 "ramo": (re.compile(r"[0-9A-Za-z][0-9A-Za-z.]{0,19}"), "ramo")}


def trusted_meta(meta: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The hidden metadata without the values that are malformed (a coordinator can edit the hidden
    sheet: quarter 5, a year of ``²`` or of 5,000 digits); also the keys that were dropped."""
    kept, edited = dict(meta), []
    for key, (pattern, name) in META_PATTERNS.items():
        if key in kept and not pattern.fullmatch(kept[key]):
            edited.append(f"{name} «{kept.pop(key)[:12]}»")
    return kept, edited



def _identify(catalog: Catalog, code: str, ramo: str | None) -> Unit | None:
    """The catalog unit a file names (by ramo and code), or None when it names none or several."""
    try:
        return catalog.unit(code, ramo)
    except PoaxlError:
        return None


def _plan(catalog: Catalog, meta: dict, unit: Unit | None, year: int | None, sheet: Sheet, header: int,
          sink: _Sink) -> Unit | None:
    """The plan a generated form must keep: the catalog unit, or, when the catalog changed after the form
    was generated (fingerprints differ), the plan the form was sent with (the office's change, not the
    coordinator's: ``catalog-changed``, never ``planned-changed``). None: compare with nothing.
    ``unit``: the catalog unit the form names (``_identify``), None when there is none."""
    if meta.get("catalog") != catalog.id or (year and year != catalog.year):
        sink.add(F.WRONG_PERIOD, variant="other-catalog", file_catalog=meta.get("catalog"), file_year=year,
                 catalog=catalog.id, year=catalog.year)
        return None
    if unit is None:
        sink.add(F.UNKNOWN_UNIT, catalog=catalog.id)
        return None
    if meta.get("fingerprint") == unit.fingerprint():
        return unit
    sent = sent_plan(sheet, unit, header)
    if sent.fingerprint() == meta.get("fingerprint"):  # the form is as it was sent: only out of date
        sink.add(F.CATALOG_CHANGED, changes=plan_changes(sent, unit))
        return sent
    # out of date AND edited (or its fingerprint forged): which cell was edited cannot be told, so the
    # form is held to the current catalog, and planned-changed says to regenerate rather than restore
    sink.add(F.CATALOG_CHANGED, variant="edited-too", changes=plan_changes(sent, unit))
    sink.stale = True
    return unit


def sent_plan(sheet: Sheet, unit: Unit, header: int | None = None) -> Unit:
    """The plan a form carries (its META, P and texts; each goal's aggregation from its AVANCE ABSOLUTO
    formula, else the catalog's): what the office sent, unless someone edited it (then its fingerprint is
    not the metadata's)."""
    header = find_header(sheet) if header is None else header
    catalog_aggregation = {g.number: g.aggregation for g in unit.goals}
    goals = []
    for r in goal_rows(sheet, header or 0):
        if r.number:
            total = sheet.get(r.row, COL["absolute"])
            formula = aggregation_of(total.value, r.row) if total.formula else None
            goal = infer_goal(sheet, r)
            aggregation = formula or catalog_aggregation.get(goal.number, goal.aggregation)
            goals.append(replace(goal, aggregation=aggregation))
    return replace(unit, goals=tuple(goals))


def plan_changes(sent: Unit, current: Unit) -> str:
    """Which goals the catalog changed since the form was sent, for the office: `` (metas 3.2, 3.5)``."""
    old = {g.number: g for g in sent.goals}
    new = {g.number: g for g in current.goals}
    changed = [n for n in new if n in old and _plan_key(old[n]) != _plan_key(new[n])]
    parts = [f"cambiaron las metas {', '.join(changed)}" if changed else "",
             f"metas nuevas: {', '.join(n for n in new if n not in old)}" if set(new) - set(old) else "",
             f"metas quitadas: {', '.join(n for n in old if n not in new)}" if set(old) - set(new) else ""]
    parts = [p for p in parts if p]
    return f" ({'; '.join(parts)})" if parts else ""


def _plan_key(goal: Goal) -> tuple:
    return (goal.la.strip(), " ".join(goal.text.split()), " ".join(goal.measure.split()), float(goal.meta),
            tuple(map(float, goal.planned)), goal.aggregation)


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, directories as their .xlsx/.xlsm/.ods files (recursively, sorted), leaving out
    Office lock files, our own annotated copies (which would count twice), and, inside a folder,
    hidden folders and the archives ``poaxl collect`` keeps beside the current answers."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.suffix.lower() not in FORM_SUFFIXES and p.is_dir():  # a folder named x.xlsx is a path given as a
            # form: reported unreadable (not-a-file), as inside a folder, never skipped without a word
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in FORM_SUFFIXES
                          and not f.name.startswith(("~$", ".~lock", "."))
                          and not f.name.lower().endswith(ANNOTATED)
                          and not any(d in ARCHIVE_DIRS or d.startswith(".") for d in f.relative_to(p).parts[:-1]))
        else:
            out.append(p)
    return out


def nothing_to_check(paths: Iterable[str | Path]) -> str:
    """Why ``expand`` found nothing: no workbook at all, or only our own annotated copies."""
    from .findings import text

    paths = list(map(Path, paths))
    copies = [f for p in paths if p.is_dir() for f in p.rglob(f"*{ANNOTATED}")]
    where = ", ".join(map(str, paths))
    if copies:
        return text("only-annotated", paths=where, count=len(copies), suffix=ANNOTATED)
    return text("no-files", paths=where)


def check(paths: Iterable[str | Path], *, catalog: Catalog | str | Path | None = None, unit: str | None = None,
          quarter: int | None = None, policy: Policy = Policy(), jobs: int = 1,
          progress: Callable[[FileReport], None] | None = None, ramo: str | None = None) -> list[FileReport]:
    """Check many files (directories expanded), optionally in ``jobs`` processes; order is kept. One report
    per form: a workbook with a sheet per unit gives a report for each (``FileReport.sheet``)."""
    cat = load_catalog(catalog)
    unit = cat.unit_id(cat.unit(unit, ramo)) if unit else None  # --unit 999: not in the catalog, before any file
    if ramo is not None:
        cat.find_ramo(ramo)  # an unknown --ramo is a usage error, not a finding per file
    files = expand(paths)
    reports: list[FileReport] = []
    for forms in _run(files, cat, unit, quarter, policy, jobs, ramo):
        reports += forms  # one report per form: a workbook of several units' sheets gives one each
        if progress:
            progress(forms[0])
    return reports


def _run(files: list[Path], cat: Catalog, unit, quarter, policy, jobs: int,
         ramo=None) -> Iterator[list[FileReport]]:
    if jobs <= 1 or len(files) < 2:
        for f in files:
            yield check_forms(f, cat, unit, quarter, policy, ramo)
        return
    from concurrent.futures import ProcessPoolExecutor

    # each worker gets the catalog and options once (not with every chunk of files)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_setup,
                             initargs=(cat, unit, quarter, policy, ramo)) as pool:
        # small chunks: both workers stay busy to the end (a chunk is a few hundred KB of results at most)
        yield from pool.map(_worker_check, files, chunksize=max(1, min(64, len(files) // (jobs * 8))))


_WORKER: tuple = ()


def _worker_setup(*args) -> None:
    global _WORKER
    _WORKER = args


def _worker_check(path: Path) -> list[FileReport]:
    return check_forms(path, *_WORKER)


def by_file(reports: list[FileReport]) -> list[FileReport]:
    """One report per file: the forms of a workbook of several joined (their findings name their sheets),
    for what is done to a file once, as its annotated copy."""
    files: dict[str, FileReport] = {}
    for r in reports:
        if r.path not in files:
            files[r.path] = replace(r, findings=list(r.findings), sheet=None)
        else:
            files[r.path].findings += r.findings
    return list(files.values())


def exit_status(reports: list[FileReport]) -> int:
    """0 no errors, 1 some file has errors, 2 some file is unreadable."""
    if any(r.status == "unreadable" for r in reports):
        return 2
    return 1 if any(r.status == "errors" for r in reports) else 0


# --------------------------------------------------------------------------- annotated copies

def annotate(report: FileReport, out_dir: str | Path, force: bool = False) -> Path | None:
    """Write a copy of the checked file with each offending cell coloured and commented (Spanish).

    The original is only read (openpyxl loads it into memory); the copy goes to ``out_dir`` atomically.
    Returns None when the file has no cell to mark or could not be read.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from .files import atomic_path
    from .read import load_for_annotate

    marked = [f for f in report.findings if f.cell and f.sheet]
    if report.status == "unreadable" or not marked:
        return None
    source = Path(report.path).resolve()
    target = Path(out_dir).resolve() / f"{source.stem}{ANNOTATED}"  # .xlsx even for .xlsm/.ods: macros are not copied
    if target == source:
        raise ValueError("--annotate debe ser una carpeta distinta de la del archivo revisado")
    try:
        wb = load_for_annotate(source)  # an .ods gives an .xlsx copy with its values
    except Unreadable as exc:
        raise ValueError(str(exc)) from None
    defuse(wb)
    fills = {"error": PatternFill("solid", fgColor="F4CCCC"), "warning": PatternFill("solid", fgColor="FFE599")}
    notes: dict[tuple[str, str], list[Finding]] = {}
    for f in marked:
        notes.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, cell), items in notes.items():
        if sheet not in wb.sheetnames:
            continue
        c = _anchor(wb[sheet], cell)
        c.fill = fills["error" if any(i.severity == "error" for i in items) else "warning"]
        text = "\n".join(f"[{i.code}] {i.message}" for i in items)
        c.comment = Comment(text, "poaxl", width=360, height=40 + 30 * len(items))
    try:
        with atomic_path(target, overwrite=force) as tmp:
            wb.save(tmp)
    except FileExistsError:  # an earlier run's copy, or a.ods and a.xlsx in one batch
        raise ValueError(F.text("annotate-exists", path=target)) from None
    return target


def _anchor(ws, ref_: str):
    """The cell that can carry a comment: a merged range's top-left cell for any cell inside it."""
    for merged in ws.merged_cells.ranges:
        if ref_ in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return ws[ref_]


_OUR_FORMULA = r"=[A-Z0-9$(),.:+\-*/<>= ]*"  # SUM/IF/COUNT/AVERAGE/N over cells: no text, no links
_OUR_FUNCTIONS = {"SUM", "IF", "COUNT", "AVERAGE", "N", "AND", "LEN", "TRIM"}


def defuse(wb) -> None:
    """Make a coordinator's workbook safe to hand back to the office: every hyperlink is dropped and
    every formula that is not one of the form's own arithmetic formulas is kept only as its text."""
    for ws in wb.worksheets:
        for c in list(ws._cells.values()):
            if getattr(c, "hyperlink", None):
                c.hyperlink = None
            if c.data_type == "f" and not _harmless(c.value):
                c.value, c.data_type = str(getattr(c.value, "text", c.value)), "s"  # ArrayFormula: its text


def _harmless(formula) -> bool:
    text = str(formula)
    return bool(re.fullmatch(_OUR_FORMULA, text)) and set(re.findall(r"([A-Z]+)\(", text)) <= _OUR_FUNCTIONS
