"""The catalog as an editable workbook, in the spirit of XLSForm: one sheet per kind of row.

General (the catalog's own fields), Ramos, Unidades, Líneas, Metas, Firmas, Contactos: a planning
office reviews and edits its catalog in Excel, and ``--catalog catalogo.xlsx`` reads it back directly.
Every problem names the sheet, row and column. The column descriptions below are the one source of
the headers, the header notes, the validation lists and the reader's column mapping.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import CLASSIFICATION, QUARTER_NAMES, QUARTERS, Catalog
from .errors import CatalogError
from .layout import CATALOG_BOOK_SHEETS, SIGNATURES, UNIT_LABELS

MAX_ROWS = 50_000   # a municipality has some thousands of goals
MAX_COLS = 40
AGGREGATIONS = {"suma": "sum", "promedio": "average", "último": "last"}
SIGNERS = {label: key for key, label, _, _ in SIGNATURES}  # ELABORÓ -> elaboro, as the form signs
CONTACT_KINDS = {"para": "to", "copia": "cc"}


@dataclass(frozen=True)
class Col:
    key: str                 # where the value goes in the row's object: "programa.code", "planned.0"
    header: str
    note: str
    width: float = 14
    kind: str = "text"       # text | code | number | integer
    choices: tuple[str, ...] = ()


def _coded(key: str, label: str, example: str) -> tuple[Col, Col]:
    return (Col(f"{key}.code", f"{label} CÓDIGO", f"Código de {label.lower()} (texto), p. ej. {example}.", 11, "code"),
            Col(f"{key}.name", f"{label} NOMBRE", f"Nombre de {label.lower()}, como en el formato.", 36))


RAMO = Col("ramo", "RAMO", "Código del ramo de la unidad (texto, p. ej. 01); debe estar en la hoja Ramos.", 8, "code")
UNIT = Col("unit", "UNIDAD", "Código de la unidad (texto, con sus ceros: 003, 0046); debe estar en la hoja "
                             "Unidades.", 9, "code")
SHEETS: dict[str, tuple[Col, ...]] = {
    "Ramos": (Col("code", "CÓDIGO", "Código del ramo (texto, p. ej. 01, 05).", 9, "code"),
              Col("name", "NOMBRE", "Nombre del ramo (dependencia), p. ej. PRESIDENCIA.", 40)),
    "Unidades": (RAMO, Col("code", "UNIDAD", "Código de la unidad (texto, con sus ceros: 003, 0046).", 9, "code"),
                 Col("label", "ETIQUETA", "Cómo se titula en el formato: UNIDAD EJECUTORA o UNIDAD RESPONSABLE.",
                     20, choices=UNIT_LABELS),
                 Col("name", "NOMBRE", "Nombre de la unidad, p. ej. ATENCIÓN CIUDADANA.", 36),
                 *_coded("programa", "PROGRAMA", "010"), *_coded("finalidad", "FINALIDAD", "1"),
                 *_coded("funcion", "FUNCIÓN", "3"), *_coded("subfuncion", "SUBFUNCIÓN", "1")),
    "Líneas": (RAMO, UNIT, Col("code", "CÓDIGO", "Código de la línea de acción, p. ej. 8.1.3 (texto).", 11, "code"),
               Col("name", "NOMBRE", "Nombre de la línea de acción. Una fila por línea, en el orden del formato.",
                   50)),
    "Metas": (RAMO, UNIT,
              Col("number", "NÚMERO", "Número de la meta: 2 para el objetivo, 2.1, 2.2 para sus acciones (texto). "
                                      "Las filas van en el orden del formato.", 9, "code"),
              Col("la", "L/A", "Línea de acción de la meta (una de la hoja Líneas de la unidad).", 9, "code"),
              Col("text", "TEXTO", "Texto de la meta, sin su número.", 60),
              Col("measure", "UNIDAD DE MEDIDA", "Unidad de medida, p. ej. REUNIÓN, APOYO, REPORTE.", 18),
              Col("meta", "META ANUAL", "Meta anual: número mayor o igual a 0.", 11, "number"),
              *(Col(f"planned.{q}", f"P{q + 1} {name.upper()}", f"Programado del trimestre {name} (número ≥ 0). "
                    "En metas que se suman, los cuatro P suman la META ANUAL.", 10, "number")
                for q, name in enumerate(QUARTER_NAMES)),
              Col("aggregation", "AGREGACIÓN", "Cómo se acumula el avance: suma (cantidades), promedio (un "
                                               "porcentaje a mantener) o último (el valor del trimestre).", 12,
                  choices=tuple(AGGREGATIONS))),
    "Firmas": (RAMO, UNIT, Col("who", "FIRMA", "ELABORÓ, REVISÓ o AUTORIZÓ (una fila de cada una por unidad).",
                               12, choices=tuple(SIGNERS)),
               Col("cargo", "CARGO", "Cargo de quien firma.", 44), Col("name", "NOMBRE", "Nombre de quien firma.", 40)),
    "Contactos": (RAMO, UNIT, Col("kind", "TIPO", "para: coordinador(a) que recibe el formato; copia: con copia.",
                                  9, choices=tuple(CONTACT_KINDS)),
                  Col("email", "CORREO", "Dirección de correo electrónico.", 36)),
}
GENERAL = "General"
GENERAL_FIELDS: tuple[tuple[str, str, str, str], ...] = (  # (catalog key, label in the CAMPO column, kind, note)
    ("id", "IDENTIFICADOR", "text", "Identificador del catálogo: minúsculas, números, «-», «.», «_» "
                                    "(p. ej. mexicali-2021)."),
    ("ayuntamiento", "AYUNTAMIENTO", "text", "Primer título del formato, p. ej. AYUNTAMIENTO DE MEXICALI, B.C."),
    ("year", "AÑO", "integer", "Año del Programa Operativo Anual."),
    ("quarter", "TRIMESTRE", "integer", "Trimestre por omisión (1 a 4) de generate, send y report."),
    ("form_code", "CÓDIGO DEL FORMATO", "text", "Código del formato, p. ej. TMM-F004."),
    ("mail.from", "CORREO REMITENTE", "text", "Remitente de los correos (opcional)."),
    ("mail.reply_to", "CORREO DE RESPUESTA", "text", "Dirección a la que responden los coordinadores (opcional)."),
    *((f"mail.deadlines.{q}", f"FECHA LÍMITE T{q}", "text",
       f"Fecha límite de entrega del trimestre {q}, AAAA-MM-DD (opcional).") for q in QUARTERS),
)


# --------------------------------------------------------------------------- export

def export_catalog(catalog: Catalog | str | Path | None, out: str | Path, force: bool = False) -> Path:
    """``poaxl catalog export``: write the catalog as ``out`` (.xlsx), atomically, never over a file unless forced."""
    from .catalog import load_catalog
    from .files import atomic_path, workbook_out

    cat = load_catalog(catalog)
    out = workbook_out(out, force)
    with atomic_path(out, overwrite=force) as tmp:
        export_book(cat, tmp)
    return out


def export_book(catalog: Catalog, path: str | Path) -> None:
    """Write ``catalog`` as the editable workbook at ``path`` (the caller makes it atomic)."""
    import xlsxwriter

    from .generate import TEXT_ONLY

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, **TEXT_ONLY})
    wb.set_properties({"title": f"Catálogo POA {catalog.id}", "author": catalog.ayuntamiento,
                       "comments": "Catálogo de poaxl: edítelo aquí y úselo con --catalog catalogo.xlsx."})
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True,
                                  "valign": "vcenter", "font_name": "Arial", "font_size": 9}),
           "text": wb.add_format({"font_name": "Arial", "font_size": 9, "valign": "top",  # one line a row
                                  "num_format": "@"}),
           "number": wb.add_format({"font_name": "Arial", "font_size": 9, "valign": "top", "num_format": "General"})}
    _general_sheet(wb, fmt, catalog)
    rows = _rows(catalog)
    for name, cols in SHEETS.items():
        _sheet(wb, fmt, name, cols, rows[name])
    wb.close()


def _rows(cat: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Each sheet's rows as flat dicts keyed like the columns."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    out["Ramos"] = [{"code": r.code, "name": r.name} for r in cat.ramos]
    agg = {v: k for k, v in AGGREGATIONS.items()}
    for u in cat.units:
        ids = {"ramo": (u.ramo or cat.ramo).code, "unit": u.code}
        row = {"ramo": ids["ramo"], "code": u.code, "label": u.label, "name": u.name}
        for key in CLASSIFICATION:
            row[f"{key}.code"], row[f"{key}.name"] = getattr(u, key).code, getattr(u, key).name
        out["Unidades"].append(row)
        out["Líneas"] += [{**ids, "code": x.code, "name": x.name} for x in u.lineas]
        for g in u.goals:
            out["Metas"].append({**ids, "number": g.number, "la": g.la, "text": g.text, "measure": g.measure,
                                 "meta": g.meta, **{f"planned.{q}": p for q, p in enumerate(g.planned)},
                                 "aggregation": agg[g.aggregation]})
        for label, key in SIGNERS.items():
            person = u.signatures.get(key, {})
            out["Firmas"].append({**ids, "who": label, "cargo": person.get("cargo", ""),
                                  "name": person.get("name", "")})
        for label, key in CONTACT_KINDS.items():
            out["Contactos"] += [{**ids, "kind": label, "email": a} for a in u.contacts.get(key, [])]
    return out


def _write(ws, r: int, c: int, value: Any, kind: str, fmt) -> None:
    """Outside text is written as text, never as a formula or a link; numbers as numbers."""
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt["text"] if kind in ("text", "code") else fmt["number"])
    elif kind in ("number", "integer") and isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt["number"])
    else:
        ws.write_string(r, c, str(value), fmt["text"])


def _header(ws, fmt, headers: list[tuple[str, str, float]]) -> None:
    for c, (text, note, width) in enumerate(headers):
        ws.write_string(0, c, text, fmt["head"])
        ws.write_comment(0, c, note, {"x_scale": 2.2, "y_scale": 1.4, "author": "poaxl"})
        ws.set_column(c, c, width)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.set_landscape()  # printed for review: one page wide, header on every page
    ws.set_paper(1)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _general_sheet(wb, fmt, cat: Catalog) -> None:
    ws = wb.add_worksheet(GENERAL)
    _header(ws, fmt, [("CAMPO", "Nombre del dato (no lo cambie).", 24), ("VALOR", "El dato del catálogo.", 48),
                      ("DESCRIPCIÓN", "Qué es cada dato.", 70)])
    values = {"id": cat.id, "ayuntamiento": cat.ayuntamiento, "year": cat.year, "quarter": cat.quarter,
              "form_code": cat.form_code, "mail.from": cat.mail.get("from"),
              "mail.reply_to": cat.mail.get("reply_to"),
              **{f"mail.deadlines.{q}": cat.mail.get("deadlines", {}).get(str(q)) for q in QUARTERS}}
    for r, (key, label, kind, note) in enumerate(GENERAL_FIELDS, start=1):
        ws.write_string(r, 0, label, fmt["text"])
        _write(ws, r, 1, values.get(key), kind, fmt)
        ws.write_string(r, 2, note, fmt["text"])
        if key == "year":
            ws.data_validation(r, 1, r, 1, _whole(2000, 2100, "El año debe ser un número entre 2000 y 2100."))
        elif key == "quarter":
            ws.data_validation(r, 1, r, 1, _whole(1, 4, "El trimestre debe ser 1, 2, 3 o 4."))


def _whole(low: int, high: int, message: str) -> dict:
    return {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
            "error_title": "Valor no válido", "error_message": message}


def _sheet(wb, fmt, name: str, cols: tuple[Col, ...], rows: list[dict[str, Any]]) -> None:
    ws = wb.add_worksheet(name)
    _header(ws, fmt, [(c.header, c.note, c.width) for c in cols])
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(cols):
            _write(ws, r, c, row.get(col.key), col.kind, fmt)
    last = max(len(rows) + 500, 1000)  # room to add rows that are still validated
    for c, col in enumerate(cols):
        if col.choices:
            ws.data_validation(1, c, last, c, {"validate": "list", "source": list(col.choices),
                                               "error_title": "Valor no válido",
                                               "error_message": "Use uno de: " + ", ".join(col.choices)})
        elif col.kind == "number":
            ws.data_validation(1, c, last, c, {"validate": "decimal", "criteria": ">=", "value": 0,
                                               "error_title": "Valor no válido",
                                               "error_message": "Escriba un número mayor o igual a 0."})
        elif col.kind in ("code", "text"):
            ws.set_column(c, c, col.width, fmt["text"])  # typed codes stay text: 003 keeps its zeros
    ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)


# --------------------------------------------------------------------------- reading

def is_catalog_book(path: str | Path) -> bool:
    """A workbook with our Unidades and Metas sheets (cheap: only the sheet names are read)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                return False
            with zf.open("xl/workbook.xml") as part:  # bounded: an untrusted part may inflate to anything
                head = part.read(200_000).decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return False
    return all(f'name="{sheet}"' in head for sheet in CATALOG_BOOK_SHEETS)


