"""Close the quarter: consolidate the checked forms of a ramo into one workbook (summary, one sheet
per unit, findings, native charts), and carry accepted values forward into next quarter's forms."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import fontmetrics, paper
from .catalog import QUARTER_NAMES, QUARTERS, Catalog, Coded, Unit, load_catalog
from .check import FileReport, check, nothing_to_check
from .errors import PoaxlError
from .findings import DELIVERY_LABEL, FAULT_LABEL, SEVERITY_LABEL, get, text
from .files import atomic_path, workbook_out
from .generate import TEXT_ONLY, Prefill, _footer_text
from .layout import FINDINGS_SHEET, SUMMARY_SHEET


@dataclass
class UnitSummary:
    """One row of the summary sheet."""

    unit: Unit
    report: FileReport | None
    goals: int
    on_programme: int = 0
    under_programme: int = 0
    with_findings: int = 0
    average_relative: float | None = None
    status: str = DELIVERY_LABEL["missing"]
    consolidated: bool = False  # has its own sheet in the consolidated workbook

    def to_dict(self, catalog: Catalog) -> dict:
        """The unit's line of `report --format json`."""
        return {"unit": catalog.unit_id(self.unit), "ramo": self.unit.ramo.code, "name": self.unit.name,
                **_progress(self), "status": self.status}


@dataclass
class RamoSummary:
    """One ramo's line (or the municipal total, ``ramo`` None): units delivered, goals and their progress."""

    ramo: Coded | None
    units: int = 0
    delivered: int = 0
    goals: int = 0
    on_programme: int = 0
    under_programme: int = 0
    with_findings: int = 0
    average_relative: float | None = None

    @property
    def label(self) -> str:
        return f"{self.ramo.code} {self.ramo.name}" if self.ramo else "TOTAL MUNICIPAL"

    def to_dict(self) -> dict:
        return {"ramo": self.ramo.code if self.ramo else None, "name": self.ramo.name if self.ramo else self.label,
                "units": self.units, "delivered": self.delivered, **_progress(self)}


PROGRESS = ("goals", "on_programme", "under_programme", "with_findings", "average_relative")


def _progress(row: UnitSummary | RamoSummary) -> dict:
    """The goal counts a unit's and a ramo's JSON lines share, in this order."""
    return {key: getattr(row, key) for key in PROGRESS}


def ramo_summary(ramo: Coded | None, rows: list[UnitSummary]) -> RamoSummary:
    """Add up the unit rows; the average is over the goals of the consolidated units."""
    out = RamoSummary(ramo, units=len(rows), goals=sum(r.goals for r in rows))
    relatives = []
    for r in rows:
        out.delivered += r.report is not None
        out.on_programme += r.on_programme
        out.under_programme += r.under_programme
        out.with_findings += r.with_findings
        if r.consolidated:
            relatives += [g.relative for g in r.report.goals if g.relative is not None]
    out.average_relative = sum(relatives) / len(relatives) if relatives else None
    return out


@dataclass
class Consolidation:
    quarter: int
    units: list[UnitSummary]
    reports: list[FileReport]
    refused: list[str] = field(default_factory=list)
    path: Path | None = None
    ramos: list[RamoSummary] = field(default_factory=list)  # one per ramo reported, in catalog order
    total: RamoSummary | None = None                        # the municipal total of those ramos

    def to_dict(self, catalog: Catalog) -> dict:
        """`report --format json`."""
        return {"path": str(self.path), "quarter": self.quarter, "refused": self.refused,
                "units": [u.to_dict(catalog) for u in self.units], "ramos": [r.to_dict() for r in self.ramos],
                "total": self.total.to_dict() if self.total else None}


