"""Close the quarter: consolidate the checked forms of a ramo into one workbook (summary, one sheet
per unit, findings, native charts), and carry accepted values forward into next quarter's forms."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import paper
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
            dupes.setdefault(r.unit, [chosen[_key(r)].path]).append(r.path)
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
                refused.append(text("refused-errors", path=r.path, why=why))
                del chosen[unit]
    return chosen, refused


def _key(r: FileReport) -> str | None:
    """The catalog unit a file is of (``01-003``), or what it says it is when not in the catalog."""
    return r.key or r.unit


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
    chosen, refused = _accepted(reports, include_errors)
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
    wb.set_properties({"title": f"Consolidado {cat.form_code} {cat.year} T{result.quarter} · {_scope(cat, result)}",
                       "author": cat.ayuntamiento})
    bold = wb.add_format({"bold": True, "font_name": "Arial", "font_size": UNIT_HEAD_PT, "bg_color": "#D9D9D9",
                          "border": 1,
                          "text_wrap": True, "align": "center", "valign": "vcenter"})
    text = wb.add_format({"font_name": "Arial", "font_size": UNIT_BODY_PT, "border": 1, "text_wrap": True,
                          "valign": "top"})
    number = wb.add_format({"font_name": "Arial", "font_size": 9, "border": 1, "num_format": "General",
                            "valign": "top"})
    percent = wb.add_format({"font_name": "Arial", "font_size": 9, "border": 1, "num_format": "0%", "valign": "top"})
    title = wb.add_format({"font_name": "Arial", "bold": True, "font_size": 12})
    styles = {"text": text, "number": number, "percent": percent}
    for kind, style in list(styles.items()):
        total = wb.add_format({"font_name": "Arial", "font_size": 9, "border": 1, "bold": True, "top": 2,
                               "bg_color": "#EFEFEF", "text_wrap": kind == "text",
                               "num_format": {"text": "@", "number": "General", "percent": "0%"}[kind]})
        styles["total_" + kind] = total
    _summary_sheet(wb, cat, result, bold, styles, title)
    if cat.multi_ramo:
        _ramos_sheet(wb, cat, result, bold, styles, title)
    for row in result.units:
        if row.consolidated:
            _unit_sheet(wb, cat, row, result.quarter, bold, styles, title)
    _findings_sheet(wb, result, bold, styles)
    wb.close()


def _print_setup(ws) -> None:
    """Every consolidated sheet prints landscape on letter, one page wide."""
    ws.set_landscape()
    ws.set_paper(1)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def _table(ws, top: int, headers: list[str], rows: list[list], kinds: list[str], bold, styles,
           print_setup: bool = True) -> None:
    if print_setup:  # the unit sheets have their own (_unit_print_setup)
        _print_setup(ws)
    ws.set_row(top, 36)
    for c, h in enumerate(headers):
        ws.write_string(top, c, h, bold)
    for r, values in enumerate(rows, start=top + 1):
        for c, (value, kind) in enumerate(zip(values, kinds)):
            if value is None:
                ws.write_blank(r, c, None, styles[kind])
            elif isinstance(value, str):
                ws.write_string(r, c, value, styles[kind])
            elif not math.isfinite(value):  # a META of 1e-300 makes a ratio infinite
                ws.write_blank(r, c, None, styles[kind])
            else:
                ws.write_number(r, c, value, styles[kind])


def _chart(wb, ws, headers: list[str], top: int, n_rows: int, category: str,
           series: tuple[tuple[str, str], ...], title: str, y_axis: dict, below: int | None = None):
    """A native column chart of some columns of a table written by _table, placed below it
    (or below row ``below``: the summary's total row is not a category of the chart)."""
    first, last = top + 1, top + n_rows
    cat = headers.index(category)
    chart = wb.add_chart({"type": "column"})
    for label, color in series:
        col = headers.index(label)
        chart.add_series({"name": label, "categories": [ws.name, first, cat, last, cat],
                          "values": [ws.name, first, col, last, col], "fill": {"color": color}})
    chart.set_title({"name": title})
    chart.set_x_axis({"name": category})
    chart.set_y_axis(y_axis)
    anchor = max(last, below or 0) + 2
    ws.insert_chart(anchor, 1, chart, {"x_scale": 1.6, "y_scale": 1.2})
    return anchor - 2


def ramo_total(cat: Catalog, units: list[UnitSummary]) -> list:
    """The ramo's row under the units: counts added up; the average over every consolidated goal."""
    delivered = [u for u in units if u.report is not None]
    refused = sum(not u.consolidated for u in delivered)  # received, but not consolidated: say so beside the count
    rel = [g.relative for u in units if u.consolidated for g in u.report.goals if g.relative is not None]
    return [f"Ramo {cat.ramo.code}", f"TOTAL {cat.ramo.name}", sum(u.goals for u in units),
            sum(u.on_programme for u in units), sum(u.under_programme for u in units),
            sum(u.with_findings for u in units), sum(rel) / len(rel) if rel else None,
            f"{len(delivered)} de {len(units)} entregados" + (f", {refused} rechazado(s)" if refused else "")]


def count_axis(peak: float, title: str) -> dict:
    """A y axis of whole counts: steps of 1, 2, 5, 10… (never 0.5 of a goal), from 0."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 10 ** 9) if peak / s <= 10)
    return {"name": title, "min": 0, "major_unit": step, "num_format": "0"}


def _summary_sheet(wb, cat: Catalog, result: Consolidation, bold, styles, title) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    ws.write_string(0, 0, f"{cat.ayuntamiento} · POA {cat.year} · Avance físico T{result.quarter} "
                   f"({QUARTER_NAMES[result.quarter - 1]}) · {_scope(cat, result)}", title)
    headers = ["Unidad", "Nombre", "Metas", "En o sobre lo programado", "Bajo lo programado", "Con hallazgos",
               "Avance relativo promedio", "Estado"]
    rows = [[cat.unit_id(u.unit), u.unit.name, u.goals, u.on_programme, u.under_programme, u.with_findings,
             u.average_relative, u.status] for u in result.units]
    kinds = ["text", "text", "number", "number", "number", "number", "percent", "text"]
    _table(ws, 2, headers, rows, kinds, bold, styles)
    total_row = 2 + len(rows) + 1
    for c, value in enumerate(ramo_total(cat, result.units)):
        style = styles["total_" + kinds[c]]
        if value is None:
            ws.write_blank(total_row, c, None, style)
        elif isinstance(value, str):
            ws.write_string(total_row, c, value, style)  # catalog text is never a formula
        else:
            ws.write_number(total_row, c, value, style)
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(c, c, width)
    state = ramo_total(cat, result.units)[-1]  # «6 de 6 entregados, 2 rechazado(s)» may take two lines
    ws.set_row(total_row, paper.row_height([(state, _points(SUMMARY_WIDTHS[-1]))], UNIT_BODY_PT, bold=True))
    peak = max([max(u.on_programme, u.under_programme) for u in result.units] + [1])
    last = _chart(wb, ws, headers, 2, len(rows), "Unidad",
                  (("En o sobre lo programado", "#6AA84F"), ("Bajo lo programado", "#CC0000")),
                  f"Avance contra lo programado por unidad · T{result.quarter}", count_axis(peak, "Metas"),
                  below=total_row)
    if result.refused:
        _refused_list(wb, ws, last + 22, result.refused, styles["text"])


SUMMARY_WIDTHS = (8, 42, 13, 13, 13, 13, 13, 22)  # the Resumen's columns, in characters


def _points(chars: float) -> float:
    """A column's printed width in points from its width in characters (Excel's pixels: 7 a character + 5)."""
    return (chars * 7 + 5) * 0.75


def _refused_list(wb, ws, top: int, refused: list[str], text) -> None:
    """The refused files under the chart, each line across the whole table and wrapped (a reason of three
    findings is longer than the page is wide), sized to its text so that it prints whole."""
    ws.write_string(top, 0, "Archivos rechazados:", wb.add_format({"font_name": "Arial", "bold": True,
                                                                    "font_size": UNIT_HEAD_PT}))
    width_pt = sum(_points(w) for w in SUMMARY_WIDTHS)
    for i, line in enumerate(refused, start=top + 1):
        ws.merge_range(i, 0, i, len(SUMMARY_WIDTHS) - 1, "", text)
        ws.write_string(i, 0, line, text)  # a file name is text, never a formula
        ws.set_row(i, paper.row_height([(line, width_pt)], UNIT_BODY_PT))


def _scope(cat: Catalog, result: Consolidation) -> str:
    """What the workbook covers: one ramo, or the municipality's ramos."""
    if len(result.ramos) == 1:
        return f"Ramo {result.ramos[0].label}"
    return f"{len(result.ramos)} ramos"