class _Problems:
    """Errors that point to a sheet, row and column, in Spanish."""

    def __init__(self, path: Path):
        self.path, self.items = path, []

    def where(self, sheet: str, row: int | None = None, col: int | None = None, header: str | None = None) -> str:
        from xlsxwriter.utility import xl_col_to_name

        out = f"{self.path.name}, hoja «{sheet}»"
        if row is not None:
            out += f", fila {row + 1}"
        if col is not None:
            out += f", columna {xl_col_to_name(col)}" + (f" ({header})" if header else "")
        return out

    def add(self, message: str) -> None:
        self.items.append(message)


def read_book(path: str | Path) -> tuple[dict[str, Any], list[str], "_Reader"]:
    """The workbook as catalog data, each unit's origin, and its reader: ``problem`` says a schema error
    at its cell, ``locate`` turns a schema path into the cell it came from.

    Raises CatalogError (every problem with its sheet, row and column) when cells cannot be read."""
    import openpyxl

    from .read import Unreadable, open_package

    path = Path(path)
    try:
        with open_package(path) as pkg:  # zip limits, every part inflated with its size proven, no DTD
            pkg.scan_all_prologs(skip=set())
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Unreadable as exc:
        raise CatalogError([f"{path}: {exc}"]) from None
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise CatalogError([f"{path}: no se pudo abrir como libro de Excel ({type(exc).__name__})."]) from None
    problems = _Problems(path)
    try:
        grids = {_sheet_key(ws.title): (ws.title, _grid(ws, problems)) for ws in wb.worksheets}
    finally:
        wb.close()
    reader = _Reader(path, grids, problems)
    data = reader.data()
    if problems.items:
        raise CatalogError(problems.items)
    return data, reader.origins, reader