def _accepted(reports: list[FileReport], include_errors: bool) -> tuple[dict[str, FileReport], list[str]]:
    """One report per unit; unreadable (always) and erroneous (unless included) files are refused."""
    chosen: dict[str, FileReport] = {}
    refused: list[str] = []
    dupes: dict[str, list[str]] = {}
    for r in reports:
        if r.status == "unreadable":
            refused.append(text("refused-unreadable", path=r.path, why=r.findings[0].message))
            continue
        if _key(r) in chosen:
            dupes.setdefault(r.unit, [chosen[_key(r)].where]).append(r.where)
            continue
        chosen[_key(r)] = r
    if dupes:
        raise PoaxlError(text("duplicate-unit", dupes="; ".join(
            f"{unit}: {', '.join(paths)}" for unit, paths in dupes.items())))
    if not include_errors:
        for unit, r in list(chosen.items()):
            errors = r.delivery_errors
            if errors:
                why = " ".join(f.message for f in errors[:3]) + (" …" if len(errors) > 3 else "")  # each ends in «.»
                refused.append(text("refused-errors", path=r.where, why=why))
                del chosen[unit]
    return chosen, refused


def _key(r: FileReport) -> str | None:
    """The catalog unit a file is of (``01-003``), or what it says it is when not in the catalog."""
    return r.key or r.unit


PLACING = ("unknown-unit", "unit-mismatch", "wrong-period")  # the findings that say why a form has no unit


def _unplaced_why(r: FileReport, cat: Catalog) -> str:
    """Why a form is of no unit of the consolidation: its unit is not in the catalog (or it does not say
    which it is), it is of another catalog, or of another ramo than --ramo's. Listed, never dropped (even
    with --include-errors)."""
    said = [f.message for f in r.findings if f.code in PLACING]
    return " ".join(said[:2]) or get("unknown-unit").message(unit=r.unit, catalog=cat.id)


def summarise(unit: Unit, report: FileReport | None, refused: bool) -> UnitSummary:
    row = UnitSummary(unit, report, len(unit.goals))
    if report is None:
        return row
    row.consolidated = not refused
    row.status = DELIVERY_LABEL["refused" if refused else "errors" if report.delivery_errors else "delivered"]
    flagged = {f.goal for f in report.findings if f.goal}
    row.with_findings = len(flagged)
    for g in report.goals:
        if g.absolute + 1e-9 >= g.planned_to_date:
            row.on_programme += 1
        else:
            row.under_programme += 1
    rel = [g.relative for g in report.goals if g.relative is not None]
    row.average_relative = sum(rel) / len(rel) if rel else None
    return row


def report(paths: Iterable[str | Path], out: str | Path, *, catalog: Catalog | str | Path | None = None,
           quarter: int | None = None, include_errors: bool = False, force: bool = False,
           jobs: int = 1, progress: Callable[[FileReport], None] | None = None,
           ramo: str | None = None) -> Consolidation:
    """Check the files and write the consolidated workbook to ``out`` (atomically).

    ``ramo`` consolidates one ramo: its units only; files of other ramos are refused."""
    cat = load_catalog(catalog)
    paths = list(paths)
    out = workbook_out(out, force)
    reports = check(paths, catalog=cat, quarter=quarter, jobs=jobs, progress=progress, ramo=ramo)
    if not reports:
        raise PoaxlError(nothing_to_check(paths))
    quarters = {r.quarter for r in reports if r.quarter}
    if len(quarters) > 1:
        raise PoaxlError(text("mixed-quarters", quarters=", ".join(f"T{q}" for q in sorted(quarters))))
    q = quarter or (quarters.pop() if quarters else cat.quarter)
    placed = {u.key for u in cat.units_of(ramo)}
    unplaced = [r for r in reports if r.status != "unreadable" and r.key not in placed]
    chosen, refused = _accepted([r for r in reports if r not in unplaced], include_errors)
    refused += [text("refused-unplaced", path=r.where, why=_unplaced_why(r, cat)) for r in unplaced]
    all_by_unit = {_key(r): r for r in reports if r.status != "unreadable"}
    units = [summarise(u, all_by_unit.get(u.key), u.key in all_by_unit and u.key not in chosen)
             for u in cat.units_of(ramo)]
    result = Consolidation(q, units, reports, refused)
    for r in cat.ramos if ramo is None else [cat.find_ramo(ramo)]:
        result.ramos.append(ramo_summary(r, [u for u in units if u.unit.ramo == r]))
    result.total = ramo_summary(None, units)
    with atomic_path(out, overwrite=force) as tmp:
        _write(cat, result, tmp)
    result.path = out
    return result


