"""Where everything is on a TMM-F004 sheet: the one description of rows, columns, labels and
formulas that both the generator and the checker use. No other module spells a column letter."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence

from .catalog import CUTOFF, MONTHS, QUARTER_NAMES, QUARTERS, Catalog, Coded, Goal, Unit

LAYOUT_VERSION = "1"
META_SHEET = "_poaxl"
# the sheets of poaxl's own workbooks that are not forms (their tables have an L/A column too, so the
# checker recognises them by these and says what they are instead of checking them as a hand-made form)
SUMMARY_SHEET, FINDINGS_SHEET = "Resumen", "Hallazgos"   # poaxl report
CATALOG_BOOK_SHEETS = ("Unidades", "Metas")              # poaxl catalog export
META_KEYS = ("poaxl", "layout", "catalog", "unit", "year", "quarter", "fingerprint", "sheet", "ramo")
# "ramo" came later: a form generated before it has no ramo key, and is of its catalog's only ramo


def meta_text(values: dict[str, str]) -> str:
    """The hidden metadata as the one cell A1 of its sheet holds it: ``key=value`` lines, first ``poaxl=``.

    One cell, not a key/value row each: every cell is XML the checker parses for every file it reads."""
    return "\n".join(f"{key}={values[key]}" for key in META_KEYS)


def read_meta(rows: Sequence[Sequence[Any]]) -> dict[str, str]:
    """The metadata from the values of its sheet: the one-cell ``key=value`` lines, or the two columns
    (key, value) of the forms generated before it was one cell."""
    first = rows[0][0] if rows and rows[0] else None
    if isinstance(first, str) and first.startswith("poaxl="):
        pairs = (line.partition("=") for line in first.split("\n"))  # a spreadsheet may save \r\n
        return {key.strip(): value.strip() for key, _, value in pairs}
    return {str(r[0]): str(r[1]) for r in rows if len(r) > 1 and r[0] is not None}


class Column(NamedTuple):
    """One column of the goals table. (Small immutable records are NamedTuples: under Python 3.11 a
    dataclass costs 0.5-0.9 ms to make at import, a NamedTuple 0.1 ms; every check is a new process.)"""

    key: str
    header: str
    width: float  # printed width in points (see poaxl/paper.py): together they fill a letter page


COLUMNS: tuple[Column, ...] = (
    Column("la", "L/A", 30),
    Column("goal", "METAS Y ACCIONES", 195),
    Column("measure", "UNIDAD DE MEDIDA", 64),
    Column("meta", "META ANUAL", 36),
    *(Column(f"{k}{q}", k.upper(), 26) for q in QUARTERS for k in ("p", "a")),
    Column("absolute", "AVANCE ABSOLUTO", 46),
    Column("relative", "ACUMULADO RELATIVO", 54),
    Column("observations", "OBSERVACIONES", 102),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}
LAST_COL = len(COLUMNS) - 1
PERIOD_HEADER = "PERÍODO"
TABLE_HEADER_ROWS = 3  # headers / quarter names / P-A
# each signature over its own columns, with an empty column between them: three separate lines
SIGNATURES = (("elaboro", "ELABORÓ", "la", "measure"),
              ("reviso", "REVISÓ", "p1", "p4"),
              ("autorizo", "AUTORIZÓ", "absolute", "observations"))


def letter(col: int) -> str:
    """Column index (0-based) to its letter; the form never goes past column Z."""
    return chr(ord("A") + col)


def ref(row: int, key: str, absolute_col: bool = False) -> str:
    """A1 reference of a 0-based row and a column key, e.g. ``ref(13, 'a2') == 'H14'``."""
    return f"{'$' if absolute_col else ''}{letter(COL[key])}{row + 1}"


def p_key(q: int) -> str:
    return f"p{q}"


def a_key(q: int) -> str:
    return f"a{q}"


class SheetLayout(NamedTuple):
    """Row positions of one unit's sheet (they depend on its number of líneas and goals)."""

    n_lineas: int
    n_goals: int

    title_rows = (0, 1, 2)
    id_first = 4

    @property
    def id_rows(self) -> range:
        """RAMO … LÍNEAS DE ACCIÓN: one row per single field, one per línea."""
        return range(self.id_first, self.id_first + len(HEADER_FIELDS) - 1 + self.n_lineas)

    @property
    def unit_row(self) -> int:
        return self.id_first + [f.key for f in HEADER_FIELDS].index("unit")

    @property
    def header(self) -> int:
        return self.id_rows.stop + 1

    @property
    def first_goal(self) -> int:
        return self.header + TABLE_HEADER_ROWS

    def goal_row(self, index: int) -> int:
        return self.first_goal + index

    @property
    def last_goal(self) -> int:
        return self.first_goal + self.n_goals - 1

    @property
    def signature(self) -> int:
        return self.last_goal + 2

    @property
    def last_row(self) -> int:
        return self.signature + 4

    @classmethod
    def for_unit(cls, unit: Unit) -> "SheetLayout":
        return cls(len(unit.lineas), len(unit.goals))