def _ramos_sheet(wb, cat: Catalog, result: Consolidation, bold, styles, title) -> None:
    """One row per ramo and the municipal total (catalogs of several ramos)."""
    ws = wb.add_worksheet("Ramos")
    ws.write_string(0, 0, f"{cat.ayuntamiento} · POA {cat.year} · Avance físico T{result.quarter} por ramo", title)
    headers = ["Ramo", "Unidades", "Entregadas", "Metas", "En o sobre lo programado", "Bajo lo programado",
               "Con hallazgos", "Avance relativo promedio"]
    rows = [[r.label, r.units, r.delivered, r.goals, r.on_programme, r.under_programme, r.with_findings,
             r.average_relative] for r in [*result.ramos, result.total]]
    _table(ws, 2, headers, rows, ["text", *["number"] * 6, "percent"], bold, styles)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 7, 13)
    _chart(wb, ws, headers, 2, len(rows) - 1, "Ramo",
           (("En o sobre lo programado", "#6AA84F"), ("Bajo lo programado", "#CC0000")),
           f"Avance contra lo programado por ramo · T{result.quarter}", {"name": "Metas"})


# the unit sheets on paper: (header, printed width in points, kind); 9 pt type printed at UNIT_SCALE %
UNIT_BODY_PT, UNIT_HEAD_PT, UNIT_SCALE = 9, 9, 79  # 9 pt × 79 % = 7.1 pt on paper
UNIT_COLUMNS = (("L/A", 32, "text"), ("Meta", 26, "text"), ("Metas y acciones", 160, "text"),
                ("Unidad de medida", 80, "text"), ("Meta anual", 38, "number"),
                *((f"{label} {k}", 30, "number") for label in QUARTER_NAMES for k in ("P", "A")),
                ("Programado al trimestre", 58, "number"), ("Avance absoluto", 58, "number"),
                ("Acumulado relativo", 58, "percent"), ("Programado relativo", 58, "percent"),
                ("Observaciones", 121, "text"))