# --------------------------------------------------------------------------- the workbook

def _write(cat: Catalog, result: Consolidation, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, **TEXT_ONLY, **paper.workbook_options()})
    wb.set_properties({"title": f"Consolidado {cat.form_code} {cat.year} T{result.quarter} · {_scope(result)}",
                       "author": cat.ayuntamiento})
    cell = {"font_name": "Arial", "font_size": UNIT_BODY_PT, "border": 1, "valign": "top"}
    styles = {"head": wb.add_format({**cell, "bold": True, "font_size": UNIT_HEAD_PT, "bg_color": "#D9D9D9",
                                     "text_wrap": True, "align": "center", "valign": "vcenter"}),
              "title": wb.add_format({"font_name": "Arial", "bold": True, "font_size": TITLE_PT, "text_wrap": True,
                                      "valign": "top"}),
              "text": wb.add_format({**cell, "text_wrap": True}),
              "number": wb.add_format({**cell, "num_format": "General"}),
              "percent": wb.add_format({**cell, "num_format": "0%"})}
    for kind, num_format in (("text", "@"), ("number", "General"), ("percent", "0%")):
        styles["total_" + kind] = wb.add_format({**cell, "bold": True, "top": 2, "bg_color": "#EFEFEF",
                                                 "text_wrap": kind == "text", "num_format": num_format})
    _summary_sheet(wb, cat, result, styles)
    if cat.multi_ramo:
        _ramos_sheet(wb, cat, result, styles)
    for row in result.units:
        if row.consolidated:
            _unit_sheet(wb, cat, row, result.quarter, styles)
    _findings_sheet(wb, cat, result, styles)
    wb.close()


# The sheets on paper: columns are (header, printed width in points, kind); "text" columns wrap and set
# their row's height. Each sheet prints landscape on letter at a fixed scale, its table one page wide.
UNIT_BODY_PT, UNIT_HEAD_PT, UNIT_SCALE = 9, 9, 79  # 9 pt × 79 % = 7.1 pt on paper
TITLE_PT, GAP_PT = 12, 6  # the title above each table; the blank rows under it and above a chart
ROW_LINES = int((paper.MAX_ROW_PT - 3) / fontmetrics.line_height(UNIT_BODY_PT))  # of wrapped text a row holds
CHART_PT, CHART_MIN_PT, CHART_WIDTH_PX = 260, 180, 768  # a chart under its table, in a row of its own
SUMMARY_SCALE = 100
SUMMARY_COLUMNS = (("Unidad", 46, "text"), ("Nombre", 224, "text"), ("Metas", 72, "number"),
                   ("En o sobre lo programado", 72, "number"), ("Bajo lo programado", 72, "number"),
                   ("Con hallazgos", 72, "number"), ("Avance relativo promedio", 72, "percent"),
                   ("Estado", 112, "text"))
RAMOS_COLUMNS = (("Ramo", 230, "text"), ("Unidades", 72, "number"), ("Entregadas", 72, "number"),
                 *SUMMARY_COLUMNS[2:7])
UNIT_COLUMNS = (("L/A", 32, "text"), ("Meta", 26, "text"), ("Metas y acciones", 160, "text"),
                ("Unidad de medida", 80, "text"), ("Meta anual", 38, "number"),
                *((f"{label} {k}", 30, "number") for label in QUARTER_NAMES for k in ("P", "A")),
                ("Programado al trimestre", 58, "number"), ("Avance absoluto", 58, "number"),
                ("Acumulado relativo", 58, "percent"), ("Programado relativo", 58, "percent"),
                ("Observaciones", 121, "text"))