def cutoff_cell() -> tuple[int, int]:
    """FECHA: top right, beside the titles (row 1, column O)."""
    return 1, LAST_COL


def form_code_cell() -> tuple[int, int]:
    return 0, LAST_COL


# --------------------------------------------------------------------------- the header block

TITLES = ("{ayuntamiento}", "PROGRAMA OPERATIVO ANUAL {year}", "AVANCE FÍSICO PROGRAMÁTICO")
FECHA_LABEL = "FECHA:"
UNIT_LABELS = ("UNIDAD EJECUTORA", "UNIDAD RESPONSABLE")  # a property of the unit: both occur
HEADER_CODE_COL, HEADER_NAME_COL = COL["measure"], COL["meta"]  # where the generator puts code and name
HEADER_LABEL_SPAN = (COL["la"], COL["goal"])  # labels right-aligned in A:B, beside their codes
HEADER_NAME_SPAN = (HEADER_NAME_COL, COL["observations"])  # names wrap over D:O


class HeaderField(NamedTuple):
    """One labelled line of the header block, in order. ``label`` None: the unit's own label."""

    key: str
    label: str | None

    @property
    def many(self) -> bool:
        return self.key == "lineas"  # one row per línea de acción, the label on the first


HEADER_FIELDS = (HeaderField("ramo", "RAMO:"), HeaderField("programa", "PROGRAMA"), HeaderField("unit", None),
                 HeaderField("finalidad", "FINALIDAD"), HeaderField("funcion", "FUNCIÓN"),
                 HeaderField("subfuncion", "SUBFUNCIÓN"), HeaderField("lineas", "LÍNEAS DE ACCIÓN"))


def titles(cat: Catalog) -> tuple[str, ...]:
    return tuple(t.format(ayuntamiento=cat.ayuntamiento, year=cat.year) for t in TITLES)


def fecha(cat: Catalog, quarter: int) -> str:
    """The FECHA cell: the quarter's cut-off date, ``FECHA: 30-jun-20`` (parse_fecha reads it back)."""
    return f"{FECHA_LABEL} {cat.cutoff(quarter)}"


def header_rows(cat: Catalog, unit: Unit, layout: "SheetLayout") -> list[tuple[int, str | None, Coded]]:
    """(row, label, code+name) of every header line, top to bottom; the label only on a field's first row."""
    values = {"ramo": [unit.ramo or cat.ramo], "programa": [unit.programa], "unit": [unit],
              "finalidad": [unit.finalidad], "funcion": [unit.funcion], "subfuncion": [unit.subfuncion],
              "lineas": list(unit.lineas)}
    lines = [(unit.label if f.label is None else f.label if i == 0 else None, item)
             for f in HEADER_FIELDS for i, item in enumerate(values[f.key])]
    return [(row, label, item) for row, (label, item) in zip(layout.id_rows, lines)]


def short_cache(fn):
    """Memoize ``fn(text)`` for short texts (every form of a batch repeats its labels); a long text, which
    a cell can hold, is computed each time so the cache stays small."""
    cached = functools.lru_cache(maxsize=4096)(fn)
    return functools.wraps(fn)(lambda text: cached(text) if len(text) <= 200 else fn(text))


@short_cache
def _plain(text: str) -> str:
    """Upper case without accents, colons or extra spaces: how header labels are compared."""
    if not text.isascii():  # (an ASCII text is its own NFKD form)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.replace(":", " ").upper().split())


