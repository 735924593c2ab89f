"""Every catalog text the form prints must print whole.

A spreadsheet row is at most paper.MAX_ROW_PT (409 pt) tall in Excel and LibreOffice alike, and what a
wrapped cell holds below that is clipped on paper (pdftotext still finds it: it is drawn, then cut off).
The form cannot continue a goal in rows of its own as the report does (one goal is one row, and the
checker reads it by position), so:

- a goal text (DESCRIPCIÓN DE LA META) taller than a row at the form's type is printed smaller, in
  half points down to paper.MIN_PT, the smallest type the form prints (generate._goal_row);
- a text that does not fit its row even then, and any other catalog text of the form taller than a row
  (UNIDAD DE MEDIDA, the names of the header block, the signatures, the ayuntamiento in the title), is
  refused when the catalog is loaded (catalog._build), in words naming the unit, the goal and how many
  characters of that text fit.

One measure for both: the generator sizes the rows with the same ``size`` the catalog was checked
with, so a catalog that loads prints whole. Codes are not measured: the schema keeps them to 20
letters, digits and dots, which always fit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from . import fontmetrics, paper
from ._font_table import UNITS_PER_EM, WIDTHS
from .catalog import Catalog, Goal, Unit
from .layout import COL, COLUMNS, HEADER_NAME_SPAN, LAST_COL, SIGNATURES


@dataclass(frozen=True, eq=False)
class Place:
    """Where a catalog text prints: the width it wraps in, the type sizes it may print at (the form's
    own first, smaller ones after it), bold or not, and the padding of its row. Compared and hashed as
    the object it is (the places are this module's constants): size's cache asks for each text."""

    width: float
    sizes: tuple[float, ...]
    bold: bool = False
    padding: float = 3.0


def _span(first: int, last: int) -> float:
    return sum(c.width for c in COLUMNS[first:last + 1])


GOAL_SIZES = (paper.BODY_PT, paper.BODY_PT - 0.5, paper.MIN_PT)  # 8, 7.5, 7: Excel's own half points
GOAL_TEXT = Place(COLUMNS[COL["goal"]].width, GOAL_SIZES)
MEASURE = Place(COLUMNS[COL["measure"]].width, (paper.MEASURE_PT,))
HEADER_NAME = Place(_span(*HEADER_NAME_SPAN), (paper.ID_PT,), padding=2)
TITLE = Place(_span(0, LAST_COL - 1), (paper.TITLE_PT,), bold=True, padding=1)
OBSERVATION = Place(COLUMNS[COL["observations"]].width, (paper.BODY_PT,))
SIGNED = tuple((key, part, Place(_span(COL[first], COL[last]), (paper.BODY_PT,), bold=part == "name"))
               for key, _, first, last in SIGNATURES for part in ("cargo", "name"))  # (signatory, field, place)


@lru_cache(maxsize=4096)
def size(text: str, place: Place) -> float | None:
    """The largest of ``place.sizes`` at which ``text`` fits a row (paper.MAX_ROW_PT); None if none."""
    return next((s for s in place.sizes if _fits(text, place, s)), None)


def height(text: str, place: Place, at: float) -> float:
    """The height of a row holding ``text`` at ``at`` points (at most a row's, paper.MAX_ROW_PT)."""
    return paper.row_height([(text, place.width)], at, bold=place.bold, padding=place.padding)


def _fits(text: str, place: Place, at: float, room: float = paper.MAX_ROW_PT) -> bool:
    """Does ``text`` fit a row ``room`` points tall at ``at`` points?"""
    if room >= paper.MAX_ROW_PT and _surely_fits(len(text), text.count("\n"), place, at):
        return True
    lines = paper.lines(text, place.width, at, place.bold)
    return fontmetrics.text_height(lines, at, place.padding) <= room


def _surely_fits(chars: int, breaks: int, place: Place, at: float) -> bool:
    """Without wrapping: of two lines one after the other, the second did not fit at the end of the
    first, so together they are wider than the room less the widest character: a paragraph of width W
    takes at most 2·W/(room - widest) + 1 lines, and W is at most its characters × the widest one.
    Every goal text of a few hundred characters is decided here, which keeps a catalog of 10,000 units
    as fast to load as before."""
    per_char, most = _capacity(place, at)
    return chars * per_char + breaks + 1 <= most


@lru_cache(maxsize=64)
def _capacity(place: Place, at: float) -> tuple[float, int]:
    """(lines per character at worst, lines a row holds) of ``place`` at ``at`` points."""
    widest = WIDTHS["bold" if place.bold else "regular"]["\uffff"] * at / UNITS_PER_EM
    room = paper.text_room(place.width)
    most = math.floor((paper.MAX_ROW_PT - place.padding) / fontmetrics.line_height(at))
    return (2 * widest / (room - widest) if room > widest else math.inf), most


def fitting_length(text: str, place: Place, room: float = paper.MAX_ROW_PT) -> int:
    """How many characters of ``text`` fit its row (``room`` points tall) at the smallest size, for the
    message: the longest beginning of it that does."""
    at, low, high = place.sizes[-1], 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if _fits(text[:mid], place, at, room):
            low = mid
        else:
            high = mid - 1
    return low


# --------------------------------------------------------------------------- the catalog's texts

@dataclass(frozen=True)
class Misfit:
    """A catalog text taller than its row: where it is in the catalog data and what to say."""

    path: tuple
    message: str


def catalog_misfits(cat: Catalog) -> Iterator[Misfit]:
    """The texts of the catalog's head that the form prints: the ayuntamiento and the ramos' names."""
    if size(cat.ayuntamiento, TITLE) is None:
        yield _misfit(("ayuntamiento",), "el nombre del ayuntamiento (primer título del formato)",
                      cat.ayuntamiento, TITLE)
    ramos = cat.ramos if cat.multi_ramo else (cat.ramo,)
    for i, ramo in enumerate(ramos):
        if size(ramo.name, HEADER_NAME) is None:
            path = ("ramos", i, "name") if cat.multi_ramo else ("ramo", "name")
            yield _misfit(path, f"el nombre del ramo {ramo.code} (fila RAMO del formato)", ramo.name, HEADER_NAME)


def unit_misfits(unit: Unit) -> Iterator[Misfit]:
    """A unit's texts the form prints, each checked against its row. Paths are inside the unit."""
    for i, goal in enumerate(unit.goals):
        if goal_size(goal) is None:
            yield _goal_misfit(i, goal)
        if size(goal.measure, MEASURE) is None:
            yield _misfit(("goals", i, "measure"), f"meta {goal.number}: la UNIDAD DE MEDIDA", goal.measure, MEASURE)
    coded = (unit.programa, unit.finalidad, unit.funcion, unit.subfuncion, *unit.lineas)
    if size(unit.name, HEADER_NAME) is None:
        yield _misfit(("name",), f"el nombre de la unidad (fila {unit.label} del formato)", unit.name, HEADER_NAME)
    for k, item in enumerate(coded):
        if size(item.name, HEADER_NAME) is None:
            key, what = HEADER_CODED[min(k, len(HEADER_CODED) - 1)]
            path = (key, k - len(HEADER_CODED) + 1, "name") if key == "lineas" else (key, "name")
            yield _misfit(path, f"el nombre de {what} {item.code}", item.name, HEADER_NAME)
    for key, part, place in SIGNED:
        text = unit.signatures[key][part]
        if text and size(text, place) is None:
            label = next(label for k, label, _, _ in SIGNATURES if k == key)
            what = "el cargo" if part == "cargo" else "el nombre"
            yield _misfit(("signatures", key, part), f"{what} de quien firma {label}", text, place)


HEADER_CODED = (("programa", "el programa"), ("finalidad", "la finalidad"), ("funcion", "la función"),
                ("subfuncion", "la subfunción"), ("lineas", "la línea de acción"))


def goal_size(goal: Goal) -> float | None:
    """The type size of a goal's text (METAS Y ACCIONES: ``2.1.- TEXT``) on the form; None: too long."""
    return size(goal.label, GOAL_TEXT)


def _goal_misfit(i: int, goal: Goal) -> Misfit:
    fit = max(0, fitting_length(goal.label, GOAL_TEXT) - (len(goal.label) - len(goal.text)))
    return Misfit(("goals", i, "text"),
                  f"meta {goal.number}: la descripción de la meta no cabe en su fila del formato impreso, "
                  f"ni con letra de {_pt(GOAL_SIZES[-1])} pt: una fila mide a lo más {_pt(paper.MAX_ROW_PT)} pt "
                  f"y lo que no cabe no se imprime. Tiene {_length(goal.text)}; de este texto caben {fit:,} "
                  f"caracteres: acórtelo a esa longitud.")


def _misfit(path: tuple, what: str, text: str, place: Place) -> Misfit:
    fit = fitting_length(text, place)
    return Misfit(path, f"{what} no cabe en su fila del formato impreso (una fila mide a lo más "
                        f"{_pt(paper.MAX_ROW_PT)} pt y lo que no cabe no se imprime). Tiene {_length(text)}; "
                        f"de este texto caben {fit:,} caracteres: acórtelo a esa longitud.")


def _length(text: str) -> str:
    breaks = text.count("\n")
    return f"{len(text):,} caracteres" + (f" y {breaks:,} saltos de línea" if breaks else "")


def _pt(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- what the coordinator types

def observation_fit(text: str, room: float) -> int | None:
    """None when an OBSERVACIÓN prints whole in its row, ``room`` points tall at most; else how many of
    its characters do (check's observation-too-long)."""
    if _fits(text, OBSERVATION, paper.BODY_PT, room):
        return None
    return fitting_length(text, OBSERVATION, room)