FINDINGS_COLUMNS = (("Archivo", 150, "text"), ("Unidad", 40, "text"), ("Código", 130, "text"),
                    ("Severidad", 48, "text"), ("Corrige", 105, "text"), ("Celda", 36, "text"),
                    ("Meta", 34, "text"), ("Trimestre", 48, "text"), ("Mensaje", 340, "text"))
RAMOS_SHEET = "Ramos"  # beside the Resumen when the catalog has several ramos
TABLE_TOP = 2  # the table header's row under the title and a gap (the Hallazgos table starts at row 0)


def _headers(columns) -> list[str]:
    return [h for h, _, _ in columns]


def _width(columns) -> float:
    return sum(w for _, w, _ in columns)


def _title(ws, title: str, columns, style) -> dict[int, float]:
    """The sheet's title across the table, wrapped and measured: it holds catalog names of any length."""
    ws.merge_range(0, 0, 0, len(columns) - 1, "", style)
    ws.write_string(0, 0, title, style)
    return {0: paper.row_height([(title, _width(columns))], TITLE_PT, bold=True), 1: GAP_PT}


def _row(ws, r: int, values: list, styles: list) -> None:
    for c, (value, style) in enumerate(zip(values, styles)):
        if value is None or (not isinstance(value, str) and not math.isfinite(value)):  # a META of 1e-300: ∞
            ws.write_blank(r, c, None, style)
        elif isinstance(value, str):
            ws.write_string(r, c, value, style)  # catalog and file text is never a formula
        else:
            ws.write_number(r, c, value, style)


def _height(columns, values: list, bold: bool = False) -> float:
    """A row's height from its wrapped texts: LibreOffice shows a row without one a line high, whatever it holds."""
    texts = [(str(v), w) for v, (_, w, kind) in zip(values, columns) if kind == "text" and v is not None]
    return paper.row_height(texts, UNIT_BODY_PT, bold=bold)


def _table(ws, top: int, columns, rows: list[list], styles: dict) -> tuple[dict[int, float], list[int]]:
    """The header at row ``top`` and the rows under it (each in as many sheet rows as its texts need,
    _continued); their measured heights, and the sheet row each of ``rows`` starts on."""
    _row(ws, top, _headers(columns), [styles["head"]] * len(columns))
    heights = {top: paper.row_height([(h, w) for h, w, _ in columns], UNIT_HEAD_PT, bold=True)}
    starts, kinds = [], [styles[kind] for _, _, kind in columns]
    for values in rows:
        starts.append(top + len(heights))
        height = _height(columns, values)
        parts = _continued(columns, values) if height >= paper.MAX_ROW_PT else [values]  # measured once if not
        for part in parts:
            r = top + len(heights)
            _row(ws, r, part, kinds)
            heights[r] = height if len(parts) == 1 else _height(columns, part)
    return heights, starts


def _total_row(ws, columns, values: list, heights: dict[int, float], styles: dict) -> None:
    """The total under a table's last row, bold on grey, measured in bold."""
    row = max(heights) + 1
    _row(ws, row, values, [styles["total_" + kind] for _, _, kind in columns])
    heights[row] = _height(columns, values, bold=True)


def _continued(columns, values: list) -> list[list]:
    """A row whose wrapped texts need more than a row's MAX_ROW_PT (the tallest a spreadsheet allows:
    the rest would be clipped), as rows of at most ROW_LINES lines each: the first holds the numbers
    and the texts' first lines, the next ones the texts' following lines, broken where measured."""
    wrapped = {i: fontmetrics.wrap(v, paper.text_room(w), UNIT_BODY_PT)
               for i, (v, (_, w, kind)) in enumerate(zip(values, columns)) if kind == "text" and isinstance(v, str)}
    parts = max([math.ceil(len(lines) / ROW_LINES) for lines in wrapped.values()] + [1])
    rows = [list(values)] + [[None] * len(values) for _ in range(parts - 1)]
    for i, lines in wrapped.items():
        for part, row in enumerate(rows):
            row[i] = "\n".join(lines[part * ROW_LINES:(part + 1) * ROW_LINES]) or None
    return rows