def _sheet_key(title: str) -> str:
    from .importer import norm

    return norm(title)


def _grid(ws, problems: _Problems) -> list[list[Any]]:
    rows = []
    for n, row in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True)):
        if n >= MAX_ROWS:
            problems.add(f"{problems.where(ws.title)}: tiene más de {MAX_ROWS} filas; no es un catálogo.")
            break
        rows.append(list(row))
    return rows


class _Reader:
    """Turns the sheets' rows into catalog data, remembering which cell each value came from."""

    def __init__(self, path: Path, grids: dict, problems: _Problems):
        self.path, self.grids, self.p = path, grids, problems
        self.cells: dict[tuple, tuple[str, int, dict[str, tuple[int, str]]]] = {}
        self.origins: list[str] = []
        self.units: list[dict[str, Any]] = []
        self.only: str | None = None  # the ramo of every unit when «Ramos» has one
        self.bad_codes = False  # a Unidades row whose code or ramo is refused: rows naming its unit are not found

    # -- cells
    def rows(self, name: str) -> list[tuple[int, dict[str, Any], dict[str, tuple[int, str]]]]:
        """(row index, values by column key, column of each key) for the non-empty rows of a sheet."""
        from .importer import norm

        title, grid = self.grids.get(norm(name), (name, None))
        if grid is None:
            self.p.add(f"{self.p.where(name)}: falta la hoja «{name}» del catálogo.")
            return []
        cols = SHEETS[name]
        found = {norm(v): c for c, v in enumerate(grid[0] if grid else []) if v is not None}
        where = {}
        for col in cols:
            if norm(col.header) not in found:
                self.p.add(f"{self.p.where(title, 0)}: falta la columna «{col.header}».")
            else:
                where[col.key] = (found[norm(col.header)], col.header)
        out = []
        for r, row in enumerate(grid[1:], start=1):
            if not any(v is not None and str(v).strip() for v in row):
                continue
            values = {col.key: self.value(title, r, row, where.get(col.key), col) for col in cols}
            out.append((r, values, where))
        return out

    def value(self, sheet: str, r: int, row: list, at: tuple[int, str] | None, col: Col) -> Any:
        if at is None:
            return None
        raw = row[at[0]] if at[0] < len(row) else None
        if col.kind in ("number", "integer"):
            return self.number(sheet, r, at, raw, col.kind)
        from .importer import text_of

        text = text_of(raw)
        if col.choices and text and text not in col.choices:
            match = next((c for c in col.choices if c.lower() == text.lower()), None)
            if match is None:
                self.p.add(f"{self.p.where(sheet, r, at[0], at[1])}: «{text[:60]}» no es válido; use uno de: "
                           f"{', '.join(col.choices)}.")
            return match
        return text

    def number(self, sheet: str, r: int, at: tuple[int, str], raw: Any, kind: str) -> Any:
        from .check import parse_number

        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.p.add(f"{self.p.where(sheet, r, at[0], at[1])}: está vacía; escriba un número (0 si no hay).")
            return None
        value, how = parse_number(raw)
        if value is None and isinstance(raw, (int, float)) and not isinstance(raw, bool):  # a number, too big
            self.p.add(f"{self.p.where(sheet, r, at[0], at[1])}: {raw:g} está fuera de rango (máximo 1e+15).")
            return None
        if value is None or how == "percent" or (kind == "integer" and not float(value).is_integer()):
            want = "un número entero" if kind == "integer" else "un número"
            self.p.add(f"{self.p.where(sheet, r, at[0], at[1])}: «{str(raw)[:60]}» no es {want}.")
            return None
        return int(value) if float(value).is_integer() else value

    # -- the catalog
    def data(self) -> dict[str, Any]:
        data = self.general()
        ramos = self.rows("Ramos")
        for k, (r, _, where) in enumerate(ramos):
            self.cells[("ramos", k)] = ("Ramos", r, where)
        several = len(ramos) > 1
        if several:
            data["ramos"] = [{"code": v["code"], "name": v["name"]} for _, v, _ in ramos]
        elif ramos:
            data["ramo"] = {"code": ramos[0][1]["code"], "name": ramos[0][1]["name"]}
            self.cells[("ramo",)] = self.cells.pop(("ramos", 0))
        else:
            self.p.add(f"{self.p.where('Ramos')}: no hay ningún ramo; agregue al menos una fila (CÓDIGO, NOMBRE).")
        only = ramos[0][1]["code"] if len(ramos) == 1 else None
        units, index = [], {}
        ramo_codes = [row["code"] for _, row, _ in ramos]
        for r, v, where in self.rows("Unidades"):
            if not self.findable(r, v, where, ramo_codes):
                continue
            key = self.unit_key(v["ramo"] or only, v["code"])
            if key in index:  # a code typed as another unit's: that unit's rows elsewhere are not found either
                first = self.cells[("units", index[key])][1]
                self.p.add(f"{self.p.where('Unidades', r, *where['code'])}: la unidad {v['ramo'] or only}-{v['code']} "
                           f"está repetida (ya está en la fila {first + 1}); corrija el código de una de las dos.")
                self.bad_codes = True
                continue
            unit = {"code": v["code"], **({"ramo": v["ramo"] or only} if several else {}),
                    "label": v["label"], "name": v["name"],
                    **{k: {"code": v[f"{k}.code"], "name": v[f"{k}.name"]}
                       for k in CLASSIFICATION},
                    "lineas": [], "goals": [], "signatures": {}}
            index[key] = len(units)
            self.cells[("units", len(units))] = ("Unidades", r, {**where, "ramo": where.get("ramo")})
            self.origins.append(f"{self.path.name}, hoja «Unidades», fila {r + 1}")
            units.append(unit)
        self.children(units, index, only)
        data["units"], self.units, self.only = units, units, only
        return data

    def findable(self, r: int, v: dict[str, Any], where: dict[str, tuple[int, str]], ramos: list[str]) -> bool:
        """Can the other sheets' rows find the unit of Unidades row ``r`` by its RAMO and UNIDAD? A code the
        schema refuses, or a ramo not in «Ramos», is said here, once, at its cell: the other sheets' rows
        of that unit then name a unit that is not there, and saying so row by row would bury the cause
        under its consequences (children() keeps quiet about them)."""
        problems = {key: why for key, why in (("ramo", self.ramo_problem(v["ramo"], ramos)),
                                              ("code", self.code_problem(v["code"]))) if why}
        for key, why in problems.items():
            if key in where:  # a missing column is said once by rows()
                self.p.add(f"{self.p.where('Unidades', r, *where[key])}: {why}.")
        self.bad_codes = self.bad_codes or bool(problems)
        return not problems

    @staticmethod
    def code_problem(code: str | None) -> str | None:
        from .catalog import schema_errors, spanish_error

        if not code:
            return "está vacía; escriba el código de la unidad"
        return next((spanish_error(e) for e in schema_errors(code, part="unit.code")), None)

    def ramo_problem(self, ramo: str | None, ramos: list[str]) -> str | None:
        """A unit's RAMO must be one of «Ramos» (``1`` is ``01``); it may be left empty when there is one."""
        if not ramos or not ramo and len(ramos) == 1:
            return None
        if not ramo:
            return f"está vacía; escriba el ramo de la unidad, uno de: {', '.join(ramos)}"
        if all(self.unit_key(code, None)[0] != self.unit_key(ramo, None)[0] for code in ramos):
            return f"el ramo «{ramo[:20]}» no está en la hoja Ramos; use uno de: {', '.join(ramos)}"
        return None

    @staticmethod
    def unit_key(ramo: str | None, code: str | None) -> tuple[str, str]:
        strip = lambda s: (s or "").lstrip("0") if (s or "").isdigit() else (s or "")  # noqa: E731
        return strip(ramo), strip(code)

    def children(self, units: list[dict], index: dict, only: str | None) -> None:
        """Líneas, Metas, Firmas and Contactos rows, each attached to its unit (which must exist)."""
        for sheet, attach in (("Líneas", self.linea), ("Metas", self.goal), ("Firmas", self.signer),
                              ("Contactos", self.contact)):
            for r, v, where in self.rows(sheet):
                i = index.get(self.unit_key(v["ramo"] or only, v["unit"]))
                if i is None:
                    if self.bad_codes:
                        continue  # most likely the unit whose code was refused: fixed there, it is found
                    col, header = where.get("unit", (None, None))
                    self.p.add(f"{self.p.where(sheet, r, col, header)}: la unidad {v['ramo'] or only}-{v['unit']} "
                               "no está en la hoja Unidades; agréguela allí o corrija RAMO y UNIDAD.")
                    continue
                attach(units[i], i, sheet, r, v, where)

    def linea(self, unit, i, sheet, r, v, where) -> None:
        self.cells[("units", i, "lineas", len(unit["lineas"]))] = (sheet, r, where)
        unit["lineas"].append({"code": v["code"], "name": v["name"]})

    def goal(self, unit, i, sheet, r, v, where) -> None:
        self.cells[("units", i, "goals", len(unit["goals"]))] = (sheet, r, where)
        goal = {"la": v["la"], "number": v["number"], "text": v["text"], "measure": v["measure"], "meta": v["meta"],
                "planned": [v[f"planned.{q}"] for q in range(4)]}
        aggregation = AGGREGATIONS.get(v["aggregation"] or "suma")
        if aggregation != "sum":
            goal["aggregation"] = aggregation
        unit["goals"].append(goal)

    def signer(self, unit, i, sheet, r, v, where) -> None:
        key = SIGNERS.get(v["who"] or "")
        if key is None:
            return  # already reported as an invalid choice
        if key in unit["signatures"]:
            self.p.add(f"{self.p.where(sheet, r)}: la firma {v['who']} de la unidad {v['unit']} está repetida.")
        self.cells[("units", i, "signatures", key)] = (sheet, r, where)
        unit["signatures"][key] = {"cargo": v["cargo"], "name": v["name"]}

    def contact(self, unit, i, sheet, r, v, where) -> None:
        kind = CONTACT_KINDS.get(v["kind"] or "")
        if kind is None:
            return
        addresses = unit.setdefault("contacts", {}).setdefault(kind, [])
        self.cells[("units", i, "contacts", kind, len(addresses))] = (sheet, r, where)
        addresses.append(v["email"])

    def general(self) -> dict[str, Any]:
        from .importer import norm, text_of

        title, grid = self.grids.get(norm(GENERAL), (GENERAL, None))
        if grid is None:
            self.p.add(f"{self.p.where(GENERAL)}: falta la hoja «{GENERAL}» del catálogo.")
            return {}
        kinds = {key: kind for key, _, kind, _ in GENERAL_FIELDS}
        keys = {norm(label): key for key, label, _, _ in GENERAL_FIELDS} | {norm(key): key for key in kinds}
        data: dict[str, Any] = {}
        for r, row in enumerate(grid[1:], start=1):
            label = text_of(row[0]) if row else ""
            raw = row[1] if len(row) > 1 else None
            key = keys.get(norm(label))
            if key is None:
                if label:
                    self.p.add(f"{self.p.where(title, r, 0, 'CAMPO')}: «{label[:40]}» no es un dato del catálogo; "
                               "use uno de: " + ", ".join(lab for _, lab, _, _ in GENERAL_FIELDS) + ".")
                continue
            at = (1, "VALOR")
            if raw is None or str(raw).strip() == "":
                self.cells[tuple(key.split("."))] = (title, r, {"": at})  # a required one is said at its cell
                continue
            value = self.number(title, r, at, raw, "integer") if kinds[key] == "integer" else text_of(raw)
            self.cells[tuple(key.split("."))] = (title, r, {"": at})
            target = data
            parts = key.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        return data

    def problem(self, error) -> str:
        """A schema error as the person editing the workbook acts on it: at the cell of the value, or, for
        what is missing, the sheet and row to write it in (the schema's words, «falta el campo obligatorio
        «elaboro»» or «debe tener al menos 1 elemento», name a YAML field the workbook does not have)."""
        from .catalog import spanish_error

        path = list(error.absolute_path)
        return self.missing(path, error) or f"{self.locate(path)}: {spanish_error(error)}"

    def missing(self, path: list, error) -> str | None:
        """What a unit lacks (its líneas, goals, a signature) or «General» lacks, said as the row to add."""
        v, instance = error.validator, error.instance
        if v == "required" and not path:
            labels = {key: (label, note) for key, label, _, note in GENERAL_FIELDS}
            lacking = [k for k in error.validator_value if k not in instance and k in labels
                       and repr(k) in error.message]  # one error per missing field, named in its message
            if lacking:
                label, note = labels[lacking[0]]
                if (lacking[0],) in self.cells:
                    return f"{self.locate([lacking[0]])}: {label} está vacío. {note}"
                return f"{self.p.where(GENERAL)}: falta la fila de CAMPO {label}. {note}"
        if path == ["units"] and v == "minItems":
            return f"{self.p.where('Unidades')}: no hay ninguna unidad; agregue una fila por unidad."
        if len(path) != 3 or path[0] != "units" or not isinstance(path[1], int) or path[1] >= len(self.units):
            return None
        unit = self.units[path[1]]
        name = f"la unidad {unit.get('ramo') or self.only}-{unit['code']}"
        sheet = {"lineas": "Líneas", "goals": "Metas"}.get(path[2])
        if sheet and v == "minItems":
            return (f"{self.locate(path[:2])}: {name} no tiene ninguna fila en la hoja «{sheet}»; agregue al "
                    "menos una.")
        if path[2] == "signatures" and v == "required":
            signers = [label for label, key in SIGNERS.items() if key in error.validator_value and key not in instance]
            return (f"{self.locate(path[:2])}: {name} no tiene la firma {', '.join(signers)}; agregue su fila en la "
                    "hoja «Firmas».")
        return None

    def locate(self, path: list) -> str:
        """A schema error's path (units[3].goals[2].meta) as the cell it came from."""
        parts = tuple(str(p) if not isinstance(p, int) else p for p in path)
        for n in range(len(parts), 0, -1):
            found = self.cells.get(parts[:n])
            if found:
                sheet, r, where = found
                rest = ".".join(str(p) for p in parts[n:])
                col = where.get(rest) or where.get("")
                if col is None and rest == "planned":
                    col = where.get("planned.0")
                return self.p.where(sheet, r, *(col or (None, None)))
        return f"{self.path.name}, hoja «{GENERAL}»"
