"""Write TMM-F004 workbooks with xlsxwriter: the official layout, catalog values locked, the
coordinator's cells unlocked and marked, formulas with cached results, hidden metadata."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import __version__, paper, printfit
from .catalog import QUARTERS, Catalog, Goal, Unit, load_catalog
from .errors import PoaxlError
from .files import atomic_path
from .policy import Policy
from .layout import (COL, COLUMNS, HEADER_CODE_COL, HEADER_LABEL_SPAN, HEADER_NAME_COL, HEADER_NAME_SPAN, LAST_COL, LAYOUT_VERSION, META_KEYS,
                     META_SHEET, meta_text, PERIOD_HEADER, SIGNATURES, SheetLayout, a_key, absolute_formula,
                     cutoff_cell, decimals_rule, fecha, form_code_cell, header_rows, over_programme_rule, p_key,
                     quarter_label, relative_formula, titles, under_programme_rule)

FONT = "Arial"
# catalog and coordinator text is written as text: never a formula, a hyperlink or a number
TEXT_ONLY = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


@dataclass
class Prefill:
    """Values carried from an earlier quarter's accepted file: A per goal and past observations."""

    actuals: dict[int, list[float | None]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def file_name(catalog: Catalog, unit: Unit, quarter: int, by_ramo: bool | None = None) -> str:
    """``TMM-F004_2020_T2_003.xlsx``; with several ramos the ramo leads: ``TMM-F004_2020_T2_05-003.xlsx``
    (a one-ramo catalog keeps the names it always had, so earlier forms and logs still match). The schema already restricts these fields; the name is made safe
    again here so that no catalog (also one built in code) can name a path outside the chosen folder.
    ``by_ramo`` forces one naming: the other one is how the forms were named before the catalog gained
    (or lost) ramos (send --from looks for it)."""
    by_ramo = catalog.multi_ramo if by_ramo is None else by_ramo
    ident = f"{(unit.ramo or catalog.ramo).code}-{unit.code}" if by_ramo else unit.code
    return safe_name(f"{catalog.form_code}_{catalog.year}_T{quarter}_{ident}") + ".xlsx"


def safe_name(text: str) -> str:
    """One path component: letters, digits, ``._-`` only; never empty, never starting with a dot."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(text))[:150].lstrip(".")
    return name or "_"


def generate(units: Iterable[str] = (), *, all_units: bool = False, quarter: int | None = None,
             out: str | Path = ".", catalog: Catalog | str | Path | None = None,
             password: str | None = None, force: bool = False,
             prefill: dict[str, Prefill] | None = None,
             progress: Callable[[Unit], None] | None = None, ramo: str | None = None,
             policy: Policy = Policy()) -> list[Path]:
    """Generate one workbook per unit and return their paths.

    ``policy.over_ratio`` is where the row turns amber: the same value ``check --over-ratio`` uses.
    ``ramo`` limits ``all_units`` to one ramo and resolves codes repeated in several ramos;
    ``prefill`` is keyed by ``Catalog.unit_id`` (``003``, or ``01-003`` with several ramos) or ``Unit.key``.
    ``out`` is a directory, or a ``.xlsx`` file name when exactly one unit is generated.
    Existing files are refused (all of them listed, nothing written) unless ``force``.
    """
    cat = load_catalog(catalog)
    quarter = quarter or cat.quarter
    if quarter not in (1, 2, 3, 4):
        raise PoaxlError(f"El trimestre debe ser 1, 2, 3 o 4 (se recibió {quarter}).")
    chosen = cat.select(units, all_units, ramo)
    targets = _targets(cat, chosen, quarter, Path(out))
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise PoaxlError("Ya existe(n) y no se sobrescribe(n) sin --force: " + ", ".join(existing))
    for unit, target in zip(chosen, targets):
        with atomic_path(target, overwrite=force) as tmp:
            write_workbook(cat, unit, quarter, tmp, password=password,
                           prefill=_prefill_for(prefill or {}, cat, unit), policy=policy)
        if progress:
            progress(unit)
    return targets


def _prefill_for(prefill: dict[str, Prefill], cat: Catalog, unit: Unit) -> Prefill | None:
    return prefill.get(cat.unit_id(unit)) or prefill.get(unit.key)


# names that are files, not folders: `--out formato.xls` must not become a folder named formato.xls
NOT_A_FOLDER = {".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".pdf", ".txt", ".zip", ".json", ".yaml", ".yml"}


def check_out(out: str | Path) -> None:
    """Refuse an --out that names a file of another kind: forms are .xlsx files in a folder."""
    out = Path(out)
    if out.suffix.lower() in NOT_A_FOLDER and not out.is_dir():
        raise PoaxlError(f"--out {out}: los formatos se escriben como .xlsx; indique un nombre .xlsx "
                         f"(una sola unidad) o una carpeta.")


def empty_history_warning(quarter: int) -> str:
    """Said when quarter N > 1 is generated without --from: the earlier A cells are open and empty."""
    earlier = ", ".join(f"T{q}" for q in range(1, quarter))
    return (f"el T{quarter} se genera sin --from: los avances de {earlier} quedan vacíos para que el "
            f"coordinador los capture; para copiarlos de los formatos ya aceptados use "
            f"--from CARPETA_DEL_T{quarter - 1}.")


def _targets(cat: Catalog, units: Sequence[Unit], quarter: int, out: Path) -> list[Path]:
    check_out(out)
    if out.suffix.lower() == ".xlsx":
        if len(units) != 1:
            raise PoaxlError(f"--out {out} es un archivo, pero se generan {len(units)} unidades: indique una carpeta.")
        return [out]
    if out.exists() and not out.is_dir():
        raise PoaxlError(f"--out {out} existe y no es una carpeta.")
    return [out / file_name(cat, u, quarter) for u in units]


# --------------------------------------------------------------------------- the workbook

def write_workbook(cat: Catalog, unit: Unit, quarter: int, path: str | Path,
                   password: str | None = None, prefill: Prefill | None = None,
                   policy: Policy = Policy()) -> None:
    """Write one unit's form for ``quarter`` to ``path`` (the caller makes it atomic)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, **TEXT_ONLY, **paper.workbook_options()})
    wb.set_properties({
        "title": f"{cat.form_code} Avance Físico Programático {cat.year} T{quarter} · {unit.title}",
        "subject": f"Programa Operativo Anual {cat.year} · Ramo {_ramo(cat, unit).code} {_ramo(cat, unit).name}",
        "author": f"{cat.ayuntamiento} (poaxl {__version__})",
        "keywords": f"POA, {cat.form_code}, {unit.code}",
        "comments": "Capture solo las celdas amarillas: avance (A) del trimestre y OBSERVACIONES.",
    })
    fmt = _Formats(wb)
    layout = SheetLayout.for_unit(unit)
    ws = paper.add_sheet_with_growing_rows(wb, unit.code, growing_rows(unit, layout))
    heights = row_heights(cat, unit, layout)
    paper.set_row_heights(ws, heights)
    _page_setup(ws, cat, unit, layout, form_pages(layout, heights))
    _title_block(ws, fmt, cat, unit, layout, quarter)
    _table_header(ws, fmt, layout)
    for i, goal in enumerate(unit.goals):
        _goal_row(ws, fmt, goal, layout.goal_row(i), quarter, prefill, i)
    ws.data_validation(layout.first_goal, COL["observations"], layout.last_goal, COL["observations"],
                       OBSERVATION_HELP)
    _row_rules(ws, fmt, unit, layout, quarter, policy.over_ratio)
    _signatures(ws, fmt, unit, layout)
    ws.protect(password or "", {"format_rows": True, "format_columns": True,
                                "select_locked_cells": True, "select_unlocked_cells": True})
    ws.activate()
    _metadata_sheet(wb, cat, unit, quarter, password)
    wb.close()


def _ramo(cat: Catalog, unit: Unit):
    return unit.ramo or cat.ramo


class _Formats:
    """All cell formats of the form, made once per workbook. Input cells are shaded on screen; the
    sheet prints in black and white (as the official form), so the shading does not print."""

    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": paper.BODY_PT, "valign": "vcenter"}
        box = {**base, "border": 1}

        def f(**kw):
            return wb.add_format({**box, **kw})

        self._box, self._numbers = f, {}

        self.title = wb.add_format({**base, "bold": True, "font_size": paper.TITLE_PT, "align": "center",
                                    "text_wrap": True})
        self.code = wb.add_format({**base, "bold": True, "font_size": 9, "align": "right"})
        self.id_label = wb.add_format({**base, "font_size": paper.ID_PT, "bold": True, "align": "right"})
        self.id_code = wb.add_format({**base, "font_size": paper.ID_PT, "align": "center"})
        self.id_name = wb.add_format({**base, "font_size": paper.ID_PT, "text_wrap": True})
        self.head = f(bold=True, align="center", text_wrap=True, bg_color="#D9D9D9", font_size=paper.HEAD_PT)
        self.text = f(text_wrap=True, valign="top")
        self.center = f(align="center", text_wrap=True)
        self.measure = f(align="center", text_wrap=True, font_size=paper.MEASURE_PT)
        self.input = f(num_format="General", align="right", locked=False, bg_color="#FFF2CC", shrink=True)
        self.input_text = f(text_wrap=True, valign="top", locked=False, bg_color="#FFF2CC")
        self.future = f(bg_color="#BFBFBF", pattern=1)
        self.formula = f(num_format="#,##0", align="right", bold=True, shrink=True)
        self.formula_decimal = f(num_format="#,##0.0", align="right", bold=True, shrink=True)
        self.percent = f(num_format="0%", align="right", bold=True, shrink=True)
        self.sign_label = wb.add_format({**base, "bold": True, "align": "center"})
        self.sign_line = wb.add_format({**base, "top": 1, "align": "center", "valign": "top", "text_wrap": True})
        self.sign_name = wb.add_format({**base, "bold": True, "align": "center", "valign": "top",
                                        "text_wrap": True})
        red, amber = {"bg_color": "#F4CCCC", "font_color": "#9C0006"}, {"bg_color": "#FFE599", "font_color": "#7F6000"}
        self.red, self.amber = wb.add_format(red), wb.add_format(amber)
        # a total the typed A give decimals (_row_rules): alone, and with the row's red or amber
        shown = {"num_format": SHOWN_DECIMALS}
        self.decimals = wb.add_format(shown)
        self.red_decimals, self.amber_decimals = wb.add_format({**red, **shown}), wb.add_format({**amber, **shown})

    def text_at(self, size: float):
        """A goal text's format at ``size`` points: the form's own, or smaller for a text taller than a
        row (printfit.goal_size)."""
        if size == paper.BODY_PT:
            return self.text
        key = ("text", size)
        if key not in self._numbers:
            self._numbers[key] = self._box(text_wrap=True, valign="top", font_size=size)
        return self._numbers[key]

    def total_for(self, decimals: int):
        """AVANCE ABSOLUTO of a sum: bold, with as many decimals as the values it adds."""
        if decimals == 0:
            return self.formula
        key = ("total", decimals)
        if key not in self._numbers:
            self._numbers[key] = self._box(num_format=number_format(decimals), align="right", bold=True,
                                           shrink=True)
        return self._numbers[key]

    def number_for(self, value: float, carried: bool = False):
        """The format a catalog number (META, P) or a carried A prints with: thousands separator, and
        decimals only as many as the value has (1367 → «1,367», 2.5 → «2.5»). A carried A prints as the
        P beside it, on the grey of a locked, already reported cell."""
        key = (number_decimals(value), carried)
        if key not in self._numbers:
            shade = {"bg_color": "#EDEDED"} if carried else {}
            self._numbers[key] = self._box(num_format=number_format(key[0]), align="right", shrink=True, **shade)
        return self._numbers[key]


MAX_DECIMALS = 3  # a planned or reported value with more decimals prints rounded to three


def number_decimals(value: float) -> int:
    """How many decimals ``value`` has (up to MAX_DECIMALS): 1367 → 0, 54.5 → 1, 0.125 → 3."""
    if not math.isfinite(value):
        return 0
    return next((d for d in range(MAX_DECIMALS) if abs(round(value, d) - value) < 1e-9 * max(1, abs(value))),
                MAX_DECIMALS)


SHOWN_DECIMALS = "#,##0.0" + "#" * (MAX_DECIMALS - 1)  # 1 to MAX_DECIMALS decimals: 5.5, 2,003.25


def number_format(decimals: int) -> str:
    """``#,##0`` with ``decimals`` decimals: the thousands separator the official form prints."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


# --------------------------------------------------------------------------- on paper

def _span(first: str, last: str) -> float:
    """Printed width of the columns ``first``..``last``."""
    return sum(c.width for c in COLUMNS[COL[first]:COL[last] + 1])


def row_heights(cat: Catalog, unit: Unit, layout: SheetLayout) -> dict[int, float]:
    """Every printed row's height in points, from the text it holds (measured with the font). Goal rows
    are sized for the catalog's texts: they grow when an OBSERVACIÓN is typed
    (paper.add_sheet_with_growing_rows), so room for one is not reserved (carried observations are comments, sized by _comment_box)."""
    h = {row: printfit.height(text, printfit.TITLE, paper.TITLE_PT) for row, text in zip(layout.title_rows, titles(cat))}
    h[layout.title_rows[-1] + 1] = 4
    name_width = sum(c.width for c in COLUMNS[HEADER_NAME_SPAN[0]:HEADER_NAME_SPAN[1] + 1])
    for row, _, item in header_rows(cat, unit, layout):
        h[row] = paper.row_height([(item.name, name_width), (item.code, COLUMNS[HEADER_CODE_COL].width)],
                                  paper.ID_PT, padding=2)
    h[layout.header - 1] = 4
    top, mid, low = layout.header, layout.header + 1, layout.header + 2
    h[mid] = h[low] = paper.text_height(1, paper.HEAD_PT)
    h[top] = max(paper.text_height(1, paper.HEAD_PT), _table_header_height() - h[mid] - h[low])
    for i, goal in enumerate(unit.goals):
        h[layout.goal_row(i)] = goal_row_height(goal)
    sign = layout.signature
    h[sign - 1], h[sign], h[sign + 1] = 12, paper.text_height(1, paper.BODY_PT), 22  # room to sign
    for offset, field, bold in ((2, "cargo", False), (3, "name", True)):
        h[sign + offset] = paper.row_height([(unit.signatures[key][field], _span(first, last))
                                             for key, _, first, last in SIGNATURES], paper.BODY_PT, bold=bold)
    h[layout.last_row] = 4
    return h


def goal_row_height(goal: Goal) -> float:
    """A goal row's height as generated: its L/A, its text (at its size) and its UNIDAD DE MEDIDA."""
    return max(paper.row_height([(goal.la, COLUMNS[COL["la"]].width)], paper.BODY_PT, paper.MIN_GOAL_LINES),
               printfit.height(goal.label, printfit.GOAL_TEXT, goal_size(goal)),
               printfit.height(goal.measure, printfit.MEASURE, paper.MEASURE_PT))


def observation_room(goal: Goal) -> float:
    """How tall the row an OBSERVACIÓN of ``goal`` is typed into can be: a growing row up to a row's
    limit (409 pt: Excel's; LibreOffice grows one further and shrinks the page), a row of smaller type
    (growing_rows) its height as generated."""
    return paper.MAX_ROW_PT if goal_size(goal) == paper.BODY_PT else goal_row_height(goal)


def growing_rows(unit: Unit, layout: SheetLayout) -> list[int]:
    """The goal rows a spreadsheet fits again when an OBSERVACIÓN is typed: those whose goal text
    prints at the form's own size. A row of smaller type keeps its measured height: LibreOffice fits
    it by its screen measure of the small type, which is not its printed one (a 2,000-character goal at
    7 pt: fitted for 45 lines, printed in 49, the last four clipped: tests/test_form_fit.py)."""
    return [layout.goal_row(i) for i, goal in enumerate(unit.goals) if goal_size(goal) == paper.BODY_PT]


def goal_size(goal: Goal) -> float:
    """The type size of a goal's text: smaller than the form's when it is taller than a row
    (printfit). A catalog that loaded has none that does not fit at the smallest; one built in code
    without load_catalog gets the smallest, and what does not fit is clipped."""
    return printfit.goal_size(goal) or printfit.GOAL_SIZES[-1]


@cache
def _table_header_height() -> float:
    """The three header rows together hold the tallest column title: the same for every unit."""
    return paper.row_height([(c.header, c.width) for c in COLUMNS], paper.HEAD_PT, bold=True)


# of the last page of a form longer than one page, kept free for its goal rows to grow when
# OBSERVACIONES are typed, so that the signatures stay whole under the last goal
SIGNATURE_SLACK = 0.25


def form_pages(layout: SheetLayout, heights: dict[int, float]) -> paper.Pages:
    """The form's pages: header block and table on page 1, goals continuing on the next pages under
    the repeated table header, the signatures kept with the last goal row.

    A form whose blank layout fits one page is printed fitted to one page (_page_setup): rows that grow
    with the coordinator's OBSERVACIONES shrink the print a little instead of pushing the signatures
    onto a second page. A longer form keeps its designed breaks at 100 %, and its last page keeps
    SIGNATURE_SLACK of its height free for the rows on it to grow."""
    repeated = sum(heights[r] for r in range(layout.header, layout.first_goal))
    keep = (layout.last_goal, layout.last_row)
    pages = paper.paginate(heights, layout.first_goal, repeated, keep)
    if pages.count == 1:
        return pages
    return paper.paginate(heights, layout.first_goal, repeated, keep,
                          slack=SIGNATURE_SLACK * paper.printable_height())


def printed_scale(cat: Catalog, unit: Unit, observations: Sequence[str]) -> float | None:
    """The scale a one-page form prints at once its OBSERVACIONES (one per goal, in the catalog's order)
    are typed: it is fitted to one page (_page_setup), so rows that grow shrink the whole print. None
    for a longer form, which keeps its designed breaks at 100 %."""
    layout = SheetLayout.for_unit(unit)
    heights = row_heights(cat, unit, layout)
    if form_pages(layout, heights).count > 1:
        return None
    width = COLUMNS[COL["observations"]].width
    for i, text in enumerate(observations[:len(unit.goals)]):
        row = layout.goal_row(i)
        heights[row] = max(heights[row], paper.row_height([(text, width)], paper.BODY_PT)) if text else heights[row]
    return min(1.0, paper.printable_height() / sum(heights.values()))


def _page_setup(ws, cat: Catalog, unit: Unit, layout: SheetLayout, pages: paper.Pages) -> None:
    for i, col in enumerate(COLUMNS):
        ws.set_column_pixels(i, i, paper.pixels(col.width))
    ws.set_landscape()
    ws.set_paper(1)  # letter
    ws.set_margins(**paper.MARGINS)
    ws.set_footer(f"&L&8{_footer_text(f'{cat.form_code} · {unit.title}')}&R&8Página &P de &N",
                  {"margin": paper.FOOTER_MARGIN})
    ws.center_horizontally()
    if pages.count == 1:
        ws.fit_to_pages(1, 1)  # 100 % blank; a filled form too tall for the page prints smaller
    else:
        ws.set_print_scale(100)  # the widths fill the page at 100 %: no shrinking to fit
        ws.set_h_pagebreaks(list(pages.breaks))
    ws.repeat_rows(layout.header, layout.first_goal - 1)
    ws.print_area(0, 0, layout.last_row, LAST_COL)
    ws.print_black_and_white()
    ws.freeze_panes(layout.first_goal, 0)
    ws.hide_gridlines(2)


def _footer_text(text: str) -> str:
    """Catalog text inside a header/footer: ``&`` starts a control code there, ``&&`` is a literal &."""
    text = text if len(text) <= 120 else text[:119] + "…"  # Excel allows 255 characters in all
    return text.replace("&", "&&")


def _title_block(ws, fmt: _Formats, cat: Catalog, unit: Unit, layout: SheetLayout, quarter: int) -> None:
    for row, text in zip(layout.title_rows, titles(cat)):
        ws.merge_range(row, 0, row, LAST_COL - 1, text, fmt.title)
    ws.write_string(*form_code_cell(), cat.form_code, fmt.code)
    ws.write_string(*cutoff_cell(), fecha(cat, quarter), fmt.code)
    for row, label, item in header_rows(cat, unit, layout):
        ws.merge_range(row, HEADER_LABEL_SPAN[0], row, HEADER_LABEL_SPAN[1], label or "", fmt.id_label)
        ws.write_string(row, HEADER_CODE_COL, item.code, fmt.id_code)
        ws.merge_range(row, HEADER_NAME_SPAN[0], row, HEADER_NAME_SPAN[1], "", fmt.id_name)
        ws.write_string(row, HEADER_NAME_COL, item.name, fmt.id_name)


def _table_header(ws, fmt: _Formats, layout: SheetLayout) -> None:
    top, mid, low = layout.header, layout.header + 1, layout.header + 2
    for c in COLUMNS:
        if c.key[0] not in "pa" or not c.key[1:].isdigit():
            ws.merge_range(top, COL[c.key], low, COL[c.key], c.header, fmt.head)
    ws.merge_range(top, COL["p1"], top, COL["a4"], PERIOD_HEADER, fmt.head)
    for q in QUARTERS:
        ws.merge_range(mid, COL[p_key(q)], mid, COL[a_key(q)], quarter_label(q), fmt.head)
        ws.write(low, COL[p_key(q)], "P", fmt.head)
        ws.write(low, COL[a_key(q)], "A", fmt.head)


def _goal_row(ws, fmt: _Formats, goal: Goal, row: int, quarter: int,
              prefill: Prefill | None, index: int) -> None:
    ws.write_string(row, COL["la"], goal.la, fmt.center)
    ws.write_string(row, COL["goal"], goal.label, fmt.text_at(goal_size(goal)))
    ws.write_string(row, COL["measure"], goal.measure, fmt.measure)
    ws.write_number(row, COL["meta"], goal.meta, fmt.number_for(goal.meta))
    earlier = (prefill.actuals.get(index) if prefill else None) or [None] * 4
    carried = [a if q < quarter else None for q, a in enumerate(earlier, start=1)]  # locked, already reported
    for q in QUARTERS:
        ws.write_number(row, COL[p_key(q)], goal.planned[q - 1], fmt.number_for(goal.planned[q - 1]))
        col, value = COL[a_key(q)], carried[q - 1]
        if q > quarter:
            ws.write_blank(row, col, None, fmt.future)
        elif value is not None:
            ws.write_number(row, col, value, fmt.number_for(value, carried=True))  # carried forward, locked
        else:
            ws.write_blank(row, col, None, fmt.input)
            ws.data_validation(row, col, row, col, _validation(q))
    absolute = goal.to_date(carried, quarter)
    if goal.aggregation == "sum":  # a sum has the decimals of what it adds (5 + 5.5 prints 10.5, not 11)
        known = [goal.meta, *goal.planned, *(a for a in carried if a is not None)]
        style = fmt.total_for(max(number_decimals(v) for v in known))
    else:
        style = fmt.formula_decimal
    ws.write_formula(row, COL["absolute"], absolute_formula(goal, row, quarter), style, absolute)
    rel = goal.relative(absolute) or 0
    rel = rel if math.isfinite(rel) else 0  # a META of 1e-300 would make it infinite
    ws.write_formula(row, COL["relative"], relative_formula(row), fmt.percent, rel)
    note = prefill.notes.get(index) if prefill else None
    ws.write_blank(row, COL["observations"], None, fmt.input_text)
    if note:
        ws.write_comment(row, COL["observations"], note, _comment_box(note))


def _comment_box(note: str) -> dict:
    """A comment box as wide as two observation columns and as tall as its text (measured)."""
    width = 2 * COLUMNS[COL["observations"]].width
    height = paper.text_height(paper.lines(note, width), paper.BODY_PT, padding=8)
    return {"font_name": FONT, "font_size": paper.BODY_PT, "width": round(width / 0.75),
            "height": round(height / 0.75)}


# goal rows grow when a long OBSERVACIÓN is typed (paper.add_sheet_with_growing_rows);
# where a reader does not, this says how
OBSERVATION_HELP = {
    "validate": "any", "input_title": "OBSERVACIONES",
    "input_message": "Explique por qué no se alcanzó o se superó lo programado. La fila se ajusta al texto; "
                     "si no se ve completo, agrande la fila: doble clic en el borde inferior de su número "
                     "(Excel) o Formato > Filas > Altura óptima (LibreOffice).",
}


def _validation(q: int) -> dict:
    """Input help and error alert on the coordinator's A cells."""
    return {"validate": "decimal", "criteria": ">=", "value": 0,
            "input_title": f"Avance {quarter_label(q)}",
            "input_message": "Capture el avance real del trimestre (número mayor o igual a 0).",
            "error_title": "Valor no válido",
            "error_message": "El avance debe ser un número mayor o igual a 0, sin texto ni símbolos."}


def _row_rules(ws, fmt: _Formats, unit: Unit, layout: SheetLayout, quarter: int, over_ratio: float) -> None:
    """Conditional formats: one pair per aggregation, over all its rows (row-relative formulas). A sum's
    AVANCE ABSOLUTO also shows the decimals typed A give it (2 + 3.5 printed «6»: its format is made
    before anything is typed); where its row is red or amber that rule comes first with both looks,
    because LibreOffice applies only the first rule that holds (Excel applies every one that holds)."""
    from xlsxwriter.utility import xl_range

    groups: dict[str, list[int]] = {}
    for i, goal in enumerate(unit.goals):
        groups.setdefault(goal.aggregation, []).append(i)
    for indexes in groups.values():
        goal, first = unit.goals[indexes[0]], layout.goal_row(indexes[0])
        rows = [layout.goal_row(i) for i in indexes]
        whole = " ".join(xl_range(r, 0, r, LAST_COL) for r in rows)
        totals = " ".join(xl_range(r, COL["absolute"], r, COL["absolute"]) for r in rows)
        rules = ((under_programme_rule(goal, first, quarter), fmt.red, fmt.red_decimals),
                 (over_programme_rule(goal, first, quarter, over_ratio), fmt.amber, fmt.amber_decimals))
        decimals = decimals_rule(first, MAX_DECIMALS) if goal.aggregation == "sum" else None
        if decimals:
            for rule, _, both in rules:
                _rule(ws, f"=AND({rule.removeprefix('=')},{decimals})", both, first, COL["absolute"], totals)
        for rule, style, _ in rules:
            _rule(ws, rule, style, first, 0, whole, LAST_COL)
        if decimals:
            _rule(ws, "=" + decimals, fmt.decimals, first, COL["absolute"], totals)


def _rule(ws, criteria: str, style, row: int, col: int, ranges: str, last_col: int | None = None) -> None:
    """One formula rule, written for the first row (``row``, ``col``…``last_col``) and applied to ``ranges``."""
    ws.conditional_format(row, col, row, col if last_col is None else last_col,
                          {"type": "formula", "criteria": criteria, "format": style, "multi_range": ranges})


def _signatures(ws, fmt: _Formats, unit: Unit, layout: SheetLayout) -> None:
    top = layout.signature
    for key, label, first, last in SIGNATURES:
        c1, c2 = COL[first], COL[last]
        person = unit.signatures[key]
        for offset, text, style in ((0, label, fmt.sign_label), (2, person["cargo"], fmt.sign_line),
                                    (3, person["name"], fmt.sign_name)):
            if c1 == c2:
                ws.write_string(top + offset, c1, text, style)
            else:
                ws.merge_range(top + offset, c1, top + offset, c2, text, style)


def _metadata_sheet(wb, cat: Catalog, unit: Unit, quarter: int, password: str | None) -> None:
    """Hidden key/value sheet: which catalog, unit, period and planned values this file was made from.

    A plain hidden sheet survives a save by LibreOffice and by Excel; custom properties do not always.
    """
    ws = wb.add_worksheet(META_SHEET)
    values = (__version__, LAYOUT_VERSION, cat.id, unit.code, cat.year, quarter, unit.fingerprint(), unit.code,
              _ramo(cat, unit).code)
    ws.write_string(0, 0, meta_text({key: str(value) for key, value in zip(META_KEYS, values)}))
    ws.hide()
    ws.protect(password or "")