def _cells(ws, rows: list[int], col: int):
    """A chart series' cells: column ``col`` of ``rows``, a range, or a union of ranges when a goal's
    text goes on in rows of its own (those are not categories)."""
    from xlsxwriter.utility import quote_sheetname, xl_range_abs

    runs = [[rows[0], rows[0]]]
    for r in rows[1:]:
        if r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    if len(runs) == 1:
        return [ws.name, rows[0], col, rows[-1], col]
    return "=(" + ",".join(f"{quote_sheetname(ws.name)}!{xl_range_abs(a, col, b, col)}" for a, b in runs) + ")"


def _chart(wb, ws, columns, rows: list[int], category: str, series: tuple[tuple[str, str], ...],
           title: str, y_axis: dict, heights: dict[int, float], scale: int) -> None:
    """A native column chart of some columns of a table's ``rows``, in a row of its own one gap under
    the last row written, on the page of that row (sheet_pages). CHART_PT tall, or less to stay on the
    page the table ends on (a sheet of a page, not two) or under a very tall last row. No rows, no chart."""
    if not rows:
        return
    headers = _headers(columns)
    top = rows[0] - 1  # the table's header
    chart = wb.add_chart({"type": "column"})
    for label, color in series:
        chart.add_series({"name": label, "categories": _cells(ws, rows, headers.index(category)),
                          "values": _cells(ws, rows, headers.index(label)), "fill": {"color": color}})
    chart.set_title({"name": title})
    chart.set_x_axis({"name": category})
    chart.set_y_axis(y_axis)
    above = max(heights)
    height = chart_height(heights, top, scale)
    heights[above + 1], heights[above + 2] = GAP_PT, height
    chart.set_size({"width": CHART_WIDTH_PX, "height": int(height / 0.75) - 1})  # inside its row
    table_px = sum(paper.pixels(w) for _, w, _ in columns)
    ws.insert_chart(above + 2, 0, chart, {"x_offset": (table_px - CHART_WIDTH_PX) // 2})  # centred: on the page


def chart_height(heights: dict[int, float], header: int, scale: int) -> float:
    """The chart's height under the rows of ``heights``: what is left on their last page, when at least
    CHART_MIN_PT; else what is left on a page under the repeated header and the last row (which then
    goes with it); never more than CHART_PT."""
    room = paper.printable_height() * 100 / scale - GAP_PT - 1  # a point spare for rounding
    pages = sheet_pages(heights, header, scale, chart=False)
    start = pages.breaks[-1] if pages.breaks else 0
    left = room - (heights[header] if pages.breaks else 0) - sum(h for r, h in heights.items() if r >= start)
    return min(CHART_PT, left if left >= CHART_MIN_PT else room - heights[header] - heights[max(heights)])


def sheet_pages(heights: dict[int, float], header: int, scale: int, chart: bool = True) -> paper.Pages:
    """Where a sheet's pages break: the table header repeated on each page, and the chart (the last row,
    under a gap row) on the page of the row above it, so that no page holds only a header and a chart."""
    last = max(heights)
    return paper.paginate(heights, header + 1, heights[header], keep=(last - 2, last) if chart else None,
                          scale=scale / 100)


def unit_sheet_pages(heights: dict[int, float]) -> paper.Pages:
    return sheet_pages(heights, TABLE_TOP, UNIT_SCALE)


def _print_setup(ws, columns, heights: dict[int, float], header: int, scale: int, footer: str,
                 chart: bool = True) -> None:
    """Landscape letter at a fixed scale with the pages broken here, where it is known which rows fit
    (fit-to-width would let the spreadsheet choose a scale, and its own breaks through the chart)."""
    paper.set_row_heights(ws, heights)
    for i, (_, width, _) in enumerate(columns):
        ws.set_column_pixels(i, i, paper.pixels(width))
    ws.set_landscape()
    ws.set_paper(1)
    ws.set_margins(**paper.MARGINS)
    ws.set_print_scale(scale)
    ws.repeat_rows(header)
    ws.set_h_pagebreaks(list(sheet_pages(heights, header, scale, chart).breaks))
    ws.print_area(0, 0, max(heights), len(columns) - 1)
    ws.set_footer(f"&L&9{_footer_text(footer)}&R&9Página &P de &N", {"margin": paper.FOOTER_MARGIN})
    ws.center_horizontally()


def _footer(cat: Catalog, quarter: int, sheet: str) -> str:
    return f"{cat.form_code} {cat.year} T{quarter} · consolidado · {sheet}"


def ramo_total(result: Consolidation) -> list:
    """The row under the units: the ramo's counts added up (the municipality's, for several ramos: the
    catalog's first ramo is not the total of all); the average over every consolidated goal."""
    units = result.units
    ramo = result.ramos[0].ramo if len(result.ramos) == 1 else None
    label = [f"Ramo {ramo.code}", f"TOTAL {ramo.name}"] if ramo else [_scope(result), result.total.label]
    delivered = [u for u in units if u.report is not None]
    refused = sum(not u.consolidated for u in delivered)  # received, but not consolidated: say so beside the count
    rel = [g.relative for u in units if u.consolidated for g in u.report.goals if g.relative is not None]
    return [*label, sum(u.goals for u in units),
            sum(u.on_programme for u in units), sum(u.under_programme for u in units),
            sum(u.with_findings for u in units), sum(rel) / len(rel) if rel else None,
            f"{len(delivered)} de {len(units)} entregados" + (f", {refused} rechazado(s)" if refused else "")]


def count_axis(peak: float, title: str) -> dict:
    """A y axis of whole counts: steps of 1, 2, 5, 10… (never 0.5 of a goal), from 0."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 10 ** 9) if peak / s <= 10)
    return {"name": title, "min": 0, "major_unit": step, "num_format": "0"}


PROGRESS_SERIES = (("En o sobre lo programado", "#6AA84F"), ("Bajo lo programado", "#CC0000"))


def _summary_sheet(wb, cat: Catalog, result: Consolidation, styles: dict) -> None:
    """The units and the ramo's total, the refused files, then the chart of the units."""
    ws = wb.add_worksheet(SUMMARY_SHEET)
    title = (f"{cat.ayuntamiento} · POA {cat.year} · Avance físico T{result.quarter} "
             f"({QUARTER_NAMES[result.quarter - 1]}) · {_scope(result)}")
    heights = _title(ws, title, SUMMARY_COLUMNS, styles["title"])
    rows = [[cat.unit_id(u.unit), u.unit.name, u.goals, u.on_programme, u.under_programme, u.with_findings,
             u.average_relative, u.status] for u in result.units]
    table, starts = _table(ws, TABLE_TOP, SUMMARY_COLUMNS, rows, styles)
    heights |= table
    _total_row(ws, SUMMARY_COLUMNS, ramo_total(result), heights, styles)  # «6 de 6 entregados, 2 rechazado(s)»
    if result.refused:
        heights |= _refused_list(wb, ws, max(heights) + 2, result.refused, styles["text"])
    peak = max([max(u.on_programme, u.under_programme) for u in result.units] + [1])
    _chart(wb, ws, SUMMARY_COLUMNS, starts, "Unidad", PROGRESS_SERIES,
           f"Avance contra lo programado por unidad · T{result.quarter}", count_axis(peak, "Metas"),
           heights, SUMMARY_SCALE)
    _print_setup(ws, SUMMARY_COLUMNS, heights, TABLE_TOP, SUMMARY_SCALE, _footer(cat, result.quarter, SUMMARY_SHEET))


def _refused_list(wb, ws, top: int, refused: list[str], text) -> dict[int, float]:
    """The refused files under the table (one gap row above), each line across the whole table and
    wrapped (a reason of three findings is longer than the page is wide), sized to its text."""
    ws.write_string(top, 0, "Archivos rechazados:", wb.add_format({"font_name": "Arial", "bold": True,
                                                                    "font_size": UNIT_HEAD_PT}))
    heights = {top - 1: GAP_PT, top: paper.text_height(1, UNIT_HEAD_PT)}
    for i, line in enumerate(refused, start=top + 1):
        ws.merge_range(i, 0, i, len(SUMMARY_COLUMNS) - 1, "", text)
        ws.write_string(i, 0, line, text)  # a file name is text, never a formula
        heights[i] = paper.row_height([(line, _width(SUMMARY_COLUMNS))], UNIT_BODY_PT)
    return heights


def _scope(result: Consolidation) -> str:
    """What the workbook covers: one ramo, or the municipality's ramos."""
    if len(result.ramos) == 1:
        return f"Ramo {result.ramos[0].label}"
    return f"{len(result.ramos)} ramos"


def _ramos_sheet(wb, cat: Catalog, result: Consolidation, styles: dict) -> None:
    """One row per ramo and the municipal total (catalogs of several ramos)."""
    ws = wb.add_worksheet(RAMOS_SHEET)
    heights = _title(ws, f"{cat.ayuntamiento} · POA {cat.year} · Avance físico T{result.quarter} por ramo",
                     RAMOS_COLUMNS, styles["title"])
    rows = [[r.label, r.units, r.delivered, r.goals, r.on_programme, r.under_programme, r.with_findings,
             r.average_relative] for r in [*result.ramos, result.total]]
    table, starts = _table(ws, TABLE_TOP, RAMOS_COLUMNS, rows[:-1], styles)
    heights |= table
    _total_row(ws, RAMOS_COLUMNS, rows[-1], heights, styles)
    _chart(wb, ws, RAMOS_COLUMNS, starts, "Ramo", PROGRESS_SERIES,
           f"Avance contra lo programado por ramo · T{result.quarter}", {"name": "Metas"}, heights, SUMMARY_SCALE)
    _print_setup(ws, RAMOS_COLUMNS, heights, TABLE_TOP, SUMMARY_SCALE, _footer(cat, result.quarter, RAMOS_SHEET))


def _unit_sheet(wb, cat: Catalog, row: UnitSummary, quarter: int, styles: dict) -> None:
    name = cat.unit_id(row.unit)  # 001 repeats across ramos: 05-001
    ws = wb.add_worksheet(name)
    ramo = f"Ramo {row.unit.ramo.code} · " if cat.multi_ramo and row.unit.ramo else ""
    heights = _title(ws, f"{ramo}{row.unit.code} {row.unit.name} · T{quarter} · {row.status}", UNIT_COLUMNS,
                     styles["title"])
    rows = []
    for g in row.report.goals:
        goal = g.goal
        cells = [goal.la, goal.number, goal.text, goal.measure, goal.meta]
        for q in QUARTERS:
            cells += [goal.planned[q - 1], g.actuals[q - 1] if q <= len(g.actuals) else None]
        cells += [g.planned_to_date, g.absolute, g.relative,
                  goal.relative(g.planned_to_date), g.observation or None]
        rows.append(cells)
    table, starts = _table(ws, TABLE_TOP, UNIT_COLUMNS, rows, styles)
    heights |= table
    _chart(wb, ws, UNIT_COLUMNS, starts, "Meta",
           (("Programado relativo", "#A4C2F4"), ("Acumulado relativo", "#3C78D8")),
           f"{name}: avance por meta contra lo programado", {"num_format": "0%"}, heights, UNIT_SCALE)
    _print_setup(ws, UNIT_COLUMNS, heights, TABLE_TOP, UNIT_SCALE, _footer(cat, quarter, f"unidad {name}"))


def _findings_sheet(wb, cat: Catalog, result: Consolidation, styles: dict) -> None:
    """Every finding of every file, one page wide at the unit sheets' scale; a line saying there are
    none when so (a printed table of only its header reads as a page gone missing)."""
    ws = wb.add_worksheet(FINDINGS_SHEET)
    rows = [[Path(r.path).name, r.unit, f.code, SEVERITY_LABEL[f.severity], FAULT_LABEL[get(f.code).fault], f.cell,
             f.goal, f.quarter, f.message] for r in result.reports for f in r.findings]
    heights, _ = _table(ws, 0, FINDINGS_COLUMNS, rows, styles)
    if not rows:
        ws.merge_range(1, 0, 1, len(FINDINGS_COLUMNS) - 1, "", styles["text"])
        ws.write_string(1, 0, text("report-no-findings"), styles["text"])
        heights[1] = paper.row_height([], UNIT_BODY_PT)
    ws.autofilter(0, 0, max(heights), len(FINDINGS_COLUMNS) - 1)
    _print_setup(ws, FINDINGS_COLUMNS, heights, 0, UNIT_SCALE, _footer(cat, result.quarter, FINDINGS_SHEET),
                 chart=False)


# --------------------------------------------------------------------------- carry forward

def carry_forward(paths: Iterable[str | Path], catalog: Catalog, quarter: int,
                  warn: Callable[[str], None] = lambda m: None) -> dict[str, Prefill]:
    """Accepted (error-free) earlier-quarter files -> A values and observations to pre-fill quarter N."""
    if quarter < 2:
        raise PoaxlError("--from solo tiene sentido a partir del trimestre 2.")
    prefill: dict[str, Prefill] = {}
    accepted: dict[str, dict[int, FileReport]] = {}  # unit -> quarter -> its accepted file
    paths = list(paths)
    reports = check(paths, catalog=catalog)
    if not reports:  # --from a wrong or empty folder: said, not silently generating empty forms
        raise PoaxlError(nothing_to_check(paths))
    for r in reports:
        if r.status == "unreadable":
            warn(text("carry-unreadable", path=r.path, why=r.findings[0].message))
        elif r.delivery_errors:
            warn(text("carry-errors", path=r.where, why=r.delivery_errors[0].message))
        elif not r.quarter or r.quarter >= quarter:
            warn(text("carry-not-earlier", path=r.path, found=r.quarter, quarter=quarter))
        elif r.key is None:
            warn(text("carry-unknown-unit", path=r.path, unit=r.unit))
        elif r.quarter in accepted.get(r.key, {}):
            raise PoaxlError(text("carry-two-files", unit=r.unit, quarter=r.quarter,
                                  first=accepted[r.key][r.quarter].where, second=r.where))
        else:
            accepted.setdefault(r.key, {})[r.quarter] = r
    for key, files in accepted.items():
        unit = catalog.unit(key)
        prefill[catalog.unit_id(unit)] = _prefill(unit, [files[q] for q in sorted(files)])
    return prefill


def _prefill(unit: Unit, files: list[FileReport]) -> Prefill:
    """A values from the latest file; each earlier quarter's observation, labelled, in quarter order."""
    index = {g.number: i for i, g in enumerate(unit.goals)}
    fill = Prefill()
    latest = files[-1]
    for g in latest.goals:
        if g.goal.number in index:
            fill.actuals[index[g.goal.number]] = [a if q < latest.quarter else None for q, a in enumerate(g.actuals)]
    for r in files:
        for g in r.goals:
            i = index.get(g.goal.number)
            if i is not None and g.observation:
                earlier = fill.notes.get(i)
                note = f"Observación del T{r.quarter}: {g.observation}"
                fill.notes[i] = f"{earlier}\n{note}" if earlier else note
    return fill