UNIT_WRAPPED = ("L/A", "Metas y acciones", "Unidad de medida", "Observaciones")  # texts that set row heights
CHART_ROWS, CHART_ROW_PT = 17, 16  # the chart below the table: 17 rows of 16 pt (its 260 pt)


def _unit_sheet(wb, cat: Catalog, row: UnitSummary, quarter: int, bold, styles, title) -> None:
    name = cat.unit_id(row.unit)  # 001 repeats across ramos: 05-001
    ws = wb.add_worksheet(name)
    ramo = f"Ramo {row.unit.ramo.code} · " if cat.multi_ramo and row.unit.ramo else ""
    ws.write_string(0, 0, f"{ramo}{row.unit.code} {row.unit.name} · T{quarter} · {row.status}", title)
    headers = [h for h, _, _ in UNIT_COLUMNS]
    rows = []
    for g in row.report.goals:
        goal = g.goal
        cells = [goal.la, goal.number, goal.text, goal.measure, goal.meta]
        for q in QUARTERS:
            cells += [goal.planned[q - 1], g.actuals[q - 1] if q <= len(g.actuals) else None]
        cells += [g.planned_to_date, g.absolute, g.relative,
                  goal.relative(g.planned_to_date), g.observation or None]
        rows.append(cells)
    _table(ws, 2, headers, rows, [k for _, _, k in UNIT_COLUMNS], bold, styles, print_setup=False)
    heights = unit_sheet_heights(rows)
    paper.set_row_heights(ws, heights)
    _chart(wb, ws, headers, 2, len(rows), "Meta",
           (("Programado relativo", "#A4C2F4"), ("Acumulado relativo", "#3C78D8")),
           f"{name}: avance por meta contra lo programado", {"num_format": "0%"})
    _unit_print_setup(ws, heights, f"{cat.form_code} {cat.year} T{quarter} · consolidado · unidad {name}")