_LABEL_KEYS = {_plain(f.label): f.key for f in HEADER_FIELDS if f.label} | {_plain(u): "unit" for u in UNIT_LABELS}
_FECHA = re.compile(r"FECHA\s*:?\s*(\d{1,2})\s*[-/ ]\s*([A-Za-z]{3})[A-Za-z]*\.?\s*[-/ ]\s*(\d{2,4})", re.I)
_YEAR = re.compile(re.escape(_plain(TITLES[1].split("{")[0])) + r"\s*(\d{4})")
_MONTH_ALIASES = {"dec": "dic", "jan": "ene", "apr": "abr", "aug": "ago"}  # a form typed in English


def parse_fecha(text: str) -> tuple[int, int] | None:
    """(year, quarter) of a FECHA text (``FECHA: 30-jun-20``, ``Fecha: 31/Dec/2020``), from the cut-off table."""
    m = _FECHA.search(text)
    if not m:
        return None
    month = m.group(2).lower()
    month = _MONTH_ALIASES.get(month, month)
    quarter = next((q for q in QUARTERS if MONTHS[CUTOFF[q - 1][0] - 1] == month), None)
    year = int(m.group(3))
    return (year + 2000 if year < 100 else year, quarter) if quarter else None


def _quarter_of(date: dt.date) -> int | None:
    return next((q for q in QUARTERS if (date.month, date.day) == CUTOFF[q - 1]), None)


@dataclass
class Header:
    """What a sheet's header block says: coded fields (``ramo``, ``unit``…: code and name), líneas, period."""

    fields: dict[str, Coded] = field(default_factory=dict)
    lineas: list[Coded] = field(default_factory=list)
    unit_label: str | None = None
    year: int | None = None
    quarter: int | None = None

    def code(self, key: str) -> str | None:
        return self.fields[key].code if key in self.fields else None


def read_header(rows: Sequence[Sequence[Any]]) -> Header:
    """Parse the header block from the rows above the table (cell values): labels found in the row's first
    non-empty cell, code and name in the next two; FECHA as text or as a date after the label; the year
    from the title. The inverse of what generate writes, and tolerant of hand-made forms."""
    head, in_lineas = Header(), False
    for row in rows:
        cells = [v for v in row if v is not None and str(v).strip()]
        if not cells:
            continue
        key = _read_period(cells, head)
        if key == "lineas":
            in_lineas = True
            rest = [str(v).strip() for v in cells[1:3]]
            head.lineas += [Coded(*rest)] if len(rest) == 2 else []
        elif key and len(cells) >= 3:
            head.fields[key], in_lineas = Coded(str(cells[1]).strip(), str(cells[2]).strip()), False
            if key == "unit":
                head.unit_label = " ".join(str(cells[0]).split())
        elif in_lineas and len(cells) == 2 and not any(_FECHA.search(str(v)) for v in cells):
            head.lineas.append(Coded(str(cells[0]).strip(), str(cells[1]).strip()))
        else:
            in_lineas = False
    return head


def _read_period(cells: list, head: Header) -> str | None:
    """Take the period the row's cells state into ``head``; return the field the row's label names."""
    key = None
    for i, value in enumerate(cells):
        if isinstance(value, str):
            said = _said(value)
            if said.period:
                head.year, head.quarter = said.period
            elif said.year is not None and head.year is None:
                head.year = said.year
            if i == 0:
                key = said.label
        elif isinstance(value, dt.date) and i and _plain(str(cells[i - 1])) == _plain(FECHA_LABEL):
            head.year, head.quarter = value.year, _quarter_of(value) or head.quarter
    return key


class _Said(NamedTuple):
    """What one text of the header block says (see _said)."""

    label: str | None                 # the header field it is the label of (``RAMO:`` -> ramo)
    period: tuple[int, int] | None    # (year, quarter) of a FECHA text
    year: int | None                  # else the year of a title (PROGRAMA OPERATIVO ANUAL 2020)


@short_cache
def _said(text: str) -> _Said:
    """Label, period and year of a header text, worked out once per text (every cell of the block asks)."""
    plain = _plain(text)
    if found := parse_fecha(text):
        return _Said(_LABEL_KEYS.get(plain), found, None)
    m = _YEAR.search(plain)
    return _Said(_LABEL_KEYS.get(plain), None, int(m.group(1)) if m else None)


