"""Where everything is on a TMM-F004 sheet: the one description of rows, columns, labels and
formulas that both the generator and the checker use. No other module spells a column letter."""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import QUARTER_NAMES, QUARTERS, Goal, Unit

LAYOUT_VERSION = "1"
META_SHEET = "_poaxl"
META_KEYS = ("poaxl", "layout", "catalog", "unit", "year", "quarter", "fingerprint", "sheet", "ramo")
# "ramo" came later: a form generated before it has no ramo key, and is of its catalog's only ramo


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float


COLUMNS: tuple[Column, ...] = (
    Column("la", "L/A", 7),
    Column("goal", "METAS Y ACCIONES", 58),
    Column("measure", "UNIDAD DE MEDIDA", 13),
    Column("meta", "META ANUAL", 8),
    *(Column(f"{k}{q}", k.upper(), 7) for q in QUARTERS for k in ("p", "a")),
    Column("absolute", "AVANCE ABSOLUTO", 9),
    Column("relative", "ACUMULADO RELATIVO", 10),
    Column("observations", "OBSERVACIONES", 42),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}
LAST_COL = len(COLUMNS) - 1
PERIOD_HEADER = "PERÍODO"
TABLE_HEADER_ROWS = 3  # headers / quarter names / P-A
ID_LABELS = ("RAMO:", "PROGRAMA", None, "FINALIDAD", "FUNCIÓN", "SUBFUNCIÓN", "LÍNEAS DE ACCIÓN")
SIGNATURES = (("elaboro", "ELABORÓ", "goal", "goal"),
              ("reviso", "REVISÓ", "meta", "a4"),
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


@dataclass(frozen=True)
class SheetLayout:
    """Row positions of one unit's sheet (they depend on its number of líneas and goals)."""

    n_lineas: int
    n_goals: int

    title_rows = (0, 1, 2)
    id_first = 4

    @property
    def id_rows(self) -> range:
        return range(self.id_first, self.id_first + 6 + self.n_lineas)

    @property
    def unit_row(self) -> int:
        return self.id_first + 2

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


# --------------------------------------------------------------------------- formulas

def to_date_formula(goal: Goal, row: int, quarter: int, kind: str, pin: bool = False) -> str:
    """Excel expression accumulating P (kind='p') or A (kind='a') up to ``quarter``.

    Mirrors ``Goal.to_date`` so cached values and the checker agree with the spreadsheet.
    ``pin`` fixes the columns ($F14) so one conditional format serves every row.
    """
    keys = [f"{kind}{q}" for q in range(1, quarter + 1)]
    cells = ",".join(ref(row, k, pin) for k in keys)
    if goal.aggregation == "sum":
        return f"SUM({cells})"
    if goal.aggregation == "average":
        return f"IF(COUNT({cells})=0,0,AVERAGE({cells}))"
    return f"N({ref(row, keys[-1], pin)})"


def absolute_formula(goal: Goal, row: int, quarter: int) -> str:
    return "=" + to_date_formula(goal, row, quarter, "a")


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


SPANISH_FUNCTIONS = {"SUM": "SUMA", "IF": "SI", "COUNT": "CONTAR", "AVERAGE": "PROMEDIO", "N": "N"}


def spanish_formula(formula: str) -> str:
    """One of our formulas as Excel/LibreOffice in Spanish show it: =SUMA(F16;H16)."""
    import re

    out = re.sub(r"\b([A-Z]+)\(", lambda m: SPANISH_FUNCTIONS.get(m.group(1), m.group(1)) + "(", formula)
    return out.replace(",", ";")


def quarter_label(q: int) -> str:
    return QUARTER_NAMES[q - 1]