def unit_sheet_heights(rows: list[list]) -> dict[int, float]:
    """Row heights of a unit sheet (title, blank, header, goals, blank, chart rows), measured."""
    widths = [w for _, w, _ in UNIT_COLUMNS]
    wrapped = [i for i, (h, _, _) in enumerate(UNIT_COLUMNS) if h in UNIT_WRAPPED]
    heights = {0: paper.text_height(1, 12), 1: 6,
               2: paper.row_height([(h, w) for h, w, _ in UNIT_COLUMNS], UNIT_HEAD_PT, bold=True)}
    for r, cells in enumerate(rows, start=3):
        heights[r] = paper.row_height([(str(cells[i] or ""), widths[i]) for i in wrapped], UNIT_BODY_PT)
    heights[3 + len(rows)] = 6  # then the chart (placed by _chart one row below the table)
    for r in range(4 + len(rows), 4 + len(rows) + CHART_ROWS):
        heights[r] = CHART_ROW_PT
    return heights


def unit_sheet_pages(heights: dict[int, float]) -> paper.Pages:
    """The table's pages (header row repeated); the chart under it, or on the next page when it
    does not fit (a chart is never cut)."""
    chart = max(heights) - CHART_ROWS + 1
    return paper.paginate(heights, 3, heights[2], keep=(chart - 1, max(heights)), scale=UNIT_SCALE / 100)


def _unit_print_setup(ws, heights: dict[int, float], footer: str) -> None:
    for i, (_, width, _) in enumerate(UNIT_COLUMNS):
        ws.set_column_pixels(i, i, paper.pixels(width))
    ws.set_landscape()
    ws.set_paper(1)
    ws.set_margins(**paper.MARGINS)
    ws.set_print_scale(UNIT_SCALE)
    ws.repeat_rows(2)
    ws.set_h_pagebreaks(list(unit_sheet_pages(heights).breaks))
    ws.print_area(0, 0, max(heights), len(UNIT_COLUMNS) - 1)
    ws.set_footer(f"&L&9{_footer_text(footer)}&R&9Página &P de &N", {"margin": paper.FOOTER_MARGIN})  # 9 pt × 79 %
    ws.center_horizontally()


# the Hallazgos sheet: (header, printed width in points); ~930 pt, printed one page wide at ~79 % like the unit sheets
FINDINGS_COLUMNS = (("Archivo", 150), ("Unidad", 40), ("Código", 130), ("Severidad", 48), ("Corrige", 105),
                    ("Celda", 36), ("Meta", 34), ("Trimestre", 48), ("Mensaje", 340))


def findings_sheet_heights(rows: list[list]) -> dict[int, float]:
    """Every row measured from its wrapped texts, so a two-line message never prints over the next row."""
    widths = [w for _, w in FINDINGS_COLUMNS]
    heights = {0: paper.row_height([(h, w) for h, w in FINDINGS_COLUMNS], UNIT_HEAD_PT, bold=True)}
    for r, values in enumerate(rows, start=1):
        heights[r] = paper.row_height([("" if v is None else str(v), w) for v, w in zip(values, widths)],
                                      UNIT_BODY_PT)
    return heights


def _findings_sheet(wb, result: Consolidation, bold, styles) -> None:
    ws = wb.add_worksheet(FINDINGS_SHEET)
    headers = [h for h, _ in FINDINGS_COLUMNS]
    rows = [[Path(r.path).name, r.unit, f.code, SEVERITY_LABEL[f.severity], FAULT_LABEL[get(f.code).fault], f.cell,
             f.goal, f.quarter, f.message] for r in result.reports for f in r.findings]
    _table(ws, 0, headers, rows, ["text"] * len(headers), bold, styles)
    for i, (_, width) in enumerate(FINDINGS_COLUMNS):
        ws.set_column_pixels(i, i, paper.pixels(width))
    paper.set_row_heights(ws, findings_sheet_heights(rows))
    ws.repeat_rows(0)
    ws.autofilter(0, 0, max(1, len(rows)), len(headers) - 1)


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
            warn(text("carry-errors", path=r.path, why=r.delivery_errors[0].message))
        elif not r.quarter or r.quarter >= quarter:
            warn(text("carry-not-earlier", path=r.path, found=r.quarter, quarter=quarter))
        elif r.key is None:
            warn(text("carry-unknown-unit", path=r.path, unit=r.unit))
        elif r.quarter in accepted.get(r.key, {}):
            raise PoaxlError(text("carry-two-files", unit=r.unit, quarter=r.quarter,
                                  first=accepted[r.key][r.quarter].path, second=r.path))
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