# --------------------------------------------------------------------------- formulas

def to_date_formula(goal: Goal, row: int, quarter: int, kind: str, pin: bool = False) -> str:
    """Excel expression accumulating P (kind='p') or A (kind='a') up to ``quarter``.

    Mirrors ``Goal.to_date`` so cached values and the checker agree with the spreadsheet.
    ``pin`` fixes the columns ($F14) so one conditional format serves every row.
    """
    return _to_date_formula(goal.aggregation, row, quarter, kind, pin)


@functools.lru_cache(maxsize=4096)
def _to_date_formula(aggregation: str, row: int, quarter: int, kind: str, pin: bool) -> str:
    """to_date_formula by what it depends on: the checker compares every total with it, and a batch of
    forms repeats the same few rows and quarters."""
    keys = [f"{kind}{q}" for q in range(1, quarter + 1)]
    cells = ",".join(ref(row, k, pin) for k in keys)
    if aggregation == "sum":
        return f"SUM({cells})"
    if aggregation == "average":
        return f"IF(COUNT({cells})=0,0,AVERAGE({cells}))"
    return f"N({ref(row, keys[-1], pin)})"


AGGREGATIONS = ("sum", "average", "last")


def aggregation_of(formula: str, row: int) -> str | None:
    """Which aggregation an AVANCE ABSOLUTO formula of ours computes (for any quarter), or None."""
    found = str(formula).lstrip("=").replace("$", "").replace(" ", "").upper()
    for aggregation in AGGREGATIONS:
        goal = Goal("", "", "", "", 0, (0, 0, 0, 0), aggregation)
        if any(found == to_date_formula(goal, row, q, "a").upper() for q in QUARTERS):
            return aggregation
    return None


def absolute_formula(goal: Goal, row: int, quarter: int) -> str:
    return _absolute_formula(goal.aggregation, row, quarter)


@functools.lru_cache(maxsize=4096)
def _absolute_formula(aggregation: str, row: int, quarter: int) -> str:
    return "=" + _to_date_formula(aggregation, row, quarter, "a", False)


@functools.lru_cache(maxsize=4096)
def relative_formula(row: int) -> str:
    return f"=IF({ref(row, 'meta')}=0,0,{ref(row, 'absolute')}/{ref(row, 'meta')})"


def under_programme_rule(goal: Goal, row: int, quarter: int) -> str:
    """Red row: the report quarter's A is typed, A to date < P to date, no OBSERVACIONES."""
    return (f"=AND(COUNT({ref(row, a_key(quarter), True)})>0,"
            f"{ref(row, 'absolute', True)}<{to_date_formula(goal, row, quarter, 'p', pin=True)},"
            f"LEN(TRIM({ref(row, 'observations', True)}))=0)")


def over_programme_rule(goal: Goal, row: int, quarter: int, ratio: float) -> str:
    """Amber row: A to date above ``ratio`` × P to date, no OBSERVACIONES."""
    return (f"=AND({ref(row, 'absolute', True)}>0,"
            f"{ref(row, 'absolute', True)}>{ratio}*{to_date_formula(goal, row, quarter, 'p', pin=True)},"
            f"LEN(TRIM({ref(row, 'observations', True)}))=0)")


def decimals_rule(row: int, decimals: int) -> str:
    """AVANCE ABSOLUTO has decimals, to ``decimals`` places (a sum a hair off a whole number is whole)."""
    return f"MOD(ROUND({ref(row, 'absolute', True)},{decimals}),1)<>0"


SPANISH_FUNCTIONS = {"SUM": "SUMA", "IF": "SI", "COUNT": "CONTAR", "AVERAGE": "PROMEDIO", "N": "N"}


def spanish_formula(formula: str) -> str:
    """One of our formulas as Excel/LibreOffice in Spanish show it: =SUMA(F16;H16)."""
    import re

    out = re.sub(r"\b([A-Z]+)\(", lambda m: SPANISH_FUNCTIONS.get(m.group(1), m.group(1)) + "(", formula)
    return out.replace(",", ";")


def quarter_label(q: int) -> str:
    return QUARTER_NAMES[q - 1]
